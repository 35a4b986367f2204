// shape_layers.cpp — Flatten, Reshape, ZeroPad2d: views and pad2d.
#include "shape_layers.hpp"

#include "../autograd/ops.hpp"

namespace ember::nn {

Shape Flatten::output_shape(const Shape& s) {
  EMBER_CHECK(s.size() >= 1, ShapeError, "Flatten: expected a batch dim, got ", s);
  int64_t rest = 1;
  for (size_t d = 1; d < s.size(); ++d) rest *= s[d];
  return {s[0], rest};
}

Tensor Flatten::forward(const Tensor& x) { return x.reshape(output_shape(x.shape())); }

Shape Reshape::full_shape(const Shape& s) const {
  EMBER_CHECK(s.size() >= 1, ShapeError, "Reshape: expected a batch dim, got ", s);
  int64_t per_sample = 1, known = 1, infer = -1;
  for (size_t d = 1; d < s.size(); ++d) per_sample *= s[d];
  for (size_t d = 0; d < target_.size(); ++d) {
    if (target_[d] == -1) {
      EMBER_CHECK(infer < 0, ValueError, "Reshape: more than one -1 in target ", target_);
      infer = int64_t(d);
    } else {
      known *= target_[d];
    }
  }
  Shape out{s[0]};
  out.insert(out.end(), target_.begin(), target_.end());
  if (infer >= 0 && known > 0 && per_sample % known == 0) out[size_t(infer) + 1] = per_sample / known;
  EMBER_CHECK(shape_numel(out) == shape_numel(s), ShapeError, "Reshape: cannot reshape ", s,
              " to [N] + ", target_);
  return out;
}

Shape Reshape::output_shape(const Shape& s) { return full_shape(s); }

Tensor Reshape::forward(const Tensor& x) { return x.reshape(full_shape(x.shape())); }

ZeroPad2d::ZeroPad2d(std::array<int64_t, 4> p) : pad_(p) {
  for (int64_t v : p)
    EMBER_CHECK(v >= 0, ValueError, "ZeroPad2d: negative padding {", p[0], ", ", p[1], ", ", p[2],
                ", ", p[3], "}");
}

Shape ZeroPad2d::output_shape(const Shape& s) {
  EMBER_CHECK(s.size() == 4, ShapeError, "ZeroPad2d: expected input [N, C, H, W], got ", s);
  return {s[0], s[1], s[2] + pad_[2] + pad_[3], s[3] + pad_[0] + pad_[1]};
}

Tensor ZeroPad2d::forward(const Tensor& x) {
  output_shape(x.shape());
  return ember::pad2d(x, {pad_[0], pad_[1], pad_[2], pad_[3]});
}

}  // namespace ember::nn
