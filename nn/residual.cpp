// residual.cpp — BasicBlock: two convolutions plus a shortcut, added.
#include "residual.hpp"

#include "../autograd/ops.hpp"

namespace ember::nn {

BasicBlock::BasicBlock(const BasicBlockOptions& o) {
  auto conv = [&](int64_t in, int64_t out, int64_t k, int64_t stride) {
    return std::make_shared<Conv2d>(Conv2dOptions{.in_channels = in, .out_channels = out,
                                                  .kernel_size = k, .stride = stride,
                                                  .padding = Padding::same(),
                                                  .kernel_initializer = o.kernel_initializer,
                                                  .kernel_regularizer = o.kernel_regularizer});
  };
  conv1_ = register_module("conv1", conv(o.in_channels, o.out_channels, 3, o.stride));
  bn1_ = register_module("bn1", std::make_shared<BatchNorm2d>(o.out_channels, o.batch_norm));
  drop1_ = register_module("drop1", std::make_shared<Dropout>(o.dropout));
  conv2_ = register_module("conv2", conv(o.out_channels, o.out_channels, 3, 1));
  bn2_ = register_module("bn2", std::make_shared<BatchNorm2d>(o.out_channels, o.batch_norm));
  if (o.stride != 1 || o.in_channels != o.out_channels)
    shortcut_ = register_module("shortcut", conv(o.in_channels, o.out_channels, 1, o.stride));
  drop2_ = register_module("drop2", std::make_shared<Dropout>(o.dropout));
}

Shape BasicBlock::output_shape(const Shape& s) {
  Shape out = conv2_->output_shape(conv1_->output_shape(s));
  if (shortcut_) {
    Shape short_shape = shortcut_->output_shape(s);
    EMBER_CHECK(short_shape == out, ShapeError, "BasicBlock: shortcut gives ", short_shape,
                " but the residual path gives ", out, " for input ", s);
  }
  return out;
}

Tensor BasicBlock::forward(const Tensor& x) {
  Tensor y = drop1_->forward(ember::relu(bn1_->forward(conv1_->forward(x))));
  y = bn2_->forward(conv2_->forward(y));
  Tensor s = shortcut_ ? shortcut_->forward(x) : x;
  EMBER_CHECK(s.shape() == y.shape(), ShapeError, "BasicBlock: identity shortcut ", s.shape(),
              " does not match the residual path ", y.shape());
  return drop2_->forward(ember::relu(y + s));
}

}  // namespace ember::nn
