// test_reduce.cpp — reductions and the softmax family against direct loops and
// sum_reference (tensor/reduce_reference.cpp).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "ember.hpp"

using namespace ember;
namespace k = ember::kernels;

TEST_CASE("sum and mean over any set of dims, with and without keepdim") {
  Tensor x = views::view(Tensor::arange(24), {2, 3, 4});
  CHECK(k::sum(x).item() == 276.0f);
  CHECK(k::sum(x).dim() == 0);
  Tensor s0 = k::sum(x, {0});
  CHECK(s0.shape() == Shape{3, 4});
  for (int64_t j = 0; j < 3; ++j)
    for (int64_t l = 0; l < 4; ++l) CHECK(s0.at({j, l}) == x.at({0, j, l}) + x.at({1, j, l}));
  Tensor s02 = k::sum(x, {0, -1}, true);
  CHECK(s02.shape() == Shape{1, 3, 1});
  for (int64_t j = 0; j < 3; ++j) {
    float expected = 0;
    for (int64_t i = 0; i < 2; ++i)
      for (int64_t l = 0; l < 4; ++l) expected += x.at({i, j, l});
    CHECK(s02.at({0, j, 0}) == expected);
  }
  CHECK(k::mean(x, {1}).at({1, 2}) == doctest::Approx((14 + 18 + 22) / 3.0));
  // Non-contiguous input gives the same sums as its contiguous copy.
  Tensor t = views::permute(x, {2, 0, 1});
  CHECK(k::sum(t, {1}).to_vector() == k::sum(k::contiguous(t), {1}).to_vector());
  CHECK_THROWS_AS(k::sum(x, {3}), IndexError);
}

TEST_CASE("sum equals sum_reference over layouts, dims and thread splits") {
  manual_seed(6);
  Tensor base = Tensor::randn({40, 6, 50});
  const std::vector<Tensor> inputs = {
      Tensor::randn({64, 3, 600}),           // dim 0 split over threads
      views::permute(base, {2, 0, 1}),        // [50, 40, 6], no unit stride last
      views::slice(base, 2, 1, 50, 4),        // stepped
      views::expand(Tensor::randn({7, 1, 5}), {7, 9, 5}),
      Tensor::scalar(2.5f),
      Tensor::zeros({0, 3}),
  };
  for (const Tensor& x : inputs) {
    CAPTURE(shape_str(x.shape()));
    std::vector<std::vector<int64_t>> dim_sets = {{}};
    for (int64_t d = 0; d < x.dim(); ++d) dim_sets.push_back({d});
    if (x.dim() >= 3) dim_sets.push_back({0, 2}), dim_sets.push_back({-1, 0});
    for (const auto& dims : dim_sets)
      for (bool keepdim : {false, true}) {
        const std::string reduced = shape_str(dims);
        CAPTURE(reduced);
        CAPTURE(keepdim);
        const Tensor got = k::sum(x, dims, keepdim), want = k::sum_reference(x, dims, keepdim);
        REQUIRE(got.shape() == want.shape());
        const std::vector<float> g = got.to_vector(), w = want.to_vector();
        for (size_t i = 0; i < g.size(); ++i)
          CHECK(std::abs(g[i] - w[i]) <= 1e-6f * std::max(1.0f, std::abs(w[i])));
      }
  }
  CHECK_THROWS_AS(k::sum_reference(Tensor::zeros({2, 3}), {2}), IndexError);
}

TEST_CASE("sum accumulates in double: a million 0.1s sum to 100000") {
  Tensor x = Tensor::full({1000000}, 0.1f);
  CHECK(k::sum(x).item() == doctest::Approx(100000.0).epsilon(1e-6));
}

TEST_CASE("var is unbiased by default") {
  Tensor x = Tensor::from_vector({1, 2, 3, 4, 10, 20, 30, 40}, {2, 4});
  CHECK(k::var(x, {1}).to_vector()[0] == doctest::Approx(5.0 / 3.0));
  CHECK(k::var(x, {1}, false).to_vector()[1] == doctest::Approx(125.0));
  CHECK(k::var(x).item() == doctest::Approx(1517.5 / 7.0));  // mean 13.75, squared deviations sum to 1517.5
}

