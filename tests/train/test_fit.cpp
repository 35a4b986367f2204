// test_fit.cpp — fit/evaluate/predict on a small synthetic problem, the
// callbacks on scripted metrics, determinism, and the NaN stop.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "autograd/ops.hpp"
#include "blobs.hpp"
#include "data/dataloader.hpp"
#include "data/subset.hpp"
#include "nn/linear.hpp"
#include "nn/sequential.hpp"
#include "nn/serialize.hpp"
#include "nn/shape_layers.hpp"
#include "optim/adam.hpp"
#include "optim/sgd.hpp"
#include "tensor/random.hpp"
#include "train/callbacks.hpp"
#include "train/fit.hpp"

using namespace ember;

namespace {

using test::blobs;  // two classes of 2x2 "images" (blobs.hpp)

std::shared_ptr<nn::Sequential> small_model(nn::Regularizer reg = {}) {
  auto model = std::make_shared<nn::Sequential>();
  model->add(std::make_shared<nn::Flatten>());
  model->add(std::make_shared<nn::Linear>(nn::LinearOptions{
      .in_features = 4, .out_features = 8, .activation = nn::Activation::ReLU,
      .kernel_regularizer = reg}));
  model->add(std::make_shared<nn::Linear>(8, 2));
  return model;
}

std::vector<double> loss_sequence(uint64_t init_seed, uint64_t shuffle_seed) {
  manual_seed(init_seed);
  auto model = small_model();
  optim::Adam opt(model->parameters(), {.lr = 0.01f});
  data::DataLoader loader(blobs(64), 16, true, shuffle_seed);
  return train::fit(*model, opt, loader, {.epochs = 3, .verbose = train::Verbosity::Silent}).loss;
}

// A context for driving callbacks by hand.
struct Harness {
  std::shared_ptr<nn::Sequential> model = small_model();
  optim::SGD opt{model->parameters(), {.lr = 0.1f}};
  train::History history;
  std::ostringstream out;
  train::TrainingContext ctx{*model, opt, history, out, train::Verbosity::ProgressBar, 10, true,
                             false, {}};
  train::EpochLogs epoch(int64_t e, double val_loss, double val_acc = 0.5) {
    train::EpochLogs l;
    l.epoch = e;
    l.loss = val_loss;
    l.val_loss = val_loss;
    l.val_accuracy = val_acc;
    l.lr = opt.lr();
    history.append(l);
    return l;
  }
};

}  // namespace

TEST_CASE("fit learns a separable problem; evaluate and predict agree with it") {
  manual_seed(3);
  auto model = small_model();
  optim::Adam opt(model->parameters(), {.lr = 0.02f});
  data::DataLoader train(blobs(128), 16, true, 5);
  data::DataLoader test(blobs(64, 99), 32);
  std::ostringstream out;
  const train::History h = train::fit(*model, opt, train,
                                      {.epochs = 8, .validation = &test, .out = &out});
  REQUIRE(h.epochs() == 8);
  CHECK(h.stop_reason.empty());
  CHECK(h.loss.back() < h.loss.front());
  CHECK(h.val_accuracy.back() > 0.9);
  CHECK(h.lr == std::vector<double>(8, 0.02f));
  CHECK(out.str().find("Epoch 8/8\n") != std::string::npos);
  CHECK(out.str().find("val_accuracy: ") != std::string::npos);
  CHECK(model->is_training());  // fit leaves the mode as it found it

  // evaluate() on the validation loader reproduces the last val figures.
  const train::EvalResult r = train::evaluate(*model, test);
  CHECK(r.examples == 64);
  CHECK(r.loss == doctest::Approx(h.val_loss.back()).epsilon(1e-6));
  CHECK(r.accuracy == doctest::Approx(h.val_accuracy.back()));

  // predict() gives one row of logits per example, in order.
  const Tensor logits = train::predict(*model, test);
  CHECK(logits.shape() == Shape{64, 2});
  const data::TensorDataset test_set = blobs(64, 99);
  const Tensor direct = train::predict(*model, test_set.images(), 10);
  CHECK(direct.to_vector() == logits.to_vector());
  Tensor labels = Tensor::empty({64});
  for (int64_t i = 0; i < 64; ++i) labels.data()[i] = static_cast<float>(test_set.labels()[i]);
  CHECK(train::count_correct(logits, labels) == static_cast<int64_t>(std::lround(r.accuracy * 64)));
}

TEST_CASE("same seeds and threads: the same loss sequence, run after run") {
  const std::vector<double> a = loss_sequence(11, 4);
  const std::vector<double> b = loss_sequence(11, 4);
  REQUIRE(a.size() == 3);
  CHECK(a == b);  // bit for bit
  CHECK(loss_sequence(11, 5) != a);  // and the seed matters
}

