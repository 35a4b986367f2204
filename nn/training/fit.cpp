// fit.cpp — the training loop, evaluation and prediction.
#include "fit.hpp"

#include <chrono>
#include <cmath>
#include <iostream>
#include <numeric>
#include <sstream>

#include "../../autograd/functions.hpp"
#include "../../autograd/grad_mode.hpp"
#include "../../data/subset.hpp"
#include "../../tensor/kernels.hpp"
#include "../../tensor/views.hpp"  // kernels::narrow (views.hpp: transitional)

namespace ember::nn {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

LossFunction loss_or_default(const LossFunction& loss) {
  if (loss) return loss;
  return [](const Tensor& output, const Tensor& targets) { return cross_entropy(output, targets); };
}

// The loss a step minimizes: the data term plus the model's kernel
// regularizers (Keras adds them to the reported loss too).
Tensor total_loss(Module& model, const LossFunction& loss_fn, const Tensor& output,
                  const Tensor& targets) {
  Tensor loss = loss_fn(output, targets);
  Tensor reg = model.regularization_loss();
  return reg.defined() ? loss + reg : loss;
}

// Restores a module's train/eval mode when the scope ends (also on a throw).
class ModeGuard {
 public:
  explicit ModeGuard(Module& m) : model_(m), was_training_(m.is_training()) {}
  ~ModeGuard() { model_.train(was_training_); }
  ModeGuard(const ModeGuard&) = delete;
  ModeGuard& operator=(const ModeGuard&) = delete;

