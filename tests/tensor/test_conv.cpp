// test_conv.cpp — im2col/col2im and conv2d (forward and both backward products)
// against hand-worked values, the direct-loop references (tensor/conv_reference.cpp),
// and the adjoint identities of a bilinear map.
#include <doctest/doctest.h>

#include <cmath>

#include "ember.hpp"

using namespace ember;
namespace k = ember::kernels;

namespace {

void check_close(const Tensor& got, const Tensor& expected, float tol = 1e-4f) {
  REQUIRE(got.shape() == expected.shape());
  std::vector<float> g = got.to_vector(), e = expected.to_vector();
  for (size_t i = 0; i < g.size(); ++i) {
    INFO("element ", i, " of shape ", shape_str(got.shape()));
    CHECK(std::abs(g[i] - e[i]) <= tol * std::max(1.0f, std::abs(e[i])));
  }
}

double dot(const Tensor& a, const Tensor& b) {
  std::vector<float> x = a.to_vector(), y = b.to_vector();
  double s = 0.0;
  for (size_t i = 0; i < x.size(); ++i) s += static_cast<double>(x[i]) * y[i];
  return s;
}

struct ConvCase {
  const char* what;
  int64_t n, c, h, w, o, kh, kw;
  k::Conv2dGeometry g;
};

// Shapes and geometries every comparison below runs over.
const std::vector<ConvCase> kCases = {
    {"3x3 valid", 2, 3, 7, 6, 4, 3, 3, {}},
    {"3x3 same", 2, 2, 6, 6, 3, 3, 3, {.pad_h = 1, .pad_w = 1}},
    {"5x5 same", 1, 2, 8, 8, 2, 5, 5, {.pad_h = 2, .pad_w = 2}},
    {"stride 2", 2, 3, 9, 8, 2, 3, 3, {.stride_h = 2, .stride_w = 2, .pad_h = 1, .pad_w = 1}},
    {"stride 2x3, pad 0x2", 1, 2, 10, 9, 3, 3, 2,
     {.stride_h = 2, .stride_w = 3, .pad_h = 0, .pad_w = 2}},
    {"dilation 2", 2, 2, 9, 9, 3, 3, 3, {.pad_h = 2, .pad_w = 2, .dilation_h = 2, .dilation_w = 2}},
    {"dilation 2x1, stride 2", 1, 3, 11, 8, 2, 3, 2,
     {.stride_h = 2, .stride_w = 2, .pad_h = 1, .pad_w = 0, .dilation_h = 2, .dilation_w = 1}},
    {"1x1 pointwise", 2, 5, 4, 3, 6, 1, 1, {}},
    {"1x1 stride 2 (lowered)", 2, 3, 5, 5, 2, 1, 1, {.stride_h = 2, .stride_w = 2}},
    {"kernel equals padded input", 1, 2, 3, 4, 2, 5, 6, {.pad_h = 1, .pad_w = 1}},
    {"padding wider than the kernel reach", 1, 1, 2, 2, 1, 2, 2, {.pad_h = 3, .pad_w = 3}},
    // Output rows as long as input rows (im2col's one-copy-per-tap path):
    {"same width, valid height", 2, 2, 6, 5, 2, 3, 3, {.pad_h = 0, .pad_w = 1}},
    {"tall kernel, taps entirely in padding", 1, 2, 2, 3, 2, 7, 1, {.pad_h = 3}},
    {"same, dilation 2x3", 1, 2, 7, 8, 2, 3, 3,
     {.pad_h = 2, .pad_w = 3, .dilation_h = 2, .dilation_w = 3}},
};

}  // namespace

TEST_CASE("conv2d of a hand-worked 3x3 image") {
  // Values checked with torch.nn.functional.conv2d (PyTorch 1.13).
  Tensor x = Tensor::from_vector({1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 1, 3, 3});
  Tensor w = Tensor::from_vector({1, 2, 3, 4}, {1, 1, 2, 2});
  CHECK(k::conv2d(x, w, Tensor(), {}).to_vector() == std::vector<float>{37, 47, 67, 77});
  Tensor b = Tensor::from_vector({0.5f}, {1});
  k::Conv2dGeometry strided{.stride_h = 2, .stride_w = 2, .pad_h = 1, .pad_w = 1};
  CHECK(k::conv2d(x, w, b, strided).to_vector() == std::vector<float>{4.5, 18.5, 36.5, 77.5});
  k::Conv2dGeometry dilated{.pad_h = 1, .pad_w = 1, .dilation_h = 2, .dilation_w = 2};
  Tensor y = k::conv2d(x, w, Tensor(), dilated);
  CHECK(y.shape() == Shape{1, 1, 3, 3});
  CHECK(y.to_vector() == std::vector<float>{20, 36, 15, 36, 64, 26, 10, 16, 5});
  CHECK(k::conv2d_reference(x, w, Tensor(), dilated).to_vector() == y.to_vector());
}

