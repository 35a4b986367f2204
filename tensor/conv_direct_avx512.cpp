// conv_direct_avx512.cpp — the direct convolution's AVX-512 tiles: the
// panel tile in 512-bit registers (10 rows x 16 or 32 channels), and the row
// kernel that sees a channel's output as one flat row (FlatTile) with its
// per-image loop. They sum the same products in the same order as the AVX2
// tiles, so the results are the same bits. Every function that uses the
// instructions carries target("avx512f"); they run where avx512_enabled().
#include <array>
#include <utility>

#include "conv_direct_tiles.hpp"

#ifdef EMBER_DIRECT_CONV_X86
#include <immintrin.h>

namespace ember::kernels::direct::avx512 {
namespace {

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
// by loads: 10 per 12 FMAs).
// Vectors whose 16 lanes are all stored go out in plain stores: under a
// mask known only at run time, even all ones, the stores cost CM1's first
// layer a few percent. With
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

}  // namespace

const TileFn kTiles16[kMaxTile + 1] = {
    nullptr,       tile512<1, 1>, tile512<2, 1>, tile512<3, 1>, tile512<4, 1>, tile512<5, 1>,
    tile512<6, 1>, tile512<7, 1>, tile512<8, 1>, tile512<9, 1>, tile512<10, 1>};
const TileFn kTiles32[kMaxTile + 1] = {
    nullptr,       tile512<1, 2>, tile512<2, 2>, tile512<3, 2>, tile512<4, 2>, tile512<5, 2>,
    tile512<6, 2>, tile512<7, 2>, tile512<8, 2>, tile512<9, 2>, tile512<10, 2>};

// forward() for row_kernel_applies on AVX-512: tiles of two flat vectors (32
// pixels, see FlatTile); kernel rows are skipped where they read only the
// border for every output row the tile touches.
void forward_rows(const Plan& plan, const float* padded, const int32_t* taps,
                     const FlatTile* flat, const float* weight, const float* bias,
                     int64_t out_channels, bool relu, bool stream, float* out) {
  const int64_t k = plan.taps(), p = plan.pixels(), tiles = (p + 31) / 32;
  const RowGroups groups(out_channels, kRowGroup512);
  // Group by group: a group's channels are written as G sequential streams.
  // Sweeping all groups per 32 pixels wrote all O channel planes at once,
  // and a core's stores reach memory more slowly the more streams they
  // interleave (bench_kernels store_streams), which is what bounds these
  // layers when their output leaves the cache (CM1's first layer: 50 MB per
  // batch).
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

}  // namespace ember::kernels::direct::avx512

#endif
