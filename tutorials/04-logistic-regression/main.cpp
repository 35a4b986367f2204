// Chapter 4: logistic regression on Fashion-MNIST. A linear classifier,
// logits = x W^T + b, trained twice from the same initial weights on the same
// batches: first with nothing but tensors, autograd and a hand-written SGD
// step, then with nn::Linear and optim::SGD. The two give the same numbers.
//
// What it prints, in order (the README beside this file explains each part):
//   1. data: the images as rows of 784 pixels in [0, 1], and the 10 classes
//   2. by hand: W and b as leaf tensors, the loss written out, the step
//      written out; the loss and test accuracy as training goes
//   3. nn: the same model as nn::Linear + optim::SGD, compared step by step
//      layout: why storing W the other way round ([784, 10]) changes the last bits
//   4. test: the test accuracy, per class
//   5. pictures: loss.svg (the loss curve) and templates.png (each class's
//      784 weights as a 28 x 28 picture, under the class's mean image)
//   6. report.html: the two trainings' results side by side, the pictures and
//      the per-class accuracies on one page
//
//   build/tutorials/04-logistic-regression/04-logistic-regression   # writes 04-logistic-regression-output/
//   build/tutorials/04-logistic-regression/04-logistic-regression --lr 0.1 --epochs 3 --output fast
#include <cmath>
#include <cstdint>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "ember.hpp"
#include "harness/harness.hpp"

using ember::Tensor;
namespace data = ember::data;
namespace nn = ember::nn;
namespace optim = ember::optim;
namespace train = ember::train;

constexpr int64_t kPixels = 28 * 28;  // 784 inputs
constexpr int64_t kClasses = 10;
constexpr int64_t kQuickImages = 2000;  // --quick: the first 2,000 training and test images
float lr = 0.01f;                       // --lr

using tutorial::fixed;  // "%.*f" as a string (harness.hpp)

// ---- 1. the data: every image a row of 784 numbers --------------------------------

// A dataset's images [N, 1, 28, 28] as rows x [N, 784] and its labels as the
// float class indices [N] that cross_entropy and one_hot take.
struct Rows {
  Tensor x, labels;
};

Rows rows_of(const data::TensorDataset& set) {
  std::vector<float> labels(set.labels().begin(), set.labels().end());
  return {set.images().view({set.size(), kPixels}),
          Tensor::from_vector(labels, {set.size()})};
}

// The first n images of a dataset (all of them when n >= its size).
data::TensorDataset first(const data::TensorDataset& set, int64_t n) {
  if (n >= set.size()) return set;
  const std::vector<int64_t> labels(set.labels().begin(), set.labels().begin() + n);
  return data::TensorDataset(set.images().slice(0, 0, n), labels, set.classes());
}

// ---- 2. the model and its training, by hand ------------------------------------------

// The softmax cross-entropy, written out: softmax turns each row of logits
// into probabilities, and the loss of one example is -log(the probability of
// its label); one_hot picks that entry out of each row. Mean over the batch.
//   logits [B, 10], labels [B] -> []
Tensor softmax_cross_entropy(const Tensor& logits, const Tensor& labels) {
  const Tensor log_p = logits.log_softmax(1);                                // [B, 10]
  const Tensor log_p_label = (log_p * ember::one_hot(labels, kClasses)).sum({1});  // [B]
  return -log_p_label.mean();
}

// The fraction of rows whose largest logit is at the label.
double accuracy(const Tensor& logits, const Tensor& labels) {
  return ember::eq(logits.argmax(1), labels).mean().item();
}

// What the training by hand records: every step's loss, and after each tenth
// of an epoch the mean training loss over that tenth and the test set's loss
// and accuracy (the chart's points).
struct Record {
  std::vector<float> step_loss;
  std::vector<double> train_loss, test_loss, test_accuracy;
};

// The model: row c of W [10, 784] holds class c's weight for every pixel, so
// logit c = (row c) . x + b[c]. One row per class is also nn::Linear's layout.
Tensor logits_of(const Tensor& x, const Tensor& W, const Tensor& b) {
  return ember::matmul(x, W.t()) + b;  // [B, 784] x [784, 10] + [10] -> [B, 10]
}

