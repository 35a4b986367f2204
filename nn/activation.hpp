// activation.hpp — activation functions as layers, and the `activation`
// argument that Dense and Conv2D take in Keras.
//
// Each layer is a thin wrapper over one differentiable op of
// autograd/ops.hpp; none has parameters except PReLU.
#pragma once

#include "module.hpp"

namespace ember::nn {

// What a Linear or Conv2d applies to its output (Keras' activation='relu').
// Softmax is over dim 1; prefer no activation plus cross_entropy on logits,
// which is the same model computed more stably.
enum class Activation { None, ReLU, Tanh, Sigmoid, Softmax, ELU, SELU };
Tensor apply_activation(Activation a, const Tensor& x);
const char* activation_name(Activation a);  // "relu", "tanh", ...

// Layers whose output shape equals their input shape.
class ElementwiseLayer : public Module {
 public:
  Shape output_shape(const Shape& input_shape) override { return input_shape; }
};

class ReLU : public ElementwiseLayer {
 public:
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "ReLU"; }
};

// max(x, 0) + alpha * min(x, 0). Keras' default alpha is 0.3 (PyTorch's
// negative_slope is 0.01): ember follows Keras, pass 0.01 for PyTorch.
class LeakyReLU : public ElementwiseLayer {
 public:
  explicit LeakyReLU(float alpha = 0.3f) : alpha_(alpha) {}
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "LeakyReLU"; }
  float alpha() const { return alpha_; }

 private:
  float alpha_;
};

// max(x, 0) + alpha * min(x, 0) with a learned alpha.
// Two layouts, because Keras and PyTorch differ:
//  - PyTorch: PReLU(num_parameters = 1 or C, init = 0.25): alpha shared over
//    everything but the channel dim 1. Parameter count 1 or C.
//  - Keras: PReLU::keras(per_sample_shape): one alpha per input position
//    (alpha has the input shape without the batch, initialised to zeros,
//    Keras' shared_axes=None), so PReLU after a [C,H,W] activation map has
//    C*H*W parameters, which is what Keras' summary counts.
class PReLU : public ElementwiseLayer {
 public:
  explicit PReLU(int64_t num_parameters = 1, float init = 0.25f);
  static std::shared_ptr<PReLU> keras(const Shape& per_sample_shape);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "PReLU"; }
  Tensor alpha() const { return alpha_; }

 private:
  PReLU(const Shape& alpha_shape, float init, bool per_position);
  Tensor alpha_;
  bool per_position_;
};

class ELU : public ElementwiseLayer {
 public:
  explicit ELU(float alpha = 1.0f) : alpha_(alpha) {}
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "ELU"; }

 private:
  float alpha_;
};

class SELU : public ElementwiseLayer {
 public:
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "SELU"; }
};

class Tanh : public ElementwiseLayer {
 public:
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Tanh"; }
};

class Sigmoid : public ElementwiseLayer {
 public:
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Sigmoid"; }
};

// Softmax along `dim` (default the last, as Keras' axis=-1).
class Softmax : public ElementwiseLayer {
 public:
  explicit Softmax(int64_t dim = -1) : dim_(dim) {}
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Softmax"; }

 private:
  int64_t dim_;
};

}  // namespace ember::nn
