// Chapter 8: optimizers compared. One problem (an MLP on a Fashion-MNIST
// subset), the same starting weights for every optimizer, each at its Keras
// default learning rate; how big their steps are and why; then learning-rate
// schedules and ReduceLROnPlateau on one optimizer.
//
// What it prints, in order (the README beside this file explains each part):
//   1. problem: the data, the model, the starting loss and gradient size
//   2. first-step: one step of each optimizer from the same start, its size
//      against what its formula predicts
//   3. optimizers: each trained for --epochs from the same start: loss, accuracy
//      and step sizes; optimizers-loss.svg, one curve per optimizer
//   4. momentum: how much momentum multiplied SGD's steps, and what it bought
//   5. schedules: SGD with momentum under a constant rate, step decay,
//      exponential decay, Keras' decay and ReduceLROnPlateau; schedules-lr.svg
//      and schedules-loss.svg
//   6. report: results.md, results.csv (every optimizer's lr and final loss and
//      accuracy) and report.html (that table, the schedules' and the three charts)
//
//   build/tutorials/08-optimizers/08-optimizers            # the documented run, a few minutes
//   build/tutorials/08-optimizers/08-optimizers --quick    # the test's: seconds
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <iomanip>
#include <iostream>
#include <memory>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include "ember.hpp"
#include "harness/harness.hpp"

using namespace ember;

// ---- formatting --------------------------------------------------------------------------

using tutorial::fixed;       // "%.*f" as a string (harness.hpp)
using tutorial::scientific;  // "%.1e" as a string

// matplotlib's colours, one per curve.
const std::vector<std::string> kColors = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                          "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

// ---- 1. the problem: the data, the model, one starting point ------------------------------

struct Problem {
  data::DatasetHandle train;  // the first train_size images of Fashion-MNIST's training set
  data::DatasetHandle val;    // the first val_size images of its test set
  std::shared_ptr<nn::Sequential> model;
  nn::NamedTensors start;     // the starting weights: every run begins from these
  int64_t batch_size;
  int64_t epochs;
};

std::vector<int64_t> first(int64_t n) {
  std::vector<int64_t> v(static_cast<size_t>(n));
  std::iota(v.begin(), v.end(), int64_t{0});
  return v;
}

// x [N, 1, 28, 28] -> flatten [N, 784] -> dense 128, relu -> dense 10 (logits).
std::shared_ptr<nn::Sequential> mlp() {
  return std::make_shared<nn::Sequential>(std::initializer_list<std::shared_ptr<nn::Module>>{
      std::make_shared<nn::Flatten>(),
      std::make_shared<nn::Linear>(784, 128, nn::Activation::ReLU),
      std::make_shared<nn::Linear>(128, 10)});
}

// The root mean square of a list of tensors' elements: the "size" of a gradient or a step.
double rms(const std::vector<Tensor>& tensors) {
  double sum = 0.0;
  int64_t n = 0;
  for (const Tensor& t : tensors) {
    for (float v : t.to_vector()) sum += static_cast<double>(v) * v;
    n += t.numel();
  }
  return std::sqrt(sum / static_cast<double>(n));
}

Problem make_problem(const tutorial::Options& o) {
  const int64_t train_size = o.quick ? 640 : 10000, val_size = o.quick ? 320 : 2000;
  Problem p{data::Subset(data::FashionMNIST(o.data, true), first(train_size)),
            data::Subset(data::FashionMNIST(o.data, false), first(val_size)),
            mlp(), {}, o.batch_size, o.quick ? std::min<int64_t>(o.epochs, 2) : o.epochs};
  // A saved state_dict (deep copies): the weights every optimizer starts from.
  for (const auto& [name, t] : p.model->state_dict()) p.start.emplace_back(name, t.detach().clone());

  std::cout << "== problem: " << train_size << " training images, " << val_size
            << " validation images (Fashion-MNIST), batch " << p.batch_size << ", " << p.epochs
            << " epochs ==\n"
            << "model: 784 -> dense 128 (relu) -> dense 10, " << p.model->num_parameters()
            << " parameters, glorot_uniform, seed " << o.seed << "\n";
  // The loss and the gradient at the start, on the first batch.
  data::DataLoader loader(p.train, p.batch_size);
  const data::Batch batch = *loader.begin();
  const Tensor loss = cross_entropy(p.model->forward(batch.images), batch.labels);
  loss.backward();
  std::vector<Tensor> grads;
  int64_t zeros = 0, total = 0;  // elements whose gradient is exactly 0
  for (const Tensor& w : p.model->parameters()) {
    grads.push_back(w.grad());
    for (float g : w.grad().to_vector()) zeros += g == 0.0f;
    total += w.numel();
  }
  std::cout << "starting loss " << fixed(loss.item(), 4) << " (ln 10 = 2.3026: a guess)"
            << "; gradient RMS " << scientific(rms(grads)) << " per weight, "
            << fixed(100.0 * static_cast<double>(zeros) / static_cast<double>(total), 1)
            << "% of them exactly 0\n\n";
  p.model->zero_grad();
  return p;
}

