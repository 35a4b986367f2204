// test_module.cpp — the Module contract: dotted names, parameters vs
// buffers, state_dict round trips and refusals, recursive train/eval,
// zero_grad, the default output_shape, regularization_loss, printing.
#include <doctest/doctest.h>

#include <functional>
#include <sstream>

#include "autograd/ops.hpp"
#include "nn/batchnorm.hpp"
#include "nn/conv.hpp"
#include "nn/dropout.hpp"
#include "nn/linear.hpp"
#include "nn/residual.hpp"
#include "nn/sequential.hpp"
#include "nn/shape_layers.hpp"
#include "nn/zoo.hpp"
#include "tensor/random.hpp"

using namespace ember;
using namespace ember::nn;

namespace {

// A module with no output_shape override: the default runs forward.
class Doubler : public Module {
 public:
  Doubler() {
    bn_ = register_module("bn", std::make_shared<BatchNorm1d>(3));
    drop_ = register_module("drop", std::make_shared<Dropout>(0.5f));
  }
  Tensor forward(const Tensor& x) override {
    Tensor y = drop_->forward(bn_->forward(x));
    return ember::cat({y, y}, 1);
  }
  std::string type_name() const override { return "Doubler"; }
  std::shared_ptr<BatchNorm1d> bn_;
  std::shared_ptr<Dropout> drop_;
};

std::vector<std::string> names(const NamedTensors& t) {
  std::vector<std::string> out;
  for (const auto& [n, v] : t) out.push_back(n);
  return out;
}

}  // namespace

TEST_CASE("nested members get dotted names; buffers are separate from parameters") {
  Sequential model;
  model.add(std::make_shared<Conv2d>(1, 2, 3));
  model.add(std::make_shared<BasicBlock>(BasicBlockOptions{.in_channels = 2, .out_channels = 2}), "block");
  CHECK(names(model.named_parameters()) ==
        std::vector<std::string>{"0.weight", "0.bias", "block.conv1.weight", "block.conv1.bias",
                                 "block.bn1.weight", "block.bn1.bias", "block.conv2.weight",
                                 "block.conv2.bias", "block.bn2.weight", "block.bn2.bias"});
  CHECK(names(model.named_buffers()) ==
        std::vector<std::string>{"block.bn1.running_mean", "block.bn1.running_var",
                                 "block.bn2.running_mean", "block.bn2.running_var"});
  CHECK(model.state_dict().size() == 14);
  CHECK(model.parameters().size() == 10);
  for (const Tensor& p : model.parameters()) CHECK(p.requires_grad());
  for (const auto& [n, b] : model.named_buffers()) CHECK_FALSE(b.requires_grad());
  CHECK(model.named_children().size() == 2);
}

TEST_CASE("a frozen parameter leaves parameters() but stays in state_dict() as non-trainable") {
  Linear fc(4, 2);
  fc.bias().requires_grad_(false);
  CHECK(names(fc.named_parameters()) == std::vector<std::string>{"weight"});
  CHECK(names(fc.all_parameters()) == std::vector<std::string>{"weight", "bias"});
  CHECK(fc.num_parameters() == 10);
  CHECK(fc.num_parameters(true) == 8);
}

TEST_CASE("load_state_dict copies values and refuses bad states before touching anything") {
  manual_seed(1);
  Linear a(3, 2), b(3, 2);
  b.load_state_dict(a.state_dict());
  CHECK(b.weight().to_vector() == a.weight().to_vector());
  CHECK_FALSE(b.weight().is_same(a.weight()));  // copied, not shared
  const auto before = b.weight().to_vector();
  NamedTensors dup = {{"weight", Tensor::zeros({2, 3})}, {"weight", Tensor::zeros({2, 3})}, {"bias", Tensor::zeros({2})}};
  CHECK_THROWS_WITH_AS(b.load_state_dict(dup), doctest::Contains("'weight' appears twice"), ValueError);
  NamedTensors bad = {{"weight", Tensor::zeros({2, 3})}, {"bias", Tensor::zeros({3})}};
  CHECK_THROWS_WITH_AS(b.load_state_dict(bad),
                       doctest::Contains("tensor 'bias' has shape [3] in the state but [2] in the model"),
                       ShapeError);
  CHECK(b.weight().to_vector() == before);  // weight was fine but not copied
}

