// adamax.hpp — Adamax, Adam with the infinity norm (Kingma & Ba, section 7.1).
//
//   m = beta1 * m + (1 - beta1) * g
//   u = max(beta2 * u, |g|)
//   p -= lr / (1 - beta1^t) * m / (u + epsilon)
//
// Keras (TF2 ResourceApplyAdaMax) adds epsilon to u in the step, as here;
// PyTorch folds it into the max: u = max(beta2 * u, |g| + epsilon). With
// epsilon = 0 they agree.
#pragma once

#include "optimizer.hpp"

namespace ember::optim {

struct AdamaxOptions {
  float lr = 0.001f;
  float beta1 = 0.9f;
  float beta2 = 0.999f;
  float epsilon = 1e-7f;
  float decay = 0.0f;
  float weight_decay = 0.0f;
};

class Adamax final : public Optimizer {
 public:
  explicit Adamax(std::vector<Tensor> params, const AdamaxOptions& options = {})
      : Adamax(one_group(std::move(params)), options) {}
  Adamax(std::vector<ParamGroup> groups, const AdamaxOptions& options);
  std::string name() const override { return "Adamax"; }
  std::string slot_name(int slot) const override { return slot == 0 ? "m" : "u"; }

 private:
  void update(const ParamUpdate& param) override;
  AdamaxOptions options_;
};

}  // namespace ember::optim
