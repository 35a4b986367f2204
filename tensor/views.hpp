// views.hpp — new shapes, strides and offsets over the same storage (namespace
// ember::views).
//
// A view copies no numbers: it is a new TensorImpl sharing the input's
// Storage, so writes through one view show in every other (docs/tensor.md).
// Only reshape copies, when no view can express the new shape (as PyTorch's
// reshape). These record nothing for autograd: Tensor's methods of the same
// names (x.view(...), x.permute(...); autograd/tensor.hpp) are the
// differentiable versions, and are built on these.
#pragma once

#include <cstdint>
#include <vector>

#include "tensor.hpp"

namespace ember::views {

TensorBase view(const TensorBase& x, Shape shape);  // -1 infers; throws if layout forbids
bool can_view(const TensorBase& x, const Shape& shape);
TensorBase reshape(const TensorBase& x, Shape shape);  // a view when one exists, else a copy
TensorBase permute(const TensorBase& x, const std::vector<int64_t>& dims);
TensorBase transpose(const TensorBase& x, int64_t dim0, int64_t dim1);
TensorBase slice(const TensorBase& x, int64_t dim, int64_t start, int64_t end, int64_t step = 1);
TensorBase narrow(const TensorBase& x, int64_t dim, int64_t start, int64_t length);
TensorBase select(const TensorBase& x, int64_t dim, int64_t index);  // drops the dim
TensorBase expand(const TensorBase& x, const Shape& shape);          // size-1 dims get stride 0
TensorBase squeeze(const TensorBase& x);
TensorBase squeeze(const TensorBase& x, int64_t dim);
TensorBase unsqueeze(const TensorBase& x, int64_t dim);
TensorBase flatten(const TensorBase& x, int64_t start_dim, int64_t end_dim);

}  // namespace ember::views
