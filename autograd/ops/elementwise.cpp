// ops/elementwise.cpp — arithmetic with broadcasting and unary math: forward beside backward.
//
// Broadcasting: out = f(a, b) reads a and b broadcast to out's shape, so an
// element of a that fed several outputs receives the sum of their gradients.
// Every binary backward therefore ends in kernels::sum_to(grad, input shape).
// Inputs that do not require grad get an undefined gradient: no work is done.
//
// Each op below is its Node (what the backward computes, what it saves), in
// an unnamed namespace of its own (private to this file), followed by the
// function that records it.
#include "../../tensor/kernels.hpp"
#include "../node.hpp"
#include "../ops.hpp"

namespace ember {

using autograd::Node;
using autograd::record;

namespace {

// d(loss)/d(input i) for a gradient g that has the broadcast output shape.
Tensor unbroadcast(const Node& node, size_t i, const Tensor& g) {
  return node.needs_grad(i) ? kernels::sum_to(g, node.edges[i].shape) : Tensor();
}

}  // namespace

// ---- binary, tensor and tensor ---------------------------------------------------

namespace {
// out = a + b: both partials are 1.
struct AddNode final : Node {
  const char* name() const override { return "add"; }
  std::vector<Tensor> backward(const Tensor& g) override {
    return {unbroadcast(*this, 0, g), unbroadcast(*this, 1, g)};
  }
};
}  // namespace

Tensor add(const Tensor& a, const Tensor& b) {
  Tensor out = kernels::add(a, b);
  record<AddNode>(out, {a, b});
  return out;
}

namespace {
// out = a - b: d/da = 1, d/db = -1.
struct SubNode final : Node {
  const char* name() const override { return "sub"; }
  std::vector<Tensor> backward(const Tensor& g) override {
    return {unbroadcast(*this, 0, g),
            needs_grad(1) ? unbroadcast(*this, 1, kernels::neg(g)) : Tensor()};
  }
};
}  // namespace

Tensor sub(const Tensor& a, const Tensor& b) {
  Tensor out = kernels::sub(a, b);
  record<SubNode>(out, {a, b});
  return out;
}

namespace {
// out = a * b: d/da = b, d/db = a. Saves a and b.
struct MulNode final : Node {
  const char* name() const override { return "mul"; }
  std::vector<Tensor> backward(const Tensor& g) override {
    Tensor a = saved(0), b = saved(1);
    return {needs_grad(0) ? unbroadcast(*this, 0, kernels::mul(g, b)) : Tensor(),
            needs_grad(1) ? unbroadcast(*this, 1, kernels::mul(g, a)) : Tensor()};
  }
};
}  // namespace

Tensor mul(const Tensor& a, const Tensor& b) {
  Tensor out = kernels::mul(a, b);
  if (auto node = record<MulNode>(out, {a, b})) node->save({a, b});
  return out;
}

namespace {
// out = a / b: d/da = 1/b, d/db = -a/b^2 = -out/b. Saves b, and out if b needs grad.
struct DivNode final : Node {
  const char* name() const override { return "div"; }
  std::vector<Tensor> backward(const Tensor& g) override {
    Tensor b = saved(0), out = saved(1);
    Tensor g_over_b = kernels::div(g, b);
    return {unbroadcast(*this, 0, g_over_b),
            needs_grad(1) ? unbroadcast(*this, 1, kernels::neg(kernels::mul(g_over_b, out)))
                          : Tensor()};
  }
};
}  // namespace

Tensor div(const Tensor& a, const Tensor& b) {
  Tensor out = kernels::div(a, b);
  // out is needed only for d/db; x / 2.0f need not keep its output alive.
  if (auto node = record<DivNode>(out, {a, b}))
    node->save({b, node->needs_grad(1) ? out.detach() : Tensor()});
  return out;
}

namespace {
// out = max(a, b) or min(a, b): the gradient goes to the winner; a tie splits
// it in half, as PyTorch does, so the result is the same whichever is "a".
// Saves a and b.
struct ExtremumNode final : Node {
  explicit ExtremumNode(bool is_max) : is_max(is_max) {}
  bool is_max;
  const char* name() const override { return is_max ? "maximum" : "minimum"; }
  std::vector<Tensor> backward(const Tensor& g) override {
    Tensor a = saved(0), b = saved(1);
    Tensor a_wins = is_max ? kernels::gt(a, b) : kernels::lt(a, b);
    Tensor share_a = kernels::add(a_wins, kernels::mul(kernels::eq(a, b), 0.5f));
    Tensor ga = kernels::mul(g, share_a);
    return {unbroadcast(*this, 0, ga),
            needs_grad(1) ? unbroadcast(*this, 1, kernels::sub(g, ga)) : Tensor()};
  }
};
}  // namespace

Tensor maximum(const Tensor& a, const Tensor& b) {
  Tensor out = kernels::maximum(a, b);
  if (auto node = record<ExtremumNode>(out, {a, b}, true)) node->save({a, b});
  return out;
}

Tensor minimum(const Tensor& a, const Tensor& b) {
  Tensor out = kernels::minimum(a, b);
  if (auto node = record<ExtremumNode>(out, {a, b}, false)) node->save({a, b});
  return out;
}

// ---- comparisons: not recorded ----------------------------------------------------
// A step function has slope 0 wherever it has one, so no gradient flows back
// through a comparison; kernels' result is already a fresh tensor with no history.

Tensor eq(const Tensor& a, const Tensor& b) { return kernels::eq(a, b); }
Tensor ne(const Tensor& a, const Tensor& b) { return kernels::ne(a, b); }
Tensor lt(const Tensor& a, const Tensor& b) { return kernels::lt(a, b); }
Tensor le(const Tensor& a, const Tensor& b) { return kernels::le(a, b); }
Tensor gt(const Tensor& a, const Tensor& b) { return kernels::gt(a, b); }
Tensor ge(const Tensor& a, const Tensor& b) { return kernels::ge(a, b); }

// ---- unary math ------------------------------------------------------------------

namespace {
// out = x^p: d/dx = p x^(p-1). Saves x.
struct PowNode final : Node {
  explicit PowNode(float p) : p(p) {}
  float p;
  const char* name() const override { return "pow"; }
  std::vector<Tensor> backward(const Tensor& g) override {
    return {kernels::mul(g, kernels::mul(kernels::pow(saved(0), p - 1.0f), p))};
  }
};
}  // namespace

Tensor pow(const Tensor& x, float exponent) {
  Tensor out = kernels::pow(x, exponent);
  if (auto node = record<PowNode>(out, {x}, exponent)) node->save({x});
  return out;
}

namespace {
// out = -x: d/dx = -1.
struct NegNode final : Node {
  const char* name() const override { return "neg"; }
  std::vector<Tensor> backward(const Tensor& g) override { return {kernels::neg(g)}; }
};
}  // namespace

Tensor neg(const Tensor& x) {
  Tensor out = kernels::neg(x);
  record<NegNode>(out, {x});
  return out;
}

namespace {
// out = e^x: d/dx = e^x = out. Saves out (detached: saving the output itself
// would make out -> node -> out a shared_ptr cycle).
struct ExpNode final : Node {
  const char* name() const override { return "exp"; }
  std::vector<Tensor> backward(const Tensor& g) override { return {kernels::mul(g, saved(0))}; }
};
}  // namespace

Tensor exp(const Tensor& x) {
  Tensor out = kernels::exp(x);
  if (auto node = record<ExpNode>(out, {x})) node->save({out.detach()});
  return out;
}

namespace {
// out = ln x: d/dx = 1/x. Saves x.
struct LogNode final : Node {
  const char* name() const override { return "log"; }
  std::vector<Tensor> backward(const Tensor& g) override { return {kernels::div(g, saved(0))}; }
};
}  // namespace

Tensor log(const Tensor& x) {
  Tensor out = kernels::log(x);
  if (auto node = record<LogNode>(out, {x})) node->save({x});
  return out;
}

namespace {
// out = sqrt(x): d/dx = 1 / (2 sqrt(x)) = 1 / (2 out). Saves out.
struct SqrtNode final : Node {
  const char* name() const override { return "sqrt"; }
  std::vector<Tensor> backward(const Tensor& g) override {
    return {kernels::div(kernels::mul(g, 0.5f), saved(0))};
  }
};
}  // namespace

Tensor sqrt(const Tensor& x) {
  Tensor out = kernels::sqrt(x);
  if (auto node = record<SqrtNode>(out, {x})) node->save({out.detach()});
  return out;
}

namespace {
// out = |x|: d/dx = sign(x) (0 at 0, as PyTorch). Saves x.
struct AbsNode final : Node {
  const char* name() const override { return "abs"; }
  std::vector<Tensor> backward(const Tensor& g) override {
    return {kernels::mul(g, kernels::sign(saved(0)))};
  }
};
}  // namespace

Tensor abs(const Tensor& x) {
  Tensor out = kernels::abs(x);
  if (auto node = record<AbsNode>(out, {x})) node->save({x});
  return out;
}

namespace {
// out = min(max(x, lo), hi): d/dx = 1 where lo <= x <= hi, else 0. Saves x.
struct ClampNode final : Node {
  ClampNode(float lo, float hi) : lo(lo), hi(hi) {}
  float lo, hi;
  const char* name() const override { return "clamp"; }
  std::vector<Tensor> backward(const Tensor& g) override {
    float l = lo, h = hi;
    Tensor inside =
        kernels::map(saved(0), [l, h](float v) { return v >= l && v <= h ? 1.0f : 0.0f; });
    return {kernels::mul(g, inside)};
  }
};
}  // namespace

Tensor clamp(const Tensor& x, float lo, float hi) {
  EMBER_CHECK(lo <= hi, ValueError, "clamp: lo ", lo, " > hi ", hi);
  Tensor out = kernels::clamp(x, lo, hi);
  if (auto node = record<ClampNode>(out, {x}, lo, hi)) node->save({x});
  return out;
}

Tensor Tensor::neg() const { return ember::neg(*this); }
Tensor Tensor::exp() const { return ember::exp(*this); }
Tensor Tensor::log() const { return ember::log(*this); }
Tensor Tensor::sqrt() const { return ember::sqrt(*this); }
Tensor Tensor::abs() const { return ember::abs(*this); }
Tensor Tensor::pow(float exponent) const { return ember::pow(*this, exponent); }
Tensor Tensor::clamp(float lo, float hi) const { return ember::clamp(*this, lo, hi); }

// ---- operators -------------------------------------------------------------------
// A scalar on the left becomes a 0-d constant, so `2 - x` and `2 / x` are the
// ordinary sub/div ops (the constant needs no gradient and gets none).

Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
Tensor operator-(const Tensor& a) { return neg(a); }

namespace {
// out = x + c: the gradient passes unchanged.
struct AddScalarNode final : Node {
  const char* name() const override { return "add"; }
  std::vector<Tensor> backward(const Tensor& g) override { return {g}; }
};
}  // namespace

Tensor operator+(const Tensor& a, float b) {
  Tensor out = kernels::add(a, b);
  record<AddScalarNode>(out, {a});
  return out;
}
Tensor operator-(const Tensor& a, float b) { return a + (-b); }

namespace {
// out = x * c: d/dx = c.
struct MulScalarNode final : Node {
  explicit MulScalarNode(float c) : c(c) {}
  float c;
  const char* name() const override { return "mul"; }
  std::vector<Tensor> backward(const Tensor& g) override { return {kernels::mul(g, c)}; }
};
}  // namespace

Tensor operator*(const Tensor& a, float b) {
  Tensor out = kernels::mul(a, b);
  record<MulScalarNode>(out, {a}, b);
  return out;
}
Tensor operator/(const Tensor& a, float b) { return div(a, Tensor::scalar(b)); }
Tensor operator+(float a, const Tensor& b) { return b + a; }
Tensor operator-(float a, const Tensor& b) { return sub(Tensor::scalar(a), b); }
Tensor operator*(float a, const Tensor& b) { return b * a; }
Tensor operator/(float a, const Tensor& b) { return div(Tensor::scalar(a), b); }

}  // namespace ember
