// test_plot.cpp — the SVG line charts: ticks, well-formed XML, the series drawn,
// x-y series and axis limits.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tensor/error.hpp"
#include "train/plot.hpp"
#include "xml_check.hpp"

using namespace ember;

namespace {

train::History three_epochs() {
  train::History h;
  h.loss = {0.9, 0.5, 0.4};
  h.accuracy = {0.7, 0.82, 0.86};
  h.val_loss = {0.6, 0.45, 0.47};
  h.val_accuracy = {0.78, 0.84, 0.85};
  h.lr = {1e-3, 1e-3, 5e-4};
  h.seconds = {1, 1, 1};
  return h;
}

}  // namespace

TEST_CASE("the checker itself rejects broken XML") {
  CHECK(xml_problem("<a><b/></a>").empty());
  CHECK_FALSE(xml_problem("<a><b></a>").empty());
  CHECK_FALSE(xml_problem("<a x=1/>").empty());
  CHECK_FALSE(xml_problem("<a>x & y</a>").empty());
}

TEST_CASE("nice_ticks: steps of 1, 2 or 5 times a power of ten covering the range") {
  const std::vector<double> unit = train::nice_ticks(0.0, 1.0, 5);
  REQUIRE(unit.size() == 6);
  for (size_t i = 0; i < unit.size(); ++i) CHECK(unit[i] == doctest::Approx(0.2 * i));
  const std::vector<double> t = train::nice_ticks(0.23, 0.91, 6);
  REQUIRE(t.size() >= 2);
  CHECK(t.front() <= 0.23);
  CHECK(t.back() >= 0.91);
  CHECK(t[1] - t[0] == doctest::Approx(0.1));
  const std::vector<double> big = train::nice_ticks(3.0, 1234.0, 6);
  CHECK(big.front() == 0.0);
  CHECK(big[1] == doctest::Approx(200.0));
  // A flat series still gets a span.
  const std::vector<double> flat = train::nice_ticks(2.0, 2.0, 6);
  CHECK(flat.front() < 2.0);
  CHECK(flat.back() > 2.0);
  CHECK_THROWS_AS(train::nice_ticks(1.0, 0.0), ValueError);
}

TEST_CASE("history charts are well-formed SVG holding both series") {
  const train::History h = three_epochs();
  for (const char* metric : {"loss", "accuracy"}) {
    const std::string svg = train::history_chart_svg(h, metric);
    INFO(metric);
    CHECK(xml_problem(svg) == "");
    CHECK(svg.find("<svg xmlns=\"http://www.w3.org/2000/svg\"") != std::string::npos);
    CHECK(count(svg, "class=\"series\"") == 2);
    CHECK(count(svg, "<circle") == 6);  // a dot per epoch per series
    CHECK(svg.find(std::string(metric) + " per epoch") != std::string::npos);
    CHECK(svg.find(">training<") != std::string::npos);   // legend
    CHECK(svg.find(">validation<") != std::string::npos);
  }
  const std::string loss = train::history_chart_svg(h, "loss");
  CHECK(loss.find("training: 0.9, 0.5, 0.4") != std::string::npos);
  CHECK(loss.find("validation: 0.6, 0.45, 0.47") != std::string::npos);
  // Epoch ticks 1..3 on the x axis.
  CHECK(loss.find(">3</text>") != std::string::npos);
}

TEST_CASE("a NaN breaks the line; no validation means one series") {
  train::History h;
  h.loss = {1.0, std::nan(""), 0.5, 0.4};
  h.accuracy = {0.1, 0.1, 0.2, 0.3};
  h.lr = h.seconds = {1, 1, 1, 1};
  const std::string svg = train::history_chart_svg(h, "loss");
  CHECK(xml_problem(svg) == "");
  CHECK(count(svg, "class=\"series\"") == 1);
  CHECK(count(svg, "<circle") == 3);
  CHECK(count(svg, " M") == 1);  // the path restarts after the gap
  CHECK(svg.find("nan") != std::string::npos);  // in the hover title
}

TEST_CASE("labels are escaped, a single epoch still draws") {
  const std::string svg = train::line_chart_svg({{"a<b & c", {0.5}, "#000"}},
                                                {.title = "x \"quoted\"", .y_label = "y"});
  CHECK(xml_problem(svg) == "");
  CHECK(svg.find("a&lt;b &amp; c") != std::string::npos);
  CHECK(count(svg, "<circle") == 1);
}

