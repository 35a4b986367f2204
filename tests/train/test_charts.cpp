// test_charts.cpp — scatter plots, bar charts and heat maps: well-formed SVG,
// one mark per value where it belongs, legends, escaping, size checks.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "data/colormap.hpp"
#include "tensor/error.hpp"
#include "train/bar_chart.hpp"
#include "train/heatmap.hpp"
#include "train/palette.hpp"
#include "train/scatter.hpp"
#include "xml_check.hpp"

using namespace ember;

TEST_CASE("category colours: tab10, repeating after ten") {
  CHECK(train::category_color(0) == "#1f77b4");
  CHECK(train::category_color(1) == "#ff7f0e");
  CHECK(train::category_color(9) == "#17becf");
  CHECK(train::category_color(10) == train::category_color(0));
}

TEST_CASE("scatter: one compact path per class, a legend of the classes present") {
  std::vector<double> x, y;
  std::vector<int64_t> labels;
  for (int i = 0; i < 3000; ++i) {
    x.push_back(std::cos(i * 0.01) * i);
    y.push_back(std::sin(i * 0.01) * i);
    labels.push_back(i % 3 == 2 ? 5 : i % 3);  // classes 0, 1 and 5
  }
  x[7] = std::nan("");  // skipped
  const std::string svg = train::scatter_chart_svg(
      x, y, labels, {.title = "t-SNE", .class_names = {"zero", "one", "two", "three", "four", "a<b"}});
  CHECK(xml_problem(svg) == "");
  CHECK(count(svg, "class=\"points\"") == 3);
  CHECK(count(svg, "h0") == 2999);  // a dot per finite point
  CHECK(svg.find("stroke=\"" + train::category_color(5) + "\"") != std::string::npos);
  CHECK(svg.find(">zero: 1000 points<") != std::string::npos);
  CHECK(svg.find(">one: 999 points<") != std::string::npos);  // point 7 (class 1) is NaN
  CHECK(svg.find(">a&lt;b<") != std::string::npos);            // legend, escaped
  CHECK(svg.find(">two<") == std::string::npos);               // absent class: no entry
  CHECK(svg.size() < 3000 * 16 + 6000);                        // compact: ~14 bytes a point
  // Unlabelled points: one class, no legend.
  const std::string plain = train::scatter_chart_svg({1, 2}, {3, 4}, {}, {});
  CHECK(count(plain, "class=\"legend\"") == 0);
  CHECK(count(plain, "h0") == 2);
  // A [N, 2] tensor.
  const std::string t = train::scatter_chart_svg(Tensor::from_vector({0, 0, 1, 1, 2, 0}, {3, 2}),
                                                 {0, 1, 1}, {});
  CHECK(count(t, "h0") == 3);
  CHECK(count(t, "class=\"points\"") == 2);
  CHECK_THROWS_AS(train::scatter_chart_svg({1, 2}, {3}, {}, {}), ValueError);
  CHECK_THROWS_AS(train::scatter_chart_svg({1}, {3}, {-1}, {}), ValueError);
  CHECK_THROWS_AS(train::scatter_chart_svg(Tensor::zeros({3, 3}), {}, {}), ShapeError);
}

