// Chapter 3: autograd by hand. A scalar graph differentiated with the chain
// rule (the README works it on paper), then by backward(); why finite
// differences in float32 need a step near 1e-3; a two-layer network's
// gradients by backward() and by hand, and gradcheck; the graphs as DOT.
//
// What it prints, in order (the README beside this file explains each part):
//   1. scalar: L = (a*b + a)^2 forward, the chain rule by hand, backward()
//   2. eps: the finite-difference error against the step, float32 and double
//   3. network: x -> matmul -> +b1 -> relu -> matmul -> +b2 -> cross_entropy,
//      every gradient by backward() and by hand; gradcheck, and a bug it catches
//   4. graph: scalar-graph.dot and network-graph.dot, rendered to .svg when
//      Graphviz' `dot` is installed (Debian: apt-get install graphviz)
//   5. report: results.md and results.csv (the gradients by hand against
//      backward(), gradcheck's verdicts) and report.html (the table, the graphs)
//
//   build/tutorials/03-autograd/03-autograd                  # writes 03-autograd-output/
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "ember.hpp"
#include "harness/harness.hpp"

using ember::Tensor;

// One line of the report's table: a gradient by hand (or by finite
// differences) against backward()'s.
struct Check {
  std::string what, compared;
  double difference;    // the largest |backward() - the other|
  std::string verdict;
};

// ---- 1. a scalar graph, by the chain rule and by backward() -------------------------

std::vector<Check> scalar_graph(tutorial::Run& run) {
  std::cout << "== scalar: L = (a*b + a)^2 at a = 2, b = -3 ==\n";
  const Tensor a = Tensor::scalar(2.0f).requires_grad_();
  const Tensor b = Tensor::scalar(-3.0f).requires_grad_();
  const Tensor x = a * b;       // -6
  const Tensor y = x + a;       // -4: a is used twice
  const Tensor L = y.pow(2.0f);  // 16
  std::cout << "forward:  x = a*b = " << x.item() << ", y = x + a = " << y.item()
            << ", L = y^2 = " << L.item() << "\n";

  // The chain rule, node by node from L back to the leaves.
  const float dL_dy = 2.0f * y.item();            // d(y^2)/dy = 2y
  const float dL_dx = dL_dy * 1.0f;               // y = x + a: dy/dx = 1
  const float dL_da = dL_dx * b.item() + dL_dy;   // two paths: through x (dx/da = b), and direct
  const float dL_db = dL_dx * a.item();           // dx/db = a
  std::cout << "by hand:  dL/dy = 2y = " << dL_dy << "\n"
            << "          dL/dx = dL/dy * 1 = " << dL_dx << "\n"
            << "          dL/da = dL/dx * b + dL/dy * 1 = " << dL_dx * b.item() << " + " << dL_dy
            << " = " << dL_da << "\n"
            << "          dL/db = dL/dx * a = " << dL_db << "\n";

  std::cout << "backward visits:";
  for (const auto& node : ember::autograd::backward_order(L)) std::cout << " " << node->name();
  std::cout << "\n";
  std::ofstream(run.file("scalar-graph.dot")) << ember::autograd::to_dot(L, {{"a", a}, {"b", b}});
  L.backward();  // frees the graph: drawn above, before this line
  std::cout << "backward: a.grad() = " << a.grad().item() << ", b.grad() = " << b.grad().item()
            << "\n\n";
  auto check = [](const std::string& what, float by_hand, float backward) {
    std::ostringstream compared;
    compared << "by hand " << by_hand << ", backward() " << backward;
    return Check{what, compared.str(), std::abs(backward - by_hand),
                 backward == by_hand ? "equal" : "differ"};
  };
  return {check("dL/da, L = (a*b + a)^2", dL_da, a.grad().item()),
          check("dL/db, L = (a*b + a)^2", dL_db, b.grad().item())};
}

