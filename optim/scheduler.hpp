// scheduler.hpp — learning-rate schedules: ReduceLROnPlateau, step decay,
// exponential decay. Each one writes the lr of every parameter group of the
// optimizer it was given.
//
//   optim::StepDecay schedule(opt, {.step_size = 10, .gamma = 0.5f});
//   for (epoch...) { train_one_epoch(); schedule.step(); }
//
//   optim::ReduceLROnPlateau plateau(opt, {.mode = optim::Mode::Max,
//       .factor = 0.5f, .patience = 3, .min_lr = 1e-5f});
//   for (epoch...) { ...; plateau.step(val_accuracy); }
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

#include "optimizer.hpp"

namespace ember::optim {

// Whether a smaller (loss) or a larger (accuracy) metric is better.
enum class Mode { Min, Max };

// Keras' ReduceLROnPlateau, with its defaults and its exact rules:
//  - an epoch improves when metric < best - min_delta (Min) or
//    metric > best + min_delta (Max); it then becomes `best` and wait = 0;
//  - during cooldown (the `cooldown` epochs after a reduction) the counter
//    `wait` stays at 0, and an epoch that does not improve counts for nothing;
//  - otherwise wait += 1, and when wait >= patience every group whose lr is
//    above min_lr gets lr = max(lr * factor, min_lr); if one did, cooldown
//    restarts and wait = 0 (at the floor, wait just keeps growing).
struct ReduceLROnPlateauOptions {
  Mode mode = Mode::Min;
  float factor = 0.1f;     // must be < 1
  int patience = 10;       // epochs without improvement before a reduction
  float min_delta = 1e-4f; // the smallest change that counts as improvement
  int cooldown = 0;        // epochs to wait after a reduction
  float min_lr = 0.0f;     // floor
};

class ReduceLROnPlateau {
 public:
  ReduceLROnPlateau(Optimizer& optimizer, const ReduceLROnPlateauOptions& options = {});
  // Feeds one epoch's metric; returns true when it lowered the learning rate.
  bool step(float metric);
  float best() const { return best_; }
  int wait() const { return wait_; }
  const ReduceLROnPlateauOptions& options() const { return options_; }

  // Its counters, which a training checkpoint saves: a resumed run then
  // reduces the rate at the epoch the uninterrupted run would have.
  struct State {
    float best;
    int wait;
    int cooldown_counter;
  };
  State state() const { return {best_, wait_, cooldown_counter_}; }
  void set_state(const State& state);  // ValueError for a negative counter

 private:
  bool improved(float metric) const;
  Optimizer& optimizer_;
  ReduceLROnPlateauOptions options_;
  float best_;
  int wait_ = 0;
  int cooldown_counter_ = 0;
};

// Schedules that are a function of how many times step() was called (once per
// epoch, or once per batch if you prefer Keras' per-iteration schedules):
// lr = base_lr * factor(count), with each group's base lr taken when the
// schedule was built.
class LRSchedule {
 public:
  virtual ~LRSchedule() = default;
  void step();
  int64_t count() const { return count_; }
  // Continues counting from `count` (a resumed run's schedule): sets the
  // count only; the optimizer's lr comes back with its own state.
  void set_count(int64_t count);
  virtual float factor(int64_t count) const = 0;

 protected:
  explicit LRSchedule(Optimizer& optimizer);

 private:
  Optimizer& optimizer_;
  std::vector<float> base_lrs_;
  int64_t count_ = 0;
};

// lr = base * gamma^floor(count / step_size) — PyTorch's StepLR.
struct StepDecayOptions {
  int64_t step_size = 10;
  float gamma = 0.1f;
};
class StepDecay final : public LRSchedule {
 public:
  StepDecay(Optimizer& optimizer, const StepDecayOptions& options);
  float factor(int64_t count) const override;

 private:
  StepDecayOptions options_;
};

// lr = base * decay_rate^(count / decay_steps), the exponent floored when
// staircase — Keras' ExponentialDecay; decay_steps = 1 is PyTorch's
// ExponentialLR(gamma = decay_rate).
struct ExponentialDecayOptions {
  float decay_rate = 0.96f;
  int64_t decay_steps = 1;
  bool staircase = false;
};
class ExponentialDecay final : public LRSchedule {
 public:
  ExponentialDecay(Optimizer& optimizer, const ExponentialDecayOptions& options);
  float factor(int64_t count) const override;

 private:
  ExponentialDecayOptions options_;
};

}  // namespace ember::optim
