// linear.hpp — the fully connected layer (PyTorch Linear, Keras Dense).
//
//   y = activation(x · W^T + b),  x [N, in] (or [..., in]), W [out, in], b [out]
//
// Parameters: in*out + out (with bias), as Keras counts them.
// Defaults follow Keras: glorot_uniform weight, zero bias; pass
// Initializer::torch_default() to both for PyTorch's initialization.
#pragma once

#include "activation.hpp"
#include "init.hpp"
#include "module.hpp"
#include "regularizer.hpp"

namespace ember::nn {

struct LinearOptions {
  int64_t in_features = 0;
  int64_t out_features = 0;
  bool bias = true;
  Activation activation = Activation::None;
  Initializer kernel_initializer = Initializer::glorot_uniform();
  Initializer bias_initializer = Initializer::zeros();
  Regularizer kernel_regularizer = {};
};

class Linear : public Module {
 public:
  explicit Linear(const LinearOptions& options);
  Linear(int64_t in_features, int64_t out_features, Activation activation = Activation::None);

  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Dense"; }
  std::string extra_repr() const override;
  Shape output_shape(const Shape& input_shape) override;
  Tensor regularization_loss() const override;

  Tensor weight() const { return weight_; }
  Tensor bias() const { return bias_; }  // undefined without bias
  const LinearOptions& options() const { return options_; }

 private:
  LinearOptions options_;
  Tensor weight_, bias_;
};

}  // namespace ember::nn
