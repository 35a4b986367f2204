// test_layers.cpp — each layer's forward against hand-worked values or
// PyTorch-computed constants, output shapes, train/eval behaviour and the
// errors a wrong input gets.
#include <doctest/doctest.h>

#include <cmath>
#include <type_traits>

#include "autograd/grad_mode.hpp"
#include "autograd/gradcheck.hpp"
#include "autograd/ops.hpp"
#include "nn/activation.hpp"
#include "nn/batchnorm.hpp"
#include "nn/conv.hpp"
#include "nn/dropout.hpp"
#include "nn/keras_names.hpp"
#include "nn/linear.hpp"
#include "nn/lstm.hpp"
#include "nn/pool.hpp"
#include "nn/residual.hpp"
#include "nn/sequential.hpp"
#include "nn/shape_layers.hpp"
#include "tensor/random.hpp"

using namespace ember;
using namespace ember::nn;

namespace {

void check_values(const Tensor& t, const std::vector<float>& expected, float tol = 1e-5f) {
  std::vector<float> v = t.to_vector();
  REQUIRE(v.size() == expected.size());
  for (size_t i = 0; i < v.size(); ++i) {
    CAPTURE(i);
    CHECK(v[i] == doctest::Approx(expected[i]).epsilon(tol).scale(1.0));
  }
}

Tensor seq(const Shape& shape, float scale = 1.0f) {
  return Tensor::arange(shape_numel(shape)).view(shape) * scale;
}

}  // namespace

TEST_CASE("Linear: x W^T + b, activation, leading dims, shapes and errors") {
  Linear fc(LinearOptions{.in_features = 3, .out_features = 2});
  fc.weight().copy_(Tensor::from_vector({1, 2, 3, -1, 0, 1}, {2, 3}));
  fc.bias().copy_(Tensor::from_vector({0.5f, -4}, {2}));
  Tensor x = Tensor::from_vector({1, 1, 1, 2, 0, -1}, {2, 3});
  check_values(fc(x), {6.5f, -4, -0.5f, -7});
  CHECK(fc.type_name() == "Dense");
  CHECK(fc.num_parameters() == 8);
  // [2, 1, 3] -> [2, 1, 2]: applied to the last dim, as Keras' Dense.
  CHECK(fc(x.view({2, 1, 3})).shape() == Shape{2, 1, 2});
  Linear relu_fc(LinearOptions{.in_features = 3, .out_features = 2, .activation = Activation::ReLU});
  relu_fc.weight().copy_(fc.weight());
  relu_fc.bias().copy_(fc.bias());
  check_values(relu_fc(x), {6.5f, 0, 0, 0});
  Linear no_bias(LinearOptions{.in_features = 3, .out_features = 2, .bias = false});
  CHECK(no_bias.num_parameters() == 6);
  CHECK(no_bias.named_parameters().size() == 1);
  CHECK_THROWS_WITH_AS(fc(Tensor::zeros({2, 4})), doctest::Contains("expected input [..., 3], got [2, 4]"),
                       ShapeError);
}

