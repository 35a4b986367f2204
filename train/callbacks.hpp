// callbacks.hpp — code fit() runs at the edges of epochs: Keras' callbacks.
//
//   train::fit(*model, opt, train, {.epochs = 50, .validation = &val,
//       .callbacks = {std::make_shared<train::EarlyStopping>(train::EarlyStoppingOptions{
//                         .monitor = "val_loss", .patience = 5, .restore_best_weights = true}),
//                     std::make_shared<train::CSVLogger>("out/history.csv")}});
//
// The monitored figures are an epoch's EpochLogs by Keras name ("loss",
// "accuracy", "val_loss", "val_accuracy"). Mode Auto reads the name as Keras
// does: a name containing "acc" is maximized, anything else minimized.
#pragma once

#include <functional>
#include <iosfwd>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "../nn/module.hpp"
#include "../optim/optimizer.hpp"
#include "../optim/scheduler.hpp"
#include "history.hpp"
#include "progress.hpp"

namespace ember::train {

// What a callback can see and change while fit() runs.
struct TrainingContext {
  nn::Module& model;
  optim::Optimizer& optimizer;
  History& history;        // the epochs so far, this one included in on_epoch_end
  std::ostream& out;       // where fit() prints
  Verbosity verbose;
  int64_t epochs;          // requested
  bool has_validation;
  bool stop_training = false;  // set it to end fit() after this epoch
  std::string stop_reason;     // and say why (copied to History::stop_reason)
};

// What a callback carries from one epoch to the next (its best figure, its
// patience counter, ...). A training checkpoint saves it (train/checkpoint.hpp)
// so that a resumed run's callbacks act at the epochs the uninterrupted
// run's would have.
struct CallbackState {
  std::string kind;                      // the callback's class: a state loads into its own kind only
  std::map<std::string, double> values;  // by name
  nn::NamedTensors tensors = {};         // EarlyStopping's best weights

  // values[name]; a DataError naming the kind and the value when it is missing.
  double at(const std::string& name) const;
};

class Callback {
 public:
  virtual ~Callback() = default;
  virtual void on_train_begin(TrainingContext&) {}
  virtual void on_epoch_begin(int64_t /*epoch*/, TrainingContext&) {}
  virtual void on_batch_end(int64_t /*step*/, double /*loss*/, TrainingContext&) {}
  virtual void on_epoch_end(const EpochLogs&, TrainingContext&) {}
  virtual void on_train_end(TrainingContext&) {}

  // For a training checkpoint: the state after an epoch, or nullopt for a
  // callback that keeps none (CSVLogger). A state of your own callback's
  // kind comes back through load_state, after on_train_begin (which
  // starts a run afresh); load_state checks every value before it changes
  // anything.
  virtual std::optional<CallbackState> state() const { return std::nullopt; }
  virtual void load_state(const CallbackState& /*state*/) {}
};

enum class MonitorMode { Auto, Min, Max };

// ---- EarlyStopping (Keras 3 rules) -------------------------------------------
// Each epoch: wait += 1; an epoch better than the best by more than min_delta
// (current + min_delta < best when minimizing, current - min_delta > best
// when maximizing) becomes the best and sets wait = 0; otherwise, once
// wait >= patience (and not on the first epoch) training stops. With restore_best_weights the model gets the
// best epoch's weights (every state_dict tensor) back when training ends.
struct EarlyStoppingOptions {
  std::string monitor = "val_loss";
  float min_delta = 0.0f;
  int patience = 0;
  MonitorMode mode = MonitorMode::Auto;
  bool restore_best_weights = false;
};

class EarlyStopping : public Callback {
 public:
  explicit EarlyStopping(EarlyStoppingOptions options = {});
  void on_train_begin(TrainingContext& ctx) override;
  void on_epoch_end(const EpochLogs& logs, TrainingContext& ctx) override;
  void on_train_end(TrainingContext& ctx) override;
  int64_t best_epoch() const { return best_epoch_; }  // 1-based, 0 before any
  double best() const { return best_; }
  // best, wait, best_epoch, and the best epoch's weights when restoring them.
  std::optional<CallbackState> state() const override;
  void load_state(const CallbackState& state) override;

