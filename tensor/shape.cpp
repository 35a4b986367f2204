// shape.cpp — see shape.hpp.
#include "shape.hpp"

#include "error.hpp"

namespace ember {

int64_t shape_numel(const Shape& shape) {
  // The product of the non-zero sizes must fit, not only the product: the
  // strides of [0, 2^40, 2^40] would overflow although it holds nothing.
  int64_t nonzero = 1;
  bool empty = false;
  for (int64_t s : shape) {
    if (s == 0) {
      empty = true;
    } else {
      EMBER_CHECK(!__builtin_mul_overflow(nonzero, s, &nonzero), ShapeError, "shape ", shape,
                  ": more elements than a 64-bit index can count");
    }
  }
  return empty ? 0 : nonzero;
}

Strides contiguous_strides(const Shape& shape) {
  Strides strides(shape.size());
  int64_t running = 1;
  for (size_t d = shape.size(); d-- > 0;) {
    strides[d] = running;
    running *= shape[d];
  }
  return strides;
}

std::string shape_str(const Shape& shape) { return detail::str(shape); }

int64_t normalize_dim(int64_t dim, int64_t ndim, const char* op) {
  // A 0-d tensor still accepts dim 0 / -1, as in PyTorch.
  int64_t range = ndim == 0 ? 1 : ndim;
  EMBER_CHECK(dim >= -range && dim < range, IndexError, op, ": dim ", dim,
              " out of range for a tensor with ", ndim, " dims (valid: ", -range, " to ",
              range - 1, ")");
  return dim < 0 ? dim + range : dim;
}

Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op) {
  size_t n = std::max(a.size(), b.size());
  Shape out(n);
  for (size_t i = 0; i < n; ++i) {
    int64_t sa = i < n - a.size() ? 1 : a[i - (n - a.size())];
    int64_t sb = i < n - b.size() ? 1 : b[i - (n - b.size())];
    EMBER_CHECK(sa == sb || sa == 1 || sb == 1, ShapeError, op, ": cannot broadcast ", a,
                " with ", b, ": dim ", i, " has sizes ", sa, " and ", sb);
    out[i] = sa == 1 ? sb : sa;
  }
  return out;
}

Strides broadcast_strides(const Shape& shape, const Strides& strides, const Shape& target) {
  Strides out(target.size(), 0);
  size_t lead = target.size() - shape.size();
  for (size_t i = 0; i < shape.size(); ++i)
    out[lead + i] = (shape[i] == 1 && target[lead + i] != 1) ? 0 : strides[i];
  return out;
}

void unravel_index(int64_t flat, const Shape& shape, std::vector<int64_t>& index) {
  index.resize(shape.size());
  for (size_t d = shape.size(); d-- > 0;) {
    index[d] = shape[d] ? flat % shape[d] : 0;
    flat = shape[d] ? flat / shape[d] : 0;
  }
}

int64_t index_to_offset(const std::vector<int64_t>& index, const Strides& strides,
                        int64_t offset) {
  for (size_t d = 0; d < index.size(); ++d) offset += index[d] * strides[d];
  return offset;
}

}  // namespace ember