TEST_CASE("max/min/argmax return values and indices along a dim") {
  Tensor x = Tensor::from_vector({3, 9, 1, 7, 2, 8}, {2, 3});
  auto [v, i] = k::max(x, 1);
  CHECK(v.to_vector() == std::vector<float>{9, 8});
  CHECK(i.to_vector() == std::vector<float>{1, 2});
  auto [v0, i0] = k::min(x, 0, true);
  CHECK(v0.shape() == Shape{1, 3});
  CHECK(v0.to_vector() == std::vector<float>{3, 2, 1});
  CHECK(i0.to_vector() == std::vector<float>{0, 1, 0});
  CHECK(k::argmax(views::transpose(x, 0, 1), 0).to_vector() == std::vector<float>{1, 2});
  CHECK(k::max(x).item() == 9.0f);
  CHECK(k::min(x).item() == 1.0f);
  CHECK_THROWS_WITH_AS(k::max(Tensor::zeros({0, 3}), 0),
                       "max: cannot reduce an empty tensor of shape [0, 3]", ShapeError);
}

TEST_CASE("sum_to undoes broadcasting") {
  Tensor g = Tensor::ones({2, 3, 4});
  CHECK(k::sum_to(g, {3, 1}).to_vector() == std::vector<float>{8, 8, 8});
  CHECK(k::sum_to(g, {}).item() == 24.0f);
  CHECK(k::sum_to(g, {1, 4}).to_vector() == std::vector<float>{6, 6, 6, 6});
  CHECK_THROWS_AS(k::sum_to(g, {5}), ShapeError);
}

TEST_CASE("softmax, log_softmax and logsumexp are stable and agree with each other") {
  Tensor x = Tensor::from_vector({1000, 1001, 1002, -5, 0, 5}, {2, 3});
  Tensor p = k::softmax(x, 1);
  // exp(-2), exp(-1), exp(0) normalized: the shift by the max is what keeps it finite.
  double z = std::exp(-2.0) + std::exp(-1.0) + 1.0;
  CHECK(p.at({0, 0}) == doctest::Approx(std::exp(-2.0) / z));
  CHECK(p.at({0, 2}) == doctest::Approx(1.0 / z));
  Tensor lp = k::log_softmax(x, -1);
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t j = 0; j < 3; ++j)
      CHECK(lp.at({i, j}) == doctest::Approx(std::log(p.at({i, j}))).epsilon(1e-5));
  Tensor lse = k::logsumexp(x, 1);
  CHECK(lse.at({0}) == doctest::Approx(1002.0 + std::log(z)));
  CHECK(lse.at({1}) == doctest::Approx(5.0 + std::log(std::exp(-10.0) + std::exp(-5.0) + 1.0)));
  // Along dim 0 (not last): columns sum to one.
  Tensor p0 = k::softmax(x, 0);
  CHECK(p0.shape() == Shape{2, 3});
  for (int64_t j = 0; j < 3; ++j) CHECK(p0.at({0, j}) + p0.at({1, j}) == doctest::Approx(1.0));
  CHECK(p0.at({1, 0}) == doctest::Approx(0.0).epsilon(1e-6));
  CHECK(k::logsumexp(Tensor::full({2}, -INFINITY), 0).item() == -INFINITY);
}

TEST_CASE("sums and softmax of empty tensors: zeros and empty results, as in PyTorch") {
  const Tensor x = Tensor::zeros({0, 3});
  CHECK(k::sum(x).item() == 0.0f);
  CHECK(k::sum(x, {0}).to_vector() == std::vector<float>{0, 0, 0});
  CHECK(k::sum(x, {1}).shape() == Shape{0});
  CHECK(k::sum(Tensor::zeros({4, 0, 2}), {0, 2}).shape() == Shape{0});
  CHECK(k::softmax(x, 1).shape() == Shape{0, 3});
  CHECK(k::log_softmax(x, 1).shape() == Shape{0, 3});
  CHECK(k::logsumexp(x, 1).shape() == Shape{0});
  CHECK(k::softmax(Tensor::zeros({2, 0}), 1).shape() == Shape{2, 0});
}
