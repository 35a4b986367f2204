// test_activation.cpp — nonlinearities (ops/activation.cpp): PyTorch values and prelu gradchecks.
// Their gradchecks on x are among the unary math cases in test_elementwise.cpp.
#include <doctest/doctest.h>

#include "../../autograd/ops.hpp"
#include "../../tensor/random.hpp"
#include "helpers.hpp"

using namespace ember;
using namespace ember::test;
using Inputs = std::vector<Tensor>;

TEST_CASE("activation forward values match PyTorch") {
  // Constants from /usr/bin/python3 with torch 1.13:
  //   x = [-2, -0.5, 0, 0.5, 3]; F.leaky_relu(x, 0.1), F.elu(x, 1.5), F.selu(x), F.softplus(x);
  //   F.prelu([[-1, 2], [3, -4]], [0.25, 0.5]).
  Tensor x = Tensor::from_vector({-2, -0.5f, 0, 0.5f, 3}, {5});
  check_near(leaky_relu(x, 0.1f), {-0.2f, -0.05f, 0, 0.5f, 3});
  check_near(elu(x, 1.5f), {-1.2969970703125f, -0.5902040004730225f, 0, 0.5f, 3});
  check_near(selu(x), {-1.5201665163040161f, -0.6917581558227539f, 0, 0.5253505110740662f,
                       3.1521029472351074f});
  check_near(softplus(x), {0.12692800164222717f, 0.4740769863128662f, 0.6931471824645996f,
                           0.9740769863128662f, 3.0485873222351074f});
  check_near(relu(x), {0, 0, 0, 0.5f, 3});
  check_near(softplus(Tensor::from_vector({100, -100}, {2})), {100, 0});  // no overflow
  Tensor xp = Tensor::from_vector({-1, 2, 3, -4}, {2, 2});
  check_near(prelu(xp, Tensor::from_vector({0.25f, 0.5f}, {2})), {-0.25f, 2, 3, -2});
}

TEST_CASE("prelu: gradcheck for x and the per-channel and shared slopes") {
  manual_seed(3);
  Tensor x = param_off_zero({2, 3, 2, 2});
  Tensor w = param_positive({3}, 0.1f, 0.5f);
  Tensor w1 = param_positive({1}, 0.1f, 0.5f);
  CHECK_GRADCHECK([](const Inputs& in) { return prelu(in[0], in[1]); }, {x, w});
  CHECK_GRADCHECK([](const Inputs& in) { return prelu(in[0], in[1]); }, {x, w1});
  CHECK_THROWS_WITH_AS(prelu(x, Tensor::ones({4})), doctest::Contains("expected [1] or [3]"),
                       ShapeError);
}
