// parallel.cpp — the thread pool behind parallel_for (see parallel.hpp).
//
// n - 1 persistent workers plus the calling thread, which always does chunk 0.
// A job is published by bumping a generation counter; workers spin briefly
// before sleeping on a condition variable, because a training step starts a
// few hundred short jobs back to back and a sleep/wake round trip costs tens
// of microseconds. Chunk c always runs on worker c (static partitioning).
// Workers spin for 0.5 ms before they sleep (it was ~50 us): gaps of serial
// work between jobs (autograd, allocation, the optimizer's loop over
// parameters) sent them to sleep several times per step, and on a busy
// virtual machine a wake-up can take long: the models of short jobs
// (LeNet-5) trained up to twice as fast with the longer spin, those of long
// jobs (CNN model 1) as before (bench/README.md).
#include "parallel.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "../error.hpp"

// OpenBLAS's own setter, weak so ember still links against another CBLAS
// (then it is null and there is no second pool to silence).
extern "C" void openblas_set_num_threads(int) __attribute__((weak));

namespace ember {
namespace {

// True on workers, and on a caller while it runs chunks: nested parallel_for
// calls then split nothing (chunk_count), wherever they run.
thread_local bool t_inside_job = false;

struct InsideJob {
  bool was = t_inside_job;
  InsideJob() { t_inside_job = true; }
  ~InsideJob() { t_inside_job = was; }
};

int default_threads() {
  if (const char* env = std::getenv("EMBER_NUM_THREADS")) {
    int n = std::atoi(env);
    if (n >= 1) return n;
  }
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

void pause_briefly() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#else
  std::this_thread::yield();
#endif
}

// Until done() holds, spinning (see the top) for at most kSpinFor; false if
// it did not. Timed rather than counted: a pause takes from a few to tens of
// nanoseconds depending on the core.
constexpr auto kSpinFor = std::chrono::microseconds(500);
template <typename Done>
bool spin_until(Done done) {
  const auto until = std::chrono::steady_clock::now() + kSpinFor;
  for (;;) {
    for (int i = 0; i < 64; ++i) {
      if (done()) return true;
      pause_briefly();
    }
    if (std::chrono::steady_clock::now() >= until) return done();
  }
}

class Pool {
 public:
  explicit Pool(int threads) {
    if (openblas_set_num_threads) openblas_set_num_threads(1);  // one pool: ours
    start(threads);
  }

  int size() const { return threads_; }

  void resize(int threads) {
    std::lock_guard busy(busy_);
    stop();
    start(threads);
  }

  // Runs job(c) for c in [0, chunks), chunks <= size().
  void run(int64_t chunks, const std::function<void(int64_t)>& job) {
    if (chunks <= 1 || t_inside_job) {
      for (int64_t c = 0; c < chunks; ++c) job(c);
      return;
    }
    std::unique_lock busy(busy_, std::try_to_lock);
    if (!busy.owns_lock()) {  // another thread's job runs: the same chunks, here, in order
      InsideJob inside;
      for (int64_t c = 0; c < chunks; ++c) job(c);
      return;
    }
    job_ = &job;
    chunks_ = chunks;
    errors_.assign(static_cast<size_t>(chunks), nullptr);
    pending_.store(chunks - 1, std::memory_order_relaxed);
    {
      std::lock_guard lock(mutex_);
      generation_.fetch_add(1, std::memory_order_release);
    }
    wake_.notify_all();
    try {
      InsideJob inside;
      job(0);
    } catch (...) {
      errors_[0] = std::current_exception();
    }
    wait_until_done();
    job_ = nullptr;
    for (const std::exception_ptr& e : errors_)
      if (e) std::rethrow_exception(e);
  }

 private:

  void start(int threads) {
    threads_ = threads;
    stopping_ = false;
    // A worker must count jobs from now, not from whenever its thread starts
    // running: a job published in between would otherwise be missed.
    const uint64_t now = generation_.load(std::memory_order_acquire);
    for (int id = 1; id < threads; ++id)
      workers_.emplace_back([this, id, now] { work(id, now); });
  }

  void stop() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
      generation_.fetch_add(1, std::memory_order_release);
    }
    wake_.notify_all();
    for (std::thread& t : workers_) t.join();
    workers_.clear();
  }

  void work(int id, uint64_t seen) {
    t_inside_job = true;
    for (;;) {
      spin_until([&] { return generation_.load(std::memory_order_acquire) != seen; });
      {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [&] { return generation_.load(std::memory_order_acquire) != seen; });
        seen = generation_.load(std::memory_order_acquire);
        if (stopping_) return;
      }
      if (id < chunks_) {
        try {
          (*job_)(id);
        } catch (...) {
          errors_[static_cast<size_t>(id)] = std::current_exception();
        }
        if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
          std::lock_guard lock(mutex_);
          done_.notify_one();
        }
      }
    }
  }

  void wait_until_done() {
    if (spin_until([&] { return pending_.load(std::memory_order_acquire) == 0; })) return;
    std::unique_lock lock(mutex_);
    done_.wait(lock, [&] { return pending_.load(std::memory_order_acquire) == 0; });
  }

  int threads_ = 1;
  std::vector<std::thread> workers_;
  std::mutex busy_;  // held by the thread whose job the pool runs
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  std::atomic<uint64_t> generation_{0};
  std::atomic<int64_t> pending_{0};
  bool stopping_ = false;
  const std::function<void(int64_t)>* job_ = nullptr;
  int64_t chunks_ = 0;
  std::vector<std::exception_ptr> errors_;
};

Pool& pool() {
  // Leaked on purpose: workers must not be joined while static destructors
  // (or a detached loader thread) may still run kernels.
  static Pool* p = new Pool(default_threads());
  return *p;
}

}  // namespace

void set_num_threads(int n) {
  EMBER_CHECK(n >= 1, ValueError, "set_num_threads: need at least 1 thread, got ", n);
  if (n != pool().size()) pool().resize(n);
}

int get_num_threads() { return pool().size(); }

namespace detail {

int64_t chunk_count(int64_t n, int64_t grain) {
  // Inside a job every call splits nothing: the outer loop already uses the
  // threads, and the choice depends only on where the call is made.
  if (t_inside_job || n <= 0) return 1;
  const int64_t by_grain = n / std::max<int64_t>(grain, 1);
  return std::clamp<int64_t>(by_grain, 1, get_num_threads());
}

void parallel_for(int64_t n, int64_t grain,
                  const std::function<void(int64_t, int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  const int64_t chunks = chunk_count(n, grain);
  // Chunk c covers [c n / chunks, (c + 1) n / chunks): sizes differ by at most 1.
  pool().run(chunks, [&](int64_t c) { fn(c * n / chunks, (c + 1) * n / chunks, c); });
}

}  // namespace detail
}  // namespace ember
