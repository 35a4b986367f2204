// test_checkpoint.cpp — training checkpoints: a run stopped after epoch k and
// resumed from its checkpoint ends with bitwise the weights and figures of the
// run never stopped (Adam, and SGD with momentum and Keras decay; dropout,
// shuffling, a plateau schedule, a step schedule and EarlyStopping's best
// weights all in play); weights alone are not enough; and a damaged or
// mismatched checkpoint is refused with the file named, changing nothing.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <unistd.h>

#include "data/dataloader.hpp"
#include "nn/dropout.hpp"
#include "nn/linear.hpp"
#include "nn/sequential.hpp"
#include "nn/serialize.hpp"
#include "nn/shape_layers.hpp"
#include "optim/adam.hpp"
#include "optim/scheduler.hpp"
#include "optim/sgd.hpp"
#include "tensor/random.hpp"
#include "train/callbacks.hpp"
#include "train/checkpoint.hpp"
#include "train/fit.hpp"
#include "blobs.hpp"

using namespace ember;
namespace fs = std::filesystem;

namespace {

// Two classes of 2x2 "images" (blobs.hpp), noisier than test_fit.cpp's.
data::TensorDataset blobs(int64_t n, uint64_t seed) { return test::blobs(n, seed, 0.3f); }

std::shared_ptr<nn::Sequential> model_with_dropout(int64_t hidden = 8) {
  auto model = std::make_shared<nn::Sequential>();
  model->add(std::make_shared<nn::Flatten>());
  model->add(std::make_shared<nn::Linear>(nn::LinearOptions{
      .in_features = 4, .out_features = hidden, .activation = nn::Activation::ReLU}));
  model->add(std::make_shared<nn::Dropout>(0.3f));  // draws from the global generator
  model->add(std::make_shared<nn::Linear>(hidden, 2));
  return model;
}

enum class Kind { Adam, SGDMomentum };

// Everything one process of a run builds: the model (initialized from
// `init_seed`), optimizer, loaders and callbacks.
struct Run {
  std::shared_ptr<nn::Sequential> model;
  std::unique_ptr<optim::Optimizer> opt;
  data::DataLoader train{blobs(96, 1), 16, /*shuffle=*/true, /*seed=*/5};
  data::DataLoader val{blobs(32, 2), 32};
  std::vector<std::shared_ptr<train::Callback>> callbacks;

  Run(Kind kind, uint64_t init_seed, bool with_callbacks = true, int64_t hidden = 8) {
    manual_seed(init_seed);
    model = model_with_dropout(hidden);
    if (kind == Kind::Adam)
      opt = std::make_unique<optim::Adam>(model->parameters(), optim::AdamOptions{.lr = 0.02f});
    else
      opt = std::make_unique<optim::SGD>(
          model->parameters(),
          optim::SGDOptions{.lr = 0.05f, .momentum = 0.9f, .decay = 0.01f});
    if (with_callbacks)
      callbacks = {
          std::make_shared<train::ReduceLROnPlateau>(
              train::ReduceLROnPlateauCallbackOptions{.factor = 0.5f, .patience = 1}),
          std::make_shared<train::CSVLogger>(scratch("unused.csv")),  // keeps no state
          std::make_shared<train::LearningRateScheduler>(std::make_shared<optim::StepDecay>(
              *opt, optim::StepDecayOptions{.step_size = 2, .gamma = 0.7f})),
          std::make_shared<train::EarlyStopping>(train::EarlyStoppingOptions{
              .patience = 100, .restore_best_weights = true})};
  }

  train::History fit(int64_t epochs, const std::string& checkpoint = "",
                     const std::string& resume_from = "", int64_t initial_epoch = 0) {
    return train::fit(*model, *opt, train,
                      {.epochs = epochs, .validation = &val, .callbacks = callbacks,
                       .verbose = train::Verbosity::Silent, .initial_epoch = initial_epoch,
                       .checkpoint = checkpoint, .resume_from = resume_from});
  }

