// quickstart — train experiment 004's CNN on Fashion-MNIST, end to end.
//
// Reads top to bottom: options, data, model, optimizer, training, test,
// files, report. The README next to this file walks through it and shows
// the output. The command line and the output folder are the tutorial
// harness's (tutorials/harness: --epochs, --batch-size, --data, --output,
// --threads, --seed, --quick, --overwrite), plus the quickstart's own options.
//
//   build/tutorials/quickstart/quickstart                       # the defaults
//   build/tutorials/quickstart/quickstart --model cnn7 --epochs 3 --output run2
//
// The last line printed is always "test accuracy: 0.XXXX" so scripts can
// read the result with `tail -n 1`.

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <memory>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

#include "ember.hpp"
#include "harness/harness.hpp"

using namespace ember;

// ---- options ------------------------------------------------------------------

// Keras' validation_split=0.1: the last 10% of the training images validate.
constexpr double kValidationSplit = 0.1;
// --quick: this many training and test images (unless --limit), one epoch
// (unless --epochs): what the test suite runs.
constexpr int64_t kQuickLimit = 1000;
// The report shows the model's predictions on this many test images.
constexpr int64_t kShownPredictions = 32;

// The quickstart's own options; the harness holds the common ones.
struct QuickstartOptions {
  std::string model = "cnn1";
  std::string optimizer = "auto";  // the experiment's: Adam for cnn1, SGD for cnn7
  float lr = 0.0f;                 // 0: the optimizer's Keras default
  int64_t limit = 0;               // 0: all 60,000 training images
  int64_t profile = 0;             // > 0: profile that many steps instead of training
};

// ---- the optimizer ------------------------------------------------------------
// Experiment 004 trained CNN model 1 with Adam (Keras defaults) and model 7
// with SGD(lr=0.01, decay=1e-6, momentum=0.9, nesterov=True).
std::unique_ptr<optim::Optimizer> make_optimizer(const QuickstartOptions& o,
                                                 std::vector<Tensor> params) {
  std::string name = o.optimizer;
  if (name == "auto") name = o.model == "cnn7" ? "sgd" : "adam";
  auto lr = [&](float keras_default) { return o.lr > 0.0f ? o.lr : keras_default; };
  if (name == "adam") return std::make_unique<optim::Adam>(params, optim::AdamOptions{.lr = lr(0.001f)});
  if (name == "sgd")
    return std::make_unique<optim::SGD>(
        params, optim::SGDOptions{.lr = lr(0.01f), .momentum = 0.9f, .nesterov = true, .decay = 1e-6f});
  if (name == "rmsprop")
    return std::make_unique<optim::RMSprop>(params, optim::RMSpropOptions{.lr = lr(0.001f)});
  if (name == "adamax")
    return std::make_unique<optim::Adamax>(params, optim::AdamaxOptions{.lr = lr(0.001f)});
  if (name == "adagrad")
    return std::make_unique<optim::Adagrad>(params, optim::AdagradOptions{.lr = lr(0.001f)});
  if (name == "adadelta")
    return std::make_unique<optim::Adadelta>(params, optim::AdadeltaOptions{.lr = lr(0.001f)});
  throw ValueError("unknown optimizer '" + name + "'");
}

// The first n examples of a dataset (n = 0 or n >= size: all of them).
data::DatasetHandle first(data::DatasetHandle dataset, int64_t n) {
  if (n <= 0 || n >= dataset->size()) return dataset;
  std::vector<int64_t> indices(static_cast<size_t>(n));
  std::iota(indices.begin(), indices.end(), int64_t{0});
  return data::Subset(dataset, indices);
}

// ---- the report's tables ----------------------------------------------------------

// One row per epoch, as history.csv has them.
train::ResultsTable epoch_table(const train::History& h) {
  train::ResultsTable t({{"epoch", 0}, "loss", "accuracy", "val_loss", "val_accuracy",
                         {"seconds", 1}});
  for (size_t e = 0; e < h.loss.size(); ++e) {
    auto at = [e](const std::vector<double>& v) {
      return e < v.size() ? std::optional<double>(v[e]) : std::nullopt;
    };
    t.add_row({e + 1, h.loss[e], h.accuracy[e], at(h.val_loss), at(h.val_accuracy), h.seconds[e]});
  }
  return t;
}

