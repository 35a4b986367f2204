// reduce.cpp — reductions over dims, and the softmax family.
//
// Sums accumulate in double: a float running sum over 60,000 numbers loses
// digits a gradient check notices. Ops along one dim (max, softmax) move that
// dim last so each output reads one contiguous row.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

#include "kernels.hpp"
#include "runtime/parallel.hpp"
#include "strided_loop.hpp"
#include "views.hpp"

namespace ember::kernels {
namespace {

// Which dims to reduce (empty = all), normalized and deduplicated.
std::vector<bool> reduced_mask(const Tensor& x, const std::vector<int64_t>& dims,
                               const char* op) {
  std::vector<bool> mask(static_cast<size_t>(x.dim()), dims.empty());
  for (int64_t d : dims) mask[static_cast<size_t>(normalize_dim(d, x.dim(), op))] = true;
  return mask;
}

Shape reduced_shape(const Tensor& x, const std::vector<bool>& mask, bool keepdim) {
  Shape out;
  for (size_t d = 0; d < mask.size(); ++d) {
    if (!mask[d]) out.push_back(x.shape()[d]);
    else if (keepdim) out.push_back(1);
  }
  return out;
}

int64_t reduced_count(const Tensor& x, const std::vector<bool>& mask) {
  int64_t n = 1;
  for (size_t d = 0; d < mask.size(); ++d)
    if (mask[d]) n *= x.shape()[d];
  return n;
}

// row(r) for r in [0, rows), rows of `width` elements, split over the pool
// when there are enough of them: rows are independent, so the result does
// not depend on the thread count.
template <class Row>
void for_rows(int64_t rows, int64_t width, Row&& row) {
  detail::parallel_for(rows, detail::row_grain(width), [&](int64_t lo, int64_t hi, int64_t) {
    for (int64_t r = lo; r < hi; ++r) row(r);
  });
}

// Moves `dim` last and makes the rows contiguous: returns [outer, n] data.
Tensor rows_along(const Tensor& x, int64_t dim) {
  std::vector<int64_t> order;
  for (int64_t d = 0; d < x.dim(); ++d)
    if (d != dim) order.push_back(d);
  order.push_back(dim);
  return contiguous(views::permute(x, order));
}

// Inverse of rows_along for a result with the same shape as x.
Tensor unrows(const Tensor& rows, const Tensor& x, int64_t dim) {
  Shape moved;
  for (int64_t d = 0; d < x.dim(); ++d)
    if (d != dim) moved.push_back(x.shape()[static_cast<size_t>(d)]);
  moved.push_back(x.shape()[static_cast<size_t>(dim)]);
  std::vector<int64_t> back(static_cast<size_t>(x.dim()));
  // Position of original dim d in the moved order.
  for (int64_t d = 0, k = 0; d < x.dim(); ++d)
    back[static_cast<size_t>(d)] = d == dim ? x.dim() - 1 : k++;
  return contiguous(views::permute(views::view(rows, moved), back));
}

// Sum of a contiguous run in double, in 8 interleaved partial sums that the
// compiler keeps in vector registers (a single running sum is a serial chain
// of dependent adds, ~4x slower); the partials are combined in a fixed order.
double sum_run(const float* p, int64_t n) {
  constexpr int64_t kLanes = 8;
  double lanes[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int64_t j = 0; j < kLanes; ++j) lanes[j] += p[i + j];
  double s = 0.0;
  for (; i < n; ++i) s += p[i];
  for (int64_t j = 0; j < kLanes; ++j) s += lanes[j];
  return s;
}

ValuesIndices arg_reduce(const Tensor& x, int64_t dim, bool keepdim, bool want_max,
                         const char* op) {
  EMBER_CHECK(x.numel() > 0, ShapeError, op, ": cannot reduce an empty tensor of shape ",
              x.shape());
  int64_t d = normalize_dim(dim, x.dim(), op);
  if (x.dim() == 0) return {x.detach(), Tensor::zeros({})};
  Tensor rows = rows_along(x, d);
  int64_t n = x.shape()[static_cast<size_t>(d)];
  int64_t outer = x.numel() / n;
  std::vector<bool> mask(static_cast<size_t>(x.dim()), false);
  mask[static_cast<size_t>(d)] = true;
  Shape out_shape = reduced_shape(x, mask, keepdim);
  Tensor values = Tensor::empty(out_shape), indices = Tensor::empty(out_shape);
  const float* p = rows.data();
  for (int64_t r = 0; r < outer; ++r) {
    const float* row = p + r * n;
    int64_t best = 0;
    for (int64_t i = 1; i < n; ++i) {
      // NaN wins, as in PyTorch: a NaN anywhere shows in the result.
      if (std::isnan(row[best])) break;
      if (std::isnan(row[i]) || (want_max ? row[i] > row[best] : row[i] < row[best])) best = i;
    }
    values.data()[r] = row[best];
    indices.data()[r] = static_cast<float>(best);
  }
  return {values, indices};
}

}  // namespace

Tensor sum(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim) {
  std::vector<bool> mask = reduced_mask(x, dims, "sum");
  Shape out_shape = reduced_shape(x, mask, keepdim);
  // Accumulate into a double buffer laid out like the output, walking the
  // input once with stride 0 on the reduced dims of the output.
  Shape kept = reduced_shape(x, mask, true);
  Strides acc_strides = contiguous_strides(kept);
  for (size_t d = 0; d < mask.size(); ++d)
    if (mask[d]) acc_strides[d] = 0;
  const size_t acc_size = static_cast<size_t>(shape_numel(kept));
  const float* base = x.storage()->data;
  const auto walk = [&](const Shape& shape, int64_t acc_offset, int64_t x_offset, double* acc) {
    detail::strided_loop<2>(
        shape, {acc_strides, x.strides()}, {acc_offset, x_offset},
        [&](std::array<int64_t, 2> off, int64_t n, std::array<int64_t, 2> st) {
          double* a = acc + off[0];
          const float* p = base + off[1];
          if (st[0] == 0 && st[1] == 1) {
            *a += sum_run(p, n);
          } else if (st[0] == 0) {
            double s = 0.0;
            for (int64_t i = 0; i < n; ++i) s += p[i * st[1]];
            *a += s;
          } else {
            for (int64_t i = 0; i < n; ++i) a[i * st[0]] += p[i * st[1]];
          }
        });
  };
  // Threads split dim 0, as the elementwise kernels do: each chunk sums its
  // slab into a buffer of its own, and the buffers are added in chunk order,
  // so a given thread count gives the same bits every run (parallel.hpp).
  const int64_t outer = x.dim() > 0 ? x.shape()[0] : 1;
  const int64_t grain = detail::row_grain(x.numel() / std::max<int64_t>(outer, 1));
  const int64_t chunks = x.dim() > 0 ? detail::chunk_count(outer, grain) : 1;
  std::vector<std::vector<double>> acc(static_cast<size_t>(std::max<int64_t>(chunks, 1)),
                                       std::vector<double>(acc_size, 0.0));
  if (chunks <= 1) {
    walk(x.shape(), 0, x.offset(), acc[0].data());
  } else {
    detail::parallel_for(outer, grain, [&](int64_t lo, int64_t hi, int64_t chunk) {
      Shape slab = x.shape();
      slab[0] = hi - lo;
      walk(slab, lo * acc_strides[0], x.offset() + lo * x.strides()[0],
           acc[static_cast<size_t>(chunk)].data());
    });
    for (size_t c = 1; c < acc.size(); ++c)
      for (size_t i = 0; i < acc_size; ++i) acc[0][i] += acc[c][i];
  }
  Tensor out = Tensor::empty(out_shape);
  std::transform(acc[0].begin(), acc[0].end(), out.data(),
                 [](double v) { return static_cast<float>(v); });
  return out;
}

Tensor mean(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim) {
  int64_t n = reduced_count(x, reduced_mask(x, dims, "mean"));
  Tensor s = sum(x, dims, keepdim);
  s.mul_(n ? 1.0f / static_cast<float>(n) : std::numeric_limits<float>::quiet_NaN());
  return s;
}

Tensor var(const Tensor& x, const std::vector<int64_t>& dims, bool unbiased, bool keepdim) {
  int64_t n = reduced_count(x, reduced_mask(x, dims, "var"));
  Tensor centered = sub(x, mean(x, dims, true));
  Tensor ss = sum(mul(centered, centered), dims, keepdim);
  int64_t denom = n - (unbiased ? 1 : 0);
  ss.mul_(denom > 0 ? 1.0f / static_cast<float>(denom) : std::numeric_limits<float>::quiet_NaN());
  return ss;
}

ValuesIndices max(const Tensor& x, int64_t dim, bool keepdim) {
  return arg_reduce(x, dim, keepdim, true, "max");
}
ValuesIndices min(const Tensor& x, int64_t dim, bool keepdim) {
  return arg_reduce(x, dim, keepdim, false, "min");
}
Tensor max(const Tensor& x) {
  return arg_reduce(views::flatten(x, 0, -1), 0, false, true, "max").values;
}
Tensor min(const Tensor& x) {
  return arg_reduce(views::flatten(x, 0, -1), 0, false, false, "min").values;
}
Tensor argmax(const Tensor& x, int64_t dim, bool keepdim) {
  return arg_reduce(x, dim, keepdim, true, "argmax").indices;
}

Tensor sum_to(const Tensor& x, const Shape& shape) {
  if (x.shape() == shape) return x;
  EMBER_CHECK(broadcast_shapes(shape, x.shape(), "sum_to") == x.shape(), ShapeError,
              "sum_to: shape ", x.shape(), " is not a broadcast of ", shape);
  std::vector<int64_t> dims;
  size_t lead = x.shape().size() - shape.size();
  for (size_t d = 0; d < x.shape().size(); ++d)
    if (d < lead || (shape[d - lead] == 1 && x.shape()[d] != 1))
      dims.push_back(static_cast<int64_t>(d));
  if (dims.empty()) return views::reshape(x, shape);
  return views::reshape(sum(x, dims, true), shape);
}

// Softmax family: per row, subtract the max so exp never overflows.
Tensor softmax(const Tensor& x, int64_t dim) {
  if (x.dim() == 0) return Tensor::ones({});
  int64_t d = normalize_dim(dim, x.dim(), "softmax");
  Tensor rows = rows_along(x, d);
  int64_t n = x.shape()[static_cast<size_t>(d)];
  Tensor out = Tensor::empty(rows.shape());
  if (n == 0) return out;
  for_rows(rows.numel() / n, n, [&](int64_t r) {
    const float* in = rows.data() + r * n;
    float* o = out.data() + r * n;
    float m = *std::max_element(in, in + n);
    double s = 0.0;
    for (int64_t i = 0; i < n; ++i) s += (o[i] = std::exp(in[i] - m));
    float inv = static_cast<float>(1.0 / s);
    for (int64_t i = 0; i < n; ++i) o[i] *= inv;
  });
  return d == x.dim() - 1 ? views::view(out, x.shape()) : unrows(out, x, d);
}

Tensor log_softmax(const Tensor& x, int64_t dim) {
  if (x.dim() == 0) return Tensor::zeros({});
  int64_t d = normalize_dim(dim, x.dim(), "log_softmax");
  Tensor rows = rows_along(x, d);
  int64_t n = x.shape()[static_cast<size_t>(d)];
  Tensor out = Tensor::empty(rows.shape());
  if (n == 0) return out;
  for_rows(rows.numel() / n, n, [&](int64_t r) {
    const float* in = rows.data() + r * n;
    float* o = out.data() + r * n;
    float m = *std::max_element(in, in + n);
    double s = 0.0;
    for (int64_t i = 0; i < n; ++i) s += std::exp(in[i] - m);
    float lse = m + static_cast<float>(std::log(s));
    for (int64_t i = 0; i < n; ++i) o[i] = in[i] - lse;
  });
  return d == x.dim() - 1 ? views::view(out, x.shape()) : unrows(out, x, d);
}

Tensor logsumexp(const Tensor& x, int64_t dim, bool keepdim) {
  int64_t d = normalize_dim(dim, x.dim(), "logsumexp");
  if (x.dim() == 0) return x.detach();
  Tensor rows = rows_along(x, d);
  int64_t n = x.shape()[static_cast<size_t>(d)];
  std::vector<bool> mask(static_cast<size_t>(x.dim()), false);
  mask[static_cast<size_t>(d)] = true;
  Tensor out = Tensor::empty(reduced_shape(x, mask, keepdim));
  for_rows(out.numel(), n, [&](int64_t r) {
    const float* in = rows.data() + r * n;
    float m = n ? *std::max_element(in, in + n) : -std::numeric_limits<float>::infinity();
    if (std::isinf(m)) {  // all -inf (or +inf somewhere): the max is the answer
      out.data()[r] = m;
      return;
    }
    double s = 0.0;
    for (int64_t i = 0; i < n; ++i) s += std::exp(in[i] - m);
    out.data()[r] = m + static_cast<float>(std::log(s));
  });
  return out;
}

}  // namespace ember::kernels
