// test_state.cpp — Optimizer::state_dict / load_state_dict: a state loaded
// into a fresh optimizer takes the very steps the original would have, for
// every optimizer; a state that does not fit is refused, changing nothing.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "optim/adadelta.hpp"
#include "optim/adagrad.hpp"
#include "optim/adam.hpp"
#include "optim/adamax.hpp"
#include "optim/rmsprop.hpp"
#include "optim/scheduler.hpp"
#include "optim/sgd.hpp"
#include "tensor/kernels.hpp"

using namespace ember;

namespace {

using Make = std::function<std::unique_ptr<optim::Optimizer>(std::vector<optim::ParamGroup>)>;

// Two groups, three parameters (a matrix, a vector, a scalar-like vector).
std::vector<Tensor> fresh_params() {
  return {Tensor::from_vector({0.5f, -1.5f, 2.0f, -0.25f, 1.0f, 0.75f}, {2, 3}).requires_grad_(),
          Tensor::from_vector({0.1f, -0.2f}, {2}).requires_grad_(),
          Tensor::from_vector({3.0f}, {1}).requires_grad_()};
}

std::vector<optim::ParamGroup> groups(const std::vector<Tensor>& p) {
  return {{.params = {p[0], p[1]}}, {.params = {p[2]}, .lr = 0.05f}};
}

// A gradient that changes with the step and the parameter.
void step(optim::Optimizer& opt, const std::vector<Tensor>& params, int t) {
  for (size_t i = 0; i < params.size(); ++i) {
    std::vector<float> g(static_cast<size_t>(params[i].numel()));
    for (size_t k = 0; k < g.size(); ++k)
      g[k] = 0.3f * std::sin(static_cast<float>(t * 7 + static_cast<int>(i * 3 + k)));
    params[i].set_grad(Tensor::from_vector(g, params[i].shape()));
  }
  opt.step();
}

std::vector<Tensor> copies(const std::vector<Tensor>& params) {
  std::vector<Tensor> out;
  for (const Tensor& p : params) out.push_back(kernels::clone(p).requires_grad_());
  return out;
}

bool same_bits(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() &&
         std::memcmp(a.contiguous().data(), b.contiguous().data(),
                     static_cast<size_t>(a.numel()) * sizeof(float)) == 0;
}

// Three steps, the state taken (cloned), two more steps; then a new optimizer
// on copies of the three-step parameters loads the state and takes the same
// two steps: the parameters must agree bit for bit.
void check_resume(const Make& make) {
  const std::vector<Tensor> params = fresh_params();
  std::unique_ptr<optim::Optimizer> opt = make(groups(params));
  for (int t = 0; t < 3; ++t) step(*opt, params, t);
  optim::OptimizerState saved = opt->state_dict();
  for (auto& [name, slot] : saved.slots) slot = kernels::clone(slot);
  const std::vector<Tensor> resumed_params = copies(params);
  for (int t = 3; t < 5; ++t) step(*opt, params, t);

  std::unique_ptr<optim::Optimizer> resumed = make(groups(resumed_params));
  resumed->load_state_dict(saved);
  CHECK(resumed->iterations() == 3);
  for (int t = 3; t < 5; ++t) step(*resumed, resumed_params, t);
  for (size_t i = 0; i < params.size(); ++i) {
    INFO(opt->name(), ", parameter ", i);
    CHECK(same_bits(params[i], resumed_params[i]));
  }
}

}  // namespace

TEST_CASE("every optimizer resumes from its state_dict bit for bit") {
  check_resume([](auto g) { return std::make_unique<optim::SGD>(std::move(g), optim::SGDOptions{}); });
  check_resume([](auto g) {
    return std::make_unique<optim::SGD>(std::move(g),
                                        optim::SGDOptions{.momentum = 0.9f, .decay = 0.01f});
  });
  check_resume([](auto g) {
    return std::make_unique<optim::SGD>(std::move(g),
                                        optim::SGDOptions{.momentum = 0.9f, .nesterov = true});
  });
  check_resume([](auto g) { return std::make_unique<optim::Adam>(std::move(g), optim::AdamOptions{}); });
  check_resume([](auto g) {
    return std::make_unique<optim::Adamax>(std::move(g), optim::AdamaxOptions{});
  });
  check_resume([](auto g) {
    return std::make_unique<optim::RMSprop>(std::move(g), optim::RMSpropOptions{});
  });
  check_resume([](auto g) {
    return std::make_unique<optim::RMSprop>(std::move(g), optim::RMSpropOptions{.momentum = 0.5f});
  });
  check_resume([](auto g) {
    return std::make_unique<optim::Adagrad>(std::move(g), optim::AdagradOptions{});
  });
  check_resume([](auto g) {
    return std::make_unique<optim::Adadelta>(std::move(g), optim::AdadeltaOptions{.lr = 1.0f});
  });
}

TEST_CASE("without its state, a fresh Adam takes other steps (what the state is for)") {
  const std::vector<Tensor> params = fresh_params();
  optim::Adam opt(groups(params), {});
  for (int t = 0; t < 3; ++t) step(opt, params, t);
  const std::vector<Tensor> restarted = copies(params);
  step(opt, params, 3);
  optim::Adam fresh(groups(restarted), {});  // m = v = 0, t = 1 again
  step(fresh, restarted, 3);
  CHECK_FALSE(same_bits(params[0], restarted[0]));
}

