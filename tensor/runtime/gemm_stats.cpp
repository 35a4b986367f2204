// gemm_stats.cpp — see gemm_stats.hpp. A mutex guards the counters: it is
// taken only while profiling, twice per GEMM call (microseconds of BLAS work
// or more), so contention is not a concern.
#include "gemm_stats.hpp"

#include <algorithm>
#include <mutex>

namespace ember {

namespace {

using detail::GemmClock;

struct Counters {
  std::mutex mutex;
  kernels::GemmStats stats;
  int active = 0;                    // GEMMs running now
  GemmClock::time_point busy_since;  // when `active` last went from 0 to 1
  GemmClock::time_point reset_at;    // the last reset_gemm_stats()
};

Counters& counters() {
  static Counters c;
  return c;
}

}  // namespace

std::atomic<bool> detail::gemm_profiling_on{false};

GemmClock::time_point detail::gemm_begin() {
  Counters& c = counters();
  std::lock_guard lock(c.mutex);
  const GemmClock::time_point now = GemmClock::now();
  if (c.active++ == 0) c.busy_since = now;
  return now;
}

void detail::gemm_end(const kernels::GemmShape& shape, GemmClock::time_point start) {
  Counters& c = counters();
  std::lock_guard lock(c.mutex);
  const GemmClock::time_point now = GemmClock::now();
  kernels::GemmStats& s = c.stats;
  // A reset while GEMMs run: the busy time counts from the reset.
  if (c.active > 0 && --c.active == 0) {
    const GemmClock::time_point since = std::max(c.busy_since, c.reset_at);
    s.wall_seconds += std::chrono::duration<double>(now - since).count();
  }
  const double seconds = std::chrono::duration<double>(now - start).count();
  s.calls++;
  s.seconds += seconds;
  s.flops += shape.flops();
  auto it = std::find_if(s.shapes.begin(), s.shapes.end(),
                         [&](const kernels::GemmShapeStats& e) { return e.shape == shape; });
  if (it == s.shapes.end())
    it = s.shapes.insert(s.shapes.end(), kernels::GemmShapeStats{shape, 0, 0.0});
  it->calls++;
  it->seconds += seconds;
}

namespace kernels {

GemmShapeStats GemmStats::dominant() const {
  GemmShapeStats best;
  double best_flops = -1.0;
  for (const GemmShapeStats& s : shapes) {
    const double f = s.shape.flops() * static_cast<double>(s.calls);
    if (f > best_flops) best = s, best_flops = f;
  }
  return best;
}

void set_gemm_profiling(bool on) { detail::gemm_profiling_on.store(on, std::memory_order_relaxed); }

GemmStats gemm_stats() {
  Counters& c = counters();
  std::lock_guard lock(c.mutex);
  return c.stats;
}

void reset_gemm_stats() {
  Counters& c = counters();
  std::lock_guard lock(c.mutex);
  c.stats = {};
  c.reset_at = GemmClock::now();
}

}  // namespace kernels
}  // namespace ember
