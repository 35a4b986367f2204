// conv_kernels.hpp — chapter 6's convolution kernels, and the one list of
// them that main.cpp checks and times and bench.cpp benchmarks.
//
// Every kernel computes the same stride-1 convolution with `pad` zeros on
// every side:
//   input [N, C, H, W], weight [O, C, K, K], bias [O] -> output [N, O, OH, OW]
//   OH = H + 2 pad - K + 1, OW = W + 2 pad - K + 1
// To compare a kernel of your own: write it in conv_kernels.cpp (under "your
// kernel"), declare it below, and add it to kernels() at the end of that
// file. main.cpp then checks it against the naive loops and times it, and
// bench.cpp benchmarks it beside the others.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "ember.hpp"

namespace conv {

using ember::Shape;
using ember::Tensor;

// One convolution layer's shapes. The default is the second convolution of
// the quickstart's CNN (nn::zoo::cnn_4conv) at its training batch of 32.
struct Layer {
  int64_t batch = 32, in_channels = 32, out_channels = 32, size = 28, kernel = 5, pad = 2;
  int64_t out_size() const { return size + 2 * pad - kernel + 1; }
  Shape input() const { return {batch, in_channels, size, size}; }    // [N, C, H, W]
  Shape weight() const { return {out_channels, in_channels, kernel, kernel}; }  // [O, C, K, K]
  Shape output() const { return {batch, out_channels, out_size(), out_size()}; }
  // As one matrix product per image (section 3): [M, K] x [K, N] with
  int64_t gemm_m() const { return out_channels; }                       // M = O
  int64_t gemm_k() const { return in_channels * kernel * kernel; }      // K = C*K*K
  int64_t gemm_n() const { return out_size() * out_size(); }            // N = OH*OW
  // Floating-point operations of one forward: a multiply and an add per term.
  double flops() const {
    return 2.0 * static_cast<double>(batch) * static_cast<double>(gemm_m()) *
           static_cast<double>(gemm_k()) * static_cast<double>(gemm_n());
  }
};

// A kernel: (input, weight, bias, pad) -> output, shapes as above.
using ConvFunction =
    std::function<Tensor(const Tensor& input, const Tensor& weight, const Tensor& bias, int64_t pad)>;

struct Kernel {
  std::string name;  // in the tables and as the benchmark's name
  ConvFunction run;
};

// The kernels in the order the chapter tells them; the first, the naive
// loops, is the one every other is checked against.
const std::vector<Kernel>& kernels();

// ---- the kernels (conv_kernels.cpp) ----------------------------------------

// 1. The definition, one loop per index.
Tensor conv_naive(const Tensor& input, const Tensor& weight, const Tensor& bias, int64_t pad);

// 2. im2col + GEMM: the textbook lowering of one image [C, H, W] to its
// columns [C*K*K, OH*OW], then one matrix product per image.
void im2col_textbook(const float* image, int64_t channels, int64_t size, int64_t kernel,
                     int64_t pad, float* columns);
Tensor conv_im2col_gemm(const Tensor& input, const Tensor& weight, const Tensor& bias,
                        int64_t pad);

// 3. ember's kernels::conv2d: its direct kernels where they apply (AVX2 and
// FMA, output channels in panels of 16), and the same call with them turned
// off (kernels::set_direct_conv(false)), which runs ember's im2col + GEMM.
Tensor conv_ember(const Tensor& input, const Tensor& weight, const Tensor& bias, int64_t pad);
Tensor conv_ember_im2col(const Tensor& input, const Tensor& weight, const Tensor& bias,
                         int64_t pad);

// 4. Your kernel. The worked example: the naive loops reordered so that the
// innermost one runs along an image row.
Tensor conv_reordered(const Tensor& input, const Tensor& weight, const Tensor& bias, int64_t pad);

}  // namespace conv
