// conv_shape.hpp — the checked sizes of one convolution, shared by the
// fast paths (conv.cpp), the lowering (im2col.cpp) and the references
// (conv_reference.cpp). Internal to tensor/.
//
// Output size per spatial dim: (H + 2*pad - dilation*(k-1) - 1) / stride + 1.
#pragma once

#include <cstdint>

#include "kernels.hpp"

namespace ember::kernels {

inline int64_t conv_out_size(int64_t in, int64_t k, int64_t stride, int64_t pad,
                             int64_t dilation) {
  return (in + 2 * pad - dilation * (k - 1) - 1) / stride + 1;
}

// input [N, C, H, W], weight [O, C, kh, kw], output [N, O, OH, OW].
struct ConvShape {
  int64_t n, c, h, w;  // input
  int64_t o, kh, kw;   // weight [O, C, kh, kw]
  int64_t oh, ow;      // output
  int64_t patch() const { return c * kh * kw; }  // rows of the column matrix
  int64_t pixels() const { return oh * ow; }     // its columns
  bool is_pointwise(const Conv2dGeometry& g) const {
    return kh == 1 && kw == 1 && g.stride_h == 1 && g.stride_w == 1 && g.pad_h == 0 &&
           g.pad_w == 0;
  }
};

// Checks the geometry and that weight fits input; errors name `op` and the shapes.
ConvShape check_conv(const char* op, const Shape& input, const Shape& weight,
                     const Conv2dGeometry& g);
// Checks that a backward's dout is [N, O, OH, OW] for that convolution.
void check_dout(const char* op, const Shape& dout, const Shape& input, const Shape& weight,
                const ConvShape& s);

}  // namespace ember::kernels
