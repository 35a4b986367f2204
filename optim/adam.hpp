// adam.hpp — Adam (Kingma & Ba), in Keras' form.
//
//   m = beta1 * m + (1 - beta1) * g
//   v = beta2 * v + (1 - beta2) * g^2
//   lr_t = lr * sqrt(1 - beta2^t) / (1 - beta1^t)
//   p -= lr_t * m / (sqrt(v) + epsilon)
//
// Where epsilon sits: Keras (TF2 ResourceApplyAdam, the "epsilon hat" of the
// paper's section 2) adds it to sqrt(v); PyTorch adds it to the bias-corrected
// sqrt(v / (1 - beta2^t)), i.e. Keras' epsilon is PyTorch's epsilon divided
// by sqrt(1 - beta2^t) (larger in the first steps). ember follows Keras,
// with Keras' epsilon 1e-7, because its tutorials reproduce Keras
// experiments. With epsilon = 0 the two are the same update.
#pragma once

#include "optimizer.hpp"

namespace ember::optim {

struct AdamOptions {
  float lr = 0.001f;
  float beta1 = 0.9f;
  float beta2 = 0.999f;
  float epsilon = 1e-7f;  // Keras; PyTorch's is 1e-8 and placed differently
  float decay = 0.0f;
  float weight_decay = 0.0f;
};

class Adam final : public Optimizer {
 public:
  explicit Adam(std::vector<Tensor> params, const AdamOptions& options = {})
      : Adam(one_group(std::move(params)), options) {}
  Adam(std::vector<ParamGroup> groups, const AdamOptions& options);
  std::string name() const override { return "Adam"; }
  std::string slot_name(int slot) const override { return slot == 0 ? "m" : "v"; }

 private:
  void update(const ParamUpdate& param) override;
  AdamOptions options_;
};

}  // namespace ember::optim
