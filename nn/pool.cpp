// pool.cpp — pooling layers over autograd's max_pool2d / avg_pool2d / mean.
#include "pool.hpp"

#include "../autograd/ops.hpp"

namespace ember::nn {

Pool2dBase::Pool2dBase(Size2 kernel_size, Size2 stride, Size2 padding, const char* op)
    : kernel_(kernel_size),
      stride_(stride.h == 0 && stride.w == 0 ? kernel_size : stride),
      padding_(padding),
      op_(op) {
  EMBER_CHECK(kernel_.h > 0 && kernel_.w > 0 && stride_.h > 0 && stride_.w > 0, ValueError, op,
              ": kernel (", kernel_.h, ", ", kernel_.w, ") and stride (", stride_.h, ", ",
              stride_.w, ") must be positive");
  EMBER_CHECK(padding_.h >= 0 && padding_.w >= 0 && 2 * padding_.h <= kernel_.h &&
                  2 * padding_.w <= kernel_.w,
              ValueError, op, ": padding (", padding_.h, ", ", padding_.w,
              ") must be between 0 and half the kernel (", kernel_.h, ", ", kernel_.w, ")");
}

Shape Pool2dBase::output_shape(const Shape& s) {
  EMBER_CHECK(s.size() == 4, ShapeError, op_, ": expected input [N, C, H, W], got ", s);
  return {s[0], s[1],
          window_output_size(s[2], {padding_.h, padding_.h}, kernel_.h, stride_.h, 1, op_),
          window_output_size(s[3], {padding_.w, padding_.w}, kernel_.w, stride_.w, 1, op_)};
}

Tensor MaxPool2d::forward(const Tensor& x) {
  output_shape(x.shape());
  return ember::max_pool2d(x, {kernel_.h, kernel_.w}, {stride_.h, stride_.w},
                           {padding_.h, padding_.w});
}

Tensor AvgPool2d::forward(const Tensor& x) {
  output_shape(x.shape());
  return ember::avg_pool2d(x, {kernel_.h, kernel_.w}, {stride_.h, stride_.w},
                           {padding_.h, padding_.w});
}

Shape GlobalAvgPool2d::output_shape(const Shape& s) {
  EMBER_CHECK(s.size() == 4, ShapeError, "GlobalAvgPool2d: expected input [N, C, H, W], got ", s);
  return {s[0], s[1]};
}

Tensor GlobalAvgPool2d::forward(const Tensor& x) {
  output_shape(x.shape());
  return ember::mean(x, {2, 3});
}

std::string Pool2dBase::extra_repr() const {
  std::string s = detail::str("kernel_size=(", kernel_.h, ", ", kernel_.w, "), stride=(", stride_.h, ", ",
                              stride_.w, ")");
  if (padding_ != Size2(0)) s += detail::str(", padding=(", padding_.h, ", ", padding_.w, ")");
  return s;
}

}  // namespace ember::nn
