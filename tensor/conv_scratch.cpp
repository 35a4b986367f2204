// conv_scratch.cpp — see conv_scratch.hpp.
#include "conv_scratch.hpp"

#include <cstddef>
#include <vector>

namespace ember::kernels {

float* column_scratch(int64_t n, int slot) {
  thread_local std::vector<float> buffers[3];
  std::vector<float>& buffer = buffers[slot];
  if (buffer.size() < static_cast<std::size_t>(n)) buffer.resize(static_cast<std::size_t>(n));
  return buffer.data();
}

}  // namespace ember::kernels