 private:
  Module& model_;
  bool was_training_;
};

std::string non_finite_message(double loss, int64_t epoch, int64_t step, int64_t steps,
                               int64_t classes) {
  std::ostringstream m;
  m << "fit: the loss became " << loss << " at epoch " << epoch << ", step " << step << "/"
    << steps << "; training stopped.\n"
    << "  Usual causes: a learning rate too high for the optimizer (experiment 000's Adam(0.01)\n"
    << "  collapsed; try 10x smaller), weights initialized too large for the activations\n"
    << "  (check the initializer), or inputs that are not scaled (pixels should be /255).\n";
  if (classes > 1)
    m << "  The same failure seen later: accuracy stuck at 1/" << classes << " ("
      << 100.0 / static_cast<double>(classes) << "%) with the loss at ln(" << classes
      << ") = " << std::log(static_cast<double>(classes))
      << " means the outputs no longer depend on the input (experiment 003, model 6).\n";
  return m.str();
}

EvalResult run_evaluation(Module& model, data::DataLoader& loader, const LossFunction& loss_fn,
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
    loss_sum += static_cast<double>(total_loss(model, loss_fn, output, batch.labels).item()) *
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

History fit(Module& model, optim::Optimizer& optimizer, data::DataLoader& train,
            const FitOptions& options) {
  EMBER_CHECK(options.epochs >= 0, ValueError, "fit: epochs = ", options.epochs,
              " is invalid (expected >= 0)");
  EMBER_CHECK(train.size() > 0, ValueError, "fit: the training loader has no batches");
  std::ostream& out = options.out ? *options.out : std::cout;
  const bool interactive = is_terminal(out);
  const LossFunction loss_fn = loss_or_default(options.loss);
  const int64_t steps = train.size();

  History history;
  TrainingContext ctx{model,          optimizer,      history,
                      out,            options.verbose, options.epochs,
                      options.validation != nullptr, false, {}};
  ModeGuard mode(model);
  for (const auto& cb : options.callbacks) cb->on_train_begin(ctx);

  for (int64_t epoch = 1; epoch <= options.epochs && !ctx.stop_training; ++epoch) {
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
      const Tensor output = model.forward(batch.images);
      const Tensor loss = total_loss(model, loss_fn, output, batch.labels);
      const double value = loss.item();
      if (!std::isfinite(value)) {
        if (options.verbose != Verbosity::Silent) out << "\n";
        const int64_t classes = output.dim() == 2 ? output.size(1) : 0;
        ctx.stop_reason = non_finite_message(value, epoch, step, steps, classes);
        (options.verbose == Verbosity::Silent ? std::cerr : out) << ctx.stop_reason << std::flush;
        ctx.stop_training = true;
        break;
      }
      optimizer.zero_grad();
      loss.backward();
      optimizer.step();

      const int64_t n = batch.images.size(0);
      loss_sum += value * static_cast<double>(n);
      correct += count_correct(output, batch.labels);
      seen += n;
      for (const auto& cb : options.callbacks) cb->on_batch_end(step, value, ctx);
      bar.update(step, {{"loss", loss_sum / static_cast<double>(seen)},
                        {"accuracy", static_cast<double>(correct) / static_cast<double>(seen)}});
    }
    if (seen == 0 || step < steps) break;  // stopped inside the epoch: no row for it

    logs.loss = loss_sum / static_cast<double>(seen);
    logs.accuracy = static_cast<double>(correct) / static_cast<double>(seen);
    Metrics shown = {{"loss", logs.loss}, {"accuracy", logs.accuracy}};
    if (options.validation) {
      const EvalResult v = run_evaluation(model, *options.validation, loss_fn, nullptr);
      logs.val_loss = v.loss;
      logs.val_accuracy = v.accuracy;
      shown.emplace_back("val_loss", v.loss);
      shown.emplace_back("val_accuracy", v.accuracy);
    }
    logs.seconds = seconds_since(start);
    bar.finish(shown);
    history.append(logs);
    for (const auto& cb : options.callbacks) cb->on_epoch_end(logs, ctx);
  }
  for (const auto& cb : options.callbacks) cb->on_train_end(ctx);
  history.stop_reason = ctx.stop_reason;
  return history;
}

History fit(Module& model, optim::Optimizer& optimizer, const data::DatasetHandle& train,
            const FitOptions& options) {
  EMBER_CHECK(options.validation_split >= 0.0 && options.validation_split < 1.0, ValueError,
              "fit: validation_split = ", options.validation_split,
              " is invalid (expected 0 <= split < 1)");
  const int64_t n = train->size();
  // Keras: split_at = int(n * (1 - validation_split)); the tail validates.
  const auto split_at =
      static_cast<int64_t>(static_cast<double>(n) * (1.0 - options.validation_split));
  std::vector<int64_t> head(static_cast<size_t>(split_at)), tail(static_cast<size_t>(n - split_at));
  std::iota(head.begin(), head.end(), int64_t{0});
  std::iota(tail.begin(), tail.end(), split_at);

  data::DataLoader train_loader(data::Subset(train, head), options.batch_size, options.shuffle,
                                options.seed);
  FitOptions with_loaders = options;
  std::unique_ptr<data::DataLoader> val_loader;
  if (!options.validation && !tail.empty()) {
    val_loader = std::make_unique<data::DataLoader>(data::Subset(train, tail), options.batch_size);
    with_loaders.validation = val_loader.get();
  }
  return fit(model, optimizer, train_loader, with_loaders);
}

EvalResult evaluate(Module& model, data::DataLoader& loader, const EvaluateOptions& options) {
  std::ostream& out = options.out ? *options.out : std::cout;
  ProgressBar bar(loader.size(), out, options.verbose, is_terminal(out));
  const EvalResult r = run_evaluation(model, loader, loss_or_default(options.loss), &bar);
  bar.finish({{"loss", r.loss}, {"accuracy", r.accuracy}});
  return r;
}

Tensor predict(Module& model, data::DataLoader& loader) {
  ModeGuard mode(model);
  model.eval();
  NoGradGuard no_grad;
  std::vector<Tensor> outputs;
  for (const data::Batch& batch : loader) outputs.push_back(model.forward(batch.images));
  EMBER_CHECK(!outputs.empty(), ValueError, "predict: the loader has no batches");
  return kernels::cat(outputs, 0);
}

Tensor predict(Module& model, const Tensor& images, int64_t batch_size) {
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
    outputs.push_back(model.forward(kernels::narrow(images, 0, start, n)));
  }
  return kernels::cat(outputs, 0);
}

}  // namespace ember::nn
