// tensor.hpp — TensorBase, the strided tensor of the tensor layer: a cheap
// shared handle to float32 storage.
//
// A tensor is (storage, shape, strides, offset). Copying the handle does not
// copy the numbers: two handles to one tensor see each other's writes. Views
// (permute, slice, expand, ...; views.hpp) make a new TensorImpl over the same
// Storage with rewritten metadata, so they cost nothing and alias the data.
//
// TensorBase has what the tensor layer defines itself (tensor.cpp): creation,
// inspection, printing and the in-place updates (methods ending in '_', never
// recorded: optimizers, initializers). Everything in tensor/ (the kernels of
// kernels.hpp, the views of views.hpp) takes and returns TensorBase, so this
// layer compiles and links on its own. The Tensor users write is
// autograd/tensor.hpp's: a TensorBase plus the differentiable methods
// (x.exp(), x.sum(), x.view(...), a + b, x.backward()), defined in autograd/
// beside the graph they record. PyTorch splits at::TensorBase and at::Tensor
// the same way, for the same reason.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <memory>
#include <utility>
#include <vector>

#include "error.hpp"
#include "shape.hpp"

namespace ember {

namespace autograd {
struct Node;
}

// The numbers. Shared by every view of a tensor. `version` counts in-place
// writes so autograd can tell that a saved tensor changed under it.
struct Storage {
  explicit Storage(int64_t size);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  float* data;
  int64_t size;
  uint64_t version = 0;
};

// Autograd's per-tensor state. Lives here only so a tensor can carry it:
// the tensor layer stores it and reads the flags, autograd/ gives it meaning.
struct AutogradMeta {
  bool requires_grad = false;
  std::shared_ptr<struct TensorImpl> grad;       // accumulated by backward
  std::shared_ptr<autograd::Node> grad_fn;       // null for leaves
};

struct TensorImpl {
  std::shared_ptr<Storage> storage;
  Shape shape;
  Strides strides;
  int64_t offset = 0;
  AutogradMeta autograd;
};

class TensorBase {
 public:
  TensorBase() = default;  // undefined: holds nothing (e.g. "no bias", "no grad yet")
  explicit TensorBase(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

  // ---- creation -----------------------------------------------------------
  static TensorBase empty(const Shape& shape);  // uninitialized
  static TensorBase zeros(const Shape& shape);
  static TensorBase ones(const Shape& shape);
  static TensorBase full(const Shape& shape, float value);
  static TensorBase arange(int64_t n);  // 0, 1, ..., n-1
  static TensorBase arange(float start, float end, float step = 1.0f);
  static TensorBase from_vector(const std::vector<float>& values, const Shape& shape);
  static TensorBase scalar(float value);  // 0-d
  // Random numbers from ember's global generator (see random.hpp).
  static TensorBase rand(const Shape& shape);   // U[0, 1)
  static TensorBase randn(const Shape& shape);  // N(0, 1)
  static TensorBase uniform(const Shape& shape, float lo, float hi);
  static TensorBase normal(const Shape& shape, float mean, float std);
  static TensorBase zeros_like(const TensorBase& t) { return zeros(t.shape()); }
  static TensorBase ones_like(const TensorBase& t) { return ones(t.shape()); }
  // A view with explicit geometry over an existing storage. The caller is
  // responsible for the geometry staying inside the storage; it is checked.
  static TensorBase as_strided(const TensorBase& base, const Shape& shape, const Strides& strides,
                               int64_t offset);

  // ---- inspection ---------------------------------------------------------
  bool defined() const { return impl_ != nullptr; }
  const Shape& shape() const { return impl().shape; }
  const Strides& strides() const { return impl().strides; }
  int64_t offset() const { return impl().offset; }
  int64_t dim() const { return static_cast<int64_t>(impl().shape.size()); }
  int64_t numel() const { return shape_numel(impl().shape); }
  int64_t size(int64_t dim) const;  // negative dims count from the end
  bool is_contiguous() const;
  // Pointer to element (0, ..., 0). Walk it with strides() unless contiguous.
  float* data() const { return impl().storage->data + impl().offset; }
  float item() const;  // the single element of a 1-element tensor
  // Element access by multi-index (bounds-checked). Returns a reference into
  // the storage: writing through it does not bump the version counter.
  float& at(const std::vector<int64_t>& index) const;
  std::vector<float> to_vector() const;  // logical (row-major) order
  const std::shared_ptr<Storage>& storage() const { return impl().storage; }
  bool is_same(const TensorBase& other) const { return impl_ == other.impl_; }
  bool shares_storage(const TensorBase& other) const { return storage() == other.storage(); }
  TensorImpl* unsafe_impl() const { return impl_.get(); }

  // ---- in place (never recorded; bump the version counter) ----------------
  TensorBase& fill_(float value);
  TensorBase& zero_() { return fill_(0.0f); }
  TensorBase& copy_(const TensorBase& src);                       // src broadcasts to this shape
  TensorBase& add_(const TensorBase& other, float alpha = 1.0f);  // this += alpha * other
  TensorBase& add_(float value);
  TensorBase& sub_(const TensorBase& other, float alpha = 1.0f);
  TensorBase& sub_(float value);
  TensorBase& mul_(const TensorBase& other);
  TensorBase& mul_(float value);
  TensorBase& div_(const TensorBase& other);
  TensorBase& div_(float value);
  // += v*t1*t2 and += v*t1/t2
  TensorBase& addcmul_(const TensorBase& t1, const TensorBase& t2, float value = 1.0f);
  TensorBase& addcdiv_(const TensorBase& t1, const TensorBase& t2, float value = 1.0f);
  uint64_t version() const { return impl().storage->version; }
  void bump_version() const { impl().storage->version++; }

  // ---- autograd's flags (the graph and the gradient are autograd/'s) -------
  TensorBase& requires_grad_(bool on = true);
  bool requires_grad() const { return defined() && impl().autograd.requires_grad; }
  const std::shared_ptr<autograd::Node>& grad_fn() const { return impl().autograd.grad_fn; }
  bool is_leaf() const { return grad_fn() == nullptr; }
  TensorBase detach() const;  // same storage, no history

 protected:
  TensorImpl& impl() const;  // throws on an undefined tensor
  std::shared_ptr<TensorImpl> impl_;
};

// Prints values (first and last few per dim for big tensors), shape, strides
// and offset, e.g. "tensor([[1, 2], [3, 4]], shape=[2, 2], strides=[2, 1])".
std::ostream& operator<<(std::ostream& os, const TensorBase& t);

}  // namespace ember
