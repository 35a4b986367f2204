// test_pool.cpp — max/avg pooling and pad2d against hand-worked values (checked
// with PyTorch), the reference loops, and the adjoint identities of the backwards.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "ember.hpp"

using namespace ember;
namespace k = ember::kernels;

namespace {

void check_close(const Tensor& got, const Tensor& expected, float tol = 1e-5f) {
  REQUIRE(got.shape() == expected.shape());
  std::vector<float> g = got.to_vector(), e = expected.to_vector();
  for (size_t i = 0; i < g.size(); ++i) {
    INFO("element ", i, " of shape ", shape_str(got.shape()));
    CHECK(std::abs(g[i] - e[i]) <= tol * std::max(1.0f, std::abs(e[i])));
  }
}

// Bit for bit: -0 differs from 0, a NaN equals a NaN.
bool same_bits(const Tensor& a, const Tensor& b) {
  const std::vector<float> x = a.to_vector(), y = b.to_vector();
  return x.size() == y.size() && std::memcmp(x.data(), y.data(), x.size() * sizeof(float)) == 0;
}

double dot(const Tensor& a, const Tensor& b) {
  std::vector<float> x = a.to_vector(), y = b.to_vector();
  double s = 0.0;
  for (size_t i = 0; i < x.size(); ++i) s += static_cast<double>(x[i]) * y[i];
  return s;
}

struct PoolCase {
  const char* what;
  Shape input;
  k::Pool2dGeometry g;
};

const std::vector<PoolCase> kCases = {
    {"2x2 stride 2", {2, 3, 8, 8}, {2, 2, 2, 2}},
    {"2x2 stride 2, odd size drops the last row", {1, 2, 7, 9}, {2, 2, 2, 2}},
    {"3x3 stride 1 overlapping", {2, 2, 6, 5}, {3, 3, 1, 1}},
    {"3x3 stride 2 pad 1", {1, 3, 9, 8}, {3, 3, 2, 2, 1, 1}},
    {"2x3 stride 1x2 pad 1x1", {2, 1, 5, 7}, {2, 3, 1, 2, 1, 1}},
    {"3-D input", {3, 6, 6}, {2, 2, 2, 2}},
    {"kernel covers the padded input", {1, 1, 3, 3}, {5, 5, 1, 1, 1, 1}},
    // LeNet-5's AvgPool 2 stride 1 and 2 (their own 2x2 loops for avg pooling)
    {"2x2 stride 1, rows wider than a vector", {2, 3, 28, 28}, {2, 2, 1, 1}},
    {"2x2 stride 2, odd rows of 23", {2, 2, 23, 23}, {2, 2, 2, 2}},
    {"2x2 stride 1x2 (the strided loop)", {1, 2, 6, 9}, {2, 2, 1, 2}},
    {"3x3 stride 3 (stride at run time)", {1, 2, 9, 10}, {3, 3, 3, 3}},
    // Outputs of half the size, as 2x2 stride 2 gives, with winners outside the 2x2 blocks.
    {"3x3 stride 2 pad 1 on an even size", {2, 2, 8, 8}, {3, 3, 2, 2, 1, 1}},
};

}  // namespace

TEST_CASE("max_pool2d of a hand-worked plane keeps flat h*W+w indices") {
  // Values and indices from torch.nn.functional.max_pool2d(x, 2, 2, return_indices=True).
  Tensor x = Tensor::from_vector({1, 3, 2, 0, 4, -1, 5, 5, 0, 2, 7, 1, 6, 3, 1, 8}, {1, 1, 4, 4});
  ValuesIndices r = k::max_pool2d(x, {2, 2, 2, 2});
  CHECK(r.values.to_vector() == std::vector<float>{4, 5, 6, 8});
  CHECK(r.indices.to_vector() == std::vector<float>{4, 6, 12, 15});  // ties: first wins (5 at 6, not 7)
  // Padding is -inf, never selected even when every real value is negative.
  Tensor neg = Tensor::from_vector({-1, -2, -3, -4, -5, -6, -7, -8, -9}, {1, 1, 3, 3});
  ValuesIndices p = k::max_pool2d(neg, {2, 2, 2, 2, 1, 1});
  CHECK(p.values.to_vector() == std::vector<float>{-1, -2, -4, -5});
  CHECK(p.indices.to_vector() == std::vector<float>{0, 1, 3, 4});
}