// Train W and b in place, one SGD step per batch.
Record train_by_hand(Tensor& W, Tensor& b, data::DataLoader& loader, const Rows& test,
                     int64_t epochs) {
  Record record;
  const int64_t steps = loader.size();
  double window_sum = 0;
  int64_t window_steps = 0;
  for (int64_t epoch = 1; epoch <= epochs; ++epoch) {
    int64_t step = 0;
    for (const data::Batch& batch : loader) {
      const Tensor x = batch.images.view({-1, kPixels});               // [B, 784]
      const Tensor loss = softmax_cross_entropy(logits_of(x, W, b), batch.labels);  // []
      loss.backward();  // fills W.grad() [10, 784] and b.grad() [10]
      {
        // The update is not part of the model: nothing in it may be recorded
        // into a graph. (ember never records in-place methods like sub_; the
        // guard also covers an update written as W - lr * W.grad().)
        ember::NoGradGuard no_grad;
        W.sub_(W.grad(), lr);  // W -= lr * dloss/dW
        b.sub_(b.grad(), lr);
      }
      W.zero_grad();  // backward adds to .grad(): start the next step from nothing
      b.zero_grad();
      record.step_loss.push_back(loss.item());
      window_sum += loss.item();
      ++window_steps;
      ++step;
      if (step * 10 / steps != (step - 1) * 10 / steps) {  // a tenth of the epoch is done
        ember::NoGradGuard no_grad;
        const Tensor test_logits = logits_of(test.x, W, b);
        record.train_loss.push_back(window_sum / static_cast<double>(window_steps));
        record.test_loss.push_back(softmax_cross_entropy(test_logits, test.labels).item());
        record.test_accuracy.push_back(accuracy(test_logits, test.labels));
        window_sum = 0;
        window_steps = 0;
      }
    }
    double sum = 0;
    for (int64_t i = 1; i <= steps; ++i) sum += record.step_loss[record.step_loss.size() - i];
    std::cout << std::setw(7) << epoch << std::setw(10) << step << std::setw(14)
              << fixed(sum / static_cast<double>(steps), 4) << std::setw(12)
              << fixed(record.test_loss.back(), 4) << std::setw(15)
              << fixed(record.test_accuracy.back(), 4) << "\n";
  }
  return record;
}

// ---- 3. the same model with nn and optim -----------------------------------------------

// The same steps through the library: Linear holds W [10, 784] and b [10]
// and computes x W^T + b; cross_entropy is the loss above in one fused op;
// SGD does the update (and zero_grad the clearing).
std::vector<float> train_with_nn(nn::Linear& model, data::DataLoader& loader, int64_t epochs) {
  optim::SGD sgd(model.parameters(), {.lr = lr});
  std::vector<float> step_loss;
  for (int64_t epoch = 1; epoch <= epochs; ++epoch) {
    for (const data::Batch& batch : loader) {
      const Tensor logits = model(batch.images.view({-1, kPixels}));  // [B, 10]
      const Tensor loss = ember::cross_entropy(logits, batch.labels);   // []
      sgd.zero_grad();
      loss.backward();
      sgd.step();
      step_loss.push_back(loss.item());
    }
  }
  return step_loss;
}

// How far the two trainings agree: the steps whose losses are bitwise
// equal, and whether the final weights are.
struct Agreement {
  int64_t equal_losses;
  bool equal_weights;
};

Agreement compare(const std::vector<float>& by_hand, const std::vector<float>& with_nn,
                  const Tensor& W, const Tensor& b, const nn::Linear& model) {
  int64_t equal = 0;
  double largest = 0;
  for (size_t i = 0; i < with_nn.size(); ++i) {
    equal += with_nn[i] == by_hand[i];
    largest = std::max(largest, std::abs(static_cast<double>(with_nn[i]) - by_hand[i]));
  }
  const float dW = (W - model.weight()).abs().max().item();
  const float db = (b - model.bias()).abs().max().item();
  std::cout << "steps: " << by_hand.size() << " by hand, " << with_nn.size() << " with nn\n"
            << "losses bitwise equal: " << equal << " of " << with_nn.size()
            << " steps (largest difference " << largest << ")\n"
            << "after training: max |W - weight| = " << dW << ", max |b - bias| = " << db << "\n";
  return {equal, dW == 0.0f && db == 0.0f};
}

