// test_optimizers.cpp — each optimizer's first steps against hand-worked
// values and, over three steps on four numbers, against PyTorch.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "optim/adadelta.hpp"
#include "optim/adagrad.hpp"
#include "optim/adam.hpp"
#include "optim/adamax.hpp"
#include "optim/rmsprop.hpp"
#include "optim/sgd.hpp"
#include "tensor/kernels.hpp"
#include "tensor/runtime/allocator.hpp"
#include "tensor/views.hpp"

using namespace ember;

namespace {

Tensor param(const std::vector<float>& values) {
  Tensor p = Tensor::from_vector(values, {static_cast<int64_t>(values.size())});
  p.requires_grad_();
  return p;
}

// Gives p the gradient g and takes one step.
void step_with(optim::Optimizer& opt, const Tensor& p, const std::vector<float>& g) {
  p.set_grad(Tensor::from_vector(g, p.shape()));
  opt.step();
}

void check_close(const Tensor& p, const std::vector<float>& expected, double tol = 1e-6) {
  const std::vector<float> got = p.to_vector();
  REQUIRE(got.size() == expected.size());
  for (size_t i = 0; i < got.size(); ++i) {
    INFO("element ", i);
    CHECK(got[i] == doctest::Approx(expected[i]).epsilon(tol));
  }
}

// The PyTorch comparison: p0 and three gradients, fed as p.grad before each
// opt.step(). Expected values produced with torch 1.13 (float64) by
//   p = torch.tensor(P0, dtype=torch.float64, requires_grad=True)
//   opt = torch.optim.<Name>([p], ...)
//   for g in GRADS: p.grad = torch.tensor(g, dtype=torch.float64); opt.step()
// (script: /tmp/gen_optim.py during development; arguments are in each case).
const std::vector<float> P0 = {0.5f, -1.5f, 2.0f, -0.25f};
const std::vector<std::vector<float>> GRADS = {
    {0.1f, -0.2f, 0.3f, 0.4f}, {-0.3f, 0.5f, 0.05f, 0.2f}, {0.2f, 0.1f, -0.4f, -0.6f}};

template <class Opt, class Options>
Tensor three_steps(const Options& options) {
  Tensor p = param(P0);
  Opt opt({p}, options);
  for (const auto& g : GRADS) step_with(opt, p, g);
  return p;
}

}  // namespace

// ---- SGD --------------------------------------------------------------------

TEST_CASE("SGD: plain, momentum and Nesterov first steps by hand") {
  // p = 1, g = 0.5, lr = 0.1.
  SUBCASE("plain: p = 1 - 0.1 * 0.5 = 0.95") {
    Tensor p = param({1.0f});
    optim::SGD opt({p}, {.lr = 0.1f});
    step_with(opt, p, {0.5f});
    check_close(p, {0.95f});
  }
  SUBCASE("momentum 0.9: v1 = -0.05, p = 0.95; v2 = -0.095, p = 0.855") {
    Tensor p = param({1.0f});
    optim::SGD opt({p}, {.lr = 0.1f, .momentum = 0.9f});
    step_with(opt, p, {0.5f});
    check_close(p, {0.95f});
    step_with(opt, p, {0.5f});
    check_close(p, {0.855f});
  }
  SUBCASE("Nesterov: p += 0.9 v - lr g: 1 - 0.095 = 0.905, then - 0.1355 = 0.7695") {
    Tensor p = param({1.0f});
    optim::SGD opt({p}, {.lr = 0.1f, .momentum = 0.9f, .nesterov = true});
    step_with(opt, p, {0.5f});
    check_close(p, {0.905f});
    step_with(opt, p, {0.5f});
    check_close(p, {0.7695f});
  }
}

