// bench_ops.cpp — the kernel families besides GEMM and convolution, each as
// a reference and as the kernel ember runs, at the tutorials' shapes:
//
//   elementwise_relu/<layer>      kernels::relu | map(x, f): the generic path,
//                                 one std::function call per element, one thread
//   broadcast_bias_add/<layer>    kernels::add of [N,C,H,W] + [1,C,1,1] | map2
//   reduce_sum_dbias/<layer>      kernels::sum over {0, 2, 3} (a conv's dbias)
//                                 | the textbook loop, in double, one thread
//   reduce_sum_all/<layer>        kernels::sum over everything | the same loop
//   max_pool2d_2x2/<layer>, avg_pool2d_2x2/<layer>
//                                 kernels::max_pool2d / avg_pool2d
//                                 | kernels::*_pool2d_reference
//   softmax_rows/<N>x<C>          kernels::softmax over dim 1 | a per-row loop
//   cross_entropy_fwd_bwd/<N>x<C> cross_entropy (fused log_softmax + NLL) and
//                                 its backward | nll_loss(log(softmax(z)))
//
// Each name ends in /fast or /reference. The layers are the tutorial
// convolutions' outputs (shapes.hpp): what ReLU, the bias, dbias and the
// pools meet in training. Counters: GB/s of the tensors read and written
// once (bytes, not the cache traffic), elements/s of the input, and FLOP/s
// counted per element of the input (shapes.hpp's report_flops): 1 for
// relu, the bias add and the sums; 3/4 for max pooling 2x2 (3 compares
// per window), 1 for average pooling (3 adds and a multiply per window);
// 5 for softmax (max, subtract, exp, sum, scale; exp counted as one) and 8
// for cross-entropy forward + backward (log_softmax's 5, then p = exp,
// times the targets' mass, minus the targets).
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "../ember.hpp"
#include "shapes.hpp"

using ember::Tensor;
using ember::bench::ConvLayer;
namespace k = ember::kernels;

