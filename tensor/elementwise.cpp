// elementwise.cpp — unary and binary kernels with NumPy broadcasting.
//
// Every kernel is one lambda run through unary() or binary() below, which
// walk any strided layout via strided_loop and keep a stride-1 fast path the
// compiler vectorizes. Outputs are fresh contiguous tensors.
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>

#include "kernels.hpp"
#include "runtime/parallel.hpp"
#include "strided_loop.hpp"
#include "views.hpp"

namespace ember::kernels {
namespace {

template <class F>
Tensor unary(const Tensor& x, F f) {
  Tensor out = Tensor::empty(x.shape());
  float* o = out.data();
  const float* base = x.storage()->data;
  if (x.is_contiguous()) {
    const float* p = x.data();
    detail::parallel_for(x.numel(), detail::kElementGrain, [&](int64_t lo, int64_t hi, int64_t) {
      for (int64_t i = lo; i < hi; ++i) o[i] = f(p[i]);
    });
    return out;
  }
  detail::strided_loop<2>(x.shape(), {out.strides(), x.strides()}, {0, x.offset()},
                          [&](std::array<int64_t, 2> off, int64_t n, std::array<int64_t, 2> st) {
                            float* op = o + off[0];
                            const float* p = base + off[1];
                            for (int64_t i = 0; i < n; ++i) op[i * st[0]] = f(p[i * st[1]]);
                          });
  return out;
}

template <class F>
Tensor binary(const Tensor& a, const Tensor& b, const char* op, F f) {
  Shape shape = broadcast_shapes(a.shape(), b.shape(), op);
  Tensor out = Tensor::empty(shape);
  float* o = out.storage()->data;
  const float* pa = a.storage()->data;
  const float* pb = b.storage()->data;
  const std::array<Strides, 3> strides{out.strides(),
                                       broadcast_strides(a.shape(), a.strides(), shape),
                                       broadcast_strides(b.shape(), b.strides(), shape)};
  // Threads split the outermost dim: each chunk is the same loop over a
  // slab [lo, hi) of it, starting that many dim-0 strides further on.
  const int64_t outer = shape.empty() ? 1 : shape[0];
  const int64_t grain = detail::row_grain(out.numel() / std::max<int64_t>(outer, 1));
  detail::parallel_for(outer, grain, [&](int64_t lo, int64_t hi, int64_t) {
    Shape slab = shape;
    std::array<int64_t, 3> start{0, a.offset(), b.offset()};
    if (!slab.empty()) {
      slab[0] = hi - lo;
      for (size_t k = 0; k < 3; ++k) start[k] += lo * strides[k][0];
    }
    detail::strided_loop<3>(
      slab, strides, start,
      [&](std::array<int64_t, 3> off, int64_t n, std::array<int64_t, 3> st) {
        float* op_ = o + off[0];
        const float* x = pa + off[1];
        const float* y = pb + off[2];
        if (st[1] == 1 && st[2] == 1) {
          for (int64_t i = 0; i < n; ++i) op_[i] = f(x[i], y[i]);
        } else if (st[1] == 1 && st[2] == 0) {
          const float yv = *y;
          for (int64_t i = 0; i < n; ++i) op_[i] = f(x[i], yv);
        } else if (st[1] == 0 && st[2] == 1) {
          const float xv = *x;
          for (int64_t i = 0; i < n; ++i) op_[i] = f(xv, y[i]);
        } else {
          for (int64_t i = 0; i < n; ++i) op_[i] = f(x[i * st[1]], y[i * st[2]]);
        }
      });
  });
  return out;
}

// tanh in a form the compiler vectorizes (std::tanh is a call per element,
// tens of times slower than a vectorized formula, and LeNet-5's tanh layers
// were a third of its step): tanh a = a * P(a^2) / Q(a^2) for a = |x|, P of degree 6 and Q of
// degree 3 in a^2 (odd degree 13 over even degree 6 in a), with Eigen's
// coefficients for float tanh (Eigen/src/Core/MathFunctionsImpl.h, MPL 2.0).
// One division and eleven multiply-adds, where the exp-based formula before
// it (1 - 2 / (e^2a + 1), a Taylor series below 0.25) took a division and
// about twice the other work (timings: bench/README.md). a is clamped
// at 7.90531 (Eigen's bound; P/Q gives 0.99999976 there), results are 1 from
// a = 9 (tanh rounds to 1.0f from 9.0109), and below a = 0.0004 tanh a is a
// (a * P would lose bits for subnormal a).
// Exhaustively over the floats in [0, 12] against tanh in double: within
// 2.92e-7 relative error (4.9 ulp) compiled with FMA, 4.1e-7 (6.9 ulp)
// without (-Dnative=false); the exp-based formula reached 3.39e-7 and
// 3.21e-7. NaN stays NaN, tanh(-0) = -0, tanh(+-inf) = +-1.
// Integer compares and bit selects only: with float compares the compiler
// may branch around the division (it may not speculate it), and the loop
// stays scalar. For non-negative floats the bit patterns order like the values.
[[gnu::always_inline]] inline float tanh_of(float v) {
  const uint32_t v_bits = std::bit_cast<uint32_t>(v);
  const uint32_t a_bits = v_bits & 0x7fffffffu;
  constexpr uint32_t kClamp = std::bit_cast<uint32_t>(7.90531110763549805f);
  const float a = std::bit_cast<float>(std::min(a_bits, kClamp));
  const float a2 = a * a;
  float p = -2.76076847742355e-16f;
  p = p * a2 + 2.00018790482477e-13f;
  p = p * a2 - 8.60467152213735e-11f;
  p = p * a2 + 5.12229709037114e-08f;
  p = p * a2 + 1.48572235717979e-05f;
  p = p * a2 + 6.37261928875436e-04f;
  p = p * a2 + 4.89352455891786e-03f;
  float q = 1.19825839466702e-06f;
  q = q * a2 + 1.18534705686654e-04f;
  q = q * a2 + 2.26843463243900e-03f;
  q = q * a2 + 4.89352518554385e-03f;
  const float t = a * p / q;
  const uint32_t tiny = 0u - static_cast<uint32_t>(a_bits < std::bit_cast<uint32_t>(0.0004f));
  const uint32_t one = 0u - static_cast<uint32_t>(a_bits >= std::bit_cast<uint32_t>(9.0f));
  const uint32_t is_nan = 0u - static_cast<uint32_t>(a_bits > 0x7f800000u);
  uint32_t r = (std::bit_cast<uint32_t>(t) & ~(tiny | one)) | (a_bits & tiny) |
               (std::bit_cast<uint32_t>(1.0f) & one);
  r |= v_bits & 0x80000000u;                                        // odd
  return std::bit_cast<float>((r & ~is_nan) | (v_bits & is_nan));  // NaN in, NaN out
}

float sigmoid_of(float v) {
  // Split by sign so exp never overflows.
  if (v >= 0) return 1.0f / (1.0f + std::exp(-v));
  float e = std::exp(v);
  return e / (1.0f + e);
}

}  // namespace

Tensor add(const Tensor& a, const Tensor& b) {
  return binary(a, b, "add", [](float x, float y) { return x + y; });
}
Tensor sub(const Tensor& a, const Tensor& b) {
  return binary(a, b, "sub", [](float x, float y) { return x - y; });
}
Tensor mul(const Tensor& a, const Tensor& b) {
  return binary(a, b, "mul", [](float x, float y) { return x * y; });
}
Tensor div(const Tensor& a, const Tensor& b) {
  return binary(a, b, "div", [](float x, float y) { return x / y; });
}
Tensor pow(const Tensor& a, const Tensor& b) {
  return binary(a, b, "pow", [](float x, float y) { return std::pow(x, y); });
}
Tensor maximum(const Tensor& a, const Tensor& b) {
  return binary(a, b, "maximum", [](float x, float y) { return x >= y ? x : y; });
}
Tensor minimum(const Tensor& a, const Tensor& b) {
  return binary(a, b, "minimum", [](float x, float y) { return x <= y ? x : y; });
}
Tensor eq(const Tensor& a, const Tensor& b) {
  return binary(a, b, "eq", [](float x, float y) { return x == y ? 1.0f : 0.0f; });
}
Tensor ne(const Tensor& a, const Tensor& b) {
  return binary(a, b, "ne", [](float x, float y) { return x != y ? 1.0f : 0.0f; });
}
Tensor lt(const Tensor& a, const Tensor& b) {
  return binary(a, b, "lt", [](float x, float y) { return x < y ? 1.0f : 0.0f; });
}
Tensor le(const Tensor& a, const Tensor& b) {
  return binary(a, b, "le", [](float x, float y) { return x <= y ? 1.0f : 0.0f; });
}
Tensor gt(const Tensor& a, const Tensor& b) {
  return binary(a, b, "gt", [](float x, float y) { return x > y ? 1.0f : 0.0f; });
}
Tensor ge(const Tensor& a, const Tensor& b) {
  return binary(a, b, "ge", [](float x, float y) { return x >= y ? 1.0f : 0.0f; });
}

Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b) {
  // Broadcast all three to one shape, then pick.
  Shape shape = broadcast_shapes(broadcast_shapes(cond.shape(), a.shape(), "where"),
                                 b.shape(), "where");
  Tensor c = views::expand(cond, shape), x = views::expand(a, shape), y = views::expand(b, shape);
  Tensor picked_a = binary(c, x, "where", [](float m, float v) { return m != 0.0f ? v : 0.0f; });
  Tensor picked_b = binary(c, y, "where", [](float m, float v) { return m != 0.0f ? 0.0f : v; });
  return add(picked_a, picked_b);
}