  static std::string scratch(const std::string& name) {
    const fs::path folder =
        fs::temp_directory_path() / ("ember-test-checkpoint-" + std::to_string(getpid()));
    fs::create_directories(folder);
    return (folder / name).string();
  }
};

bool same_weights(const nn::Module& a, const nn::Module& b) {
  const nn::NamedTensors x = a.state_dict(), y = b.state_dict();
  if (x.size() != y.size()) return false;
  for (size_t i = 0; i < x.size(); ++i)
    if (x[i].first != y[i].first || x[i].second.shape() != y[i].second.shape() ||
        std::memcmp(x[i].second.data(), y[i].second.data(),
                    static_cast<size_t>(x[i].second.numel()) * sizeof(float)) != 0)
      return false;
  return true;
}

std::vector<std::vector<float>> copy_weights(const nn::Module& m) {
  std::vector<std::vector<float>> out;
  for (const auto& [name, t] : m.state_dict()) out.push_back(t.to_vector());
  return out;
}

void check_exact_resume(Kind kind) {
  const std::string path = Run::scratch(kind == Kind::Adam ? "adam.safetensors" : "sgd.safetensors");
  Run straight(kind, 11);
  const train::History whole = straight.fit(6);

  Run first_half(kind, 11);  // the same run, stopped after epoch 3
  first_half.fit(3, path);

  Run resumed(kind, 99);  // a new process: other initial weights, fresh objects
  const train::History rest = resumed.fit(6, path, path);

  CHECK(same_weights(*straight.model, *resumed.model));
  CHECK(rest.epochs() == 6);  // the checkpoint's three epochs, then three more
  CHECK(rest.loss == whole.loss);
  CHECK(rest.accuracy == whole.accuracy);
  CHECK(rest.val_loss == whole.val_loss);
  CHECK(rest.val_accuracy == whole.val_accuracy);
  CHECK(rest.lr == whole.lr);
  CHECK(resumed.opt->iterations() == straight.opt->iterations());
  // The schedules did act, or the lr comparison would prove little.
  CHECK(whole.lr.back() < whole.lr.front());

  // Weights alone: the same epoch-3 weights, but a fresh optimizer (Adam's
  // m, v and t, SGD's velocity and decay count start over), the loader's
  // first order again, and fresh callbacks. The run goes elsewhere.
  Run weights_only(kind, 99);
  nn::NamedTensors weights;
  for (const auto& [name, t] : nn::load_safetensors(path))
    if (name.rfind("model.", 0) == 0) weights.emplace_back(name.substr(6), t);
  weights_only.model->load_state_dict(weights);
  weights_only.fit(6, "", "", /*initial_epoch=*/3);
  CHECK_FALSE(same_weights(*straight.model, *weights_only.model));
}

}  // namespace

TEST_CASE("resume after epoch 3 of 6 ends bitwise where the straight run ends: Adam") {
  check_exact_resume(Kind::Adam);
}

TEST_CASE("resume after epoch 3 of 6 ends bitwise where the straight run ends: SGD momentum") {
  check_exact_resume(Kind::SGDMomentum);
}

TEST_CASE("without callbacks, load_training_checkpoint + initial_epoch is resume_from") {
  const std::string path = Run::scratch("by-hand.safetensors");
  Run straight(Kind::Adam, 12, /*with_callbacks=*/false);
  straight.fit(4);
  Run first_half(Kind::Adam, 12, false);
  first_half.fit(2, path);
  Run by_hand(Kind::Adam, 5, false);
  const train::ResumePoint at = train::load_training_checkpoint(
      path, {*by_hand.model, *by_hand.opt, &by_hand.train});
  CHECK(at.epoch == 2);
  CHECK(at.history.epochs() == 2);
  by_hand.fit(4, "", "", at.epoch);
  CHECK(same_weights(*straight.model, *by_hand.model));
}

TEST_CASE("fit writes the checkpoint after every epoch; initial_epoch skips epochs") {
  const std::string path = Run::scratch("every-epoch.safetensors");
  Run run(Kind::Adam, 3, /*with_callbacks=*/false);
  run.fit(2, path);
  nn::Metadata metadata;
  const nn::NamedTensors tensors = nn::load_safetensors(path, &metadata);
  CHECK(metadata.at("ember") == "training checkpoint 1");
  CHECK(metadata.at("epoch") == "2");
  CHECK(metadata.at("optimizer") == "Adam");
  CHECK(metadata.at("optimizer.iterations") == "12");  // 2 epochs of 6 batches
  CHECK(metadata.at("optimizer.lrs") == "0.02");
  CHECK(metadata.at("checksum").rfind("crc32 ", 0) == 0);
  std::vector<std::string> names;
  for (const auto& [name, t] : tensors) names.push_back(name);
  CHECK(names.front() == "model.1.weight");
  CHECK(std::find(names.begin(), names.end(), "optimizer.0.m") != names.end());
  CHECK(std::find(names.begin(), names.end(), "optimizer.3.v") != names.end());

  Run later(Kind::Adam, 3, false);
  CHECK(later.fit(5, "", "", /*initial_epoch=*/3).epochs() == 2);  // epochs 4 and 5
  CHECK_THROWS_WITH_AS(later.fit(5, "", "", 6), doctest::Contains("initial_epoch = 6"),
                       ValueError);
  CHECK_THROWS_WITH_AS(later.fit(5, "", path, 1), doctest::Contains("not both"), ValueError);
  CHECK_THROWS_WITH_AS(later.fit(1, "", path), doctest::Contains("holds 2 epochs"), ValueError);
  // A finished run resumed: nothing left to do, its history back.
  CHECK(later.fit(2, "", path).epochs() == 2);
  // Resuming says so, from which file and after which epoch.
  std::ostringstream out;
  Run talking(Kind::Adam, 3, false);
  train::fit(*talking.model, *talking.opt, talking.train,
             {.epochs = 3, .verbose = train::Verbosity::OneLinePerEpoch, .out = &out,
              .resume_from = path});
  CHECK(out.str().rfind("Resuming from " + path + " after epoch 2\n", 0) == 0);
  CHECK(out.str().find("Epoch 3/3") != std::string::npos);
}

