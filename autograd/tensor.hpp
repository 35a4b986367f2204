// tensor.hpp — Tensor: the tensor users write, a TensorBase that can be
// differentiated.
//
// TensorBase (tensor/tensor.hpp) is the strided handle with what the tensor
// layer defines itself: creation, inspection, printing, in-place updates.
// Tensor adds the methods that compute (x.exp(), x.sum(), x.view(...)), the
// gradient (x.backward(), x.grad()) and the arithmetic operators (a + b). They
// are autograd's ops: each records a graph node when an input requires grad,
// so they are declared here, in the layer that defines them (in
// autograd/ops/*.cpp, engine.cpp and tensor.cpp), and the tensor layer below
// links without them. Tensor adds no data: a TensorBase converts to a Tensor
// implicitly (`Tensor y = kernels::exp(x);`) and every Tensor is a TensorBase.
// The static factories and in-place updates are repeated here returning
// Tensor, so `Tensor::zeros(s).sum()` and `x.fill_(0).exp()` read as before.
#pragma once

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "../tensor/tensor.hpp"

namespace ember {

namespace kernels {
struct ValuesIndices;
}
struct ValuesIndices;

class Tensor : public TensorBase {
 public:
  Tensor() = default;  // undefined: holds nothing (e.g. "no bias", "no grad yet")
  explicit Tensor(std::shared_ptr<TensorImpl> impl) : TensorBase(std::move(impl)) {}
  // Implicit on purpose: what a kernel returns is a Tensor without history.
  Tensor(const TensorBase& base) : TensorBase(base) {}        // NOLINT
  Tensor(TensorBase&& base) : TensorBase(std::move(base)) {}  // NOLINT

  // ---- creation (TensorBase's, returning Tensor) --------------------------
  static Tensor empty(const Shape& shape) { return TensorBase::empty(shape); }
  static Tensor zeros(const Shape& shape) { return TensorBase::zeros(shape); }
  static Tensor ones(const Shape& shape) { return TensorBase::ones(shape); }
  static Tensor full(const Shape& shape, float value) { return TensorBase::full(shape, value); }
  static Tensor arange(int64_t n) { return TensorBase::arange(n); }
  static Tensor arange(float start, float end, float step = 1.0f) {
    return TensorBase::arange(start, end, step);
  }
  static Tensor from_vector(const std::vector<float>& values, const Shape& shape) {
    return TensorBase::from_vector(values, shape);
  }
  static Tensor scalar(float value) { return TensorBase::scalar(value); }
  static Tensor rand(const Shape& shape) { return TensorBase::rand(shape); }
  static Tensor randn(const Shape& shape) { return TensorBase::randn(shape); }
  static Tensor uniform(const Shape& shape, float lo, float hi) {
    return TensorBase::uniform(shape, lo, hi);
  }
  static Tensor normal(const Shape& shape, float mean, float std) {
    return TensorBase::normal(shape, mean, std);
  }
  static Tensor zeros_like(const TensorBase& t) { return TensorBase::zeros_like(t); }
  static Tensor ones_like(const TensorBase& t) { return TensorBase::ones_like(t); }
  static Tensor as_strided(const TensorBase& base, const Shape& shape, const Strides& strides,
                           int64_t offset) {
    return TensorBase::as_strided(base, shape, strides, offset);
  }

  // ---- views (differentiable; no copy unless said) ------------------------
  Tensor view(const Shape& shape) const;     // needs a compatible layout; -1 infers one size
  Tensor reshape(const Shape& shape) const;  // a view when possible, else a copy
  Tensor permute(const std::vector<int64_t>& dims) const;
  Tensor transpose(int64_t dim0, int64_t dim1) const;
  Tensor t() const { return transpose(0, 1); }  // 2-D transpose
  Tensor slice(int64_t dim, int64_t start, int64_t end, int64_t step = 1) const;
  Tensor narrow(int64_t dim, int64_t start, int64_t length) const;
  Tensor select(int64_t dim, int64_t index) const;  // drops the dim
  Tensor expand(const Shape& shape) const;          // size-1 dims to stride 0
  Tensor squeeze() const;                           // all size-1 dims
  Tensor squeeze(int64_t dim) const;
  Tensor unsqueeze(int64_t dim) const;
  Tensor flatten(int64_t start_dim = 0, int64_t end_dim = -1) const;
  Tensor contiguous() const;  // itself if already contiguous, else a copy
  Tensor clone() const;       // always a copy (differentiable)