Tensor add(const Tensor& a, float b) {
  return unary(a, [b](float x) { return x + b; });
}
Tensor mul(const Tensor& a, float b) {
  return unary(a, [b](float x) { return x * b; });
}
Tensor pow(const Tensor& a, float e) {
  if (e == 2.0f) return unary(a, [](float x) { return x * x; });
  if (e == 0.5f) return unary(a, [](float x) { return std::sqrt(x); });
  return unary(a, [e](float x) { return std::pow(x, e); });
}
Tensor neg(const Tensor& x) {
  return unary(x, [](float v) { return -v; });
}
Tensor exp(const Tensor& x) {
  return unary(x, [](float v) { return std::exp(v); });
}
Tensor log(const Tensor& x) {
  return unary(x, [](float v) { return std::log(v); });
}
Tensor sqrt(const Tensor& x) {
  return unary(x, [](float v) { return std::sqrt(v); });
}
Tensor abs(const Tensor& x) {
  return unary(x, [](float v) { return std::fabs(v); });
}
Tensor sign(const Tensor& x) {
  return unary(x, [](float v) { return static_cast<float>((v > 0.0f) - (v < 0.0f)); });
}
Tensor tanh(const Tensor& x) {
  return unary(x, [](float v) { return tanh_of(v); });  // a lambda inlines; a function pointer does not
}
Tensor sigmoid(const Tensor& x) {
  return unary(x, [](float v) { return sigmoid_of(v); });
}
Tensor relu(const Tensor& x) {
  return unary(x, [](float v) { return v > 0.0f ? v : 0.0f; });
}
Tensor clamp(const Tensor& x, float lo, float hi) {
  EMBER_CHECK(lo <= hi, ValueError, "clamp: lo ", lo, " > hi ", hi);
  return unary(x, [lo, hi](float v) { return v < lo ? lo : (v > hi ? hi : v); });
}

Tensor map(const Tensor& x, const std::function<float(float)>& f) { return unary(x, f); }

Tensor map2(const Tensor& a, const Tensor& b, const std::function<float(float, float)>& f,
            const char* op) {
  return binary(a, b, op, f);
}

}  // namespace ember::kernels
