// quickstart — train experiment 004's CNN on Fashion-MNIST, end to end.
//
// Reads top to bottom: options, data, model, optimizer, training, test,
// files. The README next to this file walks through it and shows the output.
//
//   build/tutorials/quickstart/quickstart                       # the defaults
//   build/tutorials/quickstart/quickstart --model cnn7 --epochs 3 --output run2
//
// The last line printed is always "test accuracy: 0.XXXX" so scripts can
// read the result with `tail -n 1`.

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <numeric>
#include <string>

#include "autograd/ops.hpp"
#include "data/dataloader.hpp"
#include "data/idx.hpp"
#include "data/split.hpp"
#include "data/subset.hpp"
#include "nn/serialize.hpp"
#include "nn/summary.hpp"
#include "nn/zoo.hpp"
#include "optim/adadelta.hpp"
#include "optim/adagrad.hpp"
#include "optim/adam.hpp"
#include "optim/adamax.hpp"
#include "optim/rmsprop.hpp"
#include "optim/sgd.hpp"
#include "tensor/random.hpp"
#include "tensor/runtime/blas_info.hpp"
#include "tensor/runtime/parallel.hpp"
#include "train/callbacks.hpp"
#include "train/fit.hpp"
#include "train/plot.hpp"
#include "train/profile.hpp"

using namespace ember;

// ---- options ------------------------------------------------------------------

// Keras' validation_split=0.1: the last 10% of the training images validate.
constexpr double kValidationSplit = 0.1;

struct Options {
  std::string model = "cnn1";
  int64_t epochs = 3;
  int64_t batch_size = 32;        // experiment 004's
  std::string optimizer = "auto";  // the experiment's: Adam for cnn1, SGD for cnn7
  float lr = 0.0f;                 // 0: the optimizer's Keras default
  int threads = 2;
  uint64_t seed = 1337;            // experiment 004's seed
  std::string output = "quickstart-output";
  std::string data = data::kFashionMNISTRoot;
  int64_t limit = 0;               // 0: all 60,000 training images
  int64_t profile = 0;             // > 0: profile that many steps instead of training
};