TEST_CASE("max_pool2d propagates NaN like PyTorch") {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  Tensor x = Tensor::from_vector({1, nan, 3, 2}, {1, 1, 2, 2});
  ValuesIndices r = k::max_pool2d(x, {2, 2, 2, 2});
  CHECK(std::isnan(r.values.item()));
  CHECK(r.indices.item() == 1.0f);
  // inf + -inf is NaN too: the window still gets the plain maximum.
  const float inf = std::numeric_limits<float>::infinity();
  ValuesIndices s = k::max_pool2d(Tensor::from_vector({0, -inf, inf, 1}, {1, 1, 2, 2}), {2, 2, 2, 2});
  CHECK(s.values.item() == inf);
  CHECK(s.indices.item() == 2.0f);
  // A NaN first stays (nothing compares greater than it); of two NaNs the
  // later wins (torch: `val > maxval || isnan(val)` in scan order). Through
  // the 2x2 stride-2 loop (max_pool_2x2) and the generic one (stride 1).
  using G = k::Pool2dGeometry;
  for (const G& g : {G{2, 2, 2, 2}, G{2, 2, 1, 1}}) {
    ValuesIndices first = k::max_pool2d(Tensor::from_vector({nan, 1, 3, 2}, {1, 1, 2, 2}), g);
    CHECK(std::isnan(first.values.item()));
    CHECK(first.indices.item() == 0.0f);
    ValuesIndices two = k::max_pool2d(Tensor::from_vector({nan, 1, nan, 2}, {1, 1, 2, 2}), g);
    CHECK(std::isnan(two.values.item()));
    CHECK(two.indices.item() == 2.0f);
  }
}

TEST_CASE("the AVX-512 2x2 max pool gives the scalar loop's values and indices bit for bit") {
  if (!k::avx512_supported()) {
    MESSAGE("this CPU lacks AVX-512: only the scalar loop runs");
    return;
  }
  const bool before = k::avx512_enabled();
  // Values from a small set, so that windows tie (the first maximum wins),
  // with signed zeros, infinities and NaNs (the last NaN wins).
  const float inf = std::numeric_limits<float>::infinity();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float pick[] = {-1.0f, 0.0f, -0.0f, 2.0f, 2.0f, 3.5f, -inf, inf, nan, 1.0f, -2.0f};
  manual_seed(31);
  // Widths around the 16-window vector (odd ones drop their last column;
  // the backward's vector loop takes rows of 8 windows and more), odd
  // heights (the last row dropped), several planes.
  for (int64_t w : {2, 3, 5, 16, 17, 30, 31, 32, 33, 34, 47, 64, 65}) {
    for (int64_t h : {2, 3, 7}) {
      CAPTURE(w);
      CAPTURE(h);
      std::vector<float> v(static_cast<size_t>(3 * h * w));
      const std::vector<float> r = Tensor::rand({3 * h * w}).to_vector();
      for (size_t i = 0; i < v.size(); ++i) v[i] = pick[static_cast<size_t>(r[i] * 11.0f) % 11];
      const Tensor x = Tensor::from_vector(v, {3, 1, h, w});
      ValuesIndices got[2];
      for (int wide = 0; wide < 2; ++wide) {
        k::set_avx512(wide == 1);
        got[wide] = k::max_pool2d(x, {2, 2, 2, 2});
      }
      k::set_avx512(before);
      CHECK(same_bits(got[0].values, got[1].values));
      CHECK(got[0].indices.to_vector() == got[1].indices.to_vector());
      // The backward: every pixel written once, 0 + g at the winner (so -0
      // turns +0, as in the scatter), zeros elsewhere and in a dropped
      // last row or column.
      std::vector<float> g(static_cast<size_t>(got[0].values.numel()));
      const std::vector<float> rg = Tensor::rand({got[0].values.numel()}).to_vector();
      for (size_t i = 0; i < g.size(); ++i) g[i] = pick[static_cast<size_t>(rg[i] * 11.0f) % 11];
      const Tensor dy = Tensor::from_vector(g, got[0].values.shape());
      Tensor dx[2];
      for (int wide = 0; wide < 2; ++wide) {
        k::set_avx512(wide == 1);
        dx[wide] = k::max_pool2d_backward(dy, got[0].indices, x.shape());
      }
      k::set_avx512(before);
      CHECK(same_bits(dx[0], dx[1]));
    }
  }
  // Indices of another pool with the same output shape (3x3, stride 2, pad
  // 1), some outside their 2x2 block: the AVX-512 path finds them and
  // falls back to the scatter, with the same result.
  Tensor x = Tensor::randn({2, 3, 8, 20});  // rows of 10 windows: the vector loop's (>= 8)
  ValuesIndices r = k::max_pool2d(x, {3, 3, 2, 2, 1, 1});
  REQUIRE(r.values.shape() == Shape{2, 3, 4, 10});
  Tensor dy = Tensor::randn(r.values.shape());
  Tensor dx[2];
  for (int wide = 0; wide < 2; ++wide) {
    k::set_avx512(wide == 1);
    dx[wide] = k::max_pool2d_backward(dy, r.indices, x.shape());
  }
  k::set_avx512(before);
  CHECK(same_bits(dx[0], dx[1]));
  // and by hand: each gradient added at its index
  std::vector<float> expected(static_cast<size_t>(x.numel()), 0.0f);
  const std::vector<float> g = dy.to_vector(), at = r.indices.to_vector();
  for (size_t j = 0; j < g.size(); ++j)
    expected[j / 40 * 160 + static_cast<size_t>(at[j])] += g[j];  // planes of 4x10 -> 8x20
  CHECK(same_bits(dx[1], Tensor::from_vector(expected, x.shape())));
  int outside = 0;  // the fallback did run: some winners lie outside their 2x2 block
  for (size_t j = 0; j < at.size(); ++j) {
    const size_t oh = j % 40 / 10, ow = j % 10, i = static_cast<size_t>(at[j]);
    outside += i / 20 / 2 != oh || i % 20 / 2 != ow;
  }
  CHECK(outside > 0);
}

