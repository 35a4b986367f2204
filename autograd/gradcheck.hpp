// gradcheck.hpp — checking analytic gradients against finite differences.
//
// For f = fn(inputs), gradcheck forms the scalar L = sum(w * f) with fixed
// random weights w (so a wrong gradient cannot hide behind a symmetric loss,
// e.g. one summed over a softmax), computes dL/dx by backward, and compares
// every element with the central difference
//   (L(x + eps) - L(x - eps)) / 2 eps.
// An element passes when |analytic - numeric| <= atol + rtol * max(|analytic|, |numeric|).
// Everything runs in float32, so the defaults (eps 1e-3, tolerances 1e-2) are
// loose enough for float rounding and tight enough to catch a wrong formula.
// Keep inputs away from kinks (relu at 0, max ties, clamp bounds), where the
// difference quotient straddles two slopes.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "tensor.hpp"

namespace ember::autograd {

struct GradcheckResult {
  bool ok = true;
  // The worst element: which input, which (row-major) element, both values.
  int64_t input = -1;
  int64_t element = -1;
  double analytic = 0.0;
  double numeric = 0.0;
  std::string report;  // a sentence saying all of the above
  explicit operator bool() const { return ok; }
};

// Inputs that require grad are checked; the others are constants. Inputs are
// perturbed in place one element at a time (and restored), so they must not
// overlap in memory (no expanded leaves). fn must be deterministic: reseed
// inside it if it draws random numbers (dropout).
GradcheckResult gradcheck(const std::function<Tensor(const std::vector<Tensor>&)>& fn,
                          const std::vector<Tensor>& inputs, float eps = 1e-3f, float atol = 1e-2f,
                          float rtol = 1e-2f);

}  // namespace ember::autograd