void quickstart(tutorial::Run& run, const QuickstartOptions& own, int64_t epochs) {
  const tutorial::Options& o = run.options;
  const int64_t limit = o.quick && own.limit == 0 ? kQuickLimit : own.limit;
  // ember runs one thread pool (tensor/runtime/parallel.hpp) and keeps OpenBLAS at
  // one thread inside it: setting OpenBLAS' threads here as well would make
  // the two fight (and OpenBLAS called from several pool threads deadlocks).
  // The harness set the pool's size from --threads.
  const BlasInfo blas = blas_info();
  std::cout << "ember quickstart: experiment 004 " << own.model << " on Fashion-MNIST (10 classes)\n"
            << blas.summary() << "; ember pool: " << get_num_threads() << " thread(s)\n";
  if (!blas.warning.empty()) std::cerr << blas.warning << "\n";

  // ---- data: 60,000 training and 10,000 test images [1, 28, 28] in [0, 1] ----
  data::DatasetHandle train_set = first(data::FashionMNIST(o.data, true), limit);
  data::DatasetHandle test_set = first(data::FashionMNIST(o.data, false), limit);
  const std::vector<std::string> classes = train_set->classes();
  // Keras' validation_split: fit() holds out the last 10% of the training
  // images (they choose the best checkpoint) by data::tail_split, the rule
  // used here to count them; the test set is only looked at once.
  const data::Split split = data::tail_split(train_set->size(), kValidationSplit);
  data::DataLoader test(test_set, 256);
  std::cout << "data: " << split.train.size() << " training, " << split.val.size()
            << " validation, " << test_set->size() << " test images from " << o.data << "\n\n";

  // ---- model ------------------------------------------------------------------
  manual_seed(o.seed);  // the initial weights and dropout masks
  std::shared_ptr<nn::Sequential> model = own.model == "cnn7" ? nn::zoo::cnn_4conv_bn(10)
                                                              : nn::zoo::cnn_4conv(10);
  const std::string summary = nn::summary(*model, {1, 28, 28});
  std::cout << summary;

  // ---- training -----------------------------------------------------------------
  std::unique_ptr<optim::Optimizer> optimizer = make_optimizer(own, model->parameters());
  if (own.profile > 0) {  // where a step's time goes, layer by layer (docs/performance.md)
    data::DataLoader batches(data::Subset(train_set, split.train), o.batch_size,
                             /*shuffle=*/true, o.seed);
    train::profile(*model, {o.batch_size, 1, 28, 28}, own.profile,
                   {.optimizer = optimizer.get(), .loader = &batches});
    return;
  }
  std::cout << "\noptimizer: " << optimizer->name() << ", lr " << optimizer->lr() << ", batch "
            << o.batch_size << ", " << epochs << " epoch(s)\n";
  // CSVLogger writes history.csv after every epoch, so an interrupted run
  // keeps its log.
  train::FitOptions fit_options{
      .epochs = epochs,
      .callbacks = {std::make_shared<train::ModelCheckpoint>(
                        run.file("best.safetensors"),
                        train::ModelCheckpointOptions{.monitor = "val_accuracy"}),
                    std::make_shared<train::CSVLogger>(run.file("history.csv"))},
      .batch_size = o.batch_size,
      .validation_batch_size = 256,
      .validation_split = kValidationSplit,
      .shuffle = true,
      .seed = o.seed};
  const train::History history = train::fit(*model, *optimizer, train_set, fit_options);

  // ---- files: the last weights, the charts ---------------------------------------
  nn::save(*model, run.file("model.safetensors"));
  const std::string loss_chart = train::history_chart_svg(history, "loss");
  const std::string accuracy_chart = train::history_chart_svg(history, "accuracy");
  write_file_atomically(run.file("loss.svg"), loss_chart);
  write_file_atomically(run.file("accuracy.svg"), accuracy_chart);

  // ---- test -----------------------------------------------------------------------
  const train::EvalResult result = train::evaluate(*model, test);
  std::printf("\ntest loss: %.4f\n", result.loss);
  run.set_last_line([&] {
    char line[64];
    std::snprintf(line, sizeof line, "test accuracy: %.4f", result.accuracy);
    return std::string(line);
  }());

  // ---- results: a table, and the report a reader opens in a browser ---------------
  double best_val = 0.0, seconds = 0.0;
  for (double v : history.val_accuracy) best_val = std::max(best_val, v);
  for (double s : history.seconds) seconds += s;
  train::ResultsTable results({"what", {"value", 4}});
  results.add_row({"model", own.model});
  results.add_row({"optimizer", optimizer->name()});
  results.add_row({"epochs", epochs});
  results.add_row({"training images", split.train.size()});
  results.add_row({"validation images", split.val.size()});
  results.add_row({"test images", result.examples});
  results.add_row({"best val_accuracy", best_val});
  results.add_row({"test loss", result.loss});
  results.add_row({"test accuracy", result.accuracy});
  run.write_results(results);

  // The model's guesses on the first test images: captions blue when right,
  // red when wrong (then with the true class in brackets).
  data::DataLoader shown(first(test_set, kShownPredictions), kShownPredictions);
  const data::DataLoader::Iterator it = shown.begin();
  const data::Batch& batch = *it;
  const std::vector<float> guesses = train::predict(*model, batch.images).argmax(1).to_vector();
  const std::vector<float> truths = batch.labels.to_vector();
  std::vector<std::string> captions;
  std::vector<bool> right;
  for (size_t i = 0; i < guesses.size(); ++i) {
    const auto guess = static_cast<size_t>(guesses[i]), truth = static_cast<size_t>(truths[i]);
    right.push_back(guess == truth);
    captions.push_back(guess == truth ? classes[guess]
                                      : classes[guess] + " (" + classes[truth] + ")");
  }
  const auto n_right = std::count(right.begin(), right.end(), true);

  char timing[96];
  std::snprintf(timing, sizeof timing, "%.1f s of training (%.0f ms per step)", seconds,
                1000.0 * seconds / static_cast<double>(epochs) /
                    static_cast<double>((static_cast<int64_t>(split.train.size()) + o.batch_size - 1) /
                                        o.batch_size));
  char lr[32];
  std::snprintf(lr, sizeof lr, "%g", static_cast<double>(optimizer->lr()));
  train::Report report("ember quickstart: experiment 004's " + own.model + " on Fashion-MNIST");
  report.paragraph(optimizer->name() + " (lr " + lr + "), batch " +
                   std::to_string(o.batch_size) + ", " + std::to_string(epochs) + " epoch(s) on " +
                   std::to_string(split.train.size()) + " training images, " +
                   std::to_string(split.val.size()) + " validating; " + timing + " on " +
                   std::to_string(get_num_threads()) + " thread(s), seed " +
                   std::to_string(o.seed) + ".")
      .paragraph(blas.summary())
      .heading("Results")
      .table(results)
      .heading("Training")
      .chart(loss_chart)
      .chart(accuracy_chart)
      .table(epoch_table(history), "per epoch (history.csv)")
      .heading("Test predictions")
      .paragraph("The first " + std::to_string(captions.size()) + " test images and the class " +
                 "the model gives each: blue when right (" + std::to_string(n_right) + "), red " +
                 "when wrong (" + std::to_string(captions.size() - static_cast<size_t>(n_right)) +
                 "; the true class in brackets).")
      .image_grid(batch.images, {.labels = captions, .correct = right}, "", 2)
      .heading("Model")
      .preformatted(summary);
  run.write_report(report);
}

