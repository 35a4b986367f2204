// test_norm.cpp — batch_norm (ops/norm.cpp) in training and eval: PyTorch values, running
// statistics, gradchecks and errors.
#include <doctest/doctest.h>

#include "../../autograd/ops.hpp"
#include "../../tensor/random.hpp"
#include "helpers.hpp"

using namespace ember;
using namespace ember::test;
using Inputs = std::vector<Tensor>;

TEST_CASE("batch_norm forward and running statistics match PyTorch") {
  // From /usr/bin/python3, torch 1.13:
  //   x = [[1, 2], [3, 5], [-1, 0.5]]; rm = [0.5, -0.5]; rv = [2, 1]; w = [1.5, -1]; b = [0.1, 0.2]
  //   F.batch_norm(x, rm, rv, w, b, training=True, momentum=0.1, eps=1e-5)  (updates rm, rv)
  //   F.batch_norm(x, rm, rv, w, b, training=False)                          (with the updated rm,
  //   rv)
  Tensor x = Tensor::from_vector({1, 2, 3, 5, -1, 0.5f}, {3, 2});
  Tensor rm = Tensor::from_vector({0.5f, -0.5f}, {2});
  Tensor rv = Tensor::from_vector({2, 1}, {2});
  Tensor w = Tensor::from_vector({1.5f, -1}, {2});
  Tensor b = Tensor::from_vector({0.1f, 0.2f}, {2});
  Tensor y = batch_norm(x, rm, rv, w, b, /*training=*/true, 0.1f, 1e-5f);
  check_near(y, {0.10000002384185791f, 0.46726083755493164f, 1.937113881111145f,
                 -1.136304259300232f, -1.7371138334274292f, 1.2690434455871582f});
  check_near(rm, {0.550000011920929f, -0.19999998807907104f});
  check_near(rv, {2.200000047683716f, 1.4249999523162842f});
  Tensor ye = batch_norm(x, rm, rv, w, b, /*training=*/false, 0.1f, 1e-5f);
  check_near(ye, {0.5550838708877563f, -1.6429506540298462f, 2.577678680419922f,
                  -4.156064987182617f, -1.4675110578536987f, -0.38639336824417114f});
  check_near(rm, {0.550000011920929f, -0.19999998807907104f});  // eval leaves them alone
}

TEST_CASE(
    "batch_norm: gradcheck in training and eval, [N,C] and [N,C,H,W], with and without affine") {
  manual_seed(41);
  for (bool training : {true, false}) {
    CAPTURE(training);
    Tensor x2 = param({6, 3});
    Tensor x4 = param({2, 3, 3, 2});
    Tensor w = param_positive({3});
    Tensor b = param({3});
    // Fresh running stats per call, so repeated evaluations see the same ones.
    auto bn = [training](const Tensor& x, const Tensor& weight, const Tensor& bias) {
      Tensor rm = Tensor::from_vector({0.1f, -0.2f, 0.3f}, {3});
      Tensor rv = Tensor::from_vector({1.5f, 0.5f, 2.0f}, {3});
      return batch_norm(x, rm, rv, weight, bias, training, 0.1f, 1e-5f);
    };
    CHECK_GRADCHECK([&](const Inputs& in) { return bn(in[0], in[1], in[2]); }, {x2, w, b});
    CHECK_GRADCHECK([&](const Inputs& in) { return bn(in[0], in[1], in[2]); }, {x4, w, b});
    CHECK_GRADCHECK([&](const Inputs& in) { return bn(in[0], Tensor(), Tensor()); }, {x4});
    Tensor xt = param({3, 6});  // non-contiguous: used transposed
    CHECK_GRADCHECK([&](const Inputs& in) { return bn(in[0].t(), in[1], in[2]); }, {xt, w, b});
  }
}

TEST_CASE("batch_norm errors name the op and the shapes") {
  Tensor x = Tensor::ones({4, 3});
  CHECK_THROWS_WITH_AS(
      batch_norm(x, Tensor::zeros({2}), Tensor::ones({2}), Tensor(), Tensor(), true),
      doctest::Contains("running_mean of shape [2] for input of shape [4, 3]"), ShapeError);
  CHECK_THROWS_WITH_AS(
      batch_norm(Tensor::ones({1, 3}), Tensor(), Tensor(), Tensor(), Tensor(), true),
      doctest::Contains("more than 1 value per channel"), ValueError);
}
