// test_engine.cpp — recording, the backward pass and its error messages, grad(), DOT.
#include <doctest/doctest.h>

#include <string>

#include "../../autograd/engine.hpp"
#include "../../autograd/grad_mode.hpp"
#include "../../autograd/graph_dot.hpp"
#include "../../autograd/node.hpp"
#include "../../autograd/ops.hpp"
#include "helpers.hpp"

using namespace ember;
using ember::test::check_near;

TEST_CASE("a hand-worked scalar graph: gradients of z = (x*y + x)^2") {
  // z = (x y + x)^2 at x = 2, y = 3: u = 8, z = 64,
  // dz/dx = 2u (y + 1) = 64, dz/dy = 2u x = 32.
  Tensor x = Tensor::scalar(2).requires_grad_();
  Tensor y = Tensor::scalar(3).requires_grad_();
  Tensor z = (x * y + x).pow(2);
  CHECK(z.item() == 64);
  z.backward();
  CHECK(x.grad().item() == doctest::Approx(64));
  CHECK(y.grad().item() == doctest::Approx(32));
}

TEST_CASE("recording: grad_fn, is_leaf, requires_grad, detach") {
  Tensor a = Tensor::ones({2}).requires_grad_();
  Tensor c = Tensor::ones({2});
  CHECK(a.is_leaf());
  Tensor b = a * 2.0f;
  CHECK_FALSE(b.is_leaf());
  CHECK(b.requires_grad());
  CHECK(std::string(b.grad_fn()->name()) == "mul");
  Tensor d = c * 2.0f;  // nothing requires grad: no node at all
  CHECK(d.is_leaf());
  CHECK_FALSE(d.requires_grad());
  Tensor e = b.detach();
  CHECK(e.is_leaf());
  CHECK_FALSE(e.requires_grad());
  CHECK(e.shares_storage(b));
}

TEST_CASE("NoGradGuard records nothing, nests, and restores the outer state") {
  Tensor a = Tensor::ones({2}).requires_grad_();
  CHECK(GradMode::is_enabled());
  {
    NoGradGuard outer;
    CHECK_FALSE((a * 2.0f).requires_grad());
    {
      NoGradGuard inner;
      CHECK_FALSE((a + a).requires_grad());
    }
    CHECK_FALSE(GradMode::is_enabled());  // the inner guard left the outer "off" in place
    CHECK_FALSE(exp(a).requires_grad());
  }
  CHECK(GradMode::is_enabled());
  CHECK((a * 2.0f).requires_grad());
}

TEST_CASE("a tensor used twice accumulates both gradients, and so do repeated backwards") {
  Tensor x = Tensor::from_vector({1, 2, 3}, {3}).requires_grad_();
  Tensor y = (x * x + x * 3.0f).sum();  // dy/dx = 2x + 3
  y.backward();
  check_near(x.grad(), {5, 7, 9});
  (x * 2.0f).sum().backward();  // accumulates into the existing .grad()
  check_near(x.grad(), {7, 9, 11});
  x.zero_grad();
  CHECK_FALSE(x.grad().defined());
}

TEST_CASE("leaves that do not require grad get no gradient") {
  Tensor w = Tensor::from_vector({1, 2}, {2}).requires_grad_();
  Tensor data = Tensor::from_vector({3, 4}, {2});
  (w * data).sum().backward();
  check_near(w.grad(), {3, 4});
  CHECK_FALSE(data.grad().defined());
}

TEST_CASE("a leaf's gradient owns its memory even when backward hands out a view") {
  Tensor x = Tensor::ones({2, 3}).requires_grad_();
  Tensor g = Tensor::ones({6});
  x.view({6}).backward(g);
  CHECK_FALSE(x.grad().shares_storage(g));
  g.fill_(5);
  check_near(x.grad(), {1, 1, 1, 1, 1, 1});
}