// The same products with W stored the other way round, Wt [784, 10] and
// x Wt: the same math, but OpenBLAS reads another layout and adds the 784
// products of each logit in another order. Float addition is not
// associative, so the last bits change.
void other_layout(const Tensor& x, const Tensor& W0) {
  const Tensor Wt = W0.t().contiguous();  // [784, 10], a copy in the other layout
  const Tensor ours = ember::matmul(x, W0.t()), theirs = ember::matmul(x, Wt);  // [B, 10]
  const Tensor differ = ember::ne(ours, theirs);
  std::cout << "logits of " << x.size(0) << " images, x W^T against x Wt: " << differ.sum().item()
            << " of " << differ.numel() << " differ, by at most " << (ours - theirs).abs().max().item()
            << " (largest logit " << ours.abs().max().item() << ")\n";
}

// ---- 4. the test set -------------------------------------------------------------------

// Prints the test accuracy, overall and per class; returns the per-class ones.
std::vector<double> test_accuracy(const Tensor& W, const Tensor& b, const Rows& test,
                                  const std::vector<std::string>& classes) {
  const Tensor right = ember::eq(logits_of(test.x, W, b).argmax(1), test.labels);  // [N]: 1 or 0
  std::cout << "test accuracy " << fixed(right.mean().item(), 4) << "; per class:\n";
  std::vector<double> per_class;
  for (int64_t c = 0; c < kClasses; ++c) {
    const Tensor in_class = ember::eq(test.labels, Tensor::scalar(static_cast<float>(c)));  // [N]
    per_class.push_back((right * in_class).sum().item() / in_class.sum().item());
    std::cout << "  " << std::left << std::setw(12) << classes[static_cast<size_t>(c)] << std::right
              << fixed(per_class.back(), 3) << "\n";
  }
  return per_class;
}

// ---- 5. pictures -----------------------------------------------------------------------

// Writes loss.svg and returns it (the report shows it too).
std::string loss_chart(tutorial::Run& run, const Record& record) {
  const std::vector<double> chance(record.train_loss.size(), std::log(10.0));
  const std::string svg = train::line_chart_svg(
      {{"training (mean over the tenth)", record.train_loss, "#1f77b4"},
       {"test (at the end of the tenth)", record.test_loss, "#d62728"},
       {"ln 10 (a uniform guess)", chance, "#999999"}},
      {.title = "Logistic regression on Fashion-MNIST: the cross-entropy loss",
       .x_label = "tenths of an epoch", .y_label = "loss"});
  std::ofstream(run.file("loss.svg")) << svg;
  return svg;
}

// Each row of w [10, 784] as a 28 x 28 picture in colour: red where a pixel's
// weight is positive (ink there raises the class's logit), blue where it is
// negative (ink there lowers it), white at 0; one scale for all ten.
Tensor red_white_blue(const Tensor& w) {
  const Tensor v = w / w.abs().max().item();  // [10, 784] in [-1, 1]
  const Tensor r = 1.0f - (-v).relu(), g = 1.0f - v.abs(), bl = 1.0f - v.relu();
  return ember::stack({r, g, bl}, 1).view({w.size(0), 3, 28, 28});
}

