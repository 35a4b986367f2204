// pool_shape.hpp — the checked sizes of one pooling, shared by the fast
// paths (pool.cpp, pool_planes.cpp) and the references (pool_reference.cpp).
// Internal to tensor/.
#pragma once

#include <cstdint>

#include "kernels.hpp"

namespace ember::kernels {

// Every leading index of the input names one independent H x W plane.
struct PoolShape {
  int64_t planes, h, w, oh, ow;
  Shape out_shape;
};

// Checks the geometry and that the kernel fits the padded input; errors
// name `op` and the shapes. Output size per spatial dim (PyTorch's floor
// mode): (H + 2*pad - kernel) / stride + 1.
PoolShape check_pool(const char* op, const Shape& input, const Pool2dGeometry& g);

}  // namespace ember::kernels
