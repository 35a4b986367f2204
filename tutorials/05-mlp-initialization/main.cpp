// Chapter 5: a multilayer perceptron, and why initialization matters. One
// network, 784-256-256-256-10 with ReLU or with tanh, started from four
// weight spreads (Glorot, He, too small, too large) and trained the same way
// on the same batches: what each hidden layer outputs at the start, what
// gradient reaches each layer, and how training goes, side by side.
//
// What it prints, in order (the README beside this file explains each part):
//   1. setups: the network, and each initializer's weight spread with the
//      factor by which it scales the signal from one layer to the next
//   2. forward: each hidden layer's mean, spread and stuck units (dead
//      ReLUs, saturated tanh) at the start
//   3. backward: the gradient reaching each layer at the start
//   4. training: the eight networks trained with the same SGD on the same
//      batches: the loss, and the hidden layers' statistics as it goes
//   5. pictures: spread.svg, signal.svg, loss-relu.svg, loss-tanh.svg,
//      dead-relu.svg, and statistics.csv (every statistic of every run)
//   6. report: results.md and results.csv (per setup the std ratio, the
//      gradient ratio, the final loss) and report.html (the table, the charts)
//
//   build/tutorials/05-mlp-initialization/05-mlp-initialization     # writes 05-mlp-initialization-output/
//   build/tutorials/05-mlp-initialization/05-mlp-initialization --epochs 3 --output longer
#include <cmath>
#include <cstdint>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>
#include <optional>
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

constexpr int64_t kPixels = 28 * 28;
constexpr int64_t kWidth = 256;   // units per hidden layer
constexpr int64_t kHidden = 3;    // hidden layers
constexpr int64_t kClasses = 10;
float lr = 0.01f;                       // --lr (SGD with momentum 0.9)

using tutorial::fixed;  // "%.*f" as a string (harness.hpp)

// Three significant digits, whatever the size: 0.000123 and 1.23e+03 alike.
std::string sig3(double v) {
  std::ostringstream s;
  s << std::setprecision(3) << v;
  return s.str();
}

// ---- 1. the network, and four ways to start it ------------------------------------------

struct Setup {
  std::string name;
  nn::Initializer init;
  std::string relu_color, tanh_color;  // in the charts: dark for relu, light for tanh
};

// Glorot (Keras' default) and He take the spread from the layer's fans; the
// other two use one spread for every layer, as code written without thought
// for the fans often does.
const std::vector<Setup> kSetups = {
    {"glorot", nn::Initializer::glorot_uniform(), "#1f77b4", "#8fbbe0"},  // var(w) = 2 / (fan_in + fan_out)
    {"he", nn::Initializer::he_normal(), "#2ca02c", "#98df8a"},           // var(w) = 2 / fan_in
    {"small", nn::Initializer::normal(0.0f, 0.01f), "#9467bd", "#c5b0d5"},  // std(w) = 0.01
    {"large", nn::Initializer::normal(0.0f, 1.0f), "#d62728", "#ff9896"},   // std(w) = 1
};
const std::vector<nn::Activation> kActivations = {nn::Activation::ReLU, nn::Activation::Tanh};

const char* name_of(nn::Activation a) { return a == nn::Activation::ReLU ? "relu" : "tanh"; }

// 784 -> 256 -> 256 -> 256 -> 10: three hidden layers with the activation,
// then the logits. Every weight from `init`; biases start at 0.
std::shared_ptr<nn::Sequential> mlp(nn::Activation activation, const nn::Initializer& init) {
  auto model = std::make_shared<nn::Sequential>();
  int64_t in = kPixels;
  for (int64_t layer = 0; layer < kHidden; ++layer, in = kWidth)
    model->add(std::make_shared<nn::Linear>(nn::LinearOptions{
        .in_features = in, .out_features = kWidth, .activation = activation,
        .kernel_initializer = init}));
  model->add(std::make_shared<nn::Linear>(nn::LinearOptions{
      .in_features = in, .out_features = kClasses, .kernel_initializer = init}));
  return model;
}

Tensor weight(const nn::Sequential& model, size_t layer) {
  return std::static_pointer_cast<nn::Linear>(model[layer])->weight();
}