TEST_CASE("im2col lays out receptive fields as columns; col2im is its adjoint") {
  // 1 channel 3x3, kernel 2x2, padding 1, stride 2 -> 2x2 outputs, 4 rows (one per tap).
  Tensor x = Tensor::from_vector({1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 3, 3});
  k::Conv2dGeometry g{.stride_h = 2, .stride_w = 2, .pad_h = 1, .pad_w = 1};
  Tensor cols = Tensor::empty({4, 4});
  k::im2col(x.data(), 1, 3, 3, 2, 2, g, cols.data());
  // Tap (0,0) reads pixel (2*oh-1, 2*ow-1): only (oh,ow) = (1,1) -> 5 is real.
  CHECK(cols.to_vector() == std::vector<float>{0, 0, 0, 5,    // tap (0,0)
                                               0, 0, 4, 6,    // tap (0,1)
                                               0, 2, 0, 8,    // tap (1,0)
                                               1, 3, 7, 9});  // tap (1,1)

  manual_seed(4);
  for (const ConvCase& c : kCases) {
    CAPTURE(c.what);
    Tensor image = Tensor::randn({c.c, c.h, c.w});
    Tensor y = k::conv2d_reference(Tensor::zeros({1, c.c, c.h, c.w}),
                                   Tensor::zeros({1, c.c, c.kh, c.kw}), Tensor(), c.g);
    const int64_t rows = c.c * c.kh * c.kw, pixels = y.shape()[2] * y.shape()[3];
    Tensor columns = Tensor::empty({rows, pixels});
    k::im2col(image.data(), c.c, c.h, c.w, c.kh, c.kw, c.g, columns.data());
    Tensor probe = Tensor::randn({rows, pixels});
    Tensor back = Tensor::zeros({c.c, c.h, c.w});
    k::col2im(probe.data(), c.c, c.h, c.w, c.kh, c.kw, c.g, back.data());
    // <im2col(x), p> = <x, col2im(p)>
    CHECK(dot(columns, probe) == doctest::Approx(dot(image, back)).epsilon(1e-5));
  }
}

TEST_CASE("conv2d (im2col + GEMM) equals the direct-loop reference") {
  manual_seed(7);
  for (const ConvCase& c : kCases) {
    CAPTURE(c.what);
    Tensor x = Tensor::randn({c.n, c.c, c.h, c.w});
    Tensor w = Tensor::randn({c.o, c.c, c.kh, c.kw});
    Tensor b = Tensor::randn({c.o});
    check_close(k::conv2d(x, w, b, c.g), k::conv2d_reference(x, w, b, c.g));
    check_close(k::conv2d(x, w, Tensor(), c.g), k::conv2d_reference(x, w, Tensor(), c.g));
  }
}

TEST_CASE("conv2d accepts non-contiguous input and weight") {
  manual_seed(8);
  // An NHWC buffer viewed as NCHW, a weight sliced out of a bigger one, a strided bias.
  Tensor x = views::permute(Tensor::randn({2, 6, 5, 3}), {0, 3, 1, 2});
  Tensor w = views::slice(Tensor::randn({8, 3, 3, 3}), 0, 0, 8, 2);
  Tensor b = views::slice(Tensor::randn({8}), 0, 1, 8, 2);
  k::Conv2dGeometry g{.pad_h = 1, .pad_w = 1};
  check_close(k::conv2d(x, w, b, g), k::conv2d_reference(x, w, b, g));
}