TEST_CASE("Conv2d: valid, same (asymmetric, TensorFlow's rule), explicit, dilation, bias off") {
  // The PyTorch reference pads (0, 1, 0, 1) then convolves with stride 2:
  //   x = (arange(36) % 7).view(1,1,6,6), w = [[1,0,-1],[2,1,0],[0,-1,1]], b = 0.5
  //   F.conv2d(F.pad(x, (0,1,0,1)), w, b, stride=2)
  Tensor x = Tensor::from_vector([] {
    std::vector<float> v(36);
    for (int i = 0; i < 36; ++i) v[size_t(i)] = float(i % 7);
    return v;
  }(), {1, 1, 6, 6});
  Conv2d same(Conv2dOptions{.in_channels = 1, .out_channels = 1, .kernel_size = 3, .stride = 2,
                            .padding = "same"});
  same.weight().copy_(Tensor::from_vector({1, 0, -1, 2, 1, 0, 0, -1, 1}, {1, 1, 3, 3}));
  same.bias().fill_(0.5f);
  Tensor y = same(x);
  CHECK(y.shape() == Shape{1, 1, 3, 3});
  check_values(y, {4.5f, 3.5f, 11.5f, 19.5f, 4.5f, 5.5f, 5.5f, 18.5f, 12.5f});
  CHECK(same.type_name() == "Conv2D");

  // "same" keeps the size at stride 1, also with dilation.
  Conv2d dil(Conv2dOptions{.in_channels = 2, .out_channels = 4, .kernel_size = 3, .padding = "same",
                           .dilation = 2});
  CHECK(dil(Tensor::randn({2, 2, 7, 9})).shape() == Shape{2, 4, 7, 9});
  CHECK(dil.output_shape({2, 2, 7, 9}) == Shape{2, 4, 7, 9});
  // valid: 28 - 5 + 1; explicit padding 1 with a 3x3 kernel keeps the size.
  Conv2d valid(1, 8, 5);
  CHECK(valid(Tensor::zeros({1, 1, 28, 28})).shape() == Shape{1, 8, 24, 24});
  Conv2d padded(Conv2dOptions{.in_channels = 1, .out_channels = 2, .kernel_size = {3, 1}, .padding = {1, 0}});
  CHECK(padded(Tensor::zeros({1, 1, 5, 5})).shape() == Shape{1, 2, 5, 5});
  Conv2d no_bias(Conv2dOptions{.in_channels = 3, .out_channels = 4, .kernel_size = 3, .bias = false});
  CHECK(no_bias.num_parameters() == 4 * 3 * 9);
  CHECK(Conv2d(3, 4, 3).num_parameters() == 4 * 3 * 9 + 4);

  // The activation argument, as Keras' activation='relu'.
  Conv2d relu(Conv2dOptions{.in_channels = 1, .out_channels = 1, .kernel_size = 1,
                            .activation = Activation::ReLU});
  relu.weight().fill_(-1.0f);
  relu.bias().fill_(0.0f);
  check_values(relu(Tensor::from_vector({1, -2, 3, -4}, {1, 1, 2, 2})), {0, 2, 0, 4});

  CHECK_THROWS_WITH_AS(valid(Tensor::zeros({1, 3, 28, 28})),
                       doctest::Contains("expected input [N, 1, H, W], got [1, 3, 28, 28]"), ShapeError);
  CHECK_THROWS_WITH_AS(valid(Tensor::zeros({1, 1, 3, 3})), doctest::Contains("does not fit"), ShapeError);
  CHECK_THROWS_WITH_AS(Conv2d(Conv2dOptions{.in_channels = 1, .out_channels = 1, .padding = "full"}),
                       doctest::Contains("unknown mode 'full'"), ValueError);
}

TEST_CASE("pooling: max, average with any stride (LeNet's 2/1), global average") {
  Tensor x = seq({1, 1, 3, 3});  // 0..8
  MaxPool2d max2(2, 1);
  check_values(max2(x), {4, 5, 7, 8});
  AvgPool2d avg2(2, 1);
  check_values(avg2(x), {2, 3, 5, 6});
  CHECK(avg2.type_name() == "AveragePooling2D");
  // Default stride = kernel; odd sizes floor.
  MaxPool2d half(2);
  CHECK(half(Tensor::zeros({2, 3, 7, 7})).shape() == Shape{2, 3, 3, 3});
  CHECK(MaxPool2d(3, 2).output_shape({1, 96, 38, 38}) == Shape{1, 96, 18, 18});
  GlobalAvgPool2d gap;
  check_values(gap(seq({1, 2, 2, 2})), {1.5f, 5.5f});
  CHECK(gap.output_shape({4, 7, 3, 3}) == Shape{4, 7});
  CHECK_THROWS_WITH_AS(half(Tensor::zeros({3, 4})), doctest::Contains("expected input [N, C, H, W], got [3, 4]"),
                       ShapeError);
}

