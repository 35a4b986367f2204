// ops/loss.cpp — losses: forward beside backward.
//
// Each loss computes one value per sample (or element), then reduces them
// (mean, sum, or none). In backward, the reduction's gradient comes first:
// every element of the unreduced loss gets g (sum), g / count (mean), or its
// own entry of g (none) — `element_grad` below.
//
// cross_entropy fuses log_softmax and the negative log-likelihood: with
// p = softmax(z) and targets t (one-hot or probabilities) the gradient is
// dz = p * sum(t) - t, which never forms the ratio t / p that an unfused
// log(softmax) backward would, and log_softmax subtracts the max first, so
// large logits neither overflow nor lose the small probabilities.
#include <algorithm>
#include <cmath>

#include "../../tensor/kernels.hpp"
#include "../../tensor/views.hpp"
#include "../node.hpp"
#include "../ops.hpp"

namespace ember {

using autograd::Node;
using autograd::record;

namespace {

Tensor reduce(const Tensor& per_element, Reduction reduction) {
  switch (reduction) {
    case Reduction::Mean:
      return kernels::mean(per_element);
    case Reduction::Sum:
      return kernels::sum(per_element);
    case Reduction::None:
      break;
  }
  return per_element;
}

// d(loss)/d(each unreduced element), given the gradient g of the reduced loss.
Tensor element_grad(const Tensor& g, const Shape& shape, Reduction reduction) {
  if (reduction == Reduction::None) return g;
  Tensor scaled = reduction == Reduction::Mean
                      ? kernels::mul(g, 1.0f / static_cast<float>(shape_numel(shape)))
                      : g;
  return views::expand(scaled, shape);
}

// Class indices travel as floats: each must be an integer in [0, classes).
std::vector<int64_t> class_indices(const Tensor& targets, int64_t classes, const char* op) {
  std::vector<float> values = targets.to_vector();
  std::vector<int64_t> indices(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    float v = values[i];
    EMBER_CHECK(v == std::floor(v) && v >= 0.0f && v < static_cast<float>(classes), IndexError, op,
                ": target ", v, " at position ", i, " is not a class index in [0, ", classes, ")");
    indices[i] = static_cast<int64_t>(v);
  }
  return indices;
}

void check_logits(const Tensor& logits, const Tensor& targets, const char* op) {
  EMBER_CHECK(logits.dim() == 2, ShapeError, op, ": input must be [N, C], got ", logits.shape());
  EMBER_CHECK((targets.dim() == 1 && targets.size(0) == logits.size(0)) ||
                  targets.shape() == logits.shape(),
              ShapeError, op, ": targets of shape ", targets.shape(), " for input of shape ",
              logits.shape(), ": expected class indices [", logits.size(0), "] or probabilities ",
              logits.shape());
}

// -log_probs[i, t_i] for every row i.
Tensor pick_negated(const Tensor& log_probs, const std::vector<int64_t>& targets) {
  Tensor lp = kernels::contiguous(log_probs);
  const int64_t n = lp.size(0), classes = lp.size(1);
  Tensor out = Tensor::empty({n});
  for (int64_t i = 0; i < n; ++i)
    out.data()[i] = -lp.data()[i * classes + targets[static_cast<size_t>(i)]];
  return out;
}

// loss_i = -log_probs[i, t_i] (input [N, C], targets [N]): the gradient -g_i
// lands on the target entry. Shared by nll_loss (input: log-probabilities)
// and cross_entropy with class indices (input: logits; adds p * g_i, since
// d log_softmax / dz = 1 - p). Saves p = softmax(logits), or nothing for nll_loss.
struct ClassIndexLossNode final : Node {
  ClassIndexLossNode(const char* op, std::vector<int64_t> targets, Reduction reduction)
      : op(op), targets(std::move(targets)), reduction(reduction) {}
  const char* op;
  std::vector<int64_t> targets;
  Reduction reduction;
  const char* name() const override { return op; }
  std::vector<Tensor> backward(const Tensor& g) override {
    const int64_t n = edges[0].shape[0], classes = edges[0].shape[1];
    Tensor gi = kernels::contiguous(element_grad(g, {n}, reduction));
    Tensor probs = saved(0);  // softmax of the logits, or undefined for nll_loss
    Tensor dx = probs.defined() ? kernels::mul(probs, views::reshape(gi, {n, 1}))
                                : Tensor::zeros({n, classes});
    for (int64_t i = 0; i < n; ++i)
      dx.data()[i * classes + targets[static_cast<size_t>(i)]] -= gi.data()[i];
    return {dx, Tensor()};
  }
};
}  // namespace

Tensor nll_loss(const Tensor& log_probs, const Tensor& targets, Reduction reduction) {
  check_logits(log_probs, targets, "nll_loss");
  EMBER_CHECK(targets.dim() == 1, ShapeError, "nll_loss: targets must be class indices [",
              log_probs.size(0), "], got shape ", targets.shape());
  std::vector<int64_t> indices = class_indices(targets, log_probs.size(1), "nll_loss");
  Tensor out = reduce(pick_negated(log_probs, indices), reduction);
  if (auto node = record<ClassIndexLossNode>(out, {log_probs, targets}, "nll_loss",
                                             std::move(indices), reduction))
    node->save({Tensor()});
  return out;
}

namespace {
// loss_i = -sum_c t_ic log p_ic with p = softmax(z):
//   dz = (p * sum_c t - t) g_i,   dt = -log p * g_i.   Saves log p and t.
struct SoftTargetCrossEntropyNode final : Node {
  explicit SoftTargetCrossEntropyNode(Reduction reduction) : reduction(reduction) {}
  Reduction reduction;
  const char* name() const override { return "cross_entropy"; }
  std::vector<Tensor> backward(const Tensor& g) override {
    Tensor log_p = saved(0), t = saved(1);
    const int64_t n = log_p.size(0);
    Tensor gi = views::reshape(element_grad(g, {n}, reduction), {n, 1});
    Tensor dz, dt;
    if (needs_grad(0)) {
      Tensor p_times_mass = kernels::mul(kernels::exp(log_p), kernels::sum(t, {1}, true));
      dz = kernels::mul(kernels::sub(p_times_mass, t), gi);
    }
    if (needs_grad(1)) dt = kernels::neg(kernels::mul(log_p, gi));
    return {dz, dt};
  }
};
}  // namespace

Tensor cross_entropy(const Tensor& logits, const Tensor& targets, Reduction reduction) {
  check_logits(logits, targets, "cross_entropy");
  Tensor log_p = kernels::log_softmax(logits, 1);
  if (targets.dim() == 1) {
    std::vector<int64_t> indices = class_indices(targets, logits.size(1), "cross_entropy");
    Tensor out = reduce(pick_negated(log_p, indices), reduction);
    if (auto node = record<ClassIndexLossNode>(out, {logits, targets}, "cross_entropy",
                                               std::move(indices), reduction))
      node->save({kernels::exp(log_p)});
    return out;
  }
  Tensor out = reduce(kernels::neg(kernels::sum(kernels::mul(targets, log_p), {1})), reduction);
  if (auto node = record<SoftTargetCrossEntropyNode>(out, {logits, targets}, reduction))
    node->save({log_p, targets});
  return out;
}

namespace {
// loss = (a - b)^2 per element: da = 2 (a - b) g, db = -da (each summed
// back over broadcast dims). Saves a - b.
struct MseLossNode final : Node {
  explicit MseLossNode(Reduction reduction) : reduction(reduction) {}
  Reduction reduction;
  const char* name() const override { return "mse_loss"; }
  std::vector<Tensor> backward(const Tensor& g) override {
    Tensor diff = saved(0);
    Tensor d = kernels::mul(kernels::mul(diff, element_grad(g, diff.shape(), reduction)), 2.0f);
    return {needs_grad(0) ? kernels::sum_to(d, edges[0].shape) : Tensor(),
            needs_grad(1) ? kernels::sum_to(kernels::neg(d), edges[1].shape) : Tensor()};
  }
};
}  // namespace

Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction) {
  Tensor diff = kernels::sub(input, target);  // broadcasts; names both shapes if it cannot
  Tensor out = reduce(kernels::mul(diff, diff), reduction);
  if (auto node = record<MseLossNode>(out, {input, target}, reduction)) node->save({diff});
  return out;
}

