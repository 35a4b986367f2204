// views.hpp — new shapes, strides and offsets over the same storage (namespace
// ember::views).
//
// A view copies no numbers: it is a new TensorImpl sharing the input's
// Storage, so writes through one view show in every other (docs/tensor.md).
// Only reshape copies, when no view can express the new shape (as PyTorch's
// reshape). These record nothing for autograd: Tensor's methods of the same
// names (x.view(...), x.permute(...)) are the differentiable versions, and
// are built on these.
#pragma once

#include <cstdint>
#include <vector>

#include "tensor.hpp"

namespace ember::views {

Tensor view(const Tensor& x, Shape shape);  // -1 infers; throws if layout forbids
bool can_view(const Tensor& x, const Shape& shape);
Tensor reshape(const Tensor& x, Shape shape);  // a view when one exists, else a copy
Tensor permute(const Tensor& x, const std::vector<int64_t>& dims);
Tensor transpose(const Tensor& x, int64_t dim0, int64_t dim1);
Tensor slice(const Tensor& x, int64_t dim, int64_t start, int64_t end, int64_t step = 1);
Tensor narrow(const Tensor& x, int64_t dim, int64_t start, int64_t length);
Tensor select(const Tensor& x, int64_t dim, int64_t index);  // drops the dim
Tensor expand(const Tensor& x, const Shape& shape);         // size-1 dims get stride 0
Tensor squeeze(const Tensor& x);
Tensor squeeze(const Tensor& x, int64_t dim);
Tensor unsqueeze(const Tensor& x, int64_t dim);
Tensor flatten(const Tensor& x, int64_t start_dim, int64_t end_dim);

}  // namespace ember::views
