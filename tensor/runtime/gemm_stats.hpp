// gemm_stats.hpp — optional counters of the time and FLOPs spent in kernels::sgemm.
//
// The profiler (train/profile.hpp) needs to know how much of a training step is
// GEMM and which GEMM shapes each layer runs. kernels::sgemm wraps its BLAS
// call in a GemmTimer; while profiling is off (the default) that costs one
// relaxed atomic load per call, so the counters can stay in release builds.
// While on, every call adds its wall time and 2*m*n*k FLOPs, per shape.
// When several threads run GEMMs at once (a convolution's per-image products
// split over ember's pool) their times add up to more than the wall time
// that passed: `wall_seconds` counts only the time during which at least one
// GEMM was running, the figure to compare with a step's duration.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <vector>

namespace ember::kernels {
struct GemmShape;
}  // namespace ember::kernels

// Internals of GemmTimer; in ember::detail, not kernels::detail, so that a
// kernels::detail namespace does not hide ember::detail inside the kernels.
namespace ember::detail {
extern std::atomic<bool> gemm_profiling_on;
using GemmClock = std::chrono::steady_clock;
GemmClock::time_point gemm_begin();
void gemm_end(const kernels::GemmShape& shape, GemmClock::time_point start);
}  // namespace ember::detail

namespace ember::kernels {

// C[m,n] = op(A)[m,k] op(B)[k,n], as kernels::sgemm takes it.
struct GemmShape {
  bool trans_a = false, trans_b = false;
  int64_t m = 0, n = 0, k = 0;
  double flops() const {
    return 2.0 * static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k);
  }
  bool operator==(const GemmShape&) const = default;
};

struct GemmShapeStats {
  GemmShape shape;
  int64_t calls = 0;
  double seconds = 0.0;  // summed over calls (over threads too, when several run at once)
};

struct GemmStats {
  int64_t calls = 0;
  double seconds = 0.0;       // summed over calls and threads
  double wall_seconds = 0.0;  // time during which at least one GEMM ran
  double flops = 0.0;
  std::vector<GemmShapeStats> shapes;  // in order of first appearance since the last reset
  // The shape that did the most FLOPs (a conv layer's per-image product); calls == 0 if none.
  GemmShapeStats dominant() const;
};

// Turns the counters on or off (they keep their values; reset them explicitly).
void set_gemm_profiling(bool on);
GemmStats gemm_stats();
void reset_gemm_stats();

// Times one GEMM call when profiling is on: construct it just before the BLAS call.
class GemmTimer {
 public:
  GemmTimer(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k)
      : on_(ember::detail::gemm_profiling_on.load(std::memory_order_relaxed)) {
    if (on_) shape_ = {trans_a, trans_b, m, n, k}, start_ = ember::detail::gemm_begin();
  }
  ~GemmTimer() {
    if (on_) ember::detail::gemm_end(shape_, start_);
  }
  GemmTimer(const GemmTimer&) = delete;
  GemmTimer& operator=(const GemmTimer&) = delete;

 private:
  bool on_;
  GemmShape shape_;
  ember::detail::GemmClock::time_point start_;
};

}  // namespace ember::kernels
