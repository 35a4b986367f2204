// test_loss.cpp — losses in every reduction and target kind: PyTorch values and gradchecks.
#include <doctest/doctest.h>

#include <string>

#include "../../autograd/ops.hpp"
#include "../../tensor/random.hpp"
#include "helpers.hpp"

using namespace ember;
using namespace ember::test;
using Inputs = std::vector<Tensor>;

// Constants below come from /usr/bin/python3 with torch 1.13:
//   z = [[1, 2, 3], [1, -1, 0.5]]; t = [2, 0]; tp = [[0.1, 0.2, 0.7], [0.5, 0.5, 0]]
//   F.cross_entropy(z, t / tp, reduction=...), F.nll_loss(F.log_softmax(z, 1), t),
//   F.mse_loss([[1, 2], [3, 4]], [[1.5, 1], [2, 6]]),
//   F.binary_cross_entropy_with_logits([[-1, 0.5], [2, 30]], [[0, 1], [1, 0.25]]).
const std::vector<Reduction> kReductions = {Reduction::Mean, Reduction::Sum, Reduction::None};

TEST_CASE("cross_entropy and nll_loss values match PyTorch") {
  Tensor z = Tensor::from_vector({1, 2, 3, 1, -1, 0.5f}, {2, 3});
  Tensor t = Tensor::from_vector({2, 0}, {2});
  Tensor tp = Tensor::from_vector({0.1f, 0.2f, 0.7f, 0.5f, 0.5f, 0}, {2, 3});
  check_near(cross_entropy(z, t), {0.48128145933151245f});
  check_near(cross_entropy(z, t, Reduction::Sum), {0.9625629186630249f});
  check_near(cross_entropy(z, t, Reduction::None), {0.40760594606399536f, 0.5549569725990295f});
  check_near(cross_entropy(z, tp), {1.1812814474105835f});
  check_near(cross_entropy(z, tp, Reduction::Sum), {2.362562894821167f});
  check_near(cross_entropy(z, tp, Reduction::None), {0.8076059222221375f, 1.5549569129943848f});
  check_near(nll_loss(log_softmax(z, 1), t), {0.48128145933151245f});
  // One-hot targets are the same loss as class indices.
  Tensor onehot = Tensor::from_vector({0, 0, 1, 1, 0, 0}, {2, 3});
  check_near(cross_entropy(z, onehot), {0.48128145933151245f});
  // Huge logits: the fused form stays finite.
  check_near(cross_entropy(Tensor::from_vector({1000, 0}, {1, 2}), Tensor::from_vector({1}, {1})),
             {1000});
}

TEST_CASE("mse_loss and binary_cross_entropy_with_logits values match PyTorch") {
  Tensor a = Tensor::from_vector({1, 2, 3, 4}, {2, 2});
  Tensor b = Tensor::from_vector({1.5f, 1, 2, 6}, {2, 2});
  check_near(mse_loss(a, b), {1.5625f});
  check_near(mse_loss(a, b, Reduction::Sum), {6.25f});
  check_near(mse_loss(a, b, Reduction::None), {0.25f, 1, 1, 4});
  Tensor lg = Tensor::from_vector({-1, 0.5f, 2, 30}, {2, 2});
  Tensor tg = Tensor::from_vector({0, 1, 1, 0.25f}, {2, 2});
  check_near(binary_cross_entropy_with_logits(lg, tg), {5.853566646575928f});
  check_near(binary_cross_entropy_with_logits(lg, tg, Reduction::Sum), {23.41426658630371f});
  check_near(binary_cross_entropy_with_logits(lg, tg, Reduction::None),
             {0.31326165795326233f, 0.4740769863128662f, 0.12692804634571075f, 22.5f});
}

TEST_CASE("cross_entropy: hand-worked gradient softmax - onehot, over N") {
  // Two equal logits: softmax [0.5, 0.5]; target 0; mean over N = 1.
  Tensor z = Tensor::zeros({1, 2}).requires_grad_();
  cross_entropy(z, Tensor::from_vector({0}, {1})).backward();
  check_near(z.grad(), {-0.5f, 0.5f});
}

