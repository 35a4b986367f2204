// test_reduce.cpp — reductions and the softmax family: hand-worked gradients and gradchecks.
#include <doctest/doctest.h>

#include <functional>
#include <string>

#include "../../autograd/ops.hpp"
#include "../../tensor/random.hpp"
#include "helpers.hpp"

using namespace ember;
using namespace ember::test;
using Inputs = std::vector<Tensor>;

TEST_CASE("sum, mean, max: hand-worked gradients") {
  Tensor x = Tensor::from_vector({1, 5, 3, 4, 2, 6}, {2, 3}).requires_grad_();
  x.sum({1}).sum().backward();
  check_near(x.grad(), {1, 1, 1, 1, 1, 1});
  x.zero_grad();
  x.mean({0}).sum().backward();  // each column's mean over 2 rows
  check_near(x.grad(), {0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f});
  x.zero_grad();
  ValuesIndices m = x.max(1);  // row maxima 5 (index 1) and 6 (index 2)
  check_near(m.values, {5, 6});
  check_near(m.indices, {1, 2});
  CHECK_FALSE(m.indices.requires_grad());
  (m.values * Tensor::from_vector({10, 20}, {2})).sum().backward();
  check_near(x.grad(), {0, 10, 0, 0, 0, 20});
  x.zero_grad();
  x.min().backward();
  check_near(x.grad(), {1, 0, 0, 0, 0, 0});
  check_near(x.argmax(1), {1, 2});
}

TEST_CASE("max over everything shares a tie's gradient equally") {
  Tensor x = Tensor::from_vector({3, 1, 3}, {3}).requires_grad_();
  x.max().backward();
  check_near(x.grad(), {0.5f, 0, 0.5f});
}

TEST_CASE("var: hand-worked gradient") {
  // var of [1, 2, 3, 6] (unbiased): mean 3, d/dx = 2 (x - 3) / 3.
  Tensor x = Tensor::from_vector({1, 2, 3, 6}, {4}).requires_grad_();
  Tensor v = x.var();
  CHECK(v.item() == doctest::Approx(14.0f / 3.0f));
  v.backward();
  check_near(x.grad(), {-4.0f / 3, -2.0f / 3, 0, 2});
}

TEST_CASE("reductions: gradcheck over dims, keepdim, and non-contiguous inputs") {
  manual_seed(11);
  struct Case {
    const char* name;
    std::function<Tensor(const Tensor&)> op;
  };
  std::vector<Case> cases = {
      {"sum all", [](const Tensor& x) { return x.sum(); }},
      {"sum {0,2}",
       [](const Tensor& x) {
         return x.sum({0, 2});
       }},
      {"sum {-1} keepdim", [](const Tensor& x) { return x.sum({-1}, true); }},
      {"mean all", [](const Tensor& x) { return x.mean(); }},
      {"mean {1}", [](const Tensor& x) { return x.mean({1}); }},
      {"mean {0,2} keepdim",
       [](const Tensor& x) {
         return x.mean({0, 2}, true);
       }},
      {"var all", [](const Tensor& x) { return x.var(); }},
      {"var all biased", [](const Tensor& x) { return x.var(false); }},
      {"var {0,2}",
       [](const Tensor& x) {
         return x.var({0, 2});
       }},
      {"var {1} keepdim biased", [](const Tensor& x) { return x.var({1}, false, true); }},
      {"max dim 1", [](const Tensor& x) { return x.max(1).values; }},
      {"max dim -1 keepdim", [](const Tensor& x) { return x.max(-1, true).values; }},
      {"min dim 0", [](const Tensor& x) { return x.min(0).values; }},
      {"max all", [](const Tensor& x) { return x.max(); }},
      {"min all", [](const Tensor& x) { return x.min(); }},
      {"softmax 1", [](const Tensor& x) { return x.softmax(1); }},
      {"softmax -1", [](const Tensor& x) { return softmax(x, -1); }},
      {"log_softmax 0", [](const Tensor& x) { return x.log_softmax(0); }},
      {"log_softmax 2", [](const Tensor& x) { return log_softmax(x, 2); }},
      {"logsumexp 1", [](const Tensor& x) { return logsumexp(x, 1); }},
      {"logsumexp -1 keepdim", [](const Tensor& x) { return logsumexp(x, -1, true); }},
  };
  // Distinct values at least 0.05 apart, so max/min have no near-ties.
  Tensor base = Tensor::from_vector(std::vector<float>(24), {2, 3, 4});
  std::vector<float> perm = Tensor::randn({24}).to_vector();
  for (int64_t i = 0; i < 24; ++i) {
    int64_t rank = 0;
    for (float p : perm) rank += p < perm[static_cast<size_t>(i)];
    base.data()[i] = -1.2f + 0.1f * static_cast<float>(rank);
  }
  Tensor x = base.clone().requires_grad_();
  Tensor xt = base.permute({2, 1, 0}).clone().requires_grad_();  // read back through a permute
  for (const Case& c : cases) {
    CAPTURE(std::string(c.name));
    CHECK_GRADCHECK([&](const Inputs& in) { return c.op(in[0]); }, {x});
    CHECK_GRADCHECK([&](const Inputs& in) { return c.op(in[0].permute({2, 1, 0})); }, {xt});
  }
}

TEST_CASE("softmax backward on large logits stays finite") {
  Tensor x = Tensor::from_vector({1000, 0, -1000}, {1, 3}).requires_grad_();
  (log_softmax(x, 1) * Tensor::from_vector({1, 2, 3}, {1, 3})).sum().backward();
  // d/dx = w - softmax * sum(w) = [1, 2, 3] - [1, 0, 0] * 6
  check_near(x.grad(), {-5, 2, 3});
}
