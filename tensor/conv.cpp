// conv.cpp — 2-D convolution as im2col + GEMM, and its two backward products.
//
// im2col unrolls every receptive field of an image into a column, so the
// convolution of one image becomes one matrix product:
//   columns [C*kh*kw, OH*OW],  weight [O, C*kh*kw]
//   out_n [O, OH*OW] = weight x columns_n                      (forward)
//   dcolumns [C*kh*kw, OH*OW] = weight^T x dout_n; col2im      (d input)
//   dweight [O, C*kh*kw] += dout_n x columns_n^T, summed over n (d weight)
// The backward products follow from out = W·cols: d cols = W^T·dout and
// d W = dout·cols^T; col2im is the adjoint of im2col (it adds every column
// entry back onto the pixel it was copied from), so it carries d cols to
// d input. A 1x1 kernel with stride 1 and no padding needs no lowering at all:
// the image [C, H*W] already is its column matrix. With stride 1 and at
// least as many input as output channels, d input is computed as the
// convolution of dout with the rotated kernels instead, and that lowering of
// dout also yields d weight (conv2d_backward): see backward_input_as_conv.
//
// Where the CPU has AVX2 + FMA and the product's output channels come in
// panels of 16 (or are at most 8), conv2d and the weight gradient skip the
// lowering altogether: the direct kernels of conv_direct.hpp read the padded
// image in place.
//
// Output size per spatial dim: (H + 2*pad - dilation*(k-1) - 1) / stride + 1.
#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "conv_direct.hpp"
#include "kernels.hpp"
#include "runtime/gemm_stats.hpp"
#include "runtime/parallel.hpp"

