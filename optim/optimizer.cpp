// optimizer.cpp — what all optimizers share: groups, state, decay, L2.
#include "optimizer.hpp"

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

}  // namespace ember::optim
