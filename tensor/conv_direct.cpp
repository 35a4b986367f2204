// conv_direct.cpp — the direct convolution kernels' per-image loops (see
// conv_direct.hpp): the forward walks the output tile by tile and the weight
// gradient the taps, each tile handed to the tile function of the panel's
// width (conv_direct_avx2.cpp, conv_direct_avx512.cpp); the packing of dout
// into panels and of the summed weight gradient back out.
//
// conv.cpp calls them only where avx2_fma_supported() (the AVX-512 tiles run
// where avx512_enabled()). On other architectures avx2_fma_supported() is
// false and conv.cpp keeps im2col + GEMM; the references stay the judges
// either way (tests/tensor/test_conv_direct.cpp runs every path against
// conv_reference.cpp).
#include <algorithm>

#include "conv_direct_tiles.hpp"

namespace ember::kernels::direct {

#ifdef EMBER_DIRECT_CONV_X86

namespace {

// The kernel set for a panel width: its tile functions and rows per tile.
struct Tiles {
  const TileFn* fn;
  int rows;
};
Tiles tiles_for(int64_t width) {
  if (width == 32) return {avx512::kTiles32, kMaxTile};  // panel_width: 32 only with AVX-512 on
  if (width == 16) return avx512_enabled() ? Tiles{avx512::kTiles16, kMaxTile} : Tiles{avx2::kTiles16, 6};
  return {avx2::kTiles8, kMaxTile};
}

}  // namespace

// Whole 16- or 32-row panels are width x cols blocks transposed through
// registers (a scalar gather here showed in CM1's step); an 8-wide panel
// padded with zeros goes element by element.
void pack_panels(const float* src, int64_t rows, int64_t cols, float* panels,
                 const float* keep) {
  const int64_t width = panel_width(rows);
  if (rows % width == 0) {
    for (int64_t r0 = 0; r0 < rows; r0 += width)
      avx2::transpose(src + r0 * cols, width, cols, cols, false, panels + r0 * cols,
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
      return avx512::forward_rows(plan, padded, taps, flat, weight_panels, bias, out_channels, relu,
                             stream, out);
    return avx2::forward_rows(plan, padded, taps, weight_panels, bias, out_channels, relu, out);
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
  avx2::transpose(stage, p, stride, out_channels, relu, out);  // [P, O] -> [O, P]
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
