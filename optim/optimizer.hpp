// optimizer.hpp — the base of every optimizer: parameter groups, per-parameter
// state, Keras' time-based `decay`, L2 weight decay, zero_grad, and the
// threaded loop the updates run in.
//
// A subclass writes its options' checks and `update`: how one parameter
// moves given its gradient. Everything the optimizers share lives here, so
// each optimizer file is the formula and nothing else.
//
//   optim::Adam opt(model.parameters());                  // Keras defaults
//   optim::SGD opt({{.params = convs, .weight_decay = 5e-4f},
//                   {.params = head}},                     // inherits lr etc.
//                  {.lr = 0.01f, .momentum = 0.9f, .nesterov = true});
//   loss.backward(); opt.step(); opt.zero_grad();
//
// Why the updates are plain loops rather than chains of add_/mul_/addcdiv_:
// an Adam step written with the in-place Tensor methods walks each parameter
// five times and still needs a sqrt the Tensor API has no in-place form of.
// One fused loop over the contiguous parameter, its gradient and its state
// reads like the formula in the comment above it, walks memory once, and
// allocates no tensor after the first step (the state is created then).
// Every element is independent of the others, so the loop is split over
// ember's threads (ParamUpdate::for_each_element) with the same bits as one
// thread would give.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "../autograd/tensor.hpp"
#include "../tensor/runtime/parallel.hpp"

namespace ember::optim {

// A set of parameters sharing hyper-parameters. Unset fields take the
// optimizer's options (its lr, its weight_decay).
struct ParamGroup {
  std::vector<Tensor> params;
  std::optional<float> lr = std::nullopt;
  std::optional<float> weight_decay = std::nullopt;
};

// What every optimizer accepts besides its own hyper-parameters.
struct CommonOptions {
  float lr;
  // L2 penalty added to the gradient: g += weight_decay * p (PyTorch's
  // weight_decay; a Keras l2(λ) kernel regularizer is weight_decay = 2λ).
  float weight_decay = 0.0f;
  // Keras time-based decay: lr_t = lr / (1 + decay * iterations), where
  // iterations counts the steps taken before this one.
  float decay = 0.0f;
};

// Everything a step depends on besides the parameters' values and the
// options the optimizer was built with: what a training checkpoint saves
// (train/checkpoint.hpp) so that a resumed run takes the very steps the
// uninterrupted run would have.
struct OptimizerState {
  std::string optimizer;             // name() of the optimizer it came from ("Adam")
  int64_t iterations = 0;            // steps taken: Adam's t, Keras' decay
  std::vector<float> lrs;            // each group's base lr (schedules change it)
  std::vector<int64_t> group_sizes;  // parameters per group
  // The slots that exist (a parameter gets its slots at its first step),
  // named "<parameter>.<slot>": the parameter's index counted across the
  // groups, then the slot's letter in the optimizer's formula ("3.m", "3.v").
  std::vector<std::pair<std::string, Tensor>> slots;
};

// One parameter's share of a step: what Optimizer::update receives.
struct ParamUpdate {
  float* data;
  const float* grad;  // weight decay already added
  // The parameter's state, one array per slot (Adam's m and v), each
  // starting at initial_slot_value() and kept across steps.
  std::vector<float*> slots;
  int64_t numel;  // of data, grad and each slot
  float lr;       // `decay` applied
  int64_t t;      // the 1-based step number (Adam's bias correction)

  // Calls element(p, g, slot...) for every element, where p and each slot
  // are float& and g a float, and kSlots (0, 1 or 2) says how many slots it
  // takes. Large parameters are split over ember's threads.
  template <int kSlots, class Element>
  void for_each_element(const Element& element) const;
};

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  // One update of every parameter that has a gradient; parameters without
  // one (not reached by the last backward) are left alone.
  void step();
  // Drops every parameter's gradient (the next backward starts from zero).
  void zero_grad();