// ---- 2. the first step: its size, measured and by the formula ------------------------------

// The eight optimizers, each at its Keras default learning rate
// (docs/experiments.md); momentum 0.9 where there is momentum.
struct Contender {
  std::string name;
  float lr;
  std::function<std::unique_ptr<optim::Optimizer>(std::vector<Tensor>)> make;
  std::string first_step;  // what its formula gives at t = 1, per element, for a gradient g
};

std::vector<Contender> contenders() {
  using P = std::vector<Tensor>;
  return {
      {"SGD", 0.01f, [](P p) { return std::make_unique<optim::SGD>(p, optim::SGDOptions{}); },
       "lr * g"},
      {"SGD momentum", 0.01f,
       [](P p) { return std::make_unique<optim::SGD>(p, optim::SGDOptions{.momentum = 0.9f}); },
       "lr * g (the velocity starts at 0)"},
      {"Nesterov", 0.01f,
       [](P p) {
         return std::make_unique<optim::SGD>(p,
                                             optim::SGDOptions{.momentum = 0.9f, .nesterov = true});
       },
       "1.9 * lr * g (momentum * v - lr * g)"},
      {"Adam", 0.001f, [](P p) { return std::make_unique<optim::Adam>(p); },
       "lr * m / sqrt(v) = lr * sign(g)"},
      {"RMSprop", 0.001f, [](P p) { return std::make_unique<optim::RMSprop>(p); },
       "lr * g / sqrt(0.1 g^2) = 3.16 * lr * sign(g)"},
      {"Adagrad", 0.001f, [](P p) { return std::make_unique<optim::Adagrad>(p); },
       "lr * g / sqrt(0.1 + g^2) = 3.16 * lr * g (g small)"},
      {"Adadelta", 0.001f, [](P p) { return std::make_unique<optim::Adadelta>(p); },
       "lr * sqrt(eps) / sqrt(0.05 g^2 + eps) * g < lr * g"},
      {"Adamax", 0.001f, [](P p) { return std::make_unique<optim::Adamax>(p); },
       "lr * m / u = lr * sign(g)"},
  };
}

void first_steps(Problem& p) {
  std::cout << "== first-step: one step from the same start, on the first batch ==\n"
            << std::left << std::setw(14) << "optimizer" << std::setw(8) << "lr"
            << std::setw(12) << "step RMS" << "the formula's first step, per element\n";
  data::DataLoader loader(p.train, p.batch_size);
  const data::Batch batch = *loader.begin();
  for (const Contender& c : contenders()) {
    p.model->load_state_dict(p.start);
    std::unique_ptr<optim::Optimizer> opt = c.make(p.model->parameters());
    train::train_step(*p.model, *opt, batch.images, batch.labels);
    NoGradGuard no_grad;
    std::vector<Tensor> steps;  // weights after - weights before
    const nn::NamedTensors after = p.model->state_dict();
    for (size_t i = 0; i < p.start.size(); ++i) steps.push_back(after[i].second - p.start[i].second);
    std::cout << std::setw(14) << c.name << std::setw(8) << c.lr << std::setw(12)
              << scientific(rms(steps)) << c.first_step << "\n";
  }
  std::cout << std::right << "\n";
}

// ---- 3. every optimizer trained from the same start --------------------------------------

