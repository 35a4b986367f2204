// conv_direct_tiles.hpp — what the files of the direct convolution share:
// the order of the taps, the kernel rows and columns that read real pixels,
// the row kernel's channel groups, and the tile functions of
// conv_direct_avx2.cpp and conv_direct_avx512.cpp with the per-image loops
// that are theirs alone. Internal to conv_direct*.cpp.
#pragma once

#include <algorithm>
#include <cstdint>

#include "conv_direct.hpp"

#if defined(__x86_64__) || defined(__i386__)
#define EMBER_DIRECT_CONV_X86 1
#endif

namespace ember::kernels::direct {

// Tap k's kernel row i, input channel c and kernel column j, in the plan's order.
struct Tap {
  int64_t i, c, j;
};
inline Tap tap(const Plan& plan, int64_t k) {
  if (plan.column_passes)  // k = (j * kh + i) * C + c
    return {k / plan.c % plan.kh, k % plan.c, k / (plan.c * plan.kh)};
  return {k / (plan.kw * plan.c), k / plan.kw % plan.c, k % plan.kw};  // k = (i * C + c) * kw + j
}

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

// ceil(a / b) for b > 0 and any sign of a.
inline int64_t ceil_div(int64_t a, int64_t b) { return a >= 0 ? (a + b - 1) / b : -(-a / b); }

// Kernel rows [lo, hi) that read real image rows (not the zero border) for
// output row oh: 0 <= oh*stride - pad + i*dilation < H.
struct Range {
  int64_t lo, hi;
};
inline Range kernel_rows(const Plan& plan, int64_t oh) {
  const int64_t top = plan.g.pad_h - oh * plan.g.stride_h, d = plan.g.dilation_h;
  const int64_t lo = std::clamp<int64_t>(ceil_div(top, d), 0, plan.kh);
  const int64_t hi = std::clamp<int64_t>(ceil_div(top + plan.h, d), lo, plan.kh);
  return {lo, hi};
}

// The converse: output rows [lo, hi) for which kernel row i reads real rows.
inline Range output_rows(const Plan& plan, int64_t i) {
  const int64_t top = plan.g.pad_h - i * plan.g.dilation_h, s = plan.g.stride_h;
  const int64_t lo = std::clamp<int64_t>(ceil_div(top, s), 0, plan.oh);
  const int64_t hi = std::clamp<int64_t>(ceil_div(top + plan.h, s), lo, plan.oh);
  return {lo, hi};
}

// The same across: output columns [lo, hi) for which kernel column j reads real columns.
inline Range output_columns(const Plan& plan, int64_t j) {
  const int64_t left = plan.g.pad_w - j * plan.g.dilation_w, s = plan.g.stride_w;
  const int64_t lo = std::clamp<int64_t>(ceil_div(left, s), 0, plan.ow);
  const int64_t hi = std::clamp<int64_t>(ceil_div(left + plan.w, s), lo, plan.ow);
  return {lo, hi};
}

#ifdef EMBER_DIRECT_CONV_X86

// One tile (see conv_direct_avx2.cpp): T rows of results (pixels or taps)
// x one panel's channels, summed over n taps (or pixels).
using TileFn = void (*)(const float* const*, const int32_t*, int64_t, const float*, const float*,
                        bool, float* const*, int64_t);
// At most 10 rows per tile: each row's base pointer is a general-purpose
// register in the inner loop, and with 12 (plus the index, the panel and
// the counter) GCC keeps some in vector registers and moves them back every
// iteration. A standalone copy of the loop reaches the core's FMA peak as
// 10 x 32 tiles, not as 12 x 32 (bench/README.md).
constexpr int kMaxTile = 10;

// The tile functions by row count (1..kMaxTile), and the per-image loops of
// the row kernel, which only their own instruction set runs.
namespace avx2 {
extern const TileFn kTiles16[kMaxTile + 1];  // 16-wide panels, up to 6 rows
extern const TileFn kTiles8[kMaxTile + 1];   // 8-wide panels, up to 10 rows
void forward_rows(const Plan& plan, const float* padded, const int32_t* taps,
                  const float* weight, const float* bias, int64_t out_channels, bool relu,
                  float* out);
// out [cols, rows] = src [rows, cols]^T, only the first out_rows columns of
// src; with relu, max(x, 0); with keep, x where keep > 0 (see the definition).
[[gnu::target("avx2,fma")]] void transpose(const float* src, int64_t rows, int64_t cols,
                                           int64_t out_rows, bool relu, float* out,
                                           const float* keep = nullptr,
                                           bool reads_in_rows = false);
}  // namespace avx2
namespace avx512 {
extern const TileFn kTiles16[kMaxTile + 1];  // 16-wide panels, up to 10 rows
extern const TileFn kTiles32[kMaxTile + 1];  // 32-wide panels, up to 10 rows
void forward_rows(const Plan& plan, const float* padded, const int32_t* taps,
                  const FlatTile* flat, const float* weight, const float* bias,
                  int64_t out_channels, bool relu, bool stream, float* out);
}  // namespace avx512

#endif

}  // namespace ember::kernels::direct