namespace ember::kernels {
namespace {

// The flipped convolution's GEMM has C rows and O*kh*kw inner products, the
// transposed one C*kh*kw rows and O: with few input channels (the first
// layer, LeNet's 6) or more outputs than inputs the transposed one is faster
// (measured, bench_kernels conv2d_backward_input, one thread: 5x5 32->32
// 27.3 -> 22.9 ms, 3x3 64->64 8.3 -> 7.0 ms; but 5x5 6->16 5.7 -> 13.9 ms and
// 3x3 32->64 valid 3.6 -> 6.0 ms, so those keep col2im). The flipped
// convolution also multiplies over the whole H x W input, padding included,
// where the transposed one works on the OH x OW outputs: for a 'valid'
// convolution with a large kernel that is H*W / (OH*OW) times the work
// (484 / 256 for experiment 001's 7x7 on 22x22: backward 266 ms instead of
// ~150), so it is used only when the two differ by at most 1/8.
constexpr int64_t kMinFlipChannels = 16;

// One image's column matrix (or padded image, packed dout, or a batch chunk's
// packed dweight: slots 0, 1, 2), per thread: a buffer that only grows and
// is kept for the thread's life, so steady-state
// training steps allocate no lowering scratch at all, however the pool's
// chunks interleave (the caching allocator alone asked the system for a block
// now and then when two threads' scratch lifetimes overlapped differently
// from one step to the next). At most one live use per thread and slot: a
// kernel takes it, lowers images into it, and is done before any other
// kernel runs on that thread.
float* column_scratch(int64_t n, int slot = 0) {
  thread_local std::vector<float> buffers[3];
  std::vector<float>& buffer = buffers[slot];
  if (buffer.size() < static_cast<size_t>(n)) buffer.resize(static_cast<size_t>(n));
  return buffer.data();
}

// Whether the direct kernels may run: on by default, EMBER_DIRECT_CONV=0 in
// the environment or set_direct_conv(false) turns them off (A/B runs, tests).
std::atomic<bool>& direct_conv_flag() {
  static std::atomic<bool> flag{[] {
    const char* env = std::getenv("EMBER_DIRECT_CONV");
    return !(env && std::strcmp(env, "0") == 0);
  }()};
  return flag;
}

// Checked sizes of one convolution.
struct ConvShape {
  int64_t n, c, h, w;  // input
  int64_t o, kh, kw;   // weight [O, C, kh, kw]
  int64_t oh, ow;      // output
  int64_t patch() const { return c * kh * kw; }
  int64_t pixels() const { return oh * ow; }
  bool is_pointwise(const Conv2dGeometry& g) const {
    return kh == 1 && kw == 1 && g.stride_h == 1 && g.stride_w == 1 && g.pad_h == 0 &&
           g.pad_w == 0;
  }
};

int64_t out_size(int64_t in, int64_t k, int64_t stride, int64_t pad, int64_t dilation) {
  return (in + 2 * pad - dilation * (k - 1) - 1) / stride + 1;
}

void check_geometry(const char* op, const Conv2dGeometry& g) {
  EMBER_CHECK(g.stride_h >= 1 && g.stride_w >= 1, ValueError, op, ": stride must be >= 1, got ",
              g.stride_h, "x", g.stride_w);
  EMBER_CHECK(g.dilation_h >= 1 && g.dilation_w >= 1, ValueError, op,
              ": dilation must be >= 1, got ", g.dilation_h, "x", g.dilation_w);
  EMBER_CHECK(g.pad_h >= 0 && g.pad_w >= 0, ValueError, op, ": padding must be >= 0, got ",
              g.pad_h, "x", g.pad_w);
}

ConvShape check_conv(const char* op, const Shape& input, const Shape& weight,
                     const Conv2dGeometry& g) {
  check_geometry(op, g);
  EMBER_CHECK(input.size() == 4, ShapeError, op, ": input must be [N, C, H, W], got ", input);
  EMBER_CHECK(weight.size() == 4, ShapeError, op, ": weight must be [O, C, kh, kw], got ",
              weight);
  ConvShape s{input[0], input[1], input[2], input[3], weight[0], weight[2], weight[3], 0, 0};
  EMBER_CHECK(input[1] == weight[1], ShapeError, op, ": input ", input, " has ", input[1],
              " channels but weight ", weight, " expects ", weight[1]);
  const int64_t extent_h = g.dilation_h * (s.kh - 1) + 1;
  const int64_t extent_w = g.dilation_w * (s.kw - 1) + 1;
  EMBER_CHECK(s.kh >= 1 && s.kw >= 1 && extent_h <= s.h + 2 * g.pad_h &&
                  extent_w <= s.w + 2 * g.pad_w,
              ShapeError, op, ": kernel ", s.kh, "x", s.kw, " (dilated extent ", extent_h, "x",
              extent_w, ") does not fit the padded input ", s.h + 2 * g.pad_h, "x",
              s.w + 2 * g.pad_w, " (input ", input, ", weight ", weight, ", padding ", g.pad_h,
              "x", g.pad_w, ")");
  s.oh = out_size(s.h, s.kh, g.stride_h, g.pad_h, g.dilation_h);
  s.ow = out_size(s.w, s.kw, g.stride_w, g.pad_w, g.dilation_w);
  return s;
}

direct::Plan direct_plan(const ConvShape& s, const Conv2dGeometry& g) {
  direct::Plan plan{s.c, s.h, s.w, s.kh, s.kw, s.oh, s.ow, g};
  plan.column_passes = direct::column_passes_pay(plan, s.o);
  return plan;
}

// The direct kernels compute `out_channels` rows of results in panels of 16,
// or up to 8 in one panel of 8 (conv_direct.hpp: panels_fit).
bool direct_applies(const direct::Plan& plan, int64_t out_channels) {
  return direct::panels_fit(out_channels) && plan.fits() && avx2_fma_supported() &&
         direct_conv_flag().load(std::memory_order_relaxed);
}

// The offsets the direct kernels index the padded image with (conv_direct.hpp).
struct DirectOffsets {
  std::vector<int32_t> taps, pixels;
  explicit DirectOffsets(const direct::Plan& plan)
      : taps(static_cast<size_t>(plan.taps())), pixels(static_cast<size_t>(plan.pixels())) {
    direct::tap_offsets(plan, taps.data());
    direct::pixel_offsets(plan, pixels.data());
  }
};

// The outputs ow whose input column ow*stride + offset lies inside [0, width).
struct ValidRange {
  int64_t lo, hi;
};
ValidRange valid_outputs(int64_t offset, int64_t stride, int64_t width, int64_t out) {
  int64_t lo = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
  int64_t hi = width - offset <= 0 ? 0 : (width - offset + stride - 1) / stride;
  hi = std::min(hi, out);
  lo = std::min(lo, hi);
  return {lo, hi};
}

// One loop nest serves im2col (gather) and col2im (scatter-add): for every
// kernel tap (c, ki, kj) and output row oh it visits the run of outputs
// [lo, hi) that read real pixels; the rest are padding. No per-element bounds
// checks and no per-element index decomposition.
template <class Row>
void for_each_tap_row(int64_t channels, int64_t height, int64_t width, int64_t kh, int64_t kw,
                      const Conv2dGeometry& g, Row&& row) {
  const int64_t oh_n = out_size(height, kh, g.stride_h, g.pad_h, g.dilation_h);
  const int64_t ow_n = out_size(width, kw, g.stride_w, g.pad_w, g.dilation_w);
  int64_t column_row = 0;
  for (int64_t c = 0; c < channels; ++c)
    for (int64_t ki = 0; ki < kh; ++ki)
      for (int64_t kj = 0; kj < kw; ++kj, ++column_row) {
        const int64_t w_off = kj * g.dilation_w - g.pad_w;
        const ValidRange r = valid_outputs(w_off, g.stride_w, width, ow_n);
        for (int64_t oh = 0; oh < oh_n; ++oh) {
          const int64_t ih = oh * g.stride_h - g.pad_h + ki * g.dilation_h;
          const int64_t col = (column_row * oh_n + oh) * ow_n;
          if (ih < 0 || ih >= height) {
            row(col, int64_t{-1}, w_off, ValidRange{0, 0}, ow_n);
          } else {
            row(col, (c * height + ih) * width, w_off, r, ow_n);
          }
        }
      }
}

}  // namespace

// In both, `pix` is the start of input row ih, or -1 when ih is padding; the
// pixel under output ow is pix + ow*stride + w_off, inside the row for ow in [lo, hi).
namespace {

// im2col for stride 1 when output rows are as long as input rows (the 'same'
// convolutions of the tutorials). Then a tap's output row oh+1 reads the input
// row after the one row oh reads, at the same column shift, so all its valid
// rows are ONE contiguous run in both buffers: copy it in one go, then zero
// the few padded columns at the row ends that the run dragged along (they
// hold the neighbouring row's pixels). Two copies per tap instead of OH.
void im2col_full_rows(const float* image, int64_t channels, int64_t height, int64_t width,
                      int64_t kh, int64_t kw, const Conv2dGeometry& g, float* columns) {
  const int64_t oh_n = out_size(height, kh, 1, g.pad_h, g.dilation_h), ow_n = width;
  const int64_t plane = oh_n * ow_n;
  float* dst = columns;
  for (int64_t c = 0; c < channels; ++c)
    for (int64_t ki = 0; ki < kh; ++ki) {
      // Output rows [top, bottom) read input rows oh + h_off inside [0, height).
      const int64_t h_off = ki * g.dilation_h - g.pad_h;
      const int64_t top = std::clamp<int64_t>(-h_off, 0, oh_n);
      const int64_t bottom = std::clamp<int64_t>(height - h_off, top, oh_n);
      for (int64_t kj = 0; kj < kw; ++kj, dst += plane) {
        const int64_t w_off = kj * g.dilation_w - g.pad_w;
        const ValidRange r = valid_outputs(w_off, 1, width, ow_n);
        std::fill(dst, dst + top * ow_n, 0.0f);
        std::fill(dst + bottom * ow_n, dst + plane, 0.0f);
        if (bottom == top || r.hi == r.lo) {
          std::fill(dst + top * ow_n, dst + bottom * ow_n, 0.0f);
          continue;
        }
        // The run goes from (top, r.lo) to (bottom - 1, r.hi - 1), both real pixels.
        const float* src = image + (c * height + top + h_off) * width + r.lo + w_off;
        const int64_t run = (bottom - 1 - top) * ow_n + (r.hi - r.lo);
        std::copy(src, src + run, dst + top * ow_n + r.lo);
        for (int64_t oh = top; oh < bottom; ++oh) {
          float* row = dst + oh * ow_n;
          for (int64_t ow = 0; ow < r.lo; ++ow) row[ow] = 0.0f;
          for (int64_t ow = r.hi; ow < ow_n; ++ow) row[ow] = 0.0f;
        }
      }
    }
}

}  // namespace

void im2col(const float* image, int64_t channels, int64_t height, int64_t width, int64_t kh,
            int64_t kw, const Conv2dGeometry& g, float* columns) {
  const int64_t sw = g.stride_w;
  if (g.stride_h == 1 && sw == 1 && out_size(width, kw, 1, g.pad_w, g.dilation_w) == width)
    return im2col_full_rows(image, channels, height, width, kh, kw, g, columns);
  for_each_tap_row(channels, height, width, kh, kw, g,
                   [&](int64_t col, int64_t pix, int64_t w_off, ValidRange r, int64_t ow_n) {
                     float* dst = columns + col;
                     std::fill(dst, dst + r.lo, 0.0f);
                     if (pix >= 0 && sw == 1 && r.hi > r.lo) {
                       const float* src = image + pix + r.lo + w_off;
                       std::copy(src, src + (r.hi - r.lo), dst + r.lo);
                     } else if (pix >= 0) {
                       const float* src = image + pix;
                       for (int64_t ow = r.lo; ow < r.hi; ++ow) dst[ow] = src[ow * sw + w_off];
                     }
                     std::fill(dst + r.hi, dst + ow_n, 0.0f);
                   });
}

void col2im(const float* columns, int64_t channels, int64_t height, int64_t width, int64_t kh,
            int64_t kw, const Conv2dGeometry& g, float* image) {
  const int64_t sw = g.stride_w;
  for_each_tap_row(channels, height, width, kh, kw, g,
                   [&](int64_t col, int64_t pix, int64_t w_off, ValidRange r, int64_t) {
                     if (pix < 0 || r.hi == r.lo) return;
                     const float* src = columns + col;
                     if (sw == 1) {  // unit stride on both sides: a loop that vectorizes
                       float* dst = image + pix + r.lo + w_off;
                       const float* from = src + r.lo;
                       for (int64_t i = 0; i < r.hi - r.lo; ++i) dst[i] += from[i];
                     } else {
                       float* dst = image + pix;
                       for (int64_t ow = r.lo; ow < r.hi; ++ow) dst[ow * sw + w_off] += src[ow];
                     }
                   });
}

void set_direct_conv(bool enabled) { direct_conv_flag().store(enabled); }
bool direct_conv_enabled() { return direct_conv_flag().load(); }

Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias,
              const Conv2dGeometry& g, bool relu) {
  const ConvShape s = check_conv("conv2d", input.shape(), weight.shape(), g);
  if (bias.defined())
    EMBER_CHECK(bias.shape() == Shape{s.o}, ShapeError, "conv2d: bias ", bias.shape(),
                " does not match weight ", weight.shape(), ": expected [", s.o, "]");
  const Tensor x = contiguous(input), w = contiguous(weight);
  const Tensor b = bias.defined() ? contiguous(bias) : Tensor();
  Tensor out = Tensor::empty({s.n, s.o, s.oh, s.ow});
  const int64_t k = s.patch(), p = s.pixels(), image = s.c * s.h * s.w;
  const direct::Plan plan = direct_plan(s, g);
  if (direct_applies(plan, s.o)) {
    const DirectOffsets offsets(plan);
    const std::vector<direct::FlatTile> flat = direct::flat_tiles(plan, s.o);
    const bool stream = direct::streams(s.n * s.o * p * int64_t{sizeof(float)});
    Tensor panels = Tensor::empty({direct::panel_rows(s.o), k});
    direct::pack_weight(plan, w.data(), s.o, panels.data());
    detail::parallel_for(s.n, 1, [&](int64_t first, int64_t last, int64_t) {
      float* scratch = plan.padded() ? column_scratch(plan.padded_size()) : nullptr;
      float* stage = column_scratch(direct::panel_rows(s.o) * p, 1);
      for (int64_t n = first; n < last; ++n) {
        // n > first: scratch holds the chunk's previous image, border and all
        const float* padded = direct::pad_image(plan, x.data() + n * image, scratch, n > first);
        GemmTimer timer(false, false, s.o, p, k);  // the GEMM it stands for, for the profiler
        direct::forward(plan, padded, offsets.taps.data(), offsets.pixels.data(),
                        flat.empty() ? nullptr : flat.data(), panels.data(),
                        b.defined() ? b.data() : nullptr, s.o, relu, stream, stage,
                        out.data() + n * s.o * p);
      }
    });
    return out;
  }
  const bool pointwise = s.is_pointwise(g);
  // Images are independent: each chunk of the batch lowers into its own columns.
  detail::parallel_for(s.n, 1, [&](int64_t first, int64_t last, int64_t) {
    float* cols = pointwise ? nullptr : column_scratch(k * p);
    for (int64_t n = first; n < last; ++n) {
      float* y = out.data() + n * s.o * p;
      // The bias enters as GEMM's initial C (beta = 1), saving a pass over y.
      if (b.defined())
        for (int64_t o = 0; o < s.o; ++o) std::fill(y + o * p, y + (o + 1) * p, b.data()[o]);
      const float* src = x.data() + n * image;
      if (!pointwise) {
        im2col(src, s.c, s.h, s.w, s.kh, s.kw, g, cols);
        src = cols;
      }
      sgemm(false, false, s.o, p, k, 1.0f, w.data(), k, src, p, b.defined() ? 1.0f : 0.0f, y, p);
      if (relu)  // while the image's output is still in cache
        for (int64_t i = 0; i < s.o * p; ++i) y[i] = y[i] > 0.0f ? y[i] : 0.0f;
    }
  });
  return out;
}