// ---- 2. finite differences, and why float32 wants a step near 1e-3 ------------------
// f(a) = a^3 at a = 1.3 has the slope f'(a) = 3a^2 = 5.07. The central
// difference (f(a + eps) - f(a - eps)) / 2eps is off by eps^2 (the curve
// bends), plus the rounding error of f (relative 6e-8 in float32, 1e-16 in
// double) divided by 2eps: a big step misses the curve, a small one drowns
// in rounding.

double cube_slope_float(float a, float eps) {
  auto f = [](float v) {
    const Tensor t = Tensor::scalar(v);
    return static_cast<double>((t * t * t).item());
  };
  const float up = a + eps, down = a - eps;  // the steps float can represent (as gradcheck does)
  return (f(up) - f(down)) / (static_cast<double>(up) - static_cast<double>(down));
}

double cube_slope_double(double a, double eps) {
  auto f = [](double v) { return v * v * v; };
  return (f(a + eps) - f(a - eps)) / (2 * eps);
}

using tutorial::fixed;       // "%.*f" as a string (harness.hpp)
using tutorial::scientific;  // "%.1e" as a string

void finite_differences() {
  std::cout << "== eps: the central difference of a^3 at a = 1.3 (slope 3a^2 = 5.07) ==\n"
            << std::setw(8) << "eps" << std::setw(16) << "float32 error" << std::setw(16)
            << "double error" << "\n";
  const float a = 1.3f;
  const double exact_float = 3.0 * a * a, exact_double = 3.0 * 1.3 * 1.3;  // each type's own a
  for (float eps : {1e-1f, 1e-2f, 1e-3f, 1e-4f, 1e-5f, 1e-6f}) {
    // Below 1e-9 the double error is rounding noise whose digits depend on
    // the compiler (whether it fuses a multiply and a subtraction): not shown.
    const double double_error = std::abs(cube_slope_double(1.3, eps) - exact_double);
    std::cout << std::setw(8) << scientific(eps) << std::setw(16)
              << scientific(std::abs(cube_slope_float(a, eps) - exact_float)) << std::setw(16)
              << (double_error < 1e-9 ? "< 1e-9" : scientific(double_error)) << "\n";
  }
  std::cout << "\n";
}

// ---- 3. a two-layer network, by backward() and by hand ---------------------------------

// relu's slope: 1 where z > 0, else 0.
Tensor step(const Tensor& z) {
  std::vector<float> v = z.to_vector();
  for (float& e : v) e = e > 0.0f ? 1.0f : 0.0f;
  return Tensor::from_vector(v, z.shape());
}

float max_difference(const Tensor& a, const Tensor& b) { return (a - b).abs().max().item(); }

// The network: x [4, 3] -> matmul w1 [3, 5] -> + b1 -> relu -> matmul w2 [5, 2]
// -> + b2 -> cross_entropy with the labels. p = {w1, b1, w2, b2}.
Tensor network_loss(const Tensor& x, const Tensor& labels, const std::vector<Tensor>& p) {
  const Tensor h = ember::relu(ember::matmul(x, p[0]) + p[1]);  // [4, 5]
  const Tensor logits = ember::matmul(h, p[2]) + p[3];          // [4, 2]
  return ember::cross_entropy(logits, labels);                  // [], the mean over 4 examples
}

