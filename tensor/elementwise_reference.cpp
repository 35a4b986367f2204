// elementwise_reference.cpp — elementwise maps as the definition says them:
// each output element in turn, its inputs found from its multi-index.
//
// Broadcasting, spelled out: the output has shape broadcast(a, b); an input
// of fewer dims lines up with the output's last ones, and a dim of size 1
// repeats its one element, so output index (i0, ..., ik) reads the input at
// the same index with those dims set to 0. The fast kernels
// (elementwise.cpp) get the same elements by merging dims and giving the
// repeated ones stride 0 (strided_loop.hpp); tests compare the two.
#include "kernels.hpp"

namespace ember::kernels {
namespace {

// x's element under output index `index`, x broadcast to the output's shape.
float broadcast_element(const Tensor& x, const std::vector<int64_t>& index) {
  const size_t lead = index.size() - x.shape().size();
  int64_t offset = x.offset();
  for (size_t d = 0; d < x.shape().size(); ++d)
    offset += (x.shape()[d] == 1 ? 0 : index[lead + d]) * x.strides()[d];
  return x.storage()->data[offset];
}

}  // namespace

Tensor map_reference(const Tensor& x, const std::function<float(float)>& f) {
  Tensor out = Tensor::empty(x.shape());
  std::vector<int64_t> index;
  for (int64_t flat = 0; flat < out.numel(); ++flat) {
    unravel_index(flat, x.shape(), index);
    out.data()[flat] = f(x.storage()->data[index_to_offset(index, x.strides(), x.offset())]);
  }
  return out;
}

Tensor map2_reference(const Tensor& a, const Tensor& b,
                      const std::function<float(float, float)>& f, const char* op) {
  const Shape shape = broadcast_shapes(a.shape(), b.shape(), op);
  Tensor out = Tensor::empty(shape);
  std::vector<int64_t> index;
  for (int64_t flat = 0; flat < out.numel(); ++flat) {
    unravel_index(flat, shape, index);
    out.data()[flat] = f(broadcast_element(a, index), broadcast_element(b, index));
  }
  return out;
}

}  // namespace ember::kernels
