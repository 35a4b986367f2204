// Chapter 2: broadcasting and reductions. How tensors of different shapes
// combine without copying, how reductions shrink a shape (and keepdim keeps it
// broadcastable), and why the gradient of a broadcast is a sum.
//
// What it prints, in order (the README beside this file explains each part):
//   1. rules: the broadcasting rule written out, checked against ember on examples
//   2. no-copy: a broadcast operand is read again through a stride of 0
//   3. reductions: sum/mean/max over dims, keepdim, and the silent square-matrix bug
//   4. gradient: a broadcast operand's gradient is the sum over the broadcast dims
//   5. picture: broadcasting.svg, the forward reads and the backward sums
//   6. report: results.md and results.csv (each example's shapes, the gradient
//      checks) and report.html (the table and the picture)
//
//   build/tutorials/02-broadcasting/02-broadcasting           # writes 02-broadcasting-output/
#include <algorithm>
#include <sstream>
#include <cmath>
#include <cstdint>
#include <iomanip>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "ember.hpp"
#include "harness/harness.hpp"
#include "harness/svg.hpp"

using ember::Shape;
using ember::Tensor;

// Prints "label = tensor(...)", or the tensor on the next lines when it spans several.
void show(const std::string& label, const Tensor& t, const std::string& note = "") {
  std::ostringstream printed;
  printed << t;
  const bool lines = printed.str().find('\n') != std::string::npos;
  std::cout << label << (lines ? " =\n" : " = ") << printed.str() << note << "\n";
}

// ---- 1. the rule ---------------------------------------------------------------
// Align the two shapes at the right (a missing dim counts as size 1); in each
// position the sizes must be equal or one of them 1; the result takes the
// larger. No value means the shapes do not broadcast.
std::optional<Shape> broadcast(const Shape& a, const Shape& b) {
  const size_t n = std::max(a.size(), b.size());
  Shape out(n);
  for (size_t i = 0; i < n; ++i) {  // i counts dims from the right
    const int64_t sa = i < a.size() ? a[a.size() - 1 - i] : 1;
    const int64_t sb = i < b.size() ? b[b.size() - 1 - i] : 1;
    if (sa != sb && sa != 1 && sb != 1) return std::nullopt;
    out[n - 1 - i] = std::max(sa, sb);
  }
  return out;
}

// One example of section 1: the two shapes, the rule's answer and ember's.
struct RuleExample {
  std::string a, b, by_rule, by_ember;
};

std::vector<RuleExample> show_rules() {
  std::cout << "== rules: align at the right; sizes equal, or one of them 1 ==\n"
            << std::left << std::setw(12) << "a" << std::setw(12) << "b" << std::setw(16)
            << "by the rule" << "ember's a + b\n";
  const std::vector<std::pair<Shape, Shape>> examples = {
      {{3, 4}, {4}},           // a row added to every row (a bias)
      {{3, 1}, {1, 4}},        // a column and a row: every pair (an outer sum)
      {{4, 1, 3}, {5, 1}},     // both stretch, in different dims
      {{}, {2, 3}},            // a scalar goes with anything
      {{32, 10}, {10}},        // a batch of 32 logits plus a bias of 10
      {{2, 3}, {2}},           // right-aligned: 3 meets 2
      {{3, 4}, {3}},           // x minus its row means, without keepdim
  };
  std::vector<RuleExample> shown;
  for (const auto& [a, b] : examples) {
    const std::optional<Shape> rule = broadcast(a, b);
    RuleExample e{ember::shape_str(a), ember::shape_str(b), rule ? ember::shape_str(*rule) : "no", ""};
    std::cout << std::setw(12) << e.a << std::setw(12) << e.b << std::setw(16) << e.by_rule;
    try {
      e.by_ember = ember::shape_str((Tensor::zeros(a) + Tensor::zeros(b)).shape());
      std::cout << e.by_ember << "\n";
    } catch (const ember::ShapeError& error) {
      e.by_ember = "ShapeError";
      std::cout << "ShapeError\n    " << error.what() << "\n";
    }
    shown.push_back(e);
  }
  std::cout << std::right << "\n";
  return shown;
}