TEST_CASE("avg_pool2d counts padded zeros in the divisor (count_include_pad=True)") {
  // torch.nn.functional.avg_pool2d(torch.ones(1,1,3,3), 2, 1, 1)
  Tensor y = k::avg_pool2d(Tensor::ones({1, 1, 3, 3}), {2, 2, 1, 1, 1, 1});
  CHECK(y.to_vector() == std::vector<float>{0.25f, 0.5f, 0.5f, 0.25f, 0.5f, 1, 1, 0.5f,
                                           0.5f, 1, 1, 0.5f, 0.25f, 0.5f, 0.5f, 0.25f});
}

TEST_CASE("pooling equals the reference loops, also for non-contiguous input") {
  manual_seed(21);
  for (const PoolCase& c : kCases) {
    CAPTURE(c.what);
    Tensor x = Tensor::randn(c.input);
    check_close(k::max_pool2d(x, c.g).values, k::max_pool2d_reference(x, c.g));
    check_close(k::avg_pool2d(x, c.g), k::avg_pool2d_reference(x, c.g));
    // The same values behind a transposed layout.
    Tensor xt = views::transpose(k::contiguous(views::transpose(x, -1, -2)), -1, -2);
    REQUIRE_FALSE(xt.is_contiguous());
    check_close(k::max_pool2d(xt, c.g).values, k::max_pool2d_reference(x, c.g));
    check_close(k::avg_pool2d(xt, c.g), k::avg_pool2d_reference(x, c.g));
  }
}

TEST_CASE("max_pool2d indices point at the values they report") {
  manual_seed(22);
  for (const PoolCase& c : kCases) {
    CAPTURE(c.what);
    Tensor x = Tensor::randn(c.input);
    ValuesIndices r = k::max_pool2d(x, c.g);
    const int64_t h = c.input.end()[-2], w = c.input.end()[-1];
    const int64_t out_plane = r.values.shape().end()[-2] * r.values.shape().end()[-1];
    std::vector<float> v = r.values.to_vector(), at = r.indices.to_vector(), xs = x.to_vector();
    for (size_t i = 0; i < v.size(); ++i) {
      const int64_t plane = static_cast<int64_t>(i) / out_plane;
      CHECK(xs[static_cast<size_t>(plane * h * w + static_cast<int64_t>(at[i]))] == v[i]);
    }
  }
}

TEST_CASE("max_pool2d_backward writes every pixel, also the ones no window reaches") {
  // Odd sizes leave a last row and column no window reaches. The caching
  // allocator hands the backward the block a NaN-filled tensor of its size
  // just returned, so a pixel left unwritten would show as NaN.
  manual_seed(24);
  for (const Shape& shape : {Shape{2, 3, 7, 9}, Shape{1, 2, 5, 4}, Shape{1, 1, 4, 5}}) {
    CAPTURE(shape);
    Tensor x = Tensor::randn(shape);
    ValuesIndices r = k::max_pool2d(x, {2, 2, 2, 2});
    Tensor dy = Tensor::randn(r.values.shape());
    { Tensor poison = Tensor::full(shape, std::numeric_limits<float>::quiet_NaN()); }
    std::vector<float> dx = k::max_pool2d_backward(dy, r.indices, shape).to_vector();
    std::vector<float> expected(dx.size(), 0.0f);
    const int64_t plane = shape[2] * shape[3], out_plane = r.values.numel() / (shape[0] * shape[1]);
    std::vector<float> g = dy.to_vector(), at = r.indices.to_vector();
    for (size_t j = 0; j < g.size(); ++j)
      expected[static_cast<size_t>(static_cast<int64_t>(j) / out_plane * plane +
                                   static_cast<int64_t>(at[j]))] += g[j];
    CHECK(dx == expected);
  }
}

