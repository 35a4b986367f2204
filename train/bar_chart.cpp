// bar_chart.cpp — see bar_chart.hpp.
#include "bar_chart.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "../tensor/error.hpp"
#include "chart_svg.hpp"
#include "palette.hpp"

namespace ember::train {

using chart_svg::px;

namespace {

std::string bar_value(double v, int decimals) {
  if (decimals < 0) return chart_svg::value_text(v);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

}  // namespace

std::string bar_chart_svg(const std::vector<std::string>& categories,
                          const std::vector<BarSeries>& series, const BarChartOptions& o) {
  EMBER_CHECK(!categories.empty() && !series.empty(), ValueError,
              "bar_chart_svg: need at least one category and one series");
  double lo = 0.0, hi = 0.0;  // the bars start at 0, so the axis holds it
  for (const BarSeries& s : series) {
    EMBER_CHECK(s.values.size() == categories.size(), ValueError, "bar_chart_svg: series '",
                s.label, "' has ", s.values.size(), " values for ", categories.size(),
                " categories");
    for (double v : s.values)
      if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  }
  auto color_of = [&](size_t k) {
    return series[k].color.empty() ? category_color(k) : series[k].color;
  };
  std::vector<chart_svg::LegendEntry> legend;
  if (series.size() > 1)
    for (size_t k = 0; k < series.size(); ++k) legend.push_back({series[k].label, color_of(k)});

  // Category names: level under their slot if they fit, else turned 35
  // degrees (their length then sets the bottom margin).
  const double legend_space = legend.empty() ? 0.0 : chart_svg::legend_width(legend) + 12.0;
  const double plot_w_guess = o.width - 64 - 16 - legend_space;
  const double slot_guess = plot_w_guess / static_cast<double>(categories.size());
  double longest = 0.0;
  for (const std::string& c : categories) longest = std::max(longest, chart_svg::text_width(c));
  const bool turned = longest > slot_guess - 4;
  const double sin35 = 0.5736, cos35 = 0.8192;
  const double label_depth = turned ? 12 + longest * sin35 + 12 * cos35 : 18;
  const double bottom = label_depth + (o.x_label.empty() ? 8 : 26);

  chart_svg::ChartFrame f(o.width, o.height, "bar_chart_svg", 64, 16 + legend_space, 36, bottom);
  // Headroom above the tallest bar (and below the lowest) for its value label.
  const double room = o.value_labels ? 0.08 * (hi - lo) : 0.0;
  const chart_svg::NumericAxis y = chart_svg::numeric_axis(
      lo < 0.0 ? lo - room : lo, hi > 0.0 ? hi + room : hi, o.y_min, o.y_max, 6, "bar_chart_svg", "y");
  f.set_y(y.lo, y.hi);
  f.set_x(0.0, static_cast<double>(categories.size()));  // category c spans [c, c + 1]

  std::string svg = f.open(o.title);
  svg += f.y_grid(y.ticks, chart_svg::tick_labels(y.ticks));
  svg += f.axes(o.x_label, o.y_label);

  // Category names.
  svg += "<g class=\"categories\" fill=\"#333\">\n";
  for (size_t c = 0; c < categories.size(); ++c) {
    const double x = f.sx(static_cast<double>(c) + 0.5), yy = f.top + f.plot_h + 16;
    if (turned)
      svg += "<text x=\"" + px(x) + "\" y=\"" + px(yy - 4) +
             "\" text-anchor=\"end\" transform=\"rotate(-35 " + px(x) + " " + px(yy - 4) +
             ")\">" + chart_svg::escape(categories[c]) + "</text>\n";
    else
      svg += "<text x=\"" + px(x) + "\" y=\"" + px(yy) + "\" text-anchor=\"middle\">" +
             chart_svg::escape(categories[c]) + "</text>\n";
  }
  svg += "</g>\n";

  // The bars: 80% of each category's slot, split between the series. They
  // start at 0 (or at the axis' end nearest to it) and stop at the axis.
  const double slot = f.plot_w / static_cast<double>(categories.size());
  const double bar_w = slot * 0.8 / static_cast<double>(series.size());
  const double base = std::clamp(0.0, y.lo, y.hi);
  for (size_t k = 0; k < series.size(); ++k) {
    svg += "<g class=\"bars\" data-label=\"" + chart_svg::escape(series[k].label) +
           "\" fill=\"" + color_of(k) + "\">\n";
    std::string values;
    for (size_t c = 0; c < categories.size(); ++c) {
      const double v = series[k].values[c];
      if (!std::isfinite(v)) continue;
      const double top_v = std::clamp(std::max(v, base), y.lo, y.hi);
      const double bottom_v = std::clamp(std::min(v, base), y.lo, y.hi);
      const double x = f.left + slot * (static_cast<double>(c) + 0.1) + bar_w * static_cast<double>(k);
      const std::string text = bar_value(v, o.decimals);
      svg += "<rect x=\"" + px(x) + "\" y=\"" + px(f.sy(top_v)) + "\" width=\"" + px(bar_w) +
             "\" height=\"" + px(f.sy(bottom_v) - f.sy(top_v)) + "\"><title>" +
             chart_svg::escape(categories[c]) +
             (series.size() > 1 ? ", " + chart_svg::escape(series[k].label) : std::string()) +
             ": " + text + "</title></rect>\n";
      // The value just outside the bar's end, if it fits the bar's width.
      if (o.value_labels && chart_svg::text_width(text, 10) + 2 <= bar_w) {
        const bool up = v >= base;
        const double ty = up ? f.sy(top_v) - 3 : f.sy(bottom_v) + 11;
        values += "<text x=\"" + px(x + bar_w / 2) + "\" y=\"" + px(ty) + "\">" + text +
                  "</text>\n";
      }
    }
    svg += "</g>\n";
    if (!values.empty())
      svg += "<g class=\"values\" font-size=\"10\" text-anchor=\"middle\" fill=\"#333\">\n" +
             values + "</g>\n";
  }
  // Below-zero bars hang from a line at 0.
  if (y.lo < 0.0 && y.hi > 0.0)
    svg += "<line x1=\"" + px(f.left) + "\" y1=\"" + px(f.sy(0.0)) + "\" x2=\"" +
           px(f.left + f.plot_w) + "\" y2=\"" + px(f.sy(0.0)) + "\" stroke=\"#333\"/>\n";
  if (!legend.empty())
    svg += chart_svg::legend(f.left + f.plot_w + 12, f.top, legend, chart_svg::Swatch::Box);
  return svg + chart_svg::close();
}

}  // namespace ember::train
