// bench_conv.cpp — conv2d forward and both backward products at the
// tutorials' layer shapes: the fast path (the direct kernels where they
// apply, tensor/conv_direct.hpp), im2col + OpenBLAS, and the direct-loop
// reference, plus the lowering (im2col) alone and the 2x2 max pooling that
// follows some of them.
//
// The fast path runs at each tutorial's batch size; the reference runs one
// image (it is ~100x slower), which leaves GFLOP/s comparable.
#include <string>
#include <vector>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include <cblas.h>

#include <chrono>

#include "../ember.hpp"
#include "shapes.hpp"
#include "tensor/conv_direct.hpp"
#include "tensor/runtime/parallel.hpp"

namespace k = ember::kernels;
using ember::Tensor;
using ember::bench::ConvLayer;

namespace {

k::Conv2dGeometry geometry(const ConvLayer& l) { return {.pad_h = l.pad, .pad_w = l.pad}; }

Tensor input_of(const ConvLayer& l, int64_t batch) {
  return Tensor::randn({batch, l.in_channels, l.height, l.width});
}
Tensor weight_of(const ConvLayer& l) {
  return Tensor::randn({l.out_channels, l.in_channels, l.kernel, l.kernel});
}

void conv_forward(benchmark::State& state, const ConvLayer& l) {
  Tensor x = input_of(l, l.batch), w = weight_of(l), b = Tensor::randn({l.out_channels});
  for (auto _ : state) benchmark::DoNotOptimize(k::conv2d(x, w, b, geometry(l)).data());
  ember::bench::report_flops(state, l.flops(l.batch));
}

// The same with the direct kernels off: im2col + OpenBLAS per image.
void conv_forward_im2col(benchmark::State& state, const ConvLayer& l) {
  const bool before = k::direct_conv_enabled();
  k::set_direct_conv(false);
  conv_forward(state, l);
  k::set_direct_conv(before);
}

void conv_forward_reference(benchmark::State& state, const ConvLayer& l) {
  Tensor x = input_of(l, 1), w = weight_of(l), b = Tensor::randn({l.out_channels});
  for (auto _ : state) benchmark::DoNotOptimize(k::conv2d_reference(x, w, b, geometry(l)).data());
  ember::bench::report_flops(state, l.flops(1));
}

void conv_backward_input(benchmark::State& state, const ConvLayer& l) {
  Tensor w = weight_of(l);
  Tensor dy = Tensor::randn(l.output());
  ember::Shape in{l.batch, l.in_channels, l.height, l.width};
  for (auto _ : state)
    benchmark::DoNotOptimize(k::conv2d_backward_input(dy, w, in, geometry(l)).data());
  ember::bench::report_flops(state, l.flops(l.batch));
}

void conv_backward_weight(benchmark::State& state, const ConvLayer& l) {
  Tensor x = input_of(l, l.batch);
  Tensor dy = Tensor::randn(l.output());
  ember::Shape ws{l.out_channels, l.in_channels, l.kernel, l.kernel};
  for (auto _ : state)
    benchmark::DoNotOptimize(k::conv2d_backward_weight(dy, x, ws, geometry(l)).data());
  ember::bench::report_flops(state, l.flops(l.batch));
}

// In a training step a layer's input and output are not in cache: the
// layers between two visits of one layer move tens of megabytes. The _cold
// variants write a 64 MB buffer (untimed) before every iteration, so the
// forward pays for its memory traffic as in the step;
// sgemm_openblas_batch_cold is OpenBLAS under the same conditions, the way
// an im2col layer calls it:
// one single-threaded product per image on the pool, each into its own
// slice of a batch-sized output, its columns already lowered (hot, not
// counted). The first layers (1 or 3 input channels: K = 9..49) write as
// many bytes as they do FLOPs / 10..50, and there the cold reference runs
// at 50-65% of the hot one (bench/README.md).
void evict_caches() {
  static std::vector<float> junk(16 << 20);
  for (size_t i = 0; i < junk.size(); i += 16) junk[i] += 1.0f;
  benchmark::ClobberMemory();
}

void conv_forward_cold(benchmark::State& state, const ConvLayer& l) {
  Tensor x = input_of(l, l.batch), w = weight_of(l), b = Tensor::randn({l.out_channels});
  for (auto _ : state) {
    state.PauseTiming();
    evict_caches();
    state.ResumeTiming();
    benchmark::DoNotOptimize(k::conv2d(x, w, b, geometry(l)).data());
  }
  ember::bench::report_flops(state, l.flops(l.batch));
}

void sgemm_batch_cold(benchmark::State& state, const ConvLayer& l) {
  const int64_t o = l.out_channels, p = l.pixels(), kk = l.patch();
  const int64_t chunks = ember::detail::chunk_count(l.batch, 1);
  std::vector<float> a(static_cast<size_t>(o * kk), 0.5f);
  std::vector<float> cols(static_cast<size_t>(chunks * kk * p), 0.25f);
  Tensor out = Tensor::empty({l.batch, o, p});
  for (auto _ : state) {
    state.PauseTiming();
    evict_caches();
    state.ResumeTiming();
    ember::detail::parallel_for(l.batch, 1, [&](int64_t first, int64_t last, int64_t chunk) {
      for (int64_t n = first; n < last; ++n)
        k::sgemm(false, false, o, p, kk, 1.0f, a.data(), kk, cols.data() + chunk * kk * p, p,
                 0.0f, out.data() + n * o * p, p);
    });
    benchmark::ClobberMemory();
  }
  ember::bench::report_flops(state, l.flops(l.batch));
}

// One image's forward in the direct kernels against OpenBLAS at the same
// GEMM shape ([O, K] x [K, P]), under the conditions of the profiler's
// "SGEMM GF/s" column: one thread, the same buffers every time, so the
// output (P * O floats) stays in L2. The two are timed alternately, so a
// busy host slows both alike; the benchmark's time is the direct
// forward's (padding copy included), the counters both rates and their
// ratio. It separates what the kernels leave on the table from what the
// memory system takes inside a training step (conv2d_forward_cold).
void conv_forward_image_vs_sgemm(benchmark::State& state, const ConvLayer& l) {
  namespace direct = k::direct;
  ember::get_num_threads();  // starts ember's pool, which puts OpenBLAS on one thread
  const int64_t o = l.out_channels, kk = l.patch(), p = l.pixels();
  direct::Plan plan{l.in_channels, l.height, l.width, l.kernel,     l.kernel,
                    l.out_h(),     l.out_w(), geometry(l)};
  plan.column_passes = direct::column_passes_pay(plan, o);
  if (!k::avx2_fma_supported() || !direct::panels_fit(o))
    return state.SkipWithError("the direct kernels do not run this layer here");
  std::vector<int32_t> taps(static_cast<size_t>(kk)), pixels(static_cast<size_t>(p));
  direct::tap_offsets(plan, taps.data());
  direct::pixel_offsets(plan, pixels.data());
  const std::vector<direct::FlatTile> flat = direct::flat_tiles(plan, o);
  Tensor x = input_of(l, 1), w = weight_of(l), b = Tensor::randn({o});
  Tensor panels = Tensor::empty({direct::panel_rows(o), kk});
  direct::pack_weight(plan, w.data(), o, panels.data());
  Tensor scratch = Tensor::empty({plan.padded_size()});
  Tensor stage = Tensor::empty({direct::panel_rows(o) * p}), y = Tensor::empty({o, p});
  Tensor cols = Tensor::randn({kk, p}), c = Tensor::empty({o, p});
  using Clock = std::chrono::steady_clock;
  double direct_s = 0.0, sgemm_s = 0.0;
  bool border_zeroed = false;  // after the first image, as conv2d pads a chunk's images
  for (auto _ : state) {
    const Clock::time_point t0 = Clock::now();
    const float* padded = direct::pad_image(plan, x.data(), scratch.data(), border_zeroed);
    border_zeroed = true;
    direct::forward(plan, padded, taps.data(), pixels.data(),
                    flat.empty() ? nullptr : flat.data(), panels.data(), b.data(), o, false,
                    false, stage.data(), y.data());
    benchmark::ClobberMemory();
    const Clock::time_point t1 = Clock::now();
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(o),
                static_cast<int>(p), static_cast<int>(kk), 1.0f, w.data(), static_cast<int>(kk),
                cols.data(), static_cast<int>(p), 0.0f, c.data(), static_cast<int>(p));
    benchmark::ClobberMemory();
    const Clock::time_point t2 = Clock::now();
    const double d = std::chrono::duration<double>(t1 - t0).count();
    direct_s += d;
    sgemm_s += std::chrono::duration<double>(t2 - t1).count();
    state.SetIterationTime(d);
  }
  const double flops = l.flops(1) * static_cast<double>(state.iterations());
  state.counters["direct_GF/s"] = flops / direct_s / 1e9;
  state.counters["sgemm_GF/s"] = flops / sgemm_s / 1e9;
  state.counters["direct/sgemm"] = sgemm_s / direct_s;
}