TEST_CASE("bars: one rect per value, grouped with a legend, 0 on the axis") {
  const std::vector<std::string> classes = {"T-shirt/top", "Trouser", "Ankle boot"};
  const std::string one = train::bar_chart_svg(classes, {{.label = "train", .values = {6, 5, 4}}},
                                               {.title = "images per class"});
  CHECK(xml_problem(one) == "");
  CHECK(count(one, "<rect x=") == 1 + 3);  // the background and three bars
  CHECK(count(one, "class=\"legend\"") == 0);
  CHECK(one.find(">0</text>") != std::string::npos);       // the axis starts at 0
  CHECK(one.find(">Ankle boot: 4</title>") != std::string::npos);
  CHECK(count(one, "class=\"values\"") == 1);

  const std::string grouped = train::bar_chart_svg(
      classes, {{.label = "reported", .values = {0.9, 0.8, 0.7}},
                {.label = "ember", .values = {0.91, 0.82, std::nan("")}}},
      {.y_min = 0.0, .y_max = 1.0, .decimals = 2});
  CHECK(xml_problem(grouped) == "");
  CHECK(count(grouped, "class=\"bars\"") == 2);
  CHECK(count(grouped, "<title>") == 5);  // the NaN draws no bar
  CHECK(grouped.find(">Trouser, ember: 0.82</title>") != std::string::npos);
  CHECK(grouped.find("fill=\"" + train::category_color(1) + "\"") != std::string::npos);
  CHECK(count(grouped, "class=\"legend\"") == 1);
  CHECK(grouped.find(">1.0</text>") != std::string::npos);  // the fixed top
  // Many long names are turned so they do not run into each other.
  std::vector<std::string> many(10, "Ankle boot");
  const std::string turned = train::bar_chart_svg(many, {{.label = "p", .values = std::vector<double>(10, 0.1)}}, {});
  CHECK(count(turned, "rotate(-35") == 10);
  CHECK_THROWS_AS(train::bar_chart_svg(classes, {{.label = "x", .values = {1}}}, {}), ValueError);
  CHECK_THROWS_AS(train::bar_chart_svg({}, {}, {}), ValueError);
}

TEST_CASE("heat map: a coloured cell per value showing it, and a colour scale") {
  const std::vector<std::vector<double>> acc = {{0.5, 0.75}, {1.0, std::nan("")}};
  const std::string svg = train::heatmap_svg({"0.1", "0.01"}, {"16", "32"}, acc,
                                             {.title = "accuracy", .scale_label = "acc"});
  CHECK(xml_problem(svg) == "");
  CHECK(count(svg, "<title>") == 4);
  CHECK(svg.find(">0.500</text>") != std::string::npos);
  CHECK(svg.find(">0.750</text>") != std::string::npos);
  CHECK(svg.find(">nan</text>") != std::string::npos);
  // The smallest value gets the colormap's start, the largest its end.
  auto hex = [](float t) {
    const data::Rgb c = data::colormap_rgb(data::Colormap::Viridis, t);
    char buf[8];
    std::snprintf(buf, sizeof buf, "#%02x%02x%02x", static_cast<int>(std::lround(c.r * 255)),
                  static_cast<int>(std::lround(c.g * 255)), static_cast<int>(std::lround(c.b * 255)));
    return std::string(buf);
  };
  CHECK(svg.find("fill=\"" + hex(0.0f) + "\" stroke=\"white\"><title>0.1, 16: 0.5<") != std::string::npos);
  CHECK(svg.find("fill=\"" + hex(1.0f) + "\" stroke=\"white\"><title>0.01, 16: 1<") != std::string::npos);
  CHECK(svg.find("fill=\"#dddddd\"") != std::string::npos);  // NaN
  // White text on the dark end, black on the light end.
  CHECK(svg.find("fill=\"white\">0.500<") != std::string::npos);
  CHECK(svg.find("fill=\"black\">1.000<") != std::string::npos);
  CHECK(svg.find(">acc</text>") != std::string::npos);

  // Given text, two lines per cell.
  const std::string text = train::heatmap_svg(
      {"a"}, {"b", "c"}, {{1.0, 2.0}}, {.cell_text = {{"1.0\n± 0.1", "x<y"}}});
  CHECK(xml_problem(text) == "");
  CHECK(text.find("1.0<tspan") != std::string::npos);
  CHECK(text.find(">± 0.1</tspan>") != std::string::npos);
  CHECK(text.find(">x&lt;y</text>") != std::string::npos);
  CHECK_THROWS_AS(train::heatmap_svg({"a"}, {"b"}, {{1.0, 2.0}}, {}), ValueError);
  CHECK_THROWS_AS(train::heatmap_svg({"a"}, {"b"}, {{1.0}}, {.cell_text = {{"x", "y"}}}),
                  ValueError);
}
