// plot.cpp — the SVG line chart: scales, ticks, axes, lines, legend.
#include "plot.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>

#include "../tensor/atomic_file.hpp"
#include "../tensor/error.hpp"

namespace ember::train {

namespace {

std::string escape_xml(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// Pixel coordinates with two decimals: enough for any screen, short files.
std::string px(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

// A tick label with as many decimals as the step needs ("0.25", "1.5", "20").
std::string tick_label(double v, double step) {
  const int decimals = std::max(0, static_cast<int>(-std::floor(std::log10(step) + 1e-9)));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  std::string s = buf;
  if (s.find_first_not_of("-0.") == std::string::npos) s = "0";  // no "-0.00"
  return s;
}

std::string value_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

double nice_step(double range, int target) {
  const double raw = range / std::max(1, target);
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  const double r = raw / magnitude;
  // Round to the nearest of 1, 2, 5, 10 (cut at their geometric means), so
  // the tick count stays near the target in both directions.
  const double m = r < 1.5 ? 1.0 : r < 3.0 ? 2.0 : r < 7.0 ? 5.0 : 10.0;
  return m * magnitude;
}

}  // namespace

std::vector<double> nice_ticks(double lo, double hi, int target) {
  EMBER_CHECK(std::isfinite(lo) && std::isfinite(hi) && lo <= hi, ValueError,
              "nice_ticks: need finite lo <= hi, got ", lo, " and ", hi);
  if (hi - lo < 1e-12 * std::max(1.0, std::fabs(lo))) {  // a flat line: open it up
    const double pad = lo == 0.0 ? 1.0 : std::fabs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  const double step = nice_step(hi - lo, target);
  const double first = std::floor(lo / step + 1e-9) * step;
  const double last = std::ceil(hi / step - 1e-9) * step;
  std::vector<double> ticks;
  for (int k = 0; first + k * step <= last + step * 1e-6; ++k) {
    const double v = first + k * step;
    ticks.push_back(std::fabs(v) < step * 1e-9 ? 0.0 : v);
  }
  return ticks;
}

std::string line_chart_svg(const std::vector<Series>& series, const ChartOptions& o) {
  // Plot area inside margins for the title, tick labels and axis labels.
  const double left = 64, right = 16, top = 36, bottom = 48;
  const double w = o.width, h = o.height;
  const double plot_w = w - left - right, plot_h = h - top - bottom;
  EMBER_CHECK(plot_w > 50 && plot_h > 50, ValueError, "line_chart_svg: ", o.width, "x",
              o.height, " is too small for a chart");

  // Data ranges: epochs 1..n on x, the finite values on y.
  size_t n = 1;
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (const Series& s : series) {
    n = std::max(n, s.values.size());
    for (double v : s.values)
      if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  }
  if (!(lo <= hi)) lo = 0.0, hi = 1.0;  // nothing finite to draw
  const std::vector<double> yt = nice_ticks(lo, hi, 6);
  const double y0 = yt.front(), y1 = yt.back();
  // x: epochs 1..n; one epoch still gets a span so its point sits mid-chart.
  const double x0 = n > 1 ? 1.0 : 0.0, x1 = n > 1 ? static_cast<double>(n) : 2.0;
  const double x_step = std::max(1.0, nice_step(x1 - x0, 10));
  auto sx = [&](double x) { return left + (x - x0) / (x1 - x0) * plot_w; };
  auto sy = [&](double y) { return top + (y1 - y) / (y1 - y0) * plot_h; };

  std::string svg;
  svg += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  svg += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(o.width) +
         "\" height=\"" + std::to_string(o.height) + "\" viewBox=\"0 0 " +
         std::to_string(o.width) + " " + std::to_string(o.height) +
         "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  svg += "<rect x=\"0\" y=\"0\" width=\"" + px(w) + "\" height=\"" + px(h) +
         "\" fill=\"white\"/>\n";
  svg += "<text x=\"" + px(w / 2) + "\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">" +
         escape_xml(o.title) + "</text>\n";

  // Grid and tick labels.
  svg += "<g class=\"y-ticks\" stroke=\"#e0e0e0\">\n";
  for (double t : yt) {
    const double y = sy(t);
    svg += "<line x1=\"" + px(left) + "\" y1=\"" + px(y) + "\" x2=\"" + px(left + plot_w) +
           "\" y2=\"" + px(y) + "\"/>\n";
    svg += "<text x=\"" + px(left - 6) + "\" y=\"" + px(y + 4) +
           "\" text-anchor=\"end\" stroke=\"none\" fill=\"#333\">" +
           tick_label(t, yt.size() > 1 ? yt[1] - yt[0] : 1.0) + "</text>\n";
  }
  svg += "</g>\n<g class=\"x-ticks\" stroke=\"#e0e0e0\">\n";
  for (double t = x_step > 1.0 ? x_step : 1.0; t <= static_cast<double>(n) + 1e-9; t += x_step) {
    const double x = sx(t);
    svg += "<line x1=\"" + px(x) + "\" y1=\"" + px(top) + "\" x2=\"" + px(x) + "\" y2=\"" +
           px(top + plot_h) + "\"/>\n";
    svg += "<text x=\"" + px(x) + "\" y=\"" + px(top + plot_h + 16) +
           "\" text-anchor=\"middle\" stroke=\"none\" fill=\"#333\">" + tick_label(t, 1.0) +
           "</text>\n";
  }
  svg += "</g>\n";

  // Axes and their labels.
  svg += "<g class=\"axes\" stroke=\"#333\">\n";
  svg += "<line x1=\"" + px(left) + "\" y1=\"" + px(top + plot_h) + "\" x2=\"" +
         px(left + plot_w) + "\" y2=\"" + px(top + plot_h) + "\"/>\n";
  svg += "<line x1=\"" + px(left) + "\" y1=\"" + px(top) + "\" x2=\"" + px(left) + "\" y2=\"" +
         px(top + plot_h) + "\"/>\n";
  svg += "</g>\n";
  svg += "<text x=\"" + px(left + plot_w / 2) + "\" y=\"" + px(h - 10) +
         "\" text-anchor=\"middle\">" + escape_xml(o.x_label) + "</text>\n";
  svg += "<text x=\"16\" y=\"" + px(top + plot_h / 2) +
         "\" text-anchor=\"middle\" transform=\"rotate(-90 16 " + px(top + plot_h / 2) + ")\">" +
         escape_xml(o.y_label) + "</text>\n";

  // The series: a path broken at non-finite values, and a dot per epoch.
  for (const Series& s : series) {
    std::string d, dots, values;
    bool pen_down = false;
    for (size_t i = 0; i < s.values.size(); ++i) {
      const double v = s.values[i];
      values += (i ? ", " : "") + value_text(v);
      if (!std::isfinite(v)) {
        pen_down = false;
        continue;
      }
      const std::string x = px(sx(static_cast<double>(i + 1))), y = px(sy(v));
      d += (pen_down ? " L" : (d.empty() ? "M" : " M")) + x + " " + y;
      pen_down = true;
      dots += "<circle cx=\"" + x + "\" cy=\"" + y + "\" r=\"2.5\"/>";
    }
    svg += "<g class=\"series\" data-label=\"" + escape_xml(s.label) + "\" fill=\"" + s.color +
           "\">\n<title>" + escape_xml(s.label) + ": " + values + "</title>\n";
    if (!d.empty())
      svg += "<path d=\"" + d + "\" fill=\"none\" stroke=\"" + s.color +
             "\" stroke-width=\"2\"/>\n";
    svg += dots + "\n</g>\n";
  }

  // Legend, inside the plot on the right.
  if (!series.empty()) {
    size_t longest = 0;
    for (const Series& s : series) longest = std::max(longest, s.label.size());
    const double box_w = 40 + 7.0 * static_cast<double>(longest), box_h = 8 + 18.0 * series.size();
    // Right-hand corner away from where the lines end: a loss ends low, so
    // the legend goes top right; an accuracy ends high, so bottom right.
    double end_sum = 0.0;
    int ends = 0;
    for (const Series& s : series)
      for (auto v = s.values.rbegin(); v != s.values.rend(); ++v)
        if (std::isfinite(*v)) {
          end_sum += sy(*v);
          ++ends;
          break;
        }
    const bool lines_end_high = ends > 0 && end_sum / ends < top + plot_h / 2;
    const double bx = left + plot_w - box_w - 8;
    const double by = lines_end_high ? top + plot_h - box_h - 8 : top + 8;
    svg += "<g class=\"legend\">\n<rect x=\"" + px(bx) + "\" y=\"" + px(by) + "\" width=\"" +
           px(box_w) + "\" height=\"" + px(box_h) +
           "\" fill=\"white\" fill-opacity=\"0.85\" stroke=\"#bbb\"/>\n";
    for (size_t i = 0; i < series.size(); ++i) {
      const double y = by + 14 + 18.0 * static_cast<double>(i);
      svg += "<line x1=\"" + px(bx + 8) + "\" y1=\"" + px(y - 4) + "\" x2=\"" + px(bx + 28) +
             "\" y2=\"" + px(y - 4) + "\" stroke=\"" + series[i].color +
             "\" stroke-width=\"2\"/>\n";
      svg += "<text x=\"" + px(bx + 34) + "\" y=\"" + px(y) + "\">" +
             escape_xml(series[i].label) + "</text>\n";
    }
    svg += "</g>\n";
  }
  svg += "</svg>\n";
  return svg;
}

std::string history_chart_svg(const History& history, const std::string& metric) {
  std::vector<Series> series = {{"training", history[metric], "#1f77b4"}};
  const std::vector<double>& val = history["val_" + metric];
  if (!val.empty()) series.push_back({"validation", val, "#ff7f0e"});
  return line_chart_svg(series, {.title = metric + " per epoch", .y_label = metric});
}

std::vector<std::string> write_history_charts(const History& history,
                                              const std::string& folder) {
  std::vector<std::string> paths;
  for (const char* metric : {"loss", "accuracy"}) {
    const std::string path = (std::filesystem::path(folder) / (std::string(metric) + ".svg")).string();
    write_file_atomically(path, history_chart_svg(history, metric));
    paths.push_back(path);
  }
  return paths;
}

}  // namespace ember::train
