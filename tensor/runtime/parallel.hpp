// parallel.hpp — ember's one thread pool, and the loop that splits work over it.
//
// Two pools on two cores fight (PyTorch trains 1.4-2.2x slower when OpenBLAS
// and its own OpenMP threads both run), so ember runs ONE pool: its own. The
// kernels split their outer loop over it (a convolution over the images of
// the batch, each worker lowering its image and calling a single-threaded
// GEMM; elementwise and pooling kernels over rows), and OpenBLAS is told to
// use one thread (openblas_set_num_threads(1)) the moment the pool starts.
//
//   ember::set_num_threads(2);      // default: the hardware's cores, or
//                                   // the EMBER_NUM_THREADS environment variable
//
// Determinism: [0, n) is cut into the same contiguous chunks every time for a
// given thread count and n (static partitioning), each chunk is done by one
// thread, and reductions combine per-chunk partials in chunk order. So a run
// gives the same bits every time with the same number of threads. A call made
// while the pool is busy (from inside a chunk, or from a second user thread)
// runs the same chunks one after another on the calling thread: same result,
// no deadlock.
#pragma once

#include <cstdint>
#include <functional>

namespace ember {

// Threads the kernels use (>= 1). Throws ValueError for n < 1. Joining and
// starting threads is not free: set it once, at start-up.
void set_num_threads(int n);
int get_num_threads();

namespace detail {

// Elements per chunk below which an elementwise loop stays on one thread:
// a few microseconds of work, less than handing it to the pool costs.
constexpr int64_t kElementGrain = 32768;
// The same bound for a loop split into rows of `row_elements` elements:
// the fewest rows per chunk that make kElementGrain elements.
inline int64_t row_grain(int64_t row_elements) {
  return kElementGrain / (row_elements > 1 ? row_elements : 1) + 1;
}

// How many chunks parallel_for cuts [0, n) into: at most get_num_threads(),
// and none smaller than `grain` items (so tiny loops stay on one thread).
int64_t chunk_count(int64_t n, int64_t grain);

// Calls fn(begin, end, chunk) for each chunk of [0, n) (see chunk_count), the
// chunks in parallel on the pool. Returns when all are done; an exception
// thrown by a chunk is rethrown here (the lowest chunk's, if several throw).
void parallel_for(int64_t n, int64_t grain,
                  const std::function<void(int64_t begin, int64_t end, int64_t chunk)>& fn);

}  // namespace detail
}  // namespace ember
