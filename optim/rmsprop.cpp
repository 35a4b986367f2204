// rmsprop.cpp — RMSprop's update (formulas in rmsprop.hpp).
#include "rmsprop.hpp"

#include <cmath>

namespace ember::optim {

RMSprop::RMSprop(std::vector<ParamGroup> groups, const RMSpropOptions& o)
    : Optimizer(std::move(groups), o, o.momentum > 0.0f ? 2 : 1), options_(o) {
  check_option(o.rho >= 0.0f && o.rho < 1.0f, "RMSprop", "rho", o.rho, "0 <= rho < 1");
  check_option(o.momentum >= 0.0f && o.momentum < 1.0f, "RMSprop", "momentum", o.momentum,
               "0 <= momentum < 1");
  check_option(o.epsilon >= 0.0f, "RMSprop", "epsilon", o.epsilon, ">= 0");
}

void RMSprop::update(const ParamUpdate& param) {
  const float lr = param.lr, rho = options_.rho, eps = options_.epsilon, mu = options_.momentum;
  if (mu == 0.0f) {
    param.for_each_element<1>([=](float& p, float g, float& s) {
      s = rho * s + (1.0f - rho) * g * g;
      p -= lr * g / std::sqrt(s + eps);
    });
  } else {
    param.for_each_element<2>([=](float& p, float g, float& s, float& mom) {
      s = rho * s + (1.0f - rho) * g * g;
      mom = mu * mom + lr * g / std::sqrt(s + eps);
      p -= mom;
    });
  }
}

}  // namespace ember::optim
