// Chapter 7: writing your own layer. A differentiable op of your own (swish,
// with a learned slope) as an autograd Node with its backward, checked with
// gradcheck, which also catches a wrong backward; then modules of your own:
// one with buffers, one that behaves differently in training, one with a
// child module and a parameter. They go into a small model that is trained
// on Fashion-MNIST, saved, and loaded back by name into a fresh model.
//
// What it prints, in order (the README beside this file explains each part):
//   1. op: swish as a Node of its own, against the same formula in built-in ops
//   2. gradcheck: the op passes; the same op with a forgotten term fails
//   3. modules: Standardize, GaussianNoise, SwishDense; the model's summary
//   4. registration: what a child module that is not registered loses
//   5. train: the model on Fashion-MNIST (loss.svg, accuracy.svg)
//   6. checkpoint: the file's names, a fresh model loaded from it, a wrong model refused
//   7. report: results.md, results.csv (the gradchecks' verdicts, the training's
//      figures) and report.html (that table, loss.svg and accuracy.svg)
//
//   build/tutorials/07-custom-layer/07-custom-layer               # writes 07-custom-layer-output/
//   build/tutorials/07-custom-layer/07-custom-layer --epochs 5
#include <cmath>
#include <cstdint>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include "ember.hpp"
#include "harness/harness.hpp"

using ember::Shape;
using ember::Tensor;
namespace nn = ember::nn;

constexpr int64_t kQuickImages = 2000;  // --quick: the first 2,000 training and test images

using tutorial::fixed;  // "%.*f" as a string (harness.hpp)

// ---- 1. a differentiable op of your own: swish ---------------------------------------
// swish(x, beta) = x * sigmoid(beta * x) (SiLU when beta = 1), with beta
// broadcast against x: one per feature, or one for all. With s = sigmoid(beta x)
// and its derivative s' = s (1 - s):
//   d swish / dx    = s + x * s' * beta
//   d swish / dbeta = x * s' * x

// The node: what backward computes from the gradient g of the output, and
// what it needs kept from the forward (x and beta, saved by swish() below).
struct SwishNode : ember::autograd::Node {
  const char* name() const override { return "swish"; }  // in errors and graph drawings
  std::vector<Tensor> backward(const Tensor& g) override {
    const Tensor x = saved(0), beta = saved(1);
    const Tensor s = (beta * x).sigmoid();  // recomputed: no tensor kept for it until backward
    const Tensor ds = s * (1.0f - s);
    // An input broadcast to the output's shape (beta) gets the sum of g over
    // the broadcast dims, back in its own shape (edges[i].shape): chapter 2.
    Tensor dx, dbeta;  // undefined: no gradient, for an input that needs none
    if (needs_grad(0)) dx = ember::kernels::sum_to(g * (s + x * ds * beta), edges[0].shape);
    if (needs_grad(1)) dbeta = ember::kernels::sum_to(g * x * x * ds, edges[1].shape);
    return {dx, dbeta};  // one per input, in the op's argument order
  }
};

// The op: compute with kernels (they record nothing), then record the node
// and save what its backward reads. Backward is the node's class: SwishNode,
// or in section 2 a wrong one.
template <class Backward = SwishNode>
Tensor swish(const Tensor& x, const Tensor& beta) {
  Tensor out = ember::kernels::mul(x, ember::kernels::sigmoid(ember::kernels::mul(beta, x)));
  if (auto node = ember::autograd::record<Backward>(out, {x, beta})) node->save({x, beta});
  return out;
}

// The same formula from built-in ops: autograd differentiates it by itself.
Tensor swish_builtin(const Tensor& x, const Tensor& beta) { return x * (beta * x).sigmoid(); }

float max_difference(const Tensor& a, const Tensor& b) { return (a - b).abs().max().item(); }

// "below 1e-6" (float rounding: the digits differ between compilers), or the difference.
std::string below_1e6(float d) { return d < 1e-6f ? "below 1e-6" : std::to_string(d); }

std::string names_of(const Tensor& output) {
  std::string s;
  for (const auto& node : ember::autograd::backward_order(output))
    s += (s.empty() ? "" : " ") + std::string(node->name());
  return s;
}

