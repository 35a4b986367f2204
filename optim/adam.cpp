// adam.cpp — Adam's update (formulas in adam.hpp).
#include "adam.hpp"

#include <cmath>

namespace ember::optim {

Adam::Adam(std::vector<ParamGroup> groups, const AdamOptions& o)
    : Optimizer(std::move(groups), o, 2), options_(o) {
  check_option(o.beta1 >= 0.0f && o.beta1 < 1.0f, "Adam", "beta1", o.beta1, "0 <= beta1 < 1");
  check_option(o.beta2 >= 0.0f && o.beta2 < 1.0f, "Adam", "beta2", o.beta2, "0 <= beta2 < 1");
  check_option(o.epsilon >= 0.0f, "Adam", "epsilon", o.epsilon, ">= 0");
}

void Adam::update(const ParamUpdate& param) {
  const float b1 = options_.beta1, b2 = options_.beta2, eps = options_.epsilon;
  // Bias corrections in double: beta2^t for t ~ 1e5 loses digits in float.
  const double t = static_cast<double>(param.t);
  const float lr_t = static_cast<float>(param.lr * std::sqrt(1.0 - std::pow(double(b2), t)) /
                                        (1.0 - std::pow(double(b1), t)));
  param.for_each_element<2>([=](float& p, float g, float& m, float& v) {
    m = b1 * m + (1.0f - b1) * g;
    v = b2 * v + (1.0f - b2) * g * g;
    p -= lr_t * m / (std::sqrt(v) + eps);
  });
}

}  // namespace ember::optim