// ---- 2. broadcasting copies nothing ----------------------------------------------

void show_no_copy(const Tensor& column, const Tensor& row) {
  std::cout << "== no-copy: a size-1 dim is read again through stride 0 ==\n";
  show("column", column);
  show("row", row);
  show("column.expand({3, 4})", column.expand({3, 4}));
  show("row.expand({3, 4})", row.expand({3, 4}));
  show("column + row", column + row);
  std::cout << "column.expand({3, 4}) shares column's storage: "
            << (column.expand({3, 4}).shares_storage(column) ? "yes" : "no") << "\n\n";
}

// ---- 3. reductions: the opposite of broadcasting -------------------------------------

void show_reductions(const Tensor& x) {
  std::cout << "== reductions: sum, mean, max over dims; keepdim ==\n";
  show("x", x);
  show("x.sum()", x.sum());
  show("x.sum({0})", x.sum({0}));
  show("x.sum({1})", x.sum({1}));
  show("x.sum({1}, true)", x.sum({1}, true));
  show("x.mean({1}, true)", x.mean({1}, true));
  const ember::ValuesIndices m = x.max(1);
  show("x.max(1).values", m.values);
  show("x.max(1).indices", m.indices);
  // keepdim leaves a size-1 dim where the reduced one was, so the result
  // broadcasts back against x: here every row minus its own mean.
  const Tensor centered = x - x.mean({1}, true);
  show("(x - x.mean({1}, true)).mean({1})", centered.mean({1}));
  try {
    (void)(x - x.mean({1}));  // [3, 4] - [3]: the 3 lines up with the 4
  } catch (const ember::ShapeError& e) {
    std::cout << "x - x.mean({1}) throws ShapeError: " << e.what() << "\n";
  }
  // The same mistake on a square matrix raises nothing: [4, 4] - [4] subtracts
  // the row means from the *columns*. Only the numbers give it away.
  const Tensor sq = Tensor::arange(16).view({4, 4});
  std::cout << "sq = arange(16).view({4, 4}), and no error, but:\n";
  show("(sq - sq.mean({1})).mean({1})", (sq - sq.mean({1})).mean({1}), "  (should be zeros)");
  show("(sq - sq.mean({1}, true)).mean({1})", (sq - sq.mean({1}, true)).mean({1}));
}

// Reductions add in double: a float accumulator stops growing long before
// the sum is done, because 0.1 is lost against a large total.
void show_accumulation(int64_t n) {
  float naive = 0.0f;
  for (int64_t i = 0; i < n; ++i) naive += 0.1f;
  std::ostringstream line;
  line << std::fixed << std::setprecision(1) << "adding 0.1 " << n << " times: a float loop gives "
       << naive << ", Tensor::full({" << n << "}, 0.1f).sum() gives "
       << Tensor::full({n}, 0.1f).sum().item() << "\n\n";
  std::cout << line.str();
}

// ---- 4. the gradient of a broadcast is a sum ------------------------------------------
// A bias b [2] added to a batch y = x w + b [4, 2] is read once per row. Moving
// b[j] by d moves all 4 outputs y[:, j] by d, so the loss moves by the sum of
// the 4 gradients dL/dy[i, j] times d: dL/db = sum over the batch of dL/dy.

// One gradient of section 4: backward()'s against the sum written by hand.
struct GradientCheck {
  std::string what, a, b;  // which gradient, by which sum; the two operands
  Tensor backward, expected;
};