TEST_CASE("fit with validation_split holds out the last examples (Keras)") {
  manual_seed(2);
  auto model = small_model();
  optim::Adam opt(model->parameters());
  const data::TensorDataset all = blobs(100);
  const train::History h = train::fit(*model, opt, all,
                                      {.epochs = 2, .verbose = train::Verbosity::Silent,
                                       .batch_size = 10, .validation_split = 0.2});
  REQUIRE(h.val_loss.size() == 2);
  std::vector<int64_t> tail;
  for (int64_t i = 80; i < 100; ++i) tail.push_back(i);
  data::DataLoader val(data::Subset(all, tail), 10);
  CHECK(train::evaluate(*model, val).loss == doctest::Approx(h.val_loss.back()).epsilon(1e-6));
  CHECK_THROWS_WITH_AS(train::fit(*model, opt, all, {.validation_split = 1.0}),
                       doctest::Contains("validation_split = 1"), ValueError);
}

TEST_CASE("the regularization penalty is part of the loss") {
  // evaluate() reports cross_entropy + the model's L2 penalty, as Keras does.
  manual_seed(4);
  auto model = small_model(nn::L2(0.5f));
  data::DataLoader loader(blobs(32), 32);
  const train::EvalResult r = train::evaluate(*model, loader);
  const double penalty = model->regularization_loss().item();
  CHECK(penalty > 0.0);
  const Tensor logits = train::predict(*model, loader);
  Tensor labels = Tensor::empty({32});
  for (int64_t i = 0; i < 32; ++i) labels.data()[i] = static_cast<float>(i % 2);
  CHECK(r.loss == doctest::Approx(cross_entropy(logits, labels).item() + penalty).epsilon(1e-5));
}

TEST_CASE("a NaN loss stops training, naming epoch, step and causes") {
  manual_seed(1);
  auto model = small_model();
  optim::SGD opt(model->parameters());
  data::DataLoader loader(blobs(64), 16);
  std::ostringstream out;
  int calls = 0;
  const train::History h = train::fit(
      *model, opt, loader,
      {.epochs = 3, .loss = [&calls](const Tensor& o, const Tensor& t) {
         // Fine for one epoch and two steps, then NaN (what an exploding lr does).
         return ++calls > 6 ? cross_entropy(o, t) * std::nanf("") : cross_entropy(o, t);
       },
       .verbose = train::Verbosity::OneLinePerEpoch, .out = &out});
  CHECK(h.epochs() == 1);  // the broken epoch leaves no row
  CHECK(h.stop_reason.find("at epoch 2, step 3/4") != std::string::npos);
  CHECK(h.stop_reason.find("learning rate") != std::string::npos);
  CHECK(h.stop_reason.find("ln(2) = 0.693") != std::string::npos);
  CHECK(out.str().find("training stopped") != std::string::npos);
}

TEST_CASE("EarlyStopping: stops after `patience` epochs without improvement") {
  Harness t;
  train::EarlyStopping stop({.monitor = "val_loss", .patience = 2, .restore_best_weights = true});
  stop.on_train_begin(t.ctx);
  const std::vector<double> val_loss = {1.0, 0.8, 0.85, 0.9, 0.95};
  Tensor w = t.model->parameters()[0];
  int64_t stopped_at = 0;
  for (int64_t e = 1; e <= 5 && !t.ctx.stop_training; ++e) {
    w.fill_(static_cast<float>(e));  // mark the weights with the epoch
    stop.on_epoch_end(t.epoch(e, val_loss[e - 1]), t.ctx);
    stopped_at = e;
  }
  CHECK(stopped_at == 4);  // 0.85 and 0.9 do not beat 0.8
  CHECK(stop.best_epoch() == 2);
  CHECK(t.ctx.stop_reason.find("early stopping at epoch 4") != std::string::npos);
  stop.on_train_end(t.ctx);
  CHECK(w.to_vector()[0] == 2.0f);  // epoch 2's weights are back
  CHECK(t.out.str().find("Restoring model weights from the end of the best epoch: 2.") !=
        std::string::npos);
}

TEST_CASE("EarlyStopping: min_delta and the auto mode of an accuracy") {
  Harness t;
  train::EarlyStopping stop({.monitor = "val_accuracy", .min_delta = 0.05f, .patience = 1});
  stop.on_train_begin(t.ctx);
  stop.on_epoch_end(t.epoch(1, 1.0, 0.50), t.ctx);
  stop.on_epoch_end(t.epoch(2, 1.0, 0.53), t.ctx);  // +0.03 < min_delta: no improvement
  CHECK(t.ctx.stop_training);
  CHECK(stop.best() == doctest::Approx(0.50));
}