TEST_CASE("BatchNorm: batch statistics in training, running statistics in eval") {
  // Channel 0: 1,3,5,7 (mean 4, biased var 5, unbiased 20/3);
  // channel 1: 2,4,6,9 (mean 5.25, biased var 6.6875, unbiased 8.9166667).
  Tensor x = Tensor::from_vector({1, 2, 3, 4, 5, 6, 7, 9}, {4, 2});
  BatchNorm1d bn(2);
  Tensor y = bn(x);
  float s0 = std::sqrt(5.0f + 1e-5f), s1 = std::sqrt(6.6875f + 1e-5f);
  check_values(y, {-3 / s0, -3.25f / s1, -1 / s0, -1.25f / s1, 1 / s0, 0.75f / s1, 3 / s0, 3.75f / s1});
  // PyTorch's update: 0.9 * running + 0.1 * batch (unbiased variance).
  check_values(bn.running_mean(), {0.4f, 0.525f});
  check_values(bn.running_var(), {0.9f + 0.1f * 20.0f / 3.0f, 0.9f + 0.1f * 8.9166667f});
  bn.eval();
  Tensor rm = bn.running_mean(), rv = bn.running_var();
  std::vector<float> expected;
  for (int i = 0; i < 4; ++i)
    for (int c = 0; c < 2; ++c)
      expected.push_back((x.at({i, c}) - rm.at({c})) / std::sqrt(rv.at({c}) + 1e-5f));
  check_values(bn(x), expected);
  check_values(bn.running_mean(), {0.4f, 0.525f});  // eval leaves them alone

  // Keras' momentum 0.99 is PyTorch's 0.01.
  BatchNorm keras(2, BatchNormOptions::keras());
  keras(x);
  check_values(keras.running_mean(), {0.04f, 0.0525f});
  CHECK(keras.options().eps == 1e-3f);

  // 4 values per channel, 2 of them non-trainable buffers.
  BatchNorm2d bn2(3);
  CHECK(bn2.num_parameters() == 12);
  CHECK(bn2.num_parameters(true) == 6);
  CHECK(bn2.named_buffers().size() == 2);
  CHECK(bn2(Tensor::randn({2, 3, 4, 4})).shape() == Shape{2, 3, 4, 4});
  CHECK_THROWS_WITH_AS(bn2(Tensor::zeros({2, 3})), doctest::Contains("expected input [N, C, H, W] with C = 3"),
                       ShapeError);
  CHECK_THROWS_WITH_AS(bn(Tensor::zeros({2, 5})), doctest::Contains("got [2, 5]"), ShapeError);
}

TEST_CASE("Dropout and SpatialDropout2d: scaled in training, identity in eval") {
  manual_seed(7);
  Tensor x = Tensor::ones({100, 100});
  Dropout drop(0.3f);
  std::vector<float> v = drop(x).to_vector();
  int zeros = 0;
  for (float f : v) {
    CHECK((f == 0.0f || f == doctest::Approx(1.0f / 0.7f)));
    zeros += f == 0.0f;
  }
  CHECK(zeros / 10000.0 == doctest::Approx(0.3).epsilon(0.1));
  drop.eval();
  CHECK(drop(x).to_vector() == x.to_vector());

  SpatialDropout2d sd(0.5f);
  Tensor maps = sd(Tensor::ones({4, 16, 3, 3}));
  for (int64_t n = 0; n < 4; ++n)
    for (int64_t c = 0; c < 16; ++c) {
      float first = maps.at({n, c, 0, 0});
      CHECK((first == 0.0f || first == 2.0f));
      for (int64_t i = 0; i < 9; ++i) CHECK(maps.at({n, c, i / 3, i % 3}) == first);  // whole channel
    }
  sd.eval();
  CHECK(sd(Tensor::ones({1, 2, 2, 2})).to_vector() == std::vector<float>(8, 1.0f));
  CHECK_THROWS_WITH_AS(Dropout(1.0f), doctest::Contains("p must be in [0, 1), got 1"), ValueError);
}

