// ops/matmul.cpp — matrix products: forward beside backward.
//
// For C = A B (each [m,k] x [k,n]), dA = dC B^T and dB = A^T dC. The
// transposes are views that kernels::matmul hands to BLAS as "Trans", so the
// backward copies nothing. Batch dims that broadcast are summed back with
// sum_to, as for any broadcasting op.
#include "../../tensor/kernels.hpp"
#include "../../tensor/views.hpp"
#include "../node.hpp"
#include "../ops.hpp"

namespace ember {

using autograd::Node;
using autograd::record;

namespace {

Tensor mT(const Tensor& x) { return views::transpose(x, -1, -2); }

// A 1-D operand is a row [1,k] on the left and a column [k,1] on the right;
// the dims it dropped from the result are put back into the gradient.
Tensor as_matrix(const Tensor& x, bool is_lhs) {
  if (x.dim() != 1) return x;
  return is_lhs ? views::unsqueeze(x, 0) : views::unsqueeze(x, 1);
}

// a [..., m, k] x b [..., k, n] -> out [..., m, n]. Saves a and b.
struct MatmulNode final : Node {
  const char* name() const override { return "matmul"; }
  std::vector<Tensor> backward(const Tensor& g) override {
    Tensor a = as_matrix(saved(0), true), b = as_matrix(saved(1), false);
    Tensor g2 = g;
    if (edges[1].shape.size() == 1) g2 = views::unsqueeze(g2, -1);
    if (edges[0].shape.size() == 1) g2 = views::unsqueeze(g2, g2.dim() - 1);
    Tensor da, db;
    if (needs_grad(0))
      da = views::reshape(kernels::sum_to(kernels::matmul(g2, mT(b)), a.shape()), edges[0].shape);
    if (needs_grad(1)) {
      if (a.dim() > 2 && b.dim() == 2) {
        // b is shared by the whole batch: fold the batch into the rows of one
        // GEMM, [k, B*m] x [B*m, n], instead of B products summed afterwards.
        Tensor a_rows = views::reshape(a, {-1, a.size(-1)});
        Tensor g_rows = views::reshape(g2, {-1, g2.size(-1)});
        db = kernels::matmul(mT(a_rows), g_rows);
      } else {
        db = kernels::sum_to(kernels::matmul(mT(a), g2), b.shape());
      }
      db = views::reshape(db, edges[1].shape);
    }
    return {da, db};
  }
};

}  // namespace

Tensor matmul(const Tensor& a, const Tensor& b) {
  Tensor out = kernels::matmul(a, b);
  if (auto node = record<MatmulNode>(out, {a, b})) node->save({a, b});
  return out;
}

namespace {
// out [M, O] = x [M, I] w^T + bias, w [O, I]:
//   dx = g w  [M, I],  dw = g^T x  [O, I],  dbias = column sums of g.
// x and w are kept in the row-major layout the GEMMs read. Saves both.
struct LinearNode final : Node {
  const char* name() const override { return "linear"; }
  std::vector<Tensor> backward(const Tensor& g) override {
    Tensor x = saved(0), w = saved(1);
    const int64_t m = x.size(0), in = x.size(1), out = w.size(0);
    Tensor g2 = kernels::contiguous(views::reshape(g, {m, out}));
    Tensor dx, dw, db;
    if (needs_grad(0)) {
      dx = Tensor::empty({m, in});
      kernels::sgemm(false, false, m, in, out, 1.0f, g2.data(), out, w.data(), in, 0.0f, dx.data(),
                     in);
      dx = views::reshape(dx, edges[0].shape);
    }
    if (needs_grad(1)) {
      dw = Tensor::empty({out, in});
      kernels::sgemm(true, false, out, in, m, 1.0f, g2.data(), out, x.data(), in, 0.0f, dw.data(),
                     in);
    }
    if (needs_grad(2)) db = kernels::sum(g2, {0});
    return {dx, dw, db};
  }
};
}  // namespace

Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias) {
  EMBER_CHECK(weight.dim() == 2 && x.dim() >= 1 && x.size(-1) == weight.size(1), ShapeError,
              "linear: input of shape ", x.shape(), " does not fit weight of shape ",
              weight.shape(), " (expected input [..., in] and weight [out, in])");
  const int64_t in = weight.size(1), out_features = weight.size(0);
  EMBER_CHECK(!bias.defined() || bias.shape() == Shape{out_features}, ShapeError,
              "linear: bias of shape ", bias.shape(), " for weight of shape ", weight.shape(),
              " (expected [", out_features, "])");
  Tensor x2 = kernels::contiguous(views::reshape(x, {-1, in}));
  Tensor w = kernels::contiguous(weight);
  const int64_t m = x2.size(0);
  Tensor out = Tensor::empty({m, out_features});
  if (bias.defined()) kernels::copy(out, bias);  // GEMM adds onto the bias rows (beta = 1)
  kernels::sgemm(false, true, m, out_features, in, 1.0f, x2.data(), in, w.data(), in,
                 bias.defined() ? 1.0f : 0.0f, out.data(), out_features);
  Shape out_shape = x.shape();
  out_shape.back() = out_features;
  out = views::reshape(out, out_shape);
  if (auto node = record<LinearNode>(out, {x, weight, bias})) node->save({x2, w});
  return out;
}

}  // namespace ember