namespace {

// With stride 1, d input is itself a convolution: input pixel (h, w) received
// weight[o, c, i, j] * x from every output (h - i*dil + pad, w - j*dil + pad),
// so dinput = conv2d(dout, flipped) with flipped[c, o, i, j] =
// weight[o, c, kh-1-i, kw-1-j] and padding dil*(k-1) - pad (output size
// OH + dil*(k-1) - 2 pad = H). That runs as im2col + a plain GEMM instead of
// a transposed GEMM + col2im's scatter-add, and the transposed GEMM's write
// of a zeroed [C*kh*kw, OH*OW] buffer per image goes away.
Conv2dGeometry flipped_geometry(const ConvShape& s, const Conv2dGeometry& g) {
  return {1, 1, g.dilation_h * (s.kh - 1) - g.pad_h, g.dilation_w * (s.kw - 1) - g.pad_w,
          g.dilation_h, g.dilation_w};
}

// The flipped convolution: dout [N, O, OH, OW] in, d input [N, C, H, W] out.
ConvShape flipped_shape(const ConvShape& s) {
  return {s.n, s.o, s.oh, s.ow, s.c, s.kh, s.kw, s.h, s.w};
}

// Which way d input goes. Over im2col + GEMM the flipped convolution
// multiplies H*W pixels by every tap where the transposed GEMM takes OH*OW,
// so it pays only when the two differ by at most 1/8 (and where OpenBLAS
// likes its GEMM shape, see kMinFlipChannels). The direct kernel skips the
// kernel rows that read only dout's zero border (and in column passes the
// columns too, which brings experiment 001's 7x7 'valid' 64->32, 22x22 ->
// 16x16, from 1.38x the transposed GEMM's multiply-adds to 1x), and ran at
// about twice the transposed GEMM + col2im even at 1.38x (backward 85 -> 69
// ms per batch of 100 on 2 threads), so there it pays up to 1.5x the work.
bool backward_input_as_conv(const ConvShape& s, const Conv2dGeometry& g) {
  if (g.stride_h != 1 || g.stride_w != 1 || g.pad_h > g.dilation_h * (s.kh - 1) ||
      g.pad_w > g.dilation_w * (s.kw - 1) || s.is_pointwise(g))
    return false;
  const direct::Plan flipped = direct_plan(flipped_shape(s), flipped_geometry(s, g));
  if (direct_applies(flipped, s.c))
    return 2 * direct::visited_taps(flipped) <= 3 * s.pixels() * s.kh * s.kw;
  return s.c >= kMinFlipChannels && s.c >= s.o && 8 * s.h * s.w <= 9 * s.pixels();
}

// [A, B, kh, kw] -> [B, A, kh, kw] with each kernel rotated by 180 degrees.
// Its own inverse: it turns weight into flipped and a flipped gradient back.
Tensor flip_kernels(const float* src, int64_t a_n, int64_t b_n, int64_t kh, int64_t kw) {
  Tensor f = Tensor::empty({b_n, a_n, kh, kw});
  float* dst = f.data();
  for (int64_t a = 0; a < a_n; ++a)
    for (int64_t b = 0; b < b_n; ++b)
      for (int64_t i = 0; i < kh; ++i)
        for (int64_t j = 0; j < kw; ++j)
          dst[((b * a_n + a) * kh + (kh - 1 - i)) * kw + (kw - 1 - j)] =
              src[((a * b_n + b) * kh + i) * kw + j];
  return f;
}

}  // namespace

