// adadelta.hpp — Adadelta (Zeiler 2012), in Keras' TF2 form.
//
//   a  = rho * a + (1 - rho) * g^2                       (running E[g^2])
//   dx = sqrt(d + epsilon) / sqrt(a + epsilon) * g
//   d  = rho * d + (1 - rho) * dx^2                      (running E[dx^2])
//   p -= lr * dx
//
// The same formula as PyTorch (ResourceApplyAdadelta and torch.optim.Adadelta
// agree); the defaults differ: Keras TF2 uses lr 0.001, rho 0.95, epsilon
// 1e-7 (Keras 2.3 used lr 1.0, the paper's "no learning rate"); PyTorch uses
// lr 1.0, rho 0.9, epsilon 1e-6. With lr 0.001 Adadelta moves very slowly,
// which is why experiment 003 saw it reach only 46%.
#pragma once

#include "optimizer.hpp"

namespace ember::optim {

struct AdadeltaOptions {
  float lr = 0.001f;
  float rho = 0.95f;
  float epsilon = 1e-7f;
  float decay = 0.0f;
  float weight_decay = 0.0f;
};

class Adadelta final : public Optimizer {
 public:
  explicit Adadelta(std::vector<Tensor> params, const AdadeltaOptions& options = {})
      : Adadelta(one_group(std::move(params)), options) {}
  Adadelta(std::vector<ParamGroup> groups, const AdadeltaOptions& options);
  std::string name() const override { return "Adadelta"; }
  std::string slot_name(int slot) const override { return slot == 0 ? "a" : "d"; }

 private:
  void update(const ParamUpdate& param) override;
  AdadeltaOptions options_;
};

}  // namespace ember::optim
