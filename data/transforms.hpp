// transforms.hpp — image transforms, torchvision names, composable.
//
// A transform takes an image [C, H, W] or a batch [N, C, H, W] and returns a
// new tensor; it never writes to its input (which may be a view into a
// dataset's memory). They are plain callables, so any of them, a Compose of
// them, or a lambda fits in a `Transform`. Random transforms own a Generator:
// the same seed gives the same crops and flips, and on a batch each image
// draws its own. Give a TransformedDataset or DataLoader its own copy.
//
//   data::Compose train_tf{{data::RandomCrop(32, 4, Generator(1)),
//                           data::RandomHorizontalFlip(0.5f, Generator(2)),
//                           data::Normalize({0.49f, 0.48f, 0.45f}, {0.25f, 0.24f, 0.26f})}};
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "../autograd/tensor.hpp"
#include "../tensor/random.hpp"

namespace ember::data {

using Transform = std::function<Tensor(const Tensor&)>;

// x * factor; the default turns 0..255 pixel values into [0, 1].
struct Scale {
  explicit Scale(float factor = 1.0f / 255.0f) : factor(factor) {}
  Tensor operator()(const Tensor& x) const;
  float factor;
};

// (x - mean[c]) / std[c] per channel; one value applies to every channel.
struct Normalize {
  Normalize(std::vector<float> mean, std::vector<float> std);
  Tensor operator()(const Tensor& x) const;
  std::vector<float> mean, std;
};

// Bilinear resize to height x width with half-pixel centres (PyTorch's
// interpolate(mode="bilinear", align_corners=False), no antialiasing; for
// enlarging, as 28x28 -> 48x48, PIL's bilinear gives the same numbers).
struct Resize {
  Resize(int64_t height, int64_t width);
  Tensor operator()(const Tensor& x) const;
  int64_t height, width;
};

// Zero-pads each side by `padding`, then cuts a size x size window at a random
// position (top, then left, each uniform over the valid range).
struct RandomCrop {
  RandomCrop(int64_t size, int64_t padding = 0, Generator generator = Generator());
  Tensor operator()(const Tensor& x);
  int64_t size, padding;
  Generator generator;
};

// Mirrors left-right with probability p.
struct RandomHorizontalFlip {
  explicit RandomHorizontalFlip(float p = 0.5f, Generator generator = Generator());
  Tensor operator()(const Tensor& x);
  float p;
  Generator generator;
};

// RGB -> one luma channel, 0.299 R + 0.587 G + 0.114 B (ITU-R 601-2, as PIL
// and torchvision); a 1-channel input is returned as a copy.
struct Grayscale {
  Tensor operator()(const Tensor& x) const;
};

// Applies the transforms left to right.
struct Compose {
  explicit Compose(std::vector<Transform> transforms);
  Tensor operator()(const Tensor& x) const;
  std::vector<Transform> transforms;
};

}  // namespace ember::data
