// chart_svg.hpp — the SVG pieces every chart of train/ draws the same way:
// number and text formatting, the frame (plot area, scales, title, grid,
// ticks, axes, axis labels) and the legend. Internal to train/: plot.cpp,
// scatter.cpp, bar_chart.cpp and heatmap.cpp build on it; users call those.
//
// A chart is a string built top to bottom in drawing order (later elements
// paint over earlier ones):
//
//   ChartFrame f(width, height, "bar_chart_svg");   // margins, checks the size
//   f.set_x(0, 10); f.set_y(ticks.front(), ticks.back());
//   std::string svg = f.open(title) + f.y_grid(ticks, labels) + f.axes(xl, yl);
//   ... the marks, using f.sx(x), f.sy(y) ...
//   svg += chart_svg::close();
//
// No element carries an id: several charts inline in one HTML page (the
// report) would otherwise share them.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace ember::train::chart_svg {

// Text inside SVG/XML: & < > " become entities.
std::string escape(const std::string& s);
// Pixel coordinates with two decimals: enough for any screen, short files.
std::string px(double v);
// A tick label with as many decimals as the step needs ("0.25", "1.5", "20").
std::string tick_label(double v, double step);
// A value as the hover titles show it: 4 significant digits ("0.4435", "nan").
std::string value_text(double v);
// A step of 1, 2 or 5 times a power of ten giving about `target` steps over `range`.
double nice_step(double range, int target);
// Labels for ticks that share one step (tick_label of each).
std::vector<std::string> tick_labels(const std::vector<double>& ticks);
// Estimated width in pixels of `text` at `font_size` in a sans-serif font:
// enough to size margins and legends without measuring glyphs.
double text_width(const std::string& text, double font_size = 12.0);
// "#rrggbb" from components in [0, 1].
std::string hex_color(float r, float g, float b);

// One numeric axis: the data's range [lo, hi], or the given limits, covered by
// nice ticks (plot.hpp: nice_ticks). Without limits the axis runs from the
// first tick to the last; a limit pins that end and drops the ticks beyond
// it. `lo > hi` (no data) reads as [0, 1]. Bad limits are a ValueError
// naming `who` and `which` axis.
struct NumericAxis {
  double lo, hi;
  std::vector<double> ticks;
};
NumericAxis numeric_axis(double lo, double hi, std::optional<double> min,
                         std::optional<double> max, int target, const char* who,
                         const char* which);

struct LegendEntry {
  std::string label;
  std::string color;
};
enum class Swatch { Line, Dot, Box };

// The size a legend of these entries takes (box included).
double legend_width(const std::vector<LegendEntry>& entries);
double legend_height(const std::vector<LegendEntry>& entries);
// A legend box with its top-left corner at (x, y): a swatch and a label per entry.
std::string legend(double x, double y, const std::vector<LegendEntry>& entries, Swatch swatch);

// The chart's rectangle: margins around a plot area, and linear scales from
// data coordinates [x0, x1] x [y0, y1] onto it (y grows upward in data,
// downward in SVG).
class ChartFrame {
 public:
  // Margins default to the line chart's: room for the title, tick labels and
  // axis labels. Throws ValueError (naming `who`) when the plot area left is
  // under 50 x 50 pixels.
  ChartFrame(int width, int height, const char* who, double left = 64, double right = 16,
             double top = 36, double bottom = 48);

  void set_x(double x0, double x1) { x0_ = x0, x1_ = x1; }
  void set_y(double y0, double y1) { y0_ = y0, y1_ = y1; }
  double sx(double x) const { return left + (x - x0_) / (x1_ - x0_) * plot_w; }
  double sy(double y) const { return top + (y1_ - y) / (y1_ - y0_) * plot_h; }
  double x0() const { return x0_; }
  double x1() const { return x1_; }
  double y0() const { return y0_; }
  double y1() const { return y1_; }

  // The XML declaration, <svg>, a white background and the title.
  std::string open(const std::string& title) const;
  // Horizontal grid lines at the y ticks, labels left of the plot.
  std::string y_grid(const std::vector<double>& ticks, const std::vector<std::string>& labels) const;
  // Vertical grid lines at the x ticks, labels under the plot.
  std::string x_grid(const std::vector<double>& ticks, const std::vector<std::string>& labels) const;
  // The two axis lines, then axis_labels.
  std::string axes(const std::string& x_label, const std::string& y_label) const;
  // The x label under the plot and the y label turned up along the left edge.
  std::string axis_labels(const std::string& x_label, const std::string& y_label) const;

  const int width, height;
  const double left, right, top, bottom;
  const double plot_w, plot_h;

 private:
  double x0_ = 0.0, x1_ = 1.0, y0_ = 0.0, y1_ = 1.0;
};

// The end of the document.
inline std::string close() { return "</svg>\n"; }

}  // namespace ember::train::chart_svg
