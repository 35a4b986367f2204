// kernels.hpp — the non-recording CPU kernels (namespace ember::kernels).
//
// Every function here computes on Tensors and knows nothing about gradients;
// autograd/ wraps them into differentiable ops. Outputs are fresh contiguous
// tensors (views, which copy nothing, are in views.hpp). Inputs may have any
// strides.
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
Tensor contiguous(const Tensor& x);  // x itself if already contiguous, else clone(x)
Tensor clone(const Tensor& x);       // always a fresh contiguous copy
// Copies src (broadcast to dst's shape) into dst, any layouts.
void copy(const Tensor& dst, const Tensor& src);

// ---- elementwise with NumPy broadcasting (tensor/elementwise.cpp) ----------
Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
Tensor pow(const Tensor& a, const Tensor& b);
Tensor maximum(const Tensor& a, const Tensor& b);
Tensor minimum(const Tensor& a, const Tensor& b);
// Comparisons give 1.0f / 0.0f.
Tensor eq(const Tensor& a, const Tensor& b);
Tensor ne(const Tensor& a, const Tensor& b);
Tensor lt(const Tensor& a, const Tensor& b);
Tensor le(const Tensor& a, const Tensor& b);
Tensor gt(const Tensor& a, const Tensor& b);
Tensor ge(const Tensor& a, const Tensor& b);
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b);  // cond != 0 ? a : b

Tensor add(const Tensor& a, float b);
Tensor mul(const Tensor& a, float b);
Tensor pow(const Tensor& a, float exponent);
Tensor neg(const Tensor& x);
Tensor exp(const Tensor& x);
Tensor log(const Tensor& x);
Tensor sqrt(const Tensor& x);
Tensor abs(const Tensor& x);
Tensor sign(const Tensor& x);
Tensor tanh(const Tensor& x);
Tensor sigmoid(const Tensor& x);
Tensor relu(const Tensor& x);
Tensor clamp(const Tensor& x, float lo, float hi);

// Generic maps for ops that need their own formula (activations and their
// derivatives). f is applied elementwise; b broadcasts against a.
Tensor map(const Tensor& x, const std::function<float(float)>& f);
Tensor map2(const Tensor& a, const Tensor& b, const std::function<float(float, float)>& f,
            const char* op);
// The same, element by element from each output's multi-index
// (tensor/elementwise_reference.cpp).
Tensor map_reference(const Tensor& x, const std::function<float(float)>& f);
Tensor map2_reference(const Tensor& a, const Tensor& b,
                      const std::function<float(float, float)>& f, const char* op);

// ---- reductions (tensor/reduce.cpp) ----------------------------------------
// dims empty = all dims. Negative dims count from the end.
Tensor sum(const Tensor& x, const std::vector<int64_t>& dims = {}, bool keepdim = false);
// Element by element in row-major order, in double (tensor/reduce_reference.cpp).
Tensor sum_reference(const Tensor& x, const std::vector<int64_t>& dims = {},
                     bool keepdim = false);
Tensor mean(const Tensor& x, const std::vector<int64_t>& dims = {}, bool keepdim = false);
Tensor var(const Tensor& x, const std::vector<int64_t>& dims = {}, bool unbiased = true,
           bool keepdim = false);
ValuesIndices max(const Tensor& x, int64_t dim, bool keepdim = false);
ValuesIndices min(const Tensor& x, int64_t dim, bool keepdim = false);
Tensor max(const Tensor& x);  // over everything
Tensor min(const Tensor& x);
Tensor argmax(const Tensor& x, int64_t dim, bool keepdim = false);
// Sums a broadcast result back down to `shape` (the backward of broadcasting).
Tensor sum_to(const Tensor& x, const Shape& shape);
// Numerically stable: subtract the max along dim first.
Tensor softmax(const Tensor& x, int64_t dim);
Tensor log_softmax(const Tensor& x, int64_t dim);
Tensor logsumexp(const Tensor& x, int64_t dim, bool keepdim = false);