Tensor conv2d_backward_input(const Tensor& dout, const Tensor& weight, const Shape& input_shape,
                             const Conv2dGeometry& g) {
  const ConvShape s = check_conv("conv2d_backward_input", input_shape, weight.shape(), g);
  const Shape expected{s.n, s.o, s.oh, s.ow};
  EMBER_CHECK(dout.shape() == expected, ShapeError, "conv2d_backward_input: dout ", dout.shape(),
              " does not match input ", input_shape, " and weight ", weight.shape(),
              ": expected ", expected);
  const Tensor dy = contiguous(dout), w = contiguous(weight);
  if (backward_input_as_conv(s, g))
    return conv2d(dy, flip_kernels(w.data(), s.o, s.c, s.kh, s.kw), Tensor(),
                  flipped_geometry(s, g));
  const int64_t k = s.patch(), p = s.pixels(), image = s.c * s.h * s.w;
  const bool pointwise = s.is_pointwise(g);
  Tensor dinput = Tensor::empty(input_shape);
  detail::parallel_for(s.n, 1, [&](int64_t first, int64_t last, int64_t) {
    float* dcols = pointwise ? nullptr : column_scratch(k * p);
    for (int64_t n = first; n < last; ++n) {
      float* dx = dinput.data() + n * image;
      float* dst = pointwise ? dx : dcols;
      sgemm(true, false, k, p, s.o, 1.0f, w.data(), k, dy.data() + n * s.o * p, p, 0.0f, dst, p);
      if (!pointwise) {
        std::fill(dx, dx + image, 0.0f);  // col2im adds
        col2im(dcols, s.c, s.h, s.w, s.kh, s.kw, g, dx);
      }
    }
  });
  return dinput;
}