  // ---- math (differentiable; autograd/ops/) -------------------------------
  Tensor neg() const;
  Tensor exp() const;
  Tensor log() const;
  Tensor sqrt() const;
  Tensor abs() const;
  Tensor tanh() const;
  Tensor sigmoid() const;
  Tensor relu() const;
  Tensor pow(float exponent) const;
  Tensor clamp(float lo, float hi) const;
  Tensor sum() const;
  Tensor sum(const std::vector<int64_t>& dims, bool keepdim = false) const;
  Tensor mean() const;
  Tensor mean(const std::vector<int64_t>& dims, bool keepdim = false) const;
  Tensor max() const;
  ValuesIndices max(int64_t dim, bool keepdim = false) const;
  Tensor min() const;
  ValuesIndices min(int64_t dim, bool keepdim = false) const;
  Tensor argmax(int64_t dim, bool keepdim = false) const;  // float indices, not recorded
  Tensor var(bool unbiased = true) const;
  Tensor var(const std::vector<int64_t>& dims, bool unbiased = true, bool keepdim = false) const;
  Tensor softmax(int64_t dim) const;
  Tensor log_softmax(int64_t dim) const;

  // ---- in place (TensorBase's, returning Tensor&; never recorded) ---------
  Tensor& fill_(float value) { return as_tensor(TensorBase::fill_(value)); }
  Tensor& zero_() { return as_tensor(TensorBase::zero_()); }
  Tensor& copy_(const TensorBase& src) { return as_tensor(TensorBase::copy_(src)); }
  Tensor& add_(const TensorBase& other, float alpha = 1.0f) {
    return as_tensor(TensorBase::add_(other, alpha));
  }
  Tensor& add_(float value) { return as_tensor(TensorBase::add_(value)); }
  Tensor& sub_(const TensorBase& other, float alpha = 1.0f) {
    return as_tensor(TensorBase::sub_(other, alpha));
  }
  Tensor& sub_(float value) { return as_tensor(TensorBase::sub_(value)); }
  Tensor& mul_(const TensorBase& other) { return as_tensor(TensorBase::mul_(other)); }
  Tensor& mul_(float value) { return as_tensor(TensorBase::mul_(value)); }
  Tensor& div_(const TensorBase& other) { return as_tensor(TensorBase::div_(other)); }
  Tensor& div_(float value) { return as_tensor(TensorBase::div_(value)); }
  Tensor& addcmul_(const TensorBase& t1, const TensorBase& t2, float value = 1.0f) {
    return as_tensor(TensorBase::addcmul_(t1, t2, value));
  }
  Tensor& addcdiv_(const TensorBase& t1, const TensorBase& t2, float value = 1.0f) {
    return as_tensor(TensorBase::addcdiv_(t1, t2, value));
  }

  // ---- autograd (the gradient in autograd/tensor.cpp, backward in engine.cpp)
  Tensor& requires_grad_(bool on = true) { return as_tensor(TensorBase::requires_grad_(on)); }
  Tensor grad() const;  // undefined until a backward reaches this tensor
  void set_grad(const Tensor& grad) const;
  void zero_grad() const;                                 // drops the accumulated gradient
  Tensor detach() const { return TensorBase::detach(); }  // same storage, no history
  // Backpropagates from this tensor. A non-scalar needs `gradient` (same shape).
  void backward(const Tensor& gradient = Tensor(), bool retain_graph = false) const;

 private:
  // TensorBase's in-place updates return *this as a TensorBase&; it is this Tensor.
  Tensor& as_tensor(TensorBase&) { return *this; }
};

// Result of max/min along a dim: the values and where they were.
struct ValuesIndices {
  Tensor values;
  Tensor indices;  // float tensor of positions along the reduced dim

  ValuesIndices() = default;
  ValuesIndices(Tensor values, Tensor indices)
      : values(std::move(values)), indices(std::move(indices)) {}
  // What kernels::max, kernels::min and kernels::max_pool2d return.
  ValuesIndices(const kernels::ValuesIndices& r);  // NOLINT: implicit on purpose
};

// Arithmetic with broadcasting (differentiable, see autograd/ops/elementwise.cpp).
Tensor operator+(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a, const Tensor& b);
Tensor operator*(const Tensor& a, const Tensor& b);
Tensor operator/(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a);
Tensor operator+(const Tensor& a, float b);
Tensor operator-(const Tensor& a, float b);
Tensor operator*(const Tensor& a, float b);
Tensor operator/(const Tensor& a, float b);
Tensor operator+(float a, const Tensor& b);
Tensor operator-(float a, const Tensor& b);
Tensor operator*(float a, const Tensor& b);
Tensor operator/(float a, const Tensor& b);

}  // namespace ember