// One hidden layer's pre-activation z = W h has var(z) = n var(w) E[h^2]
// (n = 256 inputs, each a product of two independent factors). After ReLU,
// E[h^2] = var(z) / 2 (half of a symmetric z is cut to 0); tanh near 0 is the
// identity. So the spread changes by sqrt(n var(w) / 2) per ReLU layer and by
// sqrt(n var(w)) per tanh layer, while tanh stays unsaturated.
void setups(int64_t batch_size) {
  std::cout << "== setups: 784 -> 256 -> 256 -> 256 -> 10, relu or tanh; SGD lr " << lr
            << ", momentum 0.9, batch " << batch_size << " ==\n"
            << std::left << std::setw(8) << "init" << std::setw(18) << "std(w) 256->256"
            << std::setw(22) << "relu: sqrt(n var/2)" << "tanh: sqrt(n var)\n" << std::right;
  for (const Setup& setup : kSetups) {
    const Tensor w = Tensor::empty({kWidth, kWidth});
    setup.init(w);                                  // draws as layer 2 and 3 do
    const double var = w.var().item(), n = kWidth;  // measured from the draw
    std::cout << std::left << std::setw(8) << setup.name << std::setw(18) << fixed(std::sqrt(var), 4)
              << std::setw(22) << fixed(std::sqrt(n * var / 2), 3) << fixed(std::sqrt(n * var), 3)
              << "\n" << std::right;
  }
  std::cout << "\n";
}

// ---- 2. what each hidden layer outputs ------------------------------------------------

// One hidden layer's output h [N, 256] over the probe images.
struct LayerStats {
  double mean = 0, std = 0;
  double stuck = 0;  // relu: the fraction of units that are 0 for every image (dead);
                     // tanh: the fraction of outputs beyond +-0.99 (saturated)
};

// Runs the layers one at a time to see the hidden outputs; records no graph.
std::vector<LayerStats> hidden_stats(nn::Sequential& model, nn::Activation activation,
                                     const Tensor& x) {
  const ember::NoGradGuard no_grad;
  std::vector<LayerStats> stats;
  Tensor h = x;  // [N, 784]
  for (size_t layer = 0; layer < kHidden; ++layer) {
    h = (*model[layer])(h);  // [N, 256]
    LayerStats s{h.mean().item(), std::sqrt(h.var().item()), 0};
    if (activation == nn::Activation::ReLU)  // a unit is dead if its column sums to 0
      s.stuck = ember::eq(h.sum({0}), Tensor::scalar(0.0f)).mean().item();
    else
      s.stuck = ember::gt(h.abs(), Tensor::scalar(0.99f)).mean().item();
    stats.push_back(s);
  }
  return stats;
}

void print_forward_header() {
  std::cout << std::setw(12) << "";
  for (int layer = 1; layer <= kHidden; ++layer)
    std::cout << std::setw(13) << "layer " << layer << std::setw(12) << "";
  std::cout << std::setw(12) << "std ratio\n" << std::left << std::setw(12) << "setup" << std::right;
  for (int layer = 1; layer <= kHidden; ++layer)
    std::cout << std::setw(10) << "mean" << std::setw(10) << "std" << std::setw(6) << "stuck";
  std::cout << std::setw(12) << "3 / 2" << "\n";
}

// ---- 3. the gradient reaching each layer -------------------------------------------------

struct Gradients {
  std::vector<double> signal;  // rms of dloss/dh for hidden layers 1..3
  std::vector<double> weight;  // norm of dloss/dW for layers 1..4
};

// One forward and backward on x, layer by layer so that the hidden outputs
// can be asked for their gradient (autograd::grad works for any tensor in the
// graph, not only leaves). Nothing is stored in .grad().
Gradients gradients(nn::Sequential& model, const Tensor& x, const Tensor& labels) {
  std::vector<Tensor> wrt;  // h1, h2, h3, then W1..W4
  Tensor h = x;
  for (size_t layer = 0; layer < model.size(); ++layer) {
    h = (*model[layer])(h);
    if (layer < kHidden) wrt.push_back(h);
  }
  for (size_t layer = 0; layer < model.size(); ++layer) wrt.push_back(weight(model, layer));
  const std::vector<Tensor> g = ember::autograd::grad({ember::cross_entropy(h, labels)}, wrt);
  Gradients out;
  for (size_t i = 0; i < wrt.size(); ++i) {
    const double sum_of_squares = g[i].pow(2.0f).sum().item();
    if (i < kHidden) out.signal.push_back(std::sqrt(sum_of_squares / static_cast<double>(g[i].numel())));
    else out.weight.push_back(std::sqrt(sum_of_squares));
  }
  return out;
}