// A callback that measures each update, weights after minus weights before:
// per epoch, the mean RMS of a step (its size per weight), the path length
// (the sum of the steps' lengths) and the net displacement (the length of
// the epoch's last weights minus its first); and the training loss averaged
// over every `window` steps, for a finer curve than one point per epoch.
class StepMeter : public train::Callback {
 public:
  explicit StepMeter(int64_t window) : window_(window) {}
  std::vector<double> step_rms, path, net;  // per epoch
  std::vector<double> window_loss;           // per window of steps

  void on_epoch_begin(int64_t, train::TrainingContext& ctx) override {
    before_.clear();
    for (const Tensor& w : ctx.model.parameters()) before_.push_back(w.to_vector());
    epoch_start_ = before_;
    rms_sum_ = path_ = 0.0;
    steps_ = 0;
  }
  void on_batch_end(int64_t, double loss, train::TrainingContext& ctx) override {
    const double square = squared_distance(ctx, before_, /*update=*/true);
    rms_sum_ += std::sqrt(square / static_cast<double>(numel_));
    path_ += std::sqrt(square);
    ++steps_;
    loss_sum_ += loss;
    if (++in_window_ == window_) {
      window_loss.push_back(loss_sum_ / static_cast<double>(window_));
      loss_sum_ = 0.0, in_window_ = 0;
    }
  }
  void on_epoch_end(const train::EpochLogs&, train::TrainingContext& ctx) override {
    step_rms.push_back(rms_sum_ / static_cast<double>(steps_));
    path.push_back(path_);
    net.push_back(std::sqrt(squared_distance(ctx, epoch_start_, /*update=*/false)));
  }

 private:
  // |weights now - from|^2 over every parameter; with update, from = now after.
  double squared_distance(train::TrainingContext& ctx, std::vector<std::vector<float>>& from,
                          bool update) {
    double square = 0.0;
    numel_ = 0;
    const std::vector<Tensor> params = ctx.model.parameters();
    for (size_t i = 0; i < params.size(); ++i) {
      const float* now = params[i].data();
      for (size_t k = 0; k < from[i].size(); ++k) {
        const double d = static_cast<double>(now[k]) - from[i][k];
        square += d * d;
        if (update) from[i][k] = now[k];
      }
      numel_ += params[i].numel();
    }
    return square;
  }
  int64_t window_, numel_ = 0;
  std::vector<std::vector<float>> before_, epoch_start_;
  double rms_sum_ = 0.0, path_ = 0.0, loss_sum_ = 0.0;
  int64_t steps_ = 0, in_window_ = 0;
};

struct Result {
  std::string name;
  float lr;
  train::History history;
  std::vector<double> step_rms, path, net, window_loss;
};

// Trains the model from p.start with `opt` (same data order every time:
// the loader's seed is fixed), with the extra callbacks.
Result train_from_start(Problem& p, const std::string& name, optim::Optimizer& opt,
                        std::vector<std::shared_ptr<train::Callback>> callbacks = {}) {
  p.model->load_state_dict(p.start);
  data::DataLoader train(p.train, p.batch_size, /*shuffle=*/true, /*seed=*/42);
  data::DataLoader val(p.val, 500);
  const int64_t window = std::max<int64_t>(1, train.size() / 5);
  auto meter = std::make_shared<StepMeter>(window);
  callbacks.push_back(meter);
  train::History h = train::fit(*p.model, opt, train,
                                {.epochs = p.epochs, .validation = &val, .callbacks = callbacks,
                                 .verbose = train::Verbosity::Silent});
  return {name, opt.lr(), h, meter->step_rms, meter->path, meter->net, meter->window_loss};
}

void print_header() {
  std::cout << std::left << std::setw(14) << "optimizer" << std::setw(8) << "lr" << std::right
            << std::setw(12) << "loss ep. 1" << std::setw(12) << "loss last" << std::setw(10)
            << "val acc" << std::setw(14) << "step ep. 1" << std::setw(14) << "step last"
            << std::setw(12) << "vs Adam" << "\n";
}

