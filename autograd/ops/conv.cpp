// ops/conv.cpp — 2-D convolution: forward beside backward.
//
// out[n,o] = bias[o] + sum_c weight[o,c] (*) input[n,c] (cross-correlation,
// as in PyTorch). Lowered to GEMM through im2col: out = W [O, C*kh*kw] x
// cols [C*kh*kw, OH*OW] per image. Hence
//   dW     = dout x cols^T            (kernels::conv2d_backward_weight)
//   dcols  = W^T x dout, dinput = col2im(dcols)   (conv2d_backward_input)
//   dbias  = sum of dout over n, oh, ow.
// dinput is skipped when the input needs no gradient (a network's images),
// which saves a third of a convolution layer's backward.
// conv2d_relu fuses the activation: the kernel writes max(out, 0) in the
// pass that stores out (a separate relu reads and writes the whole output
// again), and its node masks the incoming gradient with out > 0 first
// (kernels::conv2d_relu_backward; in a first layer, while packing it).
#include "../../tensor/kernels.hpp"
#include "../node.hpp"
#include "../ops.hpp"

namespace ember {

using autograd::Node;
using autograd::record;

namespace {

// input [N,C,H,W], weight [O,C,kh,kw], bias [O] -> out [N,O,OH,OW]; the
// backward is the header's three products (with relu: dout masked by out > 0
// first). Saves input and weight, and with relu the (detached) output.
struct Conv2dNode final : Node {
  Conv2dNode(kernels::Conv2dGeometry geometry, bool relu) : geometry(geometry), relu(relu) {}
  kernels::Conv2dGeometry geometry;
  bool relu;
  const char* name() const override { return relu ? "conv2d_relu" : "conv2d"; }
  std::vector<Tensor> backward(const Tensor& grad) override {
    Tensor input = saved(0), weight = saved(1);
    if (relu)  // the mask, both products and dbias in one call (see kernels.hpp)
      return unpack(kernels::conv2d_relu_backward(grad, saved(2), input, weight, geometry,
                                                  needs_grad(0), needs_grad(1), needs_grad(2)));
    // Both products in one call: it shares work between them where it can.
    kernels::Conv2dGrads d =
        kernels::conv2d_backward(grad, input, weight, geometry, needs_grad(0), needs_grad(1));
    if (needs_grad(2)) d.dbias = kernels::sum(grad, {0, 2, 3});
    return unpack(std::move(d));
  }
  static std::vector<Tensor> unpack(kernels::Conv2dGrads d) {
    return {std::move(d.dinput), std::move(d.dweight), std::move(d.dbias)};
  }
};

Tensor conv2d_op(const Tensor& input, const Tensor& weight, const Tensor& bias,
                 std::pair<int64_t, int64_t> stride, std::pair<int64_t, int64_t> padding,
                 std::pair<int64_t, int64_t> dilation, bool relu) {
  kernels::Conv2dGeometry geometry{stride.first,   stride.second,  padding.first,
                                   padding.second, dilation.first, dilation.second};
  // validates shapes and geometry
  Tensor out = kernels::conv2d(input, weight, bias, geometry, relu);
  if (auto node = record<Conv2dNode>(out, {input, weight, bias}, geometry, relu)) {
    if (relu) node->save({input, weight, out.detach()});
    else node->save({input, weight});
  }
  return out;
}

}  // namespace

Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias,
              std::pair<int64_t, int64_t> stride, std::pair<int64_t, int64_t> padding,
              std::pair<int64_t, int64_t> dilation) {
  return conv2d_op(input, weight, bias, stride, padding, dilation, false);
}

Tensor conv2d_relu(const Tensor& input, const Tensor& weight, const Tensor& bias,
                   std::pair<int64_t, int64_t> stride, std::pair<int64_t, int64_t> padding,
                   std::pair<int64_t, int64_t> dilation) {
  return conv2d_op(input, weight, bias, stride, padding, dilation, true);
}

Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias, int64_t stride,
              int64_t padding, int64_t dilation) {
  return conv2d(input, weight, bias, {stride, stride}, {padding, padding}, {dilation, dilation});
}

}  // namespace ember
