// test_parallel.cpp — the thread pool: chunking, exceptions, nesting, and the
// kernels that use it giving the same bits with 1 and 2 threads (where the
// split cannot change the arithmetic) and run to run (where it can).
#include <doctest/doctest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "ember.hpp"
#include "tensor/runtime/parallel.hpp"

using namespace ember;
namespace k = ember::kernels;

namespace {

// Restores the thread count a test changed.
struct ThreadsGuard {
  int saved = get_num_threads();
  ~ThreadsGuard() { set_num_threads(saved); }
};

std::vector<float> bits(const Tensor& t) { return t.to_vector(); }

}  // namespace

TEST_CASE("parallel_for covers [0, n) once, in at most get_num_threads() contiguous chunks") {
  ThreadsGuard guard;
  for (int threads : {1, 2, 3}) {
    set_num_threads(threads);
    CHECK(get_num_threads() == threads);
    for (int64_t n : {0, 1, 5, 1000}) {
      std::vector<std::atomic<int>> hits(static_cast<size_t>(n));
      std::atomic<int64_t> chunks_seen{0};
      const int64_t chunks = detail::chunk_count(n, 1);
      detail::parallel_for(n, 1, [&](int64_t lo, int64_t hi, int64_t chunk) {
        CHECK(lo < hi);
        CHECK(lo == chunk * n / chunks);  // chunk c is [c n / chunks, (c + 1) n / chunks)
        CHECK(hi == (chunk + 1) * n / chunks);
        for (int64_t i = lo; i < hi; ++i) hits[static_cast<size_t>(i)]++;
        chunks_seen++;
      });
      for (auto& h : hits) CHECK(h == 1);
      CHECK(chunks_seen == (n == 0 ? 0 : std::min<int64_t>(n, threads)));
    }
  }
}

TEST_CASE("parallel_for: grain keeps small loops whole; nested calls split nothing") {
  ThreadsGuard guard;
  set_num_threads(2);
  CHECK(detail::chunk_count(100, 64) == 1);
  CHECK(detail::chunk_count(128, 64) == 2);
  CHECK(detail::chunk_count(1 << 20, 1) == 2);
  std::atomic<int64_t> inner_chunks{0};
  detail::parallel_for(2, 1, [&](int64_t, int64_t, int64_t) {
    inner_chunks += detail::chunk_count(1 << 20, 1);
    detail::parallel_for(4, 1, [&](int64_t lo, int64_t hi, int64_t chunk) {
      CHECK(lo == 0);
      CHECK(hi == 4);
      CHECK(chunk == 0);
    });
  });
  CHECK(inner_chunks == 2);
}

TEST_CASE("parallel_for rethrows a chunk's exception on the caller, and the pool keeps working") {
  ThreadsGuard guard;
  set_num_threads(2);
  CHECK_THROWS_WITH_AS(detail::parallel_for(10, 1,
                                            [](int64_t lo, int64_t, int64_t) {
                                              if (lo > 0) throw ValueError("chunk 1 failed");
                                            }),
                       "chunk 1 failed", ValueError);
  std::atomic<int64_t> sum{0};
  detail::parallel_for(10, 1, [&](int64_t lo, int64_t hi, int64_t) { sum += hi - lo; });
  CHECK(sum == 10);
  CHECK_THROWS_WITH_AS(set_num_threads(0), doctest::Contains("at least 1 thread, got 0"),
                       ValueError);
}

TEST_CASE("parallel_for from two user threads at once: both finish, with their own results") {
  ThreadsGuard guard;
  set_num_threads(2);
  std::vector<int64_t> totals(2, 0);
  auto work = [&](size_t who) {
    for (int rep = 0; rep < 200; ++rep) {
      std::vector<int64_t> parts(2, 0);
      detail::parallel_for(1000, 1, [&](int64_t lo, int64_t hi, int64_t chunk) {
        for (int64_t i = lo; i < hi; ++i) parts[static_cast<size_t>(chunk)] += i;
      });
      totals[who] += parts[0] + parts[1];
    }
  };
  std::thread other(work, 1);
  work(0);
  other.join();
  CHECK(totals[0] == 200 * 499500);
  CHECK(totals[1] == 200 * 499500);
}

