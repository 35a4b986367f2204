// dropout.cpp — dropout layers over autograd's dropout / dropout2d ops.
#include "dropout.hpp"

#include "../autograd/ops.hpp"

namespace ember::nn {

Dropout::Dropout(float p) : p_(p) {
  EMBER_CHECK(p >= 0.0f && p < 1.0f, ValueError, "Dropout: p must be in [0, 1), got ", p);
}

Tensor Dropout::forward(const Tensor& x) { return ember::dropout(x, p_, is_training()); }

SpatialDropout2d::SpatialDropout2d(float p) : p_(p) {
  EMBER_CHECK(p >= 0.0f && p < 1.0f, ValueError, "SpatialDropout2d: p must be in [0, 1), got ",
              p);
}

Tensor SpatialDropout2d::forward(const Tensor& x) {
  EMBER_CHECK(x.dim() == 4, ShapeError, "SpatialDropout2d: expected input [N, C, H, W], got ",
              x.shape());
  return ember::dropout2d(x, p_, is_training());
}

}  // namespace ember::nn
