// ops.hpp — the differentiable ops, with PyTorch's names and defaults: the
// public face of autograd/ops/, one section per file there.
//
// Each records a node in the graph when grad mode is on and an input requires
// grad (see node.hpp, engine.cpp); in autograd/ops/<family>.cpp each op's Node
// (its backward) is directly followed by the function that records it (its
// forward), which tests/autograd/test_ops_layout.cpp checks. Tensor's math
// methods (x.exp(), x.sum()) and operators (a + b) are the same ops.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "../tensor/tensor.hpp"

namespace ember {

// ---- elementwise (ops/elementwise.cpp) -------------------------------------
Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
Tensor pow(const Tensor& x, float exponent);
Tensor maximum(const Tensor& a, const Tensor& b);
Tensor minimum(const Tensor& a, const Tensor& b);
Tensor neg(const Tensor& x);
Tensor exp(const Tensor& x);
Tensor log(const Tensor& x);
Tensor sqrt(const Tensor& x);
Tensor abs(const Tensor& x);
Tensor clamp(const Tensor& x, float lo, float hi);
// Comparisons with broadcasting: 1 where true, 0 where false. Not recorded
// (their slope is 0 wherever it exists), so the result never requires grad:
//   eq(logits.argmax(1), labels).mean()   // the fraction of right answers
Tensor eq(const Tensor& a, const Tensor& b);
Tensor ne(const Tensor& a, const Tensor& b);
Tensor lt(const Tensor& a, const Tensor& b);
Tensor le(const Tensor& a, const Tensor& b);
Tensor gt(const Tensor& a, const Tensor& b);
Tensor ge(const Tensor& a, const Tensor& b);

// ---- activations (ops/activation.cpp) --------------------------------------
Tensor relu(const Tensor& x);
Tensor leaky_relu(const Tensor& x, float negative_slope = 0.01f);
Tensor elu(const Tensor& x, float alpha = 1.0f);
Tensor selu(const Tensor& x);
Tensor prelu(const Tensor& x, const Tensor& weight);  // weight [1] or [C] (dim 1)
Tensor tanh(const Tensor& x);
Tensor sigmoid(const Tensor& x);
Tensor softplus(const Tensor& x);

// ---- reductions (ops/reduce.cpp) -------------------------------------------
Tensor sum(const Tensor& x, const std::vector<int64_t>& dims = {}, bool keepdim = false);
Tensor mean(const Tensor& x, const std::vector<int64_t>& dims = {}, bool keepdim = false);
Tensor var(const Tensor& x, const std::vector<int64_t>& dims = {}, bool unbiased = true,
           bool keepdim = false);
ValuesIndices max(const Tensor& x, int64_t dim, bool keepdim = false);
ValuesIndices min(const Tensor& x, int64_t dim, bool keepdim = false);
Tensor softmax(const Tensor& x, int64_t dim);
Tensor log_softmax(const Tensor& x, int64_t dim);
Tensor logsumexp(const Tensor& x, int64_t dim, bool keepdim = false);

// ---- matrix products (ops/matmul.cpp) --------------------------------------
Tensor matmul(const Tensor& a, const Tensor& b);
// x [N, in] · weight[out, in]^T + bias[out]: the dense layer in one GEMM.
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor());

// ---- joining and padding (ops/movement.cpp) --------------------------------
Tensor cat(const std::vector<Tensor>& tensors, int64_t dim = 0);
Tensor stack(const std::vector<Tensor>& tensors, int64_t dim = 0);
// Zero padding of the last two dims: {left, right, top, bottom}.
Tensor pad2d(const Tensor& x, const std::vector<int64_t>& pad);

// ---- convolution and pooling (ops/conv.cpp, ops/pool.cpp) ------------------
// input [N,C,H,W], weight [O,C,kh,kw], bias [O] (undefined = none).
Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias = Tensor(),
              int64_t stride = 1, int64_t padding = 0, int64_t dilation = 1);
Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias,
              std::pair<int64_t, int64_t> stride, std::pair<int64_t, int64_t> padding,
              std::pair<int64_t, int64_t> dilation = {1, 1});
// relu(conv2d(...)) in one pass over the output (what Conv2d with a ReLU runs).
Tensor conv2d_relu(const Tensor& input, const Tensor& weight, const Tensor& bias,
                   std::pair<int64_t, int64_t> stride, std::pair<int64_t, int64_t> padding,
                   std::pair<int64_t, int64_t> dilation = {1, 1});
// stride 0 means stride = kernel_size, as PyTorch's stride=None.
Tensor max_pool2d(const Tensor& input, int64_t kernel_size, int64_t stride = 0,
                  int64_t padding = 0);
Tensor max_pool2d(const Tensor& input, std::pair<int64_t, int64_t> kernel_size,
                  std::pair<int64_t, int64_t> stride, std::pair<int64_t, int64_t> padding = {0, 0});
Tensor avg_pool2d(const Tensor& input, int64_t kernel_size, int64_t stride = 0,
                  int64_t padding = 0);
Tensor avg_pool2d(const Tensor& input, std::pair<int64_t, int64_t> kernel_size,
                  std::pair<int64_t, int64_t> stride, std::pair<int64_t, int64_t> padding = {0, 0});

// ---- regularization and normalization (ops/dropout.cpp, ops/norm.cpp) ------
// Inverted dropout: kept values are scaled by 1/(1-p) in training, identity in eval.
Tensor dropout(const Tensor& x, float p = 0.5f, bool training = true);
// Drops whole channels (dim 1) of [N,C,...]: Keras SpatialDropout2D.
Tensor dropout2d(const Tensor& x, float p = 0.5f, bool training = true);
// x [N,C] or [N,C,H,W]. Training: batch statistics, and running stats updated
// in place as running = (1-momentum)*running + momentum*batch (PyTorch's
// convention; Keras momentum m is PyTorch momentum 1-m). Eval: running stats.
// running_var is updated with the unbiased batch variance, as PyTorch does.
Tensor batch_norm(const Tensor& x, const Tensor& running_mean, const Tensor& running_var,
                  const Tensor& weight, const Tensor& bias, bool training,
                  float momentum = 0.1f, float eps = 1e-5f);

// ---- losses (ops/loss.cpp) -------------------------------------------------
enum class Reduction { Mean, Sum, None };
// logits [N,C]; targets either class indices [N] (floats holding integers:
// sparse categorical) or probabilities / one-hot [N,C] (categorical).
Tensor cross_entropy(const Tensor& logits, const Tensor& targets,
                     Reduction reduction = Reduction::Mean);
Tensor nll_loss(const Tensor& log_probs, const Tensor& targets,
                Reduction reduction = Reduction::Mean);
Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::Mean);
Tensor binary_cross_entropy_with_logits(const Tensor& logits, const Tensor& targets,
                                        Reduction reduction = Reduction::Mean);
// Class indices [N] (floats holding integers in [0, classes)) as rows of
// [N, classes]: 1 at each example's class, 0 elsewhere (PyTorch's
// F.one_hot, Keras' to_categorical). Labels are data: not recorded.
Tensor one_hot(const Tensor& labels, int64_t classes);

}  // namespace ember
