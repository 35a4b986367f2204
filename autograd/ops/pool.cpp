// ops/pool.cpp — max and average pooling: forward beside backward.
//
// Max pooling: each output is one input element (the window's winner), so
// its gradient goes to that element only; the forward keeps the winners'
// positions for kernels::max_pool2d_backward. Overlapping windows that share
// a winner add up there.
// Average pooling: each output is the mean of its window (padding zeros
// counted, as PyTorch's default), so each window element gets g / (kh kw).
#include "../../tensor/kernels.hpp"
#include "../node.hpp"
#include "../ops.hpp"

namespace ember {

using autograd::Node;
using autograd::record;

namespace {

using Pair = std::pair<int64_t, int64_t>;

// PyTorch's stride=None (here 0) means non-overlapping windows.
kernels::Pool2dGeometry pool_geometry(Pair kernel, Pair stride, Pair padding) {
  return {kernel.first,
          kernel.second,
          stride.first == 0 ? kernel.first : stride.first,
          stride.second == 0 ? kernel.second : stride.second,
          padding.first,
          padding.second};
}

// input [N,C,H,W] -> out [N,C,OH,OW], each the max of its window: g goes to
// the winner, whose position the forward keeps in `indices` (no saved tensors).
struct MaxPool2dNode final : Node {
  explicit MaxPool2dNode(Tensor indices) : indices(std::move(indices)) {}
  Tensor indices;  // made by the forward itself: nothing else can modify it
  const char* name() const override { return "max_pool2d"; }
  std::vector<Tensor> backward(const Tensor& g) override {
    return {kernels::max_pool2d_backward(g, indices, edges[0].shape)};
  }
};

}  // namespace

Tensor max_pool2d(const Tensor& input, Pair kernel_size, Pair stride, Pair padding) {
  ValuesIndices r = kernels::max_pool2d(input, pool_geometry(kernel_size, stride, padding));
  record<MaxPool2dNode>(r.values, {input}, r.indices);
  return r.values;
}

Tensor max_pool2d(const Tensor& input, int64_t kernel_size, int64_t stride, int64_t padding) {
  return max_pool2d(input, {kernel_size, kernel_size}, {stride, stride}, {padding, padding});
}

namespace {
// input [N,C,H,W] -> out [N,C,OH,OW], each the mean of its window: every
// window element gets g / (kh kw). Needs only the geometry and input shape.
struct AvgPool2dNode final : Node {
  explicit AvgPool2dNode(kernels::Pool2dGeometry geometry) : geometry(geometry) {}
  kernels::Pool2dGeometry geometry;
  const char* name() const override { return "avg_pool2d"; }
  std::vector<Tensor> backward(const Tensor& g) override {
    return {kernels::avg_pool2d_backward(g, edges[0].shape, geometry)};
  }
};
}  // namespace

Tensor avg_pool2d(const Tensor& input, Pair kernel_size, Pair stride, Pair padding) {
  kernels::Pool2dGeometry geometry = pool_geometry(kernel_size, stride, padding);
  Tensor out = kernels::avg_pool2d(input, geometry);
  record<AvgPool2dNode>(out, {input}, geometry);
  return out;
}

Tensor avg_pool2d(const Tensor& input, int64_t kernel_size, int64_t stride, int64_t padding) {
  return avg_pool2d(input, {kernel_size, kernel_size}, {stride, stride}, {padding, padding});
}

}  // namespace ember
