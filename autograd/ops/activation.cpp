// ops/activation.cpp — nonlinearities: forward beside backward.
//
// Every activation is elementwise, so its backward is grad * f'(x), where
// f'(x) is written in terms of whichever of x and out is cheaper (sigmoid'
// = out (1 - out) needs no exp). The formulas without a kernel of their own
// run through `pointwise` below: one loop over contiguous memory that the
// compiler inlines and vectorizes (kernels::map calls through a
// std::function per element, which costs more than the math here).
#include <algorithm>
#include <cmath>

#include "../../tensor/kernels.hpp"
#include "../../tensor/runtime/parallel.hpp"
#include "../../tensor/views.hpp"
#include "../node.hpp"
#include "../ops.hpp"

namespace ember {

using autograd::Node;
using autograd::record;

namespace {

// out[i] = f(x[i]) into a fresh contiguous tensor, split over ember's threads.
template <class F>
Tensor pointwise(const Tensor& x, F f) {
  Tensor xc = kernels::contiguous(x);
  Tensor out = Tensor::empty(x.shape());
  const float* px = xc.data();
  float* po = out.data();
  detail::parallel_for(out.numel(), detail::kElementGrain, [&](int64_t lo, int64_t hi, int64_t) {
    for (int64_t i = lo; i < hi; ++i) po[i] = f(px[i]);
  });
  return out;
}

// out[i] = f(a[i], b[i]) for two tensors of one shape (a gradient and what
// its node saved, which always have the forward output's shape).
template <class F>
Tensor pointwise(const Tensor& a, const Tensor& b, F f) {
  Tensor ac = kernels::contiguous(a), bc = kernels::contiguous(b);
  Tensor out = Tensor::empty(a.shape());
  const float* pa = ac.data();
  const float* pb = bc.data();
  float* po = out.data();
  detail::parallel_for(out.numel(), detail::kElementGrain, [&](int64_t lo, int64_t hi, int64_t) {
    for (int64_t i = lo; i < hi; ++i) po[i] = f(pa[i], pb[i]);
  });
  return out;
}

// out = max(x, 0): d/dx = 1 where out > 0. Saves out.
struct ReluNode final : Node {
  const char* name() const override { return "relu"; }
  std::vector<Tensor> backward(const Tensor& g) override {
    return {pointwise(g, saved(0), [](float gi, float o) { return o > 0.0f ? gi : 0.0f; })};
  }
};

}  // namespace

Tensor relu(const Tensor& x) {
  Tensor out = kernels::relu(x);
  if (auto node = record<ReluNode>(out, {x})) node->save({out.detach()});
  return out;
}

namespace {
// out = x > 0 ? x : s x: d/dx = 1 or s. Saves x.
struct LeakyReluNode final : Node {
  explicit LeakyReluNode(float slope) : slope(slope) {}
  float slope;
  const char* name() const override { return "leaky_relu"; }
  std::vector<Tensor> backward(const Tensor& g) override {
    float s = slope;
    return {pointwise(g, saved(0), [s](float gi, float x) { return x > 0.0f ? gi : s * gi; })};
  }
};
}  // namespace

Tensor leaky_relu(const Tensor& x, float negative_slope) {
  Tensor out = pointwise(x, [s = negative_slope](float v) { return v > 0.0f ? v : s * v; });
  if (auto node = record<LeakyReluNode>(out, {x}, negative_slope)) node->save({x});
  return out;
}

namespace {
// out = x > 0 ? x : a (e^x - 1): for x <= 0, d/dx = a e^x = out + a. Saves x, out.
struct EluNode final : Node {
  explicit EluNode(float alpha) : alpha(alpha) {}
  float alpha;
  const char* name() const override { return "elu"; }
  std::vector<Tensor> backward(const Tensor& g) override {
    float a = alpha;
    Tensor slope =
        pointwise(saved(0), saved(1), [a](float x, float o) { return x > 0.0f ? 1.0f : o + a; });
    return {kernels::mul(g, slope)};
  }
};
}  // namespace

Tensor elu(const Tensor& x, float alpha) {
  Tensor out = pointwise(x, [alpha](float v) { return v > 0.0f ? v : alpha * std::expm1(v); });
  if (auto node = record<EluNode>(out, {x}, alpha)) node->save({x, out.detach()});
  return out;
}

namespace {

// SELU's constants (Klambauer et al. 2017), as in PyTorch and Keras.
constexpr float kSeluAlpha = 1.6732632423543772848170429916717f;
constexpr float kSeluScale = 1.0507009873554804934193349852946f;

// out = scale * (x > 0 ? x : alpha (e^x - 1)): d/dx = scale or scale alpha e^x. Saves x.
struct SeluNode final : Node {
  const char* name() const override { return "selu"; }
  std::vector<Tensor> backward(const Tensor& g) override {
    return {pointwise(g, saved(0), [](float gi, float x) {
      return gi * (x > 0.0f ? kSeluScale : kSeluScale * kSeluAlpha * std::exp(x));
    })};
  }
};

}  // namespace

Tensor selu(const Tensor& x) {
  Tensor out = pointwise(
      x, [](float v) { return kSeluScale * (v > 0.0f ? v : kSeluAlpha * std::expm1(v)); });
  if (auto node = record<SeluNode>(out, {x})) node->save({x});
  return out;
}

namespace {
// out = x > 0 ? x : w x with w per channel (dim 1), broadcast as wb [1,C,1,..].
// d/dx = 1 or w; d/dw = sum over every non-channel position of g * min(x, 0).
// Saves x and wb.
struct PreluNode final : Node {
  const char* name() const override { return "prelu"; }
  std::vector<Tensor> backward(const Tensor& g) override {
    Tensor x = saved(0), wb = saved(1);
    Tensor dx, dw;
    if (needs_grad(0))
      dx = kernels::mul(
          g, kernels::map2(
                 x, wb, [](float xi, float w) { return xi > 0.0f ? 1.0f : w; }, "prelu"));
    if (needs_grad(1)) {
      Tensor neg_part = kernels::minimum(x, Tensor::scalar(0.0f));
      dw = views::reshape(kernels::sum_to(kernels::mul(g, neg_part), wb.shape()), edges[1].shape);
    }
    return {dx, dw};
  }
};
}  // namespace

Tensor prelu(const Tensor& x, const Tensor& weight) {
  int64_t channels = x.dim() >= 2 ? x.size(1) : 1;
  EMBER_CHECK(weight.dim() == 1 && (weight.numel() == 1 || weight.numel() == channels), ShapeError,
              "prelu: weight of shape ", weight.shape(), " for input of shape ", x.shape(),
              ": expected [1] or [", channels, "] (one slope per channel, dim 1)");
  // weight as [1, C, 1, ...] so it broadcasts along dim 1 of x.
  Shape wshape(static_cast<size_t>(std::max<int64_t>(x.dim(), 1)), 1);
  if (weight.numel() > 1) wshape[1] = channels;
  Tensor wb = views::reshape(weight, wshape);
  Tensor out = kernels::map2(
      x, wb, [](float v, float w) { return v > 0.0f ? v : w * v; }, "prelu");
  if (auto node = record<PreluNode>(out, {x, weight})) node->save({x, wb});
  return out;
}

namespace {
// out = tanh x: d/dx = 1 - out^2. Saves out.
struct TanhNode final : Node {
  const char* name() const override { return "tanh"; }
  std::vector<Tensor> backward(const Tensor& g) override {
    return {pointwise(g, saved(0), [](float gi, float o) { return gi * (1.0f - o * o); })};
  }
};
}  // namespace

Tensor tanh(const Tensor& x) {
  Tensor out = kernels::tanh(x);
  if (auto node = record<TanhNode>(out, {x})) node->save({out.detach()});
  return out;
}

namespace {
// out = 1 / (1 + e^-x): d/dx = out (1 - out). Saves out.
struct SigmoidNode final : Node {
  const char* name() const override { return "sigmoid"; }
  std::vector<Tensor> backward(const Tensor& g) override {
    return {pointwise(g, saved(0), [](float gi, float o) { return gi * o * (1.0f - o); })};
  }
};
}  // namespace

Tensor sigmoid(const Tensor& x) {
  Tensor out = kernels::sigmoid(x);
  if (auto node = record<SigmoidNode>(out, {x})) node->save({out.detach()});
  return out;
}

namespace {
// out = ln(1 + e^x): d/dx = sigmoid(x). Saves x.
struct SoftplusNode final : Node {
  const char* name() const override { return "softplus"; }
  std::vector<Tensor> backward(const Tensor& g) override {
    return {pointwise(g, saved(0), [](float gi, float x) { return gi / (1.0f + std::exp(-x)); })};
  }
};
}  // namespace

Tensor softplus(const Tensor& x) {
  // ln(1 + e^x) = max(x, 0) + ln(1 + e^-|x|): no overflow for large |x|.
  Tensor out =
      pointwise(x, [](float v) { return std::max(v, 0.0f) + std::log1p(std::exp(-std::abs(v))); });
  if (auto node = record<SoftplusNode>(out, {x})) node->save({x});
  return out;
}

Tensor Tensor::tanh() const { return ember::tanh(*this); }
Tensor Tensor::sigmoid() const { return ember::sigmoid(*this); }
Tensor Tensor::relu() const { return ember::relu(*this); }

}  // namespace ember
