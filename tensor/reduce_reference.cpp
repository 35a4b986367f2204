// reduce_reference.cpp — sum over dims as the definition says it: every
// input element, in row-major order, added in double to the output element
// its index lands on once the reduced dims are dropped. The fast sum
// (reduce.cpp) walks the input in merged rows, keeps eight partial sums per
// run and splits dim 0 over threads; the order differs, so the two agree to
// float rounding, not bit for bit.
#include "kernels.hpp"

namespace ember::kernels {

Tensor sum_reference(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim) {
  std::vector<bool> reduced(static_cast<size_t>(x.dim()), dims.empty());
  for (int64_t d : dims)
    reduced[static_cast<size_t>(normalize_dim(d, x.dim(), "sum_reference"))] = true;
  Shape kept, out_shape;  // the result with keepdim, and as asked
  for (size_t d = 0; d < reduced.size(); ++d) {
    kept.push_back(reduced[d] ? 1 : x.shape()[d]);
    if (!reduced[d] || keepdim) out_shape.push_back(kept.back());
  }
  const Strides kept_strides = contiguous_strides(kept);
  std::vector<double> acc(static_cast<size_t>(shape_numel(kept)), 0.0);
  std::vector<int64_t> index;
  for (int64_t flat = 0; flat < x.numel(); ++flat) {
    unravel_index(flat, x.shape(), index);
    int64_t at = 0;
    for (size_t d = 0; d < index.size(); ++d)
      if (!reduced[d]) at += index[d] * kept_strides[d];
    acc[static_cast<size_t>(at)] +=
        x.storage()->data[index_to_offset(index, x.strides(), x.offset())];
  }
  Tensor out = Tensor::empty(out_shape);
  for (size_t i = 0; i < acc.size(); ++i) out.data()[i] = static_cast<float>(acc[i]);
  return out;
}

}  // namespace ember::kernels
