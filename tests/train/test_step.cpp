// test_step.cpp — train_step: what one step returns and changes, the
// regularization it adds, and the non-finite loss it refuses to apply.
#include <doctest/doctest.h>

#include <cmath>

#include "autograd/grad_mode.hpp"
#include "autograd/ops.hpp"
#include "nn/linear.hpp"
#include "nn/sequential.hpp"
#include "nn/shape_layers.hpp"
#include "optim/sgd.hpp"
#include "tensor/random.hpp"
#include "train/step.hpp"

using namespace ember;

namespace {

std::shared_ptr<nn::Sequential> small_model(nn::Regularizer reg = {}) {
  auto model = std::make_shared<nn::Sequential>();
  model->add(std::make_shared<nn::Flatten>());
  model->add(std::make_shared<nn::Linear>(
      nn::LinearOptions{.in_features = 4, .out_features = 3, .kernel_regularizer = reg}));
  return model;
}

std::vector<std::vector<float>> weights(nn::Module& m) {
  std::vector<std::vector<float>> w;
  for (const Tensor& p : m.parameters()) w.push_back(p.to_vector());
  return w;
}

}  // namespace

TEST_CASE("train_step: the loss before the update, the logits, and one SGD step") {
  manual_seed(3);
  auto model = small_model(nn::L2(0.5f));
  optim::SGD opt(model->parameters(), {.lr = 0.1f});
  const Tensor x = Tensor::rand({5, 1, 2, 2});
  const Tensor y = Tensor::from_vector({0, 1, 2, 1, 0}, {5});

  double expected = 0.0, data_term = 0.0;
  {
    NoGradGuard no_grad;
    const Tensor logits = model->forward(x);
    expected = train::regularized_loss(*model, logits, y).item();
    data_term = cross_entropy(logits, y).item();
  }
  CHECK(expected > data_term);  // the L2 penalty is part of the loss
  const std::vector<std::vector<float>> before = weights(*model);

  const train::StepResult r = train::train_step(*model, opt, x, y);
  CHECK(r.updated);
  CHECK(r.loss_value == doctest::Approx(expected).epsilon(1e-6));
  CHECK(r.output.shape() == Shape{5, 3});
  CHECK(weights(*model) != before);
}

TEST_CASE("train_step: a NaN loss changes nothing and says so") {
  manual_seed(4);
  auto model = small_model();
  optim::SGD opt(model->parameters(), {.lr = 0.1f});
  const Tensor x = Tensor::rand({2, 1, 2, 2});
  const Tensor y = Tensor::from_vector({0, 1}, {2});
  const std::vector<std::vector<float>> before = weights(*model);
  const train::StepResult r =
      train::train_step(*model, opt, x, y, [](const Tensor& o, const Tensor& t) {
        return cross_entropy(o, t) * std::nanf("");
      });
  CHECK_FALSE(r.updated);
  CHECK(std::isnan(r.loss_value));
  CHECK(weights(*model) == before);
  for (const Tensor& p : model->parameters()) CHECK_FALSE(p.grad().defined());
}