TEST_CASE("pooling backwards route gradients: hand example and adjoint identities") {
  // Overlapping 2x2 windows, stride 1: the 9 in the centre wins all four.
  Tensor x = Tensor::from_vector({1, 2, 3, 4, 9, 5, 6, 7, 8}, {1, 1, 3, 3});
  ValuesIndices r = k::max_pool2d(x, {2, 2, 1, 1});
  Tensor dy = Tensor::from_vector({1, 2, 3, 4}, {1, 1, 2, 2});
  CHECK(k::max_pool2d_backward(dy, r.indices, x.shape()).to_vector() ==
        std::vector<float>{0, 0, 0, 0, 10, 0, 0, 0, 0});
  CHECK(k::avg_pool2d_backward(dy, x.shape(), {2, 2, 1, 1}).to_vector() ==
        std::vector<float>{0.25f, 0.75f, 0.5f, 1, 2.5f, 1.5f, 0.75f, 1.75f, 1});

  manual_seed(23);
  for (const PoolCase& c : kCases) {
    CAPTURE(c.what);
    Tensor xr = Tensor::randn(c.input);
    // Avg pooling is linear: <avg(x), dy> = <x, avg_backward(dy)>.
    Tensor ya = k::avg_pool2d(xr, c.g);
    Tensor da = Tensor::randn(ya.shape());
    CHECK(dot(xr, k::avg_pool2d_backward(da, xr.shape(), c.g)) ==
          doctest::Approx(dot(ya, da)).epsilon(1e-5));
    // With the winners fixed, max pooling is the gather x -> x[indices]; its
    // adjoint is max_pool2d_backward, and gathering x itself gives the values.
    ValuesIndices m = k::max_pool2d(xr, c.g);
    Tensor dm = Tensor::randn(m.values.shape());
    CHECK(dot(xr, k::max_pool2d_backward(dm, m.indices, xr.shape())) ==
          doctest::Approx(dot(m.values, dm)).epsilon(1e-5));
  }
}

TEST_CASE("pad2d pads the last two dims as (left, right, top, bottom)") {
  Tensor x = Tensor::from_vector({1, 2, 3, 4}, {1, 2, 2});
  Tensor y = k::pad2d(x, 1, 0, 0, 2);
  CHECK(y.shape() == Shape{1, 4, 3});
  CHECK(y.to_vector() == std::vector<float>{0, 1, 2, 0, 3, 4, 0, 0, 0, 0, 0, 0});
  Tensor t = k::pad2d(views::transpose(x, 1, 2), 0, 1, 1, 0);  // [[1,3],[2,4]]
  CHECK(t.to_vector() == std::vector<float>{0, 0, 0, 1, 3, 0, 2, 4, 0});
  CHECK_THROWS_WITH_AS(k::pad2d(Tensor::ones({3}), 1, 1, 1, 1),
                       "pad2d: input must have at least 2 dims, got [3]", ShapeError);
  CHECK_THROWS_WITH_AS(k::pad2d(x, -1, 0, 0, 0), doctest::Contains("(-1, 0, 0, 0)"), ValueError);
}

TEST_CASE("pooling errors name the op and the shapes") {
  CHECK_THROWS_WITH_AS(k::max_pool2d(Tensor::ones({1, 1, 2, 2}), {3, 3, 1, 1}),
                       "max_pool2d: kernel 3x3 does not fit the padded input 2x2 (input "
                       "[1, 1, 2, 2], padding 0x0)",
                       ShapeError);
  CHECK_THROWS_WITH_AS(k::avg_pool2d(Tensor::ones({4, 4}), {2, 2, 2, 2}),
                       "avg_pool2d: input must be [N, C, H, W] or [C, H, W], got [4, 4]",
                       ShapeError);
  CHECK_THROWS_WITH_AS(k::max_pool2d(Tensor::ones({1, 1, 4, 4}), {2, 2, 2, 2, 2, 0}),
                       doctest::Contains("padding must be between 0 and half the kernel"),
                       ValueError);
  CHECK_THROWS_WITH_AS(
      k::avg_pool2d_backward(Tensor::ones({1, 1, 3, 3}), {1, 1, 4, 4}, {2, 2, 2, 2}),
      "avg_pool2d_backward: dout [1, 1, 3, 3] does not match input [1, 1, 4, 4]: expected "
      "[1, 1, 2, 2]",
      ShapeError);
  CHECK_THROWS_WITH_AS(k::max_pool2d_backward(Tensor::ones({1, 1, 2, 2}), Tensor::zeros({1, 2, 2}),
                                              {1, 1, 4, 4}),
                       doctest::Contains("dout [1, 1, 2, 2] and indices [1, 2, 2] differ"),
                       ShapeError);
  CHECK_THROWS_WITH_AS(k::max_pool2d_backward(Tensor::ones({1, 1, 1, 1}),
                                              Tensor::full({1, 1, 1, 1}, 16.0f), {1, 1, 4, 4}),
                       doctest::Contains("index 16 outside the plane of 16 pixels"), IndexError);
}
