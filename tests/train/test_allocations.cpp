// test_allocations.cpp — a steady-state training step of experiment 004's CNN
// model 1 takes every buffer from the caching allocator's free lists: after
// warm-up, zero new blocks from the system (issue 6), on one thread and on
// the pool's two.
//
// Kernels must not allocate tensors inside a parallel region: how many
// blocks of a size are live at once would then depend on how the chunks
// overlapped in time, and the last blocks could be asked for many steps
// after warm-up. (The conv's im2col columns were such a case; they are now
// per-thread scratch, tensor/conv.cpp.)
#include <doctest/doctest.h>

#include "nn/zoo.hpp"
#include "optim/adam.hpp"
#include "tensor/runtime/allocator.hpp"
#include "tensor/runtime/parallel.hpp"
#include "tensor/random.hpp"
#include "train/step.hpp"

using namespace ember;

namespace {

struct Counts {
  int64_t new_blocks = 0, cache_hits = 0, bytes_in_use_change = 0;
};

// Allocator counts over `steps` steps of CNN model 1 at batch 8, after
// `warmup` steps, with `threads` threads.
Counts steady_state_blocks(int threads, int warmup, int steps) {
  const int previous = get_num_threads();
  set_num_threads(threads);
  manual_seed(7);
  auto model = nn::zoo::cnn_4conv(5);
  optim::Adam optimizer(model->parameters());
  const int64_t batch = 8;
  const Tensor x = Tensor::rand({batch, 1, 28, 28});
  Tensor y = Tensor::empty({batch});
  for (int64_t i = 0; i < batch; ++i) y.data()[i] = static_cast<float>(i % 5);
  auto step = [&] { train::train_step(*model, optimizer, x, y); };
  // Warm-up: the first step creates Adam's state; the next ones fill the free lists.
  for (int i = 0; i < warmup; ++i) step();
  const AllocatorStats before = allocator::stats();
  for (int i = 0; i < steps; ++i) step();
  const AllocatorStats after = allocator::stats();
  set_num_threads(previous);
  return {after.malloc_calls - before.malloc_calls, after.cache_hits - before.cache_hits,
          after.bytes_in_use - before.bytes_in_use};
}

}  // namespace

TEST_CASE("training CNN model 1: no new allocations in steady-state steps") {
  for (int threads : {1, 2}) {
    CAPTURE(threads);
    const int steps = 5;
    const Counts c = steady_state_blocks(threads, 3, steps);
    INFO("new blocks from the system in ", steps, " steps: ", c.new_blocks);
    CHECK(c.new_blocks == 0);
    CHECK(c.cache_hits > 0);            // the steps did allocate, from the cache
    CHECK(c.bytes_in_use_change == 0);  // and nothing leaks from step to step
  }
}
