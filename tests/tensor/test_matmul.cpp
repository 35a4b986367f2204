// test_matmul.cpp — sgemm and matmul against hand-worked products and the
// naive reference loops, over transposed, sliced, broadcast and batched layouts.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "ember.hpp"

using namespace ember;
namespace k = ember::kernels;

namespace {

// Same shape and every element within tol * max(1, |expected|).
void check_close(const Tensor& got, const Tensor& expected, float tol = 1e-4f) {
  REQUIRE(got.shape() == expected.shape());
  std::vector<float> g = got.to_vector(), e = expected.to_vector();
  for (size_t i = 0; i < g.size(); ++i) {
    INFO("element ", i, " of shape ", shape_str(got.shape()));
    CHECK(std::abs(g[i] - e[i]) <= tol * std::max(1.0f, std::abs(e[i])));
  }
}

// Number of buffers handed out by the allocator so far.
int64_t allocations() {
  AllocatorStats s = allocator::stats();
  return s.malloc_calls + s.cache_hits;
}

}  // namespace

TEST_CASE("sgemm matches the reference for every transpose combination, alpha and beta") {
  manual_seed(11);
  const int64_t m = 7, n = 5, kk = 9;
  for (bool ta : {false, true})
    for (bool tb : {false, true}) {
      // Stored shapes: A is [m,k] or [k,m]; pad the leading dim to test ld.
      const int64_t lda = (ta ? m : kk) + 3, ldb = (tb ? kk : n) + 2, ldc = n + 1;
      Tensor a = Tensor::randn({ta ? kk : m, lda});
      Tensor b = Tensor::randn({tb ? n : kk, ldb});
      Tensor c0 = Tensor::randn({m, ldc});
      Tensor c1 = k::clone(c0), c2 = k::clone(c0);
      k::sgemm(ta, tb, m, n, kk, 0.5f, a.data(), lda, b.data(), ldb, 2.0f, c1.data(), ldc);
      k::sgemm_reference(ta, tb, m, n, kk, 0.5f, a.data(), lda, b.data(), ldb, 2.0f, c2.data(),
                         ldc);
      CAPTURE(ta);
      CAPTURE(tb);
      check_close(c1, c2);
    }
}

TEST_CASE("sgemm with beta = 0 ignores NaNs already in C, and k = 0 gives beta * C") {
  Tensor a = Tensor::ones({2, 3}), b = Tensor::ones({3, 2});
  Tensor c = Tensor::full({2, 2}, std::numeric_limits<float>::quiet_NaN());
  k::sgemm(false, false, 2, 2, 3, 1.0f, a.data(), 3, b.data(), 2, 0.0f, c.data(), 2);
  CHECK(c.to_vector() == std::vector<float>{3, 3, 3, 3});
  Tensor r = Tensor::full({2, 2}, std::numeric_limits<float>::quiet_NaN());
  k::sgemm_reference(false, false, 2, 2, 3, 1.0f, a.data(), 3, b.data(), 2, 0.0f, r.data(), 2);
  CHECK(r.to_vector() == std::vector<float>{3, 3, 3, 3});
  Tensor d = Tensor::full({2, 2}, 4.0f);
  k::sgemm(false, false, 2, 2, 0, 1.0f, a.data(), 1, b.data(), 2, 0.5f, d.data(), 2);
  CHECK(d.to_vector() == std::vector<float>{2, 2, 2, 2});
  CHECK_THROWS_WITH_AS(
      k::sgemm(false, false, 2, 2, 3, 1.0f, a.data(), 2, b.data(), 2, 0.0f, c.data(), 2),
      doctest::Contains("lda=2"), ValueError);
}

TEST_CASE("matmul of hand-worked 2-D and 1-D operands (numpy rules)") {
  Tensor a = Tensor::from_vector({1, 2, 3, 4}, {2, 2});
  Tensor b = Tensor::from_vector({5, 6, 7, 8}, {2, 2});
  CHECK(k::matmul(a, b).to_vector() == std::vector<float>{19, 22, 43, 50});
  CHECK(k::matmul_reference(a, b).to_vector() == std::vector<float>{19, 22, 43, 50});
  // a^T b through a transposed view: [[1,3],[2,4]] x [[5,6],[7,8]].
  CHECK(k::matmul(views::transpose(a, 0, 1), b).to_vector() == std::vector<float>{26, 30, 38, 44});

  Tensor v = Tensor::from_vector({1, -1}, {2});
  Tensor mv = k::matmul(a, v);  // [2,2] x [2] -> [2]
  CHECK(mv.shape() == Shape{2});
  CHECK(mv.to_vector() == std::vector<float>{-1, -1});
  Tensor vm = k::matmul(v, a);  // [2] x [2,2] -> [2]
  CHECK(vm.shape() == Shape{2});
  CHECK(vm.to_vector() == std::vector<float>{-2, -2});
  Tensor vv = k::matmul(v, Tensor::from_vector({3, 2}, {2}));  // dot -> 0-d
  CHECK(vv.shape() == Shape{});
  CHECK(vv.item() == 1.0f);
  Tensor batched = k::matmul(Tensor::ones({3, 2, 2}), v);  // [3,2,2] x [2] -> [3,2]
  CHECK(batched.shape() == Shape{3, 2});
  Tensor vb = k::matmul(v, Tensor::ones({3, 2, 4}));  // [2] x [3,2,4] -> [3,4]
  CHECK(vb.shape() == Shape{3, 4});
  CHECK(vb.to_vector() == std::vector<float>(12, 0.0f));
}