TEST_CASE("SGD: Keras decay gives lr / (1 + decay * iterations)") {
  // lr 0.1, decay 0.5, g = 1: steps of 0.1, 0.1/1.5, 0.1/2.
  Tensor p = param({1.0f});
  optim::SGD opt({p}, {.lr = 0.1f, .decay = 0.5f});
  CHECK(opt.effective_lr() == doctest::Approx(0.1f));
  step_with(opt, p, {1.0f});
  check_close(p, {0.9f});
  CHECK(opt.effective_lr() == doctest::Approx(0.1f / 1.5f));
  step_with(opt, p, {1.0f});
  check_close(p, {0.9f - 0.1f / 1.5f});
  step_with(opt, p, {1.0f});
  check_close(p, {0.9f - 0.1f / 1.5f - 0.05f});
  CHECK(opt.iterations() == 3);
  CHECK(opt.lr() == doctest::Approx(0.1f));  // the base rate is not touched
}

TEST_CASE("SGD: matches PyTorch over three steps") {
  // torch.optim.SGD(lr=0.1, momentum=0.9, nesterov=True)
  check_close(three_steps<optim::SGD>(optim::SGDOptions{.lr = 0.1f, .momentum = 0.9f,
                                                         .nesterov = true}),
              {0.50891f, -1.58572f, 1.95928f, -0.32776f});
  // torch.optim.SGD(lr=0.1, momentum=0.9, weight_decay=0.01)
  check_close(three_steps<optim::SGD>(optim::SGDOptions{.lr = 0.1f, .momentum = 0.9f,
                                                         .weight_decay = 0.01f}),
              {0.507105389f, -1.54241818f, 1.93810857f, -0.33482674f});
}

// ---- Adam -------------------------------------------------------------------

TEST_CASE("Adam: first step by hand, with Keras' epsilon placement") {
  SUBCASE("defaults: the first step is lr * g / (|g| + 1e-7 / sqrt(1 - 0.999))") {
    Tensor p = param({1.0f});
    optim::Adam opt({p});
    step_with(opt, p, {1.0f});
    check_close(p, {0.9990000031622677f});
  }
  SUBCASE("beta1 0.5, beta2 0.75, eps 0.1, lr 0.1, g 1") {
    // m = 0.5, v = 0.25, lr_t = 0.1 * sqrt(0.25) / 0.5 = 0.1,
    // p -= 0.1 * 0.5 / (0.5 + 0.1) = 0.0833333 (PyTorch's placement would
    // give 0.1 * 1 / (1 + 0.1) = 0.0909091).
    Tensor p = param({1.0f});
    optim::Adam opt({p}, {.lr = 0.1f, .beta1 = 0.5f, .beta2 = 0.75f, .epsilon = 0.1f});
    step_with(opt, p, {1.0f});
    check_close(p, {1.0f - 0.1f * 0.5f / 0.6f});
  }
}

TEST_CASE("Adam: matches PyTorch when epsilon is 0 (the placements agree)") {
  // torch.optim.Adam(lr=0.01, eps=0)
  check_close(three_steps<optim::Adam>(optim::AdamOptions{.lr = 0.01f, .epsilon = 0.0f}),
              {0.494754021f, -1.49894992f, 1.98359108f, -0.268502028f}, 1e-5);
  // torch.optim.Adam(lr=0.01, eps=0, weight_decay=0.1)
  check_close(three_steps<optim::Adam>(
                  optim::AdamOptions{.lr = 0.01f, .epsilon = 0.0f, .weight_decay = 0.1f}),
              {0.4905427f, -1.49032683f, 1.97608607f, -0.267793598f}, 1e-5);
}

// ---- Adamax -----------------------------------------------------------------

TEST_CASE("Adamax: two steps by hand") {
  // beta1 0.5, beta2 0.9, eps 0.5, lr 0.1; g = 2 then 0.1.
  // Step 1: m = 1, u = 2, p -= 0.1 / 0.5 * 1 / 2.5 = 0.08 -> 0.92.
  // Step 2: m = 0.55, u = max(1.8, 0.1) = 1.8, p -= 0.1 / 0.75 * 0.55 / 2.3
  //         -> 0.888115942 (PyTorch's u = max(0.9 * 2.5, 0.6) = 2.25 differs).
  Tensor p = param({1.0f});
  optim::Adamax opt({p}, {.lr = 0.1f, .beta1 = 0.5f, .beta2 = 0.9f, .epsilon = 0.5f});
  step_with(opt, p, {2.0f});
  check_close(p, {0.92f});
  step_with(opt, p, {0.1f});
  check_close(p, {0.8881159420289856f});
}