TEST_CASE("train()/eval() reach every descendant") {
  auto model = zoo::resnet18_like(5);
  CHECK(model->is_training());
  model->eval();
  int modules = 0;
  std::function<void(const Module&)> check_all = [&](const Module& m) {
    CHECK_FALSE(m.is_training());
    ++modules;
    for (const auto& [n, c] : m.named_children()) check_all(*c);
  };
  check_all(*model);
  CHECK(modules > 50);
  model->train();
  CHECK((*model)[4]->named_children()[1].second->is_training());
}

TEST_CASE("zero_grad drops accumulated gradients") {
  Linear fc(3, 1);
  ember::sum(fc(Tensor::ones({2, 3}))).backward();
  CHECK(fc.weight().grad().defined());
  fc.zero_grad();
  CHECK_FALSE(fc.weight().grad().defined());
}

TEST_CASE("the default output_shape runs forward in eval mode and restores every mode") {
  Doubler d;
  d.train();
  CHECK(d.output_shape({4, 3}) == Shape{4, 6});
  CHECK(d.is_training());
  CHECK(d.bn_->is_training());
  // BatchNorm's running statistics were not updated by the shape probe.
  CHECK(d.bn_->running_mean().to_vector() == std::vector<float>(3, 0.0f));
  d.bn_->eval();
  CHECK(d.output_shape({2, 3}) == Shape{2, 6});
  CHECK_FALSE(d.bn_->is_training());
  CHECK(d.drop_->is_training());
}

TEST_CASE("regularization_loss sums the layers' L1/L2 penalties (Keras kernel_regularizer)") {
  Sequential model;
  auto fc1 = model.add(std::make_shared<Linear>(LinearOptions{.in_features = 2, .out_features = 2,
                                                              .kernel_regularizer = L2(0.1f)}));
  auto fc2 = model.add(std::make_shared<Linear>(LinearOptions{.in_features = 2, .out_features = 1,
                                                              .kernel_regularizer = L1(0.5f)}));
  model.add(std::make_shared<Linear>(1, 1));  // no regularizer
  fc1->weight().copy_(Tensor::from_vector({1, -2, 3, 0}, {2, 2}));
  fc2->weight().copy_(Tensor::from_vector({-1, 4}, {1, 2}));
  Tensor r = model.regularization_loss();
  REQUIRE(r.defined());
  // 0.1 * (1 + 4 + 9) + 0.5 * (1 + 4)
  CHECK(r.item() == doctest::Approx(1.4f + 2.5f));
  r.backward();
  // d/dw of l*w^2 is 2*l*w; of l*|w| is l*sign(w).
  CHECK(fc1->weight().grad().to_vector() == std::vector<float>{0.2f, -0.4f, 0.6f, 0.0f});
  CHECK(fc2->weight().grad().to_vector() == std::vector<float>{-0.5f, 0.5f});
  CHECK_FALSE(Linear(2, 2).regularization_loss().defined());
  CHECK(L1L2(0.1f, 0.2f).active());
  // The ResNet's 21 convolutions carry L2(1e-4).
  CHECK(zoo::resnet18_like()->regularization_loss().defined());
}

TEST_CASE("modules print as a tree like PyTorch's") {
  Sequential model;
  model.add(std::make_shared<Conv2d>(Conv2dOptions{.in_channels = 1, .out_channels = 32, .kernel_size = 5,
                                                   .padding = "same", .activation = Activation::ReLU}));
  model.add(std::make_shared<Dropout>(0.25f), "drop");
  model.add(std::make_shared<Flatten>());
  std::ostringstream os;
  os << model;
  CHECK(os.str() ==
        "Sequential(\n"
        "  (0): Conv2D(1, 32, kernel_size=(5, 5), padding=same, activation=relu)\n"
        "  (drop): Dropout(p=0.25)\n"
        "  (2): Flatten()\n"
        ")");
}