// ---- 4. training -------------------------------------------------------------------------

struct History {
  std::vector<double> loss;                    // the mean over each stretch of steps
  std::vector<int64_t> stats_step;             // the steps after which stats were taken
  std::vector<std::vector<LayerStats>> stats;  // [measurement][layer]: at step 0, after each stretch
  std::string stopped;                         // why training stopped early ("" if it did not)
  double test_accuracy = 0;
};

// SGD with momentum, one train_step per batch (forward, cross_entropy,
// zero_grad, backward, step), the hidden layers measured after every
// `stretch` steps. Stops at a loss that is not finite.
History train_one(nn::Sequential& model, nn::Activation activation, data::DataLoader& loader,
                  int64_t epochs, int64_t stretch, const Tensor& probe) {
  History history;
  auto measure = [&](int64_t step) {
    history.stats_step.push_back(step);
    history.stats.push_back(hidden_stats(model, activation, probe));
  };
  measure(0);
  optim::SGD sgd(model.parameters(), {.lr = lr, .momentum = 0.9f});
  double sum = 0;
  int64_t step = 0;
  for (int64_t epoch = 0; epoch < epochs && history.stopped.empty(); ++epoch) {
    for (const data::Batch& batch : loader) {
      const Tensor x = batch.images.view({-1, kPixels});  // [B, 784]
      const train::StepResult r = train::train_step(model, sgd, x, batch.labels);
      ++step;
      if (!r.updated) {  // NaN or infinite: the update would spread it to every weight
        history.stopped = "loss " + sig3(r.loss_value) + " at step " + std::to_string(step);
        measure(step);
        break;
      }
      sum += r.loss_value;
      if (step % stretch == 0) {
        history.loss.push_back(sum / static_cast<double>(stretch));
        measure(step);
        sum = 0;
      }
    }
  }
  return history;
}

double test_accuracy(nn::Sequential& model, const Tensor& x, const Tensor& labels) {
  const ember::NoGradGuard no_grad;
  return ember::eq(model(x).argmax(1), labels).mean().item();
}

// The steps until a stretch's mean loss first fell below 2.0 ("-": never).
std::string steps_below_2(const History& h, int64_t stretch) {
  for (size_t k = 0; k < h.loss.size(); ++k)
    if (h.loss[k] < 2.0) return std::to_string(static_cast<int64_t>(k + 1) * stretch);
  return "-";
}

void print_training_row(const std::string& name, const History& h, int64_t stretch) {
  auto at = [&](size_t k) { return k < h.loss.size() ? sig3(h.loss[k]) : std::string("-"); };
  std::cout << std::left << std::setw(12) << name << std::right << std::setw(10) << at(0)
            << std::setw(10) << at(h.loss.size() / 2) << std::setw(10)
            << at(h.loss.empty() ? 0 : h.loss.size() - 1) << std::setw(11) << steps_below_2(h, stretch)
            << std::setw(10) << (h.stopped.empty() ? fixed(h.test_accuracy, 4) : "-") << "   ";
  for (const LayerStats& s : h.stats.back()) std::cout << " " << std::setw(8) << sig3(s.std);
  std::cout << "   ";
  for (const LayerStats& s : h.stats.back()) std::cout << " " << fixed(s.stuck, 2);
  if (!h.stopped.empty()) std::cout << "  stopped: " << h.stopped;
  std::cout << "\n";
}

// ---- 5. pictures -------------------------------------------------------------------------

// Writes the chart and keeps it for the report.
void save_svg(tutorial::Run& run, std::vector<std::string>& charts, const std::string& name,
              const std::string& svg) {
  std::ofstream(run.file(name)) << svg;
  charts.push_back(svg);
}

std::string label_of(nn::Activation activation, const Setup& setup) {
  return std::string(name_of(activation)) + " " + setup.name;
}

const std::string& color_of(nn::Activation activation, const Setup& setup) {
  return activation == nn::Activation::ReLU ? setup.relu_color : setup.tanh_color;
}

// A loss above the cap is not drawn (the axis would flatten the others); the
// legend says how high it went instead.
constexpr double kLossCap = 5.0;

std::vector<double> capped(const std::vector<double>& loss) {
  std::vector<double> out;
  for (double v : loss) out.push_back(std::isfinite(v) && v <= kLossCap ? v : NAN);
  return out;
}

