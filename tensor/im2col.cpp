// im2col.cpp — lowering a convolution to a matrix product, and back.
//
// For one image [C, H, W] and a kh x kw kernel, im2col copies every
// receptive field into a column:
//   columns [C*kh*kw, OH*OW],
//   columns[(c, i, j), (oh, ow)] = image[c, oh*stride_h - pad_h + i*dilation_h,
//                                           ow*stride_w - pad_w + j*dilation_w]
// (0 where that pixel falls in the zero padding), so that with the weight
// seen as a matrix [O, C*kh*kw] the convolution of the image is one product:
//   out [O, OH*OW] = weight [O, C*kh*kw] x columns [C*kh*kw, OH*OW]
// col2im is im2col's adjoint: it adds every column entry back onto the pixel
// it was copied from (padding entries go nowhere), which carries the
// gradient of the columns to the gradient of the image.
//
// Written as the textbook loop, each entry would test its pixel for padding.
// Here, for one kernel tap (c, i, j) and one output row oh, the outputs whose
// pixel is real form one run [lo, hi) of the row (the rest is padding): the
// loops copy (or add) that run and fill the rest with zeros, with no test or
// index arithmetic per entry.
#include <algorithm>

#include "conv_shape.hpp"
#include "kernels.hpp"

namespace ember::kernels {
namespace {

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
// In `row`, `pix` is the start of input row ih, or -1 when ih is padding; the
// pixel under output ow is pix + ow*stride + w_off, inside the row for ow in [lo, hi).
template <class Row>
void for_each_tap_row(int64_t channels, int64_t height, int64_t width, int64_t kh, int64_t kw,
                      const Conv2dGeometry& g, Row&& row) {
  const int64_t oh_n = conv_out_size(height, kh, g.stride_h, g.pad_h, g.dilation_h);
  const int64_t ow_n = conv_out_size(width, kw, g.stride_w, g.pad_w, g.dilation_w);
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

// im2col for stride 1 when output rows are as long as input rows (the 'same'
// convolutions of the tutorials). Then a tap's output row oh+1 reads the input
// row after the one row oh reads, at the same column shift, so all its valid
// rows are ONE contiguous run in both buffers: copy it in one go, then zero
// the few padded columns at the row ends that the run dragged along (they
// hold the neighbouring row's pixels). Two copies per tap instead of OH.
void im2col_full_rows(const float* image, int64_t channels, int64_t height, int64_t width,
                      int64_t kh, int64_t kw, const Conv2dGeometry& g, float* columns) {
  const int64_t oh_n = conv_out_size(height, kh, 1, g.pad_h, g.dilation_h), ow_n = width;
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
  if (g.stride_h == 1 && sw == 1 && conv_out_size(width, kw, 1, g.pad_w, g.dilation_w) == width)
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

}  // namespace ember::kernels
