// test_matmul.cpp — matmul and linear (ops/matmul.cpp): gradients and gradchecks.
#include <doctest/doctest.h>

#include <string>

#include "../../autograd/ops.hpp"
#include "../../tensor/random.hpp"
#include "helpers.hpp"

using namespace ember;
using namespace ember::test;
using Inputs = std::vector<Tensor>;

TEST_CASE("matmul: hand-worked gradient") {
  // C = A B with A [1,2], B [2,1]: dA = B^T, dB = A^T.
  Tensor a = Tensor::from_vector({1, 2}, {1, 2}).requires_grad_();
  Tensor b = Tensor::from_vector({3, 4}, {2, 1}).requires_grad_();
  Tensor c = matmul(a, b);
  CHECK(c.item() == 11);
  c.sum().backward();
  check_near(a.grad(), {3, 4});
  check_near(b.grad(), {1, 2});
}

TEST_CASE("matmul: gradcheck for 2-D, batched, broadcast batch, 1-D and transposed operands") {
  manual_seed(31);
  struct Case {
    Shape a, b;
  };
  for (const Case& c : std::vector<Case>{{{3, 4}, {4, 2}},
                                         {{2, 3, 4}, {2, 4, 5}},
                                         {{2, 3, 4}, {4, 5}},        // weight shared by the batch
                                         {{3, 4}, {2, 4, 5}},        // lhs broadcast over the batch
                                         {{2, 1, 3, 4}, {3, 4, 2}},  // both batch dims broadcast
                                         {{4}, {4, 3}},
                                         {{3, 4}, {4}},
                                         {{4}, {4}},
                                         {{2, 3, 4}, {4}},
                                         {{4}, {2, 4, 3}}}) {
    CAPTURE(shape_str(c.a));
    CAPTURE(shape_str(c.b));
    Tensor a = param(c.a), b = param(c.b);
    CHECK_GRADCHECK([](const Inputs& in) { return matmul(in[0], in[1]); }, {a, b});
  }
  Tensor at = param({4, 3}), bt = param({5, 4});
  CHECK_GRADCHECK([](const Inputs& in) { return matmul(in[0].t(), in[1].t()); }, {at, bt});
  Tensor as = param({3, 8});
  CHECK_GRADCHECK([](const Inputs& in) { return matmul(in[0].slice(1, 0, 8, 2), in[1].t()); },
                  {as, bt});
}

TEST_CASE("linear equals matmul with the transposed weight plus bias, in value and gradient") {
  manual_seed(32);
  Tensor x = param({5, 4}), w = param({3, 4}), b = param({3});
  Tensor expected = matmul(x, w.t()) + b;
  Tensor y = linear(x, w, b);
  check_near(y, expected.to_vector(), 1e-5f);
  CHECK_GRADCHECK([](const Inputs& in) { return linear(in[0], in[1], in[2]); }, {x, w, b});
  CHECK_GRADCHECK([](const Inputs& in) { return linear(in[0], in[1]); }, {x, w});
  Tensor x3 = param({2, 3, 4});  // leading dims fold into the rows
  CHECK_GRADCHECK([](const Inputs& in) { return linear(in[0], in[1], in[2]); }, {x3, w, b});
  Tensor xt = param({4, 5}), wt = param({4, 3});  // transposed views of both
  CHECK_GRADCHECK([](const Inputs& in) { return linear(in[0].t(), in[1].t(), in[2]); },
                  {xt, wt, b});
  CHECK_THROWS_WITH_AS(linear(x, Tensor::ones({3, 5})), doctest::Contains("[5, 4]"), ShapeError);
}