void custom_op() {
  std::cout << "== op: swish(x, beta) as a node of its own, x [4, 3], beta [3] ==\n";
  const Tensor x = Tensor::randn({4, 3}).requires_grad_();
  const Tensor beta = Tensor::from_vector({0.5f, 1.0f, 2.0f}, {3}).requires_grad_();
  const Tensor w = Tensor::randn({4, 3});  // a loss that weighs every output differently
  const Tensor mine = swish(x, beta), builtin = swish_builtin(x, beta);
  const Tensor loss_mine = (mine * w).sum(), loss_builtin = (builtin * w).sum();
  std::cout << "backward visits, yours:    " << names_of(loss_mine) << "\n"
            << "backward visits, built-in: " << names_of(loss_builtin) << "\n";
  const std::vector<Tensor> g_mine = ember::autograd::grad({loss_mine}, {x, beta});
  const std::vector<Tensor> g_builtin = ember::autograd::grad({loss_builtin}, {x, beta});
  std::cout << "max |yours - built-in|: output " << max_difference(mine, builtin)
            << ", d/dx " << below_1e6(max_difference(g_mine[0], g_builtin[0]))
            << ", d/dbeta " << below_1e6(max_difference(g_mine[1], g_builtin[1]))
            << "\nd loss / d beta " << ember::shape_str(g_mine[1].shape())
            << ": the sum over the 4 rows beta was broadcast to\n\n";
}

// ---- 2. gradcheck, and the mistake it is for ------------------------------------------

// swish's node with the classic mistake: d/dx taken as s alone, as if the x
// in front were a constant (the product rule's second term forgotten).
struct SwishForgotProductRule : ember::autograd::Node {
  const char* name() const override { return "swish"; }
  std::vector<Tensor> backward(const Tensor& g) override {
    const Tensor x = saved(0), beta = saved(1);
    const Tensor s = (beta * x).sigmoid();
    Tensor dx, dbeta;
    if (needs_grad(0)) dx = ember::kernels::sum_to(g * s, edges[0].shape);  // the bug
    if (needs_grad(1)) dbeta = ember::kernels::sum_to(g * x * x * s * (1.0f - s), edges[1].shape);
    return {dx, dbeta};
  }
};

// The two gradchecks' results (for the report): the right backward's, the wrong one's.
struct Gradchecks {
  ember::autograd::GradcheckResult good, bad;
};

Gradchecks check_gradients() {
  std::cout << "== gradcheck: every element of x and beta nudged by +-1e-3 ==\n";
  const Tensor x = Tensor::randn({4, 3}).requires_grad_();
  const Tensor beta = Tensor::from_vector({0.5f, 1.0f, 2.0f}, {3}).requires_grad_();
  const auto good = ember::autograd::gradcheck(
      [](const std::vector<Tensor>& in) { return swish(in[0], in[1]); }, {x, beta});
  std::cout << "gradcheck(swish, {x, beta}): " << (good.ok ? "passed" : "FAILED") << "\n";
  const auto bad = ember::autograd::gradcheck(
      [](const std::vector<Tensor>& in) { return swish<SwishForgotProductRule>(in[0], in[1]); },
      {x, beta});
  std::cout << "gradcheck(swish with d/dx = s, {x, beta}): " << (bad.ok ? "passed" : "FAILED")
            << "; worst element: " << (bad.input == 0 ? "x" : "beta") << "[" << bad.element
            << "], backward says " << fixed(bad.analytic, 2) << ", finite differences say "
            << fixed(bad.numeric, 2) << "\n\n";
  return {good, bad};
}

// ---- 3. modules of your own -------------------------------------------------------------
// A module overrides forward() and type_name(), and registers in its
// constructor, by name, everything it holds: parameters (trained), buffers
// (kept and saved, not trained) and child modules. parameters(), the
// optimizer, state_dict() and the checkpoint, train()/eval() and the summary
// see exactly what was registered, and nothing else.

// (x - mean) / std, with the mean and std of the training images measured
// once. Buffers: saved in a checkpoint with the weights, never trained.
class Standardize : public nn::Module {
 public:
  Standardize(float mean, float std)
      : mean_(register_buffer("mean", Tensor::full({1}, mean))),
        std_(register_buffer("std", Tensor::full({1}, std))) {}
  Tensor forward(const Tensor& x) override { return (x - mean_) / std_; }
  std::string type_name() const override { return "Standardize"; }  // the summary's type
  std::string extra_repr() const override {                         // what operator<< shows
    return "mean=" + fixed(mean_.item(), 4) + ", std=" + fixed(std_.item(), 4);
  }
  // The output's shape without computing it (the default runs forward on zeros).
  Shape output_shape(const Shape& input_shape) override { return input_shape; }