// ---- the optimizer ------------------------------------------------------------
// Experiment 004 trained CNN model 1 with Adam (Keras defaults) and model 7
// with SGD(lr=0.01, decay=1e-6, momentum=0.9, nesterov=True).
std::unique_ptr<optim::Optimizer> make_optimizer(const Options& o, std::vector<Tensor> params) {
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

int run(const Options& o) {
  const auto start = std::chrono::steady_clock::now();
  // ember runs one thread pool (tensor/runtime/parallel.hpp) and keeps OpenBLAS at
  // one thread inside it: setting OpenBLAS' threads here as well would make
  // the two fight (and OpenBLAS called from several pool threads deadlocks).
  set_num_threads(o.threads);
  const BlasInfo blas = blas_info();
  std::cout << "ember quickstart: experiment 004 " << o.model << " on Fashion-MNIST (10 classes)\n"
            << blas.summary() << "; ember pool: " << o.threads << " thread(s)\n";
  if (!blas.warning.empty()) std::cerr << blas.warning << "\n";

  // ---- data: 60,000 training and 10,000 test images [1, 28, 28] in [0, 1] ----
  data::DatasetHandle train_set = first(data::FashionMNIST(o.data, true), o.limit);
  data::DatasetHandle test_set = first(data::FashionMNIST(o.data, false), o.limit);
  // Keras' validation_split: fit() holds out the last 10% of the training
  // images (they choose the best checkpoint) by data::tail_split, the rule
  // used here to count them; the test set is only looked at once.
  const data::Split split = data::tail_split(train_set->size(), kValidationSplit);
  data::DataLoader test(test_set, 256);
  std::cout << "data: " << split.train.size() << " training, " << split.val.size()
            << " validation, " << test_set->size() << " test images from " << o.data << "\n\n";

  // ---- model ------------------------------------------------------------------
  manual_seed(o.seed);  // the initial weights and dropout masks
  std::shared_ptr<nn::Sequential> model = o.model == "cnn7" ? nn::zoo::cnn_4conv_bn(10)
                                                            : nn::zoo::cnn_4conv(10);
  nn::print_summary(*model, {1, 28, 28});

  // ---- training -----------------------------------------------------------------
  std::filesystem::create_directories(o.output);
  const std::string out = o.output;
  std::unique_ptr<optim::Optimizer> optimizer = make_optimizer(o, model->parameters());
  if (o.profile > 0) {  // where a step's time goes, layer by layer (docs/performance.md)
    data::DataLoader batches(data::Subset(train_set, split.train), o.batch_size,
                             /*shuffle=*/true, o.seed);
    train::profile(*model, {o.batch_size, 1, 28, 28}, o.profile,
                   {.optimizer = optimizer.get(), .loader = &batches});
    return 0;
  }
  std::cout << "\noptimizer: " << optimizer->name() << ", lr " << optimizer->lr() << ", batch "
            << o.batch_size << ", " << o.epochs << " epoch(s)\n";
  // CSVLogger writes history.csv after every epoch, so an interrupted run
  // keeps its log.
  train::FitOptions fit_options{
      .epochs = o.epochs,
      .callbacks = {std::make_shared<train::ModelCheckpoint>(
                        out + "/best.safetensors",
                        train::ModelCheckpointOptions{.monitor = "val_accuracy"}),
                    std::make_shared<train::CSVLogger>(out + "/history.csv")},
      .batch_size = o.batch_size,
      .validation_batch_size = 256,
      .validation_split = kValidationSplit,
      .shuffle = true,
      .seed = o.seed};
  const train::History history = train::fit(*model, *optimizer, train_set, fit_options);

  // ---- files: the last weights, the charts ---------------------------------------
  nn::save(*model, out + "/model.safetensors");
  train::write_history_charts(history, out);

  // ---- test -----------------------------------------------------------------------
  const train::EvalResult result = train::evaluate(*model, test);
  const double minutes =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() / 60.0;
  std::cout << "\nwrote " << out << "/history.csv, loss.svg, accuracy.svg, model.safetensors "
            << "(last epoch), best.safetensors (best val_accuracy)\n";
  std::printf("total time: %.1f min; test loss: %.4f\n", minutes, result.loss);
  std::printf("test accuracy: %.4f\n", result.accuracy);
  return 0;
}

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"ember quickstart: train experiment 004's CNN on Fashion-MNIST"};
  app.add_option("--model", o.model, "cnn1 (CNN model 1, Adam) or cnn7 (model 7: + BatchNorm, SGD)")
      ->check(CLI::IsMember({"cnn1", "cnn7"}))
      ->capture_default_str();
  app.add_option("--epochs", o.epochs, "passes over the training images")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--batch-size", o.batch_size, "images per step")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--optimizer", o.optimizer,
                 "auto (the experiment's), adam, sgd, rmsprop, adamax, adagrad, adadelta")
      ->check(CLI::IsMember({"auto", "adam", "sgd", "rmsprop", "adamax", "adagrad", "adadelta"}))
      ->capture_default_str();
  app.add_option("--lr", o.lr, "learning rate (default: the optimizer's Keras default)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--threads", o.threads, "compute threads")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--seed", o.seed, "seed for weights, dropout and shuffling")->capture_default_str();
  app.add_option("--output", o.output, "folder for history.csv, the charts and checkpoints")
      ->capture_default_str();
  app.add_option("--data", o.data, "Fashion-MNIST folder (IDX files, gzip or raw)")
      ->capture_default_str();
  app.add_option("--limit", o.limit, "use only the first N training and test images (smoke tests)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--profile", o.profile,
                 "profile N training steps layer by layer (time, GFLOP/s, memory) and exit")
      ->check(CLI::NonNegativeNumber);
  CLI11_PARSE(app, argc, argv);
  try {
    return run(o);
  } catch (const std::exception& e) {
    std::cerr << "quickstart: " << e.what() << "\n";
    return 1;
  }
}
