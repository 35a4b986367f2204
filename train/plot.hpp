// plot.hpp — line charts as SVG, written without Python or any library.
//
// Enough of matplotlib's plot() to show a training run: one or more series
// over epochs 1..n, or against any x (accuracy against loss: give each
// series its x values), axes with "nice" ticks (1, 2 or 5 times a power of
// ten), optional fixed axis limits, grid lines, a title, axis labels and a
// legend. Non-finite values (a NaN loss) break the line instead of breaking
// the chart. Each series carries a <title> with its values, which browsers
// show on hover. The other charts: scatter.hpp, bar_chart.hpp, heatmap.hpp.
//
//   train::write_history_charts(history, "out");   // out/loss.svg, out/accuracy.svg
//   train::line_chart_svg({{.label = "adam", .values = acc, .x = loss}},
//                         {.x_label = "loss", .y_label = "accuracy", .y_min = 0, .y_max = 1});
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "history.hpp"

namespace ember::train {

struct Series {
  std::string label;           // legend entry, e.g. "validation"
  std::vector<double> values;  // the y values; values[i] is epoch i + 1 unless x is given
  std::string color = "#1f77b4";
  std::vector<double> x = {};  // x[i] of values[i] (as many); empty: epochs 1..n
};

struct ChartOptions {
  std::string title = {};
  std::string x_label = "epoch";  // name the x axis of x-y charts
  std::string y_label = {};
  int width = 640;
  int height = 420;
  // Fixed axis limits (e.g. y 0..1 for an accuracy); unset: the data's range
  // widened to nice ticks. Lines are cut at the limits, points outside hidden.
  std::optional<double> x_min = {}, x_max = {}, y_min = {}, y_max = {};
  bool markers = true;  // a dot on each point (turn off for long series)
};

// A complete SVG document (UTF-8 text) drawing the series: against epochs
// 1..n (integer ticks) when no series has x values, else against their x
// values on a numeric axis (series without x values use 1..n there).
std::string line_chart_svg(const std::vector<Series>& series, const ChartOptions& options);

// Tick positions covering [lo, hi]: multiples of a step of 1, 2 or 5 times a
// power of ten, about `target` of them, the first <= lo and the last >= hi.
std::vector<double> nice_ticks(double lo, double hi, int target = 6);

// The chart of one History metric ("loss" or "accuracy"): training and, when
// present, validation ("val_" + metric).
std::string history_chart_svg(const History& history, const std::string& metric);

// Writes <folder>/loss.svg and <folder>/accuracy.svg (atomically) and returns
// their paths. The folder must exist.
std::vector<std::string> write_history_charts(const History& history, const std::string& folder);

}  // namespace ember::train
