// profile.cpp — see profile.hpp for what is measured and how the graph is cut.
#include "profile.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <tuple>

#include "../nn/conv.hpp"
#include "../nn/linear.hpp"
#include "../nn/lstm.hpp"
#include "../nn/sequential.hpp"
#include "../optim/adam.hpp"
#include "../tensor/runtime/allocator.hpp"
#include "../tensor/runtime/blas_info.hpp"
#include "../tensor/kernels.hpp"
#include "../tensor/runtime/parallel.hpp"
#include "step.hpp"

namespace ember::train {

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

double median(std::vector<double> v) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

double megabytes(int64_t bytes) { return static_cast<double>(bytes) / (1024.0 * 1024.0); }

struct Layer {
  std::string name;
  nn::Module* module;
};

// The children of a Sequential, opening nested Sequentials one level; any
// other model is profiled as one layer.
std::vector<Layer> layers_of(nn::Module& model) {
  auto* seq = dynamic_cast<nn::Sequential*>(&model);
  if (!seq) return {{"model", &model}};
  std::vector<Layer> layers;
  for (size_t i = 0; i < seq->size(); ++i) {
    nn::Module* child = (*seq)[i].get();
    const std::string& name = seq->name_at(i);
    if (auto* inner = dynamic_cast<nn::Sequential*>(child)) {
      for (size_t j = 0; j < inner->size(); ++j)
        layers.push_back({name + "." + inner->name_at(j), (*inner)[j].get()});
    } else {
      layers.push_back({name, child});
    }
  }
  return layers;
}

// GFLOP/s of kernels::sgemm alone at one shape: the best the layer's GEMM
// could do, run the way the layer runs it. `copies` products at once, one
// per thread of the pool (a convolution's per-image GEMMs: each thread
// lowers its images and calls a single-threaded GEMM), or one product that
// kernels::sgemm may split over the pool itself (copies = 1: a Dense layer).
// The fastest of the repetitions, not their median: it is the machine's
// capability that is asked for, and on a shared host the slower
// repetitions measure the other processes.
double measure_sgemm_gflops(const kernels::GemmShape& s, int64_t copies) {
  const int64_t m = s.m, n = s.n, k = s.k;
  const int64_t lda = s.trans_a ? m : k, ldb = s.trans_b ? k : n;
  struct Operands {
    std::vector<float> a, b, c;
  };
  std::vector<Operands> ops(static_cast<size_t>(copies));
  for (Operands& o : ops)
    o = {std::vector<float>(static_cast<size_t>(m * k), 0.5f),
         std::vector<float>(static_cast<size_t>(k * n), 0.25f),
         std::vector<float>(static_cast<size_t>(m * n), 0.0f)};
  auto product = [&](Operands& o) {
    kernels::sgemm(s.trans_a, s.trans_b, m, n, k, 1.0f, o.a.data(), lda, o.b.data(), ldb, 0.0f,
                   o.c.data(), n);
  };
  auto once = [&] {
    if (copies == 1) return product(ops[0]);
    detail::parallel_for(copies, 1, [&](int64_t lo, int64_t hi, int64_t) {
      for (int64_t i = lo; i < hi; ++i) product(ops[static_cast<size_t>(i)]);
    });
  };
  once();  // warm caches and the threads
  double best = 0.0, total = 0.0;
  for (int reps = 0; reps < 5 || (total < 30.0 && reps < 200); ++reps) {
    const Clock::time_point t0 = Clock::now();
    once();
    const double ms = ms_since(t0);
    best = reps == 0 ? ms : std::min(best, ms);
    total += ms;
  }
  return s.flops() * static_cast<double>(copies) / (best * 1e6);
}

// measure_sgemm_gflops's products the way a convolution's forward meets them
// inside a training step: one per image, over the pool, each into its own
// slice of a batch-sized output that the rest of the step has pushed out of
// cache (a 64 MB buffer is written before each repetition, untimed); each
// thread's B (the lowered columns) stays hot, as im2col leaves it. Where a
// layer writes a byte of output per few dozen FLOPs (first layers, K =
// 9..49) this is the ceiling the machine allows, well under the hot figure.
double measure_sgemm_cold_gflops(const kernels::GemmShape& s, int64_t images) {
  const int64_t m = s.m, n = s.n, k = s.k;
  const int64_t lda = s.trans_a ? m : k, ldb = s.trans_b ? k : n;
  const int64_t chunks = detail::chunk_count(images, 1);
  std::vector<float> a(static_cast<size_t>(m * k), 0.5f);
  std::vector<float> b(static_cast<size_t>(chunks * k * n), 0.25f);
  std::vector<float> c(static_cast<size_t>(images * m * n), 0.0f);
  std::vector<float> junk(size_t{16} << 20, 0.0f);
  double best = 0.0;
  for (int reps = 0; reps < 7; ++reps) {
    for (size_t i = 0; i < junk.size(); i += 16) junk[i] += 1.0f;
    const Clock::time_point t0 = Clock::now();
    detail::parallel_for(images, 1, [&](int64_t lo, int64_t hi, int64_t chunk) {
      for (int64_t i = lo; i < hi; ++i)
        kernels::sgemm(s.trans_a, s.trans_b, m, n, k, 1.0f, a.data(), lda,
                       b.data() + chunk * k * n, ldb, 0.0f, c.data() + i * m * n, n);
    });
    const double ms = ms_since(t0);
    best = reps == 0 ? ms : std::min(best, ms);
  }
  return s.flops() * static_cast<double>(images) / (best * 1e6);
}

// Switches the GEMM counters on for a scope (off again, and reset, even on a throw).
struct GemmCounting {
  GemmCounting() {
    kernels::reset_gemm_stats();
    kernels::set_gemm_profiling(true);
  }
  ~GemmCounting() {
    kernels::set_gemm_profiling(false);
    kernels::reset_gemm_stats();
  }
  GemmCounting(const GemmCounting&) = delete;
  GemmCounting& operator=(const GemmCounting&) = delete;
};

// Per-step samples, reduced to medians at the end.
struct Samples {
  std::vector<std::vector<double>> fwd, bwd, fwd_gemm, bwd_gemm;
  std::vector<double> loss, optimizer, data, segmented, step, step_gemm, step_gemm_flops, peak;
  explicit Samples(size_t layers) : fwd(layers), bwd(layers), fwd_gemm(layers), bwd_gemm(layers) {}
};

class Profiler {
 public:
  Profiler(nn::Module& model, const Shape& input_shape, const ProfileOptions& options)
      : model_(model), options_(options), layers_(layers_of(model)) {
    if (!options.loader) {
      const Shape out = model.output_shape(input_shape);
      EMBER_CHECK(out.size() == 2 && out[1] > 0, ShapeError,
                  "profile: the model's output for input ", input_shape, " is ", out,
                  "; the synthetic labels need logits [N, classes]");
      x_ = Tensor::rand(input_shape);
      y_ = Tensor::empty({input_shape[0]});
      Tensor u = Tensor::rand({input_shape[0]});
      for (int64_t i = 0; i < input_shape[0]; ++i)
        y_.data()[i] = std::min(static_cast<float>(out[1] - 1),
                                std::floor(u.data()[i] * static_cast<float>(out[1])));
    }
    if (!options.optimizer) own_optimizer_ = std::make_unique<optim::Adam>(model.parameters());
    optimizer_ = options.optimizer ? options.optimizer : own_optimizer_.get();
  }

