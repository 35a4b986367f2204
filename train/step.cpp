// step.cpp — see step.hpp.
#include "step.hpp"

#include <cmath>

#include "../autograd/ops.hpp"

namespace ember::train {

Tensor regularized_loss(nn::Module& model, const Tensor& output, const Tensor& targets,
                        const LossFunction& loss) {
  Tensor data_loss = loss ? loss(output, targets) : cross_entropy(output, targets);
  Tensor reg = model.regularization_loss();
  return reg.defined() ? data_loss + reg : data_loss;
}

StepResult train_step(nn::Module& model, optim::Optimizer& optimizer, const Tensor& inputs,
                      const Tensor& targets, const LossFunction& loss) {
  StepResult r;
  r.output = model.forward(inputs);
  r.loss = regularized_loss(model, r.output, targets, loss);
  r.loss_value = r.loss.item();
  if (!std::isfinite(r.loss_value)) return r;
  optimizer.zero_grad();
  r.loss.backward();
  optimizer.step();
  r.updated = true;
  return r;
}

}  // namespace ember::train
