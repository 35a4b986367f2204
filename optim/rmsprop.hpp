// rmsprop.hpp — RMSprop (Hinton's lecture 6e), in Keras' TF2 form.
//
//   s   = rho * s + (1 - rho) * g^2
//   mom = momentum * mom + lr * g / sqrt(s + epsilon)     (momentum > 0)
//   p  -= mom                     or, without momentum, p -= lr * g / sqrt(s + epsilon)
//
// Where epsilon sits: TF2 Keras (ResourceApplyRMSProp) puts it inside the
// square root, as here; Keras 2.3 and PyTorch put it outside,
// g / (sqrt(s) + epsilon). Keras' defaults are rho 0.9 and epsilon 1e-7;
// PyTorch's are alpha 0.99 and 1e-8. With epsilon = 0 all three agree.
#pragma once

#include "optimizer.hpp"

namespace ember::optim {

struct RMSpropOptions {
  float lr = 0.001f;
  float rho = 0.9f;
  float momentum = 0.0f;
  float epsilon = 1e-7f;
  float decay = 0.0f;
  float weight_decay = 0.0f;
};

class RMSprop final : public Optimizer {
 public:
  explicit RMSprop(std::vector<Tensor> params, const RMSpropOptions& options = {})
      : RMSprop(one_group(std::move(params)), options) {}
  RMSprop(std::vector<ParamGroup> groups, const RMSpropOptions& options);
  std::string name() const override { return "RMSprop"; }
  std::string slot_name(int slot) const override { return slot == 0 ? "s" : "mom"; }

 private:
  void update(const ParamUpdate& param) override;
  RMSpropOptions options_;
};

}  // namespace ember::optim