namespace {
// loss = -(t log s(x) + (1 - t) log(1 - s(x))) = max(x, 0) - x t + log(1 + e^-|x|)
// (the right side cannot overflow). dx = (s(x) - t) g, dt = -x g. Saves x, t.
struct BceWithLogitsNode final : Node {
  explicit BceWithLogitsNode(Reduction reduction) : reduction(reduction) {}
  Reduction reduction;
  const char* name() const override { return "binary_cross_entropy_with_logits"; }
  std::vector<Tensor> backward(const Tensor& g) override {
    Tensor x = saved(0), t = saved(1);
    Tensor ge = element_grad(g, x.shape(), reduction);
    return {needs_grad(0) ? kernels::mul(kernels::sub(kernels::sigmoid(x), t), ge) : Tensor(),
            needs_grad(1) ? kernels::neg(kernels::mul(x, ge)) : Tensor()};
  }
};
}  // namespace

Tensor binary_cross_entropy_with_logits(const Tensor& logits, const Tensor& targets,
                                        Reduction reduction) {
  EMBER_CHECK(logits.shape() == targets.shape(), ShapeError,
              "binary_cross_entropy_with_logits: logits of shape ", logits.shape(),
              " and targets of shape ", targets.shape(), " must match");
  Tensor x = kernels::contiguous(logits), t = kernels::contiguous(targets);
  Tensor per_element = Tensor::empty(x.shape());
  for (int64_t i = 0, n = x.numel(); i < n; ++i) {
    float v = x.data()[i];
    per_element.data()[i] =
        std::max(v, 0.0f) - v * t.data()[i] + std::log1p(std::exp(-std::abs(v)));
  }
  Tensor out = reduce(per_element, reduction);
  if (auto node = record<BceWithLogitsNode>(out, {logits, targets}, reduction))
    node->save({logits, targets});
  return out;
}

// Not a loss, but the targets' other form: what cross_entropy with class
// indices means, written out (loss = -sum(one_hot * log_softmax) per row).
Tensor one_hot(const Tensor& labels, int64_t classes) {
  EMBER_CHECK(labels.dim() == 1, ShapeError, "one_hot: labels must be class indices [N], got shape ",
              labels.shape());
  EMBER_CHECK(classes > 0, ValueError, "one_hot: classes = ", classes, " (expected > 0)");
  const std::vector<int64_t> indices = class_indices(labels, classes, "one_hot");
  Tensor out = Tensor::zeros({labels.size(0), classes});
  for (size_t i = 0; i < indices.size(); ++i)
    out.data()[static_cast<int64_t>(i) * classes + indices[i]] = 1.0f;
  return out;
}

}  // namespace ember
