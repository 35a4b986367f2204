// tensor.cpp — Tensor's gradient: where backward leaves it.
//
// The rest of Tensor is defined with the ops it is (autograd/ops/*.cpp) and
// backward() with the engine (engine.cpp); TensorBase's own part is in
// tensor/tensor.cpp.
#include "tensor.hpp"

#include "../tensor/kernels.hpp"

namespace ember {

Tensor Tensor::grad() const { return Tensor(impl().autograd.grad); }

void Tensor::set_grad(const Tensor& grad) const {
  if (grad.defined())
    EMBER_CHECK(grad.shape() == shape(), ShapeError, "set_grad: gradient of shape ", grad.shape(),
                " for a tensor of shape ", shape());
  impl().autograd.grad = grad.impl_;
}

void Tensor::zero_grad() const { impl().autograd.grad.reset(); }

ValuesIndices::ValuesIndices(const kernels::ValuesIndices& r)
    : values(r.values), indices(r.indices) {}

}  // namespace ember