TEST_CASE("kernels give the same bits with 1 and 2 threads where each output has one writer") {
  ThreadsGuard guard;
  manual_seed(3);
  const Tensor x = Tensor::randn({6, 5, 12, 12}), w = Tensor::randn({7, 5, 3, 3});
  const Tensor b = Tensor::randn({7}), y = Tensor::randn({6, 5, 12, 12});
  const Tensor big = Tensor::randn({4, 100000}), row = Tensor::randn({100000});
  const k::Conv2dGeometry g{.pad_h = 1, .pad_w = 1};
  const k::Pool2dGeometry pool{2, 2, 2, 2};
  const Tensor a = Tensor::randn({300, 200}), m = Tensor::randn({200, 500});
  const Tensor wide = Tensor::randn({64, 1000});  // 64 rows of 1000: split over the threads
  auto run = [&] {
    Tensor conv = k::conv2d(x, w, b, g);
    Tensor dout = Tensor::ones(conv.shape());
    ValuesIndices mp = k::max_pool2d(x, pool);
    return std::vector<Tensor>{conv,
                               k::conv2d_backward_input(dout, w, x.shape(), g),
                               mp.values,
                               mp.indices,
                               k::max_pool2d_backward(mp.values, mp.indices, x.shape()),
                               k::avg_pool2d(x, pool),
                               k::avg_pool2d_backward(mp.values, x.shape(), pool),
                               k::add(x, y),
                               k::mul(big, row),
                               k::exp(big),
                               k::matmul(a, m),
                               k::softmax(wide, 1),
                               k::log_softmax(wide, 1),
                               k::logsumexp(wide, 1)};
  };
  set_num_threads(1);
  std::vector<Tensor> one = run();
  set_num_threads(2);
  std::vector<Tensor> two = run();
  for (size_t i = 0; i < one.size(); ++i) {
    CAPTURE(i);
    CHECK(bits(one[i]) == bits(two[i]));
  }
}

TEST_CASE("the weight gradient (a sum over images) repeats bit for bit, and matches 1 thread") {
  ThreadsGuard guard;
  manual_seed(4);
  const Tensor x = Tensor::randn({9, 3, 10, 10}), dout = Tensor::randn({9, 4, 10, 10});
  const k::Conv2dGeometry g{.pad_h = 1, .pad_w = 1};
  set_num_threads(1);
  const Tensor serial = k::conv2d_backward_weight(dout, x, {4, 3, 3, 3}, g);
  set_num_threads(2);
  const Tensor first = k::conv2d_backward_weight(dout, x, {4, 3, 3, 3}, g);
  for (int rep = 0; rep < 5; ++rep)
    CHECK(bits(k::conv2d_backward_weight(dout, x, {4, 3, 3, 3}, g)) == bits(first));
  std::vector<float> s = bits(serial), p = bits(first);
  for (size_t i = 0; i < s.size(); ++i) CHECK(p[i] == doctest::Approx(s[i]).epsilon(1e-5));
}

// kernels::sum splits dim 0 over the threads and adds the chunks' partial
// sums in chunk order. Checked against sums worked out here in double, for
// the shapes a training step asks for: a conv's dbias (dims 0, 2, 3), a
// Dense layer's (dim 0), a loss (everything), a kept dim 0, and a
// transposed (strided) input.
TEST_CASE("sum over the threads: matches sums in double, repeats bit for bit, matches 1 thread") {
  ThreadsGuard guard;
  manual_seed(5);
  const Tensor x = Tensor::randn({40, 8, 15, 15});  // 72000 elements: two chunks of 20 images
  const Tensor t = views::transpose(Tensor::randn({300, 400}), 0, 1);  // [400, 300], strided
  std::vector<float> xv = x.to_vector(), tv = k::contiguous(t).to_vector();
  std::vector<double> dbias(8, 0.0), rows(400, 0.0), cols(300, 0.0);
  double all = 0.0;
  for (size_t i = 0; i < xv.size(); ++i) {
    dbias[i / 225 % 8] += xv[i];
    all += xv[i];
  }
  for (size_t i = 0; i < tv.size(); ++i) rows[i / 300] += tv[i], cols[i % 300] += tv[i];
  auto run = [&] {
    return std::vector<Tensor>{k::sum(x, {0, 2, 3}), k::sum(x), k::sum(t, {1}), k::sum(t, {0}),
                               k::sum(x, {1, 2, 3}, true)};
  };
  set_num_threads(1);
  const std::vector<Tensor> serial = run();
  set_num_threads(2);
  REQUIRE(detail::chunk_count(40, 1) == 2);
  const std::vector<Tensor> first = run();
  for (int rep = 0; rep < 3; ++rep) {
    const std::vector<Tensor> again = run();
    for (size_t i = 0; i < first.size(); ++i) CHECK(bits(again[i]) == bits(first[i]));
  }
  const std::vector<std::vector<double>> want = {dbias, {all}, rows, cols};
  for (size_t i = 0; i < want.size(); ++i) {
    CAPTURE(i);
    std::vector<float> got = bits(first[i]), one = bits(serial[i]);
    REQUIRE(got.size() == want[i].size());
    for (size_t j = 0; j < got.size(); ++j) {
      CHECK(got[j] == doctest::Approx(want[i][j]).epsilon(1e-6));
      CHECK(got[j] == doctest::Approx(one[j]).epsilon(1e-6));
    }
  }
  // Dim 0 kept: each chunk fills its own images' entries, [40, 1, 1, 1].
  CHECK(first[4].shape() == Shape{40, 1, 1, 1});
  std::vector<float> per_image = bits(first[4]);
  for (size_t n = 0; n < 40; ++n) {
    double s = 0.0;
    for (size_t i = n * 1800; i < (n + 1) * 1800; ++i) s += xv[i];
    CHECK(per_image[n] == doctest::Approx(s).epsilon(1e-6));
  }
}