 private:
  Tensor mean_, std_;  // the registered tensors themselves: loading copies into them
};

// Keras' GaussianNoise: adds N(0, stddev^2) noise to its input while
// training (a regularizer), and passes the input through in eval mode. A
// layer that differs between the two reads is_training(), which train() and
// eval() on the model set in every registered module. nn::ElementwiseLayer
// is a Module whose output_shape is its input's.
class GaussianNoise : public nn::ElementwiseLayer {
 public:
  explicit GaussianNoise(float stddev) : stddev_(stddev) {}
  Tensor forward(const Tensor& x) override {
    if (!is_training()) return x;
    return x + Tensor::normal(x.shape(), 0.0f, stddev_);  // a constant: no gradient to it
  }
  std::string type_name() const override { return "GaussianNoise"; }
  std::string extra_repr() const override { return "stddev=" + fixed(stddev_, 2); }

 private:
  float stddev_;  // a setting, not a tensor: nothing to register
};

// A dense layer followed by swish, with one learned beta per output feature:
// x [N, in] -> [N, out]. The Linear is a child module, beta a parameter of
// its own; their names ("linear", "beta") are their keys in a checkpoint.
class SwishDense : public nn::Module {
 public:
  SwishDense(int64_t in_features, int64_t out_features)
      : linear_(register_module("linear", std::make_shared<nn::Linear>(in_features, out_features))),
        beta_(register_parameter("beta", Tensor::ones({out_features}))) {}
  Tensor forward(const Tensor& x) override { return swish((*linear_)(x), beta_); }
  std::string type_name() const override { return "SwishDense"; }
  std::string extra_repr() const override {
    return std::to_string(linear_->weight().size(1)) + ", " + std::to_string(beta_.numel());
  }
  Tensor beta() const { return beta_; }

 private:
  std::shared_ptr<nn::Linear> linear_;
  Tensor beta_;
};

// The model: standardized pixels, noise while training, 784 -> 64 swish
// units -> 10 logits.
std::shared_ptr<nn::Sequential> make_model(float mean, float std) {
  auto model = std::make_shared<nn::Sequential>();
  model->add(std::make_shared<Standardize>(mean, std));
  model->add(std::make_shared<GaussianNoise>(0.1f));
  model->add(std::make_shared<nn::Flatten>());
  model->add(std::make_shared<SwishDense>(28 * 28, 64), "hidden");
  model->add(std::make_shared<nn::Linear>(64, 10), "logits");
  return model;
}

void show_modules(nn::Module& model) {
  std::cout << "== modules: Standardize, GaussianNoise, SwishDense in a Sequential ==\n"
            << model << "\n";
  nn::print_summary(model, {1, 28, 28});
  std::cout << "\n";
}

// ---- 4. registration: what an unregistered child loses -----------------------------------

// SwishDense with the mistake: the Linear is kept in a member but not
// registered. forward() works, and nothing else knows it is there.
class UnregisteredSwishDense : public nn::Module {
 public:
  UnregisteredSwishDense(int64_t in_features, int64_t out_features)
      : linear_(std::make_shared<nn::Linear>(in_features, out_features)),  // the bug
        beta_(register_parameter("beta", Tensor::ones({out_features}))) {}
  Tensor forward(const Tensor& x) override { return swish((*linear_)(x), beta_); }
  std::string type_name() const override { return "UnregisteredSwishDense"; }
  bool linear_is_training() const { return linear_->is_training(); }

 private:
  std::shared_ptr<nn::Linear> linear_;
  Tensor beta_;
};