  // The base learning rate of group 0 (before `decay`), and a setter that
  // sets every group: what schedulers and callbacks read and write.
  float lr() const;
  void set_lr(float lr);
  // The rate the next step will use for group g, `decay` included.
  float effective_lr(size_t group = 0) const;

  // Steps taken so far (Keras' `optimizer.iterations`).
  int64_t iterations() const { return iterations_; }
  std::vector<ParamGroup>& param_groups() { return groups_; }
  const std::vector<ParamGroup>& param_groups() const { return groups_; }
  virtual std::string name() const = 0;
  // The letter slot `slot` has in the formula of the optimizer's header
  // ("m", "v"): its name in state_dict().
  virtual std::string slot_name(int slot) const;

  // The state (see OptimizerState). Its slot tensors are the optimizer's
  // own, which the next step changes: clone them to keep a snapshot.
  OptimizerState state_dict() const;
  // Throws, saying what differs, when `state` cannot be loaded into this
  // optimizer: another optimizer's, other groups, a slot missing, unknown
  // or of the wrong shape (an optimizer built with other options, e.g. SGD
  // without momentum has no "v"), an lr that is not >= 0. Changes nothing.
  void check_state_dict(const OptimizerState& state) const;
  // check_state_dict, then replaces the state with a copy of `state`: the
  // groups' lrs, the step count and every slot (parameters absent from
  // `state.slots` have taken no step yet). All or nothing.
  void load_state_dict(const OptimizerState& state);

 protected:
  Optimizer(std::vector<ParamGroup> groups, const CommonOptions& common, int slots_per_param);
  // The same from an optimizer's own options, which all have lr,
  // weight_decay and decay among their fields.
  template <class Options>
  Optimizer(std::vector<ParamGroup> groups, const Options& options, int slots_per_param)
      : Optimizer(std::move(groups), CommonOptions{options.lr, options.weight_decay, options.decay},
                  slots_per_param) {}
  // One group holding every parameter: what a list of parameters means.
  static std::vector<ParamGroup> one_group(std::vector<Tensor> params) {
    return {{std::move(params), {}, {}}};
  }

  // Moves one parameter (see ParamUpdate).
  virtual void update(const ParamUpdate& param) = 0;
  virtual float initial_slot_value(int /*slot*/) const { return 0.0f; }

 private:
  std::vector<ParamGroup> groups_;
  CommonOptions common_;
  int slots_per_param_;
  std::vector<std::vector<std::vector<Tensor>>> state_;  // [group][param][slot]
  std::vector<float> decayed_grad_;  // scratch for g + wd * p, reused across steps
  int64_t iterations_ = 0;
};

// Checks an option is in range, naming the optimizer and the option.
void check_option(bool ok, const char* optimizer, const char* option, float value,
                  const char* expected);

template <int kSlots, class Element>
void ParamUpdate::for_each_element(const Element& element) const {
  static_assert(kSlots >= 0 && kSlots <= 2, "for_each_element takes 0, 1 or 2 slots");
  detail::parallel_for(numel, detail::kElementGrain, [&](int64_t lo, int64_t hi, int64_t) {
    // A copy of the element, and the arrays declared apart: through the
    // captured references a store to p[i] might have changed one of the
    // element's floats, so GCC reloaded every scalar per element and left
    // the loop scalar.
    const Element e = element;
    float* __restrict p = data;
    const float* __restrict g = grad;
    float* __restrict s0 = kSlots > 0 ? slots[0] : nullptr;
    float* __restrict s1 = kSlots > 1 ? slots[1] : nullptr;
    for (int64_t i = lo; i < hi; ++i) {
      if constexpr (kSlots == 0) e(p[i], g[i]);
      else if constexpr (kSlots == 1) e(p[i], g[i], s0[i]);
      else e(p[i], g[i], s0[i], s1[i]);
    }
  });
}

}  // namespace ember::optim
