// pool_planes.hpp — the fast loops for one unpadded H x W plane: 2x2
// max pooling with stride 2 (branch-free, and sixteen windows at a time on
// AVX-512) and average pooling (its own loops for 2x2 windows). pool.cpp
// chooses them; the windows of any other pooling go through its generic
// loops. Internal to tensor/.
#pragma once

#include <cstdint>

#include "pool_shape.hpp"

#if defined(__x86_64__)
#define EMBER_POOL_AVX512 1
#endif

namespace ember::kernels {

// 2x2 windows, stride 2: the values and the winners' flat indices h*W + w
// in the plane, for the oh_n x ow_n outputs of a plane `width` floats wide.
void max_pool_2x2(const float* plane, int64_t width, int64_t oh_n, int64_t ow_n, float* val,
                  float* idx);
#ifdef EMBER_POOL_AVX512
// The same, bit for bit, sixteen windows at a time (planes below 2^31 pixels).
[[gnu::target("avx512f")]] void max_pool_2x2_avx512(const float* plane, int64_t width,
                                                    int64_t oh_n, int64_t ow_n, float* val,
                                                    float* idx);
// Its backward, writing every pixel once; false (the plane partly written)
// where an index is not one of its window's four pixels.
[[gnu::target("avx512f")]] bool max_pool_2x2_backward_avx512(const float* gy, const float* where,
                                                             int64_t height, int64_t width,
                                                             int64_t oh_n, int64_t ow_n,
                                                             float* dx);
#endif

// One unpadded plane, forward or backward: (plane or dout, shape, geometry, 1/k, out).
using AvgPlaneFn = void (*)(const float*, const PoolShape&, const Pool2dGeometry&, float, float*);
AvgPlaneFn avg_pool_plane(const Pool2dGeometry& g);
AvgPlaneFn avg_pool_plane_backward(const Pool2dGeometry& g);

}  // namespace ember::kernels
