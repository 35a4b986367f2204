// join.cpp — cat and stack: many tensors into one new contiguous tensor.
//
// cat along dim d: every input has the same sizes except in d, and the output
// holds them one after another along d. In row-major memory that is, for each
// index of the dims before d, one block of size[d]*prod(sizes after d) per
// input, so contiguous inputs are copied as whole blocks.
// stack = unsqueeze every input at d, then cat along d.
#include <algorithm>

#include "kernels.hpp"
#include "views.hpp"

namespace ember::kernels {

Tensor cat(const std::vector<Tensor>& tensors, int64_t dim) {
  EMBER_CHECK(!tensors.empty(), ValueError, "cat: needs at least one tensor");
  for (size_t i = 0; i < tensors.size(); ++i)
    EMBER_CHECK(tensors[i].defined(), ValueError, "cat: tensor ", i, " is undefined");
  const Shape& first = tensors[0].shape();
  EMBER_CHECK(!first.empty(), ShapeError, "cat: cannot concatenate 0-d tensors (tensor 0 is ",
              first, ")");
  const int64_t d = normalize_dim(dim, static_cast<int64_t>(first.size()), "cat");
  Shape out_shape = first;
  out_shape[d] = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Shape& s = tensors[i].shape();
    bool fits = s.size() == first.size();
    for (size_t k = 0; fits && k < s.size(); ++k)
      fits = static_cast<int64_t>(k) == d || s[k] == first[k];
    EMBER_CHECK(fits, ShapeError, "cat: tensor ", i, " has shape ", s, " but tensor 0 has ",
                first, ": sizes must match except in dim ", d);
    out_shape[d] += s[d];
  }
  Tensor out = Tensor::empty(out_shape);
  const int64_t outer = shape_numel(Shape(first.begin(), first.begin() + d));
  const int64_t inner = shape_numel(Shape(first.begin() + d + 1, first.end()));
  const int64_t out_block = out_shape[d] * inner;
  int64_t start = 0;  // position along d of the current input
  for (const Tensor& t : tensors) {
    const int64_t size = t.shape()[d];
    if (t.is_contiguous()) {
      const int64_t block = size * inner;
      for (int64_t o = 0; o < outer; ++o)
        std::copy(t.data() + o * block, t.data() + (o + 1) * block,
                  out.data() + o * out_block + start * inner);
    } else {
      copy(views::narrow(out, d, start, size), t);
    }
    start += size;
  }
  return out;
}

Tensor stack(const std::vector<Tensor>& tensors, int64_t dim) {
  EMBER_CHECK(!tensors.empty(), ValueError, "stack: needs at least one tensor");
  for (size_t i = 0; i < tensors.size(); ++i) {
    EMBER_CHECK(tensors[i].defined(), ValueError, "stack: tensor ", i, " is undefined");
    EMBER_CHECK(tensors[i].shape() == tensors[0].shape(), ShapeError, "stack: tensor ", i,
                " has shape ", tensors[i].shape(), " but tensor 0 has ", tensors[0].shape(),
                ": stack needs equal shapes");
  }
  const int64_t d = normalize_dim(dim, tensors[0].dim() + 1, "stack");
  std::vector<Tensor> parts;
  parts.reserve(tensors.size());
  for (const Tensor& t : tensors) parts.push_back(views::unsqueeze(t, d));
  return cat(parts, d);
}

}  // namespace ember::kernels