std::vector<Check> two_layer_network(tutorial::Run& run) {
  std::vector<Check> checks;
  std::cout << "== network: 4 examples, 3 features -> 5 hidden (relu) -> 2 classes ==\n";
  const Tensor x = Tensor::randn({4, 3});  // data: no gradient wanted
  const Tensor labels = Tensor::from_vector({0, 1, 1, 0}, {4});
  const Tensor w1 = Tensor::randn({3, 5}).requires_grad_();
  const Tensor b1 = Tensor::zeros({5}).requires_grad_();
  const Tensor w2 = Tensor::randn({5, 2}).requires_grad_();
  const Tensor b2 = Tensor::zeros({2}).requires_grad_();
  const std::vector<Tensor> params = {w1, b1, w2, b2};

  const Tensor loss = network_loss(x, labels, params);
  std::ofstream(run.file("network-graph.dot"))
      << ember::autograd::to_dot(loss, {{"w1", w1}, {"b1", b1}, {"w2", w2}, {"b2", b2}});
  loss.backward();
  std::cout << "loss = " << fixed(loss.item(), 4) << "\n";

  // By hand: the forward again with recording off, then each node's backward
  // from the loss down, in the order backward() visits them.
  {
    ember::NoGradGuard no_grad;
    const Tensor z = ember::matmul(x, w1) + b1;                       // [4, 5]
    const Tensor h = ember::relu(z);                                  // [4, 5]
    const Tensor logits = ember::matmul(h, w2) + b2;                  // [4, 2]
    const Tensor dlogits = (logits.softmax(1) - ember::one_hot(labels, 2)) / 4.0f;  // [4, 2]
    const Tensor db2 = dlogits.sum({0});                              // b2 was broadcast: [2]
    const Tensor dw2 = ember::matmul(h.t(), dlogits);                 // [5, 4] x [4, 2]
    const Tensor dh = ember::matmul(dlogits, w2.t());                 // [4, 2] x [2, 5]
    const Tensor dz = dh * step(z);                                   // relu passes where z > 0
    const Tensor db1 = dz.sum({0});                                   // b1 was broadcast: [5]
    const Tensor dw1 = ember::matmul(x.t(), dz);                      // [3, 4] x [4, 5]

    std::cout << "b2.grad() by backward() = " << b2.grad() << "\n"
              << "db2 by hand             = " << db2 << "\n"
              << std::left << std::setw(6) << "param" << std::setw(8) << "shape"
              << "max |backward() - by hand|\n";
    const std::vector<std::pair<std::string, std::pair<Tensor, Tensor>>> pairs = {
        {"w1", {w1.grad(), dw1}}, {"b1", {b1.grad(), db1}},
        {"w2", {w2.grad(), dw2}}, {"b2", {b2.grad(), db2}}};
    for (const auto& [name, grads] : pairs) {
      const float d = max_difference(grads.first, grads.second);
      std::cout << std::setw(6) << name << std::setw(8) << ember::shape_str(grads.first.shape())
                << (d < 1e-6f ? "below 1e-6" : std::to_string(d)) << "\n";
      checks.push_back({name + " " + ember::shape_str(grads.first.shape()) + ", the network",
                        "backward() against by hand", d, d < 1e-6f ? "below 1e-6" : "differ"});
    }
    std::cout << std::right;
  }

  // gradcheck: every element of every parameter nudged by +-1e-3, the loss
  // recomputed, and the slope compared with what backward() says.
  const auto good = ember::autograd::gradcheck(
      [&](const std::vector<Tensor>& p) { return network_loss(x, labels, p); }, params);
  std::cout << "gradcheck(network, {w1, b1, w2, b2}): " << (good.ok ? "passed" : "FAILED") << "\n";

  // A bug: detach() cuts the graph after the first layer, so backward never
  // reaches w1 and b1 and says their gradient is 0. The loss still depends on them.
  auto buggy = [&](const std::vector<Tensor>& p) {
    const Tensor h = ember::relu(ember::matmul(x, p[0]) + p[1]).detach();  // the bug
    return ember::cross_entropy(ember::matmul(h, p[2]) + p[3], labels);
  };
  const auto bad = ember::autograd::gradcheck(buggy, params);
  const char* names[] = {"w1", "b1", "w2", "b2"};
  std::cout << "gradcheck(buggy, {w1, b1, w2, b2}): " << (bad.ok ? "passed" : "FAILED")
            << "; worst element in " << names[bad.input] << ": backward says " << bad.analytic
            << ", finite differences say " << fixed(bad.numeric, 2) << "\n\n";
  checks.push_back({"gradcheck(network, {w1, b1, w2, b2})",
                    "backward() against finite differences, eps 1e-3",
                    std::abs(good.analytic - good.numeric), good.ok ? "passed" : "FAILED"});
  checks.push_back({"gradcheck(buggy, {w1, b1, w2, b2})",
                    "backward() against finite differences, eps 1e-3",
                    std::abs(bad.analytic - bad.numeric), bad.ok ? "passed" : "FAILED"});
  return checks;
}

