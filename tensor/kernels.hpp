// kernels.hpp — the non-recording CPU kernels (namespace ember::kernels).
//
// Every function here computes on TensorBase handles (tensor.hpp) and knows
// nothing about gradients; autograd/ wraps them into differentiable ops. A
// Tensor is a TensorBase, so Tensors go in as they are, and what comes out
// converts to a Tensor without history. Outputs are fresh contiguous tensors
// (views, which copy nothing, are in views.hpp). Inputs may have any strides.
//
// Where a family's kernel is more than the definition's loops (vectorized,
// threaded, blocked, lowered to GEMM), a plain reference implementation
// (suffix _reference, in its own *_reference.cpp where there is one) sits
// beside it: the version to read first, the one tests compare the fast one
// against, and the baseline benchmarks show the gap to. They are
//   elementwise:  map_reference, map2_reference (any formula, broadcasting)
//   reductions:   sum_reference (mean and var are built on sum)
//   matmul:       matmul_reference, sgemm_reference
//   convolution:  conv2d_reference, conv2d_backward_input_reference,
//                 conv2d_backward_weight_reference
//   pooling:      max_pool2d_reference, avg_pool2d_reference
// The other kernels are the definition's loops already (copies, max, min,
// argmax and the softmax family over contiguous rows, pad2d, cat, stack),
// or their backwards are checked through adjoint identities (pooling).
#pragma once

#include <functional>
#include <utility>
#include <vector>

#include "tensor.hpp"

namespace ember::kernels {

// Views (reshape, permute, slice, ...) copy nothing: they are in views.hpp.

// ---- copies between layouts (tensor/copy.cpp) ------------------------------
TensorBase contiguous(const TensorBase& x);  // x itself if already contiguous, else clone(x)
TensorBase clone(const TensorBase& x);       // always a fresh contiguous copy
// Copies src (broadcast to dst's shape) into dst, any layouts.
void copy(const TensorBase& dst, const TensorBase& src);

// ---- elementwise with NumPy broadcasting (tensor/elementwise.cpp) ----------
TensorBase add(const TensorBase& a, const TensorBase& b);
TensorBase sub(const TensorBase& a, const TensorBase& b);
TensorBase mul(const TensorBase& a, const TensorBase& b);
TensorBase div(const TensorBase& a, const TensorBase& b);
TensorBase pow(const TensorBase& a, const TensorBase& b);
TensorBase maximum(const TensorBase& a, const TensorBase& b);
TensorBase minimum(const TensorBase& a, const TensorBase& b);
// Comparisons give 1.0f / 0.0f.
TensorBase eq(const TensorBase& a, const TensorBase& b);
TensorBase ne(const TensorBase& a, const TensorBase& b);
TensorBase lt(const TensorBase& a, const TensorBase& b);
TensorBase le(const TensorBase& a, const TensorBase& b);
TensorBase gt(const TensorBase& a, const TensorBase& b);
TensorBase ge(const TensorBase& a, const TensorBase& b);
// cond != 0 ? a : b
TensorBase where(const TensorBase& cond, const TensorBase& a, const TensorBase& b);

TensorBase add(const TensorBase& a, float b);
TensorBase mul(const TensorBase& a, float b);
TensorBase pow(const TensorBase& a, float exponent);
TensorBase neg(const TensorBase& x);
TensorBase exp(const TensorBase& x);
TensorBase log(const TensorBase& x);
TensorBase sqrt(const TensorBase& x);
TensorBase abs(const TensorBase& x);
TensorBase sign(const TensorBase& x);
TensorBase tanh(const TensorBase& x);
TensorBase sigmoid(const TensorBase& x);
TensorBase relu(const TensorBase& x);
TensorBase clamp(const TensorBase& x, float lo, float hi);

// Generic maps for ops that need their own formula (activations and their
// derivatives). f is applied elementwise; b broadcasts against a.
TensorBase map(const TensorBase& x, const std::function<float(float)>& f);
TensorBase map2(const TensorBase& a, const TensorBase& b,
                const std::function<float(float, float)>& f, const char* op);
// The same, element by element from each output's multi-index
// (tensor/elementwise_reference.cpp).
TensorBase map_reference(const TensorBase& x, const std::function<float(float)>& f);
TensorBase map2_reference(const TensorBase& a, const TensorBase& b,
                          const std::function<float(float, float)>& f, const char* op);

// ---- reductions (tensor/reduce.cpp) ----------------------------------------
// dims empty = all dims. Negative dims count from the end.
TensorBase sum(const TensorBase& x, const std::vector<int64_t>& dims = {}, bool keepdim = false);
// Element by element in row-major order, in double (tensor/reduce_reference.cpp).
TensorBase sum_reference(const TensorBase& x, const std::vector<int64_t>& dims = {},
                         bool keepdim = false);
TensorBase mean(const TensorBase& x, const std::vector<int64_t>& dims = {}, bool keepdim = false);
TensorBase var(const TensorBase& x, const std::vector<int64_t>& dims = {}, bool unbiased = true,
               bool keepdim = false);
// Result of max/min along a dim (and of max pooling): the values and where
// they were. autograd/tensor.hpp's ValuesIndices is the same pair as Tensors.
struct ValuesIndices {
  TensorBase values;
  TensorBase indices;  // float tensor of positions along the reduced dim
};
ValuesIndices max(const TensorBase& x, int64_t dim, bool keepdim = false);
ValuesIndices min(const TensorBase& x, int64_t dim, bool keepdim = false);
TensorBase max(const TensorBase& x);  // over everything
TensorBase min(const TensorBase& x);
TensorBase argmax(const TensorBase& x, int64_t dim, bool keepdim = false);
// Sums a broadcast result back down to `shape` (the backward of broadcasting).
TensorBase sum_to(const TensorBase& x, const Shape& shape);
// Numerically stable: subtract the max along dim first.
TensorBase softmax(const TensorBase& x, int64_t dim);
TensorBase log_softmax(const TensorBase& x, int64_t dim);
TensorBase logsumexp(const TensorBase& x, int64_t dim, bool keepdim = false);

// ---- matrix products (tensor/matmul.cpp) -----------------------------------
// 2-D [m,k]x[k,n], batched [...,m,k]x[...,k,n] with broadcast batch dims,
// and 1-D operands as in numpy. Transposed views go to BLAS without a copy.
TensorBase matmul(const TensorBase& a, const TensorBase& b);
TensorBase matmul_reference(const TensorBase& a, const TensorBase& b);  // naive triple loop
// C[m,n] = alpha * op(A) op(B) + beta * C on raw row-major buffers (cblas_sgemm).
void sgemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha,
           const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c,
           int64_t ldc);