namespace {

// The sums over pixels of each channel of packed panels ([panel_rows(o) /
// w][p][w], see direct::pack_panels), added to sums[o] (in double, as
// kernels::sum).
void add_panel_sums(const float* panels, int64_t o, int64_t p, double* sums) {
  const int64_t width = direct::panel_width(o);
  for (int64_t r0 = 0; r0 < o; r0 += width, panels += width * p) {
    double lane[direct::kMaxPanel] = {};
    for (int64_t j = 0; j < p; ++j)
      for (int64_t l = 0; l < width; ++l) lane[l] += panels[j * width + l];
    for (int64_t l = 0; l < std::min(width, o - r0); ++l) sums[r0 + l] += lane[l];
  }
}

// conv2d_backward_weight's body. With relu_out (where the direct kernels
// run; see conv2d_relu_backward), dout is masked by relu_out > 0 as it is
// packed, and with dbias its sums over (n, h, w) come from the same panels.
Tensor weight_grad(const Tensor& dout, const Tensor& input, const Shape& weight_shape,
                   const Conv2dGeometry& g, const Tensor* relu_out, Tensor* dbias) {
  const ConvShape s = check_conv("conv2d_backward_weight", input.shape(), weight_shape, g);
  const Shape expected{s.n, s.o, s.oh, s.ow};
  EMBER_CHECK(dout.shape() == expected, ShapeError, "conv2d_backward_weight: dout ",
              dout.shape(), " does not match input ", input.shape(), " and weight ",
              weight_shape, ": expected ", expected);
  const Tensor dy = contiguous(dout), x = contiguous(input);
  const Tensor keep = relu_out ? contiguous(*relu_out) : Tensor();
  const int64_t k = s.patch(), p = s.pixels(), image = s.c * s.h * s.w;
  const bool pointwise = s.is_pointwise(g);
  // dweight sums over images: chunk 0 accumulates into the result, every other
  // chunk into a partial of its own, added afterwards in chunk order (so the
  // sum is the same run to run).
  const int64_t chunks = detail::chunk_count(s.n, 1);
  std::vector<Tensor> partial(static_cast<size_t>(chunks));
  for (Tensor& t : partial) t = Tensor::zeros(weight_shape);
  std::vector<std::vector<double>> bias_sums(dbias ? static_cast<size_t>(chunks) : 0,
                                             std::vector<double>(static_cast<size_t>(s.o)));
  const direct::Plan plan = direct_plan(s, g);
  if (direct_applies(plan, s.o)) {
    const DirectOffsets offsets(plan);
    detail::parallel_for(s.n, 1, [&](int64_t first, int64_t last, int64_t chunk) {
      float* scratch = plan.padded() ? column_scratch(plan.padded_size()) : nullptr;
      // dout_n^T in panels of 16 (or 8, or 32) channels
      float* panels = column_scratch(direct::panel_rows(s.o) * p, 1);
      // the chunk's dweight in the same panel layout (conv_direct.hpp)
      const int64_t packed_size = direct::panel_rows(s.o) * k;
      float* packed = column_scratch(packed_size, 2);
      std::fill(packed, packed + packed_size, 0.0f);
      for (int64_t n = first; n < last; ++n) {
        direct::pack_panels(dy.data() + n * s.o * p, s.o, p, panels,
                            relu_out ? keep.data() + n * s.o * p : nullptr);
        if (dbias) add_panel_sums(panels, s.o, p, bias_sums[static_cast<size_t>(chunk)].data());
        // n > first: scratch holds the chunk's previous image, border and all
        const float* padded = direct::pad_image(plan, x.data() + n * image, scratch, n > first);
        GemmTimer timer(false, true, s.o, k, p);
        direct::weight_grad(plan, padded, offsets.taps.data(), offsets.pixels.data(), panels, s.o,
                            packed);
      }
      direct::unpack_weight_grad(plan, packed, s.o, partial[static_cast<size_t>(chunk)].data());
    });
  } else {
    EMBER_CHECK(!relu_out && !dbias, ValueError,
                "conv2d_backward_weight: relu's mask and dbias need the direct kernels");
    detail::parallel_for(s.n, 1, [&](int64_t first, int64_t last, int64_t chunk) {
      float* cols = pointwise ? nullptr : column_scratch(k * p);
      float* dw = partial[static_cast<size_t>(chunk)].data();
      for (int64_t n = first; n < last; ++n) {
        const float* src = x.data() + n * image;
        if (!pointwise) {
          im2col(src, s.c, s.h, s.w, s.kh, s.kw, g, cols);
          src = cols;
        }
        sgemm(false, true, s.o, k, p, 1.0f, dy.data() + n * s.o * p, p, src, p, 1.0f, dw, k);
      }
    });
  }
  Tensor dweight = partial[0];
  float* total = dweight.data();
  for (size_t c = 1; c < partial.size(); ++c) {
    const float* part = partial[c].data();
    for (int64_t i = 0, n = dweight.numel(); i < n; ++i) total[i] += part[i];
  }
  if (dbias) {
    *dbias = Tensor::empty({s.o});
    for (int64_t o = 0; o < s.o; ++o) {
      double sum = 0.0;
      for (const std::vector<double>& part : bias_sums) sum += part[static_cast<size_t>(o)];
      dbias->data()[o] = static_cast<float>(sum);
    }
  }
  return dweight;
}

// relu's gradient: g where out > 0, else 0 (out and g of one shape).
Tensor relu_mask(const Tensor& g, const Tensor& out) {
  const Tensor gc = contiguous(g), oc = contiguous(out);
  Tensor masked = Tensor::empty(g.shape());
  const float *pg = gc.data(), *po = oc.data();
  float* pm = masked.data();
  detail::parallel_for(masked.numel(), 1 << 15, [&](int64_t lo, int64_t hi, int64_t) {
    // Both loads unconditional: a load under the condition kept GCC from
    // vectorizing, and the branch on random signs cost 1 ns per element.
    for (int64_t i = lo; i < hi; ++i) {
      const float gi = pg[i], oi = po[i];
      pm[i] = oi > 0.0f ? gi : 0.0f;
    }
  });
  return masked;
}

}  // namespace

