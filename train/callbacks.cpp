// callbacks.cpp — EarlyStopping, ReduceLROnPlateau, ModelCheckpoint, CSVLogger.
#include "callbacks.hpp"

#include <cmath>
#include <iomanip>
#include <ostream>
#include <sstream>

#include "../nn/serialize.hpp"
#include "../tensor/error.hpp"
#include "../tensor/kernels.hpp"

namespace ember::train {

bool monitor_maximizes(const std::string& monitor, MonitorMode mode) {
  if (mode == MonitorMode::Max) return true;
  if (mode == MonitorMode::Min) return false;
  return monitor.find("acc") != std::string::npos;
}

namespace {

// A monitor on validation figures needs validation data; say so before the
// first epoch rather than after it.
void check_monitor(const char* who, const std::string& monitor, const TrainingContext& ctx) {
  EpochLogs probe;
  probe.val_loss = probe.val_accuracy = 0.0;
  (void)probe.get(monitor);  // throws ValueError for an unknown name
  EMBER_CHECK(ctx.has_validation || monitor.rfind("val_", 0) != 0, ValueError, who,
              ": monitor '", monitor,
              "' needs validation data (FitOptions::validation or validation_split)");
}

double monitored(const char* who, const std::string& monitor, const EpochLogs& logs) {
  const std::optional<double> v = logs.get(monitor);
  EMBER_CHECK(v.has_value(), ValueError, who, ": epoch ", logs.epoch, " has no '", monitor, "'");
  return *v;
}

double worst(bool maximize) {
  return maximize ? -std::numeric_limits<double>::infinity()
                  : std::numeric_limits<double>::infinity();
}

}  // namespace

double CallbackState::at(const std::string& name) const {
  const auto it = values.find(name);
  EMBER_CHECK(it != values.end(), DataError, "the state of a ", kind, " callback has no '", name,
              "'");
  return it->second;
}

namespace {

// A state's integer counter: a whole number in [0, 2^31).
int counter(const CallbackState& state, const std::string& name) {
  const double v = state.at(name);
  EMBER_CHECK(v >= 0.0 && v < 2147483648.0 && v == std::floor(v), DataError, "the state of a ",
              state.kind, " callback has ", name, " = ", v, " (expected a count >= 0)");
  return static_cast<int>(v);
}

void check_kind(const CallbackState& state, const char* kind) {
  EMBER_CHECK(state.kind == kind, ValueError, kind, "::load_state: the state is from a ",
              state.kind, " callback");
}

}  // namespace

// ---- EarlyStopping ----------------------------------------------------------

EarlyStopping::EarlyStopping(EarlyStoppingOptions options)
    : options_(std::move(options)), maximize_(monitor_maximizes(options_.monitor, options_.mode)) {
  EMBER_CHECK(options_.patience >= 0, ValueError, "EarlyStopping: patience = ",
              options_.patience, " is invalid (expected >= 0)");
  options_.min_delta = std::fabs(options_.min_delta);  // Keras takes abs(min_delta)
}

void EarlyStopping::on_train_begin(TrainingContext& ctx) {
  check_monitor("EarlyStopping", options_.monitor, ctx);
  best_ = worst(maximize_);
  wait_ = 0;
  best_epoch_ = stopped_epoch_ = 0;
  best_weights_.clear();
}

void EarlyStopping::on_epoch_end(const EpochLogs& logs, TrainingContext& ctx) {
  const double current = monitored("EarlyStopping", options_.monitor, logs);
  auto snapshot = [&] {
    best_weights_.clear();
    for (const auto& [name, t] : ctx.model.state_dict())
      best_weights_.emplace_back(name, kernels::clone(t));
  };
  // With no improvement ever, the first epoch's weights are what is restored.
  if (options_.restore_best_weights && best_weights_.empty()) {
    snapshot();
    best_epoch_ = logs.epoch;
  }
  ++wait_;
  const bool improved = maximize_ ? current - options_.min_delta > best_
                                  : current + options_.min_delta < best_;
  if (improved) {
    best_ = current;
    best_epoch_ = logs.epoch;
    if (options_.restore_best_weights) snapshot();
    wait_ = 0;
    return;
  }
  if (wait_ >= options_.patience && logs.epoch > 1) {
    stopped_epoch_ = logs.epoch;
    ctx.stop_training = true;
    ctx.stop_reason = "early stopping at epoch " + std::to_string(logs.epoch) + ": " +
                      options_.monitor + " did not improve for " + std::to_string(wait_) +
                      " epochs (best " + std::to_string(best_) + " at epoch " +
                      std::to_string(best_epoch_) + ")";
  }
}

void EarlyStopping::on_train_end(TrainingContext& ctx) {
  if (stopped_epoch_ > 0 && ctx.verbose != Verbosity::Silent)
    ctx.out << "Epoch " << stopped_epoch_ << ": early stopping\n";
  if (options_.restore_best_weights && !best_weights_.empty()) {
    if (ctx.verbose != Verbosity::Silent)
      ctx.out << "Restoring model weights from the end of the best epoch: " << best_epoch_
              << ".\n";
    ctx.model.load_state_dict(best_weights_);
  }
}

std::optional<CallbackState> EarlyStopping::state() const {
  return CallbackState{"EarlyStopping",
                       {{"best", best_},
                        {"wait", static_cast<double>(wait_)},
                        {"best_epoch", static_cast<double>(best_epoch_)}},
                       best_weights_};
}

void EarlyStopping::load_state(const CallbackState& state) {
  check_kind(state, "EarlyStopping");
  const double best = state.at("best");
  const int wait = counter(state, "wait");
  const int best_epoch = counter(state, "best_epoch");
  best_ = best;
  wait_ = wait;
  best_epoch_ = best_epoch;
  best_weights_.clear();
  for (const auto& [name, t] : state.tensors) best_weights_.emplace_back(name, kernels::clone(t));
}

// ---- ReduceLROnPlateau ------------------------------------------------------

ReduceLROnPlateau::ReduceLROnPlateau(ReduceLROnPlateauCallbackOptions options)
    : options_(std::move(options)) {}

void ReduceLROnPlateau::on_train_begin(TrainingContext& ctx) {
  check_monitor("ReduceLROnPlateau", options_.monitor, ctx);
  const bool maximize = monitor_maximizes(options_.monitor, options_.mode);
  schedule_ = std::make_unique<optim::ReduceLROnPlateau>(
      ctx.optimizer, optim::ReduceLROnPlateauOptions{
                         .mode = maximize ? optim::Mode::Max : optim::Mode::Min,
                         .factor = options_.factor,
                         .patience = options_.patience,
                         .min_delta = options_.min_delta,
                         .cooldown = options_.cooldown,
                         .min_lr = options_.min_lr});
}

void ReduceLROnPlateau::on_epoch_end(const EpochLogs& logs, TrainingContext& ctx) {
  const double current = monitored("ReduceLROnPlateau", options_.monitor, logs);
  if (schedule_->step(static_cast<float>(current)) && ctx.verbose != Verbosity::Silent)
    ctx.out << "Epoch " << logs.epoch << ": ReduceLROnPlateau reducing learning rate to "
            << ctx.optimizer.lr() << ".\n";
}

std::optional<CallbackState> ReduceLROnPlateau::state() const {
  EMBER_CHECK(schedule_ != nullptr, ValueError,
              "ReduceLROnPlateau::state: called before on_train_begin");
  const optim::ReduceLROnPlateau::State s = schedule_->state();
  return CallbackState{"ReduceLROnPlateau",
                       {{"best", s.best},
                        {"wait", static_cast<double>(s.wait)},
                        {"cooldown_counter", static_cast<double>(s.cooldown_counter)}}};
}

void ReduceLROnPlateau::load_state(const CallbackState& state) {
  check_kind(state, "ReduceLROnPlateau");
  EMBER_CHECK(schedule_ != nullptr, ValueError,
              "ReduceLROnPlateau::load_state: called before on_train_begin");
  // best is a float in optim::ReduceLROnPlateau: the double holds it exactly.
  schedule_->set_state({static_cast<float>(state.at("best")), counter(state, "wait"),
                        counter(state, "cooldown_counter")});
}

// ---- ModelCheckpoint --------------------------------------------------------

ModelCheckpoint::ModelCheckpoint(std::string path, ModelCheckpointOptions options)
    : path_(std::move(path)),
      options_(std::move(options)),
      maximize_(monitor_maximizes(options_.monitor, options_.mode)) {
  EMBER_CHECK(!path_.empty(), ValueError, "ModelCheckpoint: the path is empty");
  if (!options_.save)
    options_.save = [](const nn::Module& m, const std::string& p) { nn::save(m, p); };
}

void ModelCheckpoint::on_train_begin(TrainingContext& ctx) {
  if (options_.save_best_only) check_monitor("ModelCheckpoint", options_.monitor, ctx);
  best_ = worst(maximize_);
}

void ModelCheckpoint::on_epoch_end(const EpochLogs& logs, TrainingContext& ctx) {
  const double previous = best_;
  if (options_.save_best_only) {
    const double current = monitored("ModelCheckpoint", options_.monitor, logs);
    if (!(maximize_ ? current > best_ : current < best_)) return;  // NaN never saves
    best_ = current;
  }
  std::string path = path_;
  if (const size_t at = path.find("{epoch}"); at != std::string::npos)
    path.replace(at, 7, std::to_string(logs.epoch));
  options_.save(ctx.model, path);
  last_saved_ = path;
  // Keras' line, with its five decimals ("from -inf" on the first epoch).
  if (ctx.verbose != Verbosity::Silent && options_.save_best_only) {
    std::ostringstream line;
    line << std::fixed << std::setprecision(5) << "Epoch " << logs.epoch << ": "
         << options_.monitor << " improved from " << previous << " to " << best_
         << ", saving model to " << path << "\n";
    ctx.out << line.str();
  }
}

std::optional<CallbackState> ModelCheckpoint::state() const {
  return CallbackState{"ModelCheckpoint", {{"best", best_}}};
}

void ModelCheckpoint::load_state(const CallbackState& state) {
  check_kind(state, "ModelCheckpoint");
  best_ = state.at("best");
}

// ---- LearningRateScheduler --------------------------------------------------

LearningRateScheduler::LearningRateScheduler(std::shared_ptr<optim::LRSchedule> schedule)
    : schedule_(std::move(schedule)) {
  EMBER_CHECK(schedule_ != nullptr, ValueError, "LearningRateScheduler: no schedule");
}

void LearningRateScheduler::on_epoch_end(const EpochLogs& /*logs*/, TrainingContext& /*ctx*/) {
  schedule_->step();
}

std::optional<CallbackState> LearningRateScheduler::state() const {
  return CallbackState{"LearningRateScheduler", {{"count", static_cast<double>(schedule_->count())}}};
}

void LearningRateScheduler::load_state(const CallbackState& state) {
  check_kind(state, "LearningRateScheduler");
  schedule_->set_count(counter(state, "count"));
}

// ---- CSVLogger --------------------------------------------------------------

void CSVLogger::on_epoch_end(const EpochLogs& /*logs*/, TrainingContext& ctx) {
  write_csv(ctx.history, path_);
}

}  // namespace ember::train
