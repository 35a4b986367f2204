// bench.cpp — chapter 6's kernels under Google Benchmark: every kernel of
// conv::kernels() on the layer, beside one SGEMM of the GEMM shape each image
// makes, all reporting FLOP/s. Google Benchmark picks the number of
// iterations, and repeats and takes medians when asked:
//
//   build/tutorials/06-convolution/06-convolution-bench
//   build/tutorials/06-convolution/06-convolution-bench --benchmark_repetitions=5
//       --benchmark_report_aggregates_only=true          # (one line) median, mean, stddev of 5
//   build/tutorials/06-convolution/06-convolution-bench --benchmark_filter='sgemm|reordered'
//
// Before any timing, every kernel is checked against the naive loops on the
// layer: a wrong kernel is refused, not timed. It runs on one thread
// (EMBER_NUM_THREADS=2 in the environment to let ember's kernels split the batch).
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdlib>
#include <iostream>

#include "conv_kernels.hpp"
#include "ember.hpp"

using ember::Tensor;

namespace {

// The layer's tensors, made once: every benchmark reads the same numbers.
struct Data {
  conv::Layer layer;
  Tensor input, weight, bias;
  Data() {
    ember::manual_seed(1337);
    input = Tensor::randn(layer.input());
    weight = Tensor::normal(layer.weight(), 0.0f,
                            std::sqrt(2.0f / static_cast<float>(layer.gemm_k())));
    bias = Tensor::normal({layer.out_channels}, 0.0f, 0.1f);
  }
};

const Data& data() {
  static const Data d;
  return d;
}

void report_flops(benchmark::State& state, double flops_per_iteration) {
  state.counters["FLOP/s"] =
      benchmark::Counter(flops_per_iteration, benchmark::Counter::kIsIterationInvariantRate);
}

// One product of the shape each image makes: weight [M, K] x columns [K, N].
void sgemm(benchmark::State& state) {
  const conv::Layer& l = data().layer;
  const int64_t m = l.gemm_m(), k = l.gemm_k(), n = l.gemm_n();
  const Tensor a = Tensor::randn({m, k}), b = Tensor::randn({k, n}), c = Tensor::empty({m, n});
  for (auto _ : state) {
    ember::kernels::sgemm(false, false, m, n, k, 1.0f, a.data(), k, b.data(), n, 0.0f, c.data(), n);
    benchmark::ClobberMemory();
  }
  report_flops(state, l.flops() / static_cast<double>(l.batch));
}

// One forward of the layer by one kernel.
void convolution(benchmark::State& state, const conv::Kernel& kernel) {
  const Data& d = data();
  for (auto _ : state)
    benchmark::DoNotOptimize(kernel.run(d.input, d.weight, d.bias, d.layer.pad).data());
  report_flops(state, d.layer.flops());
}

// Every kernel against the first (the naive loops); false if one differs.
bool kernels_agree() {
  const Data& d = data();
  const auto& kernels = conv::kernels();
  const Tensor naive = kernels[0].run(d.input, d.weight, d.bias, d.layer.pad);
  bool all = true;
  for (const conv::Kernel& kernel : kernels) {
    const float diff =
        (kernel.run(d.input, d.weight, d.bias, d.layer.pad) - naive).abs().max().item();
    if (diff >= 1e-4f) {
      std::cerr << kernel.name << ": max |out - naive| = " << diff << ", not benchmarked\n";
      all = false;
    }
  }
  return all;
}

}  // namespace

int main(int argc, char** argv) {
  ember::set_num_threads(std::getenv("EMBER_NUM_THREADS") ? ember::get_num_threads() : 1);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  if (!kernels_agree()) return 1;
  benchmark::AddCustomContext("ember_threads", std::to_string(ember::get_num_threads()));
  benchmark::AddCustomContext("layer", ember::shape_str(data().layer.input()) + " conv " +
                                           ember::shape_str(data().layer.weight()));
  benchmark::RegisterBenchmark("sgemm", sgemm)->Unit(benchmark::kMillisecond);
  for (const conv::Kernel& kernel : conv::kernels())
    benchmark::RegisterBenchmark(kernel.name.c_str(), convolution, kernel)
        ->Unit(benchmark::kMillisecond);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
