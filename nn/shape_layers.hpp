// shape_layers.hpp — layers that only rearrange or pad values:
// Flatten, Reshape, ZeroPad2d (Keras ZeroPadding2D). No parameters.
#pragma once

#include <array>

#include "module.hpp"

namespace ember::nn {

// [N, d1, d2, ...] -> [N, d1*d2*...]. On NCHW input the order is C, H, W
// (PyTorch's), not Keras' H, W, C: same count, different weight layout.
class Flatten : public Module {
 public:
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Flatten"; }
  Shape output_shape(const Shape& input_shape) override;
};

// [N, ...] -> [N, target...]; the target excludes the batch and may hold one -1.
class Reshape : public Module {
 public:
  explicit Reshape(Shape target) : target_(std::move(target)) {}
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Reshape"; }
  Shape output_shape(const Shape& input_shape) override;

 private:
  Shape full_shape(const Shape& input_shape) const;
  Shape target_;
};

// Zeros around H and W of [N, C, H, W]. ZeroPad2d(p) pads p on all four
// sides (Keras ZeroPadding2D(p)); the array form is PyTorch's order
// {left, right, top, bottom}.
class ZeroPad2d : public Module {
 public:
  explicit ZeroPad2d(int64_t padding) : pad_{padding, padding, padding, padding} {}
  explicit ZeroPad2d(std::array<int64_t, 4> left_right_top_bottom);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "ZeroPadding2D"; }
  Shape output_shape(const Shape& input_shape) override;

 private:
  std::array<int64_t, 4> pad_;
};

}  // namespace ember::nn
