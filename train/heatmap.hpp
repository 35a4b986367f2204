// heatmap.hpp — a heat map as SVG: a grid of cells coloured by value, each
// showing its value, with a colour scale. Made for a grid search's
// accuracies (grid_search.hpp draws its 2-D grids with it), and any table of
// numbers a reader should compare at a glance (a confusion matrix).
//
//   train::heatmap_svg({"0.1", "0.01", "0.001"}, {"16", "32", "64"}, accuracies,
//                      {.title = "validation accuracy", .x_label = "batch size",
//                       .y_label = "learning rate"});
//
// Row 0 is drawn at the top, as in a table. Colours run through a colormap
// (data/colormap.hpp; viridis by default) from the smallest finite value to
// the largest, unless min and max are given; the text in a cell is white on
// dark colours and black on light ones. A non-finite value gets a gray cell.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "../data/colormap.hpp"

namespace ember::train {

struct HeatmapOptions {
  std::string title = {};
  std::string x_label = {};      // under the column names
  std::string y_label = {};      // left of the row names
  int width = 640;
  int height = 420;
  data::Colormap colormap = data::Colormap::Viridis;
  std::optional<double> min = {}, max = {};  // the colour range; default: the values'
  int decimals = 3;              // of the numbers in the cells
  // Text per cell instead of the number (e.g. "0.912\n± 0.004"; '\n' breaks
  // the line); as many rows and columns as the values.
  std::vector<std::vector<std::string>> cell_text = {};
  std::string scale_label = {};  // beside the colour scale (e.g. "accuracy")
};

// values[r][c] is the cell in row r and column c: one row per row label,
// each with one value per column label.
std::string heatmap_svg(const std::vector<std::string>& row_labels,
                        const std::vector<std::string>& column_labels,
                        const std::vector<std::vector<double>>& values,
                        const HeatmapOptions& options);

}  // namespace ember::train
