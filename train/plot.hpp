// plot.hpp — line charts as SVG, written without Python or any library.
//
// Enough of matplotlib's plot() to show a training run: one or more series
// over epochs 1..n, axes with "nice" ticks (1, 2 or 5 times a power of ten),
// grid lines, a title, axis labels and a legend. Non-finite values (a NaN
// loss) break the line instead of breaking the chart. Each series carries a
// <title> with its values, which browsers show on hover.
//
//   train::write_history_charts(history, "out");   // out/loss.svg, out/accuracy.svg
#pragma once

#include <string>
#include <vector>

#include "history.hpp"

namespace ember::train {

struct Series {
  std::string label;           // legend entry, e.g. "validation"
  std::vector<double> values;  // values[i] is epoch i + 1
  std::string color = "#1f77b4";
};

struct ChartOptions {
  std::string title = {};
  std::string x_label = "epoch";
  std::string y_label;
  int width = 640;
  int height = 420;
};

// A complete SVG document (UTF-8 text) drawing the series against epochs.
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
