// regularizer.cpp — the L1/L2 penalties, built from differentiable ops so
// their gradient (l1 * sign(w) + 2 * l2 * w) comes from autograd.
#include "regularizer.hpp"

#include "../autograd/ops.hpp"

namespace ember::nn {

Tensor Regularizer::penalty(const Tensor& weight) const {
  Tensor total;
  if (l1 != 0.0f) total = ember::abs(weight).sum() * l1;
  if (l2 != 0.0f) {
    Tensor p = (weight * weight).sum() * l2;
    total = total.defined() ? total + p : p;
  }
  return total;
}

}  // namespace ember::nn
