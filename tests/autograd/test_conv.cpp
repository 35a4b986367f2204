// test_conv.cpp — conv2d and the fused conv2d_relu (ops/conv.cpp): gradchecks over geometries,
// on both kernel paths (direct AVX2/AVX-512 and im2col + GEMM), and conv2d_relu against
// relu(conv2d) in values and gradients.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "../../autograd/ops.hpp"
#include "../../tensor/kernels.hpp"
#include "../../tensor/random.hpp"
#include "../../tensor/runtime/cpu_features.hpp"
#include "helpers.hpp"

using namespace ember;
using namespace ember::test;
using Inputs = std::vector<Tensor>;

namespace {

void check_same(const Tensor& got, const Tensor& expected, float tolerance = 1e-5f) {
  REQUIRE(got.shape() == expected.shape());
  std::vector<float> g = got.to_vector(), e = expected.to_vector();
  int bad = 0;
  for (size_t i = 0; i < g.size(); ++i)
    if (!(std::abs(g[i] - e[i]) <= tolerance * std::max(1.0f, std::abs(e[i])))) ++bad;
  CHECK(bad == 0);
}

}  // namespace

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

TEST_CASE("conv2d: gradcheck through the direct kernels (16 output channels)") {
  manual_seed(42);
  Tensor x = param({2, 3, 5, 4});
  Tensor w = param({16, 3, 3, 3});
  Tensor b = param({16});
  CHECK_GRADCHECK([](const Inputs& in) { return conv2d(in[0], in[1], in[2], 1, 1); }, {x, w, b});
  CHECK_GRADCHECK([](const Inputs& in) { return conv2d(in[0], in[1], in[2], 2, 0, 1); },
                  {x, w, b});
}

TEST_CASE("conv2d_relu equals relu(conv2d): output and all three gradients, both kernel paths") {
  manual_seed(41);
  const bool before = kernels::direct_conv_enabled();
  for (int64_t out_channels : {3, 16, 32}) {
    for (bool direct : {true, false}) {
      CAPTURE(out_channels);
      CAPTURE(direct);
      kernels::set_direct_conv(direct);
      Tensor x = param({2, 3, 7, 6}), w = param({out_channels, 3, 3, 3}), b = param({out_channels});
      Tensor dy = Tensor::randn({2, out_channels, 4, 6});
      Tensor fused = conv2d_relu(x, w, b, {2, 1}, {1, 1});
      (fused * dy).sum().backward();
      const Tensor gx = x.grad(), gw = w.grad(), gb = b.grad();
      x.zero_grad(), w.zero_grad(), b.zero_grad();
      Tensor composed = relu(conv2d(x, w, b, {2, 1}, {1, 1}));
      (composed * dy).sum().backward();
      check_same(fused, composed);
      check_same(gx, x.grad());
      check_same(gw, w.grad());
      check_same(gb, b.grad());
    }
  }
  kernels::set_direct_conv(before);
}

TEST_CASE("conv2d_relu in a first layer: the mask and dbias applied while dout is packed") {
  // The images need no gradient, so the node asks for d weight and dbias
  // only, and the direct kernels mask dout as they pack it (kernels.hpp).
  // Checked against the same layer with images that want a gradient (the
  // mask as a pass of its own, then the same kernels: d weight bit for bit)
  // and against relu(conv2d) on im2col + GEMM (sums of up to 2,352 products
  // in another order: 1e-4), with 1 and 3 input channels, 6 (an 8-wide
  // panel padded with zeros), 16, 32 and 64 output channels, 'same'
  // padding and a stride, on both instruction sets.
  manual_seed(43);
  struct Case {
    int64_t c, o, size, stride, pad;
  };
  const bool direct_before = kernels::direct_conv_enabled();
  const bool avx512_before = kernels::avx512_enabled();
  for (const Case& t : {Case{1, 32, 28, 1, 1}, Case{1, 6, 12, 1, 2}, Case{3, 16, 9, 2, 1},
                        Case{1, 64, 10, 1, 0}}) {
    for (bool avx512 : {true, false}) {
      if (avx512 && !kernels::avx512_supported()) continue;
      CAPTURE(t.o);
      CAPTURE(avx512);
      kernels::set_avx512(avx512);
      const int64_t k = t.pad == 2 ? 5 : 3;
      Tensor x = Tensor::randn({3, t.c, t.size, t.size});  // no gradient: a first layer
      Tensor w = param({t.o, t.c, k, k}), b = param({t.o});
      kernels::set_direct_conv(true);
      Tensor fused = conv2d_relu(x, w, b, {t.stride, t.stride}, {t.pad, t.pad});
      Tensor dy = Tensor::randn(fused.shape());
      (fused * dy).sum().backward();
      const Tensor gw = w.grad(), gb = b.grad();
      CHECK_FALSE(x.grad().defined());
      w.zero_grad(), b.zero_grad();
      Tensor xg = x.detach().requires_grad_();
      (conv2d_relu(xg, w, b, {t.stride, t.stride}, {t.pad, t.pad}) * dy).sum().backward();
      CHECK(gw.to_vector() == w.grad().to_vector());
      check_same(gb, b.grad(), 1e-6f);
      w.zero_grad(), b.zero_grad();
      kernels::set_direct_conv(false);
      Tensor composed = relu(conv2d(x, w, b, {t.stride, t.stride}, {t.pad, t.pad}));
      (composed * dy).sum().backward();
      check_same(fused, composed);
      check_same(gw, w.grad(), 1e-4f);
      check_same(gb, b.grad(), 1e-4f);
    }
  }
  kernels::set_direct_conv(direct_before);
  kernels::set_avx512(avx512_before);
}

TEST_CASE("conv2d_relu_backward names the shapes it expected") {
  Tensor x = Tensor::randn({2, 1, 5, 5}), w = Tensor::randn({4, 1, 3, 3});
  const kernels::Conv2dGeometry g{1, 1, 1, 1, 1, 1};
  Tensor out = kernels::conv2d(x, w, Tensor(), g, true);
  CHECK_THROWS_WITH_AS(
      kernels::conv2d_relu_backward(Tensor::ones({2, 4, 5, 5}), Tensor::ones({2, 4, 4, 5}), x, w,
                                    g, false, true, true),
      "conv2d_relu_backward: dout [2, 4, 5, 5] and out [2, 4, 4, 5] must both be [2, 4, 5, 5] "
      "for input [2, 1, 5, 5] and weight [4, 1, 3, 3]",
      ShapeError);
  (void)out;
}