Tensor conv2d_backward_weight(const Tensor& dout, const Tensor& input, const Shape& weight_shape,
                              const Conv2dGeometry& g) {
  return weight_grad(dout, input, weight_shape, g, nullptr, nullptr);
}

// Where the flipped convolution computes d input, its lowering of dout also
// gives d weight: with cols = im2col(dout_n) under the flipped geometry,
//   cols[(o, i', j'), (h, w)] = dout_n[o, h + i' dil - pad', w + j' dil - pad']
// and pad' = dil (k-1) - pad, the product x_n [C, H*W] x cols^T is
//   sum_hw x_n[c, h, w] dout_n[o, h - (k-1-i') dil + pad, ...]
// = dweight[o, c, k-1-i', k-1-j'] (substitute oh = h - i dil + pad in the
// definition), i.e. the flipped layout of dweight. One im2col per image
// serves both products, instead of one of dout and one of the input.
Conv2dGrads conv2d_backward(const Tensor& dout, const Tensor& input, const Tensor& weight,
                            const Conv2dGeometry& g, bool need_input, bool need_weight) {
  const ConvShape s = check_conv("conv2d_backward", input.shape(), weight.shape(), g);
  const Shape expected{s.n, s.o, s.oh, s.ow};
  EMBER_CHECK(dout.shape() == expected, ShapeError, "conv2d_backward: dout ", dout.shape(),
              " does not match input ", input.shape(), " and weight ", weight.shape(),
              ": expected ", expected);
  // With the direct kernels neither product needs dout's lowering, so there
  // is nothing to share: d input runs as the flipped convolution
  // (conv2d_backward_input), d weight from the input in place.
  const bool flip = need_input && need_weight && backward_input_as_conv(s, g);
  const bool both_direct =
      flip && direct_applies(direct_plan(s, g), s.o) &&
      direct_applies(direct_plan(flipped_shape(s), flipped_geometry(s, g)), s.c);
  if (!flip || both_direct)
    return {need_input ? conv2d_backward_input(dout, weight, input.shape(), g) : Tensor(),
            need_weight ? conv2d_backward_weight(dout, input, weight.shape(), g) : Tensor(),
            Tensor()};
  const Tensor dy = contiguous(dout), x = contiguous(input), w = contiguous(weight);
  const Tensor flipped = flip_kernels(w.data(), s.o, s.c, s.kh, s.kw);  // [C, O, kh, kw]
  const Conv2dGeometry fg = flipped_geometry(s, g);
  const int64_t k = s.o * s.kh * s.kw, p = s.h * s.w, image = s.c * p;
  Tensor dinput = Tensor::empty(input.shape());
  const int64_t chunks = detail::chunk_count(s.n, 1);
  std::vector<Tensor> partial(static_cast<size_t>(chunks));  // flipped dweight per chunk
  for (Tensor& t : partial) t = Tensor::zeros({s.c, k});
  detail::parallel_for(s.n, 1, [&](int64_t first, int64_t last, int64_t chunk) {
    float* cols = column_scratch(k * p);
    float* dwf = partial[static_cast<size_t>(chunk)].data();
    for (int64_t n = first; n < last; ++n) {
      im2col(dy.data() + n * s.o * s.oh * s.ow, s.o, s.oh, s.ow, s.kh, s.kw, fg, cols);
      sgemm(false, false, s.c, p, k, 1.0f, flipped.data(), k, cols, p, 0.0f,
            dinput.data() + n * image, p);
      sgemm(false, true, s.c, k, p, 1.0f, x.data() + n * image, p, cols, p, 1.0f, dwf, k);
    }
  });
  float* total = partial[0].data();
  for (size_t c = 1; c < partial.size(); ++c) {
    const float* part = partial[c].data();
    for (int64_t i = 0, n = s.c * k; i < n; ++i) total[i] += part[i];
  }
  return {dinput, flip_kernels(total, s.c, s.o, s.kh, s.kw), Tensor()};
}