// The lowering alone, for the whole batch: what im2col adds to the GEMMs.
void im2col_batch(benchmark::State& state, const ConvLayer& l) {
  Tensor x = input_of(l, l.batch);
  Tensor cols = Tensor::empty({l.patch(), l.pixels()});
  const int64_t image = l.in_channels * l.height * l.width;
  for (auto _ : state) {
    for (int64_t n = 0; n < l.batch; ++n)
      k::im2col(x.data() + n * image, l.in_channels, l.height, l.width, l.kernel, l.kernel,
                geometry(l), cols.data());
    benchmark::ClobberMemory();
  }
  state.counters["bytes_written/s"] =
      benchmark::Counter(4.0 * static_cast<double>(l.batch * l.patch() * l.pixels()),
                         benchmark::Counter::kIsIterationInvariantRate, benchmark::Counter::kIs1024);
}

// 2x2 stride-2 max pooling of a layer's output, forward and backward.
void max_pool_forward(benchmark::State& state, const ConvLayer& l) {
  Tensor y = Tensor::randn(l.output());
  for (auto _ : state) benchmark::DoNotOptimize(k::max_pool2d(y, {2, 2, 2, 2}).values.data());
  state.counters["elements/s"] = benchmark::Counter(static_cast<double>(y.numel()),
                                                    benchmark::Counter::kIsIterationInvariantRate);
}