  ProfileReport run(int64_t steps) {
    ProfileReport report;
    Samples s(layers_.size());
    {
      GemmCounting counting;
      for (int64_t i = 0; i < options_.warmup + steps; ++i) {
        const bool keep = i >= options_.warmup;
        segmented_step(s, keep);
        plain_step(s, keep);
      }
    }

    report.input_shape = x_.shape();
    report.steps = steps;
    for (size_t l = 0; l < layers_.size(); ++l) {
      LayerProfile& p = info_[l];
      p.forward_ms = median(s.fwd[l]);
      p.backward_ms = median(s.bwd[l]);
      p.forward_gemm_ms = median(s.fwd_gemm[l]);
      p.backward_gemm_ms = median(s.bwd_gemm[l]);
      if (options_.measure_sgemm && p.gemm.m > 0) {
        // A layer that calls the same GEMM at least once per thread (per
        // image) runs those calls side by side on the pool.
        const int64_t threads = get_num_threads();
        p.sgemm_gflops = sgemm_gflops(p.gemm, p.gemm_calls >= threads ? threads : 1);
        if (p.gemm_calls > 1 && p.gemm_calls >= threads)  // per-image products
          p.sgemm_cold_gflops = sgemm_gflops(p.gemm, p.gemm_calls, true);
      }
      report.layers.push_back(p);
    }
    report.loss_ms = median(s.loss);
    report.optimizer_ms = median(s.optimizer);
    report.data_ms = median(s.data);
    report.segmented_step_ms = median(s.segmented);
    report.step_ms = median(s.step);
    report.step_gemm_ms = median(s.step_gemm);
    report.step_gemm_flops = median(s.step_gemm_flops);
    report.peak_activation_mb = median(s.peak);
    const BlasInfo blas = blas_info();
    report.threads = get_num_threads();
    report.blas = blas.summary();
    report.blas_warning = blas.warning;
    return report;
  }