TEST_CASE("callbacks refuse a validation monitor without validation data") {
  Harness t;
  t.ctx.has_validation = false;
  train::EarlyStopping stop;
  CHECK_THROWS_WITH_AS(stop.on_train_begin(t.ctx), doctest::Contains("needs validation data"),
                       ValueError);
  train::ReduceLROnPlateau plateau({.monitor = "val_acc"});
  CHECK_THROWS_WITH_AS(plateau.on_train_begin(t.ctx), doctest::Contains("no metric named"),
                       ValueError);
}

TEST_CASE("ReduceLROnPlateau callback: Keras rules on the monitored figure") {
  Harness t;
  train::ReduceLROnPlateau plateau({.monitor = "val_accuracy", .factor = 0.5f, .patience = 1,
                                    .min_lr = 0.03f});
  plateau.on_train_begin(t.ctx);
  plateau.on_epoch_end(t.epoch(1, 1.0, 0.5), t.ctx);
  CHECK(t.opt.lr() == doctest::Approx(0.1f));
  plateau.on_epoch_end(t.epoch(2, 1.0, 0.5), t.ctx);  // accuracy is maximized: no gain
  CHECK(t.opt.lr() == doctest::Approx(0.05f));
  plateau.on_epoch_end(t.epoch(3, 1.0, 0.5), t.ctx);
  CHECK(t.opt.lr() == doctest::Approx(0.03f));  // the floor
  CHECK(t.out.str().find("Epoch 2: ReduceLROnPlateau reducing learning rate to 0.05") !=
        std::string::npos);
}

TEST_CASE("ModelCheckpoint with save_best_only saves improving epochs only") {
  Harness t;
  std::vector<std::string> saved;
  train::ModelCheckpoint ckpt("model-{epoch}.safetensors",
                              {.monitor = "val_accuracy",
                               .save = [&saved](const nn::Module&, const std::string& p) {
                                 saved.push_back(p);
                               }});
  ckpt.on_train_begin(t.ctx);
  const std::vector<double> acc = {0.5, 0.7, 0.6, 0.8};
  for (int64_t e = 1; e <= 4; ++e) ckpt.on_epoch_end(t.epoch(e, 1.0, acc[e - 1]), t.ctx);
  CHECK(saved == std::vector<std::string>{"model-1.safetensors", "model-2.safetensors",
                                          "model-4.safetensors"});
  // Keras' wording and five decimals; the skipped epoch 3 prints nothing.
  CHECK(t.out.str() ==
        "Epoch 1: val_accuracy improved from -inf to 0.50000, saving model to model-1.safetensors\n"
        "Epoch 2: val_accuracy improved from 0.50000 to 0.70000, saving model to model-2.safetensors\n"
        "Epoch 4: val_accuracy improved from 0.70000 to 0.80000, saving model to model-4.safetensors\n");
}

TEST_CASE("ModelCheckpoint writes a .safetensors that loads back identical") {
  Harness t;
  const auto path = std::filesystem::temp_directory_path() / "ember_test_ckpt.safetensors";
  train::ModelCheckpoint ckpt(path.string());
  ckpt.on_train_begin(t.ctx);
  ckpt.on_epoch_end(t.epoch(1, 0.7), t.ctx);
  CHECK(ckpt.last_saved() == path.string());
  auto fresh = small_model();
  nn::load(*fresh, path.string());
  const auto a = t.model->state_dict(), b = fresh->state_dict();
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) CHECK(a[i].second.to_vector() == b[i].second.to_vector());
  std::filesystem::remove(path);
}

TEST_CASE("CSVLogger rewrites the history after every epoch") {
  Harness t;
  const auto path = std::filesystem::temp_directory_path() / "ember_test_log.csv";
  train::CSVLogger logger(path.string());
  logger.on_epoch_end(t.epoch(1, 0.5), t.ctx);
  logger.on_epoch_end(t.epoch(2, 0.25), t.ctx);
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  CHECK(s.str() == train::to_csv(t.history));
  CHECK(s.str().find("\n2,0.25,0,0.25,0.5,") != std::string::npos);
  std::filesystem::remove(path);
}

TEST_CASE("fit runs callbacks and reports why it stopped") {
  manual_seed(6);
  auto model = small_model();
  optim::SGD opt(model->parameters(), {.lr = 0.0f});  // nothing improves
  data::DataLoader train(blobs(32), 16), val(blobs(16, 7), 16);
  const train::History h = train::fit(
      *model, opt, train,
      {.epochs = 10, .validation = &val,
       .callbacks = {std::make_shared<train::EarlyStopping>(
           train::EarlyStoppingOptions{.patience = 2})},
       .verbose = train::Verbosity::Silent});
  CHECK(h.epochs() == 3);  // epoch 1 sets the best; 2 and 3 do not beat it
  CHECK(h.stop_reason.find("early stopping at epoch 3") != std::string::npos);
}