// The weights as pictures, under each class's mean image. The means are one
// matrix product: one_hot(labels)^T [10, N] x [N, 784] sums each class's
// images; dividing by the class counts makes them means. Writes
// templates.png and returns the picture [3, H, W] (for the report).
Tensor templates(tutorial::Run& run, const Tensor& W, const Rows& train_rows,
               const std::vector<std::string>& classes) {
  const Tensor one_hot = ember::one_hot(train_rows.labels, kClasses);       // [N, 10]
  const Tensor counts = one_hot.sum({0}).view({kClasses, 1});                // [10, 1]
  const Tensor means = ember::matmul(one_hot.t(), train_rows.x) / counts;   // [10, 784]
  const Tensor gray = means.view({kClasses, 1, 28, 28}).expand({kClasses, 3, 28, 28});
  const Tensor tiles = ember::cat({gray, red_white_blue(W)}, 0);            // [20, 3, 28, 28]
  std::vector<std::string> labels = classes;
  for (const std::string& name : classes) labels.push_back("W: " + name);
  const Tensor grid =
      data::image_grid(tiles, {.columns = kClasses, .padding = 4, .scale = 3, .labels = labels});
  data::write_png(run.file("templates.png"), grid);
  return grid;
}

// ---- 6. the report -------------------------------------------------------------------------

// What one training ended with, for the report's table.
struct Outcome {
  int64_t steps;
  double test_loss, test_accuracy;
};

Outcome outcome(const Tensor& logits, const Rows& test, size_t steps) {
  return {static_cast<int64_t>(steps), softmax_cross_entropy(logits, test.labels).item(),
          accuracy(logits, test.labels)};
}

void report(tutorial::Run& run, const Outcome& by_hand, const Outcome& with_nn,
            const Agreement& agreement, const std::string& loss_svg, const Tensor& templates_png,
            const std::vector<std::string>& classes, const std::vector<double>& per_class,
            int64_t train_images, int64_t test_images) {
  const tutorial::Options& o = run.options;
  train::ResultsTable results({"training", {"steps", 0}, "final test loss", "test accuracy",
                               "bitwise equal to by hand"});
  results.add_row({"by hand: tensors, autograd, W -= lr * grad", by_hand.steps, by_hand.test_loss,
                   by_hand.test_accuracy, "(the reference)"});
  const std::string equal =
      std::string(agreement.equal_losses == with_nn.steps && agreement.equal_weights ? "yes" : "no") +
      ": " + std::to_string(agreement.equal_losses) + " of " + std::to_string(with_nn.steps) +
      " losses; W, b " + (agreement.equal_weights ? "equal" : "differ");
  results.add_row({"nn::Linear + cross_entropy + optim::SGD", with_nn.steps, with_nn.test_loss,
                   with_nn.test_accuracy, equal});
  run.write_results(results);
  std::ostringstream lr_text;
  lr_text << lr;
  train::Report page("Chapter 4: logistic regression on Fashion-MNIST");
  page.paragraph("A linear classifier, logits = x W^T + b, trained twice from the same initial "
                 "weights on the same batches (SGD, lr " + lr_text.str() + ", batch " +
                 std::to_string(o.batch_size) + ", " + std::to_string(o.epochs) + " epoch(s) on " +
                 std::to_string(train_images) + " training images; " +
                 std::to_string(test_images) + " test images): first by hand, then with nn and "
                 "optim. Same float operations in the same order, so the same bits.")
      .table(results, "the two trainings")
      .chart(loss_svg)
      .chart(train::bar_chart_svg(classes, {{.label = "test accuracy", .values = per_class}},
                                  {.title = "Test accuracy per class", .y_label = "accuracy",
                                   .y_min = 0.0, .y_max = 1.0, .decimals = 2}))
      .image(templates_png, "each class's mean image (top) and its 784 weights (bottom): "
                            "red raises the class's logit, blue lowers it");
  run.write_report(page);
}

// ---- the chapter -------------------------------------------------------------------------

