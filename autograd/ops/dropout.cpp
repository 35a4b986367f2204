// ops/dropout.cpp — inverted dropout and channel (spatial) dropout.
//
// Training: each element (or each whole channel, for dropout2d) is kept with
// probability 1 - p and scaled by 1 / (1 - p), so the expected output equals
// the input and evaluation needs no rescaling. out = x * mask, hence
// dx = g * mask with the same mask. The mask is drawn from ember's global
// generator: manual_seed(s) makes a run reproducible.
// Eval (or p = 0): the identity, returning x itself, as PyTorch does.
#include <algorithm>

#include "../../tensor/kernels.hpp"
#include "../../tensor/random.hpp"
#include "../node.hpp"
#include "../ops.hpp"

namespace ember {

using autograd::Node;
using autograd::record;

namespace {

// mask of `shape`: 1 / (1 - p) with probability 1 - p, else 0; and, when x
// is given (contiguous, of the mask's shape), out = x * mask in the same pass.
// Each 64-bit draw gives two uniforms u = 24 random bits / 2^24 (bits 40-63,
// then 8-31), so the generator runs once per two elements; an element is
// kept when u >= p, i.e. when its 24 bits >= p * 2^24 (exact in float).
Tensor dropout_mask(const Shape& shape, float p, const Tensor& x = Tensor(),
                    Tensor* out = nullptr) {
  Tensor mask = Tensor::empty(shape);
  Generator& gen = default_generator();
  const float keep_scale = p < 1.0f ? 1.0f / (1.0f - p) : 0.0f;
  const float threshold = p * 16777216.0f;
  float* m = mask.data();
  const int64_t n = mask.numel();
  if (out) *out = Tensor::empty(shape);
  const float* px = out ? x.data() : nullptr;
  float* po = out ? out->data() : nullptr;
  // The draws come in blocks from Generator::fill_u64 (the same stream as
  // one next_u64 per pair), so the loops below vectorize.
  constexpr int64_t kBlock = 256;
  uint64_t draws[kBlock];
  for (int64_t i0 = 0; i0 < n; i0 += 2 * kBlock) {
    const int64_t count = std::min(kBlock, (n - i0 + 1) / 2);  // the last pair may be half
    gen.fill_u64(draws, count);
    const int64_t end = std::min(n, i0 + 2 * count), pairs = (end - i0) / 2;
    // 24-bit values: through int32, which converts to float in vectors
    const auto kept = [&](uint64_t bits) {
      return static_cast<float>(static_cast<int32_t>(bits)) >= threshold ? keep_scale : 0.0f;
    };
    for (int64_t d = 0; d < pairs; ++d) {
      m[i0 + 2 * d] = kept(draws[d] >> 40);
      m[i0 + 2 * d + 1] = kept((draws[d] >> 8) & 0xffffff);
    }
    if (end - i0 > 2 * pairs) m[end - 1] = kept(draws[pairs] >> 40);  // n odd: the last half pair
    if (po)
      for (int64_t j = i0; j < end; ++j) po[j] = px[j] * m[j];
  }
  return mask;
}

// out = x * mask (mask of x's shape, or [N, C, 1, ...] for dropout2d):
// dx = g * mask. Saves the mask (made here, so no version check is needed; it
// is still kept in the saved list so that releasing the graph frees it).
struct DropoutNode final : Node {
  explicit DropoutNode(const char* op) : op(op) {}
  const char* op;
  const char* name() const override { return op; }
  std::vector<Tensor> backward(const Tensor& g) override { return {kernels::mul(g, saved(0))}; }
};

Tensor apply_dropout(const Tensor& x, float p, bool training, const Shape& mask_shape,
                     const char* op) {
  EMBER_CHECK(p >= 0.0f && p <= 1.0f, ValueError, op, ": p must be in [0, 1], got ", p);
  if (!training || p == 0.0f) return x;
  Tensor out;
  const bool fused = x.is_contiguous() && mask_shape == x.shape();
  Tensor mask = dropout_mask(mask_shape, p, x, fused ? &out : nullptr);
  if (!fused) out = kernels::mul(x, mask);
  if (auto node = record<DropoutNode>(out, {x}, op)) node->save({mask});
  return out;
}

}  // namespace

Tensor dropout(const Tensor& x, float p, bool training) {
  return apply_dropout(x, p, training, x.shape(), "dropout");
}

Tensor dropout2d(const Tensor& x, float p, bool training) {
  EMBER_CHECK(x.dim() >= 2, ShapeError, "dropout2d: input must be [N, C, ...], got ", x.shape());
  Shape mask_shape(static_cast<size_t>(x.dim()), 1);  // [N, C, 1, 1]: one draw per channel
  mask_shape[0] = x.size(0);
  mask_shape[1] = x.size(1);
  return apply_dropout(x, p, training, mask_shape, "dropout2d");
}

}  // namespace ember
