// test_training.cpp — end to end: a hand-written two-layer MLP trained with plain SGD.
//
// No nn module, no optimizer class: parameters are leaves, the forward is raw
// ops, the update is p -= lr * p.grad() under NoGradGuard. If the engine or
// any op in the chain were wrong, these would not reach 100% accuracy.
#include <doctest/doctest.h>

#include <cmath>

#include "../../autograd/grad_mode.hpp"
#include "../../autograd/ops.hpp"
#include "../../tensor/random.hpp"
#include "helpers.hpp"

using namespace ember;

namespace {

struct Mlp {
  Tensor w1, b1, w2, b2;
  Mlp(int64_t in, int64_t hidden, int64_t out) {
    // Glorot-style scale so tanh starts in its linear range.
    w1 = (Tensor::randn({in, hidden}) * std::sqrt(2.0f / static_cast<float>(in + hidden)))
             .detach()
             .requires_grad_();
    b1 = Tensor::zeros({hidden}).requires_grad_();
    w2 = (Tensor::randn({hidden, out}) * std::sqrt(2.0f / static_cast<float>(hidden + out)))
             .detach()
             .requires_grad_();
    b2 = Tensor::zeros({out}).requires_grad_();
  }
  Tensor forward(const Tensor& x) const { return matmul(tanh(matmul(x, w1) + b1), w2) + b2; }
  void sgd_step(float lr) {
    NoGradGuard no_grad;
    for (Tensor* p : {&w1, &b1, &w2, &b2}) {
      p->sub_(p->grad(), lr);
      p->zero_grad();
    }
  }
};

float accuracy(const Tensor& logits, const Tensor& labels) {
  std::vector<float> predicted = logits.argmax(1).to_vector();
  std::vector<float> truth = labels.to_vector();
  int64_t correct = 0;
  for (size_t i = 0; i < truth.size(); ++i) correct += predicted[i] == truth[i];
  return static_cast<float>(correct) / static_cast<float>(truth.size());
}

// Two interleaved half circles (scikit-learn's make_moons) with Gaussian noise.
void make_moons(int64_t per_moon, float noise, Tensor& x, Tensor& y) {
  x = Tensor::empty({2 * per_moon, 2});
  y = Tensor::empty({2 * per_moon});
  const float pi = 3.14159265f;
  for (int64_t i = 0; i < per_moon; ++i) {
    float t = pi * static_cast<float>(i) / static_cast<float>(per_moon - 1);
    x.at({i, 0}) = std::cos(t), x.at({i, 1}) = std::sin(t), y.at({i}) = 0;
    int64_t j = per_moon + i;
    x.at({j, 0}) = 1 - std::cos(t), x.at({j, 1}) = 0.5f - std::sin(t), y.at({j}) = 1;
  }
  x.add_(Tensor::randn({2 * per_moon, 2}) * noise);
}

}  // namespace

TEST_CASE("five SGD steps of a fixed MLP give PyTorch's loss sequence") {
  // /usr/bin/python3, torch 1.13, same numbers: loss = F.cross_entropy(tanh(x @ w1 + b1) @ w2 + b2,
  // y), then p -= 0.5 * p.grad for each parameter; the five losses printed with repr().
  Tensor x = Tensor::from_vector({0.5f, -1, 2, 1.5f, 0.25f, -0.5f, -1, 1, 0, 0, -0.5f, 1}, {4, 3});
  Tensor y = Tensor::from_vector({1, 0, 1, 0}, {4});
  Mlp net(3, 4, 2);
  net.w1 =
      Tensor::from_vector(
          {0.1f, -0.2f, 0.3f, 0.05f, 0.4f, 0.1f, -0.3f, 0.2f, -0.25f, 0.15f, 0.2f, -0.1f}, {3, 4})
          .requires_grad_();
  net.b1 = Tensor::from_vector({0.01f, -0.02f, 0.03f, 0}, {4}).requires_grad_();
  net.w2 = Tensor::from_vector({0.3f, -0.1f, -0.2f, 0.4f, 0.5f, 0.1f, -0.3f, -0.2f}, {4, 2})
               .requires_grad_();
  net.b2 = Tensor::from_vector({0.05f, -0.05f}, {2}).requires_grad_();
  const float expected[] = {0.6190319061279297f, 0.5927745699882507f, 0.5669123530387878f,
                            0.5422298908233643f, 0.5195726156234741f};
  for (float want : expected) {
    Tensor loss = cross_entropy(net.forward(x), y);
    loss.backward();
    net.sgd_step(0.5f);
    CHECK(loss.item() == doctest::Approx(want).epsilon(1e-5));
  }
}

TEST_CASE("a two-layer MLP learns XOR to 100% with plain SGD") {
  manual_seed(61);
  Tensor x = Tensor::from_vector({0, 0, 0, 1, 1, 0, 1, 1}, {4, 2});
  Tensor y = Tensor::from_vector({0, 1, 1, 0}, {4});
  Mlp net(2, 8, 2);
  float first_loss = 0, loss_value = 0;
  for (int step = 0; step < 1000; ++step) {
    Tensor loss = cross_entropy(net.forward(x), y);
    loss.backward();
    net.sgd_step(0.5f);
    loss_value = loss.item();
    if (step == 0) first_loss = loss_value;
  }
  NoGradGuard no_grad;
  CHECK(accuracy(net.forward(x), y) == 1.0f);
  CHECK(loss_value < 0.05f * first_loss);
}

TEST_CASE("a two-layer MLP learns two moons to 100% with plain SGD") {
  manual_seed(62);
  Tensor x, y;
  make_moons(100, 0.1f, x, y);
  Mlp net(2, 16, 2);
  for (int step = 0; step < 1000; ++step) {
    Tensor loss = cross_entropy(net.forward(x), y);
    loss.backward();
    net.sgd_step(1.0f);
  }
  NoGradGuard no_grad;
  CHECK(accuracy(net.forward(x), y) == 1.0f);
}