// The same for the spread: log10(std) above 4 is not drawn.
constexpr double kLogStdCap = 4.0;

// The measurements of all eight networks, [activation][setup].
template <class T>
using PerSetup = std::vector<std::vector<T>>;

// log10 of the spread at the start (forward) and of the gradient reaching
// each hidden layer (backward): a constant factor per layer is a straight line.
void charts_at_start(tutorial::Run& run, std::vector<std::string>& charts,
                     const PerSetup<std::vector<LayerStats>>& forward,
                     const PerSetup<Gradients>& backward) {
  std::vector<train::Series> spread, signal;
  for (size_t a = 0; a < kActivations.size(); ++a)
    for (size_t s = 0; s < kSetups.size(); ++s) {
      std::vector<double> f, b;
      for (const LayerStats& stats : forward[a][s]) f.push_back(std::log10(stats.std));
      for (double g : backward[a][s].signal) b.push_back(std::log10(g));
      const std::string label = label_of(kActivations[a], kSetups[s]);
      spread.push_back({label, f, color_of(kActivations[a], kSetups[s])});
      signal.push_back({label, b, color_of(kActivations[a], kSetups[s])});
    }
  save_svg(run, charts, "spread.svg",
           train::line_chart_svg(spread, {.title = "Forward: the std of each hidden layer's output at the start",
                                          .x_label = "hidden layer", .y_label = "log10 of the std"}));
  save_svg(run, charts, "signal.svg",
           train::line_chart_svg(signal, {.title = "Backward: the rms of dloss/dh reaching each hidden layer",
                                          .x_label = "hidden layer", .y_label = "log10 of the rms"}));
}

void charts_of_training(tutorial::Run& run, std::vector<std::string>& charts,
                        const PerSetup<History>& histories, int64_t stretch) {
  for (size_t a = 0; a < kActivations.size(); ++a) {
    std::vector<train::Series> loss;
    for (size_t s = 0; s < kSetups.size(); ++s) {
      const History& h = histories[a][s];
      double top = 0;
      for (double v : h.loss) top = std::max(top, v);
      std::string label = kSetups[s].name;
      if (!h.stopped.empty()) label += " (stopped: " + h.stopped + ")";
      else if (top > kLossCap) label += " (from " + sig3(h.loss.front()) + "; above 5 not drawn)";
      loss.push_back({label, capped(h.loss), color_of(kActivations[a], kSetups[s])});
    }
    const std::string name = name_of(kActivations[a]);
    save_svg(run, charts, "loss-" + name + ".svg",
             train::line_chart_svg(loss, {.title = "Training loss, " + name + " (mean over each stretch)",
                                          .x_label = "stretch of " + std::to_string(stretch) + " steps",
                                          .y_label = "cross-entropy"}));
  }
  // The last hidden layer's spread as training goes, and the dead ReLUs.
  std::vector<train::Series> spread, dead;
  for (size_t a = 0; a < kActivations.size(); ++a)
    for (size_t s = 0; s < kSetups.size(); ++s) {
      const History& h = histories[a][s];
      std::vector<double> std3, dead_fraction;
      bool off_chart = false;
      for (const std::vector<LayerStats>& stats : h.stats) {
        const double log_std = std::log10(stats[kHidden - 1].std);
        off_chart |= !(log_std <= kLogStdCap);
        std3.push_back(log_std <= kLogStdCap ? log_std : NAN);
        dead_fraction.push_back((stats[0].stuck + stats[1].stuck + stats[2].stuck) / kHidden);
      }
      const std::string label = label_of(kActivations[a], kSetups[s]);
      const std::string stopped =
          h.stopped.empty() ? "" : " (stopped: its last point is step " + std::to_string(h.stats_step.back()) + ")";
      spread.push_back({label + (off_chart ? " (std above 1e4 not drawn)" : stopped), std3,
                        color_of(kActivations[a], kSetups[s])});
      if (kActivations[a] == nn::Activation::ReLU)
        dead.push_back({label + stopped, dead_fraction, color_of(kActivations[a], kSetups[s])});
    }
  const std::string x_label = "measurement (1: the start, then every " + std::to_string(stretch) + " steps)";
  save_svg(run, charts, "spread-training.svg",
           train::line_chart_svg(spread, {.title = "The std of hidden layer 3's output during training",
                                          .x_label = x_label, .y_label = "log10 of the std"}));
  save_svg(run, charts, "dead-relu.svg",
           train::line_chart_svg(dead, {.title = "Dead ReLUs: units that output 0 for every probe image",
                                        .x_label = x_label, .y_label = "fraction of the 768 hidden units"}));
}

