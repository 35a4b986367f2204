// conv_direct_avx2.cpp — the direct convolution's AVX2 + FMA tiles: the
// panel tile (rows of pixels or taps x 16 or 8 channels), the row kernel's
// tile (16 pixels of an output row x up to 6 channels) with its per-image
// loop, and the 8 x 8 register transpose that turns the forward's
// pixel-major results around. Every function that uses the instructions
// carries target("avx2,fma"), so ember builds for any x86-64 and these run
// only where avx2_fma_supported().
#include "conv_direct_tiles.hpp"

#ifdef EMBER_DIRECT_CONV_X86
#include <immintrin.h>

namespace ember::kernels::direct::avx2 {
namespace {

// out[t][at_column + 0..8V-1] = start + sum_i base[t][index[i]] * panel[i][0..8V-1]
// for t < T, where start is what out[t] holds there with accumulate, else
// bias[0..8V-1], or 0 without a bias. V = 2 for 16-wide panels (6 rows,
// twelve accumulators), V = 1 for 8-wide ones (10 rows: see kMaxTile).
// The rows are pointers, so a tile's pixels need not be consecutive in the
// stage (column passes). The unroll pragmas matter: without
// them GCC keeps the accumulator array in memory and stores all twelve
// registers every iteration, at a third of the speed.
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

}  // namespace

const TileFn kTiles16[kMaxTile + 1] = {nullptr,     tile<1, 2>, tile<2, 2>, tile<3, 2>,
                                           tile<4, 2>, tile<5, 2>, tile<6, 2>};
const TileFn kTiles8[kMaxTile + 1] = {
    nullptr,    tile<1, 1>, tile<2, 1>, tile<3, 1>, tile<4, 1>, tile<5, 1>,
    tile<6, 1>, tile<7, 1>, tile<8, 1>, tile<9, 1>, tile<10, 1>};

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

// out [cols, rows] = src [rows, cols]^T, in 8 x 8 blocks through registers
// (the forward's results come pixel-major, one row of O channels per pixel;
// storing them channel by channel from the tile took 96 scalar stores per
// 6 x 16 tile, as much time as the multiply-adds when K is 9..49).
// With relu, max(x, 0) on the way (the fused activation of conv2d); with
// keep (laid out as src), x where keep > 0 and 0 elsewhere (its gradient).
// Only the first out_rows columns of src are written (the rest pad the last panel).
[[gnu::target("avx2,fma")]] void transpose(const float* src, int64_t rows, int64_t cols,
                                           int64_t out_rows, bool relu, float* out,
                                           const float* keep, bool reads_in_rows) {
  const int64_t rows8 = rows - rows % 8;
  int64_t cols8 = 0;  // columns done in 8 x 8 blocks (they may read up to 7 unwritten ones)
  while (cols8 < out_rows && cols8 + 8 <= cols) cols8 += 8;
  const __m256 zero = _mm256_setzero_ps();
  // Eight output rows at a time, each written as one sequential stream (for
  // every 8 rows of src across all columns, all out_rows rows at once: as
  // many store streams as channels, slower to memory, see avx512::forward_rows).
  // With reads_in_rows the other way round, for a src in memory and an out
  // in cache (pack_panels of dout and keep: 32 rows of each read at once
  // were 64 read streams; reading 8 rows of each at a time took a quarter
  // off the masked packing's share of CM1's step).
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

}  // namespace ember::kernels::direct::avx2

#endif
