// test_join.cpp — cat and stack: hand-worked layouts, non-contiguous inputs, errors.
#include <doctest/doctest.h>

#include "ember.hpp"

using namespace ember;
namespace k = ember::kernels;

TEST_CASE("cat joins along any dim, negative dims included") {
  Tensor a = Tensor::from_vector({1, 2, 3, 4}, {2, 2});
  Tensor b = Tensor::from_vector({5, 6}, {1, 2});
  Tensor rows = k::cat({a, b}, 0);
  CHECK(rows.shape() == Shape{3, 2});
  CHECK(rows.to_vector() == std::vector<float>{1, 2, 3, 4, 5, 6});
  Tensor c = Tensor::from_vector({7, 8, 9, 10, 11, 12}, {2, 3});
  Tensor cols = k::cat({a, c}, -1);
  CHECK(cols.shape() == Shape{2, 5});
  CHECK(cols.to_vector() == std::vector<float>{1, 2, 7, 8, 9, 3, 4, 10, 11, 12});
  // A middle dim of a 3-D tensor, with an empty part that contributes nothing.
  Tensor x = views::view(Tensor::arange(8), {2, 2, 2});
  Tensor y = k::cat({x, Tensor::zeros({2, 0, 2}), Tensor::full({2, 1, 2}, -1.0f)}, 1);
  CHECK(y.shape() == Shape{2, 3, 2});
  CHECK(y.to_vector() == std::vector<float>{0, 1, 2, 3, -1, -1, 4, 5, 6, 7, -1, -1});
}

TEST_CASE("cat reads non-contiguous inputs in logical order") {
  Tensor a = Tensor::from_vector({1, 2, 3, 4}, {2, 2});
  Tensor at = views::transpose(a, 0, 1);                            // [[1,3],[2,4]]
  Tensor ex = views::expand(Tensor::from_vector({9}, {1, 1}), {2, 1});  // stride 0
  Tensor r = k::cat({at, ex, a}, 1);
  CHECK(r.to_vector() == std::vector<float>{1, 3, 9, 1, 2, 2, 4, 9, 3, 4});
}

TEST_CASE("stack adds a new dim at any position") {
  Tensor a = Tensor::from_vector({1, 2, 3}, {3});
  Tensor b = Tensor::from_vector({4, 5, 6}, {3});
  Tensor s0 = k::stack({a, b}, 0);
  CHECK(s0.shape() == Shape{2, 3});
  CHECK(s0.to_vector() == std::vector<float>{1, 2, 3, 4, 5, 6});
  Tensor s1 = k::stack({a, b}, -1);
  CHECK(s1.shape() == Shape{3, 2});
  CHECK(s1.to_vector() == std::vector<float>{1, 4, 2, 5, 3, 6});
  Tensor scalars = k::stack({Tensor::scalar(1.0f), Tensor::scalar(2.0f)}, 0);
  CHECK(scalars.shape() == Shape{2});
  Tensor m = views::view(Tensor::arange(6), {2, 3});
  Tensor s2 = k::stack({m, k::mul(m, 10.0f)}, 1);  // [2, 2, 3]
  CHECK(s2.shape() == Shape{2, 2, 3});
  CHECK(s2.to_vector() == std::vector<float>{0, 1, 2, 0, 10, 20, 3, 4, 5, 30, 40, 50});
}

TEST_CASE("cat and stack errors name the shapes") {
  Tensor a = Tensor::ones({2, 3});
  CHECK_THROWS_WITH_AS(k::cat({a, Tensor::ones({2, 4})}, 0),
                       "cat: tensor 1 has shape [2, 4] but tensor 0 has [2, 3]: sizes must match "
                       "except in dim 0",
                       ShapeError);
  CHECK_THROWS_WITH_AS(k::cat({a, Tensor::ones({6})}, 0),
                       doctest::Contains("tensor 1 has shape [6] but tensor 0 has [2, 3]"),
                       ShapeError);
  CHECK_THROWS_WITH_AS(k::cat({a}, 2), doctest::Contains("dim 2 out of range"), IndexError);
  CHECK_THROWS_WITH_AS(k::cat({}, 0), "cat: needs at least one tensor", ValueError);
  CHECK_THROWS_WITH_AS(k::cat({Tensor::scalar(1.0f)}, 0), doctest::Contains("0-d"), ShapeError);
  CHECK_THROWS_WITH_AS(k::stack({a, Tensor::ones({3, 2})}, 0),
                       "stack: tensor 1 has shape [3, 2] but tensor 0 has [2, 3]: stack needs "
                       "equal shapes",
                       ShapeError);
  CHECK_THROWS_WITH_AS(k::stack({a, a}, 3), doctest::Contains("dim 3 out of range"), IndexError);
}
