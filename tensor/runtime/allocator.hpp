// allocator.hpp — a caching allocator for tensor memory.
//
// A training step allocates the same activation and gradient buffers every
// step. Returning freed blocks to a per-size free list, instead of to malloc,
// means a steady-state step reuses last step's memory and calls malloc zero
// times; the statistics let a test assert exactly that.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ember {

struct AllocatorStats {
  int64_t malloc_calls = 0;      // blocks obtained from the system
  int64_t cache_hits = 0;        // requests served from the free lists
  int64_t bytes_in_use = 0;      // handed out and not yet released
  int64_t bytes_cached = 0;      // held in the free lists
  int64_t peak_bytes_in_use = 0;
};

namespace allocator {

// 64-byte aligned memory for n floats (n may be 0). Never returns null: throws
// std::bad_alloc when the system has no memory left.
float* allocate(int64_t n);
void release(float* ptr, int64_t n);

AllocatorStats stats();
void reset_peak();
// Returns every cached block to the system (e.g. between unrelated models).
void empty_cache();

}  // namespace allocator
}  // namespace ember