// ---- 6. the report: one row per setup, and the charts -----------------------------------------

void report(tutorial::Run& run, const PerSetup<std::vector<LayerStats>>& forward,
            const PerSetup<Gradients>& backward, const PerSetup<History>& histories,
            const std::vector<std::string>& charts) {
  train::ResultsTable results({"setup", {"std ratio 3 / 2", 3}, {"gradient ratio 1 / 3", -1},
                               {"final loss", -1}, {"test accuracy", 4}, "stopped"});
  for (size_t a = 0; a < kActivations.size(); ++a)
    for (size_t s = 0; s < kSetups.size(); ++s) {
      const std::vector<LayerStats>& f = forward[a][s];
      const Gradients& g = backward[a][s];
      const History& h = histories[a][s];
      std::optional<double> last, accuracy;
      if (!h.loss.empty()) last = h.loss.back();
      if (h.stopped.empty()) accuracy = h.test_accuracy;
      results.add_row({label_of(kActivations[a], kSetups[s]), f[2].std / f[1].std,
                       g.signal[0] / g.signal[2], last, accuracy, h.stopped});
    }
  run.write_results(results);

  train::Report page("Chapter 5: a multilayer perceptron, and why initialization matters");
  page.paragraph("One network, 784-256-256-256-10 with ReLU or tanh, started from four weight "
                 "spreads and trained with the same SGD on the same batches. Each layer scales "
                 "the signal by a factor set by the spread: Glorot and He keep it near 1 (the "
                 "std ratio of layers 3 and 2), too small a spread makes the signal and the "
                 "gradient vanish with depth (the gradient ratio of layers 1 and 3), too large "
                 "a spread makes them explode or saturate; only the good starts learn.")
      .table(results, "per setup: the start forward and backward, and the end of training");
  for (const std::string& chart : charts) page.chart(chart);
  run.write_report(page);
}

// ---- the chapter -------------------------------------------------------------------------

// A dataset's first n images as rows [n, 784] and their float labels [n].
struct Rows {
  Tensor x, labels;
};

Rows first_rows(const data::TensorDataset& set, int64_t n) {
  n = std::min(n, set.size());
  const std::vector<float> labels(set.labels().begin(), set.labels().begin() + n);
  return {set.images().slice(0, 0, n).view({n, kPixels}), Tensor::from_vector(labels, {n})};
}

// The network of one setup, the same initial weights every time it is made.
std::shared_ptr<nn::Sequential> start(nn::Activation activation, const Setup& setup, uint64_t seed) {
  ember::manual_seed(seed);
  return mlp(activation, setup.init);
}

PerSetup<std::vector<LayerStats>> forward_at_start(const Rows& probe, uint64_t seed) {
  std::cout << "== forward: each hidden layer's output at the start, on " << probe.x.size(0)
            << " training images ==\n";
  print_forward_header();
  PerSetup<std::vector<LayerStats>> all;
  for (nn::Activation activation : kActivations) {
    all.emplace_back();
    for (const Setup& setup : kSetups) {
      const auto model = start(activation, setup, seed);
      const std::vector<LayerStats> stats = hidden_stats(*model, activation, probe.x);
      std::cout << std::left << std::setw(12) << label_of(activation, setup) << std::right;
      for (const LayerStats& s : stats)
        std::cout << std::setw(10) << sig3(s.mean) << std::setw(10) << sig3(s.std) << std::setw(6)
                  << fixed(s.stuck, 2);
      std::cout << std::setw(12) << fixed(stats[2].std / stats[1].std, 3) << "\n";
      all.back().push_back(stats);
    }
  }
  std::cout << "\n";
  return all;
}