TEST_CASE("conv2d backward products equal the reference loops and satisfy the adjoint identities") {
  manual_seed(9);
  for (const ConvCase& c : kCases) {
    CAPTURE(c.what);
    Tensor x = Tensor::randn({c.n, c.c, c.h, c.w});
    Tensor w = Tensor::randn({c.o, c.c, c.kh, c.kw});
    Tensor y = k::conv2d_reference(x, w, Tensor(), c.g);
    Tensor dy = Tensor::randn(y.shape());
    Tensor dx = k::conv2d_backward_input(dy, w, x.shape(), c.g);
    Tensor dw = k::conv2d_backward_weight(dy, x, w.shape(), c.g);
    const Tensor dx_ref = k::conv2d_backward_input_reference(dy, w, x.shape(), c.g);
    const Tensor dw_ref = k::conv2d_backward_weight_reference(dy, x, w.shape(), c.g);
    check_close(dx, dx_ref);
    check_close(dw, dw_ref);
    // conv is bilinear: <conv(x, w), dy> = <x, dx(dy, w)> = <w, dw(dy, x)>,
    // for the fast paths and for the references alike.
    const double lhs = dot(y, dy);
    CHECK(dot(x, dx) == doctest::Approx(lhs).epsilon(1e-4));
    CHECK(dot(w, dw) == doctest::Approx(lhs).epsilon(1e-4));
    CHECK(dot(x, dx_ref) == doctest::Approx(lhs).epsilon(1e-4));
    CHECK(dot(w, dw_ref) == doctest::Approx(lhs).epsilon(1e-4));
  }
}

TEST_CASE("conv2d backward takes non-contiguous gradients") {
  manual_seed(10);
  Tensor x = Tensor::randn({2, 3, 5, 5});
  Tensor w = Tensor::randn({4, 3, 3, 3});
  k::Conv2dGeometry g{.pad_h = 1, .pad_w = 1};
  Tensor dy = views::permute(Tensor::randn({2, 5, 5, 4}), {0, 3, 1, 2});  // [2,4,5,5], NHWC memory
  check_close(k::conv2d_backward_input(dy, w, x.shape(), g),
              k::conv2d_backward_input_reference(dy, w, x.shape(), g));
  check_close(k::conv2d_backward_weight(dy, views::transpose(views::transpose(x, 2, 3), 2, 3), w.shape(), g),
              k::conv2d_backward_weight_reference(dy, x, w.shape(), g));
}

TEST_CASE("conv2d errors name the op and the shapes") {
  Tensor x = Tensor::ones({2, 3, 8, 8});
  CHECK_THROWS_WITH_AS(
      k::conv2d(x, Tensor::ones({4, 1, 3, 3}), Tensor(), {}),
      "conv2d: input [2, 3, 8, 8] has 3 channels but weight [4, 1, 3, 3] expects 1",
      ShapeError);
  CHECK_THROWS_WITH_AS(k::conv2d(Tensor::ones({1, 1, 4, 4}), Tensor::ones({1, 1, 5, 5}),
                                 Tensor(), {}),
                       doctest::Contains("does not fit the padded input 4x4"), ShapeError);
  CHECK_THROWS_WITH_AS(k::conv2d(Tensor::ones({1, 1, 4, 4}), Tensor::ones({1, 1, 3, 3}), Tensor(),
                                 {.dilation_h = 2, .dilation_w = 2}),
                       doctest::Contains("dilated extent 5x5"), ShapeError);
  CHECK_THROWS_WITH_AS(k::conv2d(x, Tensor::ones({4, 3, 3, 3}), Tensor::ones({3}), {}),
                       "conv2d: bias [3] does not match weight [4, 3, 3, 3]: expected [4]",
                       ShapeError);
  CHECK_THROWS_WITH_AS(k::conv2d(Tensor::ones({3, 8, 8}), Tensor::ones({4, 3, 3, 3}), Tensor(), {}),
                       "conv2d: input must be [N, C, H, W], got [3, 8, 8]", ShapeError);
  CHECK_THROWS_WITH_AS(k::conv2d(x, Tensor::ones({4, 3, 3, 3}), Tensor(), {.stride_h = 0}),
                       doctest::Contains("stride must be >= 1, got 0x1"), ValueError);
  CHECK_THROWS_WITH_AS(
      k::conv2d_backward_input(Tensor::ones({2, 4, 5, 5}), Tensor::ones({4, 3, 3, 3}), x.shape(), {}),
      "conv2d_backward_input: dout [2, 4, 5, 5] does not match input [2, 3, 8, 8] and weight "
      "[4, 3, 3, 3]: expected [2, 4, 6, 6]",
      ShapeError);
  CHECK_THROWS_WITH_AS(
      k::conv2d_backward_weight(Tensor::ones({2, 4, 6, 6}), x, {4, 2, 3, 3}, {}),
      doctest::Contains("conv2d_backward_weight: input [2, 3, 8, 8] has 3 channels"), ShapeError);
  CHECK_THROWS_WITH_AS(k::conv2d_backward_input_reference(Tensor::ones({2, 4, 5, 5}),
                                                         Tensor::ones({4, 3, 3, 3}), x.shape(), {}),
                       doctest::Contains("conv2d_backward_input_reference: dout [2, 4, 5, 5] "
                                         "does not match"),
                       ShapeError);
  CHECK_THROWS_WITH_AS(
      k::conv2d_backward_weight_reference(Tensor::ones({2, 4, 6, 6}), x, {4, 2, 3, 3}, {}),
      doctest::Contains("conv2d_backward_weight_reference: input [2, 3, 8, 8] has 3 channels"),
      ShapeError);
}

