// conv.hpp — 2-D convolution (PyTorch Conv2d, Keras Conv2D).
//
//   input [N, C, H, W], weight [O, C, kh, kw], bias [O] -> [N, O, OH, OW]
//   OH = floor((H + pad_top + pad_bottom - ((kh-1)*dilation+1)) / stride) + 1
//
// Padding "valid" (none), "same" (TensorFlow's rule: OH = ceil(H / stride),
// odd padding at the bottom/right, so it can be asymmetric — then the layer
// zero-pads first and convolves without padding) or explicit amounts.
// Parameters: O*C*kh*kw + O. Keras defaults: glorot_uniform kernel, zero bias.
#pragma once

#include "activation.hpp"
#include "geometry.hpp"
#include "init.hpp"
#include "module.hpp"
#include "regularizer.hpp"

namespace ember::nn {

struct Conv2dOptions {
  int64_t in_channels = 0;
  int64_t out_channels = 0;
  Size2 kernel_size = 3;
  Size2 stride = 1;
  Padding padding = Padding::valid();
  Size2 dilation = 1;
  bool bias = true;
  Activation activation = Activation::None;
  Initializer kernel_initializer = Initializer::glorot_uniform();
  Initializer bias_initializer = Initializer::zeros();
  Regularizer kernel_regularizer = {};
};

class Conv2d : public Module {
 public:
  explicit Conv2d(const Conv2dOptions& options);
  Conv2d(int64_t in_channels, int64_t out_channels, Size2 kernel_size,
         Padding padding = Padding::valid(), Activation activation = Activation::None);

  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Conv2D"; }
  std::string extra_repr() const override;
  Shape output_shape(const Shape& input_shape) override;
  Tensor regularization_loss() const override;

  Tensor weight() const { return weight_; }
  Tensor bias() const { return bias_; }
  const Conv2dOptions& options() const { return options_; }

 private:
  struct Pads {
    Pad1d h, w;
  };
  // The padding for this input (checks its shape), resolved once per
  // forward and handed to output_shape_with, which throws if the window
  // does not fit.
  Pads pads_for(const Shape& input_shape) const;
  Shape output_shape_with(const Shape& input_shape, const Pads& pads) const;

  Conv2dOptions options_;
  Tensor weight_, bias_;
};

}  // namespace ember::nn