TEST_CASE("activation layers: hand-worked values") {
  Tensor x = Tensor::from_vector({-2, -0.5f, 0, 1.5f}, {1, 4});
  check_values(ReLU()(x), {0, 0, 0, 1.5f});
  check_values(LeakyReLU()(x), {-0.6f, -0.15f, 0, 1.5f});  // Keras' alpha 0.3
  check_values(LeakyReLU(0.1f)(x), {-0.2f, -0.05f, 0, 1.5f});
  check_values(ELU()(x), {std::expm1(-2.0f), std::expm1(-0.5f), 0, 1.5f});
  const float l = 1.0507009873554805f, a = 1.6732632423543772f;
  check_values(SELU()(x), {l * a * std::expm1(-2.0f), l * a * std::expm1(-0.5f), 0, l * 1.5f});
  check_values(Tanh()(x), {std::tanh(-2.0f), std::tanh(-0.5f), 0, std::tanh(1.5f)});
  check_values(Sigmoid()(x), {1 / (1 + std::exp(2.0f)), 1 / (1 + std::exp(0.5f)), 0.5f, 1 / (1 + std::exp(-1.5f))});
  Tensor sm = Softmax()(x);
  float z = std::exp(-2.0f) + std::exp(-0.5f) + 1 + std::exp(1.5f);
  check_values(sm, {std::exp(-2.0f) / z, std::exp(-0.5f) / z, 1 / z, std::exp(1.5f) / z});

  // PReLU, PyTorch layout: one alpha per channel (dim 1), init 0.25.
  PReLU prelu(2);
  CHECK(prelu.num_parameters() == 2);
  check_values(prelu(Tensor::from_vector({-4, 4, -8, 8}, {2, 2})), {-1, 4, -2, 8});
  // Keras layout: one alpha per position (zeros), [C, H, W] -> C*H*W params.
  auto kp = PReLU::keras({3, 4, 4});
  CHECK(kp->num_parameters() == 48);
  kp->alpha().fill_(0.5f);
  kp->alpha().at({0, 0, 0}) = 0.1f;
  Tensor out = (*kp)(Tensor::full({2, 3, 4, 4}, -2.0f));
  CHECK(out.at({1, 0, 0, 0}) == doctest::Approx(-0.2f));
  CHECK(out.at({1, 2, 3, 3}) == doctest::Approx(-1.0f));
  CHECK_THROWS_WITH_AS((*kp)(Tensor::zeros({2, 3, 5, 5})), doctest::Contains("does not match input [2, 3, 5, 5]"),
                       ShapeError);
}

TEST_CASE("Flatten, Reshape, ZeroPad2d") {
  Tensor x = seq({2, 3, 2, 2});
  Flatten flat;
  CHECK(flat(x).shape() == Shape{2, 12});
  CHECK(flat(x).to_vector() == x.to_vector());  // C, H, W order
  Reshape r({4, -1});
  CHECK(r(x).shape() == Shape{2, 4, 3});
  CHECK_THROWS_WITH_AS(Reshape({5})(x), doctest::Contains("cannot reshape [2, 3, 2, 2] to [N] + [5]"), ShapeError);
  ZeroPad2d pad(1);
  Tensor p = pad(seq({1, 1, 2, 2}, 1.0f) + 1.0f);
  CHECK(p.shape() == Shape{1, 1, 4, 4});
  check_values(p, {0, 0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0, 0, 0, 0});
  ZeroPad2d lrtb({1, 0, 0, 2});
  CHECK(lrtb.output_shape({1, 1, 2, 2}) == Shape{1, 1, 4, 3});
  CHECK(lrtb(Tensor::ones({1, 1, 2, 2})).shape() == Shape{1, 1, 4, 3});
}

