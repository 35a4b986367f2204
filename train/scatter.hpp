// scatter.hpp — scatter plots coloured by label, as SVG: the 2-D points of a
// PCA or t-SNE of thousands of images, one colour per class and a legend.
//
//   Tensor xy = ...;                                   // [N, 2]
//   std::string svg = train::scatter_chart_svg(xy, labels,
//       {.title = "PCA of the test images", .class_names = dataset.classes()});
//
// Each class is one <path> of round dots (a zero-length stroke per point),
// about 14 bytes a point: 10,000 points make a 150 kB file that browsers
// draw at once. Classes are drawn in label order, so with heavy overlap the
// higher labels lie on top. Points with a non-finite coordinate are skipped.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "../autograd/tensor.hpp"

namespace ember::train {

struct ScatterOptions {
  std::string title = {};
  std::string x_label = {};
  std::string y_label = {};
  int width = 640;
  int height = 480;
  std::vector<std::string> class_names = {};  // legend text of label k; default "k"
  double point_size = 4.0;                    // dot diameter in pixels
  double opacity = 0.7;                       // < 1 shows where points pile up
};

// x[i], y[i] is point i; labels[i] its class (0..K-1; empty: all one class,
// no legend). The legend lists the classes present, beside the plot.
std::string scatter_chart_svg(const std::vector<double>& x, const std::vector<double>& y,
                              const std::vector<int64_t>& labels, const ScatterOptions& options);
// points [N, 2]: column 0 is x, column 1 is y.
std::string scatter_chart_svg(const Tensor& points, const std::vector<int64_t>& labels,
                              const ScatterOptions& options);

}  // namespace ember::train
