// tensor.cpp — Tensor's creation, inspection, printing and in-place updates.
//
// The differentiable methods (views, math, backward) are defined with their
// ops in autograd/ops/*.cpp; the kernels they call are in tensor/*.cpp.
#include "tensor.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <ostream>

#include "kernels.hpp"
#include "random.hpp"
#include "runtime/allocator.hpp"
#include "strided_loop.hpp"

namespace ember {

Storage::Storage(int64_t n) : data(allocator::allocate(n)), size(n) {}
Storage::~Storage() { allocator::release(data, size); }

TensorImpl& Tensor::impl() const {
  EMBER_CHECK(impl_ != nullptr, ValueError,
              "tensor is undefined (default-constructed, or a gradient no backward reached)");
  return *impl_;
}

// ---- creation ---------------------------------------------------------------

Tensor Tensor::empty(const Shape& shape) {
  for (int64_t s : shape)
    EMBER_CHECK(s >= 0, ValueError, "empty: negative size in shape ", shape);
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = std::make_shared<Storage>(shape_numel(shape));
  impl->shape = shape;
  impl->strides = contiguous_strides(shape);
  return Tensor(std::move(impl));
}

Tensor Tensor::zeros(const Shape& shape) { return full(shape, 0.0f); }
Tensor Tensor::ones(const Shape& shape) { return full(shape, 1.0f); }

Tensor Tensor::full(const Shape& shape, float value) {
  Tensor t = empty(shape);
  std::fill_n(t.data(), t.numel(), value);
  return t;
}

Tensor Tensor::arange(int64_t n) { return arange(0.0f, static_cast<float>(n), 1.0f); }

Tensor Tensor::arange(float start, float end, float step) {
  EMBER_CHECK(step != 0.0f, ValueError, "arange: step must be nonzero");
  auto n = static_cast<int64_t>(std::ceil((end - start) / step));
  Tensor t = empty({std::max<int64_t>(n, 0)});
  for (int64_t i = 0; i < t.numel(); ++i) t.data()[i] = start + static_cast<float>(i) * step;
  return t;
}

Tensor Tensor::from_vector(const std::vector<float>& values, const Shape& shape) {
  EMBER_CHECK(static_cast<int64_t>(values.size()) == shape_numel(shape), ShapeError,
              "from_vector: ", values.size(), " values cannot fill shape ", shape, " (",
              shape_numel(shape), " elements)");
  Tensor t = empty(shape);
  std::copy(values.begin(), values.end(), t.data());
  return t;
}

Tensor Tensor::scalar(float value) { return full({}, value); }

Tensor Tensor::rand(const Shape& shape) { return uniform(shape, 0.0f, 1.0f); }

Tensor Tensor::randn(const Shape& shape) { return normal(shape, 0.0f, 1.0f); }

Tensor Tensor::uniform(const Shape& shape, float lo, float hi) {
  EMBER_CHECK(lo <= hi, ValueError, "uniform: lo ", lo, " > hi ", hi);
  Tensor t = empty(shape);
  Generator& g = default_generator();
  for (int64_t i = 0; i < t.numel(); ++i) t.data()[i] = lo + (hi - lo) * g.uniform();
  return t;
}

Tensor Tensor::normal(const Shape& shape, float mean, float std) {
  EMBER_CHECK(std >= 0.0f, ValueError, "normal: std must be >= 0, got ", std);
  Tensor t = empty(shape);
  Generator& g = default_generator();
  for (int64_t i = 0; i < t.numel(); ++i) t.data()[i] = mean + std * g.normal();
  return t;
}

Tensor Tensor::as_strided(const Tensor& base, const Shape& shape, const Strides& strides,
                          int64_t offset) {
  EMBER_CHECK(shape.size() == strides.size(), ShapeError, "as_strided: shape ", shape,
              " and strides ", strides, " differ in length");
  // The lowest and highest element the view can touch must be in storage.
  int64_t lo = offset, hi = offset;
  for (size_t d = 0; d < shape.size(); ++d) {
    EMBER_CHECK(shape[d] >= 0, ValueError, "as_strided: negative size in shape ", shape);
    if (shape[d] == 0) return Tensor(std::make_shared<TensorImpl>(
                           TensorImpl{base.storage(), shape, strides, offset, {}}));
    int64_t span = (shape[d] - 1) * strides[d];
    (span < 0 ? lo : hi) += span;
  }
  EMBER_CHECK(lo >= 0 && hi < std::max<int64_t>(base.storage()->size, 1), IndexError,
              "as_strided: view of shape ", shape, " strides ", strides, " offset ", offset,
              " reaches elements [", lo, ", ", hi, "] outside storage of ",
              base.storage()->size);
  return Tensor(std::make_shared<TensorImpl>(TensorImpl{base.storage(), shape, strides, offset, {}}));
}

// ---- inspection -------------------------------------------------------------

int64_t Tensor::size(int64_t d) const { return shape()[normalize_dim(d, dim(), "size")]; }

bool Tensor::is_contiguous() const {
  // Size-1 dims may have any stride; everything else must be row-major.
  int64_t expected = 1;
  for (size_t d = shape().size(); d-- > 0;) {
    if (shape()[d] == 1) continue;
    if (strides()[d] != expected) return false;
    expected *= shape()[d];
  }
  return true;
}

float Tensor::item() const {
  EMBER_CHECK(numel() == 1, ShapeError, "item: tensor of shape ", shape(),
              " has ", numel(), " elements, not 1");
  return at(std::vector<int64_t>(shape().size(), 0));
}

float& Tensor::at(const std::vector<int64_t>& index) const {
  EMBER_CHECK(static_cast<int64_t>(index.size()) == dim(), IndexError, "at: index ", index,
              " has ", index.size(), " entries for a tensor of shape ", shape());
  int64_t off = offset();
  for (size_t d = 0; d < index.size(); ++d) {
    int64_t i = index[d];
    EMBER_CHECK(i >= -shape()[d] && i < shape()[d], IndexError, "at: index ", i,
                " out of range for dim ", d, " of size ", shape()[d], " (shape ", shape(),
                ")");
    off += (i < 0 ? i + shape()[d] : i) * strides()[d];
  }
  return storage()->data[off];
}

std::vector<float> Tensor::to_vector() const {
  std::vector<float> out(static_cast<size_t>(numel()));
  Tensor dst = from_vector(std::vector<float>(out.size()), shape());
  kernels::copy(dst, *this);
  std::copy_n(dst.data(), out.size(), out.begin());
  return out;
}

// ---- printing -----------------------------------------------------------------

namespace {

// Prints dims recursively; beyond 6 entries a dim shows its first and last 3.
void print_values(std::ostream& os, const Tensor& t, int64_t dim, int64_t offset) {
  int64_t n = t.shape()[dim];
  bool elide = n > 6;
  os << '[';
  for (int64_t i = 0; i < n; ++i) {
    if (elide && i == 3) {
      os << "...";
      i = n - 3;
      os << (dim + 1 == t.dim() ? ", " : ",\n" + std::string(static_cast<size_t>(dim) + 8, ' '));
    }
    int64_t off = offset + i * t.strides()[dim];
    if (dim + 1 == t.dim())
      os << t.storage()->data[off];
    else
      print_values(os, t, dim + 1, off);
    if (i + 1 < n)
      os << (dim + 1 == t.dim() ? ", " : ",\n" + std::string(static_cast<size_t>(dim) + 8, ' '));
  }
  os << ']';
}

}  // namespace

std::ostream& operator<<(std::ostream& os, const Tensor& t) {
  if (!t.defined()) return os << "tensor(undefined)";
  std::ios_base::fmtflags flags = os.flags();
  std::streamsize precision = os.precision(4);
  os << "tensor(";
  if (t.dim() == 0)
    os << t.storage()->data[t.offset()];
  else
    print_values(os, t, 0, t.offset());
  os << ", shape=" << shape_str(t.shape()) << ", strides=" << shape_str(t.strides());
  if (t.offset() != 0) os << ", offset=" << t.offset();
  if (!t.is_contiguous()) os << ", non-contiguous";
  if (t.requires_grad()) os << ", requires_grad";
  os << ')';
  os.flags(flags);
  os.precision(precision);
  return os;
}

// ---- in place -----------------------------------------------------------------

namespace {

// Applies f(dst_element, src_element) over dst, with src broadcast to dst.
template <class F>
void update_with(const Tensor& dst, const Tensor& src, const char* op, F f) {
  Shape b = broadcast_shapes(dst.shape(), src.shape(), op);
  EMBER_CHECK(b == dst.shape(), ShapeError, op, ": cannot update a tensor of shape ",
              dst.shape(), " in place from shape ", src.shape());
  float* d = dst.storage()->data;
  const float* s = src.storage()->data;
  detail::strided_loop<2>(dst.shape(),
                          {dst.strides(), broadcast_strides(src.shape(), src.strides(), dst.shape())},
                          {dst.offset(), src.offset()},
                          [&](std::array<int64_t, 2> off, int64_t n, std::array<int64_t, 2> st) {
                            float* dp = d + off[0];
                            const float* sp = s + off[1];
                            if (st[0] == 1 && st[1] == 1)
                              for (int64_t i = 0; i < n; ++i) f(dp[i], sp[i]);
                            else
                              for (int64_t i = 0; i < n; ++i) f(dp[i * st[0]], sp[i * st[1]]);
                          });
  dst.bump_version();
}

template <class F>
void update_scalar(const Tensor& dst, F f) {
  float* d = dst.storage()->data;
  detail::strided_loop<1>(dst.shape(), {dst.strides()}, {dst.offset()},
                          [&](std::array<int64_t, 1> off, int64_t n, std::array<int64_t, 1> st) {
                            float* dp = d + off[0];
                            if (st[0] == 1)
                              for (int64_t i = 0; i < n; ++i) f(dp[i]);
                            else
                              for (int64_t i = 0; i < n; ++i) f(dp[i * st[0]]);
                          });
  dst.bump_version();
}

// Three-operand form for addcmul_/addcdiv_: t1 and t2 broadcast to dst.
template <class F>
void update_with2(const Tensor& dst, const Tensor& t1, const Tensor& t2, const char* op, F f) {
  Shape b = broadcast_shapes(broadcast_shapes(dst.shape(), t1.shape(), op), t2.shape(), op);
  EMBER_CHECK(b == dst.shape(), ShapeError, op, ": cannot update a tensor of shape ",
              dst.shape(), " in place from shapes ", t1.shape(), " and ", t2.shape());
  float* d = dst.storage()->data;
  const float* p1 = t1.storage()->data;
  const float* p2 = t2.storage()->data;
  detail::strided_loop<3>(
      dst.shape(),
      {dst.strides(), broadcast_strides(t1.shape(), t1.strides(), dst.shape()),
       broadcast_strides(t2.shape(), t2.strides(), dst.shape())},
      {dst.offset(), t1.offset(), t2.offset()},
      [&](std::array<int64_t, 3> off, int64_t n, std::array<int64_t, 3> st) {
        float* dp = d + off[0];
        const float* a = p1 + off[1];
        const float* c = p2 + off[2];
        if (st[0] == 1 && st[1] == 1 && st[2] == 1)
          for (int64_t i = 0; i < n; ++i) f(dp[i], a[i], c[i]);
        else
          for (int64_t i = 0; i < n; ++i) f(dp[i * st[0]], a[i * st[1]], c[i * st[2]]);
      });
  dst.bump_version();
}

}  // namespace

Tensor& Tensor::fill_(float value) {
  update_scalar(*this, [value](float& d) { d = value; });
  return *this;
}

Tensor& Tensor::copy_(const Tensor& src) {
  update_with(*this, src, "copy_", [](float& d, float s) { d = s; });
  return *this;
}

Tensor& Tensor::add_(const Tensor& other, float alpha) {
  if (alpha == 1.0f)
    update_with(*this, other, "add_", [](float& d, float s) { d += s; });
  else
    update_with(*this, other, "add_", [alpha](float& d, float s) { d += alpha * s; });
  return *this;
}

Tensor& Tensor::add_(float value) {
  update_scalar(*this, [value](float& d) { d += value; });
  return *this;
}

Tensor& Tensor::sub_(const Tensor& other, float alpha) { return add_(other, -alpha); }
Tensor& Tensor::sub_(float value) { return add_(-value); }

Tensor& Tensor::mul_(const Tensor& other) {
  update_with(*this, other, "mul_", [](float& d, float s) { d *= s; });
  return *this;
}

Tensor& Tensor::mul_(float value) {
  update_scalar(*this, [value](float& d) { d *= value; });
  return *this;
}

Tensor& Tensor::div_(const Tensor& other) {
  update_with(*this, other, "div_", [](float& d, float s) { d /= s; });
  return *this;
}

Tensor& Tensor::div_(float value) {
  update_scalar(*this, [value](float& d) { d /= value; });
  return *this;
}

Tensor& Tensor::addcmul_(const Tensor& t1, const Tensor& t2, float value) {
  update_with2(*this, t1, t2, "addcmul_",
               [value](float& d, float a, float b) { d += value * a * b; });
  return *this;
}

Tensor& Tensor::addcdiv_(const Tensor& t1, const Tensor& t2, float value) {
  update_with2(*this, t1, t2, "addcdiv_",
               [value](float& d, float a, float b) { d += value * a / b; });
  return *this;
}

// ---- autograd state (the engine itself is in autograd/) -----------------------

Tensor& Tensor::requires_grad_(bool on) {
  EMBER_CHECK(!on || is_leaf(), AutogradError,
              "requires_grad_: only leaf tensors can be made to require grad; this one was "
              "produced by an op (call detach() first)");
  impl().autograd.requires_grad = on;
  return *this;
}

Tensor Tensor::grad() const { return Tensor(impl().autograd.grad); }

void Tensor::set_grad(const Tensor& grad) const {
  if (grad.defined())
    EMBER_CHECK(grad.shape() == shape(), ShapeError, "set_grad: gradient of shape ",
                grad.shape(), " for a tensor of shape ", shape());
  impl().autograd.grad = grad.impl_;
}

void Tensor::zero_grad() const { impl().autograd.grad.reset(); }

Tensor Tensor::detach() const {
  return Tensor(std::make_shared<TensorImpl>(
      TensorImpl{impl().storage, impl().shape, impl().strides, impl().offset, {}}));
}

}  // namespace ember