TEST_CASE("one_hot: 1 at each label; cross_entropy of it equals cross_entropy of the labels") {
  Tensor labels = Tensor::from_vector({2, 0, 2}, {3});
  Tensor t = one_hot(labels, 4);
  CHECK(t.shape() == Shape{3, 4});
  CHECK(t.to_vector() == std::vector<float>{0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 1, 0});
  CHECK_FALSE(t.requires_grad());
  // The loss written out: -sum(one_hot * log_softmax) per row, averaged.
  Tensor z = Tensor::from_vector({1, 2, 3, 0, 1, -1, 0.5f, 2, 0, 3, 1, 1}, {3, 4});
  const float by_hand = (-(one_hot(labels, 4) * z.log_softmax(1)).sum() / 3.0f).item();
  CHECK(by_hand == doctest::Approx(cross_entropy(z, labels).item()).epsilon(1e-6));
  CHECK_THROWS_WITH_AS(one_hot(Tensor::from_vector({0, 4}, {2}), 4),
                       doctest::Contains("one_hot: target 4 at position 1 is not a class index in "
                                         "[0, 4)"),
                       IndexError);
  CHECK_THROWS_WITH_AS(one_hot(Tensor::zeros({2, 1}), 4),
                       doctest::Contains("one_hot: labels must be class indices [N], got shape "
                                         "[2, 1]"),
                       ShapeError);
}

TEST_CASE("losses: gradcheck in every reduction and target kind") {
  manual_seed(51);
  Tensor logits = param({4, 5});
  Tensor logits_t = param({5, 4});  // used transposed
  Tensor idx = Tensor::from_vector({0, 4, 2, 2}, {4});
  Tensor probs = Tensor::rand({4, 5}).softmax(1).requires_grad_();  // soft targets, differentiable
  for (Reduction r : kReductions) {
    CAPTURE(static_cast<int>(r));
    CHECK_GRADCHECK([&](const Inputs& in) { return cross_entropy(in[0], idx, r); }, {logits});
    CHECK_GRADCHECK([&](const Inputs& in) { return cross_entropy(in[0].t(), idx, r); }, {logits_t});
    CHECK_GRADCHECK([&](const Inputs& in) { return cross_entropy(in[0], in[1], r); },
                    {logits, probs});
    CHECK_GRADCHECK([&](const Inputs& in) { return nll_loss(log_softmax(in[0], 1), idx, r); },
                    {logits});
    CHECK_GRADCHECK([&](const Inputs& in) { return nll_loss(in[0], idx, r); }, {logits});

    Tensor a = param({3, 4}), b = param({3, 4}), row = param({4});
    CHECK_GRADCHECK([&](const Inputs& in) { return mse_loss(in[0], in[1], r); }, {a, b});
    CHECK_GRADCHECK([&](const Inputs& in) { return mse_loss(in[0], in[1], r); },
                    {a, row});  // broadcast target

    Tensor x = param({3, 4});
    Tensor t = Tensor::rand({3, 4}).requires_grad_();
    CHECK_GRADCHECK(
        [&](const Inputs& in) { return binary_cross_entropy_with_logits(in[0], in[1], r); },
        {x, t});
    CHECK_GRADCHECK(
        [&](const Inputs& in) { return binary_cross_entropy_with_logits(in[0].t(), in[1].t(), r); },
        {x, t});
  }
}

TEST_CASE("loss errors name the op, the shapes and the bad target") {
  Tensor z = Tensor::zeros({2, 3});
  CHECK_THROWS_WITH_AS(
      cross_entropy(z, Tensor::from_vector({0, 3}, {2})),
      doctest::Contains("cross_entropy: target 3 at position 1 is not a class index in [0, 3)"),
      IndexError);
  CHECK_THROWS_WITH_AS(cross_entropy(z, Tensor::from_vector({0.5f, 1}, {2})),
                       doctest::Contains("target 0.5"), IndexError);
  CHECK_THROWS_WITH_AS(cross_entropy(z, Tensor::zeros({3})),
                       doctest::Contains("targets of shape [3] for input of shape [2, 3]"),
                       ShapeError);
  CHECK_THROWS_WITH_AS(nll_loss(z, Tensor::zeros({2, 3})),
                       doctest::Contains("nll_loss: targets must be class indices"), ShapeError);
  CHECK_THROWS_WITH_AS(binary_cross_entropy_with_logits(z, Tensor::zeros({3, 2})),
                       doctest::Contains("[2, 3] and targets of shape [3, 2]"), ShapeError);
  CHECK_THROWS_WITH_AS(mse_loss(z, Tensor::zeros({4})), doctest::Contains("[2, 3]"), ShapeError);
}
