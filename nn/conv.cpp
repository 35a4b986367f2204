// conv.cpp — Conv2d: padding resolved per input size, then autograd's conv2d.
#include "conv.hpp"

#include "../autograd/ops.hpp"

namespace ember::nn {

Conv2d::Conv2d(const Conv2dOptions& options) : options_(options) {
  const auto& o = options;
  EMBER_CHECK(o.in_channels > 0 && o.out_channels > 0, ValueError,
              "Conv2d: in_channels and out_channels must be positive, got ", o.in_channels,
              " and ", o.out_channels);
  EMBER_CHECK(o.kernel_size.h > 0 && o.kernel_size.w > 0 && o.stride.h > 0 && o.stride.w > 0 &&
                  o.dilation.h > 0 && o.dilation.w > 0,
              ValueError, "Conv2d: kernel_size (", o.kernel_size.h, ", ", o.kernel_size.w,
              "), stride (", o.stride.h, ", ", o.stride.w, ") and dilation (", o.dilation.h, ", ",
              o.dilation.w, ") must be positive");
  EMBER_CHECK(o.padding.h >= 0 && o.padding.w >= 0, ValueError,
              "Conv2d: negative padding ", o.padding.str());
  Shape w_shape{o.out_channels, o.in_channels, o.kernel_size.h, o.kernel_size.w};
  Tensor w = Tensor::empty(w_shape);
  o.kernel_initializer(w);
  weight_ = register_parameter("weight", w);
  if (o.bias) {
    Tensor b = Tensor::empty({o.out_channels});
    o.bias_initializer(b, w_shape);
    bias_ = register_parameter("bias", b);
  }
}

Conv2d::Conv2d(int64_t in_channels, int64_t out_channels, Size2 kernel_size, Padding padding,
               Activation activation)
    : Conv2d(Conv2dOptions{.in_channels = in_channels, .out_channels = out_channels,
                           .kernel_size = kernel_size, .padding = padding,
                           .activation = activation}) {}

Conv2d::Pads Conv2d::pads_for(const Shape& s) const {
  EMBER_CHECK(s.size() == 4 && s[1] == options_.in_channels, ShapeError,
              "Conv2d: expected input [N, ", options_.in_channels, ", H, W], got ", s);
  const auto& o = options_;
  return {resolve_padding(o.padding.mode, o.padding.h, s[2], o.kernel_size.h, o.stride.h,
                          o.dilation.h),
          resolve_padding(o.padding.mode, o.padding.w, s[3], o.kernel_size.w, o.stride.w,
                          o.dilation.w)};
}

Shape Conv2d::output_shape_with(const Shape& s, const Pads& p) const {
  const auto& o = options_;
  return {s[0], o.out_channels,
          window_output_size(s[2], p.h, o.kernel_size.h, o.stride.h, o.dilation.h, "Conv2d"),
          window_output_size(s[3], p.w, o.kernel_size.w, o.stride.w, o.dilation.w, "Conv2d")};
}

Shape Conv2d::output_shape(const Shape& s) { return output_shape_with(s, pads_for(s)); }

Tensor Conv2d::forward(const Tensor& x) {
  const Pads p = pads_for(x.shape());  // checks the input
  output_shape_with(x.shape(), p);     // checks that the window fits
  const auto& o = options_;
  Tensor input = x;
  std::pair<int64_t, int64_t> padding{p.h.before, p.w.before};
  if (p.h.before != p.h.after || p.w.before != p.w.after) {
    // "same" with an odd total: conv2d pads symmetrically, so pad here.
    input = ember::pad2d(x, {p.w.before, p.w.after, p.h.before, p.h.after});
    padding = {0, 0};
  }
  if (o.activation == Activation::ReLU)  // fused: one pass over the output instead of two
    return ember::conv2d_relu(input, weight_, bias_, {o.stride.h, o.stride.w}, padding,
                              {o.dilation.h, o.dilation.w});
  Tensor y = ember::conv2d(input, weight_, bias_, {o.stride.h, o.stride.w}, padding,
                           {o.dilation.h, o.dilation.w});
  return apply_activation(o.activation, y);
}

Tensor Conv2d::regularization_loss() const { return options_.kernel_regularizer.penalty(weight_); }

std::string Conv2d::extra_repr() const {
  const auto& o = options_;
  std::string s = detail::str(o.in_channels, ", ", o.out_channels, ", kernel_size=(", o.kernel_size.h, ", ",
                              o.kernel_size.w, ")");
  if (o.stride != Size2(1)) s += detail::str(", stride=(", o.stride.h, ", ", o.stride.w, ")");
  if (o.padding.mode != Padding::Mode::Valid) s += ", padding=" + o.padding.str();
  if (o.dilation != Size2(1)) s += detail::str(", dilation=(", o.dilation.h, ", ", o.dilation.w, ")");
  if (!o.bias) s += ", bias=false";
  if (o.activation != Activation::None) s += std::string(", activation=") + activation_name(o.activation);
  return s;
}

}  // namespace ember::nn