 private:
  // The next batch, and how long it took to arrive.
  std::pair<Tensor, Tensor> next_batch(double& wait_ms) {
    const Clock::time_point t0 = Clock::now();
    if (!options_.loader) {
      wait_ms = 0.0;
      return {x_, y_};
    }
    if (!it_ || ++*it_ == std::default_sentinel) it_.emplace(options_.loader->begin());
    EMBER_CHECK(!(*it_ == std::default_sentinel), ValueError, "profile: the loader has no batches");
    wait_ms = ms_since(t0);
    x_ = (*it_)->images;  // the report's input shape
    return {(*it_)->images, (*it_)->labels};
  }

  // One step cut at every layer boundary (profile.hpp explains the cut). It
  // is train_step() taken apart to time each piece: the forward layer by
  // layer, the same regularized_loss(), zero_grad, the backward piece by
  // piece, the optimizer step.
  void segmented_step(Samples& s, bool keep) {
    double wait = 0.0;
    const Clock::time_point start = Clock::now();
    auto [x, y] = next_batch(wait);
    const size_t n = layers_.size();
    std::vector<Tensor> inputs(n), outputs(n);
    info_.resize(n);
    for (size_t l = 0; l < n; ++l) {
      inputs[l] = l == 0 ? x : outputs[l - 1].detach().requires_grad_();
      const int64_t before = allocator::stats().bytes_in_use;
      kernels::reset_gemm_stats();
      const Clock::time_point t0 = Clock::now();
      outputs[l] = layers_[l].module->forward(inputs[l]);
      const double ms = ms_since(t0);
      const kernels::GemmStats g = kernels::gemm_stats();
      if (keep) s.fwd[l].push_back(ms), s.fwd_gemm[l].push_back(g.wall_seconds * 1e3);
      describe(l, inputs[l], outputs[l], g, allocator::stats().bytes_in_use - before);
    }
    Clock::time_point t0 = Clock::now();
    Tensor logits = outputs[n - 1].detach().requires_grad_();
    Tensor loss = regularized_loss(model_, logits, y);
    loss.item();
    optimizer_->zero_grad();
    const double zero_grad_ms = ms_since(t0);
    loss.backward();
    Tensor grad = logits.grad();
    const double loss_ms = ms_since(t0) - zero_grad_ms;
    for (size_t l = n; l-- > 0;) {
      if (!outputs[l].requires_grad()) continue;  // e.g. a Reshape of the input: no backward
      kernels::reset_gemm_stats();
      t0 = Clock::now();
      outputs[l].backward(grad);
      const double ms = ms_since(t0);
      const kernels::GemmStats g = kernels::gemm_stats();
      if (keep) s.bwd[l].push_back(ms), s.bwd_gemm[l].push_back(g.wall_seconds * 1e3);
      if (!info_[l].analytic_flops) info_[l].backward_flops = g.flops;  // no formula: count
      grad = l > 0 ? inputs[l].grad() : Tensor();
      if (l > 0 && !grad.defined()) break;  // nothing below needs a gradient
    }
    t0 = Clock::now();
    optimizer_->step();
    const double step_ms = ms_since(t0);
    if (keep) {
      s.loss.push_back(loss_ms);
      s.optimizer.push_back(zero_grad_ms + step_ms);
      s.data.push_back(wait);
      s.segmented.push_back(ms_since(start));
    }
  }

