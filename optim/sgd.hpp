// sgd.hpp — stochastic gradient descent with momentum, Nesterov and Keras decay.
//
// Keras' formulation (TF2 ResourceApplyKerasMomentum), so experiment 004's
// SGD(lr=0.01, decay=1e-6, momentum=0.9, nesterov=True) means the same here:
//   momentum = 0:   p -= lr * g
//   otherwise:      v  = momentum * v - lr * g
//                   p += v                        (classical)
//                   p += momentum * v - lr * g    (Nesterov)
// PyTorch keeps buf = momentum * buf + g and steps p -= lr * buf; with a
// constant lr the two give the same parameters (v = -lr * buf). They differ
// only when lr changes: Keras' velocity remembers the old rate.
#pragma once

#include "optimizer.hpp"

namespace ember::optim {

struct SGDOptions {
  float lr = 0.01f;  // Keras default
  float momentum = 0.0f;
  bool nesterov = false;
  float decay = 0.0f;         // Keras: lr / (1 + decay * iterations)
  float weight_decay = 0.0f;  // L2 added to the gradient
};

class SGD final : public Optimizer {
 public:
  explicit SGD(std::vector<Tensor> params, const SGDOptions& options = {})
      : SGD(one_group(std::move(params)), options) {}
  SGD(std::vector<ParamGroup> groups, const SGDOptions& options);
  std::string name() const override { return "SGD"; }
  std::string slot_name(int) const override { return "v"; }

 private:
  void update(const ParamUpdate& param) override;
  SGDOptions options_;
};

}  // namespace ember::optim