TEST_CASE("Adamax: matches PyTorch when epsilon is 0") {
  // torch.optim.Adamax(lr=0.01, eps=0)
  check_close(three_steps<optim::Adamax>(optim::AdamaxOptions{.lr = 0.01f, .epsilon = 0.0f}),
              {0.493548774f, -1.49623476f, 1.98541356f, -0.266785391f}, 1e-5);
}

// ---- RMSprop ----------------------------------------------------------------

TEST_CASE("RMSprop: first step by hand, epsilon inside the root") {
  SUBCASE("defaults: s = 0.1, p -= 0.001 / sqrt(0.1 + 1e-7)") {
    Tensor p = param({1.0f});
    optim::RMSprop opt({p});
    step_with(opt, p, {1.0f});
    check_close(p, {0.9968377239209693f});
  }
  SUBCASE("eps 0.06: p -= 0.01 / sqrt(0.1 + 0.06) = 0.025") {
    // (outside the root it would be 0.01 / (0.316228 + 0.06) = 0.02658)
    Tensor p = param({1.0f});
    optim::RMSprop opt({p}, {.lr = 0.01f, .epsilon = 0.06f});
    step_with(opt, p, {1.0f});
    check_close(p, {0.975f});
  }
}

TEST_CASE("RMSprop: matches PyTorch when epsilon is 0") {
  // torch.optim.RMSprop(lr=0.01, alpha=0.9, eps=0)
  check_close(three_steps<optim::RMSprop>(optim::RMSpropOptions{.lr = 0.01f, .epsilon = 0.0f}),
              {0.480926161f, -1.50405816f, 1.98899027f, -0.270195776f}, 1e-5);
  // torch.optim.RMSprop(lr=0.01, alpha=0.9, eps=0, momentum=0.5)
  check_close(three_steps<optim::RMSprop>(
                  optim::RMSpropOptions{.lr = 0.01f, .momentum = 0.5f, .epsilon = 0.0f}),
              {0.472284646f, -1.49512389f, 1.96253731f, -0.301284956f}, 1e-5);
}

// ---- Adagrad ----------------------------------------------------------------

TEST_CASE("Adagrad: first step by hand") {
  SUBCASE("defaults: a = 0.1 + 1, p -= 0.001 / (sqrt(1.1) + 1e-7)") {
    Tensor p = param({1.0f});
    optim::Adagrad opt({p});
    step_with(opt, p, {1.0f});
    check_close(p, {0.9990465375016635f});
  }
  SUBCASE("a0 0.16, g 0.3: a = 0.25, p -= 0.1 * 0.3 / 0.5 = 0.06") {
    Tensor p = param({1.0f});
    optim::Adagrad opt({p}, {.lr = 0.1f, .initial_accumulator_value = 0.16f, .epsilon = 0.0f});
    step_with(opt, p, {0.3f});
    check_close(p, {0.94f});
  }
}

TEST_CASE("Adagrad: matches PyTorch") {
  // torch.optim.Adagrad(lr=0.1, initial_accumulator_value=0.1, eps=1e-7)
  check_close(three_steps<optim::Adagrad>(optim::AdagradOptions{.lr = 0.1f}),
              {0.496106078f, -1.54242322f, 1.98715138f, -0.291106384f}, 1e-5);
}

// ---- Adadelta ---------------------------------------------------------------

