// helpers.hpp — shared by the autograd tests: random leaves and a gradcheck macro.
#pragma once

#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "../../autograd/gradcheck.hpp"
#include "../../autograd/tensor.hpp"

namespace ember::test {

// A leaf of N(0, 1) values that requires grad.
inline Tensor param(const Shape& shape) { return Tensor::randn(shape).requires_grad_(); }

// Like param, but every value is at least `margin` away from 0, so
// finite differences of relu-like ops never straddle the kink.
inline Tensor param_off_zero(const Shape& shape, float margin = 0.1f) {
  Tensor t = Tensor::randn(shape);
  for (int64_t i = 0; i < t.numel(); ++i) {
    float& v = t.data()[i];
    if (std::abs(v) < margin) v = v < 0 ? v - margin : v + margin;
  }
  return t.requires_grad_();
}

// Positive values in [lo, hi): for log, sqrt, division.
inline Tensor param_positive(const Shape& shape, float lo = 0.5f, float hi = 2.0f) {
  return Tensor::uniform(shape, lo, hi).requires_grad_();
}

inline void check_near(const Tensor& t, const std::vector<float>& expected, float tol = 1e-5f) {
  std::vector<float> v = t.to_vector();
  REQUIRE(v.size() == expected.size());
  for (size_t i = 0; i < v.size(); ++i) CHECK(v[i] == doctest::Approx(expected[i]).epsilon(tol));
}

}  // namespace ember::test

// Runs gradcheck and, on failure, prints its report (worst element and values).
#define CHECK_GRADCHECK(...)                                           \
  do {                                                                 \
    auto gradcheck_result = ::ember::autograd::gradcheck(__VA_ARGS__); \
    CHECK_MESSAGE(gradcheck_result.ok, gradcheck_result.report);       \
  } while (0)