// One row: the losses, the accuracy, a step's mean RMS in the first and the
// last epoch, and the first against Adam's.
void print_row(const Result& r, double adam_step) {
  const train::History& h = r.history;
  std::cout << std::left << std::setw(14) << r.name << std::setw(8) << r.lr << std::right
            << std::setw(12) << fixed(h.loss.front(), 4) << std::setw(12)
            << fixed(h.loss.back(), 4) << std::setw(10) << fixed(h.val_accuracy.back(), 4)
            << std::setw(14) << scientific(r.step_rms.front()) << std::setw(14)
            << scientific(r.step_rms.back()) << std::setw(12)
            << fixed(r.step_rms.front() / adam_step, 4) << "\n";
}

std::string csv_row(const Result& r) {
  const train::History& h = r.history;
  std::ostringstream row;
  row << r.name << "," << r.lr << "," << h.loss.front() << "," << h.loss.back() << ","
      << h.val_accuracy.back() << "," << r.step_rms.front() << "," << r.step_rms.back() << "\n";
  return row.str();
}

struct Comparison {
  std::vector<Result> defaults;     // the eight, at Keras' default rates (contenders())
  std::vector<Result> other_rates;  // Adagrad and Adadelta at larger rates
  std::string loss_chart;           // optimizers-loss.svg
};

Comparison compare_optimizers(Problem& p, tutorial::Run& run) {
  std::cout << "== optimizers: each from the same start, Keras' default lr ==\n";
  print_header();
  Comparison c;
  for (const Contender& k : contenders()) {
    std::unique_ptr<optim::Optimizer> opt = k.make(p.model->parameters());
    c.defaults.push_back(train_from_start(p, k.name, *opt));
  }
  const double adam_step = c.defaults[3].step_rms[0];
  for (const Result& r : c.defaults) print_row(r, adam_step);

  // The two that crawl, at the rates of PyTorch (Adagrad) and of Adadelta's
  // paper and Keras 2.3 (Adadelta): the same formulas, larger steps.
  std::cout << "\n== rates: the two slow ones at larger rates ==\n";
  print_header();
  optim::Adagrad adagrad(p.model->parameters(), {.lr = 0.01f});
  c.other_rates.push_back(train_from_start(p, "Adagrad", adagrad));
  optim::Adadelta adadelta(p.model->parameters(), {.lr = 1.0f});
  c.other_rates.push_back(train_from_start(p, "Adadelta", adadelta));
  for (const Result& r : c.other_rates) print_row(r, adam_step);

  std::string csv =
      "optimizer,lr,loss_epoch_1,loss_last,val_accuracy,step_rms_epoch_1,step_rms_last\n";
  for (const Result& r : c.defaults) csv += csv_row(r);
  for (const Result& r : c.other_rates) csv += csv_row(r);
  write_file_atomically(run.file("optimizers.csv"), csv);

  std::vector<train::Series> curves;
  for (size_t i = 0; i < c.defaults.size(); ++i)
    curves.push_back({c.defaults[i].name, c.defaults[i].window_loss, kColors[i]});
  const int64_t per_epoch = static_cast<int64_t>(curves[0].values.size()) / p.epochs;
  c.loss_chart =
      train::line_chart_svg(curves, {.title = "Training loss, same start, Keras' default rates",
                                     .x_label = "training progress (" + std::to_string(per_epoch) +
                                                " points per epoch)",
                                     .y_label = "cross-entropy (mean over the window)",
                                     .width = 720,
                                     .height = 460});
  write_file_atomically(run.file("optimizers-loss.svg"), c.loss_chart);
  std::cout << "\n";
  return c;
}

// ---- 4. what momentum buys ---------------------------------------------------------------

