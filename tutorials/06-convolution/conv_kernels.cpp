// conv_kernels.cpp — the convolution four ways: the naive loops, im2col +
// GEMM written from scratch, ember's own kernels::conv2d (direct kernels on
// and off), and a kernel of your own (the worked example: the naive loops
// reordered). kernels() at the end lists them for main.cpp and bench.cpp.
//
// Images are square (H = W = size) and the stride is 1, to keep the loops
// short; ember's kernels::conv2d takes any shape, stride and dilation.
#include "conv_kernels.hpp"

#include <algorithm>
#include <vector>

namespace conv {

// ---- 1. the naive loops -------------------------------------------------------

// out[n, o, y, x] = bias[o] + the sum over c, i, j of
//                   input[n, c, y + i - pad, x + j - pad] * weight[o, c, i, j]
// where a pixel outside the image is a padding zero.
Tensor conv_naive(const Tensor& input, const Tensor& weight, const Tensor& bias, int64_t pad) {
  const Tensor x = input.contiguous(), w = weight.contiguous(), b = bias.contiguous();
  const int64_t N = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3);
  const int64_t O = w.size(0), K = w.size(2);
  const int64_t OH = H + 2 * pad - K + 1, OW = W + 2 * pad - K + 1;
  Tensor out = Tensor::empty({N, O, OH, OW});
  const float* in = x.data();   // [N, C, H, W], row-major
  const float* wt = w.data();   // [O, C, K, K]
  float* y = out.data();        // [N, O, OH, OW]
  for (int64_t n = 0; n < N; ++n)              // each image
    for (int64_t o = 0; o < O; ++o)            // each output channel
      for (int64_t oy = 0; oy < OH; ++oy)      // each output pixel (oy, ox)
        for (int64_t ox = 0; ox < OW; ++ox) {
          float sum = b.data()[o];
          for (int64_t c = 0; c < C; ++c)      // each input channel
            for (int64_t i = 0; i < K; ++i)    // each kernel row
              for (int64_t j = 0; j < K; ++j) {  // each kernel column
                const int64_t iy = oy + i - pad, ix = ox + j - pad;    // the pixel under it
                if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;  // a padding zero
                sum += in[((n * C + c) * H + iy) * W + ix] * wt[((o * C + c) * K + i) * K + j];
              }
          y[((n * O + o) * OH + oy) * OW + ox] = sum;
        }
  return out;
}

// ---- 2. im2col + GEMM -----------------------------------------------------------

// columns [C*K*K, OH*OW]: row (c, i, j), column (oy, ox) holds the pixel
// image[c, oy + i - pad, ox + j - pad] (0 in the padding). Column (oy, ox) is
// then the receptive field of output pixel (oy, ox), read in the order of
// the weight's [C, K, K], so one output channel's values are its weight row
// [1, C*K*K] times the columns.
void im2col_textbook(const float* image, int64_t channels, int64_t size, int64_t kernel,
                     int64_t pad, float* columns) {
  const int64_t out = size + 2 * pad - kernel + 1;
  for (int64_t c = 0; c < channels; ++c)
    for (int64_t i = 0; i < kernel; ++i)
      for (int64_t j = 0; j < kernel; ++j) {
        float* row = columns + ((c * kernel + i) * kernel + j) * out * out;  // row (c, i, j)
        for (int64_t oy = 0; oy < out; ++oy)
          for (int64_t ox = 0; ox < out; ++ox) {
            const int64_t iy = oy + i - pad, ix = ox + j - pad;
            const bool inside = iy >= 0 && iy < size && ix >= 0 && ix < size;
            row[oy * out + ox] = inside ? image[(c * size + iy) * size + ix] : 0.0f;
          }
      }
}

