// views.cpp — views rewrite (shape, strides, offset) over the same Storage.
//
// Nothing here copies numbers except a reshape whose layout no view can
// express (through kernels::contiguous).
#include "views.hpp"

#include <algorithm>
#include <numeric>

#include "kernels.hpp"

namespace ember::views {
namespace {

Tensor make_view(const Tensor& x, Shape shape, Strides strides, int64_t offset) {
  return Tensor(std::make_shared<TensorImpl>(
      TensorImpl{x.storage(), std::move(shape), std::move(strides), offset, {}}));
}

// Resolves a single -1 and checks the element count.
Shape infer_shape(const char* op, const Tensor& x, Shape shape) {
  int64_t known = 1, infer_at = -1;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == -1) {
      EMBER_CHECK(infer_at < 0, ShapeError, op, ": only one dim can be -1 in ", shape);
      infer_at = static_cast<int64_t>(d);
    } else {
      EMBER_CHECK(shape[d] >= 0, ShapeError, op, ": invalid size ", shape[d], " in ", shape);
      known *= shape[d];
    }
  }
  if (infer_at >= 0) {
    EMBER_CHECK(known != 0 && x.numel() % known == 0, ShapeError, op, ": cannot view ",
                x.shape(), " (", x.numel(), " elements) as ", shape);
    shape[static_cast<size_t>(infer_at)] = x.numel() / known;
  }
  EMBER_CHECK(shape_numel(shape) == x.numel(), ShapeError, op, ": cannot view ", x.shape(),
              " (", x.numel(), " elements) as ", shape, " (", shape_numel(shape),
              " elements)");
  return shape;
}

// Strides for viewing x as `shape` without a copy, if the layout allows:
// each group of old dims that merges into / splits from new dims must be
// laid out back to back in memory. Empty result = impossible.
bool view_strides(const Tensor& x, const Shape& shape, Strides& out) {
  out.assign(shape.size(), 0);
  if (x.numel() == 0) {
    out = contiguous_strides(shape);
    return true;
  }
  // Drop size-1 dims of the source: they constrain nothing.
  Shape os;
  Strides ost;
  for (size_t d = 0; d < x.shape().size(); ++d)
    if (x.shape()[d] != 1) {
      os.push_back(x.shape()[d]);
      ost.push_back(x.strides()[d]);
    }
  size_t oi = 0, ni = 0;
  while (ni < shape.size()) {
    if (shape[ni] == 1) {
      out[ni] = 1;
      ++ni;
      continue;
    }
    // Take old dims [oi, oj) and new dims [ni, nj) until their products agree.
    int64_t op = os[oi], np = shape[ni];
    size_t oj = oi + 1, nj = ni + 1;
    while (op != np) {
      if (op < np) op *= os[oj++];
      else np *= shape[nj++];
    }
    // The old group must be one contiguous run.
    for (size_t k = oi; k + 1 < oj; ++k)
      if (ost[k] != ost[k + 1] * os[k + 1]) return false;
    int64_t stride = ost[oj - 1];
    for (size_t k = nj; k-- > ni;) {
      out[k] = stride;
      stride *= shape[k];
    }
    oi = oj;
    ni = nj;
  }
  return true;
}

}  // namespace

bool can_view(const Tensor& x, const Shape& shape) {
  Strides st;
  return shape_numel(shape) == x.numel() && view_strides(x, shape, st);
}

Tensor view(const Tensor& x, Shape shape) {
  shape = infer_shape("view", x, std::move(shape));
  Strides st;
  EMBER_CHECK(view_strides(x, shape, st), ShapeError, "view: cannot view shape ", x.shape(),
              " with strides ", x.strides(), " as ", shape,
              " without a copy (the tensor is not contiguous in the merged dims; use "
              "reshape() or contiguous())");
  return make_view(x, shape, st, x.offset());
}

Tensor reshape(const Tensor& x, Shape shape) {
  shape = infer_shape("reshape", x, std::move(shape));
  Strides st;
  if (view_strides(x, shape, st)) return make_view(x, shape, st, x.offset());
  return view(kernels::contiguous(x), shape);
}

Tensor permute(const Tensor& x, const std::vector<int64_t>& dims) {
  EMBER_CHECK(static_cast<int64_t>(dims.size()) == x.dim(), ShapeError, "permute: ", dims.size(),
              " dims given for a tensor of shape ", x.shape(), " (order ", dims, ")");
  Shape shape(dims.size());
  Strides strides(dims.size());
  std::vector<bool> seen(dims.size(), false);
  for (size_t i = 0; i < dims.size(); ++i) {
    int64_t d = normalize_dim(dims[i], x.dim(), "permute");
    EMBER_CHECK(!seen[static_cast<size_t>(d)], ShapeError, "permute: dim ", d,
                " repeated in order ", dims);
    seen[static_cast<size_t>(d)] = true;
    shape[i] = x.shape()[static_cast<size_t>(d)];
    strides[i] = x.strides()[static_cast<size_t>(d)];
  }
  return make_view(x, shape, strides, x.offset());
}

Tensor transpose(const Tensor& x, int64_t dim0, int64_t dim1) {
  std::vector<int64_t> order(static_cast<size_t>(x.dim()));
  std::iota(order.begin(), order.end(), 0);
  std::swap(order[static_cast<size_t>(normalize_dim(dim0, x.dim(), "transpose"))],
            order[static_cast<size_t>(normalize_dim(dim1, x.dim(), "transpose"))]);
  return permute(x, order);
}

