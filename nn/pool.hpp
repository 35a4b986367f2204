// pool.hpp — pooling layers: MaxPool2d, AvgPool2d (Keras MaxPooling2D,
// AveragePooling2D) and GlobalAvgPool2d (GlobalAveragePooling2D).
//
//   [N, C, H, W] -> [N, C, OH, OW],  OH = floor((H + 2*pad - k) / stride) + 1
//
// stride 0 (the default) means stride = kernel size, as Keras' strides=None
// and PyTorch's stride=None: MaxPool2d(2) halves H and W. Any kernel and
// stride work, e.g. LeNet-5's AvgPool2d(2, 1). Average pooling counts padded
// zeros in the divisor (PyTorch's default). No parameters.
#pragma once

#include "geometry.hpp"
#include "module.hpp"

namespace ember::nn {

class Pool2dBase : public Module {
 public:
  Shape output_shape(const Shape& input_shape) override;
  std::string extra_repr() const override;
  Size2 kernel_size() const { return kernel_; }
  Size2 stride() const { return stride_; }

 protected:
  Pool2dBase(Size2 kernel_size, Size2 stride, Size2 padding, const char* op);
  Size2 kernel_, stride_, padding_;
  const char* op_;
};

class MaxPool2d : public Pool2dBase {
 public:
  explicit MaxPool2d(Size2 kernel_size, Size2 stride = 0, Size2 padding = 0)
      : Pool2dBase(kernel_size, stride, padding, "MaxPool2d") {}
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "MaxPooling2D"; }
};

class AvgPool2d : public Pool2dBase {
 public:
  explicit AvgPool2d(Size2 kernel_size, Size2 stride = 0, Size2 padding = 0)
      : Pool2dBase(kernel_size, stride, padding, "AvgPool2d") {}
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "AveragePooling2D"; }
};

// Mean over H and W: [N, C, H, W] -> [N, C].
class GlobalAvgPool2d : public Module {
 public:
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "GlobalAveragePooling2D"; }
  Shape output_shape(const Shape& input_shape) override;
};

}  // namespace ember::nn