  // One uncut step, fit()'s train_step(): the end-to-end time and the GEMM share.
  void plain_step(Samples& s, bool keep) {
    double wait = 0.0;
    const Clock::time_point start = Clock::now();
    auto [x, y] = next_batch(wait);
    const int64_t before = allocator::stats().bytes_in_use;
    allocator::reset_peak();
    kernels::reset_gemm_stats();
    train_step(model_, *optimizer_, x, y);
    const double ms = ms_since(start);
    const kernels::GemmStats g = kernels::gemm_stats();
    if (keep) {
      s.step.push_back(ms);
      s.step_gemm.push_back(g.wall_seconds * 1e3);
      s.step_gemm_flops.push_back(g.flops);
      s.peak.push_back(megabytes(allocator::stats().peak_bytes_in_use - before));
    }
  }

  void describe(size_t l, const Tensor& in, const Tensor& out, const kernels::GemmStats& g,
                int64_t kept_bytes) {
    LayerProfile& p = info_[l];
    nn::Module& m = *layers_[l].module;
    p.name = layers_[l].name;
    p.type = m.type_name();
    p.output_shape = out.shape();
    p.output_mb = megabytes(out.numel() * static_cast<int64_t>(sizeof(float)));
    p.kept_mb = megabytes(kept_bytes);
    const kernels::GemmShapeStats main = g.dominant();
    p.gemm = main.shape;
    p.gemm_calls = main.calls;
    if (std::optional<double> f = layer_forward_flops(m, in.shape(), out.shape())) {
      p.analytic_flops = true;
      p.forward_flops = *f;
      p.backward_flops = *f * (in.requires_grad() ? 2.0 : 1.0);
    } else {
      p.analytic_flops = false;
      p.forward_flops = g.flops;
    }
  }

  // Layers of one shape (a residual network's repeated blocks) share a
  // measurement: the cold one writes 64 MB seven times.
  double sgemm_gflops(const kernels::GemmShape& shape, int64_t copies, bool cold = false) {
    for (const auto& [s, c, was_cold, gflops] : sgemm_cache_)
      if (s == shape && c == copies && was_cold == cold) return gflops;
    sgemm_cache_.emplace_back(shape, copies, cold,
                              cold ? measure_sgemm_cold_gflops(shape, copies)
                                   : measure_sgemm_gflops(shape, copies));
    return std::get<3>(sgemm_cache_.back());
  }

  nn::Module& model_;
  const ProfileOptions& options_;
  std::vector<Layer> layers_;
  std::vector<LayerProfile> info_;
  std::unique_ptr<optim::Optimizer> own_optimizer_;
  optim::Optimizer* optimizer_ = nullptr;
  Tensor x_, y_;
  std::optional<data::DataLoader::Iterator> it_;
  std::vector<std::tuple<kernels::GemmShape, int64_t, bool, double>> sgemm_cache_;
};

// Restores the model's weights, buffers and train/eval mode on scope exit,
// and drops the gradients the profiled steps left.
class ModelSnapshot {
 public:
  explicit ModelSnapshot(nn::Module& m) : model_(m), training_(m.is_training()) {
    for (const auto& [name, t] : m.state_dict()) state_.emplace_back(name, kernels::clone(t));
  }
  ~ModelSnapshot() {
    model_.load_state_dict(state_);
    model_.zero_grad();
    model_.train(training_);
  }
  ModelSnapshot(const ModelSnapshot&) = delete;
  ModelSnapshot& operator=(const ModelSnapshot&) = delete;

 private:
  nn::Module& model_;
  bool training_;
  nn::NamedTensors state_;
};

std::string gemm_str(const LayerProfile& p) {
  if (p.gemm.m == 0) return "-";
  std::ostringstream s;
  s << p.gemm.m << "x" << p.gemm.n << "x" << p.gemm.k;
  if (p.gemm.trans_a || p.gemm.trans_b)
    s << (p.gemm.trans_a ? " T" : " N") << (p.gemm.trans_b ? "T" : "N");
  if (p.gemm_calls > 1) s << " *" << p.gemm_calls;
  return s.str();
}

}  // namespace