void sgemm_reference(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                     const float* a, int64_t lda, const float* b, int64_t ldb, float beta,
                     float* c, int64_t ldc);

// ---- convolution (tensor/conv.cpp; im2col.cpp, conv_reference.cpp) --------
struct Conv2dGeometry {
  int64_t stride_h = 1, stride_w = 1;
  int64_t pad_h = 0, pad_w = 0;  // zeros on both sides
  int64_t dilation_h = 1, dilation_w = 1;
};
// input [N,C,H,W] -> columns [C*kh*kw, OH*OW] for one image.
void im2col(const float* image, int64_t channels, int64_t height, int64_t width, int64_t kh,
            int64_t kw, const Conv2dGeometry& g, float* columns);
// The adjoint: accumulates columns back into an image buffer (zeroed by caller).
void col2im(const float* columns, int64_t channels, int64_t height, int64_t width, int64_t kh,
            int64_t kw, const Conv2dGeometry& g, float* image);
// Where the CPU has AVX2 + FMA and output channels are a multiple of 16 or
// at most 8, conv2d and the weight gradient run direct kernels that read
// the padded image in place instead of im2col + GEMM (tensor/conv_direct.hpp;
// AVX-512 tiles where the CPU has it, set_avx512(false) in
// runtime/cpu_features.hpp or EMBER_AVX512=0 keeps AVX2). On by
// default; false forces im2col + GEMM everywhere (tests compare the two,
// benchmarks A/B them). EMBER_DIRECT_CONV=0 in the environment starts with false.
void set_direct_conv(bool enabled);
bool direct_conv_enabled();
// input [N,C,H,W], weight [O,C,kh,kw], bias [O] or undefined -> [N,O,OH,OW];
// relu: max(out, 0), fused into the pass that writes out.
TensorBase conv2d(const TensorBase& input, const TensorBase& weight, const TensorBase& bias,
                  const Conv2dGeometry& g, bool relu = false);