int main(int argc, char** argv) {
  tutorial::Options options{.epochs = 3,        // about 91% test accuracy
                            .batch_size = 32,   // experiment 004's
                            .output = "quickstart-output",
                            .threads = 2,
                            .seed = 1337};      // experiment 004's seed
  QuickstartOptions own;
  CLI::App app{"ember quickstart: train experiment 004's CNN on Fashion-MNIST"};
  app.add_option("--model", own.model, "cnn1 (CNN model 1, Adam) or cnn7 (model 7: + BatchNorm, SGD)")
      ->check(CLI::IsMember({"cnn1", "cnn7"}))
      ->capture_default_str();
  app.add_option("--optimizer", own.optimizer,
                 "auto (the experiment's), adam, sgd, rmsprop, adamax, adagrad, adadelta")
      ->check(CLI::IsMember({"auto", "adam", "sgd", "rmsprop", "adamax", "adagrad", "adadelta"}))
      ->capture_default_str();
  app.add_option("--lr", own.lr, "learning rate (default: the optimizer's Keras default)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--limit", own.limit,
                 "use only the first N training and test images (--quick: 1000)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--profile", own.profile,
                 "profile N training steps layer by layer (time, GFLOP/s, memory) and exit")
      ->check(CLI::NonNegativeNumber);
  return tutorial::run(app, options, argc, argv, [&](tutorial::Run& run) {
    // --quick trains one epoch unless --epochs says otherwise.
    const int64_t epochs = options.quick && app.count("--epochs") == 0 ? 1 : options.epochs;
    quickstart(run, own, epochs);
  });
}