TEST_CASE("matmul equals the reference over many layouts and shapes") {
  manual_seed(5);
  Tensor big = Tensor::randn({12, 10});
  Tensor cube = Tensor::randn({4, 6, 5});
  struct Case {
    const char* what;
    Tensor a, b;
  };
  std::vector<Case> cases = {
      {"plain 2-D", Tensor::randn({3, 4}), Tensor::randn({4, 5})},
      {"odd sizes", Tensor::randn({17, 33}), Tensor::randn({33, 9})},
      {"a transposed", views::transpose(Tensor::randn({4, 3}), 0, 1), Tensor::randn({4, 5})},
      {"b transposed", Tensor::randn({3, 4}), views::transpose(Tensor::randn({5, 4}), 0, 1)},
      {"both transposed", views::transpose(Tensor::randn({4, 3}), 0, 1),
       views::transpose(Tensor::randn({5, 4}), 0, 1)},
      {"narrowed columns (ld > cols)", views::narrow(big, 1, 2, 6), Tensor::randn({6, 3})},
      {"stepped slice (copied)", views::slice(big, 1, 0, 10, 2), views::slice(big, 0, 1, 11, 2)},
      {"expanded rows (copied)", views::expand(Tensor::randn({1, 4}), {3, 4}), Tensor::randn({4, 2})},
      {"row vector operand", Tensor::randn({1, 4}), Tensor::randn({4, 3})},
      {"column result", Tensor::randn({3, 4}), Tensor::randn({4, 1})},
      {"batched", Tensor::randn({2, 3, 4}), Tensor::randn({2, 4, 5})},
      {"batch folds into one GEMM", Tensor::randn({2, 3, 3, 4}), Tensor::randn({4, 5})},
      {"fold with transposed b", Tensor::randn({3, 2, 4}), views::narrow(views::transpose(big, 0, 1), 0, 0, 4)},
      {"batch broadcast both ways", Tensor::randn({2, 1, 3, 4}), Tensor::randn({5, 4, 2})},
      {"batch of transposes", views::transpose(cube, 1, 2), Tensor::randn({4, 6, 3})},
      {"permuted batch (no fold)", views::permute(cube, {1, 0, 2}), Tensor::randn({5, 2})},
      {"expanded batch of b", Tensor::randn({3, 2, 4}), views::expand(Tensor::randn({1, 4, 2}), {3, 4, 2})},
      {"1-D times batch", Tensor::randn({4}), Tensor::randn({2, 4, 3})},
      {"batch times 1-D", views::transpose(cube, 1, 2), Tensor::randn({6})},
  };
  for (const Case& c : cases) {
    CAPTURE(c.what);
    check_close(k::matmul(c.a, c.b), k::matmul_reference(c.a, c.b));
  }
}

TEST_CASE("matmul handles empty dims: k = 0 gives zeros, m = 0 an empty result") {
  Tensor z = k::matmul(Tensor::ones({2, 0}), Tensor::ones({0, 3}));
  CHECK(z.shape() == Shape{2, 3});
  CHECK(z.to_vector() == std::vector<float>(6, 0.0f));
  CHECK(k::matmul(Tensor::ones({0, 4}), Tensor::ones({4, 3})).shape() == Shape{0, 3});
  CHECK(k::matmul(Tensor::ones({0, 2, 4}), Tensor::ones({4, 3})).shape() == Shape{0, 2, 3});
}

TEST_CASE("matmul passes transposed views to BLAS without copying them") {
  manual_seed(2);
  Tensor a = Tensor::randn({64, 32}), b = Tensor::randn({48, 64});
  Tensor at = views::transpose(a, 0, 1), bt = views::transpose(b, 0, 1);  // [32,64], [64,48]
  const int64_t before = allocations();
  Tensor c = k::matmul(at, bt);
  CHECK(allocations() - before == 1);  // the output only
  check_close(c, k::matmul_reference(at, bt));
}

TEST_CASE("matmul shape errors name the op and both shapes") {
  CHECK_THROWS_WITH_AS(k::matmul(Tensor::ones({32, 784}), Tensor::ones({128, 10})),
                       "matmul: cannot multiply [32, 784] by [128, 10]: inner dims 784 != 128",
                       ShapeError);
  CHECK_THROWS_WITH_AS(k::matmul(Tensor::ones({2, 3, 4}), Tensor::ones({5, 4, 2})),
                       doctest::Contains("[2, 3, 4] by [5, 4, 2]: batch dims [2] and [5]"),
                       ShapeError);
  CHECK_THROWS_WITH_AS(k::matmul(Tensor::scalar(1.0f), Tensor::ones({3})),
                       doctest::Contains("got [] and [3]"), ShapeError);
  CHECK_THROWS_WITH_AS(k::matmul_reference(Tensor::ones({3}), Tensor::ones({4})),
                       doctest::Contains("inner dims 3 != 4"), ShapeError);
}
