// test_elementwise.cpp — arithmetic and unary math (ops/elementwise.cpp): gradients and gradchecks.
// The unary gradcheck also runs the activations, which are unary functions too.
#include <doctest/doctest.h>

#include <functional>
#include <string>

#include "../../autograd/ops.hpp"
#include "../../tensor/random.hpp"
#include "helpers.hpp"

using namespace ember;
using namespace ember::test;
using Inputs = std::vector<Tensor>;

TEST_CASE("binary ops: gradcheck with equal, broadcast and non-contiguous operands") {
  manual_seed(1);
  struct Case {
    const char* name;
    std::function<Tensor(const Tensor&, const Tensor&)> op;
  };
  std::vector<Case> cases = {
      {"add", [](const Tensor& a, const Tensor& b) { return a + b; }},
      {"sub", [](const Tensor& a, const Tensor& b) { return a - b; }},
      {"mul", [](const Tensor& a, const Tensor& b) { return a * b; }},
      {"div", [](const Tensor& a, const Tensor& b) { return a / b; }},
      {"maximum", [](const Tensor& a, const Tensor& b) { return maximum(a, b); }},
      {"minimum", [](const Tensor& a, const Tensor& b) { return minimum(a, b); }},
  };
  // Shape pairs: same, row broadcast, column vs row (both broadcast), scalar.
  std::vector<std::pair<Shape, Shape>> shapes = {
      {{3, 4}, {3, 4}}, {{3, 4}, {4}}, {{3, 1}, {1, 4}}, {{2, 3, 4}, {3, 1}}, {{3, 4}, {}}};
  for (const Case& c : cases)
    for (const auto& shape_pair : shapes) {
      const Shape& sa =
          shape_pair.first;  // not a structured binding: clang 14 cannot capture those
      const Shape& sb = shape_pair.second;
      CAPTURE(std::string(c.name));
      CAPTURE(shape_str(sa));
      CAPTURE(shape_str(sb));
      // b positive and away from a, so div is smooth and max/min have no ties.
      Tensor a = param(sa);
      Tensor b = param_positive(sb, 3.0f, 4.0f);
      CHECK_GRADCHECK([&](const Inputs& in) { return c.op(in[0], in[1]); }, {a, b});
    }
  // Non-contiguous operands: a transposed view and a stepped slice of leaves.
  Tensor at = param({4, 3});
  Tensor bs = param_positive({3, 8}, 3.0f, 4.0f);
  for (const Case& c : cases) {
    CAPTURE(std::string(c.name));
    CHECK_GRADCHECK([&](const Inputs& in) { return c.op(in[0].t(), in[1].slice(1, 0, 8, 2)); },
                    {at, bs});
  }
}

TEST_CASE("maximum/minimum split a tie's gradient in half, as PyTorch") {
  Tensor a = Tensor::from_vector({1, 2}, {2}).requires_grad_();
  Tensor b = Tensor::from_vector({1, 3}, {2}).requires_grad_();
  maximum(a, b).sum().backward();
  check_near(a.grad(), {0.5f, 0});
  check_near(b.grad(), {0.5f, 1});
}

TEST_CASE("comparisons: 1 where true, broadcasting, never recorded") {
  Tensor a = Tensor::from_vector({1, 2, 3}, {3}).requires_grad_();
  Tensor b = Tensor::from_vector({2, 2, 2}, {3});
  CHECK(eq(a, b).to_vector() == std::vector<float>{0, 1, 0});
  CHECK(ne(a, b).to_vector() == std::vector<float>{1, 0, 1});
  CHECK(lt(a, b).to_vector() == std::vector<float>{1, 0, 0});
  CHECK(le(a, b).to_vector() == std::vector<float>{1, 1, 0});
  CHECK(gt(a, b).to_vector() == std::vector<float>{0, 0, 1});
  CHECK(ge(a, b).to_vector() == std::vector<float>{0, 1, 1});
  CHECK_FALSE(eq(a, b).requires_grad());
  CHECK(eq(a, b).is_leaf());
  // Broadcasting: a column against a row.
  Tensor column = Tensor::from_vector({0, 1}, {2, 1}), row = Tensor::from_vector({0, 1, 2}, {3});
  CHECK(lt(column, row).shape() == Shape{2, 3});
  CHECK(lt(column, row).to_vector() == std::vector<float>{0, 1, 1, 0, 0, 1});
  // The accuracy idiom: argmax against float labels.
  Tensor logits = Tensor::from_vector({0, 3, 1, 5, 0, 0}, {2, 3});
  CHECK(eq(logits.argmax(1), Tensor::from_vector({1, 2}, {2})).mean().item() == 0.5f);
}

