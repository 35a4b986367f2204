// init.hpp — weight initializers with Keras' exact formulas.
//
// Fans follow Keras and PyTorch alike: for a weight of shape [out, in, k...]
// (ember's Linear [out, in], Conv2d [O, C, kh, kw], LSTM [4u, in]) the
// receptive field is prod(k...), fan_in = in * receptive, fan_out = out *
// receptive. Every variance-scaling initializer draws with n = max(1, fan):
//
//   glorot_uniform  U(-l, l), l = sqrt(6 / (fan_in + fan_out))   (Keras default)
//   glorot_normal   truncated N(0, s), s = sqrt(2 / (fan_in + fan_out)) / .87962566
//   he_uniform      U(-l, l), l = sqrt(6 / fan_in)
//   he_normal       truncated N(0, s), s = sqrt(2 / fan_in) / .87962566
//   lecun_uniform   U(-l, l), l = sqrt(3 / fan_in)
//   lecun_normal    truncated N(0, s), s = sqrt(1 / fan_in) / .87962566
//
// "Truncated" means values beyond two standard deviations are redrawn, as
// TensorFlow's truncated_normal does; 0.87962566103423978 is the standard
// deviation of N(0, 1) truncated to [-2, 2], so dividing by it makes the
// final spread exactly sqrt(scale / n).
//
// torch_default reproduces PyTorch's Linear/Conv2d reset_parameters:
// U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for the weight and for the bias (the
// bias uses its weight's fan_in, which layers pass as fan_shape).
#pragma once

#include <string>

#include "../autograd/tensor.hpp"

namespace ember::nn {

struct Initializer {
  enum class Kind {
    Zeros, Ones, Constant, Uniform, Normal,
    GlorotUniform, GlorotNormal, HeUniform, HeNormal, LecunUniform, LecunNormal,
    Orthogonal, TorchDefault
  };
  Kind kind = Kind::GlorotUniform;
  float a = 0.0f;  // Constant: value; Uniform: low; Normal: mean; Orthogonal: gain
  float b = 0.0f;  // Uniform: high; Normal: std

  static Initializer zeros() { return {Kind::Zeros}; }
  static Initializer ones() { return {Kind::Ones}; }
  static Initializer constant(float value) { return {Kind::Constant, value}; }
  static Initializer uniform(float low, float high) { return {Kind::Uniform, low, high}; }
  static Initializer normal(float mean, float std) { return {Kind::Normal, mean, std}; }
  static Initializer glorot_uniform() { return {Kind::GlorotUniform}; }
  static Initializer glorot_normal() { return {Kind::GlorotNormal}; }
  static Initializer xavier_uniform() { return glorot_uniform(); }
  static Initializer xavier_normal() { return glorot_normal(); }
  static Initializer he_uniform() { return {Kind::HeUniform}; }
  static Initializer he_normal() { return {Kind::HeNormal}; }
  static Initializer kaiming_uniform() { return he_uniform(); }
  static Initializer kaiming_normal() { return he_normal(); }
  static Initializer lecun_uniform() { return {Kind::LecunUniform}; }
  static Initializer lecun_normal() { return {Kind::LecunNormal}; }
  static Initializer orthogonal(float gain = 1.0f) { return {Kind::Orthogonal, gain}; }
  static Initializer torch_default() { return {Kind::TorchDefault}; }

  // Fills `t` in place (not recorded). Fans come from `fan_shape`, which is
  // t's own shape unless a layer passes its weight's shape for a bias.
  void operator()(Tensor t) const { (*this)(t, t.shape()); }
  void operator()(Tensor t, const Shape& fan_shape) const;
  std::string name() const;  // "glorot_uniform", "constant(0.5)", ...
};

struct Fans {
  double in, out;
};
// Keras' _compute_fans on ember's [out, in, k...] layout (see top of file).
Fans compute_fans(const Shape& shape);

namespace init {
// Truncated standard normals scaled by `std` (redrawn beyond 2 std).
Tensor truncated_normal(const Shape& shape, float std);
// Matrix with orthonormal rows or columns (whichever fits), times gain:
// the QR-of-a-Gaussian construction of Keras' Orthogonal (Saxe et al. 2014).
Tensor orthogonal(const Shape& shape, float gain = 1.0f);
}  // namespace init

}  // namespace ember::nn