// The direct 7-loop convolution.
TensorBase conv2d_reference(const TensorBase& input, const TensorBase& weight,
                            const TensorBase& bias, const Conv2dGeometry& g);
// The two backward products: dinput from (dout, weight), dweight from (dout, input).
TensorBase conv2d_backward_input(const TensorBase& dout, const TensorBase& weight,
                                 const Shape& input_shape, const Conv2dGeometry& g);
TensorBase conv2d_backward_weight(const TensorBase& dout, const TensorBase& input,
                                  const Shape& weight_shape, const Conv2dGeometry& g);
// The same, as the 7 loops of the definition (conv_reference.cpp).
TensorBase conv2d_backward_input_reference(const TensorBase& dout, const TensorBase& weight,
                                           const Shape& input_shape, const Conv2dGeometry& g);
TensorBase conv2d_backward_weight_reference(const TensorBase& dout, const TensorBase& input,
                                            const Shape& weight_shape, const Conv2dGeometry& g);
// Both (or either) at once, as a convolution's backward wants them: where it
// can, one lowering of dout per image serves both products. Undefined
// tensors for the ones not asked for.
struct Conv2dGrads {
  TensorBase dinput, dweight, dbias;  // dbias: conv2d_relu_backward only
};
Conv2dGrads conv2d_backward(const TensorBase& dout, const TensorBase& input,
                            const TensorBase& weight, const Conv2dGeometry& g, bool need_input,
                            bool need_weight);
// conv2d(..., relu = true)'s backward from its output `out`: dout where out >
// 0 (else 0) through conv2d_backward, and dbias, the sum over (n, h, w).
// Where d input is not wanted (a network's first layer: its images need no
// gradient) and the direct kernels take d weight, the mask is applied and
// dbias summed while dout is packed for them, image by image, and the
// masked gradient is never written: two passes over the layer's largest
// tensor saved (CM1's first layer: 48 MB per batch of 500).
Conv2dGrads conv2d_relu_backward(const TensorBase& dout, const TensorBase& out,
                                 const TensorBase& input, const TensorBase& weight,
                                 const Conv2dGeometry& g, bool need_input, bool need_weight,
                                 bool need_bias);

// ---- pooling and padding (tensor/pool.cpp; pool_reference.cpp) ------------
struct Pool2dGeometry {
  int64_t kernel_h, kernel_w;
  int64_t stride_h, stride_w;
  int64_t pad_h = 0, pad_w = 0;
};
// Max pooling keeps, per output, the flat h*W+w index of the winner in its plane.
ValuesIndices max_pool2d(const TensorBase& input, const Pool2dGeometry& g);
TensorBase max_pool2d_backward(const TensorBase& dout, const TensorBase& indices,
                               const Shape& input_shape);
// Average pooling counts padding zeros in the divisor (PyTorch's default).
TensorBase avg_pool2d(const TensorBase& input, const Pool2dGeometry& g);
TensorBase avg_pool2d_backward(const TensorBase& dout, const Shape& input_shape,
                               const Pool2dGeometry& g);
TensorBase max_pool2d_reference(const TensorBase& input, const Pool2dGeometry& g);
TensorBase avg_pool2d_reference(const TensorBase& input, const Pool2dGeometry& g);
// Zero padding of the last two dims: (left, right, top, bottom), as torch's F.pad.
TensorBase pad2d(const TensorBase& input, int64_t left, int64_t right, int64_t top, int64_t bottom);

// ---- joining (tensor/join.cpp) ---------------------------------------------
TensorBase cat(const std::vector<TensorBase>& tensors, int64_t dim);
TensorBase stack(const std::vector<TensorBase>& tensors, int64_t dim);

}  // namespace ember::kernels
