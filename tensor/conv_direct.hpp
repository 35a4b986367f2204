// conv_direct.hpp — convolution without im2col: AVX2 + FMA kernels, and
// AVX-512 versions of them, that read the (zero-padded) image in place.
// Internal to tensor/: conv.cpp decides when to use them and runs them per
// image on the pool. The planning is in conv_direct_plan.cpp, the per-image
// loops in conv_direct.cpp, the tiles in conv_direct_avx2.cpp and
// conv_direct_avx512.cpp.
//
// A convolution is the GEMM out[O, P] = weight[O, K] x columns[K, P], where
// column entry (k, p) is the padded image at pixel_offset(p) + tap_offset(k):
//   tap k = (c, i, j):    (c * Hp + i * dil_h) * Wp + j * dil_w
//   pixel p = (oh, ow):   oh * stride_h * Wp + ow * stride_w
// (Hp, Wp the padded height and width). So the columns need not be
// materialized: the kernels broadcast those entries straight from the image.
// Taps are numbered kernel row first, k = (i * C + c) * kw + j, so the taps
// of one kernel row are a contiguous run: where a kernel row reads only the
// zero border (the top and bottom rows of the output, most of them for the
// flipped convolution of a 'valid' layer's d input), the kernels skip it.
// Both kernels keep a tile of 6 x 16 results in twelve AVX registers:
//   forward:        6 pixels x 16 output channels, summed over the K taps
//   weight grad:    6 taps   x 16 output channels, summed over the P pixels
// and the 16 channels come from a "panel", a [rows, 16] slice of the other
// operand stored row by row (weight^T for the forward, dout^T for the weight
// gradient), so the inner loop is: load 16 floats of the panel, broadcast 6
// image values, 12 FMAs (up to 8 channels: 10 x 8 tiles from 8-wide panels).
// With AVX-512 the tiles are 10 x 32 (20 of its 32 registers) or 10 x 16:
// twice the multiply-adds per image value loaded, which is what bounds the
// AVX2 tiles. How fast they run against OpenBLAS at the same GEMM shape, on
// the machines measured: bench/README.md.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels.hpp"
#include "runtime/cpu_features.hpp"

