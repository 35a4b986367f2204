// test_pool.cpp — max and average pooling (ops/pool.cpp): gradient routing and gradchecks.
#include <doctest/doctest.h>

#include "../../autograd/ops.hpp"
#include "../../tensor/random.hpp"
#include "helpers.hpp"

using namespace ember;
using namespace ember::test;
using Inputs = std::vector<Tensor>;

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