// ---- 4. the graphs, drawn ---------------------------------------------------------------

// Graphviz is optional: without `dot`, say how to draw the .dot files later.
bool have_dot() { return std::system("dot -V > /dev/null 2>&1") == 0; }

// Returns the SVG files drawn (none without Graphviz).
std::vector<std::string> draw_graphs(tutorial::Run& run) {
  std::cout << "== graph: the recorded graphs as DOT ==\n";
  const bool drawable = have_dot();
  std::vector<std::string> drawn;
  for (const std::string name : {"scalar-graph", "network-graph"}) {
    const std::string dot = run.options.output + "/" + name + ".dot";
    if (!drawable) {
      std::cout << dot << ": Graphviz is not installed (apt-get install graphviz), so not "
                << "drawn; install it and run\n"
                << "  dot -Tsvg " << dot << " -o " << run.options.output << "/" << name
                << ".svg\n";
      continue;
    }
    const std::string svg = run.file(name + ".svg");
    const std::string command = "dot -Tsvg '" + dot + "' -o '" + svg + "'";
    if (std::system(command.c_str()) != 0) throw ember::DataError("failed: " + command);
    std::cout << dot << " drawn by Graphviz as " << svg << "\n";
    drawn.push_back(svg);
  }
  return drawn;
}

// ---- 5. the report: the checks as a table, and the graphs -------------------------------

// Graphviz's SVG from its <svg> on: the XML declaration, DOCTYPE and comments
// before it do not belong inside a page.
std::string svg_element(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  const std::string svg = text.str();
  const size_t start = svg.find("<svg");
  if (start == std::string::npos) throw ember::DataError(path + " holds no <svg>");
  return svg.substr(start);
}

void report(tutorial::Run& run, const std::vector<Check>& checks,
            const std::vector<std::string>& graphs) {
  ember::train::ResultsTable results(
      {"gradient", "compared", {"max difference", -1}, "verdict"});
  for (const Check& c : checks) results.add_row({c.what, c.compared, c.difference, c.verdict});
  run.write_results(results);

  ember::train::Report page("Chapter 3: autograd by hand");
  page.paragraph("backward() applies the chain rule node by node from the loss back to the "
                 "leaves, as we do by hand: on a scalar graph where a is used twice, and on a "
                 "two-layer network whose every gradient we also write out. They agree. "
                 "gradcheck compares backward() with finite differences (a step of 1e-3, "
                 "where float32's error is smallest) and catches a detach() that cuts the graph.")
      .table(results, "the gradients by hand, by backward() and by finite differences");
  if (graphs.empty())
    page.paragraph("The graphs are in scalar-graph.dot and network-graph.dot; Graphviz was not "
                   "installed to draw them.");
  for (const std::string& graph : graphs)
    page.chart(svg_element(graph), graph.substr(graph.rfind('/') + 1) + ", drawn by Graphviz");
  run.write_report(page);
}

// ---- the chapter --------------------------------------------------------------------------

void chapter(tutorial::Run& run) {
  std::vector<Check> checks = scalar_graph(run);
  finite_differences();
  for (const Check& c : two_layer_network(run)) checks.push_back(c);
  const std::vector<std::string> graphs = draw_graphs(run);
  report(run, checks, graphs);
}

int main(int argc, char** argv) {
  tutorial::Options options{.output = "03-autograd-output"};
  CLI::App app{"Chapter 3: autograd by hand -- the chain rule, backward(), gradcheck, the graph"};
  return tutorial::run(app, options, argc, argv, chapter);
}
