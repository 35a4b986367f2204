// ops/norm.cpp — batch normalization: forward beside backward.
//
// x [N, C, *] is normalized per channel c over every other dim (N*H*W values):
//   xhat = (x - mean_c) * invstd_c,   invstd_c = 1 / sqrt(var_c + eps)
//   y    = xhat * weight_c + bias_c
// Training uses the batch's mean and biased variance, and moves the running
// statistics toward them (in place, outside the graph): running = (1 - m)
// running + m batch, with the unbiased variance, as PyTorch. Eval uses the
// running statistics, which are constants for the gradient.
//
// Backward, with dxhat = g * weight and means over the N*H*W positions:
//   eval:      dx = dxhat * invstd
//   training:  dx = invstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat))
//   (mean and var depend on x: differentiating them gives the two
//   subtracted terms, which remove dxhat's components along 1 and along xhat)
//   dweight = sum(g * xhat),  dbias = sum(g).
#include "../../tensor/kernels.hpp"
#include "../../tensor/views.hpp"
#include "../grad_mode.hpp"
#include "../node.hpp"
#include "../ops.hpp"

namespace ember {

using autograd::Node;
using autograd::record;

namespace {

void check_channels(const Tensor& t, int64_t channels, const Tensor& x, const char* what) {
  EMBER_CHECK(!t.defined() || t.shape() == Shape{channels}, ShapeError, "batch_norm: ", what,
              " of shape ", t.shape(), " for input of shape ", x.shape(), ": expected [", channels,
              "] (one per channel, dim 1)");
}

// x [N,C,*] -> out of x's shape; the backward is the header's formulas.
// Saves xhat, invstd [1,C,1..] and weight as [1,C,1..] (or undefined).
struct BatchNormNode final : Node {
  BatchNormNode(bool training, std::vector<int64_t> dims)
      : training(training), dims(std::move(dims)) {}
  bool training;
  std::vector<int64_t> dims;  // every dim but the channel dim 1
  const char* name() const override { return "batch_norm"; }
  std::vector<Tensor> backward(const Tensor& g) override {
    Tensor xhat = saved(0), invstd = saved(1), weight = saved(2);
    Tensor dx, dweight, dbias;
    if (needs_grad(0)) {
      Tensor dxhat = weight.defined() ? kernels::mul(g, weight) : g;
      if (training) {
        Tensor mean_dxhat = kernels::mean(dxhat, dims, true);
        Tensor mean_dxhat_xhat = kernels::mean(kernels::mul(dxhat, xhat), dims, true);
        dxhat = kernels::sub(kernels::sub(dxhat, mean_dxhat), kernels::mul(xhat, mean_dxhat_xhat));
      }
      dx = kernels::mul(dxhat, invstd);
    }
    if (needs_grad(1)) dweight = kernels::sum(kernels::mul(g, xhat), dims);
    if (needs_grad(2)) dbias = kernels::sum(g, dims);
    return {dx, dweight, dbias};
  }
};

}  // namespace

Tensor batch_norm(const Tensor& x, const Tensor& running_mean, const Tensor& running_var,
                  const Tensor& weight, const Tensor& bias, bool training, float momentum,
                  float eps) {
  EMBER_CHECK(x.dim() >= 2, ShapeError, "batch_norm: input must be [N, C] or [N, C, ...], got ",
              x.shape());
  const int64_t channels = x.size(1);
  check_channels(running_mean, channels, x, "running_mean");
  check_channels(running_var, channels, x, "running_var");
  check_channels(weight, channels, x, "weight");
  check_channels(bias, channels, x, "bias");
  std::vector<int64_t> dims{0};
  for (int64_t d = 2; d < x.dim(); ++d) dims.push_back(d);
  Shape per_channel(static_cast<size_t>(x.dim()), 1);  // [1, C, 1, ...]
  per_channel[1] = channels;

  Tensor mean, var;
  if (training) {
    const int64_t count = x.numel() / channels;
    EMBER_CHECK(count > 1, ValueError,
                "batch_norm: training needs more than 1 value per channel, got input of shape ",
                x.shape());
    mean = kernels::mean(x, dims, true);
    var = kernels::var(x, dims, /*unbiased=*/false, true);
    NoGradGuard no_grad;
    const float unbias = static_cast<float>(count) / static_cast<float>(count - 1);
    Tensor rm = running_mean, rv = running_var;  // handles: the updates reach the caller's buffers
    if (rm.defined()) rm.mul_(1.0f - momentum).add_(views::reshape(mean, {channels}), momentum);
    if (rv.defined())
      rv.mul_(1.0f - momentum).add_(views::reshape(var, {channels}), momentum * unbias);
  } else {
    EMBER_CHECK(running_mean.defined() && running_var.defined(), ValueError,
                "batch_norm: eval mode needs running_mean and running_var");
    mean = views::reshape(running_mean, per_channel);
    var = views::reshape(running_var, per_channel);
  }
  Tensor invstd = kernels::pow(kernels::add(var, eps), -0.5f);
  Tensor xhat = kernels::mul(kernels::sub(x, mean), invstd);
  Tensor w = weight.defined() ? views::reshape(weight, per_channel) : Tensor();
  Tensor out = w.defined() ? kernels::mul(xhat, w) : xhat;
  if (bias.defined()) out = kernels::add(out, views::reshape(bias, per_channel));
  if (auto node = record<BatchNormNode>(out, {x, weight, bias}, training, dims))
    node->save({xhat.detach(), invstd, w});  // out may be xhat itself: no cycle
  return out;
}

}  // namespace ember