void max_pool_backward(benchmark::State& state, const ConvLayer& l) {
  Tensor y = Tensor::randn(l.output());
  ember::ValuesIndices r = k::max_pool2d(y, {2, 2, 2, 2});
  for (auto _ : state)
    benchmark::DoNotOptimize(k::max_pool2d_backward(r.values, r.indices, y.shape()).data());
  state.counters["elements/s"] = benchmark::Counter(static_cast<double>(y.numel()),
                                                    benchmark::Counter::kIsIterationInvariantRate);
}

// Why the kernels write one group of channels at a time: 48 MB written as
// `streams` interleaved sequential streams (128 bytes to each in turn), the
// way a convolution writes its output planes, one thread, caches evicted
// first. On a Zen 4 (medians of 5): 14.6 GB/s with 1 stream, 9.4 with 12,
// 6.3 with 32, 4.9 with 64.
void store_streams(benchmark::State& state) {
  const int64_t streams = state.range(0), total = int64_t{12} << 20;  // floats
  const int64_t plane = total / streams / 32 * 32;
  std::vector<float> out(static_cast<size_t>(total));
  for (auto _ : state) {
    state.PauseTiming();
    evict_caches();
    state.ResumeTiming();
    float* base = out.data();
    for (int64_t i = 0; i < plane; i += 32)
      for (int64_t s = 0; s < streams; ++s) {
        float* dst = base + s * plane + i;
        for (int l = 0; l < 32; ++l) dst[l] = 1.0f;
      }
    benchmark::ClobberMemory();
  }
  state.counters["bytes_written/s"] = benchmark::Counter(
      4.0 * static_cast<double>(plane * streams), benchmark::Counter::kIsIterationInvariantRate,
      benchmark::Counter::kIs1024);
}
BENCHMARK(store_streams)->Arg(1)->Arg(6)->Arg(12)->Arg(16)->Arg(24)->Arg(32)->Arg(64)
    ->Unit(benchmark::kMillisecond)->UseRealTime();

#if defined(__x86_64__)
// The machine's ceilings behind the GFLOP/s and GB/s figures, per thread
// and summed over 1 and 2 threads (Google Benchmark's ->Threads):
// fma_peak runs 12 independent chains of 512-bit FMAs, what no kernel can
// beat; store_bandwidth writes 64 MB per thread, twice the L3 of the
// machines measured, with ordinary (arg 0) or non-temporal (arg 1) 512-bit
// stores: what bounds a layer whose output leaves the cache
// (conv_direct.hpp: streams). Zen 4 under KVM, three runs of medians of 3:
// 109-116 GFLOP/s on one core, 225-230 on two; 22-27 GB/s of stores from
// one core and 27-47 from two, either kind (the two cores share it).
[[gnu::target("avx512f"), gnu::noinline]] float fma_chains(int64_t iterations) {
  __m512 acc[12];
  for (int i = 0; i < 12; ++i) acc[i] = _mm512_set1_ps(0.001f * static_cast<float>(i));
  const __m512 x = _mm512_set1_ps(0.9999f), y = _mm512_set1_ps(0.0001f);
  for (int64_t it = 0; it < iterations; ++it)
#pragma GCC unroll 12
    for (int i = 0; i < 12; ++i) acc[i] = _mm512_fmadd_ps(acc[i], x, y);
  for (int i = 1; i < 12; ++i) acc[0] = _mm512_add_ps(acc[0], acc[i]);
  float lanes[16];
  _mm512_storeu_ps(lanes, acc[0]);
  return lanes[0];
}