std::optional<double> layer_forward_flops(nn::Module& m, const Shape& in, const Shape& out) {
  if (auto* conv = dynamic_cast<nn::Conv2d*>(&m)) {
    const Shape& w = conv->weight().shape();  // [O, C, kh, kw]
    return 2.0 * static_cast<double>(shape_numel(out) * w[1] * w[2] * w[3]);
  }
  if (dynamic_cast<nn::Linear*>(&m)) {
    const int64_t rows = shape_numel(in) / in.back();
    return 2.0 * static_cast<double>(rows * in.back() * out.back());
  }
  if (auto* lstm = dynamic_cast<nn::LSTM*>(&m)) {  // in [N, T, F]: per step [N, F+u] x [F+u, 4u]
    const int64_t units = lstm->options().units, features = in.back();
    return 2.0 * static_cast<double>(in[0] * in[1] * (features + units) * 4 * units);
  }
  if (auto* td = dynamic_cast<nn::TimeDistributed*>(&m)) {  // [N, T, ...] folded to [N*T, ...]
    Shape fin(in.begin() + 1, in.end()), fout(out.begin() + 1, out.end());
    fin[0] *= in[0], fout[0] *= out[0];
    return layer_forward_flops(*td->layer(), fin, fout);
  }
  return std::nullopt;
}

double LayerProfile::forward_gflops() const {
  return forward_ms > 0 ? forward_flops / (forward_ms * 1e6) : 0.0;
}
double LayerProfile::backward_gflops() const {
  return backward_ms > 0 ? backward_flops / (backward_ms * 1e6) : 0.0;
}
double LayerProfile::fraction_of_sgemm() const {
  return sgemm_gflops > 0 && forward_flops > 0 ? forward_gflops() / sgemm_gflops : 0.0;
}

double LayerProfile::fraction_of_sgemm_cold() const {
  return sgemm_cold_gflops > 0 && forward_flops > 0 ? forward_gflops() / sgemm_cold_gflops : 0.0;
}

double ProfileReport::images_per_second() const {
  return step_ms > 0 && !input_shape.empty()
             ? static_cast<double>(input_shape[0]) / (step_ms * 1e-3)
             : 0.0;
}

ProfileReport profile(nn::Module& model, const Shape& input_shape, int64_t steps,
                      const ProfileOptions& options) {
  EMBER_CHECK(steps > 0 && options.warmup >= 0, ValueError, "profile: steps = ", steps,
              " and warmup = ", options.warmup, " (expected steps > 0, warmup >= 0)");
  EMBER_CHECK(options.loader || (input_shape.size() >= 2 && shape_numel(input_shape) > 0),
              ShapeError, "profile: input_shape ", input_shape,
              " must include the batch dim, e.g. {32, 1, 28, 28}");
  ProfileReport report;
  {
    ModelSnapshot snapshot(model);
    model.train();
    Profiler profiler(model, input_shape, options);
    report = profiler.run(steps);
  }
  if (options.print) (options.out ? *options.out : std::cout) << report;
  return report;
}

