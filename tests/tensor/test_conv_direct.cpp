// test_conv_direct.cpp — the direct convolution kernels (tensor/conv_direct.hpp)
// against the 7-loop references (tensor/conv_reference.cpp), at sizes chosen to
// hit every edge of their tiles: pixel and tap counts that are not multiples
// of the 6- or 10-row tiles (and smaller), channel counts of one and several
// 16-wide panels and of a padded 8-wide one, the row kernel for up to 8
// channels (rows of 16 and more pixels, overlapping last tiles, groups of
// 1 to 6 channels, or 1 to 12 on AVX-512 where the output is cut as one flat
// row), strides,
// dilations, unequal padding, non-contiguous inputs.
// Each case runs three ways: the direct kernels on AVX-512 (where the CPU has
// it: 32-wide panels for multiples of 32 channels, 10-row tiles), on AVX2,
// and switched off (im2col + GEMM), all against the same references.
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "ember.hpp"
#include "tensor/conv_direct.hpp"

using namespace ember;
namespace k = ember::kernels;

namespace {

void check_close(const Tensor& got, const Tensor& expected, float tol = 1e-4f) {
  REQUIRE(got.shape() == expected.shape());
  std::vector<float> g = got.to_vector(), e = expected.to_vector();
  int bad = 0;
  for (size_t i = 0; i < g.size(); ++i)
    if (!(std::abs(g[i] - e[i]) <= tol * std::max(1.0f, std::abs(e[i])))) ++bad;
  CHECK(bad == 0);
}

// Restores the switches whatever the test does.
struct DirectConv {
  bool before = k::direct_conv_enabled(), avx512_before = k::avx512_enabled();
  explicit DirectConv(bool on, bool avx512 = true) {
    k::set_direct_conv(on);
    k::set_avx512(avx512);
  }
  ~DirectConv() {
    k::set_direct_conv(before);
    k::set_avx512(avx512_before);
  }
};

// The three ways a convolution can run (the first two the same where the
// CPU lacks AVX-512).
struct Path {
  const char* name;
  bool direct, avx512;
};
constexpr Path kPaths[] = {
    {"direct, AVX-512", true, true}, {"direct, AVX2", true, false}, {"im2col + GEMM", false, false}};

struct Case {
  const char* what;
  int64_t n, c, h, w, o, kh, kw;
  k::Conv2dGeometry g;
};

// Output channels in whole 16-wide panels, or up to 8 in one padded 8-wide panel.
const std::vector<Case> kCases = {
    {"5x5 same, 1 -> 6 (LeNet-5's first layer: one 8-wide panel, 6 lanes used)", 3, 1, 9, 8, 6,
     5, 5, {.pad_h = 2, .pad_w = 2}},
    {"3x3 stride 2, 3 -> 8 (a full 8-wide panel, tiles of 10 pixels)", 2, 3, 13, 11, 8, 3, 3,
     {.stride_h = 2, .stride_w = 2, .pad_h = 1, .pad_w = 1}},
    {"1 output channel, dilation 2", 2, 4, 9, 9, 1, 3, 2, {.pad_h = 1, .dilation_h = 2}},
    {"5x5 valid, 6 -> 16 (flipped d input in an 8-wide panel)", 2, 6, 11, 10, 16, 5, 5, {}},
    {"3x3 same, 16 -> 20 (neither: im2col + GEMM)", 2, 16, 6, 7, 20, 3, 3,
     {.pad_h = 1, .pad_w = 1}},
    {"5x5 same, 32 -> 32 (CNN model 1's shape, smaller image)", 3, 32, 9, 11, 32, 5, 5,
     {.pad_h = 2, .pad_w = 2}},
    {"7x7 valid, 5 -> 16", 2, 5, 12, 10, 16, 7, 7, {}},
    {"3x3 same, 3 -> 48 (three 16-wide panels)", 2, 3, 7, 5, 48, 3, 3, {.pad_h = 1, .pad_w = 1}},
    {"3x3 same, 5 -> 64 (two 32-wide panels with AVX-512, 35 pixels)", 2, 5, 5, 7, 64, 3, 3,
     {.pad_h = 1, .pad_w = 1}},
    {"1 input channel, 1x1 kernel (K = 1)", 2, 1, 5, 7, 16, 1, 1, {}},
    {"output of one pixel (P = 1 < tile)", 2, 4, 3, 3, 16, 3, 3, {}},
    {"P = 4, K = 2", 1, 2, 2, 5, 32, 1, 2, {.pad_h = 1, .pad_w = 0}},
    {"stride 2x3, pad 1x2", 2, 3, 11, 13, 16, 3, 3,
     {.stride_h = 2, .stride_w = 3, .pad_h = 1, .pad_w = 2}},
    {"dilation 2x3, pad 2x3", 1, 6, 9, 10, 32, 3, 3,
     {.pad_h = 2, .pad_w = 3, .dilation_h = 2, .dilation_w = 3}},
    {"padding wider than the kernel reach", 1, 2, 2, 3, 16, 2, 2, {.pad_h = 3, .pad_w = 2}},
    {"3x3 same, 16 -> 16 (flipped backward, direct both ways)", 3, 16, 6, 7, 16, 3, 3,
     {.pad_h = 1, .pad_w = 1}},
    {"5x5 same, 17 -> 16 (flipped backward, its conv im2col)", 2, 17, 5, 6, 16, 5, 5,
     {.pad_h = 2, .pad_w = 2}},
    {"3x3 same, 16 -> 32 (flipped backward with fewer inputs than outputs)", 2, 16, 5, 8, 32, 3,
     3, {.pad_h = 1, .pad_w = 1}},
    {"5x5 valid, 16 -> 32 (flipped backward skipping dout's border rows)", 2, 16, 14, 13, 32, 5,
     5, {}},
    {"3x3 dilation 2, pad 1, 32 -> 16 (flipped, border rows skipped)", 1, 32, 9, 8, 16, 3, 3,
     {.pad_h = 1, .pad_w = 1, .dilation_h = 2, .dilation_w = 2}},
    // The row kernel (up to 8 channels, stride_w 1, output rows >= 16 pixels):
    {"5x5 same, 1 -> 6, 21 wide (row kernel: a second tile overlapping the first)", 2, 1, 7, 21,
     6, 5, 5, {.pad_h = 2, .pad_w = 2}},
    {"5x5 valid, 6 -> 16, 20 wide (the flipped d input runs the row kernel)", 2, 6, 11, 20, 16, 5,
     5, {}},
    {"3x3 dilation 2x3, stride_h 2, 2 -> 7 (row kernel, groups of 4 + 3, rows of 35)", 2, 2, 9,
     37, 7, 3, 2, {.stride_h = 2, .pad_h = 1, .pad_w = 1, .dilation_h = 2, .dilation_w = 3}},
    {"1x1, 3 -> 8, 16 wide exactly (row kernel, groups of 4 + 4, one tile per row)", 2, 3, 3, 16,
     8, 1, 1, {}},
    {"3x3 same, 1 -> 1, 33 wide, unequal padding (row kernel, one channel)", 1, 1, 4, 33, 1, 3,
     3, {.pad_h = 2, .pad_w = 1}},
    // With AVX-512 the row kernel also takes up to kRowTaps taps, and cuts the
    // output as one flat row into vectors of 16 that may straddle two rows:
    {"5x5 same, 1 -> 32, 20 wide, 5 rows (groups of 11 + 11 + 10, vectors straddling rows, "
     "a last one of 4 pixels)", 2, 1, 5, 20, 32, 5, 5, {.pad_h = 2, .pad_w = 2}},
    {"3x3 valid, 3 -> 16, 18 wide (27 taps, groups of 8 + 8)", 2, 3, 8, 18, 16, 3, 3, {}},
    {"3x3 stride_h 2, pad 1, 2 -> 48, 17 wide (four groups of 12)", 1, 2, 9, 17, 48, 3, 3,
     {.stride_h = 2, .pad_h = 1, .pad_w = 1}},
    {"3x3 same, 1 -> 24, 70 x 45 (3150 pixels, groups of 12 + 12)", 1, 1,
     70, 45, 24, 3, 3, {.pad_h = 1, .pad_w = 1}},
    // Column passes (a quarter or more of the kernel columns' reads fall in
    // the zero border), in the forward and, with taps column first, the
    // weight gradient:
    {"5x5 pad 4 ('full'), 6 -> 32, 5 wide (column passes, 25 of 45 column pairs real)", 2, 6,
     7, 5, 32, 5, 5, {.pad_h = 4, .pad_w = 4}},
    {"3x3 stride 2, pad 2, 3 -> 16 (column passes with a stride)", 2, 3, 9, 7, 16, 3, 3,
     {.stride_h = 2, .stride_w = 2, .pad_h = 2, .pad_w = 2}},
    {"3x3 dilation 3, pad 3, 16 -> 16 (column passes, dilated)", 2, 16, 5, 4, 16, 3, 3,
     {.pad_h = 3, .pad_w = 3, .dilation_h = 3, .dilation_w = 3}},
    {"5x5 pad 4, 2 -> 5 (column passes in an 8-wide panel)", 2, 2, 4, 6, 5, 5, 5,
     {.pad_h = 4, .pad_w = 4}},
    {"7x7 valid, 16 -> 32, 12 x 9 (the flipped d input runs in column passes)", 2, 16, 12, 9,
     32, 7, 7, {}},
};

}  // namespace

