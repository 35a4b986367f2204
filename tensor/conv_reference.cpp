// conv_reference.cpp — the convolution and its two gradients straight from
// the definition, one loop per index: the judges the fast paths (conv.cpp,
// conv_direct.hpp) are tested against, and the version to read first.
//
//   input [N, C, H, W], weight [O, C, kh, kw], bias [O] -> out [N, O, OH, OW]
//   out[n, o, oh, ow] = bias[o] + sum over (c, i, j) of
//                       input[n, c, ih, iw] * weight[o, c, i, j]
//   with ih = oh*stride_h - pad_h + i*dilation_h, iw = ow*stride_w - pad_w + j*dilation_w,
//   and input = 0 outside [0, H) x [0, W) (the zero padding).
//
// Each term input * weight of that sum sends the output's gradient back to
// both factors: dinput[n, c, ih, iw] += dout[n, o, oh, ow] * weight[o, c, i, j]
// and dweight[o, c, i, j] += dout[n, o, oh, ow] * input[n, c, ih, iw], over
// the same (n, o, oh, ow, c, i, j) as the forward, padding terms skipped.
// Sums run in double, so the references carry no float rounding of their own
// worth mentioning.
#include <vector>

#include "conv_shape.hpp"
#include "kernels.hpp"

namespace ember::kernels {

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

Tensor conv2d_backward_input_reference(const Tensor& dout, const Tensor& weight,
                                       const Shape& input_shape, const Conv2dGeometry& g) {
  const char* op = "conv2d_backward_input_reference";
  const ConvShape s = check_conv(op, input_shape, weight.shape(), g);
  check_dout(op, dout.shape(), input_shape, weight.shape(), s);
  const Tensor dy = contiguous(dout), w = contiguous(weight);
  const float* dyp = dy.data();
  const float* wp = w.data();
  std::vector<double> dx(static_cast<size_t>(s.n * s.c * s.h * s.w), 0.0);
  for (int64_t n = 0; n < s.n; ++n)
    for (int64_t o = 0; o < s.o; ++o)
      for (int64_t oh = 0; oh < s.oh; ++oh)
        for (int64_t ow = 0; ow < s.ow; ++ow) {
          const double d = dyp[((n * s.o + o) * s.oh + oh) * s.ow + ow];
          for (int64_t c = 0; c < s.c; ++c)
            for (int64_t i = 0; i < s.kh; ++i)
              for (int64_t j = 0; j < s.kw; ++j) {
                int64_t ih = oh * g.stride_h - g.pad_h + i * g.dilation_h;
                int64_t iw = ow * g.stride_w - g.pad_w + j * g.dilation_w;
                if (ih < 0 || ih >= s.h || iw < 0 || iw >= s.w) continue;  // zero padding
                dx[static_cast<size_t>(((n * s.c + c) * s.h + ih) * s.w + iw)] +=
                    d * wp[((o * s.c + c) * s.kh + i) * s.kw + j];
              }
        }
  Tensor dinput = Tensor::empty(input_shape);
  for (size_t k = 0; k < dx.size(); ++k) dinput.data()[k] = static_cast<float>(dx[k]);
  return dinput;
}

Tensor conv2d_backward_weight_reference(const Tensor& dout, const Tensor& input,
                                        const Shape& weight_shape, const Conv2dGeometry& g) {
  const char* op = "conv2d_backward_weight_reference";
  const ConvShape s = check_conv(op, input.shape(), weight_shape, g);
  check_dout(op, dout.shape(), input.shape(), weight_shape, s);
  const Tensor dy = contiguous(dout), x = contiguous(input);
  const float* dyp = dy.data();
  const float* xp = x.data();
  std::vector<double> dw(static_cast<size_t>(s.o * s.c * s.kh * s.kw), 0.0);
  for (int64_t n = 0; n < s.n; ++n)
    for (int64_t o = 0; o < s.o; ++o)
      for (int64_t oh = 0; oh < s.oh; ++oh)
        for (int64_t ow = 0; ow < s.ow; ++ow) {
          const double d = dyp[((n * s.o + o) * s.oh + oh) * s.ow + ow];
          for (int64_t c = 0; c < s.c; ++c)
            for (int64_t i = 0; i < s.kh; ++i)
              for (int64_t j = 0; j < s.kw; ++j) {
                int64_t ih = oh * g.stride_h - g.pad_h + i * g.dilation_h;
                int64_t iw = ow * g.stride_w - g.pad_w + j * g.dilation_w;
                if (ih < 0 || ih >= s.h || iw < 0 || iw >= s.w) continue;  // zero padding
                dw[static_cast<size_t>(((o * s.c + c) * s.kh + i) * s.kw + j)] +=
                    d * xp[((n * s.c + c) * s.h + ih) * s.w + iw];
              }
        }
  Tensor dweight = Tensor::empty(weight_shape);
  for (size_t k = 0; k < dw.size(); ++k) dweight.data()[k] = static_cast<float>(dw[k]);
  return dweight;
}

}  // namespace ember::kernels