void chapter(tutorial::Run& run) {
  const tutorial::Options& o = run.options;
  const int64_t limit = o.quick ? kQuickImages : INT64_MAX;

  std::cout << "== data: Fashion-MNIST, each image a row of 784 pixels / 255 ==\n";
  const data::FashionMNIST train_all(o.data, true), test_all(o.data, false);
  const data::TensorDataset train_set = first(train_all, limit), test_set = first(test_all, limit);
  const std::vector<std::string> classes = train_set.classes();
  const Rows train_rows = rows_of(train_set), test = rows_of(test_set);
  std::cout << "training x " << ember::shape_str(train_rows.x.shape()) << ", test x "
            << ember::shape_str(test.x.shape()) << ", pixels in [" << train_rows.x.min().item()
            << ", " << train_rows.x.max().item() << "], mean "
            << fixed(train_rows.x.mean().item(), 3) << "\nclasses:";
  for (size_t c = 0; c < classes.size(); ++c)
    std::cout << " " << c << " " << classes[c] << (c + 1 < classes.size() ? "," : "\n\n");

  std::cout << "== by hand: logits = x W^T + b, W [10, 784], b [10]; SGD, lr " << lr << ", batch "
            << o.batch_size << " ==\n";
  // Small random weights: every logit starts near 0, no class preferred.
  // The same numbers go into nn::Linear below.
  const Tensor W0 = Tensor::normal({kClasses, kPixels}, 0.0f, 0.01f);
  Tensor W = W0.clone().requires_grad_();  // leaves that require grad: backward fills .grad()
  Tensor b = Tensor::zeros({kClasses}).requires_grad_();
  {
    ember::NoGradGuard no_grad;
    const Tensor logits = logits_of(test.x, W, b);
    std::cout << "before training: test loss "
              << fixed(softmax_cross_entropy(logits, test.labels).item(), 4) << " (ln 10 = "
              << fixed(std::log(10.0), 4) << "), test accuracy "
              << fixed(accuracy(logits, test.labels), 4) << "\n";
  }
  std::cout << std::setw(7) << "epoch" << std::setw(10) << "steps" << std::setw(14)
            << "train loss" << std::setw(12) << "test loss" << std::setw(15) << "test accuracy" << "\n";
  // Both trainings see the same batches: two loaders with the same seed
  // shuffle the same way.
  data::DataLoader by_hand_batches(train_set, o.batch_size, /*shuffle=*/true, o.seed);
  const Record record = train_by_hand(W, b, by_hand_batches, test, o.epochs);
  std::cout << "the first step's loss " << fixed(record.step_loss.front(), 4) << ", the last's "
            << fixed(record.step_loss.back(), 4) << "\n\n";

  std::cout << "== nn: the same model as nn::Linear(784, 10) + optim::SGD ==\n";
  nn::Linear model(kPixels, kClasses);
  {
    ember::NoGradGuard no_grad;
    model.weight().copy_(W0);  // the same initial weights, [10, 784]
    model.bias().zero_();
  }
  data::DataLoader nn_batches(train_set, o.batch_size, /*shuffle=*/true, o.seed);
  const std::vector<float> nn_loss = train_with_nn(model, nn_batches, o.epochs);
  const Agreement agreement = compare(record.step_loss, nn_loss, W.detach(), b.detach(), model);
  std::cout << "\n== layout: the same products with W stored as [784, 10] ==\n";
  other_layout(train_rows.x.slice(0, 0, o.batch_size), W0);
  std::cout << "\n";

  std::cout << "== test: " << test_set.size() << " images the training never saw ==\n";
  const ember::NoGradGuard no_grad;
  const std::vector<double> per_class = test_accuracy(W, b, test, classes);

  const std::string loss_svg = loss_chart(run, record);
  const Tensor templates_png = templates(run, W.detach(), train_rows, classes);
  report(run, outcome(logits_of(test.x, W, b), test, record.step_loss.size()),
         outcome(model(test.x), test, nn_loss.size()), agreement, loss_svg, templates_png, classes,
         per_class, train_set.size(), test_set.size());
}

int main(int argc, char** argv) {
  tutorial::Options options{
      .epochs = 10, .batch_size = 32, .output = "04-logistic-regression-output"};
  CLI::App app{"Chapter 4: logistic regression on Fashion-MNIST, by hand and with nn + optim"};
  app.add_option("--lr", lr, "SGD's learning rate")->capture_default_str();
  return tutorial::run(app, options, argc, argv, chapter);
}