TEST_CASE("direct convolution: forward and both backward products equal the references") {
  if (!k::avx2_fma_supported())
    MESSAGE("this CPU lacks AVX2 + FMA: every run below takes im2col + GEMM");
  else if (!k::avx512_supported())
    MESSAGE("this CPU lacks AVX-512: the direct runs below both take AVX2");
  manual_seed(21);
  for (const Case& c : kCases) {
    const std::string what = c.what;  // CAPTURE prints a const char* as a pointer
    CAPTURE(what);
    Tensor x = Tensor::randn({c.n, c.c, c.h, c.w});
    Tensor w = Tensor::randn({c.o, c.c, c.kh, c.kw});
    Tensor b = Tensor::randn({c.o});
    const Tensor y_ref = k::conv2d_reference(x, w, b, c.g);
    const Tensor y0_ref = k::conv2d_reference(x, w, Tensor(), c.g);
    Tensor dy = Tensor::randn(y_ref.shape());
    const Tensor dx_ref = k::conv2d_backward_input_reference(dy, w, x.shape(), c.g);
    const Tensor dw_ref = k::conv2d_backward_weight_reference(dy, x, w.shape(), c.g);
    for (const Path& path : kPaths) {
      const std::string way = path.name;
      CAPTURE(way);
      DirectConv on(path.direct, path.avx512);
      check_close(k::conv2d(x, w, b, c.g), y_ref);
      check_close(k::conv2d(x, w, Tensor(), c.g), y0_ref);
      check_close(k::conv2d(x, w, b, c.g, true), k::relu(y_ref));
      check_close(k::conv2d_backward_input(dy, w, x.shape(), c.g), dx_ref);
      check_close(k::conv2d_backward_weight(dy, x, w.shape(), c.g), dw_ref);
      k::Conv2dGrads both = k::conv2d_backward(dy, x, w, c.g, true, true);
      check_close(both.dinput, dx_ref);
      check_close(both.dweight, dw_ref);
    }
  }
}

