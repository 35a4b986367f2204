// dropout.hpp — Dropout and SpatialDropout2d (Keras SpatialDropout2D,
// PyTorch Dropout2d).
//
// Inverted dropout: in training each value (Dropout) or each whole channel
// of [N, C, H, W] (SpatialDropout2d) is zeroed with probability p and the
// kept ones are scaled by 1/(1-p), so eval is the identity. Draws from
// ember's default generator. No parameters.
#pragma once

#include "activation.hpp"

namespace ember::nn {

class Dropout : public ElementwiseLayer {
 public:
  explicit Dropout(float p = 0.5f);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Dropout"; }
  std::string extra_repr() const override { return detail::str("p=", p_); }
  float p() const { return p_; }

 private:
  float p_;
};

class SpatialDropout2d : public ElementwiseLayer {
 public:
  explicit SpatialDropout2d(float p = 0.5f);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "SpatialDropout2D"; }
  std::string extra_repr() const override { return detail::str("p=", p_); }
  float p() const { return p_; }

 private:
  float p_;
};

}  // namespace ember::nn