TEST_CASE("Adadelta: first step by hand") {
  // rho 0.5, eps 0.01, lr 1, g 1: a = 0.5, dx = sqrt(0.01) / sqrt(0.51) = 0.140028,
  // p = 0.859972.
  Tensor p = param({1.0f});
  optim::Adadelta opt({p}, {.lr = 1.0f, .rho = 0.5f, .epsilon = 0.01f});
  step_with(opt, p, {1.0f});
  check_close(p, {0.8599719915971991f});
}

TEST_CASE("Adadelta: matches PyTorch") {
  // torch.optim.Adadelta(lr=1.0, rho=0.95, eps=1e-7)
  check_close(three_steps<optim::Adadelta>(optim::AdadeltaOptions{.lr = 1.0f}),
              {0.498992892f, -1.50095903f, 1.99987233f, -0.250554624f}, 1e-5);
}

// ---- what every optimizer shares --------------------------------------------

TEST_CASE("parameter groups: own lr and weight decay, the rest inherited") {
  Tensor a = param({1.0f});
  Tensor b = param({1.0f});
  optim::SGD opt({{.params = {a}, .lr = {}, .weight_decay = 0.5f}, {.params = {b}, .lr = 0.2f}},
                 {.lr = 0.1f});
  step_with(opt, a, {1.0f});  // b has no gradient yet: it stays put
  b.set_grad(Tensor::from_vector({1.0f}, {1}));
  a.set_grad(Tensor::from_vector({1.0f}, {1}));
  opt.step();
  // a: two steps of lr 0.1 with g + 0.5 p: 1 - 0.1 * 1.5 = 0.85, 0.85 - 0.1 * 1.425 = 0.7075.
  check_close(a, {0.7075f});
  // b: one step at its own lr 0.2 (no gradient during the first step).
  check_close(b, {0.8f});
  opt.set_lr(0.05f);
  CHECK(opt.param_groups()[1].lr == doctest::Approx(0.05f));
}

TEST_CASE("zero_grad drops gradients; a parameter without one is not moved") {
  Tensor p = param({1.0f, 2.0f});
  optim::Adam opt({p});
  step_with(opt, p, {1.0f, 1.0f});
  opt.zero_grad();
  CHECK_FALSE(p.grad().defined());
  const std::vector<float> before = p.to_vector();
  opt.step();
  CHECK(p.to_vector() == before);
}

TEST_CASE("a steady-state step allocates nothing and bumps the version counter") {
  Tensor p = param({1.0f, 2.0f, 3.0f});
  Tensor g = Tensor::from_vector({1.0f, 1.0f, 1.0f}, {3});
  p.set_grad(g);
  optim::Adam opt({p}, {.weight_decay = 0.1f});
  opt.step();  // the first step creates m and v
  const int64_t mallocs = allocator::stats().malloc_calls;
  const int64_t hits = allocator::stats().cache_hits;
  const uint64_t version = p.version();
  opt.step();
  opt.step();
  CHECK(allocator::stats().malloc_calls == mallocs);
  CHECK(allocator::stats().cache_hits == hits);
  CHECK(p.version() == version + 2);  // autograd can see the parameter changed
}

TEST_CASE("invalid options are refused with the optimizer and option named") {
  Tensor p = param({1.0f});
  CHECK_THROWS_WITH_AS(optim::SGD({p}, {.lr = -1.0f}), doctest::Contains("lr = -1"),
                       ValueError);
  CHECK_THROWS_WITH_AS(optim::SGD({p}, {.nesterov = true}),
                       doctest::Contains("SGD: momentum = 0"), ValueError);
  CHECK_THROWS_WITH_AS(optim::Adam({p}, {.beta1 = 1.0f}), doctest::Contains("Adam: beta1 = 1"),
                       ValueError);
  CHECK_THROWS_WITH_AS(optim::RMSprop({p}, {.rho = -0.1f}),
                       doctest::Contains("RMSprop: rho = -0.1"), ValueError);
  Tensor strided = views::transpose(Tensor::zeros({2, 3}), 0, 1);
  CHECK_THROWS_WITH_AS(optim::SGD({strided}), doctest::Contains("not contiguous"), ValueError);
}
