// shapes.hpp — the convolution layers of the tutorials, shared by the GEMM and
// conv benchmarks, and the GFLOP/s counter they all report.
#pragma once

#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <vector>

namespace ember::bench {

// One 'same' or 'valid' square convolution at the batch size its tutorial trains with.
struct ConvLayer {
  const char* name;
  int64_t batch, in_channels, height, width, out_channels, kernel, pad;
  bool max_pool_after;  // a 2x2 max pooling follows in the model
  int64_t out_h() const { return height + 2 * pad - kernel + 1; }
  int64_t out_w() const { return width + 2 * pad - kernel + 1; }
  int64_t pixels() const { return out_h() * out_w(); }                   // GEMM N per image
  std::vector<int64_t> output() const { return {batch, out_channels, out_h(), out_w()}; }
  int64_t patch() const { return in_channels * kernel * kernel; }        // GEMM K
  double flops(int64_t n) const {  // one multiply-add = 2 FLOP
    return 2.0 * static_cast<double>(n * out_channels * pixels() * patch());
  }
};

// Every convolution of the five compared models: experiment 004's CNN model 1
// (Fashion-MNIST, batch 32), LeNet-5 (004, batch 64), the CIFAR-10 baseline
// (003, batch 32), experiment 001's model 1 (batch 100) and experiment 002's
// CM1 (batch 500); the models are in nn/zoo.hpp.
inline const std::vector<ConvLayer>& tutorial_conv_layers() {
  static const std::vector<ConvLayer> layers = {
      {"cnn1_conv5x5_1to32_28", 32, 1, 28, 28, 32, 5, 2, false},
      {"cnn1_conv5x5_32to32_28", 32, 32, 28, 28, 32, 5, 2, true},
      {"cnn1_conv3x3_32to64_14", 32, 32, 14, 14, 64, 3, 1, false},
      {"cnn1_conv3x3_64to64_14", 32, 64, 14, 14, 64, 3, 1, true},
      {"lenet_conv5x5_1to6_28", 64, 1, 28, 28, 6, 5, 2, false},
      {"lenet_conv5x5_6to16_27", 64, 6, 27, 27, 16, 5, 0, false},
      {"cifar_conv3x3_3to32_32", 32, 3, 32, 32, 32, 3, 0, true},
      {"cifar_conv3x3_32to64_15", 32, 32, 15, 15, 64, 3, 0, true},
      {"cifar_conv3x3_64to64_6", 32, 64, 6, 6, 64, 3, 0, false},
      {"mnist1_conv7x7_1to64_28", 100, 1, 28, 28, 64, 7, 0, false},
      {"mnist1_conv7x7_64to32_22", 100, 64, 22, 22, 32, 7, 0, true},
      {"cm1_conv3x3_1to32_28", 500, 1, 28, 28, 32, 3, 1, true},
      {"cm1_conv3x3_32to32_14", 500, 32, 14, 14, 32, 3, 0, false},
  };
  return layers;
}

// Reports FLOP/s (shown as e.g. "123.4G/s") from the work of one iteration.
inline void report_flops(benchmark::State& state, double flops_per_iteration) {
  state.counters["FLOP/s"] =
      benchmark::Counter(flops_per_iteration, benchmark::Counter::kIsIterationInvariantRate);
}

}  // namespace ember::bench