void show_registration() {
  std::cout << "== registration: the Linear inside, registered or not ==\n";
  SwishDense registered(784, 64);
  UnregisteredSwishDense unregistered(784, 64);
  registered.eval();
  unregistered.eval();
  auto keys = [](const nn::Module& m) {
    std::string s;
    for (const auto& [name, tensor] : m.state_dict()) s += (s.empty() ? "" : ", ") + name;
    return s;
  };
  std::cout << std::left << std::setw(24) << "" << std::setw(34) << "registered"
            << "not registered\n"
            << std::setw(24) << "parameters() count" << std::setw(34)
            << nn::with_thousands(registered.num_parameters(true))
            << nn::with_thousands(unregistered.num_parameters(true)) << "\n"
            << std::setw(24) << "state_dict() keys" << std::setw(34) << keys(registered)
            << keys(unregistered) << "\n"
            << std::setw(24) << "eval() reaches Linear" << std::setw(34)
            << (registered.named_children()[0].second->is_training() ? "no" : "yes")
            << (unregistered.linear_is_training() ? "no" : "yes") << "\n"
            << std::right << "\n";
}

// ---- 5. training on Fashion-MNIST ---------------------------------------------------------

// The first n examples of a dataset (all of them when n >= its size).
ember::data::DatasetHandle first(const ember::data::DatasetHandle& dataset, int64_t n) {
  if (n >= dataset->size()) return dataset;
  std::vector<int64_t> indices(static_cast<size_t>(n));
  std::iota(indices.begin(), indices.end(), int64_t{0});
  return ember::data::Subset(dataset, indices);
}

struct Data {
  ember::data::DatasetHandle train, test;
  float mean, std;  // of every training image's pixels
};

Data load_data(const tutorial::Run& run) {
  const ember::data::FashionMNIST train(run.options.data, true), test(run.options.data, false);
  const Tensor pixels = train.images();  // [60000, 1, 28, 28] in [0, 1]
  const float mean = pixels.mean().item(), std = std::sqrt(pixels.var().item());
  const int64_t n = run.options.quick ? kQuickImages : train.size();
  return {first(train, n), first(test, n), mean, std};
}

// Returns the history; loss.svg and accuracy.svg are its charts.
ember::train::History train_model(tutorial::Run& run, nn::Sequential& model, const Data& data) {
  std::cout << "== train: " << data.train->size() << " training images, "
            << run.options.epochs << " epoch(s) of batches of " << run.options.batch_size
            << ", Adam; validation on " << data.test->size() << " test images ==\n";
  ember::optim::Adam adam(model.parameters(), {.lr = 1e-3f});
  ember::data::DataLoader test(data.test, 256);
  const ember::train::History history = ember::train::fit(
      model, adam, data.train,
      {.epochs = run.options.epochs, .validation = &test,
       .verbose = ember::train::Verbosity::OneLinePerEpoch, .batch_size = run.options.batch_size,
       .seed = run.options.seed});
  std::ofstream(run.file("loss.svg")) << ember::train::history_chart_svg(history, "loss");
  std::ofstream(run.file("accuracy.svg")) << ember::train::history_chart_svg(history, "accuracy");
  const Tensor beta = std::dynamic_pointer_cast<SwishDense>(model[3])->beta();
  std::cout << "hidden.beta after training: min " << fixed(beta.min().item(), 2) << ", mean "
            << fixed(beta.mean().item(), 2) << ", max " << fixed(beta.max().item(), 2)
            << " (all 1 at the start)\n\n";
  return history;
}

// ---- 6. the checkpoint: saved and loaded by name ------------------------------------------

