// allocator.cpp — see allocator.hpp.
//
// Sizes are rounded up to a bucket (multiples of 64 bytes for small blocks, a
// power-of-two-ish ladder of quarter steps above 1 MiB) so that tensors whose
// sizes differ slightly still reuse each other's blocks.
#include "allocator.hpp"

#include <cstdlib>
#include <mutex>
#include <new>
#include <unordered_map>
#include <vector>

namespace ember::allocator {
namespace {

struct Cache {
  std::mutex mutex;
  std::unordered_map<size_t, std::vector<void*>> free_blocks;  // bucket bytes -> blocks
  AllocatorStats stats;
};

Cache& cache() {
  // Leaked on purpose: tensors with static lifetime may be freed after main().
  static Cache* c = new Cache;
  return *c;
}

size_t bucket_bytes(int64_t n) {
  size_t bytes = static_cast<size_t>(n) * sizeof(float);
  if (bytes == 0) bytes = 64;
  if (bytes <= (1u << 20)) return (bytes + 63) / 64 * 64;
  // Above 1 MiB: round to a quarter of the next lower power of two.
  size_t p = 1u << 20;
  while (p * 2 <= bytes) p *= 2;
  size_t step = p / 4;
  return (bytes + step - 1) / step * step;
}

}  // namespace

float* allocate(int64_t n) {
  size_t bytes = bucket_bytes(n);
  Cache& c = cache();
  {
    std::lock_guard lock(c.mutex);
    auto it = c.free_blocks.find(bytes);
    if (it != c.free_blocks.end() && !it->second.empty()) {
      void* p = it->second.back();
      it->second.pop_back();
      c.stats.cache_hits++;
      c.stats.bytes_cached -= static_cast<int64_t>(bytes);
      c.stats.bytes_in_use += static_cast<int64_t>(bytes);
      if (c.stats.bytes_in_use > c.stats.peak_bytes_in_use)
        c.stats.peak_bytes_in_use = c.stats.bytes_in_use;
      return static_cast<float*>(p);
    }
  }
  void* p = std::aligned_alloc(64, bytes);
  if (!p) {
    empty_cache();
    p = std::aligned_alloc(64, bytes);
    if (!p) throw std::bad_alloc();
  }
  std::lock_guard lock(c.mutex);
  c.stats.malloc_calls++;
  c.stats.bytes_in_use += static_cast<int64_t>(bytes);
  if (c.stats.bytes_in_use > c.stats.peak_bytes_in_use)
    c.stats.peak_bytes_in_use = c.stats.bytes_in_use;
  return static_cast<float*>(p);
}

void release(float* ptr, int64_t n) {
  if (!ptr) return;
  size_t bytes = bucket_bytes(n);
  Cache& c = cache();
  std::lock_guard lock(c.mutex);
  c.free_blocks[bytes].push_back(ptr);
  c.stats.bytes_in_use -= static_cast<int64_t>(bytes);
  c.stats.bytes_cached += static_cast<int64_t>(bytes);
}

AllocatorStats stats() {
  Cache& c = cache();
  std::lock_guard lock(c.mutex);
  return c.stats;
}

void reset_peak() {
  Cache& c = cache();
  std::lock_guard lock(c.mutex);
  c.stats.peak_bytes_in_use = c.stats.bytes_in_use;
}

void empty_cache() {
  Cache& c = cache();
  std::lock_guard lock(c.mutex);
  for (auto& [bytes, blocks] : c.free_blocks)
    for (void* p : blocks) std::free(p);
  c.free_blocks.clear();
  c.stats.bytes_cached = 0;
}

}  // namespace ember::allocator