namespace {

void report(benchmark::State& state, double elements, double bytes, double flops_per_element) {
  ember::bench::report_flops(state, elements * flops_per_element);
  state.counters["elem/s"] =
      benchmark::Counter(elements, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["GB/s"] = benchmark::Counter(bytes, benchmark::Counter::kIsIterationInvariantRate,
                                              benchmark::Counter::kIs1000);
}

void relu(benchmark::State& state, const ConvLayer& l, bool fast) {
  Tensor x = Tensor::randn(l.output());
  const auto f = [](float v) { return v > 0.0f ? v : 0.0f; };
  for (auto _ : state) benchmark::DoNotOptimize((fast ? k::relu(x) : k::map(x, f)).data());
  const double n = static_cast<double>(x.numel());
  report(state, n, 8.0 * n, 1.0);
}

void bias_add(benchmark::State& state, const ConvLayer& l, bool fast) {
  Tensor x = Tensor::randn(l.output()), b = Tensor::randn({1, l.out_channels, 1, 1});
  const auto f = [](float u, float v) { return u + v; };
  for (auto _ : state)
    benchmark::DoNotOptimize((fast ? k::add(x, b) : k::map2(x, b, f, "add")).data());
  const double n = static_cast<double>(x.numel());
  report(state, n, 8.0 * n, 1.0);
}

// The reference reductions: nested loops over a contiguous [N, C, P], double sums.
Tensor sum_dbias_reference(const Tensor& x) {
  const int64_t n = x.shape()[0], c = x.shape()[1], p = x.shape()[2] * x.shape()[3];
  std::vector<double> acc(static_cast<size_t>(c), 0.0);
  const float* data = x.data();
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < c; ++j)
      for (int64_t q = 0; q < p; ++q) acc[static_cast<size_t>(j)] += data[(i * c + j) * p + q];
  Tensor out = Tensor::empty({c});
  for (int64_t j = 0; j < c; ++j) out.data()[j] = static_cast<float>(acc[static_cast<size_t>(j)]);
  return out;
}

Tensor sum_all_reference(const Tensor& x) {
  double acc = 0.0;
  const float* data = x.data();
  for (int64_t i = 0; i < x.numel(); ++i) acc += data[i];
  return Tensor::full({}, static_cast<float>(acc));
}

void sum_dbias(benchmark::State& state, const ConvLayer& l, bool fast) {
  Tensor x = Tensor::randn(l.output());
  for (auto _ : state)
    benchmark::DoNotOptimize((fast ? k::sum(x, {0, 2, 3}) : sum_dbias_reference(x)).data());
  const double n = static_cast<double>(x.numel());
  report(state, n, 4.0 * n, 1.0);
}

void sum_all(benchmark::State& state, const ConvLayer& l, bool fast) {
  Tensor x = Tensor::randn(l.output());
  for (auto _ : state)
    benchmark::DoNotOptimize((fast ? k::sum(x) : sum_all_reference(x)).data());
  const double n = static_cast<double>(x.numel());
  report(state, n, 4.0 * n, 1.0);
}

void max_pool(benchmark::State& state, const ConvLayer& l, bool fast) {
  Tensor x = Tensor::randn(l.output());
  const k::Pool2dGeometry g{2, 2, 2, 2};
  for (auto _ : state)
    benchmark::DoNotOptimize(
        (fast ? k::max_pool2d(x, g).values : k::max_pool2d_reference(x, g)).data());
  const double n = static_cast<double>(x.numel());
  report(state, n, 4.0 * n * (1.0 + (fast ? 0.5 : 0.25)), 0.75);  // fast also writes indices
}

void avg_pool(benchmark::State& state, const ConvLayer& l, bool fast) {
  Tensor x = Tensor::randn(l.output());
  const k::Pool2dGeometry g{2, 2, 2, 2};
  for (auto _ : state)
    benchmark::DoNotOptimize((fast ? k::avg_pool2d(x, g) : k::avg_pool2d_reference(x, g)).data());
  const double n = static_cast<double>(x.numel());
  report(state, n, 4.0 * n * 1.25, 1.0);
}

// The logits of the five models (batch x classes), and a large case.
struct Logits {
  int64_t rows, classes;
  std::string name() const { return std::to_string(rows) + "x" + std::to_string(classes); }
};
const std::vector<Logits> kLogits = {{32, 10}, {100, 10}, {500, 10}, {4096, 1000}};

Tensor softmax_reference(const Tensor& z) {
  const int64_t rows = z.shape()[0], cols = z.shape()[1];
  Tensor out = Tensor::empty(z.shape());
  for (int64_t r = 0; r < rows; ++r) {
    const float* in = z.data() + r * cols;
    float* o = out.data() + r * cols;
    float top = in[0];
    for (int64_t c = 1; c < cols; ++c) top = std::max(top, in[c]);
    double total = 0.0;
    for (int64_t c = 0; c < cols; ++c) total += o[c] = std::exp(in[c] - top);
    for (int64_t c = 0; c < cols; ++c) o[c] = static_cast<float>(o[c] / total);
  }
  return out;
}

void softmax(benchmark::State& state, Logits s, bool fast) {
  Tensor z = Tensor::randn({s.rows, s.classes});
  for (auto _ : state)
    benchmark::DoNotOptimize((fast ? k::softmax(z, 1) : softmax_reference(z)).data());
  const double n = static_cast<double>(z.numel());
  report(state, n, 8.0 * n, 5.0);
}

void cross_entropy(benchmark::State& state, Logits s, bool fast) {
  Tensor z = Tensor::randn({s.rows, s.classes}).requires_grad_();
  std::vector<float> labels(static_cast<size_t>(s.rows));
  for (size_t i = 0; i < labels.size(); ++i)
    labels[i] = static_cast<float>(static_cast<int64_t>(i * 7) % s.classes);
  Tensor y = Tensor::from_vector(labels, {s.rows});
  for (auto _ : state) {
    Tensor loss = fast ? ember::cross_entropy(z, y)
                       : ember::nll_loss(ember::log(ember::softmax(z, 1)), y);
    loss.backward();
    benchmark::DoNotOptimize(z.grad().data());
    z.set_grad(Tensor());
  }
  const double n = static_cast<double>(z.numel());
  report(state, n, 8.0 * n, 8.0);
}

const bool registered = [] {
  using Fn = void (*)(benchmark::State&, const ConvLayer&, bool);
  const std::vector<std::pair<std::string, Fn>> per_layer = {
      {"elementwise_relu/", relu},     {"broadcast_bias_add/", bias_add},
      {"reduce_sum_dbias/", sum_dbias}, {"reduce_sum_all/", sum_all},
      {"max_pool2d_2x2/", max_pool},   {"avg_pool2d_2x2/", avg_pool},
  };
  for (const auto& [prefix, fn] : per_layer)
    for (const ConvLayer& l : ember::bench::tutorial_conv_layers()) {
      const bool pool = fn == max_pool || fn == avg_pool;
      if (pool && (l.out_h() % 2 || l.out_w() % 2)) continue;
      for (const bool fast : {true, false})
        benchmark::RegisterBenchmark(
            (prefix + l.name + (fast ? "/fast" : "/reference")).c_str(), fn, l, fast)
            ->Unit(benchmark::kMicrosecond)->UseRealTime();
    }
  for (const Logits& s : kLogits)
    for (const bool fast : {true, false}) {
      const std::string suffix = s.name() + (fast ? "/fast" : "/reference");
      benchmark::RegisterBenchmark(("softmax_rows/" + suffix).c_str(), softmax, s, fast)
          ->Unit(benchmark::kMicrosecond)->UseRealTime();
      benchmark::RegisterBenchmark(("cross_entropy_fwd_bwd/" + suffix).c_str(), cross_entropy, s,
                                   fast)
          ->Unit(benchmark::kMicrosecond)->UseRealTime();
    }
  return true;
}();

}  // namespace
