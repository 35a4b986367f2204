// test_conv_relu.cpp — the fused conv2d_relu against relu(conv2d), values and
// gradients, on both kernel paths (direct AVX2 and im2col + GEMM); and a
// gradcheck of conv2d where it runs the direct kernels (16 output channels).
#include <doctest/doctest.h>

#include <cmath>

#include "../../autograd/functions.hpp"
#include "../../tensor/kernels.hpp"
#include "../../tensor/random.hpp"
#include "helpers.hpp"

using namespace ember;
using namespace ember::test;
using Inputs = std::vector<Tensor>;

namespace {

void check_same(const Tensor& got, const Tensor& expected) {
  REQUIRE(got.shape() == expected.shape());
  std::vector<float> g = got.to_vector(), e = expected.to_vector();
  int bad = 0;
  for (size_t i = 0; i < g.size(); ++i)
    if (!(std::abs(g[i] - e[i]) <= 1e-5f * std::max(1.0f, std::abs(e[i])))) ++bad;
  CHECK(bad == 0);
}

}  // namespace

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

TEST_CASE("conv2d: gradcheck through the direct kernels (16 output channels)") {
  manual_seed(42);
  Tensor x = param({2, 3, 5, 4});
  Tensor w = param({16, 3, 3, 3});
  Tensor b = param({16});
  CHECK_GRADCHECK([](const Inputs& in) { return conv2d(in[0], in[1], in[2], 1, 1); }, {x, w, b});
  CHECK_GRADCHECK([](const Inputs& in) { return conv2d(in[0], in[1], in[2], 2, 0, 1); },
                  {x, w, b});
}