TEST_CASE("column passes where a quarter of the kernel columns' reads are border") {
  const auto plan = [](int64_t c, int64_t h, int64_t w, int64_t kh, int64_t kw,
                       k::Conv2dGeometry g) {
    const int64_t oh = (h + 2 * g.pad_h - g.dilation_h * (kh - 1) - 1) / g.stride_h + 1;
    const int64_t ow = (w + 2 * g.pad_w - g.dilation_w * (kw - 1) - 1) / g.stride_w + 1;
    return k::direct::Plan{c, h, w, kh, kw, oh, ow, g};
  };
  // 001's 7x7 64 -> 32 on 22 x 22: its d input is the flipped convolution
  // of dout [32, 16, 16] padded by 6, where 42 of the 154 (output column,
  // kernel column) pairs read the border.
  const k::direct::Plan flipped = plan(32, 16, 16, 7, 7, {.pad_h = 6, .pad_w = 6});
  CHECK(k::direct::column_passes_pay(flipped, 64));
  // and the visited (pixel, tap) pairs drop to the transposed GEMM's:
  // 16 x 16 dout pixels x 49 taps, seen from the 22 x 22 side.
  k::direct::Plan passes = flipped;
  passes.column_passes = true;
  CHECK(k::direct::visited_taps(passes) == 16 * 16 * 7 * 7);
  CHECK(k::direct::visited_taps(flipped) == 16 * 22 * 7 * 7);
  // The cases above that claim them take them.
  CHECK(k::direct::column_passes_pay(plan(6, 7, 5, 5, 5, {.pad_h = 4, .pad_w = 4}), 32));
  CHECK(k::direct::column_passes_pay(
      plan(3, 9, 7, 3, 3, {.stride_h = 2, .stride_w = 2, .pad_h = 2, .pad_w = 2}), 16));
  CHECK(k::direct::column_passes_pay(
      plan(16, 5, 4, 3, 3, {.pad_h = 3, .pad_w = 3, .dilation_h = 3, .dilation_w = 3}), 16));
  CHECK(k::direct::column_passes_pay(plan(2, 4, 6, 5, 5, {.pad_h = 4, .pad_w = 4}), 5));
  // the last case's d input: dout [32, 6, 3] padded by 6 back to 12 x 9
  CHECK(k::direct::column_passes_pay(plan(32, 6, 3, 7, 7, {.pad_h = 6, .pad_w = 6}), 16));
  // Not for 'same' layers (CNN model 1's 5x5 on 28: 6 of 140 pairs), nor
  // below a quarter (CM1's flipped 3x3 on 14 x 14: 6 of 42).
  CHECK_FALSE(k::direct::column_passes_pay(plan(32, 28, 28, 5, 5, {.pad_h = 2, .pad_w = 2}), 32));
  CHECK_FALSE(k::direct::column_passes_pay(plan(32, 12, 12, 3, 3, {.pad_h = 2, .pad_w = 2}), 32));
}

