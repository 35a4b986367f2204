// adamax.cpp — Adamax's update (formulas in adamax.hpp).
#include "adamax.hpp"

#include <algorithm>
#include <cmath>

namespace ember::optim {

Adamax::Adamax(std::vector<ParamGroup> groups, const AdamaxOptions& o)
    : Optimizer(std::move(groups), o, 2), options_(o) {
  check_option(o.beta1 >= 0.0f && o.beta1 < 1.0f, "Adamax", "beta1", o.beta1, "0 <= beta1 < 1");
  check_option(o.beta2 >= 0.0f && o.beta2 < 1.0f, "Adamax", "beta2", o.beta2, "0 <= beta2 < 1");
  check_option(o.epsilon >= 0.0f, "Adamax", "epsilon", o.epsilon, ">= 0");
}

void Adamax::update(const ParamUpdate& param) {
  const float b1 = options_.beta1, b2 = options_.beta2, eps = options_.epsilon;
  const double t = static_cast<double>(param.t);
  const float lr_t = static_cast<float>(param.lr / (1.0 - std::pow(double(b1), t)));
  param.for_each_element<2>([=](float& p, float g, float& m, float& u) {
    m = b1 * m + (1.0f - b1) * g;
    u = std::max(b2 * u, std::fabs(g));
    p -= lr_t * m / (u + eps);
  });
}

}  // namespace ember::optim
