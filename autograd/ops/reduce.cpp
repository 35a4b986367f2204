// ops/reduce.cpp — reductions and the softmax family: forward beside backward.
//
// A reduction's output has the input's shape with the reduced dims removed
// (or kept as size 1 with keepdim). Its backward first puts those dims back
// as size 1 (`keepdim_grad`) so the gradient broadcasts against the input.
#include "../../tensor/kernels.hpp"
#include "../../tensor/views.hpp"
#include "../node.hpp"
#include "../ops.hpp"

namespace ember {

using autograd::Node;
using autograd::record;

namespace {

// The input shape with every reduced dim set to 1 (dims empty = all dims).
Shape keepdim_shape(const Shape& in, const std::vector<int64_t>& dims, const char* op) {
  Shape keep = in;
  if (dims.empty()) keep.assign(in.size(), 1);
  for (int64_t d : dims)
    keep[static_cast<size_t>(normalize_dim(d, static_cast<int64_t>(in.size()), op))] = 1;
  return keep;
}

// The output gradient reshaped to keepdim form, broadcastable against the input.
Tensor keepdim_grad(const Tensor& g, const Node& node, const std::vector<int64_t>& dims) {
  return views::reshape(g, keepdim_shape(node.edges[0].shape, dims, node.name()));
}

// out = sum of x over dims: every input element gets the gradient of its sum.
// Saves nothing: the input's shape is on the edge.
struct SumNode final : Node {
  explicit SumNode(std::vector<int64_t> dims) : dims(std::move(dims)) {}
  std::vector<int64_t> dims;
  const char* name() const override { return "sum"; }
  std::vector<Tensor> backward(const Tensor& g) override {
    return {views::expand(keepdim_grad(g, *this, dims), edges[0].shape)};
  }
};

}  // namespace

Tensor sum(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim) {
  Tensor out = kernels::sum(x, dims, keepdim);
  record<SumNode>(out, {x}, dims);
  return out;
}

namespace {
// out = sum / n: every input element gets g / n.
struct MeanNode final : Node {
  MeanNode(std::vector<int64_t> dims, int64_t count) : dims(std::move(dims)), count(count) {}
  std::vector<int64_t> dims;
  int64_t count;
  const char* name() const override { return "mean"; }
  std::vector<Tensor> backward(const Tensor& g) override {
    Tensor scaled = kernels::mul(keepdim_grad(g, *this, dims), 1.0f / static_cast<float>(count));
    return {views::expand(scaled, edges[0].shape)};
  }
};
}  // namespace

Tensor mean(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim) {
  Tensor out = kernels::mean(x, dims, keepdim);
  int64_t count = out.numel() ? x.numel() / out.numel() : 0;
  record<MeanNode>(out, {x}, dims, count);
  return out;
}

namespace {
// out = sum (x - mean)^2 / (n - unbiased): d/dx = 2 (x - mean) / (n - unbiased)
// (the mean's own dependence on x sums to zero). Saves x.
struct VarNode final : Node {
  VarNode(std::vector<int64_t> dims, float denominator)
      : dims(std::move(dims)), denominator(denominator) {}
  std::vector<int64_t> dims;
  float denominator;
  const char* name() const override { return "var"; }
  std::vector<Tensor> backward(const Tensor& g) override {
    Tensor x = saved(0);
    Tensor centered = kernels::sub(x, kernels::mean(x, dims, true));
    return {kernels::mul(kernels::mul(centered, keepdim_grad(g, *this, dims)), 2.0f / denominator)};
  }
};
}  // namespace

Tensor var(const Tensor& x, const std::vector<int64_t>& dims, bool unbiased, bool keepdim) {
  Tensor out = kernels::var(x, dims, unbiased, keepdim);
  int64_t count = out.numel() ? x.numel() / out.numel() : 0;
  if (auto node = record<VarNode>(out, {x}, dims, static_cast<float>(count - (unbiased ? 1 : 0))))
    node->save({x});
  return out;
}

namespace {

// out = max (or min) of x along dim, at `indices`: the winner gets the whole
// gradient. A one-hot mask along dim (positions == index) routes it there.
struct ArgReduceNode final : Node {
  ArgReduceNode(const char* op, int64_t dim, Tensor indices)
      : op(op), dim(dim), indices(std::move(indices)) {}
  const char* op;
  int64_t dim;
  Tensor indices;  // made by the op itself: nothing else can modify it
  const char* name() const override { return op; }
  std::vector<Tensor> backward(const Tensor& g) override {
    const Shape& in = edges[0].shape;
    Shape line(in.size(), 1);
    line[static_cast<size_t>(dim)] = in[static_cast<size_t>(dim)];
    Tensor positions = views::reshape(Tensor::arange(in[static_cast<size_t>(dim)]), line);
    Tensor one_hot = kernels::eq(positions, keepdim_grad(indices, *this, {dim}));
    return {kernels::mul(one_hot, keepdim_grad(g, *this, {dim}))};
  }
};

ValuesIndices arg_reduce(const Tensor& x, int64_t dim, bool keepdim, bool want_max) {
  const char* op = want_max ? "max" : "min";
  ValuesIndices r = want_max ? kernels::max(x, dim, keepdim) : kernels::min(x, dim, keepdim);
  record<ArgReduceNode>(r.values, {x}, op, normalize_dim(dim, x.dim(), op), r.indices);
  return r;
}

}  // namespace

ValuesIndices max(const Tensor& x, int64_t dim, bool keepdim) {
  return arg_reduce(x, dim, keepdim, true);
}
ValuesIndices min(const Tensor& x, int64_t dim, bool keepdim) {
  return arg_reduce(x, dim, keepdim, false);
}

namespace {

// out = max (or min) over all elements: ties share the gradient equally, so
// the result does not depend on which tie a kernel happens to find first.
// Saves x and out.
struct ExtremumAllNode final : Node {
  explicit ExtremumAllNode(const char* op) : op(op) {}
  const char* op;
  const char* name() const override { return op; }
  std::vector<Tensor> backward(const Tensor& g) override {
    Tensor winners = kernels::eq(saved(0), saved(1));
    Tensor share = kernels::div(g, kernels::sum(winners));
    return {kernels::mul(winners, share)};
  }
};

Tensor extremum_all(const Tensor& x, bool want_max) {
  Tensor out = want_max ? kernels::max(x) : kernels::min(x);
  if (auto node = record<ExtremumAllNode>(out, {x}, want_max ? "max" : "min"))
    node->save({x, out.detach()});
  return out;
}

}  // namespace

Tensor Tensor::max() const { return extremum_all(*this, true); }
Tensor Tensor::min() const { return extremum_all(*this, false); }

namespace {
// out = e^x / sum e^x along dim. With s = out:
//   dx_i = sum_j g_j ds_j/dx_i = s_i (g_i - sum_j g_j s_j). Saves out.
struct SoftmaxNode final : Node {
  explicit SoftmaxNode(int64_t dim) : dim(dim) {}
  int64_t dim;
  const char* name() const override { return "softmax"; }
  std::vector<Tensor> backward(const Tensor& g) override {
    Tensor s = saved(0);
    Tensor dot = kernels::sum(kernels::mul(g, s), {dim}, true);
    return {kernels::mul(s, kernels::sub(g, dot))};
  }
};
}  // namespace

Tensor softmax(const Tensor& x, int64_t dim) {
  Tensor out = kernels::softmax(x, dim);
  if (auto node = record<SoftmaxNode>(out, {x}, normalize_dim(dim, x.dim(), "softmax")))
    node->save({out.detach()});
  return out;
}

namespace {
// out = x - logsumexp(x) along dim: dx_i = g_i - softmax_i sum_j g_j,
// with softmax = e^out. Saves out.
struct LogSoftmaxNode final : Node {
  explicit LogSoftmaxNode(int64_t dim) : dim(dim) {}
  int64_t dim;
  const char* name() const override { return "log_softmax"; }
  std::vector<Tensor> backward(const Tensor& g) override {
    Tensor total = kernels::sum(g, {dim}, true);
    return {kernels::sub(g, kernels::mul(kernels::exp(saved(0)), total))};
  }
};
}  // namespace

Tensor log_softmax(const Tensor& x, int64_t dim) {
  Tensor out = kernels::log_softmax(x, dim);
  if (auto node = record<LogSoftmaxNode>(out, {x}, normalize_dim(dim, x.dim(), "log_softmax")))
    node->save({out.detach()});
  return out;
}

namespace {
// out = ln sum e^x along dim: dx_i = g e^(x_i - out) = g softmax_i. Saves x, out.
struct LogSumExpNode final : Node {
  explicit LogSumExpNode(int64_t dim) : dim(dim) {}
  int64_t dim;
  const char* name() const override { return "logsumexp"; }
  std::vector<Tensor> backward(const Tensor& g) override {
    Tensor out_keep = keepdim_grad(saved(1), *this, {dim});
    Tensor softmax = kernels::exp(kernels::sub(saved(0), out_keep));
    return {kernels::mul(softmax, keepdim_grad(g, *this, {dim}))};
  }
};
}  // namespace

Tensor logsumexp(const Tensor& x, int64_t dim, bool keepdim) {
  Tensor out = kernels::logsumexp(x, dim, keepdim);
  if (auto node = record<LogSumExpNode>(out, {x}, normalize_dim(dim, x.dim(), "logsumexp")))
    node->save({x, out.detach()});
  return out;
}

Tensor Tensor::sum() const { return ember::sum(*this); }
Tensor Tensor::sum(const std::vector<int64_t>& dims, bool keepdim) const {
  return ember::sum(*this, dims, keepdim);
}
Tensor Tensor::mean() const { return ember::mean(*this); }
Tensor Tensor::mean(const std::vector<int64_t>& dims, bool keepdim) const {
  return ember::mean(*this, dims, keepdim);
}
ValuesIndices Tensor::max(int64_t dim, bool keepdim) const {
  return ember::max(*this, dim, keepdim);
}
ValuesIndices Tensor::min(int64_t dim, bool keepdim) const {
  return ember::min(*this, dim, keepdim);
}
Tensor Tensor::argmax(int64_t dim, bool keepdim) const {
  return kernels::argmax(*this, dim, keepdim);
}
Tensor Tensor::var(bool unbiased) const { return ember::var(*this, {}, unbiased); }
Tensor Tensor::var(const std::vector<int64_t>& dims, bool unbiased, bool keepdim) const {
  return ember::var(*this, dims, unbiased, keepdim);
}
Tensor Tensor::softmax(int64_t dim) const { return ember::softmax(*this, dim); }
Tensor Tensor::log_softmax(int64_t dim) const { return ember::log_softmax(*this, dim); }

}  // namespace ember