TEST_CASE("direct convolution takes non-contiguous input, weight, bias and dout") {
  manual_seed(22);
  DirectConv on(true);
  Tensor x = views::permute(Tensor::randn({2, 9, 7, 5}), {0, 3, 1, 2});  // [2, 5, 9, 7], NHWC memory
  Tensor w = views::slice(Tensor::randn({32, 5, 3, 3}), 0, 0, 32, 2);   // [16, 5, 3, 3]
  Tensor b = views::slice(Tensor::randn({32}), 0, 1, 32, 2);
  k::Conv2dGeometry g{.pad_h = 1, .pad_w = 1};
  check_close(k::conv2d(x, w, b, g), k::conv2d_reference(x, w, b, g));
  Tensor dy = views::permute(Tensor::randn({2, 9, 7, 16}), {0, 3, 1, 2});
  check_close(k::conv2d_backward_weight(dy, x, w.shape(), g),
              k::conv2d_backward_weight_reference(dy, x, w.shape(), g));
}

TEST_CASE("the direct-convolution switch") {
  const bool before = k::direct_conv_enabled();
  k::set_direct_conv(false);
  CHECK_FALSE(k::direct_conv_enabled());
  k::set_direct_conv(true);
  CHECK(k::direct_conv_enabled());
  k::set_direct_conv(before);
}