std::string format_profile(const ProfileReport& r) {
  std::ostringstream o;
  char line[512];
  o << "ember profile: " << r.steps << " training steps of a " << shape_str(r.input_shape)
    << " batch (medians), " << r.threads << (r.threads == 1 ? " thread\n" : " threads\n") << r.blas
    << "\n";
  if (!r.blas_warning.empty()) o << r.blas_warning << "\n";
  std::snprintf(line, sizeof line,
                "%-8s %-18s %-18s %8s %8s %6s %8s %8s %-18s %8s %6s %8s %7s %6s %8s %8s\n", "layer",
                "type", "output", "fwd ms", "bwd ms", "share", "fwd GF/s", "bwd GF/s",
                "fwd GEMM m*n*k", "SGEMM GF/s", "fwd/SG", "cold GF/s", "fwd/cSG", "GEMM%", "out MB",
                "kept MB");
  o << line;
  const double step = r.segmented_step_ms > 0 ? r.segmented_step_ms : 1.0;
  for (const LayerProfile& p : r.layers) {
    char fg[32] = "-", bg[32] = "-", sg[32] = "-", frac[32] = "-", cold[32] = "-", cfrac[32] = "-";
    if (p.forward_flops > 0)
      std::snprintf(fg, sizeof fg, "%.1f%s", p.forward_gflops(), p.analytic_flops ? "" : "*");
    if (p.backward_flops > 0)
      std::snprintf(bg, sizeof bg, "%.1f%s", p.backward_gflops(), p.analytic_flops ? "" : "*");
    if (p.sgemm_gflops > 0) std::snprintf(sg, sizeof sg, "%.1f", p.sgemm_gflops);
    if (p.fraction_of_sgemm() > 0)
      std::snprintf(frac, sizeof frac, "%.0f%%", 100 * p.fraction_of_sgemm());
    if (p.sgemm_cold_gflops > 0) std::snprintf(cold, sizeof cold, "%.1f", p.sgemm_cold_gflops);
    if (p.fraction_of_sgemm_cold() > 0)
      std::snprintf(cfrac, sizeof cfrac, "%.0f%%", 100 * p.fraction_of_sgemm_cold());
    char gemm_share[32] = "-";  // of the layer's forward + backward time
    if (p.forward_gemm_ms + p.backward_gemm_ms > 0)
      std::snprintf(
          gemm_share, sizeof gemm_share, "%.0f%%",
          100.0 * (p.forward_gemm_ms + p.backward_gemm_ms) / (p.forward_ms + p.backward_ms));
    std::snprintf(line, sizeof line,
                  "%-8s %-18s %-18s %8.2f %8.2f %5.1f%% %8s %8s %-18s %8s %6s %8s %7s %6s %8.2f "
                  "%8.2f\n",
                  p.name.c_str(), p.type.c_str(), shape_str(p.output_shape).c_str(), p.forward_ms,
                  p.backward_ms, 100.0 * (p.forward_ms + p.backward_ms) / step, fg, bg,
                  gemm_str(p).c_str(), sg, frac, cold, cfrac, gemm_share, p.output_mb, p.kept_mb);
    o << line;
  }
  std::snprintf(line, sizeof line, "%-46s %8.2f ms %5.1f%%\n", "loss (cross-entropy, fwd + bwd)",
                r.loss_ms, 100.0 * r.loss_ms / step);
  o << line;
  std::snprintf(line, sizeof line, "%-46s %8.2f ms %5.1f%%\n", "optimizer (zero_grad + step)",
                r.optimizer_ms, 100.0 * r.optimizer_ms / step);
  o << line;
  std::snprintf(line, sizeof line, "%-46s %8.2f ms %5.1f%%\n", "data (waiting for the batch)",
                r.data_ms, 100.0 * r.data_ms / step);
  o << line;
  std::snprintf(line, sizeof line, "%-46s %8.2f ms\n", "step, cut layer by layer",
                r.segmented_step_ms);
  o << line;
  const double other = r.step_ms - r.step_gemm_ms;
  std::snprintf(line, sizeof line,
                "step, uncut: %.2f ms (%.0f images/s) = GEMM %.2f ms (%.1f%%, %.1f GFLOP/s) + "
                "everything else %.2f ms (%.1f%%); peak activations %.1f MB\n",
                r.step_ms, r.images_per_second(), r.step_gemm_ms, 100.0 * r.gemm_share(),
                r.step_gemm_ms > 0 ? r.step_gemm_flops / (r.step_gemm_ms * 1e6) : 0.0, other,
                100.0 * (1.0 - r.gemm_share()), r.peak_activation_mb);
  o << line;
  o << "(share: of the cut step; GF/s: analytic FLOPs, * = FLOPs counted in sgemm; SGEMM GF/s: "
       "OpenBLAS alone at the forward's GEMM shape, one product per thread when the layer makes "
       "one per image; fwd/SG: forward GF/s as a fraction of it; cold GF/s: the per-image "
       "products into a batch-sized output with caches evicted, as in a step; fwd/cSG: forward "
       "GF/s as a fraction of that; GEMM%: the layer's time (fwd + "
       "bwd) spent inside sgemm; "
       "kept MB: memory the forward leaves allocated for backward, output included)\n";
  return o.str();
}

std::ostream& operator<<(std::ostream& os, const ProfileReport& report) {
  return os << format_profile(report);
}

}  // namespace ember::train