TEST_CASE("state_dict names slots by parameter and formula letter, and records lrs") {
  const std::vector<Tensor> params = fresh_params();
  optim::Adam opt(groups(params), {.lr = 0.002f});
  optim::OptimizerState before = opt.state_dict();
  CHECK(before.optimizer == "Adam");
  CHECK(before.iterations == 0);
  CHECK(before.slots.empty());  // no slot before the first step
  CHECK(before.lrs == std::vector<float>{0.002f, 0.05f});
  CHECK(before.group_sizes == std::vector<int64_t>{2, 1});
  step(opt, params, 0);
  const optim::OptimizerState after = opt.state_dict();
  std::vector<std::string> names;
  for (const auto& [name, t] : after.slots) names.push_back(name);
  CHECK(names == std::vector<std::string>{"0.m", "0.v", "1.m", "1.v", "2.m", "2.v"});
  CHECK(after.slots[0].second.shape() == Shape{2, 3});
  optim::SGD sgd({params[0]}, {.momentum = 0.9f});
  step(sgd, {params[0]}, 0);
  CHECK(sgd.state_dict().slots.at(0).first == "0.v");
}

TEST_CASE("load_state_dict restores the groups' lrs and the step count") {
  const std::vector<Tensor> params = fresh_params();
  optim::SGD opt(groups(params), {.lr = 0.01f, .momentum = 0.9f, .decay = 0.5f});
  for (int t = 0; t < 4; ++t) step(opt, params, t);
  opt.set_lr(0.003f);
  optim::SGD other(groups(copies(params)), {.lr = 0.01f, .momentum = 0.9f, .decay = 0.5f});
  other.load_state_dict(opt.state_dict());
  CHECK(other.iterations() == 4);
  CHECK(other.lr() == 0.003f);
  CHECK(other.effective_lr(1) == opt.effective_lr(1));
}

TEST_CASE("a state that does not fit is refused, saying what differs, and changes nothing") {
  const std::vector<Tensor> params = fresh_params();
  optim::Adam adam(groups(params), {});
  step(adam, params, 0);
  const optim::OptimizerState adam_state = adam.state_dict();

  const std::vector<Tensor> sgd_params = copies(params);
  optim::SGD sgd(groups(sgd_params), {.momentum = 0.9f});
  CHECK_THROWS_WITH_AS(sgd.load_state_dict(adam_state),
                       doctest::Contains("the state is Adam's, this optimizer is SGD"), ValueError);

  // SGD with momentum has a velocity "v"; without momentum there is none.
  step(sgd, sgd_params, 0);
  optim::SGD plain(groups(copies(params)), {});
  CHECK_THROWS_WITH_AS(plain.load_state_dict(sgd.state_dict()),
                       doctest::Contains("slot '0.v' is not one of this SGD's"), ValueError);

  // Another model: a parameter of another shape, or other groups.
  std::vector<Tensor> wider = fresh_params();
  wider[1] = Tensor::zeros({3}).requires_grad_();
  optim::Adam adam_wider(groups(wider), {});
  CHECK_THROWS_WITH_AS(adam_wider.load_state_dict(adam_state),
                       doctest::Contains("slot '1.m' has shape [2], its parameter [3]"), ShapeError);
  optim::Adam one_group(std::vector<Tensor>{params[0], params[1], params[2]}, {});
  CHECK_THROWS_WITH_AS(one_group.load_state_dict(adam_state),
                       doctest::Contains("the state has 2 parameter group(s)"), ValueError);

  // Half of a parameter's slots.
  optim::OptimizerState half = adam_state;
  half.slots.erase(half.slots.begin() + 1);  // drops "0.v"
  optim::Adam target(groups(copies(params)), {.lr = 0.007f});
  CHECK_THROWS_WITH_AS(target.load_state_dict(half),
                       doctest::Contains("parameter 0 has 1 of its 2 slots"), ValueError);
  optim::OptimizerState bad_lr = adam_state;
  bad_lr.lrs[0] = -1.0f;
  CHECK_THROWS_AS(target.load_state_dict(bad_lr), ValueError);
  // Nothing changed: still no step taken, still its own lr, no slot.
  CHECK(target.iterations() == 0);
  CHECK(target.lr() == 0.007f);
  CHECK(target.state_dict().slots.empty());
}

TEST_CASE("ReduceLROnPlateau and LRSchedule continue from a saved state") {
  Tensor p = Tensor::zeros({1});
  optim::SGD opt({p}, {.lr = 0.1f});
  optim::ReduceLROnPlateau plateau(opt, {.factor = 0.5f, .patience = 2, .cooldown = 1});
  for (float m : {1.0f, 0.9f, 0.95f}) plateau.step(m);
  const optim::ReduceLROnPlateau::State saved = plateau.state();
  CHECK(saved.best == 0.9f);
  CHECK(saved.wait == 1);

  optim::SGD opt2({Tensor::zeros({1})}, {.lr = 0.1f});
  optim::ReduceLROnPlateau resumed(opt2, {.factor = 0.5f, .patience = 2, .cooldown = 1});
  resumed.set_state(saved);
  CHECK(plateau.step(0.95f) == resumed.step(0.95f));  // both reduce now
  CHECK(opt.lr() == opt2.lr());
  CHECK_THROWS_AS(resumed.set_state({1.0f, -1, 0}), ValueError);

  optim::StepDecay schedule(opt, {.step_size = 2, .gamma = 0.5f});
  schedule.set_count(3);
  CHECK(schedule.count() == 3);
  schedule.step();
  CHECK(opt.lr() == doctest::Approx(0.05f * 0.25f));
  CHECK_THROWS_AS(schedule.set_count(-1), ValueError);
}