void momentum(const std::vector<Result>& r) {
  const Result &sgd = r[0], &mom = r[1];
  std::cout << "== momentum: SGD with and without momentum 0.9, lr 0.01, epoch 1 ==\n"
            << std::left << std::setw(14) << "optimizer" << std::right << std::setw(12)
            << "mean step" << std::setw(10) << "path" << std::setw(10) << "net"
            << std::setw(12) << "net/path" << std::setw(12) << "loss ep. 1" << "\n";
  for (const Result* x : {&r[0], &r[1], &r[2]})
    std::cout << std::left << std::setw(14) << x->name << std::right << std::setw(12)
              << scientific(x->step_rms[0]) << std::setw(10) << fixed(x->path[0], 3)
              << std::setw(10) << fixed(x->net[0], 3) << std::setw(12)
              << fixed(x->net[0] / x->path[0], 3) << std::setw(12)
              << fixed(x->history.loss[0], 4) << "\n";
  std::cout << "momentum: steps " << fixed(mom.step_rms[0] / sgd.step_rms[0], 2)
            << "x longer, net move " << fixed(mom.net[0] / sgd.net[0], 2)
            << "x longer (1/(1 - 0.9) = 10x for gradients that all agree, "
            << fixed(1.0 / std::sqrt(1.0 - 0.81), 2) << "x for unrelated ones)\n";
  // How many epochs plain SGD needs to reach momentum's epoch-1 loss.
  const auto reached = std::find_if(sgd.history.loss.begin(), sgd.history.loss.end(),
                                    [&](double l) { return l <= mom.history.loss[0]; });
  if (reached == sgd.history.loss.end())
    std::cout << "plain SGD never got down to momentum's epoch-1 loss in "
              << sgd.history.epochs() << " epochs\n\n";
  else
    std::cout << "plain SGD got down to momentum's epoch-1 loss in epoch "
              << (reached - sgd.history.loss.begin()) + 1 << "\n\n";
}

// ---- 5. learning-rate schedules --------------------------------------------------------------

// Records the rate the next step will use at the start of every epoch
// (effective_lr: with Keras' decay it keeps falling inside the epoch too).
class LrRecorder : public train::Callback {
 public:
  std::vector<double> lrs;
  void on_epoch_begin(int64_t, train::TrainingContext& ctx) override {
    lrs.push_back(ctx.optimizer.effective_lr());
  }
};

// What the schedules section made, for the report: its table and two charts.
struct Schedules {
  train::ResultsTable table{
      {"schedule", {"lr last", -1}, "loss last", "val loss", "val accuracy"}};
  std::string lr_chart, loss_chart;  // schedules-lr.svg, schedules-loss.svg
};

Schedules schedules(Problem& p, tutorial::Run& run) {
  Schedules made;
  const float lr = 0.05f;  // five times Keras' default: fast at first, noisy later
  std::cout << "== schedules: SGD, momentum 0.9, lr " << lr << ", five ways to lower it ==\n"
            << std::left << std::setw(22) << "schedule" << std::right << std::setw(12)
            << "lr last" << std::setw(12) << "loss last" << std::setw(12) << "val loss"
            << std::setw(10) << "val acc" << "\n";
  struct Schedule {
    std::string name;
    float decay;  // Keras' SGD decay, per step
    std::function<std::shared_ptr<train::Callback>(optim::Optimizer&)> callback;
  };
  const std::vector<Schedule> list = {
      {"constant", 0.0f, nullptr},
      {"step decay", 0.0f,
       [](optim::Optimizer& opt) {  // halve every 3 epochs
         return std::make_shared<train::LearningRateScheduler>(std::make_shared<optim::StepDecay>(
             opt, optim::StepDecayOptions{.step_size = 3, .gamma = 0.5f}));
       }},
      {"exponential decay", 0.0f,
       [](optim::Optimizer& opt) {  // x 0.8 every epoch
         return std::make_shared<train::LearningRateScheduler>(
             std::make_shared<optim::ExponentialDecay>(
                 opt, optim::ExponentialDecayOptions{.decay_rate = 0.8f}));
       }},
      {"Keras decay", 1e-3f, nullptr},  // lr / (1 + 1e-3 * steps taken)
      {"ReduceLROnPlateau", 0.0f,
       [](optim::Optimizer&) {  // halve when val_loss has not improved for 1 epoch
         return std::make_shared<train::ReduceLROnPlateau>(
             train::ReduceLROnPlateauCallbackOptions{.factor = 0.5f, .patience = 1});
       }},
  };
  std::vector<train::Series> lr_curves, loss_curves;
  std::string csv = "schedule,lr_last,loss_last,val_loss_last,val_accuracy_last\n";
  for (size_t i = 0; i < list.size(); ++i) {
    const Schedule& s = list[i];
    optim::SGD opt(p.model->parameters(), {.lr = lr, .momentum = 0.9f, .decay = s.decay});
    auto recorder = std::make_shared<LrRecorder>();
    std::vector<std::shared_ptr<train::Callback>> callbacks = {recorder};
    if (s.callback) callbacks = {recorder, s.callback(opt)};
    const train::History h = train_from_start(p, s.name, opt, callbacks).history;
    std::cout << std::left << std::setw(22) << s.name << std::right << std::setw(12)
              << scientific(recorder->lrs.back()) << std::setw(12) << fixed(h.loss.back(), 4)
              << std::setw(12) << fixed(h.val_loss.back(), 4) << std::setw(10)
              << fixed(h.val_accuracy.back(), 4) << "\n";
    std::ostringstream row;
    row << s.name << "," << recorder->lrs.back() << "," << h.loss.back() << ","
        << h.val_loss.back() << "," << h.val_accuracy.back() << "\n";
    csv += row.str();
    made.table.add_row({s.name, static_cast<double>(recorder->lrs.back()), h.loss.back(),
                        h.val_loss.back(), h.val_accuracy.back()});
    lr_curves.push_back({s.name, recorder->lrs, kColors[i]});
    loss_curves.push_back({s.name, h.val_loss, kColors[i]});
  }
  write_file_atomically(run.file("schedules.csv"), csv);
  made.lr_chart = train::line_chart_svg(
      lr_curves, {.title = "Learning rate at the start of each epoch", .y_label = "learning rate"});
  made.loss_chart =
      train::line_chart_svg(loss_curves, {.title = "Validation loss under each schedule",
                                          .y_label = "validation cross-entropy"});
  write_file_atomically(run.file("schedules-lr.svg"), made.lr_chart);
  write_file_atomically(run.file("schedules-loss.svg"), made.loss_chart);
  return made;
}