// Returns whether the loaded model's outputs equal the trained model's.
bool save_and_load(tutorial::Run& run, nn::Sequential& model, const Data& data) {
  std::cout << "== checkpoint: nn::save, then nn::load into a fresh model ==\n";
  const std::string path = run.file("swish-mlp.safetensors");
  nn::save(model, path);
  const nn::NamedTensors saved = nn::load_safetensors(path);
  std::cout << path << " holds " << saved.size() << " tensors, by name:\n" << std::left;
  for (const auto& [name, tensor] : saved)
    std::cout << "  " << std::setw(22) << name << ember::shape_str(tensor.shape()) << "\n";
  std::cout << std::right;

  // A fresh model: other random weights, other buffers, until loaded.
  ember::manual_seed(run.options.seed + 1);
  const auto fresh = make_model(0.0f, 1.0f);
  ember::data::DataLoader loader(data.test, 100);
  const Tensor images = loader.begin()->images;  // the first 100 test images [100, 1, 28, 28]
  model.eval();
  fresh->eval();
  const Tensor expected = model(images);
  std::cout << "before loading: outputs equal the trained model's: "
            << (max_difference((*fresh)(images), expected) == 0.0f ? "yes" : "no") << "; fresh "
            << *(*fresh)[0] << "\n";
  nn::load(*fresh, path);
  const bool equal = max_difference((*fresh)(images), expected) == 0.0f;
  std::cout << "after loading:  outputs equal the trained model's: "
            << (equal ? "yes" : "no") << "; fresh "
            << *(*fresh)[0] << "\n";

  // Loading goes by name and shape: a model whose hidden layer is a plain
  // Linear has no "hidden.beta", and its weights are "hidden.weight".
  auto other = std::make_shared<nn::Sequential>();
  other->add(std::make_shared<Standardize>(0.0f, 1.0f));
  other->add(std::make_shared<GaussianNoise>(0.1f));
  other->add(std::make_shared<nn::Flatten>());
  other->add(std::make_shared<nn::Linear>(28 * 28, 64, nn::Activation::ReLU), "hidden");
  other->add(std::make_shared<nn::Linear>(64, 10), "logits");
  try {
    nn::load(*other, path);
  } catch (const std::exception& e) {
    std::cout << "into a model with a plain Linear: " << e.what() << "\n";
  }
  return equal;
}

// ---- 7. the report -------------------------------------------------------------------------

void report(tutorial::Run& run, const Gradchecks& checks, const ember::train::History& history,
            bool loaded_equal, int64_t train_images) {
  namespace train = ember::train;
  const auto& bad = checks.bad;
  train::ResultsTable results({"what", "result", {"value", 4}});
  results.add_row({"gradcheck(swish, {x, beta})", checks.good.ok ? "passed" : "FAILED", {}});
  results.add_row({"gradcheck(swish with d/dx = s, {x, beta})",
                   std::string(bad.ok ? "passed" : "FAILED") + "; worst element " +
                       (bad.input == 0 ? "x" : "beta") + "[" + std::to_string(bad.element) +
                       "]: backward " + fixed(bad.analytic, 2) + ", finite differences " +
                       fixed(bad.numeric, 2),
                   {}});
  results.add_row({"training loss, last epoch", "", history.loss.back()});
  results.add_row({"training accuracy, last epoch", "", history.accuracy.back()});
  results.add_row({"validation loss, last epoch", "", history.val_loss.back()});
  results.add_row({"validation accuracy, last epoch", "", history.val_accuracy.back()});
  results.add_row({"loaded model's outputs equal the trained model's", loaded_equal ? "yes" : "no",
                   {}});
  run.write_results(results);
  train::Report page("Chapter 7: writing your own layer");
  page.paragraph("swish(x) = x * sigmoid(beta * x) as an autograd Node of its own, with its "
                 "backward: gradcheck passes it and catches the same op with a forgotten "
                 "product-rule term. Modules of your own (Standardize, GaussianNoise, SwishDense "
                 "with a learned beta) make a small model, trained with Adam for " +
                 std::to_string(history.epochs()) + " epoch(s) on " +
                 std::to_string(train_images) + " Fashion-MNIST images, saved with nn::save and "
                 "loaded back by name into a fresh model.")
      .table(results, "the gradchecks, the training, the checkpoint")
      .chart(train::history_chart_svg(history, "loss"))
      .chart(train::history_chart_svg(history, "accuracy"));
  run.write_report(page);
}

// ---- the chapter --------------------------------------------------------------------------

void chapter(tutorial::Run& run) {
  custom_op();
  const Gradchecks checks = check_gradients();
  const Data data = load_data(run);
  ember::manual_seed(run.options.seed);
  const auto model = make_model(data.mean, data.std);
  show_modules(*model);
  show_registration();
  const ember::train::History history = train_model(run, *model, data);
  const bool loaded_equal = save_and_load(run, *model, data);
  report(run, checks, history, loaded_equal, data.train->size());
}

int main(int argc, char** argv) {
  tutorial::Options options{.epochs = 5, .output = "07-custom-layer-output"};
  CLI::App app{"Chapter 7: writing your own layer -- a custom op, gradcheck, custom modules"};
  app.final_callback([&] {
    if (options.quick && app.count("--epochs") == 0) options.epochs = 2;
  });
  return tutorial::run(app, options, argc, argv, chapter);
}