// ---- matrix products (tensor/matmul.cpp) -----------------------------------
// 2-D [m,k]x[k,n], batched [...,m,k]x[...,k,n] with broadcast batch dims,
// and 1-D operands as in numpy. Transposed views go to BLAS without a copy.
Tensor matmul(const Tensor& a, const Tensor& b);
Tensor matmul_reference(const Tensor& a, const Tensor& b);  // naive triple loop
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
Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias,
              const Conv2dGeometry& g, bool relu = false);
Tensor conv2d_reference(const Tensor& input, const Tensor& weight, const Tensor& bias,
                        const Conv2dGeometry& g);  // direct 7-loop convolution
// The two backward products: dinput from (dout, weight), dweight from (dout, input).
Tensor conv2d_backward_input(const Tensor& dout, const Tensor& weight, const Shape& input_shape,
                             const Conv2dGeometry& g);
Tensor conv2d_backward_weight(const Tensor& dout, const Tensor& input, const Shape& weight_shape,
                              const Conv2dGeometry& g);
// The same, as the 7 loops of the definition (conv_reference.cpp).
Tensor conv2d_backward_input_reference(const Tensor& dout, const Tensor& weight,
                                       const Shape& input_shape, const Conv2dGeometry& g);
Tensor conv2d_backward_weight_reference(const Tensor& dout, const Tensor& input,
                                        const Shape& weight_shape, const Conv2dGeometry& g);
// Both (or either) at once, as a convolution's backward wants them: where it
// can, one lowering of dout per image serves both products. Undefined
// tensors for the ones not asked for.
struct Conv2dGrads {
  Tensor dinput, dweight, dbias;  // dbias: conv2d_relu_backward only
};
Conv2dGrads conv2d_backward(const Tensor& dout, const Tensor& input, const Tensor& weight,
                            const Conv2dGeometry& g, bool need_input, bool need_weight);
// conv2d(..., relu = true)'s backward from its output `out`: dout where out >
// 0 (else 0) through conv2d_backward, and dbias, the sum over (n, h, w).
// Where d input is not wanted (a network's first layer: its images need no
// gradient) and the direct kernels take d weight, the mask is applied and
// dbias summed while dout is packed for them, image by image, and the
// masked gradient is never written: two passes over the layer's largest
// tensor saved (CM1's first layer: 48 MB per batch of 500).
Conv2dGrads conv2d_relu_backward(const Tensor& dout, const Tensor& out, const Tensor& input,
                                 const Tensor& weight, const Conv2dGeometry& g, bool need_input,
                                 bool need_weight, bool need_bias);

// ---- pooling and padding (tensor/pool.cpp; pool_reference.cpp) ------------
struct Pool2dGeometry {
  int64_t kernel_h, kernel_w;
  int64_t stride_h, stride_w;
  int64_t pad_h = 0, pad_w = 0;
};
// Max pooling keeps, per output, the flat h*W+w index of the winner in its plane.
ValuesIndices max_pool2d(const Tensor& input, const Pool2dGeometry& g);
Tensor max_pool2d_backward(const Tensor& dout, const Tensor& indices, const Shape& input_shape);
// Average pooling counts padding zeros in the divisor (PyTorch's default).
Tensor avg_pool2d(const Tensor& input, const Pool2dGeometry& g);
Tensor avg_pool2d_backward(const Tensor& dout, const Shape& input_shape, const Pool2dGeometry& g);
Tensor max_pool2d_reference(const Tensor& input, const Pool2dGeometry& g);
Tensor avg_pool2d_reference(const Tensor& input, const Pool2dGeometry& g);
// Zero padding of the last two dims: (left, right, top, bottom), as torch's F.pad.
Tensor pad2d(const Tensor& input, int64_t left, int64_t right, int64_t top, int64_t bottom);

// ---- joining (tensor/join.cpp) ---------------------------------------------
Tensor cat(const std::vector<Tensor>& tensors, int64_t dim);
Tensor stack(const std::vector<Tensor>& tensors, int64_t dim);

}  // namespace ember::kernels