Conv2dGrads conv2d_relu_backward(const Tensor& dout, const Tensor& out, const Tensor& input,
                                 const Tensor& weight, const Conv2dGeometry& g, bool need_input,
                                 bool need_weight, bool need_bias) {
  const ConvShape s = check_conv("conv2d_relu_backward", input.shape(), weight.shape(), g);
  const Shape expected{s.n, s.o, s.oh, s.ow};
  EMBER_CHECK(dout.shape() == expected && out.shape() == expected, ShapeError,
              "conv2d_relu_backward: dout ", dout.shape(), " and out ", out.shape(),
              " must both be ", expected, " for input ", input.shape(), " and weight ",
              weight.shape());
  if (!need_input && need_weight && direct_applies(direct_plan(s, g), s.o)) {
    Conv2dGrads d;
    d.dweight = weight_grad(dout, input, weight.shape(), g, &out, need_bias ? &d.dbias : nullptr);
    return d;
  }
  const Tensor masked = relu_mask(dout, out);
  Conv2dGrads d = conv2d_backward(masked, input, weight, g, need_input, need_weight);
  if (need_bias) d.dbias = sum(masked, {0, 2, 3});
  return d;
}

// The definition, loop by loop, with explicit padding tests; double accumulator.
Tensor conv2d_reference(const Tensor& input, const Tensor& weight, const Tensor& bias,
                        const Conv2dGeometry& g) {
  const ConvShape s = check_conv("conv2d_reference", input.shape(), weight.shape(), g);
  if (bias.defined())
    EMBER_CHECK(bias.shape() == Shape{s.o}, ShapeError, "conv2d_reference: bias ", bias.shape(),
                " does not match weight ", weight.shape(), ": expected [", s.o, "]");
  const Tensor x = contiguous(input), w = contiguous(weight);
  const Tensor b = bias.defined() ? contiguous(bias) : Tensor();
  Tensor out = Tensor::empty({s.n, s.o, s.oh, s.ow});
  const float* xp = x.data();
  const float* wp = w.data();
  float* yp = out.data();
  for (int64_t n = 0; n < s.n; ++n)
    for (int64_t o = 0; o < s.o; ++o)
      for (int64_t oh = 0; oh < s.oh; ++oh)
        for (int64_t ow = 0; ow < s.ow; ++ow) {
          double acc = b.defined() ? b.data()[o] : 0.0;
          for (int64_t c = 0; c < s.c; ++c)
            for (int64_t i = 0; i < s.kh; ++i)
              for (int64_t j = 0; j < s.kw; ++j) {
                int64_t ih = oh * g.stride_h - g.pad_h + i * g.dilation_h;
                int64_t iw = ow * g.stride_w - g.pad_w + j * g.dilation_w;
                if (ih < 0 || ih >= s.h || iw < 0 || iw >= s.w) continue;  // zero padding
                acc += static_cast<double>(xp[((n * s.c + c) * s.h + ih) * s.w + iw]) *
                       wp[((o * s.c + c) * s.kh + i) * s.kw + j];
              }
          yp[((n * s.o + o) * s.oh + oh) * s.ow + ow] = static_cast<float>(acc);
        }
  return out;
}

}  // namespace ember::kernels
