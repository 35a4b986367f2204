// bar_chart.hpp — bar and grouped-bar charts as SVG: a count per class, a
// probability per class, or one bar per series in each category (the
// accuracy of several models per class).
//
//   train::bar_chart_svg(class_names, {{.label = "test images", .values = counts}},
//                        {.title = "images per class", .y_label = "images"});
//   train::bar_chart_svg(class_names, {{.label = "p", .values = probabilities}},
//                        {.title = "prediction", .y_min = 0, .y_max = 1});
//
// One series draws plain bars; several draw a group per category, series k
// in category_color(k) (palette.hpp), with a legend beside the plot. The y
// axis always includes 0, where the bars start. Category names that do not
// fit under their bars are turned 35 degrees; each bar shows its value on
// top when there is room, and on hover.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace ember::train {

struct BarSeries {
  std::string label;           // legend entry (shown when there are several series)
  std::vector<double> values;  // one per category
  std::string color = {};      // default: category_color(k) for series k
};

struct BarChartOptions {
  std::string title = {};
  std::string x_label = {};
  std::string y_label = {};
  int width = 640;
  int height = 420;
  std::optional<double> y_min = {}, y_max = {};  // fixed y range (e.g. 0..1); 0 stays included
  bool value_labels = true;  // the value above each bar (when the bars are wide enough)
  int decimals = -1;         // of those values: -1 for 4 significant digits, else fixed
};

std::string bar_chart_svg(const std::vector<std::string>& categories,
                          const std::vector<BarSeries>& series, const BarChartOptions& options);

}  // namespace ember::train