void fma_peak(benchmark::State& state) {
  if (!__builtin_cpu_supports("avx512f")) return state.SkipWithError("needs AVX-512F");
  int64_t iterations = 1 << 22;
  for (auto _ : state) {
    // GCC finds fma_chains pure: without this the call left the loop
    benchmark::DoNotOptimize(iterations);
    benchmark::DoNotOptimize(fma_chains(iterations));
  }
  // Summed over the threads, each thread's over the run's time (kAvgThreads
  // undoes the run's iterations being counted once per thread).
  state.counters["FLOP/s"] = benchmark::Counter(
      12.0 * 32.0 * static_cast<double>(iterations),
      benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kAvgThreads);
}
BENCHMARK(fma_peak)->Threads(1)->Threads(2)->UseRealTime()->Unit(benchmark::kMillisecond);

[[gnu::target("avx512f")]] void store_64mb(float* out, int64_t n, bool streaming) {
  const __m512 v = _mm512_set1_ps(1.0f);
  if (streaming) {
    for (int64_t i = 0; i < n; i += 16) _mm512_stream_ps(out + i, v);
    _mm_sfence();
  } else {
    for (int64_t i = 0; i < n; i += 16) _mm512_store_ps(out + i, v);
  }
}

void store_bandwidth(benchmark::State& state) {
  if (!__builtin_cpu_supports("avx512f")) return state.SkipWithError("needs AVX-512F");
  const int64_t n = int64_t{16} << 20;  // floats: 64 MB
  Tensor out = Tensor::empty({n});      // ember's allocator: 64-byte aligned
  for (auto _ : state) {
    store_64mb(out.data(), n, state.range(0) == 1);
    benchmark::ClobberMemory();
  }
  state.counters["bytes_written/s"] = benchmark::Counter(
      4.0 * static_cast<double>(n),
      benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kAvgThreads);
}
BENCHMARK(store_bandwidth)->Arg(0)->Arg(1)->Threads(1)->Threads(2)->UseRealTime()
    ->Unit(benchmark::kMillisecond);
#endif

const bool registered = [] {
  using Fn = void (*)(benchmark::State&, const ConvLayer&);
  const std::pair<const char*, Fn> suites[] = {
      {"conv2d_forward/", conv_forward},
      {"conv2d_forward_im2col/", conv_forward_im2col},
      {"conv2d_forward_cold/", conv_forward_cold},
      {"sgemm_openblas_batch_cold/", sgemm_batch_cold},
      {"conv2d_forward_reference_batch1/", conv_forward_reference},
      {"conv2d_backward_input/", conv_backward_input},
      {"conv2d_backward_weight/", conv_backward_weight},
      {"im2col_batch/", im2col_batch},
      {"max_pool2d_2x2_forward/", max_pool_forward},
      {"max_pool2d_2x2_backward/", max_pool_backward},
  };
  for (const auto& [prefix, fn] : suites)
    for (const ConvLayer& l : ember::bench::tutorial_conv_layers()) {
      if ((fn == max_pool_forward || fn == max_pool_backward) && !l.max_pool_after) continue;
      benchmark::RegisterBenchmark((std::string(prefix) + l.name).c_str(), fn, l)
          ->Unit(benchmark::kMillisecond)->UseRealTime();
    }
  for (const ConvLayer& l : ember::bench::tutorial_conv_layers())
    benchmark::RegisterBenchmark(("conv2d_forward_image_vs_sgemm/" + std::string(l.name)).c_str(),
                                 conv_forward_image_vs_sgemm, l)
        ->Unit(benchmark::kMicrosecond)->UseManualTime();
  return true;
}();

}  // namespace
