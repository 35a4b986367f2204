// batchnorm.cpp — BatchNorm layers over autograd's batch_norm op, which
// normalizes and updates the running statistics in one call.
#include "batchnorm.hpp"

#include "../autograd/ops.hpp"

namespace ember::nn {

BatchNorm::BatchNorm(int64_t num_features, const BatchNormOptions& options)
    : BatchNorm(num_features, options, 0, "BatchNorm") {}

BatchNorm::BatchNorm(int64_t num_features, const BatchNormOptions& options, int64_t rank,
                     const char* name)
    : num_features_(num_features), options_(options), rank_(rank), name_(name) {
  EMBER_CHECK(num_features > 0, ValueError, name, ": num_features must be positive, got ",
              num_features);
  EMBER_CHECK(options.momentum >= 0.0f && options.momentum <= 1.0f && options.eps > 0.0f,
              ValueError, name, ": momentum must be in [0, 1] and eps > 0, got momentum ",
              options.momentum, " eps ", options.eps);
  if (options.affine) {
    weight_ = register_parameter("weight", Tensor::ones({num_features}));
    bias_ = register_parameter("bias", Tensor::zeros({num_features}));
  }
  running_mean_ = register_buffer("running_mean", Tensor::zeros({num_features}));
  running_var_ = register_buffer("running_var", Tensor::ones({num_features}));
}

Shape BatchNorm::output_shape(const Shape& s) {
  bool rank_ok = rank_ == 0 ? (s.size() == 2 || s.size() == 4) : int64_t(s.size()) == rank_;
  const char* expected =
      rank_ == 2 ? "[N, C]" : (rank_ == 4 ? "[N, C, H, W]" : "[N, C] or [N, C, H, W]");
  EMBER_CHECK(rank_ok && s[1] == num_features_, ShapeError, name_, ": expected input ", expected,
              " with C = ", num_features_, ", got ", s);
  return s;
}

Tensor BatchNorm::forward(const Tensor& x) {
  output_shape(x.shape());
  return ember::batch_norm(x, running_mean_, running_var_, weight_, bias_, is_training(),
                           options_.momentum, options_.eps);
}

std::string BatchNorm::extra_repr() const {
  return detail::str(num_features_, ", momentum=", options_.momentum, ", eps=", options_.eps,
                     options_.affine ? "" : ", affine=false");
}

}  // namespace ember::nn
