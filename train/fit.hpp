// fit.hpp — training and evaluation loops: fit(), evaluate(), predict().
//
//   data::DataLoader train_data(data::FashionMNIST(root, true), 32, true, seed);
//   data::DataLoader test_data(data::FashionMNIST(root, false), 256);
//   optim::Adam opt(model->parameters());
//   train::History h =
//       train::fit(*model, opt, train_data, {.epochs = 5, .validation = &test_data});
//   train::EvalResult r = train::evaluate(*model, test_data);   // r.loss, r.accuracy
//
// Each batch is one train_step() (step.hpp): forward, loss (+ the model's
// regularization_loss()), zero_grad, backward, optimizer step. The loss and
// accuracy fit() reports are running means over the epoch's examples (what
// Keras prints), so they mix early and late weights; evaluate() measures the
// final weights.
//
// A loss that is NaN or infinite stops training at once with a message
// naming the epoch and step and the usual causes; the History keeps the
// finished epochs and says why it ended (History::stop_reason).
//
// Resuming: with FitOptions::checkpoint, fit() writes a training checkpoint
// (checkpoint.hpp) after every epoch; a later fit() given it as resume_from
// goes on from the epoch after it, exactly as if never stopped.
#pragma once

#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "../data/dataloader.hpp"
#include "../nn/module.hpp"
#include "../optim/optimizer.hpp"
#include "callbacks.hpp"
#include "history.hpp"
#include "progress.hpp"
#include "step.hpp"

namespace ember::train {

struct FitOptions {
  int64_t epochs = 1;
  // Evaluated after every epoch (val_loss, val_accuracy). Not owned.
  data::DataLoader* validation = nullptr;
  LossFunction loss = {};  // empty = cross_entropy
  std::vector<std::shared_ptr<Callback>> callbacks = {};
  Verbosity verbose = Verbosity::ProgressBar;
  std::ostream* out = nullptr;  // empty = std::cout
  // Keras' initial_epoch: the epochs already done. fit() runs epochs
  // initial_epoch + 1 to `epochs` with the model and optimizer as they are
  // (for an exact resume use resume_from, which restores much more).
  int64_t initial_epoch = 0;
  // Where to write a training checkpoint (checkpoint.hpp) after every
  // epoch, atomically; empty = none.
  std::string checkpoint = {};
  // A training checkpoint to go on from: before the first epoch fit() loads
  // it into the model, the optimizer, the generators (the training loader's
  // included) and the callbacks (after their on_train_begin), then runs
  // epochs checkpoint's epoch + 1 to `epochs`. The History it returns starts
  // with the checkpoint's epochs. Empty = start afresh.
  std::string resume_from = {};
  // Only for the dataset overload of fit(), Keras' fit(x, y, ...) arguments.
  int64_t batch_size = 32;
  int64_t validation_batch_size = 0;  // for the validation_split part; 0 = batch_size
  double validation_split = 0.0;      // the LAST fraction of the examples (data::tail_split)
  bool shuffle = true;
  uint64_t seed = 0;  // the shuffling order
};

History fit(nn::Module& model, optim::Optimizer& optimizer, data::DataLoader& train,
            const FitOptions& options = {});

// Keras' model.fit(x, y, batch_size, validation_split, shuffle): batches the
// dataset itself. With validation_split = s, the examples after the first
// floor(n * (1 - s)) (data::tail_split: before any shuffling, as Keras) are
// held out and evaluated after each epoch, in batches of
// validation_batch_size, unless options.validation is also given (it wins,
// as in Keras).
History fit(nn::Module& model, optim::Optimizer& optimizer, const data::DatasetHandle& train,
            const FitOptions& options = {});

struct EvalResult {
  double loss = 0.0;      // mean over the examples (+ regularization, as in training)
  double accuracy = 0.0;  // fraction of argmax(output) == label
  int64_t examples = 0;
};

struct EvaluateOptions {
  LossFunction loss = {};  // empty = cross_entropy
  Verbosity verbose = Verbosity::Silent;
  std::ostream* out = nullptr;
};

// Runs the model in eval mode without recording a graph; restores the
// model's train/eval mode afterwards.
EvalResult evaluate(nn::Module& model, data::DataLoader& loader,
                    const EvaluateOptions& options = {});

// The model's outputs for every example, in loader order: [N, ...].
Tensor predict(nn::Module& model, data::DataLoader& loader);
// For images already in memory [N, C, H, W], batch_size at a time.
Tensor predict(nn::Module& model, const Tensor& images, int64_t batch_size = 256);

// Correct predictions in a batch: argmax over dim 1 of output [N, C] against
// labels [N] (float class indices) or one-hot / probabilities [N, C].
int64_t count_correct(const Tensor& output, const Tensor& labels);

}  // namespace ember::train