namespace ember::kernels::direct {

// The kernels run where avx2_fma_supported(), their tiles on AVX-512 where
// avx512_enabled() (runtime/cpu_features.hpp).

constexpr int64_t kPanel = 16;     // output channels per panel (two AVX registers)
constexpr int64_t kMaxPanel = 32;  // with AVX-512: two 512-bit registers
// Whole 16-channel panels, or for up to 8 channels one 8-wide panel (one
// register; its tiles are 10 x 8), padded with zeros: LeNet-5's 6
// channels. Other counts go through im2col. With AVX-512, multiples of 32
// take 32-wide panels (tiles of 10 x 32 in 20 of its 32 registers) and the
// 16-wide ones 10 x 16 tiles.
inline bool panels_fit(int64_t channels) { return channels % kPanel == 0 || channels <= 8; }
inline int64_t panel_width(int64_t channels) {
  if (channels % kMaxPanel == 0 && avx512_enabled()) return kMaxPanel;
  return channels % kPanel == 0 ? kPanel : 8;
}
inline int64_t panel_rows(int64_t channels) {  // channels rounded up to whole panels
  const int64_t width = panel_width(channels);
  return (channels + width - 1) / width * width;
}

// One image's convolution, as the kernels see it.
struct Plan {
  int64_t c, h, w;       // input image
  int64_t kh, kw;        // kernel
  int64_t oh, ow;        // output
  Conv2dGeometry g;
  // Taps numbered kernel column first, k = (j * kh + i) * C + c, and the
  // forward run in column passes (see forward); column_passes_pay decides.
  bool column_passes = false;
  int64_t hp() const { return h + 2 * g.pad_h; }
  int64_t wp() const { return w + 2 * g.pad_w; }
  int64_t padded_size() const { return c * hp() * wp(); }
  int64_t taps() const { return c * kh * kw; }  // K
  int64_t pixels() const { return oh * ow; }    // P
  bool padded() const { return g.pad_h > 0 || g.pad_w > 0; }
  // Offsets into the padded image fit the kernels' 32-bit indices.
  bool fits() const { return padded_size() < (int64_t{1} << 31); }
};

// tap_offset(k) for k in [0, K), pixel_offset(p) for p in [0, P) (see the top).
void tap_offsets(const Plan& plan, int32_t* offsets);
void pixel_offsets(const Plan& plan, int32_t* offsets);
// Where tap k (in the plan's order) sits in a weight [O, C, kh, kw]: (c * kh + i) * kw + j.
int64_t weight_column(const Plan& plan, int64_t k);
// (pixel, tap) pairs per input and output channel that forward multiplies,
// border rows skipped (and border columns, in column passes): OH*OW*kh*kw
// at most (the GEMM's count).
int64_t visited_taps(const Plan& plan);
// Column passes pay where at least 1/4 of the (output column, kernel
// column) pairs read the zero border, and the panel kernel runs (not the
// row kernel): the flipped convolutions of 'valid' layers' d input on
// small images (experiment 001's 7x7 on 22 x 22: 3/8 of the pairs; the
// CIFAR-10 model's 3x3 on 6 x 6: 1/3). At 1/7 (CM1's 3x3 on 14 x 14) the
// passes' extra loads and stores ate the gain, hence the 1/4 (bench/README.md).
bool column_passes_pay(const Plan& plan, int64_t out_channels);

// The image with its zero border, in `scratch` (plan.padded_size() floats);
// the image itself when there is no padding. With border_zeroed (scratch
// holds the plan's previous image) only the image is copied in: for the
// first layers, whose images are small, the border was half the copy.
const float* pad_image(const Plan& plan, const float* image, float* scratch,
                       bool border_zeroed = false);

// [rows, cols] row-major (panels_fit(rows)) -> panels [panel_rows(rows) / w][cols][w]
// with w = panel_width(rows): panel r holds rows wr..wr+w-1 column by
// column, zeros past the last row. With keep ([rows, cols] too), src where
// keep > 0 and 0 elsewhere: relu's gradient, applied while packing.
void pack_panels(const float* src, int64_t rows, int64_t cols, float* panels,
                 const float* keep = nullptr);
// The same for a weight [O, C, kh, kw] seen as [O, K], its columns in tap order;
// where the row kernel applies (below), groups of up to 6 (AVX-512: 12) channels instead:
// a group of G channels starting at channel o0 is [K][G] at panels + o0 * K.
void pack_weight(const Plan& plan, const float* weight, int64_t out_channels, float* panels);

// out [O, P] = weight x columns (+ bias[o] if bias is not null), from the
// padded image and the weight packed by pack_weight; max(out, 0) with relu.
// The tiles land pixel-major in `stage` (P * panel_rows(O) floats),
// transposed into out at the end. A tile's pixels share its taps, so where
// a kernel column reads the zero border for some of them it is multiplied
// anyway; in column passes (plan.column_passes) kernel column j instead
// takes only the output columns it reads real pixels for, and its taps
// (a contiguous run in that order) add into the stage pass after pass.
// Except where the row kernel applies:
// up to 8 output channels, horizontal stride 1 and output rows of at least
// 16 pixels (LeNet-5's 5x5 1->6 and the flipped d input of its 6->16). Its
// tiles are 16 pixels of one output row x up to 6 channels (twelve
// accumulators, the 16 pixels as two vectors loaded straight from the image
// row, the weights broadcast), written to out directly: no 8-wide panel
// with 2 of 8 lanes idle, no stage, no transpose.
// With AVX-512 its tiles are 32 pixels of the output seen as one flat row
// (two vectors, each loaded from one or two image rows) x up to 12 channels
// (24 accumulators): every pixel computed and stored once, in aligned
// 64-byte stores. It also takes layers of few taps there (K <= kRowTaps:
// the first layers of CNN model 1, 5x5 1->32, CM1, 3x3 1->32, and the
// CIFAR-10 model, 3x3 3->32), where the stage and its transpose cost as
// much as the tiles.
// With stream (AVX-512 row kernel only; ignored elsewhere), its whole aligned
// vectors go to memory in non-temporal stores, past the cache, fenced
// before it returns; see streams().
constexpr int64_t kRowTaps = 32;
inline bool row_kernel_applies(const Plan& plan, int64_t out_channels) {
  if (plan.g.stride_w != 1 || plan.ow < 16) return false;
  return out_channels <= 8 || (plan.taps() <= kRowTaps && avx512_enabled());
}

// The AVX-512 row kernel's tiles, 32 pixels of the output seen as one flat
// row each: where a tile's two 16-pixel vectors read the padded image, and
// the taps it visits. They are the same for every image, so the caller
// works them out once per batch (flat_tiles) and hands them to forward:
// worked out between the tiles, once per channel group, they had cost
// these first layers, whose tiles do little work each, a measurable share
// of their time (bench/README.md).
struct FlatTile {
  // Vector j takes lanes in_a[j] from a[j] + tap offset and lanes in_b[j]
  // (pixels that wrap onto the next output row) from b[j] + tap offset,
  // offsets into the padded image; a vector with no lanes is absent.
  int32_t a[2], b[2];
  uint16_t in_a[2], in_b[2];
  int32_t first, count;  // taps [first, first + count): kernel rows that read real rows
};
// One per 32 pixels where the row kernel runs on AVX-512, else none.
std::vector<FlatTile> flat_tiles(const Plan& plan, int64_t out_channels);

// flat: flat_tiles(plan, out_channels), read only where the row kernel runs
// on AVX-512; null (flat_tiles found AVX-512 off) keeps its AVX2 version.
void forward(const Plan& plan, const float* padded, const int32_t* taps, const int32_t* pixels,
             const FlatTile* flat, const float* weight_panels, const float* bias,
             int64_t out_channels, bool relu, bool stream, float* stage, float* out);

// The largest cache's size in bytes, from Linux's sysfs (cpu0's cache
// entries; glibc's sysconf can be wrong under a virtual machine, ten times
// the real L3 on one); 32 MB where sysfs cannot be read.
int64_t last_level_cache_bytes();
// Whether a forward whose whole batch writes output_bytes streams them: when
// they exceed the last-level cache, which they leave anyway. An ordinary
// store that misses first reads in its line; a bare store loop reaches the
// same bandwidth either way (bench_kernels store_bandwidth), so what the
// kernel gains is most likely its multiply-adds no longer stalled behind
// stores waiting for their lines (CM1's first layer, 48 MB per batch of
// 500). Outputs that fit in the cache stay ordinary stores: streamed, the
// next layer would read them from memory (CNN model 1's steps were slower
// that way; bench/README.md).
inline bool streams(int64_t output_bytes) { return output_bytes > last_level_cache_bytes(); }

// dweight += dout x columns^T, from the padded image and dout packed into
// panels (pack_panels of [O, P]), with dweight in the panels' layout:
// `packed` is [panel_rows(O) / w][K][w] (w = panel_width(O), taps in the
// kernels' order), so each tile's results add to it as one contiguous run.
// A batch accumulates there, image after image (the same sums, in the same
// order, as adding each image's into [O, K]); unpack_weight_grad then adds
// it to dweight [O, C, kh, kw] once.
void weight_grad(const Plan& plan, const float* padded, const int32_t* taps,
                 const int32_t* pixels, const float* dout_panels, int64_t out_channels,
                 float* packed);
void unpack_weight_grad(const Plan& plan, const float* packed, int64_t out_channels,
                        float* dweight);

}  // namespace ember::kernels::direct
