// regularizer.hpp — Keras' kernel_regularizer: a penalty on a layer's weight
// that the training loop adds to the loss (Module::regularization_loss()).
//
//   L1(l):  l * sum(|w|)        L2(l):  l * sum(w^2)   (no 1/2, as Keras)
//
// Unlike optimizer weight decay, the penalty is part of the reported loss,
// and with Adam it is scaled by the adaptive step like any other gradient.
#pragma once

#include "../autograd/tensor.hpp"

namespace ember::nn {

struct Regularizer {
  float l1 = 0.0f;
  float l2 = 0.0f;
  bool active() const { return l1 != 0.0f || l2 != 0.0f; }
  // A differentiable scalar (undefined when inactive).
  Tensor penalty(const Tensor& weight) const;
};

inline Regularizer L1(float l) { return {l, 0.0f}; }
inline Regularizer L2(float l) { return {0.0f, l}; }
inline Regularizer L1L2(float l1, float l2) { return {l1, l2}; }

}  // namespace ember::nn
