// test_matmul_conv.cpp — matmul, linear, conv2d and pooling: gradients and gradchecks.
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

TEST_CASE("conv2d: gradcheck over strides, paddings and dilations, with and without bias") {
  manual_seed(33);
  struct Case {
    int64_t stride, padding, dilation, k;
  };
  for (const Case& c :
       std::vector<Case>{{1, 0, 1, 3}, {2, 1, 1, 3}, {1, 2, 2, 3}, {3, 1, 1, 2}, {1, 0, 1, 1}}) {
    CAPTURE(c.stride);
    CAPTURE(c.padding);
    CAPTURE(c.dilation);
    Tensor x = param({2, 3, 7, 6});
    Tensor w = param({4, 3, c.k, c.k});
    Tensor b = param({4});
    CHECK_GRADCHECK(
        [&](const Inputs& in) {
          return conv2d(in[0], in[1], in[2], c.stride, c.padding, c.dilation);
        },
        {x, w, b});
  }
  // Rectangular geometry through the pair overload, no bias, transposed input.
  Tensor x = param({1, 2, 6, 7});
  Tensor w = param({3, 2, 2, 3});
  CHECK_GRADCHECK(
      [](const Inputs& in) {
        return conv2d(in[0].transpose(2, 3), in[1], Tensor(), {2, 1}, {1, 0}, {1, 2});
      },
      {x, w});
}

TEST_CASE("conv2d skips dinput for an input that needs no gradient") {
  Tensor x = Tensor::randn({1, 1, 4, 4});
  Tensor w = Tensor::randn({1, 1, 3, 3}).requires_grad_();
  conv2d(x, w).sum().backward();
  CHECK(w.grad().defined());
  CHECK_FALSE(x.grad().defined());
}

TEST_CASE("pooling: gradcheck over kernels, strides and paddings") {
  manual_seed(34);
  struct Case {
    int64_t kernel, stride, padding;
  };
  // Distinct values (no ties): a permutation of a grid with spacing 0.05.
  Tensor base = Tensor::empty({2, 2, 6, 7});
  std::vector<float> keys = Tensor::rand({base.numel()}).to_vector();
  for (int64_t i = 0; i < base.numel(); ++i) {
    int64_t rank = 0;
    for (float k : keys) rank += k < keys[static_cast<size_t>(i)];
    base.data()[i] = 0.05f * static_cast<float>(rank) - 4.0f;
  }
  for (const Case& c :
       std::vector<Case>{{2, 0, 0}, {2, 2, 0}, {3, 1, 0}, {3, 2, 1}, {2, 1, 1}, {3, 3, 1}}) {
    CAPTURE(c.kernel);
    CAPTURE(c.stride);
    CAPTURE(c.padding);
    Tensor x = base.clone().requires_grad_();
    CHECK_GRADCHECK(
        [&](const Inputs& in) { return max_pool2d(in[0], c.kernel, c.stride, c.padding); }, {x});
    CHECK_GRADCHECK(
        [&](const Inputs& in) { return avg_pool2d(in[0], c.kernel, c.stride, c.padding); }, {x});
  }
  Tensor x = base.clone().requires_grad_();
  CHECK_GRADCHECK(
      [](const Inputs& in) {
        return max_pool2d(in[0].transpose(2, 3), {2, 3}, {1, 2}, {1, 0});
      },
      {x});
  CHECK_GRADCHECK(
      [](const Inputs& in) {
        return avg_pool2d(in[0].transpose(2, 3), {2, 3}, {1, 2}, {1, 1});
      },
      {x});
}

TEST_CASE("max_pool2d routes the gradient to each window's maximum") {
  Tensor x = Tensor::from_vector({1, 5, 2, 0, 3, 4, 8, 7, 6, 9, 1, 2, 0, 3, 4, 5}, {1, 1, 4, 4})
                 .requires_grad_();
  Tensor y = max_pool2d(x, 2);  // windows' maxima: 5, 8, 9, 5
  check_near(y, {5, 8, 9, 5});
  y.sum().backward();
  check_near(x.grad(), {0, 1, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1});
}