PerSetup<Gradients> backward_at_start(const Rows& probe, uint64_t seed) {
  std::cout << "== backward: the gradient reaching each layer at the start, on the same images ==\n"
            << std::left << std::setw(12) << "setup" << std::right << std::setw(26)
            << "rms dloss/dh: layer 1" << std::setw(10) << "2" << std::setw(10) << "3"
            << std::setw(20) << "|dloss/dW|: W1" << std::setw(10) << "W2" << std::setw(10) << "W3"
            << std::setw(10) << "W4" << "\n";
  PerSetup<Gradients> all;
  for (nn::Activation activation : kActivations) {
    all.emplace_back();
    for (const Setup& setup : kSetups) {
      const auto model = start(activation, setup, seed);
      const Gradients g = gradients(*model, probe.x, probe.labels);
      std::cout << std::left << std::setw(12) << label_of(activation, setup) << std::right
                << std::setw(26) << sig3(g.signal[0]) << std::setw(10) << sig3(g.signal[1])
                << std::setw(10) << sig3(g.signal[2]) << std::setw(20) << sig3(g.weight[0]);
      for (size_t layer = 1; layer < g.weight.size(); ++layer)
        std::cout << std::setw(10) << sig3(g.weight[layer]);
      std::cout << "\n";
      all.back().push_back(g);
    }
  }
  std::cout << "\n";
  return all;
}

void chapter(tutorial::Run& run) {
  const tutorial::Options& o = run.options;
  const data::FashionMNIST train_all(o.data, true), test_all(o.data, false);
  // --quick: 20 steps per network, 8 networks, small probe and test sets.
  const int64_t n_train = o.quick ? 20 * o.batch_size : train_all.size();
  const data::TensorDataset train_set(
      train_all.images().slice(0, 0, n_train),
      {train_all.labels().begin(), train_all.labels().begin() + n_train});
  const Rows test = first_rows(test_all, o.quick ? 500 : test_all.size());
  // The statistics are measured on the same training images every time.
  const Rows probe = first_rows(train_all, o.quick ? 200 : 1000);

  setups(o.batch_size);
  const PerSetup<std::vector<LayerStats>> forward = forward_at_start(probe, o.seed);
  const PerSetup<Gradients> backward = backward_at_start(probe, o.seed);

  const int64_t steps_per_epoch = (n_train + o.batch_size - 1) / o.batch_size;
  const int64_t stretch = std::max<int64_t>(1, steps_per_epoch * o.epochs / (o.quick ? 5 : 20));
  std::cout << "== training: " << n_train << " images, " << o.epochs << " epoch(s) of "
            << steps_per_epoch << " steps; loss: the mean over a stretch of " << stretch
            << " steps ==\n"
            << std::left << std::setw(12) << "setup" << std::right << std::setw(10) << "first"
            << std::setw(10) << "middle" << std::setw(10) << "last" << std::setw(11) << "< 2.0 by"
            << std::setw(10) << "test acc" << std::setw(30) << "std at the end: 1  2  3"
            << std::setw(20) << "stuck: 1  2  3" << "\n";
  std::ofstream csv(run.file("statistics.csv"));
  csv << "activation,init,step,layer,mean,std,stuck\n";
  PerSetup<History> histories;
  for (nn::Activation activation : kActivations) {
    histories.emplace_back();
    for (const Setup& setup : kSetups) {
      const auto model = start(activation, setup, o.seed);  // the weights measured above
      data::DataLoader batches(train_set, o.batch_size, /*shuffle=*/true, o.seed);  // same batches
      History h = train_one(*model, activation, batches, o.epochs, stretch, probe.x);
      if (h.stopped.empty()) h.test_accuracy = test_accuracy(*model, test.x, test.labels);
      print_training_row(label_of(activation, setup), h, stretch);
      for (size_t k = 0; k < h.stats.size(); ++k)
        for (size_t layer = 0; layer < kHidden; ++layer)
          csv << name_of(activation) << "," << setup.name << "," << h.stats_step[k] << ","
              << layer + 1 << "," << h.stats[k][layer].mean << "," << h.stats[k][layer].std << ","
              << h.stats[k][layer].stuck << "\n";
      histories.back().push_back(h);
    }
  }
  std::cout << "\n";

  std::vector<std::string> charts;
  charts_at_start(run, charts, forward, backward);
  charts_of_training(run, charts, histories, stretch);
  csv.close();  // statistics.csv is complete before the report
  report(run, forward, backward, histories, charts);
}

int main(int argc, char** argv) {
  tutorial::Options options{.epochs = 1, .batch_size = 64, .output = "05-mlp-initialization-output"};
  CLI::App app{"Chapter 5: a multilayer perceptron, and why initialization matters"};
  app.add_option("--lr", lr, "SGD's learning rate (momentum 0.9)")->capture_default_str();
  return tutorial::run(app, options, argc, argv, chapter);
}
