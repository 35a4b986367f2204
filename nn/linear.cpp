// linear.cpp — Linear/Dense: one GEMM through autograd's linear op.
#include "linear.hpp"

#include "../autograd/ops.hpp"

namespace ember::nn {

Linear::Linear(const LinearOptions& options) : options_(options) {
  EMBER_CHECK(options.in_features > 0 && options.out_features > 0, ValueError,
              "Linear: in_features and out_features must be positive, got ", options.in_features,
              " and ", options.out_features);
  Shape w_shape{options.out_features, options.in_features};
  Tensor w = Tensor::empty(w_shape);
  options.kernel_initializer(w);
  weight_ = register_parameter("weight", w);
  if (options.bias) {
    Tensor b = Tensor::empty({options.out_features});
    options.bias_initializer(b, w_shape);
    bias_ = register_parameter("bias", b);
  }
}

Linear::Linear(int64_t in_features, int64_t out_features, Activation activation)
    : Linear(LinearOptions{.in_features = in_features, .out_features = out_features,
                           .activation = activation}) {}

Tensor Linear::forward(const Tensor& x) {
  EMBER_CHECK(x.dim() >= 1 && x.size(-1) == options_.in_features, ShapeError,
              "Linear: expected input [..., ", options_.in_features, "], got ", x.shape());
  if (x.dim() == 2) return apply_activation(options_.activation, ember::linear(x, weight_, bias_));
  // Like Keras' Dense, apply to the last dim of any input: fold the leading dims.
  Shape out_shape = x.shape();
  out_shape.back() = options_.out_features;
  // The activation runs on the 2-D result so Softmax sees the features as dim 1.
  Tensor y = ember::linear(x.reshape({-1, options_.in_features}), weight_, bias_);
  return apply_activation(options_.activation, y).reshape(out_shape);
}

Shape Linear::output_shape(const Shape& input_shape) {
  EMBER_CHECK(!input_shape.empty() && input_shape.back() == options_.in_features, ShapeError,
              "Linear: expected input [..., ", options_.in_features, "], got ", input_shape);
  Shape out = input_shape;
  out.back() = options_.out_features;
  return out;
}

Tensor Linear::regularization_loss() const { return options_.kernel_regularizer.penalty(weight_); }

std::string Linear::extra_repr() const {
  return detail::str("in_features=", options_.in_features, ", out_features=", options_.out_features,
                     options_.bias ? "" : ", bias=false", options_.activation == Activation::None ? "" : ", activation=",
                     options_.activation == Activation::None ? "" : activation_name(options_.activation));
}

}  // namespace ember::nn
