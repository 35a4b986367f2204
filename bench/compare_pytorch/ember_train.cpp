// ember_train.cpp — the ember side of bench/compare_pytorch: trains one of the
// five tutorial models on a fixed synthetic batch for a number of steps and
// prints one JSON line with the throughput and the process's peak memory.
// torch_train.py is its PyTorch twin (same models, data, optimizer, loop);
// run.sh runs both, interleaved, and report.py turns the lines into a table.
//
//   compare_ember --model cnn1 --batch 32 --steps 30 --warmup 5 --threads 2
//   compare_ember --model cnn1 --batch 32 --profile 1    # train::profile's table instead
//
// The step is fit()'s (train::train_step): forward, cross-entropy, zero_grad,
// backward, Adam step, loss.item(). It is written out here rather than
// called so that this file still builds against commits from before train/
// existed (see the thread-pool note below). Warm-up steps (first-touch of
// buffers, the allocator's cache filling, OpenBLAS's thread start) are
// excluded from the timing.
#include <cblas.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "autograd/ops.hpp"
#include "nn/activation.hpp"
#include "nn/conv.hpp"
#include "nn/linear.hpp"
#include "nn/pool.hpp"
#include "nn/shape_layers.hpp"
#include "nn/zoo.hpp"
#include "optim/adam.hpp"
#include "tensor/random.hpp"
// The harness builds against older commits too, for the before/after table
// in bench/README.md: the runtime headers live in tensor/runtime/ from issue
// 18 on, in tensor/ before; ember's thread pool exists from commit 7661b46 on
// (before it, OpenBLAS's threads were ember's only threads).
#if __has_include("tensor/runtime/parallel.hpp")
#include "tensor/runtime/allocator.hpp"
#include "tensor/runtime/blas_info.hpp"
#include "tensor/runtime/parallel.hpp"
#define EMBER_HAS_POOL 1
#else
#include "tensor/allocator.hpp"
#include "tensor/blas_info.hpp"
#if __has_include("tensor/parallel.hpp")
#include "tensor/parallel.hpp"
#define EMBER_HAS_POOL 1
#endif
#endif
// The profiler is train::profile from issue 18 on, nn::profile before it.
#if __has_include("train/profile.hpp")
#include "train/profile.hpp"
namespace profiler = ember::train;
#else
#include "nn/profile.hpp"
namespace profiler = ember::nn;
#endif

using namespace ember;

namespace {

struct ModelSpec {
  std::shared_ptr<nn::Sequential> model;
  Shape sample;  // one input's shape
  int64_t classes;
};

// TensorFlow's CIFAR-10 tutorial CNN, experiment 003's baseline (122,570
// parameters); the zoo only has the experiment's own models 3-7.
std::shared_ptr<nn::Sequential> cifar_baseline() {
  const auto relu = nn::Activation::ReLU;
  auto m = std::make_shared<nn::Sequential>();
  m->add(std::make_shared<nn::Conv2d>(3, 32, 3, nn::Padding::valid(), relu));
  m->add(std::make_shared<nn::MaxPool2d>(2));
  m->add(std::make_shared<nn::Conv2d>(32, 64, 3, nn::Padding::valid(), relu));
  m->add(std::make_shared<nn::MaxPool2d>(2));
  m->add(std::make_shared<nn::Conv2d>(64, 64, 3, nn::Padding::valid(), relu));
  m->add(std::make_shared<nn::Flatten>());
  m->add(std::make_shared<nn::Linear>(1024, 64, relu));
  m->add(std::make_shared<nn::Linear>(64, 10));
  return m;
}

ModelSpec make_model(const std::string& name) {
  if (name == "cnn1") return {nn::zoo::cnn_4conv(5), {1, 28, 28}, 5};
  if (name == "lenet5") return {nn::zoo::lenet5(5), {1, 28, 28}, 5};
  if (name == "cm1") return {nn::zoo::cnn_2conv(5), {1, 28, 28}, 5};
  if (name == "mnist1") return {nn::zoo::cnn_2conv_bn(7), {1, 28, 28}, 10};
  if (name == "cifar") return {cifar_baseline(), {3, 32, 32}, 10};
  throw ValueError("compare_ember: unknown model '" + name +
                   "' (expected cnn1, lenet5, cm1, mnist1 or cifar)");
}

// The same numbers torch_train.py makes: pixel-like values and cycling labels.
std::pair<Tensor, Tensor> synthetic_batch(int64_t batch, const Shape& sample, int64_t classes) {
  Shape shape{batch};
  shape.insert(shape.end(), sample.begin(), sample.end());
  Tensor x = Tensor::empty(shape);
  float* px = x.data();
  for (int64_t i = 0; i < x.numel(); ++i) px[i] = static_cast<float>((i * 7919) % 256) / 255.0f;
  Tensor y = Tensor::empty({batch});
  for (int64_t j = 0; j < batch; ++j) y.data()[j] = static_cast<float>(j % classes);
  return {x, y};
}

double current_rss_mb() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind("VmRSS:", 0) == 0) return std::atof(line.c_str() + 6) / 1024.0;
  return 0.0;
}

