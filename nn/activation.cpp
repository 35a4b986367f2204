// activation.cpp — activation layers: each forward is one differentiable op.
#include "activation.hpp"

#include "../autograd/ops.hpp"

namespace ember::nn {

Tensor apply_activation(Activation a, const Tensor& x) {
  switch (a) {
    case Activation::None: return x;
    case Activation::ReLU: return ember::relu(x);
    case Activation::Tanh: return ember::tanh(x);
    case Activation::Sigmoid: return ember::sigmoid(x);
    case Activation::Softmax: return ember::softmax(x, 1);
    case Activation::ELU: return ember::elu(x);
    case Activation::SELU: return ember::selu(x);
  }
  return x;
}

const char* activation_name(Activation a) {
  switch (a) {
    case Activation::None: return "linear";
    case Activation::ReLU: return "relu";
    case Activation::Tanh: return "tanh";
    case Activation::Sigmoid: return "sigmoid";
    case Activation::Softmax: return "softmax";
    case Activation::ELU: return "elu";
    case Activation::SELU: return "selu";
  }
  return "?";
}

Tensor ReLU::forward(const Tensor& x) { return ember::relu(x); }
Tensor LeakyReLU::forward(const Tensor& x) { return ember::leaky_relu(x, alpha_); }
Tensor ELU::forward(const Tensor& x) { return ember::elu(x, alpha_); }
Tensor SELU::forward(const Tensor& x) { return ember::selu(x); }
Tensor Tanh::forward(const Tensor& x) { return ember::tanh(x); }
Tensor Sigmoid::forward(const Tensor& x) { return ember::sigmoid(x); }
Tensor Softmax::forward(const Tensor& x) { return ember::softmax(x, dim_); }

PReLU::PReLU(int64_t num_parameters, float init) : PReLU(Shape{num_parameters}, init, false) {
  EMBER_CHECK(num_parameters >= 1, ValueError, "PReLU: num_parameters must be >= 1, got ",
              num_parameters);
}

PReLU::PReLU(const Shape& alpha_shape, float init, bool per_position)
    : per_position_(per_position) {
  alpha_ = register_parameter("alpha", Tensor::full(alpha_shape, init));
}

std::shared_ptr<PReLU> PReLU::keras(const Shape& per_sample_shape) {
  return std::shared_ptr<PReLU>(new PReLU(per_sample_shape, 0.0f, true));
}

Tensor PReLU::forward(const Tensor& x) {
  if (!per_position_) {
    EMBER_CHECK(alpha_.numel() == 1 || (x.dim() >= 2 && x.size(1) == alpha_.numel()), ShapeError,
                "PReLU: ", alpha_.numel(), " parameters do not match the channels of input ",
                x.shape());
    return ember::prelu(x, alpha_);
  }
  // alpha [per-sample shape] broadcasts over the batch:
  // relu(x) + alpha * (x - relu(x)), i.e. max(x,0) + alpha*min(x,0).
  Shape per_sample(x.shape().begin() + 1, x.shape().end());
  EMBER_CHECK(per_sample == alpha_.shape(), ShapeError, "PReLU: alpha of shape ", alpha_.shape(),
              " does not match input ", x.shape(), " (per-sample shape ", per_sample, ")");
  Tensor pos = ember::relu(x);
  return pos + alpha_ * (x - pos);
}

}  // namespace ember::nn