 private:
  EarlyStoppingOptions options_;
  bool maximize_;
  double best_ = 0.0;
  int wait_ = 0;
  int64_t best_epoch_ = 0;
  int64_t stopped_epoch_ = 0;
  nn::NamedTensors best_weights_;  // deep copies
};

// ---- ReduceLROnPlateau ------------------------------------------------------
// optim::ReduceLROnPlateau (Keras' rules, see optim/scheduler.hpp) fed with
// the monitored figure at each epoch's end.
struct ReduceLROnPlateauCallbackOptions {
  std::string monitor = "val_loss";
  MonitorMode mode = MonitorMode::Auto;
  float factor = 0.1f;
  int patience = 10;
  float min_delta = 1e-4f;
  int cooldown = 0;
  float min_lr = 0.0f;
};

class ReduceLROnPlateau : public Callback {
 public:
  explicit ReduceLROnPlateau(ReduceLROnPlateauCallbackOptions options = {});
  void on_train_begin(TrainingContext& ctx) override;
  void on_epoch_end(const EpochLogs& logs, TrainingContext& ctx) override;
  // best, wait, cooldown_counter (optim::ReduceLROnPlateau::State).
  std::optional<CallbackState> state() const override;
  void load_state(const CallbackState& state) override;

 private:
  ReduceLROnPlateauCallbackOptions options_;
  std::unique_ptr<optim::ReduceLROnPlateau> schedule_;
};

// ---- ModelCheckpoint --------------------------------------------------------
// Saves the model's weights (.safetensors) after an epoch: every epoch, or
// with save_best_only only when the monitored figure beats the best so far
// (strictly, as Keras). "{epoch}" in the path becomes the epoch number.
struct ModelCheckpointOptions {
  std::string monitor = "val_loss";
  MonitorMode mode = MonitorMode::Auto;
  bool save_best_only = true;
  // How to write; defaults to nn::save (the safetensors writer).
  std::function<void(const nn::Module&, const std::string&)> save = {};
};

class ModelCheckpoint : public Callback {
 public:
  explicit ModelCheckpoint(std::string path, ModelCheckpointOptions options = {});
  void on_train_begin(TrainingContext& ctx) override;
  void on_epoch_end(const EpochLogs& logs, TrainingContext& ctx) override;
  // The file last written, empty before the first save.
  const std::string& last_saved() const { return last_saved_; }
  // best: a resumed run saves only what beats the uninterrupted run's best.
  std::optional<CallbackState> state() const override;
  void load_state(const CallbackState& state) override;

 private:
  std::string path_;
  ModelCheckpointOptions options_;
  bool maximize_;
  double best_ = 0.0;
  std::string last_saved_;
};

// ---- LearningRateScheduler --------------------------------------------------
// Steps an optim::LRSchedule (StepDecay, ExponentialDecay, or your own) at
// the end of every epoch: epoch e trains with base_lr * factor(e - 1), the
// rates Keras' LearningRateScheduler(lambda epoch, lr: ...) gives with the
// same function of its 0-based epoch.
//
//   auto schedule = std::make_shared<optim::StepDecay>(opt, optim::StepDecayOptions{
//       .step_size = 3, .gamma = 0.5f});
//   train::fit(*model, opt, data, {.epochs = 10, .callbacks = {
//       std::make_shared<train::LearningRateScheduler>(schedule)}});
class LearningRateScheduler : public Callback {
 public:
  explicit LearningRateScheduler(std::shared_ptr<optim::LRSchedule> schedule);
  void on_epoch_end(const EpochLogs& logs, TrainingContext& ctx) override;
  // count: how many times the schedule was stepped.
  std::optional<CallbackState> state() const override;
  void load_state(const CallbackState& state) override;

 private:
  std::shared_ptr<optim::LRSchedule> schedule_;
};

// ---- CSVLogger --------------------------------------------------------------
// Rewrites the history CSV (history.hpp's format) after every epoch, so a run
// that is interrupted keeps its log up to the last finished epoch.
class CSVLogger : public Callback {
 public:
  explicit CSVLogger(std::string path) : path_(std::move(path)) {}
  void on_epoch_end(const EpochLogs& logs, TrainingContext& ctx) override;

 private:
  std::string path_;
};

// Keras' auto mode: true (maximize) when the name contains "acc".
bool monitor_maximizes(const std::string& monitor, MonitorMode mode);

}  // namespace ember::train