TEST_CASE("the AVX-512 switch: 32-wide panels only where the CPU has it and it is on") {
  DirectConv on(true, false);
  CHECK_FALSE(k::avx512_enabled());
  CHECK(k::direct::panel_width(64) == 16);
  CHECK(k::direct::panel_width(6) == 8);
  k::set_avx512(true);
  CHECK(k::avx512_enabled() == k::avx512_supported());
  CHECK(k::direct::panel_width(64) == (k::avx512_supported() ? 32 : 16));
  CHECK(k::direct::panel_width(48) == 16);
  CHECK(k::direct::panel_rows(6) == 8);
}

TEST_CASE("AVX-512 and AVX2 tiles give bit-identical results (same products, same order)") {
  if (!k::avx512_supported()) return;
  manual_seed(23);
  Tensor x = Tensor::randn({2, 9, 13, 11});
  Tensor w = Tensor::randn({64, 9, 5, 5});
  Tensor b = Tensor::randn({64});
  k::Conv2dGeometry g{.pad_h = 2, .pad_w = 2};
  Tensor dy = Tensor::randn({2, 64, 13, 11});
  std::vector<float> y[2], dw[2];
  for (int wide = 0; wide < 2; ++wide) {
    DirectConv on(true, wide == 1);
    y[wide] = k::conv2d(x, w, b, g).to_vector();
    dw[wide] = k::conv2d_backward_weight(dy, x, w.shape(), g).to_vector();
  }
  CHECK(y[0] == y[1]);
  CHECK(dw[0] == dw[1]);
}

TEST_CASE("an output larger than the last-level cache, in streaming stores: the same values") {
  const int64_t cache = k::direct::last_level_cache_bytes();
  CHECK(cache >= (int64_t{64} << 10));  // sysfs or the 32 MB default: no cache is smaller
  if (cache > (int64_t{256} << 20)) {
    MESSAGE("last-level cache of ", cache >> 20, " MB: a batch to exceed it is too big to test");
    return;
  }
  // CM1's first layer (3x3 same, 1 -> 32 on 28 x 28: the AVX-512 flat row
  // kernel), with a batch just past the cache: the whole batch streams, a
  // chunk of 8 images stays below the cache (ordinary stores).
  const int64_t image_bytes = 32 * 28 * 28 * int64_t{sizeof(float)};
  const int64_t n = cache / image_bytes + 3;
  REQUIRE(k::direct::streams(n * image_bytes));
  REQUIRE_FALSE(k::direct::streams(8 * image_bytes));
  manual_seed(29);
  Tensor x = Tensor::randn({n, 1, 28, 28});
  Tensor w = Tensor::randn({32, 1, 3, 3});
  Tensor b = Tensor::randn({32});
  k::Conv2dGeometry g{.pad_h = 1, .pad_w = 1};
  DirectConv on(true, true);
  for (bool relu : {false, true}) {
    CAPTURE(relu);
    const Tensor y = k::conv2d(x, w, b, g, relu);
    const std::vector<float> whole = y.to_vector();
    std::vector<float> chunked;
    for (int64_t n0 = 0; n0 < n; n0 += 8) {
      const std::vector<float> part =
          k::conv2d(x.narrow(0, n0, std::min<int64_t>(8, n - n0)), w, b, g, relu).to_vector();
      chunked.insert(chunked.end(), part.begin(), part.end());
    }
    CHECK(whole == chunked);
    // and the first and last images against the reference
    for (int64_t i : {int64_t{0}, n - 1}) {
      const Tensor expected = k::conv2d_reference(x.narrow(0, i, 1), w, b, g);
      check_close(y.narrow(0, i, 1), relu ? k::relu(expected) : expected);
    }
  }
}
