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
// again), and its node masks the incoming gradient with out > 0 first.
#include "../../tensor/kernels.hpp"
#include "../../tensor/parallel.hpp"
#include "../functions.hpp"
#include "../node.hpp"

namespace ember {

using autograd::Node;
using autograd::record;

namespace {

// g where out > 0, else 0 (relu's derivative; out and g have one shape).
Tensor relu_masked(const Tensor& g, const Tensor& out) {
  const Tensor gc = kernels::contiguous(g);
  Tensor masked = Tensor::empty(g.shape());
  const float *pg = gc.data(), *po = out.data();
  float* pm = masked.data();
  detail::parallel_for(masked.numel(), 1 << 15, [&](int64_t lo, int64_t hi, int64_t) {
    // Both loads unconditional: a load under the condition kept GCC from
    // vectorizing, and the branch on random signs cost 1 ns per element.
    for (int64_t i = lo; i < hi; ++i) {
      const float gi = pg[i], oi = po[i];
      pm[i] = oi > 0.0f ? gi : 0.0f;
    }
  });
  return masked;
}

// Saves input and weight, and with relu the (detached) output.
struct Conv2dNode final : Node {
  Conv2dNode(kernels::Conv2dGeometry geometry, bool relu) : geometry(geometry), relu(relu) {}
  kernels::Conv2dGeometry geometry;
  bool relu;
  const char* name() const override { return relu ? "conv2d_relu" : "conv2d"; }
  std::vector<Tensor> backward(const Tensor& grad) override {
    const Tensor g = relu ? relu_masked(grad, saved(2)) : grad;
    Tensor input = saved(0), weight = saved(1);
    // Both products in one call: it shares work between them where it can.
    kernels::Conv2dGrads d =
        kernels::conv2d_backward(g, input, weight, geometry, needs_grad(0), needs_grad(1));
    Tensor dbias;
    if (needs_grad(2)) dbias = kernels::sum(g, {0, 2, 3});
    return {d.dinput, d.dweight, dbias};
  }
};

}  // namespace

namespace {

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
