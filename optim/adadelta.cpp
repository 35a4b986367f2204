// adadelta.cpp — Adadelta's update (formulas in adadelta.hpp).
#include "adadelta.hpp"

#include <cmath>

namespace ember::optim {

Adadelta::Adadelta(std::vector<ParamGroup> groups, const AdadeltaOptions& o)
    : Optimizer(std::move(groups), o, 2), options_(o) {
  check_option(o.rho >= 0.0f && o.rho < 1.0f, "Adadelta", "rho", o.rho, "0 <= rho < 1");
  check_option(o.epsilon > 0.0f, "Adadelta", "epsilon", o.epsilon,
               "> 0: it is the first step's size");
}

void Adadelta::update(const ParamUpdate& param) {
  const float lr = param.lr, rho = options_.rho, eps = options_.epsilon;
  param.for_each_element<2>([=](float& p, float g, float& a, float& d) {
    a = rho * a + (1.0f - rho) * g * g;
    const float dx = std::sqrt(d + eps) / std::sqrt(a + eps) * g;
    d = rho * d + (1.0f - rho) * dx * dx;
    p -= lr * dx;
  });
}

}  // namespace ember::optim
