// sgd.cpp — SGD's update (formulas in sgd.hpp).
#include "sgd.hpp"

namespace ember::optim {

SGD::SGD(std::vector<ParamGroup> groups, const SGDOptions& o)
    : Optimizer(std::move(groups), o, o.momentum > 0.0f ? 1 : 0), options_(o) {
  check_option(o.momentum >= 0.0f && o.momentum < 1.0f, "SGD", "momentum", o.momentum,
               "0 <= momentum < 1");
  check_option(!o.nesterov || o.momentum > 0.0f, "SGD", "momentum", o.momentum,
               "> 0 when nesterov is on");
}

void SGD::update(const ParamUpdate& param) {
  const float lr = param.lr, mu = options_.momentum;
  if (mu == 0.0f) {
    param.for_each_element<0>([=](float& p, float g) { p -= lr * g; });
  } else if (options_.nesterov) {
    param.for_each_element<1>([=](float& p, float g, float& v) {
      v = mu * v - lr * g;
      p += mu * v - lr * g;
    });
  } else {
    param.for_each_element<1>([=](float& p, float g, float& v) {
      v = mu * v - lr * g;
      p += v;
    });
  }
}

}  // namespace ember::optim
