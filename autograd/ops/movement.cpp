// ops/movement.cpp — views, copies, joining and padding: forward beside backward.
//
// These ops move numbers without changing them, so every backward moves the
// gradient back the way the numbers came: a reshape is undone by reshaping
// the gradient to the input's shape, a permutation by the inverse
// permutation, a slice by writing the gradient into the sliced region of
// zeros, an expand (one element read many times) by summing, a cat by
// cutting the gradient into the pieces.
#include "../../tensor/kernels.hpp"
#include "../../tensor/views.hpp"
#include "../node.hpp"
#include "../ops.hpp"

namespace ember {

using autograd::Node;
using autograd::record;

// ---- views ---------------------------------------------------------------------

namespace {

// Any op whose output has the input's elements in the same row-major order
// (view, reshape, squeeze, unsqueeze, flatten): reshape the gradient back.
struct ReshapeNode final : Node {
  explicit ReshapeNode(const char* op) : op(op) {}
  const char* op;
  const char* name() const override { return op; }
  std::vector<Tensor> backward(const Tensor& g) override {
    return {views::reshape(g, edges[0].shape)};
  }
};

Tensor reshape_like(Tensor out, const Tensor& x, const char* op) {
  record<ReshapeNode>(out, {x}, op);
  return out;
}

}  // namespace

Tensor Tensor::view(const Shape& shape) const {
  return reshape_like(views::view(*this, shape), *this, "view");
}
Tensor Tensor::reshape(const Shape& shape) const {
  return reshape_like(views::reshape(*this, shape), *this, "reshape");
}
Tensor Tensor::squeeze() const { return reshape_like(views::squeeze(*this), *this, "squeeze"); }
Tensor Tensor::squeeze(int64_t dim) const {
  return reshape_like(views::squeeze(*this, dim), *this, "squeeze");
}
Tensor Tensor::unsqueeze(int64_t dim) const {
  return reshape_like(views::unsqueeze(*this, dim), *this, "unsqueeze");
}
Tensor Tensor::flatten(int64_t start_dim, int64_t end_dim) const {
  return reshape_like(views::flatten(*this, start_dim, end_dim), *this, "flatten");
}

namespace {
// out = x.permute(dims): out dim i is x dim dims[i], so x dim dims[i] comes
// back from gradient dim i — the inverse permutation.
struct PermuteNode final : Node {
  explicit PermuteNode(std::vector<int64_t> inverse) : inverse(std::move(inverse)) {}
  std::vector<int64_t> inverse;
  const char* name() const override { return "permute"; }
  std::vector<Tensor> backward(const Tensor& g) override { return {views::permute(g, inverse)}; }
};
}  // namespace

Tensor Tensor::permute(const std::vector<int64_t>& dims) const {
  Tensor out = views::permute(*this, dims);  // validates dims
  std::vector<int64_t> inverse(dims.size());
  for (size_t i = 0; i < dims.size(); ++i)
    inverse[static_cast<size_t>(normalize_dim(dims[i], dim(), "permute"))] =
        static_cast<int64_t>(i);
  record<PermuteNode>(out, {*this}, std::move(inverse));
  return out;
}

namespace {
// A transpose is its own inverse.
struct TransposeNode final : Node {
  TransposeNode(int64_t d0, int64_t d1) : d0(d0), d1(d1) {}
  int64_t d0, d1;
  const char* name() const override { return "transpose"; }
  std::vector<Tensor> backward(const Tensor& g) override { return {views::transpose(g, d0, d1)}; }
};
}  // namespace

Tensor Tensor::transpose(int64_t dim0, int64_t dim1) const {
  Tensor out = views::transpose(*this, dim0, dim1);
  record<TransposeNode>(out, {*this}, dim0, dim1);
  return out;
}

namespace {

// out = a region of x (slice, narrow, select): dx is zero outside the region
// and g inside it. `region` re-applies the same view to the zeros.
template <class Region>
struct RegionNode final : Node {
  RegionNode(const char* op, Region region) : op(op), region(std::move(region)) {}
  const char* op;
  Region region;
  const char* name() const override { return op; }
  std::vector<Tensor> backward(const Tensor& g) override {
    Tensor dx = Tensor::zeros(edges[0].shape);
    kernels::copy(region(dx), g);
    return {dx};
  }
};

template <class Region>
Tensor record_region(Tensor out, const Tensor& x, const char* op, Region region) {
  record<RegionNode<Region>>(out, {x}, op, std::move(region));
  return out;
}

}  // namespace

Tensor Tensor::slice(int64_t dim, int64_t start, int64_t end, int64_t step) const {
  return record_region(views::slice(*this, dim, start, end, step), *this, "slice",
                       [=](const Tensor& t) { return views::slice(t, dim, start, end, step); });
}

Tensor Tensor::narrow(int64_t dim, int64_t start, int64_t length) const {
  return record_region(views::narrow(*this, dim, start, length), *this, "narrow",
                       [=](const Tensor& t) { return views::narrow(t, dim, start, length); });
}

Tensor Tensor::select(int64_t dim, int64_t index) const {
  return record_region(views::select(*this, dim, index), *this, "select",
                       [=](const Tensor& t) { return views::select(t, dim, index); });
}

namespace {
// out = x read with stride 0 along the expanded dims: each element of x was
// used once per copy, so its gradient is the sum over the copies.
struct ExpandNode final : Node {
  const char* name() const override { return "expand"; }
  std::vector<Tensor> backward(const Tensor& g) override {
    return {kernels::sum_to(g, edges[0].shape)};
  }
};
}  // namespace

Tensor Tensor::expand(const Shape& shape) const {
  Tensor out = views::expand(*this, shape);
  record<ExpandNode>(out, {*this});
  return out;
}

// ---- copies --------------------------------------------------------------------

namespace {
// Copies (contiguous, clone): the gradient passes unchanged.
struct IdentityNode final : Node {
  explicit IdentityNode(const char* op) : op(op) {}
  const char* op;
  const char* name() const override { return op; }
  std::vector<Tensor> backward(const Tensor& g) override { return {g}; }
};
}  // namespace

Tensor Tensor::contiguous() const {
  if (is_contiguous()) return *this;  // no copy, no node: the same tensor
  Tensor out = kernels::clone(*this);
  record<IdentityNode>(out, {*this}, "contiguous");
  return out;
}

Tensor Tensor::clone() const {
  Tensor out = kernels::clone(*this);
  record<IdentityNode>(out, {*this}, "clone");
  return out;
}

// ---- joining and padding -------------------------------------------------------

namespace {
// out = cat(tensors, dim): input i's gradient is its stretch of g along dim.
struct CatNode final : Node {
  CatNode(int64_t dim, std::vector<int64_t> sizes) : dim(dim), sizes(std::move(sizes)) {}
  int64_t dim;
  std::vector<int64_t> sizes;  // each input's extent along dim
  const char* name() const override { return "cat"; }
  std::vector<Tensor> backward(const Tensor& g) override {
    std::vector<Tensor> grads;
    int64_t start = 0;
    for (size_t i = 0; i < sizes.size(); start += sizes[i], ++i)
      grads.push_back(needs_grad(i) ? views::narrow(g, dim, start, sizes[i]) : Tensor());
    return grads;
  }
};
}  // namespace

Tensor cat(const std::vector<Tensor>& tensors, int64_t dim) {
  Tensor out = kernels::cat(tensors, dim);  // validates shapes and dim
  int64_t d = normalize_dim(dim, tensors.front().dim(), "cat");
  std::vector<int64_t> sizes;
  for (const Tensor& t : tensors) sizes.push_back(t.size(d));
  record<CatNode>(out, tensors, d, std::move(sizes));
  return out;
}

namespace {
// out = stack(tensors, dim): input i's gradient is g's slice i along the new dim.
struct StackNode final : Node {
  explicit StackNode(int64_t dim) : dim(dim) {}
  int64_t dim;
  const char* name() const override { return "stack"; }
  std::vector<Tensor> backward(const Tensor& g) override {
    std::vector<Tensor> grads;
    for (size_t i = 0; i < edges.size(); ++i)
      grads.push_back(needs_grad(i) ? views::select(g, dim, static_cast<int64_t>(i)) : Tensor());
    return grads;
  }
};
}  // namespace

Tensor stack(const std::vector<Tensor>& tensors, int64_t dim) {
  Tensor out = kernels::stack(tensors, dim);
  record<StackNode>(out, tensors, normalize_dim(dim, out.dim(), "stack"));
  return out;
}

namespace {
// out = x surrounded by zeros: dx is the interior of g.
struct Pad2dNode final : Node {
  Pad2dNode(int64_t left, int64_t top) : left(left), top(top) {}
  int64_t left, top;
  const char* name() const override { return "pad2d"; }
  std::vector<Tensor> backward(const Tensor& g) override {
    const Shape& in = edges[0].shape;
    return {views::narrow(views::narrow(g, -2, top, in.end()[-2]), -1, left, in.end()[-1])};
  }
};
}  // namespace

Tensor pad2d(const Tensor& x, const std::vector<int64_t>& pad) {
  EMBER_CHECK(pad.size() == 4, ValueError, "pad2d: pad must be {left, right, top, bottom}, got ",
              pad.size(), " values");
  Tensor out = kernels::pad2d(x, pad[0], pad[1], pad[2], pad[3]);
  record<Pad2dNode>(out, {x}, pad[0], pad[2]);
  return out;
}

}  // namespace ember
