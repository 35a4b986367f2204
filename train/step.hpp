// step.hpp — one training step: the only place ember writes one.
//
//   for (const data::Batch& batch : loader) {
//     const train::StepResult r = train::train_step(*model, optimizer, batch.images, batch.labels);
//     // r.loss_value, and r.output (the logits) for metrics
//   }
//
// A step is: forward, loss plus the model's regularization (regularized_loss
// below), zero_grad, backward, optimizer step. fit() runs it on every batch,
// the profiler (profile.hpp) in its uncut steps, and a loop written by hand
// calls it as above.
//
// A loss that is NaN or infinite comes back without backward and without
// the optimizer step (StepResult::updated is false): the update would carry
// the NaN into every weight, and the caller decides what happens next
// (fit() stops and says why).
#pragma once

#include <functional>

#include "../nn/module.hpp"
#include "../optim/optimizer.hpp"

namespace ember::train {

// loss(output, targets) -> scalar. targets is the batch's labels [N] (float
// class indices). An empty function means cross_entropy on logits.
using LossFunction = std::function<Tensor(const Tensor& output, const Tensor& targets)>;

// The loss a step minimizes and evaluate() reports: loss(output, targets)
// plus model.regularization_loss(), the layers' kernel_regularizer
// penalties (Keras reports them as part of the loss too).
Tensor regularized_loss(nn::Module& model, const Tensor& output, const Tensor& targets,
                        const LossFunction& loss = {});

struct StepResult {
  Tensor output;            // the model's output for the batch (the logits), for metrics
  Tensor loss;              // regularized_loss(model, output, targets, loss): what was minimized
  double loss_value = 0.0;  // loss.item()
  bool updated = false;     // false: the loss was not finite, so no backward and no step
};

// One step on one batch: inputs [N, ...], targets as the loss takes them.
StepResult train_step(nn::Module& model, optim::Optimizer& optimizer, const Tensor& inputs,
                      const Tensor& targets, const LossFunction& loss = {});

}  // namespace ember::train