TEST_CASE("LSTM matches PyTorch's nn.LSTM (one bias, Keras' count)") {
  // PyTorch 1.13 reference (paste of /usr/bin/python3 output):
  //   F, U, N, T = 2, 3, 2, 4
  //   w_ih = sin(arange(24) * .37).reshape(12, 2) * .5
  //   w_hh = cos(arange(36) * .23).reshape(12, 3) * .4
  //   b = linspace(-.3, .4, 12); x = sin(arange(16) * .71).reshape(2, 4, 2)
  //   lstm = nn.LSTM(2, 3, batch_first=True), bias_ih = b, bias_hh = 0
  //   out, _ = lstm(x)
  const std::vector<float> expected = {
      -0.066907f, -0.0245717f, 0.0731067f, -0.241375f, -0.2472345f, 0.0496364f,
      -0.0541163f, -0.0739118f, 0.026375f, 0.1071143f, 0.041978f, 0.0437264f,
      0.069116f, 0.0748841f, 0.0649749f, -0.1696194f, -0.1645016f, 0.1071924f,
      -0.1611061f, -0.1648227f, 0.0470896f, 0.0614336f, 0.0134702f, 0.0459054f};
  LSTM lstm(LSTMOptions{.input_size = 2, .units = 3, .return_sequences = true});
  std::vector<float> w_ih(24), w_hh(36), b(12), x(16);
  for (size_t i = 0; i < 24; ++i) w_ih[i] = float(std::sin(double(i) * 0.37) * 0.5);
  for (size_t i = 0; i < 36; ++i) w_hh[i] = float(std::cos(double(i) * 0.23) * 0.4);
  for (size_t i = 0; i < 12; ++i) b[i] = float(-0.3 + 0.7 * double(i) / 11.0);
  for (size_t i = 0; i < 16; ++i) x[i] = float(std::sin(double(i) * 0.71));
  lstm.weight_ih().copy_(Tensor::from_vector(w_ih, {12, 2}));
  lstm.weight_hh().copy_(Tensor::from_vector(w_hh, {12, 3}));
  lstm.bias().copy_(Tensor::from_vector(b, {12}));
  Tensor input = Tensor::from_vector(x, {2, 4, 2});
  Tensor out = lstm(input);
  CHECK(out.shape() == Shape{2, 4, 3});
  check_values(out, expected, 1e-4f);
  // Without return_sequences: the last step's hidden state.
  LSTM last(2, 3);
  for (const auto& [name, t] : lstm.named_parameters())
    for (const auto& [name2, t2] : last.named_parameters())
      if (name == name2) Tensor(t2).copy_(t);
  check_values(last(input), {expected[9], expected[10], expected[11], expected[21], expected[22], expected[23]}, 1e-4f);
  // Keras' count and defaults: forget-gate bias 1, orthogonal recurrent kernel.
  LSTM keras(1, 128);
  CHECK(keras.num_parameters() == 66'560);
  CHECK(keras.bias().narrow(0, 128, 128).to_vector() == std::vector<float>(128, 1.0f));
  CHECK(keras.bias().narrow(0, 0, 128).to_vector() == std::vector<float>(128, 0.0f));
  CHECK_THROWS_WITH_AS(last(Tensor::zeros({2, 4, 3})), doctest::Contains("expected input [N, T, 2], got [2, 4, 3]"),
                       ShapeError);
}

TEST_CASE("TimeDistributed applies its layer to every step") {
  manual_seed(11);
  auto lstm = std::make_shared<LSTM>(1, 4);
  TimeDistributed td(lstm);
  Tensor x = Tensor::randn({2, 3, 5, 1});  // 2 images, 3 rows of 5 pixels
  Tensor y = td(x);
  CHECK(y.shape() == Shape{2, 3, 4});
  CHECK(td.output_shape({2, 3, 5, 1}) == Shape{2, 3, 4});
  for (int64_t n = 0; n < 2; ++n)
    for (int64_t t = 0; t < 3; ++t) {
      Tensor step = (*lstm)(x.select(0, n).select(0, t).unsqueeze(0));  // [1, 5, 1]
      check_values(y.select(0, n).select(0, t), step.view({4}).to_vector());
    }
  CHECK(td.named_parameters()[0].first == "layer.weight_ih");
}

TEST_CASE("BasicBlock: identity and projection shortcuts") {
  manual_seed(5);
  BasicBlock same(BasicBlockOptions{.in_channels = 4, .out_channels = 4});
  CHECK_FALSE(same.has_projection());
  same.eval();
  Tensor x = Tensor::randn({2, 4, 6, 6});
  Tensor y = same(x);
  CHECK(y.shape() == Shape{2, 4, 6, 6});
  // In eval, with all kernels and biases zero, the residual path gives
  // BN(0) = 0 (running mean 0, beta 0), so the block is relu(x).
  for (auto& [name, t] : same.named_parameters())
    if (name.find("conv") != std::string::npos) t.zero_();
  check_values(same(x), ember::relu(x).to_vector());

  BasicBlock down(BasicBlockOptions{.in_channels = 4, .out_channels = 8, .stride = 2});
  CHECK(down.has_projection());
  CHECK(down(Tensor::randn({1, 4, 7, 7})).shape() == Shape{1, 8, 4, 4});
  // (9*4*8 + 8) + (9*8*8 + 8) + 2*(4*8) + (4*8 + 8)
  CHECK(down.num_parameters() == 296 + 584 + 64 + 40);
  CHECK(down.num_parameters() - down.num_parameters(true) == 32);
}

TEST_CASE("Sequential: add, names, indexing, shapes") {
  Sequential model;
  auto conv = model.add(std::make_shared<Conv2d>(1, 2, 3));
  model.add(std::make_shared<Flatten>(), "flat");
  model.add(std::make_shared<Linear>(2 * 26 * 26, 3));
  CHECK(model.size() == 3);
  CHECK(model[0] == conv);
  CHECK(model.name_at(1) == "flat");
  CHECK(model(Tensor::zeros({5, 1, 28, 28})).shape() == Shape{5, 3});
  CHECK(model.output_shape({5, 1, 28, 28}) == Shape{5, 3});
  std::vector<std::string> names;
  for (const auto& [name, t] : model.named_parameters()) names.push_back(name);
  CHECK(names == std::vector<std::string>{"0.weight", "0.bias", "2.weight", "2.bias"});
  CHECK_THROWS_WITH_AS(model.add(std::make_shared<ReLU>(), "flat"), doctest::Contains("already named 'flat'"),
                       ValueError);
  CHECK_THROWS_WITH_AS(model[7], doctest::Contains("index 7 out of range for 3 layers"), IndexError);
  // The short constructors of docs/nn.md.
  Conv2d short_conv(1, 32, 5, "same", Activation::ReLU);
  CHECK(short_conv.output_shape({1, 1, 28, 28}) == Shape{1, 32, 28, 28});
  Sequential listed{std::make_shared<Linear>(4, 2), std::make_shared<ReLU>()};
  CHECK(listed.size() == 2);
}

TEST_CASE("gradients flow through the composite layers (gradcheck)") {
  // LSTM: d(output)/d(input, W_ih, W_hh, b) through the unrolled steps.
  manual_seed(21);
  LSTM lstm(LSTMOptions{.input_size = 2, .units = 3, .return_sequences = true});
  Tensor x = Tensor::randn({2, 3, 2}).requires_grad_();
  auto with_params = [&](Module& m, const std::vector<Tensor>& in) {
    std::vector<Tensor> all = in;
    for (Tensor p : m.parameters()) all.push_back(p);
    return all;
  };
  auto r1 = autograd::gradcheck([&](const std::vector<Tensor>& in) { return lstm(in[0]); },
                                with_params(lstm, {x}));
  CHECK_MESSAGE(r1.ok, r1.report);

  // Conv2d with asymmetric "same" padding (pad2d then conv2d).
  Conv2d conv(Conv2dOptions{.in_channels = 2, .out_channels = 2, .kernel_size = 3, .stride = 2,
                            .padding = "same"});
  Tensor img = Tensor::randn({1, 2, 6, 6}).requires_grad_();
  auto r2 = autograd::gradcheck([&](const std::vector<Tensor>& in) { return conv(in[0]); },
                                with_params(conv, {img}));
  CHECK_MESSAGE(r2.ok, r2.report);

  // PReLU in Keras' per-position layout (composed from relu, sub, mul).
  auto prelu = PReLU::keras({2, 3});
  prelu->alpha().copy_(Tensor::uniform({2, 3}, 0.1f, 0.4f));
  Tensor v = Tensor::randn({4, 2, 3});
  for (int64_t i = 0; i < v.numel(); ++i)
    if (std::abs(v.data()[i]) < 0.1f) v.data()[i] += 0.3f;  // off the kink
  v.requires_grad_();
  auto r3 = autograd::gradcheck([&](const std::vector<Tensor>& in) { return (*prelu)(in[0]); },
                                with_params(*prelu, {v}));
  CHECK_MESSAGE(r3.ok, r3.report);
}

TEST_CASE("keras_names.hpp: each Keras name is the ember layer it stands for") {
  static_assert(std::is_same_v<Dense, Linear>);
  static_assert(std::is_same_v<Conv2D, Conv2d>);
  static_assert(std::is_same_v<MaxPooling2D, MaxPool2d>);
  static_assert(std::is_same_v<AveragePooling2D, AvgPool2d>);
  static_assert(std::is_same_v<GlobalAveragePooling2D, GlobalAvgPool2d>);
  static_assert(std::is_same_v<BatchNormalization, BatchNorm>);
  static_assert(std::is_same_v<SpatialDropout2D, SpatialDropout2d>);
  static_assert(std::is_same_v<ZeroPadding2D, ZeroPad2d>);
  static_assert(std::is_same_v<Dropout2d, SpatialDropout2d>);
  CHECK(Dense(3, 2).type_name() == "Dense");
}