// ---- 6. the report -------------------------------------------------------------------------

// results.md, results.csv: every optimizer run, its lr and what it ended
// with; report.html: that table, the schedules' and the three charts.
void report(tutorial::Run& run, const Problem& p, const Comparison& c, const Schedules& s) {
  train::ResultsTable results({"optimizer", {"lr", -1}, "loss epoch 1", "loss last",
                               "val accuracy"});
  for (const auto* runs : {&c.defaults, &c.other_rates})
    for (const Result& r : *runs)
      results.add_row({r.name, static_cast<double>(r.lr), r.history.loss.front(),
                       r.history.loss.back(), r.history.val_accuracy.back()});
  run.write_results(results);
  train::Report page("Chapter 8: optimizers compared");
  page.paragraph("One MLP on " + std::to_string(p.train->size()) + " Fashion-MNIST images (" +
                 std::to_string(p.val->size()) + " for validation), batch " +
                 std::to_string(p.batch_size) + ", " + std::to_string(p.epochs) +
                 " epoch(s), trained from the same starting weights on the same batches by eight "
                 "optimizers at Keras' default learning rates, then Adagrad and Adadelta again at "
                 "larger rates (the last two rows): at their defaults they take steps far smaller "
                 "than Adam's and crawl. Then SGD with momentum under five ways of lowering its "
                 "rate.")
      .table(results, "every optimizer from the same start")
      .chart(c.loss_chart)
      .table(s.table, "SGD, momentum 0.9, lr 0.05, under each schedule")
      .chart(s.lr_chart)
      .chart(s.loss_chart);
  run.write_report(page);
}

// ---- the chapter ---------------------------------------------------------------------------

void chapter(tutorial::Run& run) {
  Problem p = make_problem(run.options);
  first_steps(p);
  const Comparison results = compare_optimizers(p, run);
  momentum(results.defaults);
  const Schedules made = schedules(p, run);
  report(run, p, results, made);
}

int main(int argc, char** argv) {
  tutorial::Options options{.epochs = 10, .output = "08-optimizers-output", .threads = 2};
  CLI::App app{"Chapter 8: optimizers compared, learning-rate schedules, ReduceLROnPlateau"};
  return tutorial::run(app, options, argc, argv, chapter);
}
