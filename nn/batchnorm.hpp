// batchnorm.hpp — batch normalization (PyTorch BatchNorm1d/2d, Keras
// BatchNormalization) over dim 1 of [N, C] or [N, C, H, W].
//
//   y = (x - mean) / sqrt(var + eps) * gamma + beta
//
// Training uses the batch statistics and updates the running ones:
// running = (1 - momentum) * running + momentum * batch (PyTorch's momentum;
// Keras' momentum m is 1 - m here). Eval uses the running statistics.
// Parameters: gamma ("weight", ones) and beta ("bias", zeros) are trainable;
// running_mean (zeros) and running_var (ones) are buffers, which summary()
// counts as non-trainable, as Keras counts moving_mean/moving_variance:
// 4*C in all, 2*C non-trainable.
// Defaults are PyTorch's (momentum 0.1, eps 1e-5); BatchNormOptions::keras()
// gives Keras' (momentum 0.99 i.e. 0.01 here, eps 1e-3).
#pragma once

#include "module.hpp"

namespace ember::nn {

struct BatchNormOptions {
  float momentum = 0.1f;  // PyTorch convention: weight of the new batch
  float eps = 1e-5f;
  bool affine = true;     // learn gamma and beta
  static BatchNormOptions keras() { return {0.01f, 1e-3f, true}; }
};

class BatchNorm : public Module {
 public:
  // Accepts [N, C] and [N, C, H, W] (see BatchNorm1d/2d for a checked rank).
  explicit BatchNorm(int64_t num_features, const BatchNormOptions& options = {});
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "BatchNormalization"; }
  std::string extra_repr() const override;
  Shape output_shape(const Shape& input_shape) override;

  Tensor weight() const { return weight_; }
  Tensor bias() const { return bias_; }
  Tensor running_mean() const { return running_mean_; }
  Tensor running_var() const { return running_var_; }
  const BatchNormOptions& options() const { return options_; }

 protected:
  BatchNorm(int64_t num_features, const BatchNormOptions& options, int64_t rank,
            const char* name);

 private:
  int64_t num_features_;
  BatchNormOptions options_;
  int64_t rank_ = 0;  // 0: 2 or 4
  const char* name_ = "BatchNorm";
  Tensor weight_, bias_, running_mean_, running_var_;
};

// [N, C] only.
class BatchNorm1d : public BatchNorm {
 public:
  explicit BatchNorm1d(int64_t num_features, const BatchNormOptions& options = {})
      : BatchNorm(num_features, options, 2, "BatchNorm1d") {}
};

// [N, C, H, W] only.
class BatchNorm2d : public BatchNorm {
 public:
  explicit BatchNorm2d(int64_t num_features, const BatchNormOptions& options = {})
      : BatchNorm(num_features, options, 4, "BatchNorm2d") {}
};

}  // namespace ember::nn
