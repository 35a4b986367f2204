// adam.cpp — Adam's update (formulas in adam.hpp).
#include "adam.hpp"

#include <cmath>

#include "../tensor/runtime/parallel.hpp"

namespace ember::optim {

namespace {
const AdamOptions& checked(const AdamOptions& o) {
  check_option(o.beta1 >= 0.0f && o.beta1 < 1.0f, "Adam", "beta1", o.beta1, "0 <= beta1 < 1");
  check_option(o.beta2 >= 0.0f && o.beta2 < 1.0f, "Adam", "beta2", o.beta2, "0 <= beta2 < 1");
  check_option(o.epsilon >= 0.0f, "Adam", "epsilon", o.epsilon, ">= 0");
  return o;
}
}  // namespace

Adam::Adam(std::vector<Tensor> params, const AdamOptions& options)
    : Adam(std::vector<ParamGroup>{{std::move(params), {}, {}}}, options) {}

Adam::Adam(std::vector<ParamGroup> groups, const AdamOptions& options)
    : Optimizer(std::move(groups), {options.lr, options.weight_decay, options.decay}, 2),
      options_(checked(options)) {}

void Adam::update(float* p, const float* g, std::vector<float*>& slots, int64_t n, float lr,
                  int64_t t) {
  const float b1 = options_.beta1, b2 = options_.beta2, eps = options_.epsilon;
  // Bias corrections in double: beta2^t for t ~ 1e5 loses digits in float.
  const double td = static_cast<double>(t);
  const float lr_t = static_cast<float>(lr * std::sqrt(1.0 - std::pow(double(b2), td)) /
                                        (1.0 - std::pow(double(b1), td)));
  float* m_slot = slots[0];
  float* v_slot = slots[1];
  // Elements are independent: large parameters split over ember's threads.
  detail::parallel_for(n, detail::kElementGrain, [&](int64_t lo, int64_t hi, int64_t) {
    // Locals, and the arrays declared apart: with the captured references
    // a store to m[i] might have changed b1 (both float), so GCC reloaded
    // every scalar per element and left the loop scalar.
    float* __restrict pp = p;
    const float* __restrict gg = g;
    float* __restrict m = m_slot;
    float* __restrict v = v_slot;
    const float beta1 = b1, beta2 = b2, epsilon = eps, step = lr_t;
    for (int64_t i = lo; i < hi; ++i) {
      m[i] = beta1 * m[i] + (1.0f - beta1) * gg[i];
      v[i] = beta2 * v[i] + (1.0f - beta2) * gg[i] * gg[i];
      pp[i] -= step * m[i] / (std::sqrt(v[i]) + epsilon);
    }
  });
}

}  // namespace ember::optim