TEST_CASE("error: backward on a non-scalar without a gradient") {
  Tensor x = Tensor::ones({2, 3}).requires_grad_();
  Tensor y = x * 2.0f;
  CHECK_THROWS_WITH_AS(y.backward(), doctest::Contains("non-scalar tensor of shape [2, 3]"),
                       AutogradError);
  y.backward(Tensor::ones({2, 3}));  // with an explicit gradient it works
  check_near(x.grad(), {2, 2, 2, 2, 2, 2});
  CHECK_THROWS_WITH_AS((x * 2.0f).backward(Tensor::ones({3})),
                       doctest::Contains("gradient of shape [3] for a tensor of shape [2, 3]"),
                       ShapeError);
}

TEST_CASE("error: backward on a tensor that does not require grad") {
  Tensor x = Tensor::ones({1});
  CHECK_THROWS_WITH_AS((x * 2.0f).backward(), doctest::Contains("does not require grad"),
                       AutogradError);
}

TEST_CASE("error: a second backward through a freed graph; retain_graph allows it") {
  Tensor x = Tensor::from_vector({1, 2}, {2}).requires_grad_();
  Tensor loss = (x * x).sum();
  loss.backward();
  CHECK_THROWS_WITH_AS(loss.backward(), doctest::Contains("already freed"), AutogradError);
  CHECK_THROWS_WITH_AS(loss.backward(), doctest::Contains("retain_graph"), AutogradError);

  Tensor y = Tensor::from_vector({1, 2}, {2}).requires_grad_();
  Tensor kept = (y * y).sum();
  kept.backward(Tensor(), /*retain_graph=*/true);
  kept.backward();
  check_near(y.grad(), {4, 8});  // 2y, twice
}

TEST_CASE("error: in-place modification of a tensor saved for backward") {
  Tensor x = Tensor::from_vector({1, 2}, {2}).requires_grad_();
  Tensor y = x * 3.0f;       // y is not saved by mul-by-scalar...
  Tensor z = (y * y).sum();  // ...but mul saves y
  y.add_(1.0f);
  CHECK_THROWS_WITH_AS(z.backward(), doctest::Contains("mul: a tensor of shape [2]"),
                       AutogradError);

  Tensor a = Tensor::from_vector({1, 2}, {2}).requires_grad_();
  Tensor e = exp(a);  // saves its output
  Tensor loss = e.sum();
  e.mul_(2.0f);
  CHECK_THROWS_WITH_AS(loss.backward(), doctest::Contains("modified by an in-place operation"),
                       AutogradError);
}

TEST_CASE("error: a backward that returns a wrong-shaped gradient is named") {
  struct BadNode final : autograd::Node {
    const char* name() const override { return "bad_op"; }
    std::vector<Tensor> backward(const Tensor&) override { return {Tensor::ones({5})}; }
  };
  Tensor x = Tensor::ones({2}).requires_grad_();
  Tensor out = Tensor::ones({2});
  autograd::record<BadNode>(out, {x});
  CHECK_THROWS_WITH_AS(
      out.sum().backward(),
      doctest::Contains(
          "backward of 'bad_op' returned a gradient of shape [5] for its input 0 of shape [2]"),
      AutogradError);
}

TEST_CASE("grad(): returns gradients without touching .grad(), also for intermediates") {
  Tensor x = Tensor::from_vector({1, 2}, {2}).requires_grad_();
  Tensor h = x * x;  // intermediate
  Tensor y = (h * 3.0f).sum();
  std::vector<Tensor> g = autograd::grad({y}, {x, h});
  check_near(g[0], {6, 12});  // 6x
  check_near(g[1], {3, 3});
  CHECK_FALSE(x.grad().defined());

  Tensor unused = Tensor::ones({1}).requires_grad_();
  Tensor x2 = Tensor::ones({1}).requires_grad_();
  CHECK_FALSE(autograd::grad({(x2 * 2.0f).sum()}, {unused})[0].defined());
}

