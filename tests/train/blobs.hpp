// blobs.hpp — the train tests' synthetic problem: two classes of 2x2
// "images", class 1 brighter, with noise from a fixed generator (the same
// data on every run).
#pragma once

#include <cstdint>
#include <vector>

#include "data/dataset.hpp"
#include "tensor/random.hpp"

namespace ember::test {

// n images [1, 2, 2], labels alternating 0, 1; pixels 0.5 -+ 0.2 plus
// `noise` times a standard normal draw.
inline data::TensorDataset blobs(int64_t n, uint64_t seed = 1, float noise = 0.15f) {
  Generator g(seed);
  std::vector<float> pixels(static_cast<size_t>(n) * 4);
  std::vector<int64_t> labels(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    labels[i] = i % 2;
    for (int k = 0; k < 4; ++k)
      pixels[i * 4 + k] = 0.5f + (labels[i] ? 0.2f : -0.2f) + noise * g.normal();
  }
  return data::TensorDataset(Tensor::from_vector(pixels, {n, 1, 2, 2}), labels);
}

}  // namespace ember::test