Tensor slice(const Tensor& x, int64_t dim, int64_t start, int64_t end, int64_t step) {
  auto d = static_cast<size_t>(normalize_dim(dim, x.dim(), "slice"));
  EMBER_CHECK(step > 0, ValueError, "slice: step must be positive, got ", step);
  int64_t n = x.shape()[d];
  // Python semantics: negative bounds count from the end, out-of-range clamps.
  if (start < 0) start += n;
  if (end < 0) end += n;
  start = std::clamp<int64_t>(start, 0, n);
  end = std::clamp<int64_t>(end, start, n);
  Shape shape = x.shape();
  Strides strides = x.strides();
  shape[d] = (end - start + step - 1) / step;
  strides[d] *= step;
  return make_view(x, shape, strides, x.offset() + start * x.strides()[d]);
}

Tensor narrow(const Tensor& x, int64_t dim, int64_t start, int64_t length) {
  auto d = static_cast<size_t>(normalize_dim(dim, x.dim(), "narrow"));
  int64_t n = x.shape()[d];
  if (start < 0) start += n;
  EMBER_CHECK(start >= 0 && length >= 0 && start + length <= n, IndexError, "narrow: start ",
              start, " length ", length, " out of range for dim ", d, " of size ", n);
  return slice(x, static_cast<int64_t>(d), start, start + length);
}

Tensor select(const Tensor& x, int64_t dim, int64_t index) {
  auto d = static_cast<size_t>(normalize_dim(dim, x.dim(), "select"));
  int64_t n = x.shape()[d];
  EMBER_CHECK(index >= -n && index < n, IndexError, "select: index ", index,
              " out of range for dim ", d, " of size ", n, " (valid: ", -n, " to ", n - 1, ")");
  if (index < 0) index += n;
  Shape shape = x.shape();
  Strides strides = x.strides();
  int64_t offset = x.offset() + index * strides[d];
  shape.erase(shape.begin() + static_cast<std::ptrdiff_t>(d));
  strides.erase(strides.begin() + static_cast<std::ptrdiff_t>(d));
  return make_view(x, shape, strides, offset);
}

Tensor expand(const Tensor& x, const Shape& shape) {
  EMBER_CHECK(shape.size() >= x.shape().size(), ShapeError, "expand: cannot expand ",
              x.shape(), " to fewer dims ", shape);
  size_t lead = shape.size() - x.shape().size();
  Shape out = shape;
  Strides strides(shape.size(), 0);
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i < lead) {
      EMBER_CHECK(shape[i] >= 0, ShapeError, "expand: invalid size -1 for new dim ", i,
                  " expanding ", x.shape(), " to ", shape);
      continue;
    }
    int64_t have = x.shape()[i - lead];
    if (shape[i] == -1) out[i] = have;
    EMBER_CHECK(have == out[i] || have == 1, ShapeError, "expand: cannot expand ", x.shape(),
                " to ", shape, ": dim ", i, " has size ", have, " (only size-1 dims expand)");
    strides[i] = have == out[i] ? x.strides()[i - lead] : 0;
  }
  return make_view(x, out, strides, x.offset());
}

Tensor squeeze(const Tensor& x) {
  Shape shape;
  Strides strides;
  for (size_t d = 0; d < x.shape().size(); ++d)
    if (x.shape()[d] != 1) {
      shape.push_back(x.shape()[d]);
      strides.push_back(x.strides()[d]);
    }
  return make_view(x, shape, strides, x.offset());
}

Tensor squeeze(const Tensor& x, int64_t dim) {
  if (x.dim() == 0) return make_view(x, {}, {}, x.offset());
  auto d = static_cast<size_t>(normalize_dim(dim, x.dim(), "squeeze"));
  if (x.shape()[d] != 1) return make_view(x, x.shape(), x.strides(), x.offset());
  return select(x, static_cast<int64_t>(d), 0);
}

Tensor unsqueeze(const Tensor& x, int64_t dim) {
  auto d = static_cast<size_t>(normalize_dim(dim, x.dim() + 1, "unsqueeze"));
  Shape shape = x.shape();
  Strides strides = x.strides();
  int64_t stride = d < shape.size() ? shape[d] * strides[d] : 1;
  shape.insert(shape.begin() + static_cast<std::ptrdiff_t>(d), 1);
  strides.insert(strides.begin() + static_cast<std::ptrdiff_t>(d), stride);
  return make_view(x, shape, strides, x.offset());
}

Tensor flatten(const Tensor& x, int64_t start_dim, int64_t end_dim) {
  if (x.dim() == 0) return reshape(x, {1});
  auto s = static_cast<size_t>(normalize_dim(start_dim, x.dim(), "flatten"));
  auto e = static_cast<size_t>(normalize_dim(end_dim, x.dim(), "flatten"));
  EMBER_CHECK(s <= e, IndexError, "flatten: start_dim ", start_dim, " comes after end_dim ",
              end_dim, " for shape ", x.shape());
  Shape shape(x.shape().begin(), x.shape().begin() + static_cast<std::ptrdiff_t>(s));
  int64_t merged = 1;
  for (size_t d = s; d <= e; ++d) merged *= x.shape()[d];
  shape.push_back(merged);
  shape.insert(shape.end(), x.shape().begin() + static_cast<std::ptrdiff_t>(e) + 1,
               x.shape().end());
  return reshape(x, shape);
}

}  // namespace ember::views