TEST_CASE("a deep chain neither overflows the stack nor leaks") {
  Tensor x = Tensor::scalar(1.0f).requires_grad_();
  Tensor y = x;
  for (int i = 0; i < 20000; ++i) y = y * 1.0f;
  y.backward();
  CHECK(x.grad().item() == 1.0f);
}

TEST_CASE("dropping a long graph without backward does not recurse once per node") {
  // 200,000 nodes, each with two edges to the one before (as y = y * y makes):
  // destroyed naively, each node's destructor would run inside the next's.
  struct ChainNode final : autograd::Node {
    const char* name() const override { return "chain"; }
    std::vector<Tensor> backward(const Tensor& g) override { return {g, g}; }
  };
  std::shared_ptr<autograd::Node> head = std::make_shared<ChainNode>();
  for (int i = 0; i < 200000; ++i) {
    auto next = std::make_shared<ChainNode>();
    next->edges = {autograd::Edge{head, Tensor(), {}}, autograd::Edge{head, Tensor(), {}}};
    head = std::move(next);
  }
  head.reset();  // would overflow the stack with a recursive destructor
  CHECK(head == nullptr);
}

TEST_CASE("DOT output names the ops and shapes of a small graph") {
  Tensor x = Tensor::ones({4, 3});
  Tensor w = Tensor::ones({3, 2}).requires_grad_();
  Tensor b = Tensor::zeros({2}).requires_grad_();
  Tensor loss = relu(matmul(x, w) + b).sum();
  std::string dot = autograd::to_dot(loss);
  CHECK(dot.find("digraph autograd") != std::string::npos);
  CHECK(dot.find("op0 [label=\"sum\\n[]\"]") != std::string::npos);
  CHECK(dot.find("op1 [label=\"relu\\n[4, 2]\"]") != std::string::npos);
  CHECK(dot.find("op2 [label=\"add\\n[4, 2]\"]") != std::string::npos);
  CHECK(dot.find("op3 [label=\"matmul\\n[4, 2]\"]") != std::string::npos);
  CHECK(dot.find("leaf\\n[3, 2]") != std::string::npos);
  CHECK(dot.find("leaf\\n[2]") != std::string::npos);
  CHECK(dot.find("leaf\\n[4, 3]") == std::string::npos);  // x needs no grad: not in the graph
  CHECK(dot.find("op1 -> op0") != std::string::npos);
}

TEST_CASE("backward_order of the docs' two-layer net, and leaves named in DOT") {
  // The worked example of docs/autograd.md.
  Tensor x = Tensor::randn({4, 3});
  Tensor y = Tensor::from_vector({0, 1, 1, 0}, {4});
  Tensor w1 = Tensor::randn({3, 5}).requires_grad_(), b1 = Tensor::zeros({5}).requires_grad_();
  Tensor w2 = Tensor::randn({5, 2}).requires_grad_(), b2 = Tensor::zeros({2}).requires_grad_();
  Tensor loss = cross_entropy(matmul(relu(matmul(x, w1) + b1), w2) + b2, y);
  std::string visited;
  for (const auto& node : autograd::backward_order(loss))
    visited += std::string(node->name()) + " ";
  CHECK(visited == "cross_entropy add matmul relu add matmul ");
  std::string dot = autograd::to_dot(loss, {{"w1", w1}, {"b1", b1}, {"w2", w2}, {"b2", b2}});
  CHECK(dot.find("label=\"w1\\n[3, 5]\"") != std::string::npos);
  CHECK(dot.find("label=\"b2\\n[2]\"") != std::string::npos);
}

TEST_CASE("backward_order puts a shared node after all of its consumers") {
  Tensor x = Tensor::ones({2}).requires_grad_();
  Tensor shared = exp(x);
  Tensor loss = (shared * 2.0f + shared.sqrt()).sum();  // two paths from shared to loss
  std::vector<std::string> order;
  for (const auto& node : autograd::backward_order(loss)) order.push_back(node->name());
  REQUIRE(order.size() == 5);
  CHECK(order.front() == "sum");
  CHECK(order.back() == "exp");  // visited once, after both mul and sqrt
}