// With stride 1, at least 16 input channels and no more outputs than inputs,
// d input runs as a convolution of dout with the rotated, transposed kernels,
// and conv2d_backward takes d weight from the same lowering of dout: both
// against the reference loops, alone and together, over the paddings that path
// accepts (pad <= dilation * (k - 1), asymmetric in h and w, input at most
// 9/8 of the output's pixels).
TEST_CASE("conv2d backward through the flipped convolution equals the reference loops") {
  manual_seed(10);
  const std::vector<ConvCase> flip_cases = {
      {"3x3 same, 16 -> 8", 3, 16, 6, 7, 8, 3, 3, {.pad_h = 1, .pad_w = 1}},
      {"5x5 same, 16 -> 16", 2, 16, 8, 9, 16, 5, 5, {.pad_h = 2, .pad_w = 2}},
      {"3x3 pad 1x0, 17 -> 5", 2, 17, 10, 20, 5, 3, 3, {.pad_h = 1, .pad_w = 0}},
      {"3x2 dilation 2x3, pad 2x1, 16 -> 3", 2, 16, 9, 16, 3, 3, 2,
       {.pad_h = 2, .pad_w = 1, .dilation_h = 2, .dilation_w = 3}},
      {"pad = dilation * (k - 1), 16 -> 16", 1, 16, 4, 5, 16, 3, 3, {.pad_h = 2, .pad_w = 2}},
  };
  for (const ConvCase& c : flip_cases) {
    CAPTURE(c.what);
    Tensor x = Tensor::randn({c.n, c.c, c.h, c.w});
    Tensor w = Tensor::randn({c.o, c.c, c.kh, c.kw});
    Tensor dy = Tensor::randn(k::conv2d_reference(x, w, Tensor(), c.g).shape());
    const Tensor dx_ref = k::conv2d_backward_input_reference(dy, w, x.shape(), c.g);
    const Tensor dw_ref = k::conv2d_backward_weight_reference(dy, x, w.shape(), c.g);
    check_close(k::conv2d_backward_input(dy, w, x.shape(), c.g), dx_ref);
    k::Conv2dGrads both = k::conv2d_backward(dy, x, w, c.g, true, true);
    check_close(both.dinput, dx_ref);
    check_close(both.dweight, dw_ref);
    k::Conv2dGrads input_only = k::conv2d_backward(dy, x, w, c.g, true, false);
    check_close(input_only.dinput, dx_ref);
    CHECK_FALSE(input_only.dweight.defined());
    k::Conv2dGrads weight_only = k::conv2d_backward(dy, x, w, c.g, false, true);
    CHECK_FALSE(weight_only.dinput.defined());
    check_close(weight_only.dweight, dw_ref);
  }
  // The other cases go through the separate products.
  for (const ConvCase& c : kCases) {
    CAPTURE(c.what);
    Tensor x = Tensor::randn({c.n, c.c, c.h, c.w});
    Tensor w = Tensor::randn({c.o, c.c, c.kh, c.kw});
    Tensor dy = Tensor::randn(k::conv2d_reference(x, w, Tensor(), c.g).shape());
    k::Conv2dGrads both = k::conv2d_backward(dy, x, w, c.g, true, true);
    check_close(both.dinput, k::conv2d_backward_input_reference(dy, w, x.shape(), c.g));
    check_close(both.dweight, k::conv2d_backward_weight_reference(dy, x, w.shape(), c.g));
  }
  CHECK_THROWS_WITH_AS(k::conv2d_backward(Tensor::zeros({1, 16, 4, 4}), Tensor::zeros({1, 16, 5, 5}),
                                          Tensor::zeros({16, 16, 3, 3}), {.pad_h = 1, .pad_w = 1},
                                          true, true),
                       doctest::Contains("conv2d_backward: dout [1, 16, 4, 4] does not match"),
                       ShapeError);
}
