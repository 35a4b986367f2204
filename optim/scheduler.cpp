// scheduler.cpp — the learning-rate schedules (rules in scheduler.hpp).
#include "scheduler.hpp"

#include <algorithm>
#include <cmath>

namespace ember::optim {

// ---- ReduceLROnPlateau ------------------------------------------------------

ReduceLROnPlateau::ReduceLROnPlateau(Optimizer& optimizer, const ReduceLROnPlateauOptions& options)
    : optimizer_(optimizer), options_(options) {
  check_option(options.factor >= 0.0f && options.factor < 1.0f, "ReduceLROnPlateau", "factor",
               options.factor, "0 <= factor < 1");
  check_option(options.patience >= 0, "ReduceLROnPlateau", "patience",
               static_cast<float>(options.patience), ">= 0");
  check_option(options.cooldown >= 0, "ReduceLROnPlateau", "cooldown",
               static_cast<float>(options.cooldown), ">= 0");
  check_option(options.min_lr >= 0.0f, "ReduceLROnPlateau", "min_lr", options.min_lr, ">= 0");
  check_option(options.min_delta >= 0.0f, "ReduceLROnPlateau", "min_delta", options.min_delta,
               ">= 0");
  best_ = options.mode == Mode::Min ? std::numeric_limits<float>::infinity()
                                    : -std::numeric_limits<float>::infinity();
}

bool ReduceLROnPlateau::improved(float metric) const {
  return options_.mode == Mode::Min ? metric < best_ - options_.min_delta
                                    : metric > best_ + options_.min_delta;
}

bool ReduceLROnPlateau::step(float metric) {
  if (cooldown_counter_ > 0) {
    --cooldown_counter_;
    wait_ = 0;
  }
  if (improved(metric)) {
    best_ = metric;
    wait_ = 0;
    return false;
  }
  // As in Keras, cooldown is tested after this epoch's decrement: the last
  // cooldown epoch already counts towards patience.
  if (cooldown_counter_ > 0) return false;
  if (++wait_ < options_.patience) return false;
  bool reduced = false;
  for (ParamGroup& group : optimizer_.param_groups()) {
    const float old_lr = *group.lr;
    if (old_lr > options_.min_lr) {
      group.lr = std::max(old_lr * options_.factor, options_.min_lr);
      reduced = true;
    }
  }
  // Keras restarts the counters only when it reduced: at the floor, wait keeps
  // growing and every later plateau epoch tries again (and does nothing).
  if (reduced) {
    cooldown_counter_ = options_.cooldown;
    wait_ = 0;
  }
  return reduced;
}

void ReduceLROnPlateau::set_state(const State& state) {
  check_option(state.wait >= 0, "ReduceLROnPlateau", "wait", static_cast<float>(state.wait),
               ">= 0");
  check_option(state.cooldown_counter >= 0, "ReduceLROnPlateau", "cooldown_counter",
               static_cast<float>(state.cooldown_counter), ">= 0");
  best_ = state.best;
  wait_ = state.wait;
  cooldown_counter_ = state.cooldown_counter;
}

// ---- count-based schedules --------------------------------------------------

LRSchedule::LRSchedule(Optimizer& optimizer) : optimizer_(optimizer) {
  for (const ParamGroup& group : optimizer.param_groups()) base_lrs_.push_back(*group.lr);
}

void LRSchedule::step() {
  ++count_;
  const float f = factor(count_);
  auto& groups = optimizer_.param_groups();
  for (size_t g = 0; g < groups.size() && g < base_lrs_.size(); ++g)
    groups[g].lr = base_lrs_[g] * f;
}

void LRSchedule::set_count(int64_t count) {
  check_option(count >= 0, "LRSchedule", "count", static_cast<float>(count), ">= 0");
  count_ = count;
}

StepDecay::StepDecay(Optimizer& optimizer, const StepDecayOptions& options)
    : LRSchedule(optimizer), options_(options) {
  check_option(options.step_size > 0, "StepDecay", "step_size",
               static_cast<float>(options.step_size), "> 0");
  check_option(options.gamma >= 0.0f, "StepDecay", "gamma", options.gamma, ">= 0");
}

float StepDecay::factor(int64_t count) const {
  return static_cast<float>(
      std::pow(double(options_.gamma), static_cast<double>(count / options_.step_size)));
}

ExponentialDecay::ExponentialDecay(Optimizer& optimizer, const ExponentialDecayOptions& options)
    : LRSchedule(optimizer), options_(options) {
  check_option(options.decay_steps > 0, "ExponentialDecay", "decay_steps",
               static_cast<float>(options.decay_steps), "> 0");
  check_option(options.decay_rate > 0.0f, "ExponentialDecay", "decay_rate", options.decay_rate,
               "> 0");
}

float ExponentialDecay::factor(int64_t count) const {
  double exponent = static_cast<double>(count) / static_cast<double>(options_.decay_steps);
  if (options_.staircase) exponent = std::floor(exponent);
  return static_cast<float>(std::pow(double(options_.decay_rate), exponent));
}

}  // namespace ember::optim