TEST_CASE("a damaged or mismatched checkpoint is refused, naming the file, changing nothing") {
  const std::string path = Run::scratch("good.safetensors");
  Run saved(Kind::Adam, 4);
  saved.fit(2, path);
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  auto write = [](const std::string& p, const std::string& content) {
    std::ofstream(p, std::ios::binary) << content;
    return p;
  };

  Run wider(Kind::Adam, 8, false, /*hidden=*/16);
  Run plain(Kind::Adam, 4, false);
  const std::string no_loader = Run::scratch("no-loader.safetensors");
  train::save_training_checkpoint(no_loader, {*plain.model, *plain.opt}, 0, {});

  Run target(Kind::Adam, 8);
  const train::TrainingRun into{*target.model, *target.opt, &target.train, {}};
  const auto before = copy_weights(*target.model);
  const GeneratorState global_before = default_generator().state();

  // One flipped bit in the last tensor's bytes.
  std::string flipped = bytes;
  flipped[flipped.size() - 3] ^= 0x10;
  const std::string damaged = write(Run::scratch("flipped.safetensors"), flipped);
  CHECK_THROWS_WITH_AS(train::load_training_checkpoint(damaged, into),
                       doctest::Contains((damaged + "': the checksum does not match").c_str()), DataError);

  const std::string truncated = write(Run::scratch("truncated.safetensors"),
                                      bytes.substr(0, bytes.size() / 2));
  CHECK_THROWS_WITH_AS(train::load_training_checkpoint(truncated, into),
                       doctest::Contains(("'" + truncated + "'").c_str()), DataError);

  const std::string weights = Run::scratch("weights.safetensors");
  nn::save(*saved.model, weights);
  CHECK_THROWS_WITH_AS(train::load_training_checkpoint(weights, into),
                       doctest::Contains((weights + "': not a training checkpoint").c_str()), DataError);

  CHECK_THROWS_WITH_AS(
      train::load_training_checkpoint(path, {*wider.model, *wider.opt, &wider.train}),
      doctest::Contains((path + "': load_state_dict: tensor '1.weight' has shape [8, 4]").c_str()),
      ShapeError);

  optim::SGD sgd(target.model->parameters(), {.momentum = 0.9f});
  CHECK_THROWS_WITH_AS(train::load_training_checkpoint(path, {*target.model, sgd, &target.train}),
                       doctest::Contains((path + "': load_state_dict: the state is Adam's").c_str()),
                       ValueError);

  // The checkpoint holds the states of callbacks 0, 2 and 3 (1 keeps none).
  CHECK_THROWS_WITH_AS(
      train::load_training_checkpoint(path, {*target.model, *target.opt, &target.train,
                                             {target.callbacks[2]}}),
      doctest::Contains("callback 0 is a ReduceLROnPlateau in the checkpoint, a "
                        "LearningRateScheduler in this run"),
      ValueError);
  CHECK_THROWS_WITH_AS(train::load_training_checkpoint(path, into),
                       doctest::Contains("callback 0 is a ReduceLROnPlateau in the checkpoint, "
                                         "but this run has no such callback"),
                       ValueError);

  CHECK_THROWS_WITH_AS(train::load_training_checkpoint(no_loader, into),
                       doctest::Contains("holds no shuffling state"), ValueError);

  // After all that, the target is as it was.
  CHECK(copy_weights(*target.model) == before);
  CHECK(target.opt->iterations() == 0);
  CHECK(default_generator().state() == global_before);

  fs::remove_all(fs::path(path).parent_path());
}
