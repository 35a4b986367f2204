// optimizer.cpp — what all optimizers share: groups, state, decay, L2.
#include "optimizer.hpp"

#include <string>
#include <unordered_map>

#include "../tensor/kernels.hpp"

namespace ember::optim {

namespace {
// out = g + wd * p, split over the threads as the updates are.
void add_weight_decay(float* out, const float* g, const float* p, float wd, int64_t n) {
  detail::parallel_for(n, detail::kElementGrain, [&](int64_t lo, int64_t hi, int64_t) {
    float* __restrict o = out;  // locals, as in ParamUpdate::for_each_element
    const float* __restrict gg = g;
    const float* __restrict pp = p;
    const float decay = wd;
    for (int64_t i = lo; i < hi; ++i) o[i] = gg[i] + decay * pp[i];
  });
}
}  // namespace

void check_option(bool ok, const char* optimizer, const char* option, float value,
                  const char* expected) {
  EMBER_CHECK(ok, ValueError, optimizer, ": ", option, " = ", value, " is invalid (expected ",
              expected, ")");
}

Optimizer::Optimizer(std::vector<ParamGroup> groups, const CommonOptions& common,
                     int slots_per_param)
    : groups_(std::move(groups)), common_(common), slots_per_param_(slots_per_param) {
  check_option(common.lr >= 0.0f, "optimizer", "lr", common.lr, ">= 0");
  check_option(common.weight_decay >= 0.0f, "optimizer", "weight_decay", common.weight_decay,
               ">= 0");
  check_option(common.decay >= 0.0f, "optimizer", "decay", common.decay, ">= 0");
  state_.resize(groups_.size());
  for (size_t gi = 0; gi < groups_.size(); ++gi) {
    ParamGroup& group = groups_[gi];
    if (!group.lr) group.lr = common.lr;
    if (!group.weight_decay) group.weight_decay = common.weight_decay;
    check_option(*group.lr >= 0.0f, "optimizer", "group lr", *group.lr, ">= 0");
    for (size_t pi = 0; pi < group.params.size(); ++pi) {
      const Tensor& p = group.params[pi];
      EMBER_CHECK(p.defined(), ValueError, "optimizer: parameter ", pi, " of group ", gi,
                  " is an undefined tensor");
      // Parameters are leaves the optimizer writes through data(); a view
      // with gaps would need a strided walk for no benefit.
      EMBER_CHECK(p.is_contiguous(), ValueError, "optimizer: parameter ", pi, " of group ", gi,
                  " (shape ", p.shape(), ") is not contiguous");
    }
    state_[gi].resize(group.params.size());
  }
}

void Optimizer::step() {
  const int64_t t = iterations_ + 1;
  for (size_t gi = 0; gi < groups_.size(); ++gi) {
    const ParamGroup& group = groups_[gi];
    const float lr = effective_lr(gi);
    const float wd = *group.weight_decay;
    for (size_t pi = 0; pi < group.params.size(); ++pi) {
      const Tensor& param = group.params[pi];
      Tensor grad = param.grad();
      if (!grad.defined()) continue;
      // Gradients are normally fresh contiguous tensors; a broadcast view
      // (e.g. the gradient of a sum) is materialized, once.
      if (!grad.is_contiguous()) grad = kernels::contiguous(grad);

      std::vector<Tensor>& state = state_[gi][pi];
      if (state.empty())
        for (int s = 0; s < slots_per_param_; ++s)
          state.push_back(Tensor::full(param.shape(), initial_slot_value(s)));
      ParamUpdate u{.data = param.data(), .grad = grad.data(), .slots = {},
                    .numel = param.numel(), .lr = lr, .t = t};
      for (const Tensor& slot : state) u.slots.push_back(slot.data());
      if (wd != 0.0f) {  // L2: the gradient of wd/2 * |p|^2 joins the gradient
        if (decayed_grad_.size() < static_cast<size_t>(u.numel)) decayed_grad_.resize(u.numel);
        add_weight_decay(decayed_grad_.data(), u.grad, u.data, wd, u.numel);
        u.grad = decayed_grad_.data();
      }
      update(u);
      param.bump_version();
    }
  }
  ++iterations_;
}

void Optimizer::zero_grad() {
  for (const ParamGroup& group : groups_)
    for (const Tensor& p : group.params) p.zero_grad();
}

float Optimizer::lr() const {
  EMBER_CHECK(!groups_.empty(), ValueError, name(), ": lr(): the optimizer has no groups");
  return *groups_[0].lr;
}

void Optimizer::set_lr(float lr) {
  check_option(lr >= 0.0f, "set_lr", "lr", lr, ">= 0");
  for (ParamGroup& group : groups_) group.lr = lr;
}

float Optimizer::effective_lr(size_t group) const {
  EMBER_CHECK(group < groups_.size(), IndexError, name(), ": group ", group,
              " out of range (", groups_.size(), " groups)");
  const float base = *groups_[group].lr;
  if (common_.decay == 0.0f) return base;
  return base / (1.0f + common_.decay * static_cast<float>(iterations_));
}

// ---- the state, for checkpoints ---------------------------------------------------------

std::string Optimizer::slot_name(int slot) const { return "slot" + std::to_string(slot); }

OptimizerState Optimizer::state_dict() const {
  OptimizerState out{name(), iterations_, {}, {}, {}};
  int64_t index = 0;  // the parameter's number, counted across the groups
  for (size_t gi = 0; gi < groups_.size(); ++gi) {
    out.lrs.push_back(*groups_[gi].lr);
    out.group_sizes.push_back(static_cast<int64_t>(groups_[gi].params.size()));
    for (size_t pi = 0; pi < groups_[gi].params.size(); ++pi, ++index) {
      const std::vector<Tensor>& slots = state_[gi][pi];
      for (size_t s = 0; s < slots.size(); ++s)
        out.slots.emplace_back(std::to_string(index) + "." + slot_name(static_cast<int>(s)),
                               slots[s]);
    }
  }
  return out;
}

void Optimizer::check_state_dict(const OptimizerState& state) const {
  const std::string me = name();
  EMBER_CHECK(state.optimizer == me, ValueError, "load_state_dict: the state is ",
              state.optimizer.empty() ? "unnamed" : state.optimizer + "'s",
              ", this optimizer is ", me);
  EMBER_CHECK(state.iterations >= 0, ValueError, "load_state_dict: iterations = ",
              state.iterations, " is invalid (expected >= 0)");
  EMBER_CHECK(state.lrs.size() == groups_.size() && state.group_sizes.size() == groups_.size(),
              ValueError, "load_state_dict: the state has ", state.group_sizes.size(),
              " parameter group(s) (and ", state.lrs.size(), " lr(s)), this ", me, " has ",
              groups_.size());
  // The shape each slot must have, by name; the same parameter numbering as state_dict().
  std::unordered_map<std::string, Shape> expected;
  int64_t index = 0;
  for (size_t gi = 0; gi < groups_.size(); ++gi) {
    const int64_t size = static_cast<int64_t>(groups_[gi].params.size());
    EMBER_CHECK(state.group_sizes[gi] == size, ValueError, "load_state_dict: group ", gi,
                " has ", state.group_sizes[gi], " parameter(s) in the state, ", size, " in this ",
                me);
    EMBER_CHECK(state.lrs[gi] >= 0.0f, ValueError, "load_state_dict: group ", gi, " lr = ",
                state.lrs[gi], " is invalid (expected >= 0)");
    for (const Tensor& p : groups_[gi].params) {
      for (int s = 0; s < slots_per_param_; ++s)
        expected.emplace(std::to_string(index) + "." + slot_name(s), p.shape());
      ++index;
    }
  }
  std::unordered_map<std::string, int> seen;        // slot name -> 1
  std::unordered_map<std::string, int> per_param;   // parameter number -> slots given
  for (const auto& [slot, t] : state.slots) {
    const auto it = expected.find(slot);
    EMBER_CHECK(it != expected.end(), ValueError, "load_state_dict: slot '", slot,
                "' is not one of this ", me, "'s (", slots_per_param_,
                " slot(s) per parameter, ", index,
                " parameters): a state from an optimizer built with other options?");
    EMBER_CHECK(seen.emplace(slot, 1).second, ValueError, "load_state_dict: slot '", slot,
                "' appears twice");
    EMBER_CHECK(t.defined() && t.shape() == it->second, ShapeError, "load_state_dict: slot '",
                slot, "' has shape ", t.defined() ? shape_str(t.shape()) : "(undefined)",
                ", its parameter ", it->second);
    ++per_param[slot.substr(0, slot.find('.'))];
  }
  for (const auto& [param, count] : per_param)
    EMBER_CHECK(count == slots_per_param_, ValueError, "load_state_dict: parameter ", param,
                " has ", count, " of its ", slots_per_param_, " slots in the state");
}

void Optimizer::load_state_dict(const OptimizerState& state) {
  check_state_dict(state);
  std::unordered_map<std::string, const Tensor*> given;
  for (const auto& [slot, t] : state.slots) given.emplace(slot, &t);
  int64_t index = 0;
  for (size_t gi = 0; gi < groups_.size(); ++gi) {
    groups_[gi].lr = state.lrs[gi];
    for (size_t pi = 0; pi < groups_[gi].params.size(); ++pi, ++index) {
      std::vector<Tensor>& slots = state_[gi][pi];
      slots.clear();
      for (int s = 0; s < slots_per_param_; ++s) {
        const auto it = given.find(std::to_string(index) + "." + slot_name(s));
        if (it == given.end()) break;  // this parameter has taken no step yet
        slots.push_back(kernels::contiguous(kernels::clone(*it->second)));
      }
    }
  }
  iterations_ = state.iterations;
}

}  // namespace ember::optim