// Per image: out [O, OH*OW] = weight [O, C*K*K] x columns [C*K*K, OH*OW] + bias.
Tensor conv_im2col_gemm(const Tensor& input, const Tensor& weight, const Tensor& bias,
                        int64_t pad) {
  const Tensor x = input.contiguous(), w = weight.contiguous(), b = bias.contiguous();
  const int64_t N = x.size(0), C = x.size(1), H = x.size(2);
  const int64_t O = w.size(0), K = w.size(2);
  const int64_t OH = H + 2 * pad - K + 1, P = OH * OH, CKK = C * K * K;
  Tensor out = Tensor::empty({N, O, OH, OH});
  std::vector<float> columns(static_cast<size_t>(CKK * P));  // one image's, reused
  for (int64_t n = 0; n < N; ++n) {
    im2col_textbook(x.data() + n * C * H * H, C, H, K, pad, columns.data());
    float* y = out.data() + n * O * P;  // this image's [O, P]
    for (int64_t o = 0; o < O; ++o) std::fill(y + o * P, y + (o + 1) * P, b.data()[o]);
    // y = 1 * weight x columns + 1 * y: the bias enters as the product's C.
    ember::kernels::sgemm(false, false, O, P, CKK, 1.0f, w.data(), CKK, columns.data(), P, 1.0f,
                          y, P);
  }
  return out;
}

// ---- 3. ember's kernels --------------------------------------------------------

Tensor conv_ember(const Tensor& input, const Tensor& weight, const Tensor& bias, int64_t pad) {
  return ember::kernels::conv2d(input, weight, bias, {.pad_h = pad, .pad_w = pad});
}

Tensor conv_ember_im2col(const Tensor& input, const Tensor& weight, const Tensor& bias,
                         int64_t pad) {
  const bool direct = ember::kernels::direct_conv_enabled();
  ember::kernels::set_direct_conv(false);  // ember's im2col + GEMM, as without AVX2
  Tensor out = ember::kernels::conv2d(input, weight, bias, {.pad_h = pad, .pad_w = pad});
  ember::kernels::set_direct_conv(direct);
  return out;
}

// ---- 4. your kernel: a worked example ------------------------------------------
// The naive loops finish one output pixel before the next, and their
// innermost loop walks 5 weights of a kernel row, testing every pixel for
// padding. Reordered, the same terms are added in the same order for each
// pixel, but for one kernel tap (c, i, j) at a time: weight[o, c, i, j]
// times a row of the input is added to a row of the output. The innermost
// loop then runs along two rows contiguous in memory with no test (ox only
// spans the outputs whose pixel is inside the image), and the compiler turns
// it into vector instructions.
Tensor conv_reordered(const Tensor& input, const Tensor& weight, const Tensor& bias,
                      int64_t pad) {
  const Tensor x = input.contiguous(), w = weight.contiguous(), b = bias.contiguous();
  const int64_t N = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3);
  const int64_t O = w.size(0), K = w.size(2);
  const int64_t OH = H + 2 * pad - K + 1, OW = W + 2 * pad - K + 1;
  Tensor out = Tensor::empty({N, O, OH, OW});
  for (int64_t n = 0; n < N; ++n)
    for (int64_t o = 0; o < O; ++o) {
      float* plane = out.data() + (n * O + o) * OH * OW;  // output [OH, OW] of (n, o)
      std::fill(plane, plane + OH * OW, b.data()[o]);
      for (int64_t c = 0; c < C; ++c)
        for (int64_t i = 0; i < K; ++i)
          for (int64_t j = 0; j < K; ++j) {
            const float w_cij = w.data()[((o * C + c) * K + i) * K + j];
            // the outputs ox whose pixel ox + j - pad is inside [0, W)
            const int64_t ox_lo = std::max<int64_t>(0, pad - j);
            const int64_t ox_hi = std::min<int64_t>(OW, W + pad - j);
            for (int64_t oy = 0; oy < OH; ++oy) {
              const int64_t iy = oy + i - pad;
              if (iy < 0 || iy >= H) continue;  // a row of padding
              const float* in_row = x.data() + ((n * C + c) * H + iy) * W;
              float* out_row = plane + oy * OW;
              for (int64_t ox = ox_lo; ox < ox_hi; ++ox) out_row[ox] += w_cij * in_row[ox + j - pad];
            }
          }
    }
  return out;
}

// ---- the list ---------------------------------------------------------------------
// Names are also the benchmarks' (bench.cpp): letters, digits and '_' only,
// so that --benchmark_filter=reordered finds one.
const std::vector<Kernel>& kernels() {
  static const std::vector<Kernel> list = {
      {"naive", conv_naive},
      {"im2col_gemm", conv_im2col_gemm},
      {"ember_im2col", conv_ember_im2col},
      {"ember_direct", conv_ember},
      {"reordered", conv_reordered},  // your kernel: add a line like this one
  };
  return list;
}

}  // namespace conv