TEST_CASE("scalar operators: values and gradients") {
  Tensor x = Tensor::from_vector({1, 2, 4}, {3}).requires_grad_();
  check_near(x + 1.0f, {2, 3, 5});
  check_near(x - 1.0f, {0, 1, 3});
  check_near(2.0f * x, {2, 4, 8});
  check_near(x / 2.0f, {0.5f, 1, 2});
  check_near(1.0f - x, {0, -1, -3});
  check_near(8.0f / x, {8, 4, 2});
  check_near(-x, {-1, -2, -4});
  // d/dx of (x + 1) + (x - 1) + 2x + x/2 + (1 - x) + 8/x + (-x) = 2.5 - 8/x^2
  Tensor total = (x + 1.0f) + (x - 1.0f) + 2.0f * x + x / 2.0f + (1.0f - x) + 8.0f / x + (-x);
  total.sum().backward();
  check_near(x.grad(), {2.5f - 8.0f, 2.5f - 2.0f, 2.5f - 0.5f});
  std::vector<std::function<Tensor(const Tensor&)>> ops = {
      [](const Tensor& t) { return t + 2.0f; }, [](const Tensor& t) { return t - 2.0f; },
      [](const Tensor& t) { return t * 3.0f; }, [](const Tensor& t) { return t / 3.0f; },
      [](const Tensor& t) { return 2.0f + t; }, [](const Tensor& t) { return 2.0f - t; },
      [](const Tensor& t) { return 3.0f * t; }, [](const Tensor& t) { return 3.0f / t; }};
  Tensor p = param_positive({2, 3});
  for (const auto& op : ops) CHECK_GRADCHECK([&](const Inputs& in) { return op(in[0]); }, {p});
}

TEST_CASE("unary math: gradcheck on contiguous and transposed inputs") {
  manual_seed(2);
  struct Case {
    const char* name;
    std::function<Tensor(const Tensor&)> op;
    bool positive;  // needs x > 0 (log, sqrt, fractional pow)
  };
  std::vector<Case> cases = {
      {"neg", [](const Tensor& x) { return x.neg(); }, false},
      {"exp", [](const Tensor& x) { return x.exp(); }, false},
      {"log", [](const Tensor& x) { return x.log(); }, true},
      {"sqrt", [](const Tensor& x) { return x.sqrt(); }, true},
      {"abs", [](const Tensor& x) { return x.abs(); }, false},
      {"pow 3", [](const Tensor& x) { return x.pow(3.0f); }, false},
      {"pow -1.5", [](const Tensor& x) { return x.pow(-1.5f); }, true},
      {"clamp", [](const Tensor& x) { return x.clamp(-0.5f, 0.5f); }, false},
      {"tanh", [](const Tensor& x) { return x.tanh(); }, false},
      {"sigmoid", [](const Tensor& x) { return x.sigmoid(); }, false},
      {"relu", [](const Tensor& x) { return x.relu(); }, false},
      {"leaky_relu", [](const Tensor& x) { return leaky_relu(x, 0.2f); }, false},
      {"elu", [](const Tensor& x) { return elu(x, 1.5f); }, false},
      {"selu", [](const Tensor& x) { return selu(x); }, false},
      {"softplus", [](const Tensor& x) { return softplus(x); }, false},
  };
  for (const Case& c : cases) {
    CAPTURE(std::string(c.name));
    Tensor x = c.positive ? param_positive({3, 4}) : param_off_zero({3, 4});
    if (std::string(c.name) == "clamp")  // keep away from the bounds too
      for (int64_t i = 0; i < x.numel(); ++i)
        if (std::abs(std::abs(x.data()[i]) - 0.5f) < 0.05f) x.data()[i] *= 1.3f;
    CHECK_GRADCHECK([&](const Inputs& in) { return c.op(in[0]); }, {x});
    CHECK_GRADCHECK([&](const Inputs& in) { return c.op(in[0].t()); }, {x});
  }
}
