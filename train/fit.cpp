// fit.cpp — the training loop, evaluation and prediction.
#include "fit.hpp"

#include <chrono>
#include <cmath>
#include <iostream>
#include <sstream>

#include "../autograd/grad_mode.hpp"
#include "../autograd/ops.hpp"
#include "../data/split.hpp"
#include "../data/subset.hpp"
#include "../tensor/kernels.hpp"
#include "../tensor/runtime/parallel.hpp"
#include "../tensor/views.hpp"
#include "checkpoint.hpp"

namespace ember::train {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Restores a module's train/eval mode when the scope ends (also on a throw).
class ModeGuard {
 public:
  explicit ModeGuard(nn::Module& m) : model_(m), was_training_(m.is_training()) {}
  ~ModeGuard() { model_.train(was_training_); }
  ModeGuard(const ModeGuard&) = delete;
  ModeGuard& operator=(const ModeGuard&) = delete;

 private:
  nn::Module& model_;
  bool was_training_;
};

std::string non_finite_message(double loss, int64_t epoch, int64_t step, int64_t steps,
                               int64_t classes) {
  std::ostringstream m;
  m << "fit: the loss became " << loss << " at epoch " << epoch << ", step " << step << "/"
    << steps << "; training stopped.\n"
    << "  Usual causes: a learning rate too high for the optimizer (try one 10x smaller),\n"
    << "  weights initialized too large for the activations (check the initializer), or\n"
    << "  inputs that are not scaled (pixels should be /255).\n";
  if (classes > 1)
    m << "  A milder form of the same failure: accuracy stuck at 1/" << classes << " ("
      << 100.0 / static_cast<double>(classes) << "%) with the loss at ln(" << classes
      << ") = " << std::log(static_cast<double>(classes))
      << " means the outputs no longer depend on the input.\n";
  return m.str();
}

EvalResult run_evaluation(nn::Module& model, data::DataLoader& loader, const LossFunction& loss_fn,
                          ProgressBar* bar) {
  ModeGuard mode(model);
  model.eval();
  NoGradGuard no_grad;
  EvalResult r;
  double loss_sum = 0.0;
  int64_t correct = 0, step = 0;
  for (const data::Batch& batch : loader) {
    const Tensor output = model.forward(batch.images);
    const int64_t n = batch.images.size(0);
    loss_sum +=
        static_cast<double>(regularized_loss(model, output, batch.labels, loss_fn).item()) *
        static_cast<double>(n);
    correct += count_correct(output, batch.labels);
    r.examples += n;
    if (bar) {
      const double seen = static_cast<double>(r.examples);
      bar->update(++step, {{"loss", loss_sum / seen}, {"accuracy", correct / seen}});
    }
  }
  if (r.examples > 0) {
    r.loss = loss_sum / static_cast<double>(r.examples);
    r.accuracy = static_cast<double>(correct) / static_cast<double>(r.examples);
  }
  return r;
}

}  // namespace

int64_t count_correct(const Tensor& output, const Tensor& labels) {
  EMBER_CHECK(output.dim() == 2, ShapeError, "count_correct: output must be [N, C], got ",
              output.shape());
  const Tensor predicted = kernels::contiguous(kernels::argmax(output.detach(), 1));
  const Tensor truth = labels.dim() == 2 ? kernels::argmax(labels.detach(), 1)
                                         : kernels::contiguous(labels.detach());
  EMBER_CHECK(truth.dim() == 1 && truth.size(0) == predicted.size(0), ShapeError,
              "count_correct: labels ", labels.shape(), " do not match output ", output.shape());
  const float* p = predicted.data();
  const float* t = truth.data();
  int64_t correct = 0;
  for (int64_t i = 0; i < predicted.size(0); ++i) correct += p[i] == t[i];
  return correct;
}

