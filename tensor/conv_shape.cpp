// conv_shape.cpp — see conv_shape.hpp.
#include "conv_shape.hpp"

namespace ember::kernels {
namespace {

void check_geometry(const char* op, const Conv2dGeometry& g) {
  EMBER_CHECK(g.stride_h >= 1 && g.stride_w >= 1, ValueError, op, ": stride must be >= 1, got ",
              g.stride_h, "x", g.stride_w);
  EMBER_CHECK(g.dilation_h >= 1 && g.dilation_w >= 1, ValueError, op,
              ": dilation must be >= 1, got ", g.dilation_h, "x", g.dilation_w);
  EMBER_CHECK(g.pad_h >= 0 && g.pad_w >= 0, ValueError, op, ": padding must be >= 0, got ",
              g.pad_h, "x", g.pad_w);
}

}  // namespace

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
  s.oh = conv_out_size(s.h, s.kh, g.stride_h, g.pad_h, g.dilation_h);
  s.ow = conv_out_size(s.w, s.kw, g.stride_w, g.pad_w, g.dilation_w);
  return s;
}

void check_dout(const char* op, const Shape& dout, const Shape& input, const Shape& weight,
                const ConvShape& s) {
  const Shape expected{s.n, s.o, s.oh, s.ow};
  EMBER_CHECK(dout == expected, ShapeError, op, ": dout ", dout, " does not match input ", input,
              " and weight ", weight, ": expected ", expected);
}

}  // namespace ember::kernels