// The numbers of a path's d attribute, as (x, y) pairs.
std::vector<std::pair<double, double>> path_points(const std::string& svg) {
  std::vector<std::pair<double, double>> points;
  const size_t at = svg.find("<path d=\"");
  if (at == std::string::npos) return points;
  std::istringstream d(svg.substr(at + 9, svg.find('"', at + 9) - at - 9));
  std::string word;
  double x, y;
  while (d >> word) {
    x = std::stod(word.substr(1));
    d >> y;
    points.push_back({x, y});
  }
  return points;
}

TEST_CASE("x-y charts: explicit x values on a numeric axis") {
  // Accuracy against loss: x ticks are nice numbers over the x values, not epochs.
  const train::Series run{.label = "adam", .values = {0.6, 0.8, 0.9}, .x = {1.2, 0.7, 0.35}};
  const std::string svg =
      train::line_chart_svg({run}, {.x_label = "loss", .y_label = "accuracy"});
  CHECK(xml_problem(svg) == "");
  CHECK(svg.find(">0.3</text>") != std::string::npos);  // x ticks 0.3 .. 1.2 (step 0.1)
  CHECK(svg.find(">1.2</text>") != std::string::npos);
  CHECK(svg.find("adam: (1.2, 0.6), (0.7, 0.8), (0.35, 0.9)") != std::string::npos);
  CHECK(count(svg, "<circle") == 3);
  // The first point (largest x) is drawn right of the last.
  const auto points = path_points(svg);
  REQUIRE(points.size() == 3);
  CHECK(points[0].first > points[2].first);
  CHECK_THROWS_AS(train::line_chart_svg({{.label = "bad", .values = {1, 2}, .x = {1}}}, {}),
                  ValueError);
}

TEST_CASE("axis limits: a fixed y range, lines cut at it, ticks inside it") {
  const std::string svg = train::line_chart_svg(
      {{"acc", {0.5, 1.5, 0.5}, "#000"}},
      {.y_label = "accuracy", .height = 436, .y_min = 0.0, .y_max = 1.0});
  CHECK(xml_problem(svg) == "");
  // y ticks 0, 0.2, ..., 1: none beyond the limits although the data reach 1.5.
  CHECK(svg.find(">1.0</text>") != std::string::npos);
  CHECK(svg.find(">1.2</text>") == std::string::npos);
  CHECK(svg.find(">1.4</text>") == std::string::npos);
  // The plot runs from y = 36 (value 1) to y = 436 - 48 = 388 (value 0).
  const auto points = path_points(svg);
  REQUIRE(points.size() == 4);  // in, to the top edge; from the top edge, in
  for (const auto& [x, y] : points) {
    CHECK(y >= 36.0 - 1e-9);
    CHECK(y <= 388.0 + 1e-9);
  }
  CHECK(points[1].second == doctest::Approx(36.0));
  CHECK(points[2].second == doctest::Approx(36.0));
  CHECK(count(svg, " M") == 1);          // the line restarts where it comes back
  CHECK(count(svg, "<circle") == 2);     // the point above the plot is hidden
  CHECK(svg.find("acc: 0.5, 1.5, 0.5") != std::string::npos);  // but listed
  // An x range wider than the epochs leaves room on the right; ticks up to it.
  const std::string wide = train::line_chart_svg({{"loss", {1.0, 0.5}, "#000"}},
                                                 {.x_min = 1.0, .x_max = 10.0, .markers = false});
  CHECK(wide.find(">10</text>") != std::string::npos);
  CHECK(count(wide, "<circle") == 0);
  CHECK_THROWS_AS(train::line_chart_svg({{"a", {1.0}, "#000"}}, {.y_min = 1.0, .y_max = 1.0}),
                  ValueError);
}

TEST_CASE("write_history_charts writes loss.svg and accuracy.svg") {
  const auto dir = std::filesystem::temp_directory_path() / "ember_test_charts";
  std::filesystem::create_directories(dir);
  const std::vector<std::string> paths = train::write_history_charts(three_epochs(), dir.string());
  REQUIRE(paths.size() == 2);
  for (const std::string& p : paths) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    CHECK(xml_problem(s.str()) == "");
  }
  CHECK(std::filesystem::exists(dir / "loss.svg"));
  CHECK(std::filesystem::exists(dir / "accuracy.svg"));
  std::filesystem::remove_all(dir);
}
