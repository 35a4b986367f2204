// bench_layers.cpp — forward and backward of every layer of the five models
// bench/compare_pytorch trains, at their shapes and batch sizes: Conv2d,
// Linear, MaxPool2d, AvgPool2d, BatchNorm, Dropout, activations,
// softmax + cross-entropy, and an LSTM step.
//
// layer_forward/<model>/<layer> runs the nn module's forward in training
// mode on an input that requires grad (as inside a network), so the graph
// is recorded as it is in training. layer_backward/<model>/<layer> builds
// that graph once and runs backward through it every iteration
// (retain_graph), dropping the gradients in between so each iteration
// starts from none, like a training step after zero_grad().
// Counters: FLOP/s for the layers with GEMMs (train::layer_forward_flops; the
// backward does twice the forward's FLOPs, once when the input needs no
// gradient), elements/s of the input for the others.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "../ember.hpp"
#include "../train/profile.hpp"
#include "shapes.hpp"

using namespace ember;

namespace {

struct LayerCase {
  std::string name;  // "<model>_b<batch>/<layer>"
  std::function<std::shared_ptr<nn::Module>()> make;
  Shape input;
  bool input_grad = true;  // false for a network's first layer: no input gradient
};

constexpr auto kRelu = nn::Activation::ReLU;
constexpr auto kTanh = nn::Activation::Tanh;

template <class M, class... Args>
std::function<std::shared_ptr<nn::Module>()> make(Args... args) {
  return [=] { return std::make_shared<M>(args...); };
}

auto conv(int64_t in, int64_t out, int64_t k, nn::Padding pad, nn::Activation act) {
  return make<nn::Conv2d>(in, out, nn::Size2(k), pad, act);
}
auto dense(int64_t in, int64_t out, nn::Activation act = nn::Activation::None) {
  return make<nn::Linear>(in, out, act);
}
auto max_pool(int64_t k) { return make<nn::MaxPool2d>(nn::Size2(k)); }

const nn::Padding kSame = nn::Padding::same(), kValid = nn::Padding::valid();

// The layers of the five models, in model order, with the input each one sees.
std::vector<LayerCase> tutorial_layers() {
  std::vector<LayerCase> c;
  // Experiment 004, CNN model 1, batch 32 and 128.
  for (int64_t n : {32, 128}) {
    const std::string m = "cnn1_b" + std::to_string(n) + "/";
    c.push_back({m + "conv5x5_1to32", conv(1, 32, 5, kSame, kRelu), {n, 1, 28, 28}, false});
    c.push_back({m + "conv5x5_32to32", conv(32, 32, 5, kSame, kRelu), {n, 32, 28, 28}});
    c.push_back({m + "relu_32x28x28", make<nn::ReLU>(), {n, 32, 28, 28}});
    c.push_back({m + "maxpool2_32x28x28", max_pool(2), {n, 32, 28, 28}});
    c.push_back({m + "dropout0.25_32x14x14", make<nn::Dropout>(0.25f), {n, 32, 14, 14}});
    c.push_back({m + "conv3x3_32to64", conv(32, 64, 3, kSame, kRelu), {n, 32, 14, 14}});
    c.push_back({m + "conv3x3_64to64", conv(64, 64, 3, kSame, kRelu), {n, 64, 14, 14}});
    c.push_back({m + "maxpool2_64x14x14", max_pool(2), {n, 64, 14, 14}});
    c.push_back({m + "dense3136to256", dense(3136, 256, kRelu), {n, 3136}});
    c.push_back({m + "dense256to5", dense(256, 5), {n, 256}});
  }
  // Experiment 004, LeNet-5, batch 64 (tanh; AvgPool 2 with stride 1, then 2).
  c.push_back({"lenet5_b64/conv5x5_1to6", conv(1, 6, 5, kSame, kTanh), {64, 1, 28, 28}, false});
  c.push_back({"lenet5_b64/tanh_6x28x28", make<nn::Tanh>(), {64, 6, 28, 28}});
  c.push_back(
      {"lenet5_b64/avgpool2s1", make<nn::AvgPool2d>(nn::Size2(2), nn::Size2(1)), {64, 6, 28, 28}});
  c.push_back({"lenet5_b64/conv5x5_6to16", conv(6, 16, 5, kValid, kTanh), {64, 6, 27, 27}});
  c.push_back({"lenet5_b64/avgpool2", make<nn::AvgPool2d>(nn::Size2(2)), {64, 16, 23, 23}});
  c.push_back({"lenet5_b64/dense1936to120", dense(1936, 120, kTanh), {64, 1936}});
  c.push_back({"lenet5_b64/dense120to84", dense(120, 84, kTanh), {64, 120}});
  // Experiment 002, CM1, batch 500.
  c.push_back({"cm1_b500/conv3x3_1to32", conv(1, 32, 3, kSame, kRelu), {500, 1, 28, 28}, false});
  c.push_back({"cm1_b500/maxpool2_32x28x28", max_pool(2), {500, 32, 28, 28}});
  c.push_back({"cm1_b500/conv3x3_32to32", conv(32, 32, 3, kValid, kRelu), {500, 32, 14, 14}});
  c.push_back({"cm1_b500/dense4608to256", dense(4608, 256, kRelu), {500, 4608}});
  // Experiment 001, model 1 (k = 7), batch 100.
  c.push_back(
      {"mnist1_b100/conv7x7_1to64", conv(1, 64, 7, kValid, kRelu), {100, 1, 28, 28}, false});
  c.push_back({"mnist1_b100/conv7x7_64to32", conv(64, 32, 7, kValid, kRelu), {100, 64, 22, 22}});
  c.push_back({"mnist1_b100/maxpool2_32x16x16", max_pool(2), {100, 32, 16, 16}});
  c.push_back({"mnist1_b100/batchnorm2d_32x8x8",
               make<nn::BatchNorm2d>(int64_t{32}, nn::BatchNormOptions::keras()),
               {100, 32, 8, 8}});
  c.push_back({"mnist1_b100/dropout0.3_32x8x8", make<nn::Dropout>(0.3f), {100, 32, 8, 8}});
  c.push_back({"mnist1_b100/dense2048to128", dense(2048, 128, kRelu), {100, 2048}});
  c.push_back({"mnist1_b100/batchnorm1d_128",
               make<nn::BatchNorm1d>(int64_t{128}, nn::BatchNormOptions::keras()),
               {100, 128}});
  // Experiment 003, the CIFAR-10 baseline, batch 32.
  c.push_back({"cifar_b32/conv3x3_3to32", conv(3, 32, 3, kValid, kRelu), {32, 3, 32, 32}, false});
  c.push_back({"cifar_b32/maxpool2_32x30x30", max_pool(2), {32, 32, 30, 30}});
  c.push_back({"cifar_b32/conv3x3_32to64", conv(32, 64, 3, kValid, kRelu), {32, 32, 15, 15}});
  c.push_back({"cifar_b32/conv3x3_64to64", conv(64, 64, 3, kValid, kRelu), {32, 64, 6, 6}});
  c.push_back({"cifar_b32/dense1024to64", dense(1024, 64, kRelu), {32, 1024}});
  // Experiment 002's LSTM(128) at batch 500: one step, and the 28 steps over image rows.
  c.push_back({"lstm_b500/lstm128_1step",
               make<nn::LSTM>(int64_t{128}, int64_t{128}, false),
               {500, 1, 128}});
  c.push_back({"lstm_b500/lstm128_28steps",
               make<nn::LSTM>(int64_t{128}, int64_t{128}, false),
               {500, 28, 128}});
  return c;
}

struct Prepared {
  std::shared_ptr<nn::Module> layer;
  Tensor x;
  double flops = 0.0;  // forward; 0: no formula
};

Prepared prepare(const LayerCase& c) {
  Prepared p{c.make(), Tensor::rand(c.input)};
  p.layer->train();
  if (c.input_grad) p.x.requires_grad_();
  if (auto f = train::layer_forward_flops(*p.layer, c.input, p.layer->output_shape(c.input)))
    p.flops = *f;
  return p;
}

void report(benchmark::State& state, double flops, int64_t elements) {
  if (flops > 0)
    bench::report_flops(state, flops);
  else
    state.counters["elements/s"] = benchmark::Counter(
        static_cast<double>(elements), benchmark::Counter::kIsIterationInvariantRate);
}

void layer_forward(benchmark::State& state, const LayerCase& c) {
  Prepared p = prepare(c);
  for (auto _ : state) benchmark::DoNotOptimize(p.layer->forward(p.x).data());
  report(state, p.flops, p.x.numel());
}

void layer_backward(benchmark::State& state, const LayerCase& c) {
  Prepared p = prepare(c);
  Tensor y = p.layer->forward(p.x);
  const Tensor g = Tensor::randn(y.shape());
  for (auto _ : state) {
    autograd::backward({y}, {g}, /*retain_graph=*/true);
    p.layer->zero_grad();
    p.x.zero_grad();
  }
  report(state, p.flops * (c.input_grad ? 2.0 : 1.0), p.x.numel());
}

// Softmax + cross-entropy on logits [N, classes] with class-index labels.
void cross_entropy_forward(benchmark::State& state, int64_t n, int64_t classes) {
  Tensor logits = Tensor::randn({n, classes}).requires_grad_();
  Tensor labels = Tensor::empty({n});
  for (int64_t i = 0; i < n; ++i) labels.data()[i] = static_cast<float>(i % classes);
  for (auto _ : state) benchmark::DoNotOptimize(cross_entropy(logits, labels).data());
  state.counters["elements/s"] = benchmark::Counter(static_cast<double>(n * classes),
                                                    benchmark::Counter::kIsIterationInvariantRate);
}

void cross_entropy_backward(benchmark::State& state, int64_t n, int64_t classes) {
  Tensor logits = Tensor::randn({n, classes}).requires_grad_();
  Tensor labels = Tensor::empty({n});
  for (int64_t i = 0; i < n; ++i) labels.data()[i] = static_cast<float>(i % classes);
  Tensor loss = cross_entropy(logits, labels);
  for (auto _ : state) {
    autograd::backward({loss}, {}, /*retain_graph=*/true);
    logits.zero_grad();
  }
  state.counters["elements/s"] = benchmark::Counter(static_cast<double>(n * classes),
                                                    benchmark::Counter::kIsIterationInvariantRate);
}

const bool registered = [] {
  static const std::vector<LayerCase> cases = tutorial_layers();
  for (const LayerCase& c : cases) {
    benchmark::RegisterBenchmark(("layer_forward/" + c.name).c_str(), layer_forward, c)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
    benchmark::RegisterBenchmark(("layer_backward/" + c.name).c_str(), layer_backward, c)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
  }
  const struct {
    const char* model;
    int64_t n, classes;
  } losses[] = {{"cnn1_b32", 32, 5},
                {"lenet5_b64", 64, 5},
                {"cm1_b500", 500, 5},
                {"mnist1_b100", 100, 10},
                {"cifar_b32", 32, 10}};
  for (const auto& l : losses) {
    const std::string suffix = std::string(l.model) + "/cross_entropy";
    benchmark::RegisterBenchmark(("layer_forward/" + suffix).c_str(), cross_entropy_forward, l.n,
                                 l.classes)
        ->Unit(benchmark::kMicrosecond)
        ->UseRealTime();
    benchmark::RegisterBenchmark(("layer_backward/" + suffix).c_str(), cross_entropy_backward, l.n,
                                 l.classes)
        ->Unit(benchmark::kMicrosecond)
        ->UseRealTime();
  }
  return true;
}();

}  // namespace
