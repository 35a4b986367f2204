// adagrad.cpp — Adagrad's update (formulas in adagrad.hpp).
#include "adagrad.hpp"

#include <cmath>

namespace ember::optim {

Adagrad::Adagrad(std::vector<ParamGroup> groups, const AdagradOptions& o)
    : Optimizer(std::move(groups), o, 1), options_(o) {
  check_option(o.initial_accumulator_value >= 0.0f, "Adagrad", "initial_accumulator_value",
               o.initial_accumulator_value, ">= 0");
  check_option(o.epsilon >= 0.0f, "Adagrad", "epsilon", o.epsilon, ">= 0");
}

void Adagrad::update(const ParamUpdate& param) {
  const float lr = param.lr, eps = options_.epsilon;
  param.for_each_element<1>([=](float& p, float g, float& a) {
    a += g * g;
    p -= lr * g / (std::sqrt(a) + eps);
  });
}

}  // namespace ember::optim