std::vector<GradientCheck> show_gradient(const Tensor& column, const Tensor& row,
                                         const Tensor& weights) {
  std::cout << "== gradient: a broadcast operand's gradient is a sum ==\n";
  // A layer's bias: 4 examples of 3 features, 2 outputs.
  const Tensor x = Tensor::randn({4, 3});
  const Tensor w = Tensor::randn({3, 2}).requires_grad_();
  const Tensor b = Tensor::zeros({2}).requires_grad_();
  const Tensor y = ember::matmul(x, w) + b;  // [4, 2]: b read by every row
  const Tensor loss = (y * y).sum() / 2.0f;   // dloss/dy = y
  loss.backward();
  const Tensor dy = y.detach();              // dloss/dy, [4, 2]
  std::cout << "y = matmul(x, w) + b, loss = (y * y).sum() / 2, so dloss/dy = y\n";
  show("dy", dy);
  show("b.grad() by backward()", b.grad());
  show("dy.sum({0}) by hand", dy.sum({0}));
  show("kernels::sum_to(dy, b.shape())", ember::kernels::sum_to(dy, b.shape()));

  // The outer sum of section 2, with a loss that weighs each output differently.
  const Tensor c = column.detach().requires_grad_();
  const Tensor r = row.detach().requires_grad_();
  ((c + r) * weights).sum().backward();  // dloss/d(c + r) = weights
  std::cout << "loss = ((column + row) * g).sum(), so dloss/d(column + row) = g\n";
  show("g", weights);
  show("column.grad()", c.grad(), "  (g summed along each row)");
  show("row.grad()", r.grad(), "  (g summed down each column)");
  std::cout << "\n";
  return {{"b.grad() = dy.sum({0})", "matmul(x, w) [4, 2]", "b [2]", b.grad(), dy.sum({0})},
          {"column.grad() = g.sum({1}, true)", "column [3, 1]", "row [1, 4]", c.grad(),
           weights.sum({1}, true)},
          {"row.grad() = g.sum({0}, true)", "column [3, 1]", "row [1, 4]", r.grad(),
           weights.sum({0}, true)}};
}

// ---- 5. the picture -----------------------------------------------------------------------
// Top: column [3, 1] + row [1, 4] -> [3, 4]; the cells the broadcast reads
// again are drawn faded and dashed. Bottom: the gradient g [3, 4] flowing back,
// summed along each row into column.grad and down each column into row.grad.

void draw_grid(tutorial::Svg& svg, double x, double y, const Tensor& t, int64_t rows,
               int64_t cols, const std::string& fill, const std::string& label) {
  const double cell = 36;
  svg.text(x, y - 10, label, 13, "start", "#222222", true);
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) {
      // A [3, 1] or [1, 4] operand drawn as [3, 4]: its real cells are the first
      // column or row; the others are where the broadcast reads them again.
      const bool real = (t.size(0) == rows || i == 0) && (t.size(1) == cols || j == 0);
      const float v = t.at({t.size(0) == 1 ? 0 : i, t.size(1) == 1 ? 0 : j});
      const double cx = x + static_cast<double>(j) * cell, cy = y + static_cast<double>(i) * cell;
      svg.rect(cx, cy, cell, cell, real ? fill : "#f3f3f3", real ? "#444444" : "#bbbbbb");
      std::ostringstream s;
      s << v;
      svg.text(cx + cell / 2, cy + 23, s.str(), 13, "middle", real ? "#000000" : "#aaaaaa");
    }
}

// Writes the picture to path and returns it (the report shows it too).
std::string draw(const Tensor& column, const Tensor& row, const Tensor& weights, const Tensor& dcol,
                 const Tensor& drow, const std::string& path) {
  const double cell = 36;
  tutorial::Svg svg(720, 540);
  svg.text(20, 24, "forward: column [3, 1] + row [1, 4] -> [3, 4]   (faded: read again, stride 0)",
           14, "start", "#222222", true);
  draw_grid(svg, 20, 70, column, 3, 4, "#f9cb9c", "column, strides [1, 0]");
  svg.text(197, 128, "+", 22);
  draw_grid(svg, 230, 70, row, 3, 4, "#b6d7a8", "row, strides [0, 1]");
  svg.text(407, 128, "=", 22);
  draw_grid(svg, 440, 70, column + row, 3, 4, "#cfe2f3", "column + row");

  svg.text(20, 244, "backward: g = dloss/d(column + row), summed where each operand was read again",
           14, "start", "#222222", true);
  draw_grid(svg, 20, 290, weights, 3, 4, "#cfe2f3", "g [3, 4]");
  for (int i = 0; i < 3; ++i) {  // each row of g adds up into one cell of column.grad
    const double y = 290 + cell * (i + 0.5);
    svg.arrow(20 + 4 * cell + 6, y, 20 + 4 * cell + 114, y, "#b45f06");
  }
  svg.text(20 + 4 * cell + 60, 282, "sum({1}, true)", 12, "middle", "#b45f06");
  draw_grid(svg, 20 + 4 * cell + 120, 290, dcol, 3, 1, "#f9cb9c", "column.grad [3, 1]");
  for (int j = 0; j < 4; ++j)  // each column of g adds up into one cell of row.grad
    svg.arrow(20 + cell * (j + 0.5), 290 + 3 * cell + 6, 20 + cell * (j + 0.5), 290 + 3 * cell + 60,
              "#38761d");
  svg.text(20 + 4 * cell + 8, 290 + 3 * cell + 38, "sum({0}, true)", 12, "start", "#38761d");
  draw_grid(svg, 20, 290 + 3 * cell + 90, drow, 1, 4, "#b6d7a8", "row.grad [1, 4]");
  svg.save(path);
  return svg.str();
}

