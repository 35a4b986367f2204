// adagrad.hpp — Adagrad (Duchi et al.), in Keras' TF2 form.
//
//   a  = a + g^2                  (a starts at initial_accumulator_value)
//   p -= lr * g / (sqrt(a) + epsilon)
//
// The same formula as PyTorch (ResourceApplyAdagradV2 and torch.optim.Adagrad
// both add epsilon outside the root); only the defaults differ: Keras starts
// the accumulator at 0.1 with lr 0.001 and epsilon 1e-7, PyTorch at 0 with
// lr 0.01 and epsilon 1e-10. The 0.1 matters: it caps the first steps at
// lr * |g| / sqrt(0.1 + g^2) instead of a full lr-sized jump.
#pragma once

#include "optimizer.hpp"

namespace ember::optim {

struct AdagradOptions {
  float lr = 0.001f;
  float initial_accumulator_value = 0.1f;
  float epsilon = 1e-7f;
  float decay = 0.0f;
  float weight_decay = 0.0f;
};

class Adagrad final : public Optimizer {
 public:
  explicit Adagrad(std::vector<Tensor> params, const AdagradOptions& options = {})
      : Adagrad(one_group(std::move(params)), options) {}
  Adagrad(std::vector<ParamGroup> groups, const AdagradOptions& options);
  std::string name() const override { return "Adagrad"; }
  std::string slot_name(int) const override { return "a"; }

 private:
  void update(const ParamUpdate& param) override;
  float initial_slot_value(int /*slot*/) const override {
    return options_.initial_accumulator_value;
  }
  AdagradOptions options_;
};

}  // namespace ember::optim