History fit(nn::Module& model, optim::Optimizer& optimizer, data::DataLoader& train,
            const FitOptions& options) {
  EMBER_CHECK(options.epochs >= 0, ValueError, "fit: epochs = ", options.epochs,
              " is invalid (expected >= 0)");
  EMBER_CHECK(options.initial_epoch >= 0 && options.initial_epoch <= options.epochs, ValueError,
              "fit: initial_epoch = ", options.initial_epoch, " is invalid (expected 0 to epochs = ",
              options.epochs, ")");
  EMBER_CHECK(options.resume_from.empty() || options.initial_epoch == 0, ValueError,
              "fit: give initial_epoch or resume_from, not both (resume_from sets the epoch)");
  EMBER_CHECK(train.size() > 0, ValueError, "fit: the training loader has no batches");
  std::ostream& out = options.out ? *options.out : std::cout;
  const bool interactive = is_terminal(out);
  const int64_t steps = train.size();
  const TrainingRun run{model, optimizer, &train, options.callbacks};

  History history;
  TrainingContext ctx{model,          optimizer,      history,
                      out,            options.verbose, options.epochs,
                      options.validation != nullptr, false, {}};
  ModeGuard mode(model);
  for (const auto& cb : options.callbacks) cb->on_train_begin(ctx);

  int64_t done = options.initial_epoch;
  if (!options.resume_from.empty()) {
    ResumePoint resumed = load_training_checkpoint(options.resume_from, run);
    EMBER_CHECK(resumed.epoch <= options.epochs, ValueError, "fit: '", options.resume_from,
                "' holds ", resumed.epoch, " epochs, more than epochs = ", options.epochs);
    done = resumed.epoch;
    history = std::move(resumed.history);
    if (options.verbose != Verbosity::Silent) {
      out << "Resuming from " << options.resume_from << " after epoch " << done << "\n";
      if (resumed.threads != get_num_threads())
        out << "  (it was written with " << resumed.threads << " threads, this run has "
            << get_num_threads() << ": the last bits of sums may differ)\n";
    }
  }

  for (int64_t epoch = done + 1; epoch <= options.epochs && !ctx.stop_training; ++epoch) {
    for (const auto& cb : options.callbacks) cb->on_epoch_begin(epoch, ctx);
    if (options.verbose != Verbosity::Silent)
      out << "Epoch " << epoch << "/" << options.epochs << "\n" << std::flush;
    ProgressBar bar(steps, out, options.verbose, interactive);
    const Clock::time_point start = Clock::now();
    EpochLogs logs;
    logs.epoch = epoch;
    logs.lr = optimizer.lr();

    model.train();
    double loss_sum = 0.0;
    int64_t correct = 0, seen = 0, step = 0;
    for (const data::Batch& batch : train) {
      ++step;
      const StepResult r = train_step(model, optimizer, batch.images, batch.labels, options.loss);
      if (!r.updated) {  // the loss is NaN or infinite
        if (options.verbose != Verbosity::Silent) out << "\n";
        const int64_t classes = r.output.dim() == 2 ? r.output.size(1) : 0;
        ctx.stop_reason = non_finite_message(r.loss_value, epoch, step, steps, classes);
        (options.verbose == Verbosity::Silent ? std::cerr : out) << ctx.stop_reason << std::flush;
        ctx.stop_training = true;
        break;
      }

      const int64_t n = batch.images.size(0);
      loss_sum += r.loss_value * static_cast<double>(n);
      correct += count_correct(r.output, batch.labels);
      seen += n;
      for (const auto& cb : options.callbacks) cb->on_batch_end(step, r.loss_value, ctx);
      bar.update(step, {{"loss", loss_sum / static_cast<double>(seen)},
                        {"accuracy", static_cast<double>(correct) / static_cast<double>(seen)}});
    }
    if (seen == 0 || step < steps) break;  // stopped inside the epoch: no row for it

    logs.loss = loss_sum / static_cast<double>(seen);
    logs.accuracy = static_cast<double>(correct) / static_cast<double>(seen);
    Metrics shown = {{"loss", logs.loss}, {"accuracy", logs.accuracy}};
    if (options.validation) {
      const EvalResult v = run_evaluation(model, *options.validation, options.loss, nullptr);
      logs.val_loss = v.loss;
      logs.val_accuracy = v.accuracy;
      shown.emplace_back("val_loss", v.loss);
      shown.emplace_back("val_accuracy", v.accuracy);
    }
    logs.seconds = seconds_since(start);
    bar.finish(shown);
    history.append(logs);
    for (const auto& cb : options.callbacks) cb->on_epoch_end(logs, ctx);
    // After the callbacks, so that their states include this epoch.
    if (!options.checkpoint.empty())
      save_training_checkpoint(options.checkpoint, run, epoch, history);
  }
  for (const auto& cb : options.callbacks) cb->on_train_end(ctx);
  history.stop_reason = ctx.stop_reason;
  return history;
}

History fit(nn::Module& model, optim::Optimizer& optimizer, const data::DatasetHandle& train,
            const FitOptions& options) {
  EMBER_CHECK(options.validation_split >= 0.0 && options.validation_split < 1.0, ValueError,
              "fit: validation_split = ", options.validation_split,
              " is invalid (expected 0 <= split < 1)");
  const data::Split split = data::tail_split(train->size(), options.validation_split);
  data::DataLoader train_loader(data::Subset(train, split.train), options.batch_size,
                                options.shuffle, options.seed);
  FitOptions with_loaders = options;
  std::unique_ptr<data::DataLoader> val_loader;
  if (!options.validation && !split.val.empty()) {
    const int64_t val_batch =
        options.validation_batch_size > 0 ? options.validation_batch_size : options.batch_size;
    val_loader = std::make_unique<data::DataLoader>(data::Subset(train, split.val), val_batch);
    with_loaders.validation = val_loader.get();
  }
  return fit(model, optimizer, train_loader, with_loaders);
}

EvalResult evaluate(nn::Module& model, data::DataLoader& loader, const EvaluateOptions& options) {
  std::ostream& out = options.out ? *options.out : std::cout;
  ProgressBar bar(loader.size(), out, options.verbose, is_terminal(out));
  const EvalResult r = run_evaluation(model, loader, options.loss, &bar);
  bar.finish({{"loss", r.loss}, {"accuracy", r.accuracy}});
  return r;
}

Tensor predict(nn::Module& model, data::DataLoader& loader) {
  ModeGuard mode(model);
  model.eval();
  NoGradGuard no_grad;
  std::vector<Tensor> outputs;
  for (const data::Batch& batch : loader) outputs.push_back(model.forward(batch.images));
  EMBER_CHECK(!outputs.empty(), ValueError, "predict: the loader has no batches");
  return cat(outputs, 0);
}

Tensor predict(nn::Module& model, const Tensor& images, int64_t batch_size) {
  EMBER_CHECK(batch_size > 0, ValueError, "predict: batch_size = ", batch_size,
              " is invalid (expected > 0)");
  EMBER_CHECK(images.dim() >= 1 && images.size(0) > 0, ShapeError,
              "predict: need a batch of images [N, ...], got ", images.shape());
  ModeGuard mode(model);
  model.eval();
  NoGradGuard no_grad;
  std::vector<Tensor> outputs;
  for (int64_t start = 0; start < images.size(0); start += batch_size) {
    const int64_t n = std::min(batch_size, images.size(0) - start);
    outputs.push_back(model.forward(views::narrow(images, 0, start, n)));
  }
  return cat(outputs, 0);
}

}  // namespace ember::train
