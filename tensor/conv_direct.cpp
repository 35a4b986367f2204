// conv_direct.cpp — the direct convolution kernels (see conv_direct.hpp).
//
// The kernel functions carry their own target("avx2,fma") (or "avx512f"),
// so ember builds for any x86-64 and conv.cpp calls them only when
// cpu_supported() says the CPU has both (the AVX-512 ones run where
// avx512_enabled()). On other architectures cpu_supported() is false and
// conv.cpp keeps im2col + GEMM; the references stay the judges either way
// (tests/tensor/test_conv_direct.cpp runs every path against conv2d_reference).
#include "conv_direct.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <utility>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define EMBER_DIRECT_CONV_X86 1
#endif

namespace ember::kernels::direct {

namespace {
// Tap k's kernel row i, input channel c and kernel column j, in the plan's order.
struct Tap {
  int64_t i, c, j;
};
Tap tap(const Plan& plan, int64_t k) {
  if (plan.column_passes)  // k = (j * kh + i) * C + c
    return {k / plan.c % plan.kh, k % plan.c, k / (plan.c * plan.kh)};
  return {k / (plan.kw * plan.c), k / plan.kw % plan.c, k % plan.kw};  // k = (i * C + c) * kw + j
}
}  // namespace

void tap_offsets(const Plan& plan, int32_t* offsets) {
  for (int64_t k = 0; k < plan.taps(); ++k) {
    const Tap t = tap(plan, k);
    offsets[k] = static_cast<int32_t>((t.c * plan.hp() + t.i * plan.g.dilation_h) * plan.wp() +
                                      t.j * plan.g.dilation_w);
  }
}

int64_t weight_column(const Plan& plan, int64_t k) {
  const Tap t = tap(plan, k);
  return (t.c * plan.kh + t.i) * plan.kw + t.j;
}

void pixel_offsets(const Plan& plan, int32_t* offsets) {
  for (int64_t oh = 0; oh < plan.oh; ++oh)
    for (int64_t ow = 0; ow < plan.ow; ++ow)
      *offsets++ = static_cast<int32_t>(oh * plan.g.stride_h * plan.wp() + ow * plan.g.stride_w);
}

const float* pad_image(const Plan& plan, const float* image, float* scratch,
                       bool border_zeroed) {
  if (!plan.padded()) return image;
  const int64_t hp = plan.hp(), wp = plan.wp(), ph = plan.g.pad_h, pw = plan.g.pad_w;
  for (int64_t c = 0; c < plan.c; ++c) {
    float* plane = scratch + c * hp * wp;
    if (!border_zeroed) {
      std::fill(plane, plane + ph * wp, 0.0f);                       // top rows
      std::fill(plane + (ph + plan.h) * wp, plane + hp * wp, 0.0f);  // bottom rows
    }
    for (int64_t y = 0; y < plan.h; ++y) {
      float* row = plane + (y + ph) * wp;
      if (!border_zeroed) {
        std::fill(row, row + pw, 0.0f);
        std::fill(row + pw + plan.w, row + wp, 0.0f);
      }
      std::memcpy(row + pw, image + (c * plan.h + y) * plan.w,
                  static_cast<size_t>(plan.w) * sizeof(float));
    }
  }
  return scratch;
}

int64_t last_level_cache_bytes() {
  static const int64_t bytes = [] {
    int64_t largest = 0;
    for (int i = 0; i < 8; ++i) {
      std::ifstream file("/sys/devices/system/cpu/cpu0/cache/index" + std::to_string(i) +
                         "/size");
      int64_t size = 0;
      char unit = 'K';
      if (!(file >> size)) break;
      file >> unit;
      largest = std::max(largest, size << (unit == 'M' ? 20 : unit == 'G' ? 30 : 10));
    }
    return largest > 0 ? largest : int64_t{32} << 20;
  }();
  return bytes;
}

namespace {

// The row kernel's channel groups: out_channels split into ceil(O / max)
// groups as even as possible (max 6: 7 -> 4 + 3, 8 -> 4 + 4; max 12 on
// AVX-512: 32 -> 11 + 11 + 10); group g starts at channel first(g) and has
// size(g) channels.
constexpr int64_t kRowGroup = 6, kRowGroup512 = 12;
struct RowGroups {
  int64_t count, base, extra;
  explicit RowGroups(int64_t out_channels)
      : RowGroups(out_channels, avx512_enabled() ? kRowGroup512 : kRowGroup) {}
  RowGroups(int64_t out_channels, int64_t max)
      : count((out_channels + max - 1) / max),
        base(out_channels / count),
        extra(out_channels % count) {}
  int64_t size(int64_t g) const { return base + (g < extra ? 1 : 0); }
  int64_t first(int64_t g) const { return g * base + std::min(g, extra); }
};

}  // namespace

void pack_weight(const Plan& plan, const float* weight, int64_t out_channels, float* panels) {
  const int64_t k = plan.taps(), width = panel_width(out_channels);
  if (row_kernel_applies(plan, out_channels)) {
    const RowGroups groups(out_channels);
    for (int64_t g = 0; g < groups.count; ++g)
      for (int64_t t = 0; t < k; ++t) {
        const int64_t column = weight_column(plan, t);
        for (int64_t o = groups.first(g); o < groups.first(g) + groups.size(g); ++o)
          *panels++ = weight[o * k + column];
      }
    return;
  }
  for (int64_t o0 = 0; o0 < out_channels; o0 += width)
    for (int64_t t = 0; t < k; ++t) {
      const int64_t column = weight_column(plan, t);
      for (int64_t o = o0; o < o0 + width; ++o)
        *panels++ = o < out_channels ? weight[o * k + column] : 0.0f;
    }
}

namespace {

// ceil(a / b) for b > 0 and any sign of a.
int64_t ceil_div(int64_t a, int64_t b) { return a >= 0 ? (a + b - 1) / b : -(-a / b); }

// Kernel rows [lo, hi) that read real image rows (not the zero border) for
// output row oh: 0 <= oh*stride - pad + i*dilation < H.
struct Range {
  int64_t lo, hi;
};
Range kernel_rows(const Plan& plan, int64_t oh) {
  const int64_t top = plan.g.pad_h - oh * plan.g.stride_h, d = plan.g.dilation_h;
  const int64_t lo = std::clamp<int64_t>(ceil_div(top, d), 0, plan.kh);
  const int64_t hi = std::clamp<int64_t>(ceil_div(top + plan.h, d), lo, plan.kh);
  return {lo, hi};
}

// The converse: output rows [lo, hi) for which kernel row i reads real rows.
Range output_rows(const Plan& plan, int64_t i) {
  const int64_t top = plan.g.pad_h - i * plan.g.dilation_h, s = plan.g.stride_h;
  const int64_t lo = std::clamp<int64_t>(ceil_div(top, s), 0, plan.oh);
  const int64_t hi = std::clamp<int64_t>(ceil_div(top + plan.h, s), lo, plan.oh);
  return {lo, hi};
}

// The same across: output columns [lo, hi) for which kernel column j reads real columns.
Range output_columns(const Plan& plan, int64_t j) {
  const int64_t left = plan.g.pad_w - j * plan.g.dilation_w, s = plan.g.stride_w;
  const int64_t lo = std::clamp<int64_t>(ceil_div(left, s), 0, plan.ow);
  const int64_t hi = std::clamp<int64_t>(ceil_div(left + plan.w, s), lo, plan.ow);
  return {lo, hi};
}

// (output column, kernel column) pairs that read real columns: OW * kw at most.
int64_t real_column_pairs(const Plan& plan) {
  int64_t pairs = 0;
  for (int64_t j = 0; j < plan.kw; ++j) {
    const Range r = output_columns(plan, j);
    pairs += r.hi - r.lo;
  }
  return pairs;
}

}  // namespace

int64_t visited_taps(const Plan& plan) {
  int64_t rows = 0;  // (output row, kernel row) pairs visited
  for (int64_t oh = 0; oh < plan.oh; ++oh) {
    const Range r = kernel_rows(plan, oh);
    rows += r.hi - r.lo;
  }
  return rows * (plan.column_passes ? real_column_pairs(plan) : plan.ow * plan.kw);
}

bool column_passes_pay(const Plan& plan, int64_t out_channels) {
  return !row_kernel_applies(plan, out_channels) &&
         4 * real_column_pairs(plan) <= 3 * plan.ow * plan.kw;
}

std::vector<FlatTile> flat_tiles(const Plan& plan, int64_t out_channels) {
  std::vector<FlatTile> tiles;
  if (!row_kernel_applies(plan, out_channels) || !avx512_enabled()) return tiles;
  const int64_t p = plan.pixels(), src_ld = plan.g.stride_h * plan.wp();
  const int64_t row_taps = plan.c * plan.kw;
  const auto mask = [](int64_t lanes) { return static_cast<uint16_t>((1u << lanes) - 1u); };
  for (int64_t q0 = 0; q0 < p; q0 += 32) {
    FlatTile t{};
    for (int j = 0; j < 2 && q0 + 16 * j < p; ++j) {
      const int64_t q = q0 + 16 * j, r = q / plan.ow, c = q % plan.ow;
      const int64_t split = std::min<int64_t>(16, plan.ow - c);
      const int64_t valid = std::min<int64_t>(16, p - q);
      t.a[j] = static_cast<int32_t>(r * src_ld + c);
      t.in_a[j] = mask(std::min(split, valid));
      t.in_b[j] = static_cast<uint16_t>(mask(valid) & ~t.in_a[j]);
      // lane l >= split is pixel (r + 1, l - split): b[l] = row r + 1's [l - split]
      t.b[j] = t.in_b[j] ? static_cast<int32_t>((r + 1) * src_ld - split) : t.a[j];
    }
    // The tile's pixels span output rows first..last; kernel rows that read
    // only the border for all of them contribute nothing.
    const int64_t last = std::min(q0 + 32, p) - 1;
    const int64_t lo = kernel_rows(plan, last / plan.ow).lo;
    const int64_t hi = std::max(lo, kernel_rows(plan, q0 / plan.ow).hi);
    t.first = static_cast<int32_t>(lo * row_taps);
    t.count = static_cast<int32_t>((hi - lo) * row_taps);
    tiles.push_back(t);
  }
  return tiles;
}

#ifdef EMBER_DIRECT_CONV_X86

namespace {

// out[t][at_column + 0..8V-1] = start + sum_i base[t][index[i]] * panel[i][0..8V-1]
// for t < T, where start is what out[t] holds there with accumulate, else
// bias[0..8V-1], or 0 without a bias. V = 2 for 16-wide panels (6 rows,
// twelve accumulators), V = 1 for 8-wide ones (10 rows: see kMaxTile).
// The rows are pointers, so a tile's pixels need not be consecutive in the
// stage (column passes). The unroll pragmas matter: without
// them GCC keeps the accumulator array in memory and stores all twelve
// registers every iteration (measured: 31 instead of 94 GFLOP/s).
template <int T, int V>
[[gnu::target("avx2,fma")]] void tile(const float* const* base, const int32_t* index, int64_t n,
                                      const float* panel, const float* bias, bool accumulate,
                                      float* const* out, int64_t at_column) {
  __m256 acc[T][V];
#pragma GCC unroll 16
  for (int t = 0; t < T; ++t)
#pragma GCC unroll 2
    for (int v = 0; v < V; ++v)
      acc[t][v] = accumulate ? _mm256_loadu_ps(out[t] + at_column + 8 * v)
                  : bias     ? _mm256_loadu_ps(bias + 8 * v)
                             : _mm256_setzero_ps();
  for (int64_t i = 0; i < n; ++i, panel += 8 * V) {
    const int32_t at = index[i];
    __m256 w[V];
#pragma GCC unroll 2
    for (int v = 0; v < V; ++v) w[v] = _mm256_loadu_ps(panel + 8 * v);
#pragma GCC unroll 16
    for (int t = 0; t < T; ++t) {
      const __m256 x = _mm256_broadcast_ss(base[t] + at);
#pragma GCC unroll 2
      for (int v = 0; v < V; ++v) acc[t][v] = _mm256_fmadd_ps(x, w[v], acc[t][v]);
    }
  }
#pragma GCC unroll 16
  for (int t = 0; t < T; ++t)
#pragma GCC unroll 2
    for (int v = 0; v < V; ++v) _mm256_storeu_ps(out[t] + at_column + 8 * v, acc[t][v]);
}

// The same tile in AVX-512's registers: 16 channels per register, V = 2 for
// 32-wide panels, V = 1 for 16-wide ones, and with 32 registers instead of
// 16 it takes 10 rows either way (20 or 10 accumulators). Per broadcast image
// value it does 2 (or 1) 16-lane FMAs where the AVX2 tile does 2 8-lane
// ones: the image loads, not the FMAs, bound the AVX2 kernels.
template <int T, int V>
[[gnu::target("avx512f")]] void tile512(const float* const* base, const int32_t* index, int64_t n,
                                        const float* panel, const float* bias, bool accumulate,
                                        float* const* out, int64_t at_column) {
  __m512 acc[T][V];
#pragma GCC unroll 16
  for (int t = 0; t < T; ++t)
#pragma GCC unroll 2
    for (int v = 0; v < V; ++v)
      acc[t][v] = accumulate ? _mm512_loadu_ps(out[t] + at_column + 16 * v)
                  : bias     ? _mm512_loadu_ps(bias + 16 * v)
                             : _mm512_setzero_ps();
  for (int64_t i = 0; i < n; ++i, panel += 16 * V) {
    const int32_t at = index[i];
    __m512 w[V];
#pragma GCC unroll 2
    for (int v = 0; v < V; ++v) w[v] = _mm512_loadu_ps(panel + 16 * v);
#pragma GCC unroll 16
    for (int t = 0; t < T; ++t) {
      const __m512 x = _mm512_set1_ps(base[t][at]);
#pragma GCC unroll 2
      for (int v = 0; v < V; ++v) acc[t][v] = _mm512_fmadd_ps(x, w[v], acc[t][v]);
    }
  }
#pragma GCC unroll 16
  for (int t = 0; t < T; ++t)
#pragma GCC unroll 2
    for (int v = 0; v < V; ++v) _mm512_storeu_ps(out[t] + at_column + 16 * v, acc[t][v]);
}

using TileFn = void (*)(const float* const*, const int32_t*, int64_t, const float*, const float*,
                        bool, float* const*, int64_t);
// At most 10 rows per tile: each row's base pointer is a general-purpose
// register in the inner loop, and with 12 (plus the index, the panel and
// the counter) GCC keeps some in vector registers and moves them back every
// iteration. Measured on a Zen 4 (a standalone copy of the loop, one core,
// K = 1568): 89 GFLOP/s as 12 x 32, 111 (the core's FMA peak) as 10 x 32;
// in the layers (bench_kernels), 001's 7x7 64->32 forward 160 -> 190
// GFLOP/s on 2 threads, its d input 120 -> 148, d weight 165 -> 200.
constexpr int kMaxTile = 10;
constexpr TileFn kTiles16[kMaxTile + 1] = {nullptr,     tile<1, 2>, tile<2, 2>, tile<3, 2>,
                                           tile<4, 2>, tile<5, 2>, tile<6, 2>};
constexpr TileFn kTiles8[kMaxTile + 1] = {
    nullptr,    tile<1, 1>, tile<2, 1>, tile<3, 1>, tile<4, 1>, tile<5, 1>,
    tile<6, 1>, tile<7, 1>, tile<8, 1>, tile<9, 1>, tile<10, 1>};
constexpr TileFn kTiles512x16[kMaxTile + 1] = {
    nullptr,       tile512<1, 1>, tile512<2, 1>, tile512<3, 1>, tile512<4, 1>, tile512<5, 1>,
    tile512<6, 1>, tile512<7, 1>, tile512<8, 1>, tile512<9, 1>, tile512<10, 1>};
constexpr TileFn kTiles512x32[kMaxTile + 1] = {
    nullptr,       tile512<1, 2>, tile512<2, 2>, tile512<3, 2>, tile512<4, 2>, tile512<5, 2>,
    tile512<6, 2>, tile512<7, 2>, tile512<8, 2>, tile512<9, 2>, tile512<10, 2>};

// The row kernel's tile: out[g * ld + 0..15] = bias[g] (or 0) +
// sum_i w[i][g] * src[index[i] + 0..15] for g < G, i < n (G <= 6: 2G of the
// sixteen AVX registers accumulate, two hold the image vectors).
template <int G>
[[gnu::target("avx2,fma")]] void row_tile(const float* src, const int32_t* index, int64_t n,
                                          const float* w, const float* bias, bool relu,
                                          float* out, int64_t ld) {
  __m256 acc[G][2];
#pragma GCC unroll 8
  for (int g = 0; g < G; ++g)
    acc[g][0] = acc[g][1] = bias ? _mm256_broadcast_ss(bias + g) : _mm256_setzero_ps();
  for (int64_t i = 0; i < n; ++i, w += G) {
    const float* x = src + index[i];
    const __m256 x0 = _mm256_loadu_ps(x), x1 = _mm256_loadu_ps(x + 8);
#pragma GCC unroll 8
    for (int g = 0; g < G; ++g) {
      const __m256 wg = _mm256_broadcast_ss(w + g);
      acc[g][0] = _mm256_fmadd_ps(x0, wg, acc[g][0]);
      acc[g][1] = _mm256_fmadd_ps(x1, wg, acc[g][1]);
    }
  }
  const __m256 zero = _mm256_setzero_ps();
#pragma GCC unroll 8
  for (int g = 0; g < G; ++g) {
    if (relu) {  // NaN -> 0, as kernels::relu
      acc[g][0] = _mm256_max_ps(acc[g][0], zero);
      acc[g][1] = _mm256_max_ps(acc[g][1], zero);
    }
    _mm256_storeu_ps(out + g * ld, acc[g][0]);
    _mm256_storeu_ps(out + g * ld + 8, acc[g][1]);
  }
}

using RowTileFn = void (*)(const float*, const int32_t*, int64_t, const float*, const float*,
                           bool, float*, int64_t);
constexpr RowTileFn kRowTiles[7] = {nullptr,     row_tile<1>, row_tile<2>, row_tile<3>,
                                    row_tile<4>, row_tile<5>, row_tile<6>};

// The AVX-512 row kernel sees the output [OH, OW] of a channel as one flat
// row of P pixels and cuts it into 16-pixel vectors from the start, so every
// pixel is computed once and stored once, with whole aligned 64-byte stores
// (the AVX2 tiles overlap at each row's end: 32 pixels computed and stored
// per 28-pixel row of CNN model 1's first layer, in stores that straddle
// cache lines). A vector that straddles two output rows (OW >= 16: at most
// two) loads its lanes from both image rows with two masked loads. The
// vectors of a tile, FlatTile's offsets added to the image:
struct FlatVector {
  const float* a;      // lane l < split reads a[l + tap offset] ...
  const float* b;      // ... the others b[l + tap offset] (the next image row)
  __mmask16 in_a, in_b;  // the lanes read from a and from b; both stop at P
};

// V vectors x G channels, V * G <= 24 accumulators: out[g * ld + 16 j + l]
// = bias[g] (or 0) + sum_i w[i][g] * (vector j, lane l at tap offset index[i]),
// max(., 0) with relu; lanes past P are neither read nor stored. Bit j of
// Split says vector j straddles two rows: only those take the second load
// (with both loads for every vector, LeNet-5's 6-channel tiles were bound
// by loads: 10 per 12 FMAs, 242 -> 188 GFLOP/s).
// Vectors whose 16 lanes are all stored go out in plain stores: under a
// mask known only at run time, even all ones, the stores cost CM1's first
// layer 3% (one image, one thread, Zen 4: 68.4 -> 70.8 GFLOP/s). With
// stream, those of them whose address is 64-byte aligned go out in
// non-temporal stores instead (see forward).
template <int G, int V, int Split>
[[gnu::target("avx512f")]] void flat_tile512(const FlatVector* vec, const int32_t* index,
                                             int64_t n, const float* w, const float* bias,
                                             bool relu, bool stream, float* out, int64_t ld) {
  __m512 acc[G][V];
#pragma GCC unroll 12
  for (int g = 0; g < G; ++g)
#pragma GCC unroll 2
    for (int j = 0; j < V; ++j) acc[g][j] = bias ? _mm512_set1_ps(bias[g]) : _mm512_setzero_ps();
  for (int64_t i = 0; i < n; ++i, w += G) {
    const int32_t at = index[i];
    __m512 x[V];
#pragma GCC unroll 2
    for (int j = 0; j < V; ++j) {
      x[j] = _mm512_maskz_loadu_ps(vec[j].in_a, vec[j].a + at);
      if (Split >> j & 1) x[j] = _mm512_mask_loadu_ps(x[j], vec[j].in_b, vec[j].b + at);
    }
#pragma GCC unroll 12
    for (int g = 0; g < G; ++g) {
      const __m512 wg = _mm512_set1_ps(w[g]);
#pragma GCC unroll 2
      for (int j = 0; j < V; ++j) acc[g][j] = _mm512_fmadd_ps(x[j], wg, acc[g][j]);
    }
  }
  const __m512 zero = _mm512_setzero_ps();
  __mmask16 lanes[V];
#pragma GCC unroll 2
  for (int j = 0; j < V; ++j) lanes[j] = static_cast<__mmask16>(vec[j].in_a | vec[j].in_b);
#pragma GCC unroll 12
  for (int g = 0; g < G; ++g)
#pragma GCC unroll 2
    for (int j = 0; j < V; ++j) {
      // relu: NaN -> 0, as kernels::relu (max returns its second operand
      // for a NaN). The masked form because GCC 12 warns about
      // _mm512_max_ps's undefined pass-through operand.
      const __m512 result = relu ? _mm512_maskz_max_ps(0xffff, acc[g][j], zero) : acc[g][j];
      float* at = out + g * ld + 16 * j;
      if (lanes[j] != 0xffff)
        _mm512_mask_storeu_ps(at, lanes[j], result);
      else if (stream && reinterpret_cast<uintptr_t>(at) % 64 == 0)
        _mm512_stream_ps(at, result);
      else
        _mm512_storeu_ps(at, result);
    }
}

using FlatTileFn = void (*)(const FlatVector*, const int32_t*, int64_t, const float*,
                            const float*, bool, bool, float*, int64_t);
using FlatTiles = std::array<FlatTileFn, kRowGroup512 + 1>;  // by G
template <int V, int Split, int... G>
constexpr FlatTiles flat_tiles512(std::integer_sequence<int, G...>) {
  return {nullptr, flat_tile512<G + 1, V, Split>...};
}
template <int V, int Split>
constexpr FlatTiles flat_tiles512() {
  return flat_tiles512<V, Split>(std::make_integer_sequence<int, kRowGroup512>());
}
// [V][Split][G]
constexpr FlatTiles kFlatTiles512[3][4] = {
    {},
    {flat_tiles512<1, 0>(), flat_tiles512<1, 1>()},
    {flat_tiles512<2, 0>(), flat_tiles512<2, 1>(), flat_tiles512<2, 2>(), flat_tiles512<2, 3>()}};

// forward() for row_kernel_applies on AVX-512: tiles of two flat vectors (32
// pixels, see FlatTile); kernel rows are skipped where they read only the
// border for every output row the tile touches.
void forward_rows512(const Plan& plan, const float* padded, const int32_t* taps,
                     const FlatTile* flat, const float* weight, const float* bias,
                     int64_t out_channels, bool relu, bool stream, float* out) {
  const int64_t k = plan.taps(), p = plan.pixels(), tiles = (p + 31) / 32;
  const RowGroups groups(out_channels, kRowGroup512);
  // Group by group: a group's channels are written as G sequential streams.
  // Sweeping all groups per 32 pixels wrote all O channel planes at once,
  // and a core's stores reach memory more slowly the more streams they
  // interleave (bench_kernels store_streams, Zen 4: 9.4 GB/s with 12, 6.3
  // with 32), which is what bounds these layers when their output leaves
  // the cache (CM1's first layer: 50 MB per batch; cold, 7.6 -> 4.3-5.3 ms).
  for (int64_t g = 0; g < groups.count; ++g) {
    const int64_t o0 = groups.first(g), size = groups.size(g);
    for (int64_t t = 0; t < tiles; ++t) {
      const FlatTile& f = flat[t];
      const FlatVector vec[2] = {{padded + f.a[0], padded + f.b[0], f.in_a[0], f.in_b[0]},
                                 {padded + f.a[1], padded + f.b[1], f.in_a[1], f.in_b[1]}};
      const int vectors = f.in_a[1] ? 2 : 1, split = (f.in_b[0] ? 1 : 0) | (f.in_b[1] ? 2 : 0);
      kFlatTiles512[vectors][split][static_cast<size_t>(size)](
          vec, taps + f.first, f.count, weight + o0 * k + f.first * size,
          bias ? bias + o0 : nullptr, relu, stream, out + o0 * p + 32 * t, p);
    }
  }
  // Non-temporal stores are weakly ordered: without the fence, the thread
  // that waits for this job could read the output before they land.
  if (stream) _mm_sfence();
}

// forward() for row_kernel_applies: per output row, tiles of 16 pixels from
// the left; the last tile ends at the row's end, overlapping the one before
// (it recomputes up to 15 pixels, the same values) instead of reading past
// the row: with stride 1 the padded row holds exactly ow + (kw - 1) *
// dilation pixels, all the last tile reads.
void forward_rows(const Plan& plan, const float* padded, const int32_t* taps,
                  const float* weight, const float* bias, int64_t out_channels, bool relu,
                  float* out) {
  const int64_t k = plan.taps(), p = plan.pixels(), row_taps = plan.c * plan.kw;
  const RowGroups groups(out_channels);
  for (int64_t oh = 0; oh < plan.oh; ++oh) {
    const Range r = kernel_rows(plan, oh);
    const int64_t first = r.lo * row_taps, count = (r.hi - r.lo) * row_taps;
    const float* row = padded + oh * plan.g.stride_h * plan.wp();
    for (int64_t ow0 = 0; ow0 < plan.ow; ow0 += 16) {
      const int64_t at = std::min(ow0, plan.ow - 16);
      for (int64_t g = 0; g < groups.count; ++g) {
        const int64_t o0 = groups.first(g), size = groups.size(g);
        kRowTiles[size](row + at, taps + first, count, weight + o0 * k + first * size,
                        bias ? bias + o0 : nullptr, relu, out + o0 * p + oh * plan.ow + at, p);
      }
    }
  }
}

// The kernel set for a panel width: its tile functions and rows per tile.
struct Tiles {
  const TileFn* fn;
  int rows;
};
Tiles tiles_for(int64_t width) {
  if (width == 32) return {kTiles512x32, kMaxTile};  // panel_width: 32 only with AVX-512 on
  if (width == 16) return avx512_enabled() ? Tiles{kTiles512x16, kMaxTile} : Tiles{kTiles16, 6};
  return {kTiles8, kMaxTile};
}

// out [cols, rows] = src [rows, cols]^T, in 8 x 8 blocks through registers
// (the forward's results come pixel-major, one row of O channels per pixel;
// storing them channel by channel from the tile took 96 scalar stores per
// 6 x 16 tile, as much time as the multiply-adds when K is 9..49).
// With relu, max(x, 0) on the way (the fused activation of conv2d); with
// keep (laid out as src), x where keep > 0 and 0 elsewhere (its gradient).
// Only the first out_rows columns of src are written (the rest pad the last panel).
[[gnu::target("avx2,fma")]] void transpose(const float* src, int64_t rows, int64_t cols,
                                           int64_t out_rows, bool relu, float* out,
                                           const float* keep = nullptr,
                                           bool reads_in_rows = false) {
  const int64_t rows8 = rows - rows % 8;
  int64_t cols8 = 0;  // columns done in 8 x 8 blocks (they may read up to 7 unwritten ones)
  while (cols8 < out_rows && cols8 + 8 <= cols) cols8 += 8;
  const __m256 zero = _mm256_setzero_ps();
  // Eight output rows at a time, each written as one sequential stream (for
  // every 8 rows of src across all columns, all out_rows rows at once: as
  // many store streams as channels, slower to memory, see forward_rows512).
  // With reads_in_rows the other way round, for a src in memory and an out
  // in cache (pack_panels of dout and keep: 32 rows of each read at once
  // were 64 read streams, and the masked packing took 10.8% of CM1's step
  // in perf; 8.0% reading 8 rows of each at a time).
  const int64_t outer = reads_in_rows ? rows8 : cols8, inner = reads_in_rows ? cols8 : rows8;
  for (int64_t a = 0; a < outer; a += 8)
    for (int64_t b = 0; b < inner; b += 8) {
      const int64_t r0 = reads_in_rows ? a : b, c0 = reads_in_rows ? b : a;
      __m256 v[8], u[8];
#pragma GCC unroll 8
      for (int i = 0; i < 8; ++i) {
        v[i] = _mm256_loadu_ps(src + (r0 + i) * cols + c0);
        if (relu) v[i] = _mm256_max_ps(v[i], zero);  // NaN -> 0, as kernels::relu
        if (keep) {  // a NaN in keep compares false: 0, as relu_mask
          const __m256 k = _mm256_loadu_ps(keep + (r0 + i) * cols + c0);
          v[i] = _mm256_and_ps(v[i], _mm256_cmp_ps(k, zero, _CMP_GT_OQ));
        }
      }
#pragma GCC unroll 8
      for (int i = 0; i < 8; i += 2) {
        u[i] = _mm256_unpacklo_ps(v[i], v[i + 1]);
        u[i + 1] = _mm256_unpackhi_ps(v[i], v[i + 1]);
      }
#pragma GCC unroll 8
      for (int i = 0; i < 8; i += 4) {
        v[i] = _mm256_shuffle_ps(u[i], u[i + 2], _MM_SHUFFLE(1, 0, 1, 0));
        v[i + 1] = _mm256_shuffle_ps(u[i], u[i + 2], _MM_SHUFFLE(3, 2, 3, 2));
        v[i + 2] = _mm256_shuffle_ps(u[i + 1], u[i + 3], _MM_SHUFFLE(1, 0, 1, 0));
        v[i + 3] = _mm256_shuffle_ps(u[i + 1], u[i + 3], _MM_SHUFFLE(3, 2, 3, 2));
      }
#pragma GCC unroll 8
      for (int i = 0; i < 4; ++i) {
        if (c0 + i < out_rows)
          _mm256_storeu_ps(out + (c0 + i) * rows + r0,
                           _mm256_permute2f128_ps(v[i], v[i + 4], 0x20));
        if (c0 + i + 4 < out_rows)
          _mm256_storeu_ps(out + (c0 + i + 4) * rows + r0,
                           _mm256_permute2f128_ps(v[i], v[i + 4], 0x31));
      }
    }
  for (int64_t r = 0; r < rows; ++r)  // what the blocks left: the last rows, the last columns
    for (int64_t c = r < rows8 ? cols8 : 0; c < out_rows; ++c) {
      const int64_t at = r * cols + c;
      const bool zeroed = (relu && !(src[at] > 0.0f)) || (keep && !(keep[at] > 0.0f));
      out[c * rows + r] = zeroed ? 0.0f : src[at];
    }
}

}  // namespace

// Whole 16- or 32-row panels are width x cols blocks transposed through
// registers (a scalar gather here was 5% of CM1's step); an 8-wide panel
// padded with zeros goes element by element.
void pack_panels(const float* src, int64_t rows, int64_t cols, float* panels,
                 const float* keep) {
  const int64_t width = panel_width(rows);
  if (rows % width == 0) {
    for (int64_t r0 = 0; r0 < rows; r0 += width)
      transpose(src + r0 * cols, width, cols, cols, false, panels + r0 * cols,
                keep ? keep + r0 * cols : nullptr, true);
    return;
  }
  for (int64_t r0 = 0; r0 < rows; r0 += width)
    for (int64_t j = 0; j < cols; ++j)
      for (int64_t r = r0; r < r0 + width; ++r) {
        const bool kept = r < rows && (!keep || keep[r * cols + j] > 0.0f);
        *panels++ = kept ? src[r * cols + j] : 0.0f;
      }
}

void forward(const Plan& plan, const float* padded, const int32_t* taps, const int32_t* pixels,
             const FlatTile* flat, const float* weight_panels, const float* bias,
             int64_t out_channels, bool relu, bool stream, float* stage, float* out) {
  if (row_kernel_applies(plan, out_channels)) {
    if (avx512_enabled() && flat)  // flat is null if AVX-512 was off for flat_tiles
      return forward_rows512(plan, padded, taps, flat, weight_panels, bias, out_channels, relu,
                             stream, out);
    return forward_rows(plan, padded, taps, weight_panels, bias, out_channels, relu, out);
  }
  const int64_t k = plan.taps(), p = plan.pixels();
  const int64_t width = panel_width(out_channels), stride = panel_rows(out_channels);
  const Tiles tiles = tiles_for(width);
  float last_bias[kMaxPanel] = {};  // the last panel's bias, zeros past the last channel
  if (bias) std::copy(bias + stride - width, bias + out_channels, last_bias);
  const auto panel_bias = [&](int64_t o0) -> const float* {
    return !bias ? nullptr : o0 + width < stride ? bias + o0 : last_bias;
  };
  const float* base[kMaxTile];
  float* results[kMaxTile];  // the tile's rows in the stage
  if (!plan.column_passes) {
    const int64_t row_taps = plan.c * plan.kw;
    for (int64_t p0 = 0; p0 < p; p0 += tiles.rows) {
      const int rows = static_cast<int>(std::min<int64_t>(tiles.rows, p - p0));
      for (int t = 0; t < rows; ++t) {
        base[t] = padded + pixels[p0 + t];
        results[t] = stage + (p0 + t) * stride;
      }
      // The tile's pixels span output rows first..last; kernel rows that read
      // only the border for all of them contribute nothing (kernel_rows is
      // monotone in oh, so the union is [lo(last), hi(first))).
      const int64_t lo = kernel_rows(plan, (p0 + rows - 1) / plan.ow).lo;
      const int64_t hi = std::max(lo, kernel_rows(plan, p0 / plan.ow).hi);
      const int64_t first = lo * row_taps, count = (hi - lo) * row_taps;
      for (int64_t o0 = 0; o0 < stride; o0 += width)
        tiles.fn[rows](base, taps + first, count, weight_panels + o0 * k + first * width,
                       panel_bias(o0), false, results, o0);
    }
  } else {
    // Column passes: the stage starts as the bias; kernel column j then adds
    // its taps, (i, c) for the kernel rows that read real rows, to the
    // output columns [lo, hi) it reads real columns for, all output rows:
    // tiles of consecutive pixels of that OH x (hi - lo) block.
    for (int64_t q = 0; q < p; ++q)
      for (int64_t o0 = 0; o0 < stride; o0 += width) {
        float* row = stage + q * stride + o0;
        if (const float* b = panel_bias(o0)) std::copy(b, b + width, row);
        else std::fill(row, row + width, 0.0f);
      }
    for (int64_t j = 0; j < plan.kw; ++j) {
      const Range columns = output_columns(plan, j);
      const int64_t span = columns.hi - columns.lo, block = plan.oh * span;
      for (int64_t q0 = 0; q0 < block; q0 += tiles.rows) {
        const int rows = static_cast<int>(std::min<int64_t>(tiles.rows, block - q0));
        for (int t = 0; t < rows; ++t) {
          const int64_t q = q0 + t, pixel = q / span * plan.ow + columns.lo + q % span;
          base[t] = padded + pixels[pixel];
          results[t] = stage + pixel * stride;
        }
        const int64_t lo = kernel_rows(plan, (q0 + rows - 1) / span).lo;
        const int64_t hi = std::max(lo, kernel_rows(plan, q0 / span).hi);
        const int64_t first = (j * plan.kh + lo) * plan.c, count = (hi - lo) * plan.c;
        if (count == 0) continue;
        for (int64_t o0 = 0; o0 < stride; o0 += width)
          tiles.fn[rows](base, taps + first, count, weight_panels + o0 * k + first * width,
                         nullptr, true, results, o0);
      }
    }
  }
  transpose(stage, p, stride, out_channels, relu, out);  // [P, O] -> [O, P]
}

void weight_grad(const Plan& plan, const float* padded, const int32_t* taps,
                 const int32_t* pixels, const float* dout_panels, int64_t out_channels,
                 float* packed) {
  const int64_t k = plan.taps(), p = plan.pixels();
  const int64_t width = panel_width(out_channels);
  const Tiles tiles = tiles_for(width);
  // Each tile sums one image's pixels from zero and is then added to
  // `packed`: a sum per image, then across images. (Accumulating straight
  // into `packed` over the batch drifted by 1e-3 relative where the terms
  // cancel: tests/tensor/test_parallel.cpp's weight-gradient case.)
  float result[kMaxTile * kMaxPanel];  // rows x width: 10 x 8, 6 x 16, 10 x 16 or 10 x 32
  float* result_rows[kMaxTile];
  for (int t = 0; t < kMaxTile; ++t) result_rows[t] = result + t * width;
  const float* base[kMaxTile];
  for (int64_t k0 = 0; k0 < k; k0 += tiles.rows) {
    const int rows = static_cast<int>(std::min<int64_t>(tiles.rows, k - k0));
    int64_t top = plan.kh, bottom = 0;  // the tile's kernel rows: [top, bottom]
    for (int t = 0; t < rows; ++t) {
      base[t] = padded + taps[k0 + t];
      const int64_t i = tap(plan, k0 + t).i;
      top = std::min(top, i);
      bottom = std::max(bottom, i);
    }
    // Output rows where none of the tile's kernel rows reads a real row
    // contribute nothing (output_rows is monotone in i, as in forward).
    const int64_t lo = output_rows(plan, bottom).lo;
    const int64_t hi = std::max(lo, output_rows(plan, top).hi);
    const int64_t first = lo * plan.ow, count = (hi - lo) * plan.ow;
    for (int64_t o0 = 0; o0 < out_channels; o0 += width) {
      tiles.fn[rows](base, pixels + first, count, dout_panels + o0 * p + first * width, nullptr,
                     false, result_rows, 0);
      // The tile's rows x width results are contiguous in `packed` too: a
      // vector add (a scatter into dweight's [O, K] layout here, per tile and
      // image, was a fifth of experiment 001's 7x7 weight gradient).
      float* sum = packed + o0 * k + k0 * width;
      for (int64_t i = 0; i < rows * width; ++i) sum[i] += result[i];
    }
  }
}

void unpack_weight_grad(const Plan& plan, const float* packed, int64_t out_channels,
                        float* dweight) {
  const int64_t k = plan.taps(), width = panel_width(out_channels);
  for (int64_t t = 0; t < k; ++t) {
    const int64_t column = weight_column(plan, t);
    for (int64_t o = 0; o < out_channels; ++o)
      dweight[o * k + column] += packed[o / width * width * k + t * width + o % width];
  }
}

#else  // not x86: conv.cpp never calls the kernels

void pack_panels(const float*, int64_t, int64_t, float*, const float*) {}
void forward(const Plan&, const float*, const int32_t*, const int32_t*, const FlatTile*,
             const float*, const float*, int64_t, bool, bool, float*, float*) {}
void weight_grad(const Plan&, const float*, const int32_t*, const int32_t*, const float*,
                 int64_t, float*) {}
void unpack_weight_grad(const Plan&, const float*, int64_t, float*) {}

#endif

}  // namespace ember::kernels::direct