// ---- 6. the report: the examples and the gradient checks as one table, and the picture -----

// A small tensor's values on one line: "[6, 22, 38]".
std::string values(const Tensor& t) {
  std::ostringstream s;
  s << "[";
  const std::vector<float> v = t.to_vector();
  for (size_t i = 0; i < v.size(); ++i) s << (i ? ", " : "") << v[i];
  return s.str() + "]";
}

void report(tutorial::Run& run, const std::vector<RuleExample>& rules,
            const std::vector<GradientCheck>& gradients, const std::string& picture) {
  ember::train::ResultsTable results(
      {"check", "a", "b", "the rule / by hand", "ember", "agree"});
  for (const RuleExample& e : rules)
    results.add_row({"shape of a + b", e.a, e.b, e.by_rule, e.by_ember,
                     e.by_rule == e.by_ember || (e.by_rule == "no" && e.by_ember == "ShapeError")
                         ? "yes" : "no"});
  for (const GradientCheck& g : gradients) {
    const bool equal = g.backward.shape() == g.expected.shape() &&
                       (g.backward - g.expected).abs().max().item() == 0.0f;
    results.add_row({g.what, g.a, g.b, values(g.expected), values(g.backward),
                     equal ? "yes" : "no"});
  }
  run.write_results(results);

  ember::train::Report page("Chapter 2: broadcasting, reductions, and the gradient of a broadcast");
  page.paragraph("Two shapes broadcast when, aligned at the right, each pair of sizes is equal or "
                 "one of them is 1; the size-1 dim is read again through a stride of 0, nothing "
                 "is copied. The rule written out agrees with ember on every example. Backward, "
                 "an operand read again gets the sum of the gradients of every place it was read: "
                 "a bias's gradient is the batch's gradients summed, as backward() computes.")
      .table(results, "the broadcast examples and the gradient checks")
      .chart(picture, "broadcasting.svg: column + row forward, the gradients summed backward");
  run.write_report(page);
}

// ---- the chapter --------------------------------------------------------------------------

void chapter(tutorial::Run& run) {
  const Tensor column = Tensor::from_vector({0, 10, 20}, {3, 1});
  const Tensor row = Tensor::from_vector({0, 1, 2, 3}, {1, 4});
  const Tensor weights = Tensor::arange(12).view({3, 4});  // the gradient g of section 4

  const std::vector<RuleExample> rules = show_rules();
  show_no_copy(column, row);
  show_reductions(Tensor::from_vector({1, 7, 3, 5, 2, 2, 8, 0, 4, 6, 1, 9}, {3, 4}));
  show_accumulation(10'000'000);
  const std::vector<GradientCheck> gradients = show_gradient(column, row, weights);

  std::cout << "== picture ==\n";
  const std::string picture = draw(column, row, weights, weights.sum({1}, true),
                                   weights.sum({0}, true), run.file("broadcasting.svg"));
  std::cout << "broadcasting.svg: column + row forward, and its gradients summed backward\n";
  report(run, rules, gradients, picture);
}

int main(int argc, char** argv) {
  tutorial::Options options{.output = "02-broadcasting-output"};
  CLI::App app{"Chapter 2: broadcasting, reductions, and why the gradient of a broadcast is a sum"};
  return tutorial::run(app, options, argc, argv, chapter);
}