// The 1-minute load average when the run ends: on a shared host, runs made
// under load are not comparable (report.py shows it per model).
double load_average() {
  std::ifstream f("/proc/loadavg");
  double load = 0.0;
  f >> load;
  return load;
}

double peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;  // Linux: kilobytes
}

std::map<std::string, std::string> parse_args(int argc, char** argv) {
  std::map<std::string, std::string> args{{"model", "cnn1"}, {"batch", "32"},  {"steps", "30"},
                                          {"warmup", "5"},   {"threads", "2"}, {"info", "0"},
                                          {"profile", "0"}};
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string key = argv[i];
    EMBER_CHECK(
        key.rfind("--", 0) == 0 && args.count(key.substr(2)), ValueError,
        "compare_ember: unknown option '", key,
        "' (expected --model, --batch, --steps, --warmup, --threads, --info 1, --profile 1)");
    args[key.substr(2)] = argv[i + 1];
  }
  return args;
}

int run(int argc, char** argv) {
  auto args = parse_args(argc, argv);
  const int64_t batch = std::stoll(args["batch"]), steps = std::stoll(args["steps"]),
                warmup = std::stoll(args["warmup"]);
  const int threads = std::stoi(args["threads"]);
  EMBER_CHECK(batch > 0 && steps > 0 && warmup >= 0 && threads > 0, ValueError,
              "compare_ember: need --batch, --steps, --threads > 0 and --warmup >= 0, got ", batch,
              ", ", steps, ", ", threads, ", ", warmup);
#ifdef EMBER_HAS_POOL
  set_num_threads(threads);  // the pool sets OpenBLAS to one thread; do not touch it after
#else
  openblas_set_num_threads(threads);
#endif
  if (args["info"] != "0") {  // what run.sh prints in its header
    const BlasInfo blas = blas_info();
    std::cout << blas.summary() << (blas.warning.empty() ? "" : "\n" + blas.warning) << "\n";
    return 0;
  }

  manual_seed(1337);
  ModelSpec spec = make_model(args["model"]);
  auto [x, y] = synthetic_batch(batch, spec.sample, spec.classes);
  optim::Adam optimizer(spec.model->parameters());
  if (args["profile"] != "0") {
    Shape shape{batch};
    shape.insert(shape.end(), spec.sample.begin(), spec.sample.end());
    profiler::profile(*spec.model, shape, steps, {.warmup = warmup, .optimizer = &optimizer});
    return 0;
  }
  spec.model->train();
  const double rss_setup = current_rss_mb();

  using Clock = std::chrono::steady_clock;
  std::vector<double> step_ms;
  AllocatorStats before{};
  Clock::time_point start{};
  float last_loss = 0.0f;
  for (int64_t s = 0; s < warmup + steps; ++s) {
    if (s == warmup) before = allocator::stats(), start = Clock::now();
    const Clock::time_point t0 = Clock::now();
    Tensor loss = cross_entropy(spec.model->forward(x), y);
    optimizer.zero_grad();
    loss.backward();
    optimizer.step();
    last_loss = loss.item();
    if (s >= warmup)
      step_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  const AllocatorStats after = allocator::stats();
  std::sort(step_ms.begin(), step_ms.end());

  const BlasInfo blas = blas_info();
  std::printf(
      "{\"side\": \"ember\", \"model\": \"%s\", \"batch\": %lld, \"threads\": %d, \"steps\": %lld, "
      "\"images_per_s\": %.2f, \"step_ms_median\": %.3f, \"rss_setup_mb\": %.1f, "
      "\"peak_rss_mb\": %.1f, \"mallocs_per_step\": %.2f, \"loss\": %.4f, \"corename\": \"%s\", "
      "\"openblas_threads\": %d, \"load\": %.2f}\n",
      args["model"].c_str(), static_cast<long long>(batch), threads, static_cast<long long>(steps),
      static_cast<double>(batch * steps) / seconds, step_ms[step_ms.size() / 2], rss_setup,
      peak_rss_mb(),
      static_cast<double>(after.malloc_calls - before.malloc_calls) / static_cast<double>(steps),
      static_cast<double>(last_loss), blas.corename.c_str(), blas.threads, load_average());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "compare_ember: " << e.what() << "\n";
    return 1;
  }
}
