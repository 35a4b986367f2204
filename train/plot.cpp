// plot.cpp — the SVG line chart: ranges, ticks, lines cut at the limits, legend.
#include "plot.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>

#include "../tensor/atomic_file.hpp"
#include "../tensor/error.hpp"
#include "chart_svg.hpp"

namespace ember::train {

using chart_svg::px;

std::vector<double> nice_ticks(double lo, double hi, int target) {
  EMBER_CHECK(std::isfinite(lo) && std::isfinite(hi) && lo <= hi, ValueError,
              "nice_ticks: need finite lo <= hi, got ", lo, " and ", hi);
  if (hi - lo < 1e-12 * std::max(1.0, std::fabs(lo))) {  // a flat line: open it up
    const double pad = lo == 0.0 ? 1.0 : std::fabs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  const double step = chart_svg::nice_step(hi - lo, target);
  const double first = std::floor(lo / step + 1e-9) * step;
  const double last = std::ceil(hi / step - 1e-9) * step;
  std::vector<double> ticks;
  for (int k = 0; first + k * step <= last + step * 1e-6; ++k) {
    const double v = first + k * step;
    ticks.push_back(std::fabs(v) < step * 1e-9 ? 0.0 : v);
  }
  return ticks;
}

namespace {

// The part of the segment (ax, ay)-(bx, by) inside the box [x0, x1] x [y0, y1]
// (Liang-Barsky): false when none of it is; else the segment is shortened in place.
bool clip_segment(double& ax, double& ay, double& bx, double& by, double x0, double x1,
                  double y0, double y1) {
  double t0 = 0.0, t1 = 1.0;
  const double dx = bx - ax, dy = by - ay;
  const double p[4] = {-dx, dx, -dy, dy};
  const double q[4] = {ax - x0, x1 - ax, ay - y0, y1 - ay};
  for (int i = 0; i < 4; ++i) {
    if (p[i] == 0.0) {
      if (q[i] < 0.0) return false;  // parallel to this edge and outside it
      continue;
    }
    const double t = q[i] / p[i];
    if (p[i] < 0.0) t0 = std::max(t0, t);
    else t1 = std::min(t1, t);
  }
  if (t0 > t1) return false;
  const double sx = ax, sy = ay;
  ax = sx + t0 * dx, ay = sy + t0 * dy;
  bx = sx + t1 * dx, by = sy + t1 * dy;
  return true;
}

}  // namespace

std::string line_chart_svg(const std::vector<Series>& series, const ChartOptions& o) {
  // Plot area inside margins for the title, tick labels and axis labels.
  chart_svg::ChartFrame f(o.width, o.height, "line_chart_svg");
  const bool has_x = std::any_of(series.begin(), series.end(),
                                 [](const Series& s) { return !s.x.empty(); });
  for (const Series& s : series)
    EMBER_CHECK(s.x.empty() || s.x.size() == s.values.size(), ValueError, "line_chart_svg: series '",
                s.label, "' has ", s.x.size(), " x values for ", s.values.size(), " values");
  auto x_of = [](const Series& s, size_t i) {
    return s.x.empty() ? static_cast<double>(i + 1) : s.x[i];
  };

  // Data ranges: x (epochs 1..n, or the x values) and the finite y values.
  size_t n = 1;
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  double x_lo = lo, x_hi = hi;
  for (const Series& s : series) {
    n = std::max(n, s.values.size());
    for (size_t i = 0; i < s.values.size(); ++i)
      if (std::isfinite(s.values[i]) && std::isfinite(x_of(s, i))) {
        lo = std::min(lo, s.values[i]), hi = std::max(hi, s.values[i]);
        x_lo = std::min(x_lo, x_of(s, i)), x_hi = std::max(x_hi, x_of(s, i));
      }
  }
  const chart_svg::NumericAxis y = chart_svg::numeric_axis(lo, hi, o.y_min, o.y_max, 6, "line_chart_svg", "y");
  f.set_y(y.lo, y.hi);

  std::vector<double> xt;
  std::vector<std::string> x_labels;
  if (has_x) {
    const chart_svg::NumericAxis x = chart_svg::numeric_axis(x_lo, x_hi, o.x_min, o.x_max, 8, "line_chart_svg", "x");
    f.set_x(x.lo, x.hi);
    xt = x.ticks;
    x_labels = chart_svg::tick_labels(xt);
  } else {
    // x: epochs 1..n; one epoch still gets a span so its point sits mid-chart.
    double x0 = n > 1 ? 1.0 : 0.0, x1 = n > 1 ? static_cast<double>(n) : 2.0;
    if (o.x_min) x0 = *o.x_min;
    if (o.x_max) x1 = *o.x_max;
    EMBER_CHECK(x0 < x1, ValueError, "line_chart_svg: the x limits must have min < max, got ",
                x0, " and ", x1);
    f.set_x(x0, x1);
    const double x_step = std::max(1.0, chart_svg::nice_step(x1 - x0, 10));
    // Integer epochs: multiples of the step (1, 2, 3... when it is 1).
    const bool limited = o.x_min || o.x_max;
    const double first = limited ? std::max(1.0, std::ceil(x0 / x_step - 1e-9) * x_step)
                                 : (x_step > 1.0 ? x_step : 1.0);
    const double last = limited ? x1 : static_cast<double>(n);
    for (double t = first; t <= last + 1e-9; t += x_step) {
      xt.push_back(t);
      x_labels.push_back(chart_svg::tick_label(t, 1.0));
    }
  }

  std::string svg = f.open(o.title);
  svg += f.y_grid(y.ticks, chart_svg::tick_labels(y.ticks));
  svg += f.x_grid(xt, x_labels);
  svg += f.axes(o.x_label, o.y_label);

  // The series: a path broken at non-finite values (and cut at the limits),
  // and a dot per point inside the plot.
  const bool limited = o.x_min || o.x_max || o.y_min || o.y_max;
  const double eps = 1e-9;
  auto inside = [&](double x, double v) {
    return x >= f.x0() - eps * (f.x1() - f.x0()) && x <= f.x1() + eps * (f.x1() - f.x0()) &&
           v >= f.y0() - eps * (f.y1() - f.y0()) && v <= f.y1() + eps * (f.y1() - f.y0());
  };
  for (const Series& s : series) {
    std::string d, dots, values;
    bool pen_down = false;     // the previous point was finite: draw a segment from it
    bool pen_at_prev = false;  // the path's pen sits on the previous point (limited charts)
    double prev_x = 0.0, prev_v = 0.0;
    auto move_to = [&](double x, double v) {
      d += (d.empty() ? "M" : " M") + px(f.sx(x)) + " " + px(f.sy(v));
    };
    for (size_t i = 0; i < s.values.size(); ++i) {
      const double v = s.values[i], xv = x_of(s, i);
      if (i) values += ", ";
      if (s.x.empty()) {
        values += chart_svg::value_text(v);
      } else {  // (x, y)
        values += '(';
        values += chart_svg::value_text(xv);
        values += ", ";
        values += chart_svg::value_text(v);
        values += ')';
      }
      if (!std::isfinite(v) || !std::isfinite(xv)) {
        pen_down = pen_at_prev = false;
        continue;
      }
      if (!limited) {  // every point is inside: one path through them all
        const std::string x = px(f.sx(xv)), yy = px(f.sy(v));
        d += (pen_down ? " L" : (d.empty() ? "M" : " M")) + x + " " + yy;
        pen_down = true;
        if (o.markers) dots += "<circle cx=\"" + x + "\" cy=\"" + yy + "\" r=\"2.5\"/>";
        continue;
      }
      if (pen_down) {  // the segment from the previous point, cut to the plot
        double ax = prev_x, ay = prev_v, bx = xv, by = v;
        if (clip_segment(ax, ay, bx, by, f.x0(), f.x1(), f.y0(), f.y1())) {
          if (!(pen_at_prev && ax == prev_x && ay == prev_v)) move_to(ax, ay);
          d += " L" + px(f.sx(bx)) + " " + px(f.sy(by));
          pen_at_prev = bx == xv && by == v;
        } else {
          pen_at_prev = false;
        }
      } else {
        pen_at_prev = inside(xv, v);
        if (pen_at_prev) move_to(xv, v);
      }
      pen_down = true;
      prev_x = xv, prev_v = v;
      if (o.markers && inside(xv, v))
        dots += "<circle cx=\"" + px(f.sx(xv)) + "\" cy=\"" + px(f.sy(v)) + "\" r=\"2.5\"/>";
    }
    svg += "<g class=\"series\" data-label=\"" + chart_svg::escape(s.label) + "\" fill=\"" +
           s.color + "\">\n<title>" + chart_svg::escape(s.label) + ": " + values + "</title>\n";
    if (!d.empty())
      svg += "<path d=\"" + d + "\" fill=\"none\" stroke=\"" + s.color +
             "\" stroke-width=\"2\"/>\n";
    svg += dots + "\n</g>\n";
  }

  // Legend, inside the plot on the right.
  if (!series.empty()) {
    std::vector<chart_svg::LegendEntry> entries;
    for (const Series& s : series) entries.push_back({s.label, s.color});
    // Right-hand corner away from where the lines end: a loss ends low, so
    // the legend goes top right; an accuracy ends high, so bottom right.
    double end_sum = 0.0;
    int ends = 0;
    for (const Series& s : series)
      for (size_t i = s.values.size(); i-- > 0;)
        if (std::isfinite(s.values[i]) && std::isfinite(x_of(s, i))) {
          end_sum += f.sy(s.values[i]);
          ++ends;
          break;
        }
    const bool lines_end_high = ends > 0 && end_sum / ends < f.top + f.plot_h / 2;
    const double box_w = chart_svg::legend_width(entries);
    const double box_h = chart_svg::legend_height(entries);
    const double bx = f.left + f.plot_w - box_w - 8;
    const double by = lines_end_high ? f.top + f.plot_h - box_h - 8 : f.top + 8;
    svg += chart_svg::legend(bx, by, entries, chart_svg::Swatch::Line);
  }
  return svg + chart_svg::close();
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
