// scatter.cpp — see scatter.hpp.
#include "scatter.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>

#include "../tensor/error.hpp"
#include "chart_svg.hpp"
#include "palette.hpp"
#include "plot.hpp"

namespace ember::train {
namespace {

// One decimal: a tenth of a pixel is finer than any screen shows, and short.
std::string px1(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

}  // namespace

std::string scatter_chart_svg(const std::vector<double>& x, const std::vector<double>& y,
                              const std::vector<int64_t>& labels, const ScatterOptions& o) {
  EMBER_CHECK(x.size() == y.size() && (labels.empty() || labels.size() == x.size()), ValueError,
              "scatter_chart_svg: ", x.size(), " x values, ", y.size(), " y values and ",
              labels.size(), " labels; expected as many of each (or no labels)");
  EMBER_CHECK(o.point_size > 0.0 && o.opacity > 0.0 && o.opacity <= 1.0, ValueError,
              "scatter_chart_svg: need point_size > 0 and opacity in (0, 1], got ", o.point_size,
              " and ", o.opacity);
  // The points of each class, in label order.
  std::map<int64_t, std::vector<size_t>> by_class;
  double x_lo = std::numeric_limits<double>::infinity(), x_hi = -x_lo, y_lo = x_lo, y_hi = -x_lo;
  for (size_t i = 0; i < x.size(); ++i) {
    const int64_t label = labels.empty() ? 0 : labels[i];
    EMBER_CHECK(label >= 0, ValueError, "scatter_chart_svg: label ", label, " at ", i,
                " is not a class index");
    if (!std::isfinite(x[i]) || !std::isfinite(y[i])) continue;
    by_class[label].push_back(i);
    x_lo = std::min(x_lo, x[i]), x_hi = std::max(x_hi, x[i]);
    y_lo = std::min(y_lo, y[i]), y_hi = std::max(y_hi, y[i]);
  }
  if (!(x_lo <= x_hi)) x_lo = y_lo = 0.0, x_hi = y_hi = 1.0;  // nothing to draw

  std::vector<chart_svg::LegendEntry> legend;
  auto name_of = [&](int64_t k) {
    return static_cast<size_t>(k) < o.class_names.size() ? o.class_names[static_cast<size_t>(k)]
                                                         : std::to_string(k);
  };
  if (!labels.empty())
    for (const auto& [k, members] : by_class)
      legend.push_back({name_of(k), category_color(static_cast<size_t>(k))});

  // The legend sits right of the plot: a cloud of points fills all of it.
  const double legend_space = legend.empty() ? 0.0 : chart_svg::legend_width(legend) + 12.0;
  chart_svg::ChartFrame f(o.width, o.height, "scatter_chart_svg", 64, 16 + legend_space);
  const std::vector<double> xt = nice_ticks(x_lo, x_hi, 8), yt = nice_ticks(y_lo, y_hi, 6);
  f.set_x(xt.front(), xt.back());
  f.set_y(yt.front(), yt.back());

  std::string svg = f.open(o.title);
  svg += f.y_grid(yt, chart_svg::tick_labels(yt));
  svg += f.x_grid(xt, chart_svg::tick_labels(xt));
  svg += f.axes(o.x_label, o.y_label);

  char style[160];
  std::snprintf(style, sizeof style,
                "fill=\"none\" stroke-width=\"%.1f\" stroke-linecap=\"round\" "
                "stroke-opacity=\"%.2f\"",
                o.point_size, o.opacity);
  for (const auto& [k, members] : by_class) {
    const std::string name = labels.empty() ? std::string("points") : name_of(k);
    std::string d;
    d.reserve(members.size() * 14);
    for (size_t i : members) {  // "M12.3 45.6h0": a dot where the round cap is drawn
      d += 'M';
      d += px1(f.sx(x[i]));
      d += ' ';
      d += px1(f.sy(y[i]));
      d += "h0";
    }
    svg += "<path class=\"points\" data-label=\"" + chart_svg::escape(name) + "\" d=\"" + d +
           "\" stroke=\"" + (labels.empty() ? std::string("#1f77b4") : category_color(static_cast<size_t>(k))) +
           "\" " + style + "><title>" + chart_svg::escape(name) + ": " +
           std::to_string(members.size()) + " points</title></path>\n";
  }
  if (!legend.empty())
    svg += chart_svg::legend(f.left + f.plot_w + 12, f.top, legend, chart_svg::Swatch::Dot);
  return svg + chart_svg::close();
}

std::string scatter_chart_svg(const Tensor& points, const std::vector<int64_t>& labels,
                              const ScatterOptions& options) {
  EMBER_CHECK(points.defined() && points.dim() == 2 && points.size(1) == 2, ShapeError,
              "scatter_chart_svg: expected points [N, 2], got ",
              points.defined() ? points.shape() : Shape{});
  const std::vector<float> v = points.to_vector();
  std::vector<double> x, y;
  for (size_t i = 0; i + 1 < v.size(); i += 2) x.push_back(v[i]), y.push_back(v[i + 1]);
  return scatter_chart_svg(x, y, labels, options);
}

}  // namespace ember::train
