// conv_scratch.hpp — per-thread scratch buffers for the convolutions' lowering.
// Internal to tensor/.
#pragma once

#include <cstdint>

namespace ember::kernels {

// One image's column matrix (or padded image, packed dout, or a batch chunk's
// packed dweight: slots 0, 1, 2), per thread: a buffer that only grows and
// is kept for the thread's life, so steady-state training steps allocate no
// lowering scratch at all, however the pool's chunks interleave (the caching
// allocator alone asked the system for a block now and then when two
// threads' scratch lifetimes overlapped differently from one step to the
// next). At most one live use per thread and slot: a kernel takes it, lowers
// images into it, and is done before any other kernel runs on that thread.
// Returns at least n floats, contents unspecified.
float* column_scratch(int64_t n, int slot = 0);

}  // namespace ember::kernels
