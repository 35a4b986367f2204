// chart_svg.cpp — the frame, legend and formatting every chart shares (see chart_svg.hpp).
#include "chart_svg.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "../tensor/error.hpp"
#include "plot.hpp"  // nice_ticks

namespace ember::train::chart_svg {

std::string escape(const std::string& s) {
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

std::string px(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

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

std::vector<std::string> tick_labels(const std::vector<double>& ticks) {
  const double step = ticks.size() > 1 ? ticks[1] - ticks[0] : 1.0;
  std::vector<std::string> labels;
  for (double t : ticks) labels.push_back(tick_label(t, step));
  return labels;
}

double text_width(const std::string& text, double font_size) {
  // Average advance of sans-serif glyphs is about 0.58 em; count UTF-8 code
  // points, not bytes ("±" is two bytes, one glyph).
  size_t glyphs = 0;
  for (unsigned char c : text)
    if ((c & 0xC0) != 0x80) ++glyphs;
  return 0.58 * font_size * static_cast<double>(glyphs);
}

std::string hex_color(float r, float g, float b) {
  auto byte = [](float v) { return static_cast<int>(std::lround(std::clamp(v, 0.0f, 1.0f) * 255.0f)); };
  char buf[8];
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", byte(r), byte(g), byte(b));
  return buf;
}

NumericAxis numeric_axis(double lo, double hi, std::optional<double> min,
                         std::optional<double> max, int target, const char* who,
                         const char* which) {
  if (!(lo <= hi)) lo = 0.0, hi = 1.0;  // nothing finite to draw
  if (min) lo = *min;
  if (max) hi = *max;
  if (min && !max) hi = std::max(hi, lo);
  if (max && !min) lo = std::min(lo, hi);
  EMBER_CHECK(std::isfinite(lo) && std::isfinite(hi) && (!(min && max) || lo < hi), ValueError,
              who, ": the ", which, " limits must be finite with min < max, got ", lo, " and ",
              hi);
  NumericAxis axis{lo, hi, nice_ticks(lo, hi, target)};
  if (!min) axis.lo = axis.ticks.front();
  if (!max) axis.hi = axis.ticks.back();
  const double eps = (axis.hi - axis.lo) * 1e-9;
  std::erase_if(axis.ticks, [&](double t) { return t < axis.lo - eps || t > axis.hi + eps; });
  return axis;
}

// ---- legend ---------------------------------------------------------------------

double legend_width(const std::vector<LegendEntry>& entries) {
  size_t longest = 0;
  for (const LegendEntry& e : entries) longest = std::max(longest, e.label.size());
  return 40 + 7.0 * static_cast<double>(longest);
}

double legend_height(const std::vector<LegendEntry>& entries) {
  return 8 + 18.0 * static_cast<double>(entries.size());
}

std::string legend(double bx, double by, const std::vector<LegendEntry>& entries, Swatch swatch) {
  std::string svg = "<g class=\"legend\">\n<rect x=\"" + px(bx) + "\" y=\"" + px(by) +
                    "\" width=\"" + px(legend_width(entries)) + "\" height=\"" +
                    px(legend_height(entries)) +
                    "\" fill=\"white\" fill-opacity=\"0.85\" stroke=\"#bbb\"/>\n";
  for (size_t i = 0; i < entries.size(); ++i) {
    const double y = by + 14 + 18.0 * static_cast<double>(i);
    const std::string& color = entries[i].color;
    switch (swatch) {
      case Swatch::Line:
        svg += "<line x1=\"" + px(bx + 8) + "\" y1=\"" + px(y - 4) + "\" x2=\"" + px(bx + 28) +
               "\" y2=\"" + px(y - 4) + "\" stroke=\"" + color + "\" stroke-width=\"2\"/>\n";
        break;
      case Swatch::Dot:
        svg += "<circle cx=\"" + px(bx + 18) + "\" cy=\"" + px(y - 4) + "\" r=\"4\" fill=\"" +
               color + "\"/>\n";
        break;
      case Swatch::Box:
        svg += "<rect x=\"" + px(bx + 11) + "\" y=\"" + px(y - 11) +
               "\" width=\"14\" height=\"14\" fill=\"" + color + "\"/>\n";
        break;
    }
    svg += "<text x=\"" + px(bx + 34) + "\" y=\"" + px(y) + "\">" + escape(entries[i].label) +
           "</text>\n";
  }
  return svg + "</g>\n";
}

// ---- the frame ------------------------------------------------------------------

ChartFrame::ChartFrame(int width_, int height_, const char* who, double left_, double right_,
                       double top_, double bottom_)
    : width(width_),
      height(height_),
      left(left_),
      right(right_),
      top(top_),
      bottom(bottom_),
      plot_w(width_ - left_ - right_),
      plot_h(height_ - top_ - bottom_) {
  EMBER_CHECK(plot_w > 50 && plot_h > 50, ValueError, who, ": ", width, "x", height,
              " is too small for a chart");
}

std::string ChartFrame::open(const std::string& title) const {
  const double w = width, h = height;
  std::string svg;
  svg += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  svg += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(width) +
         "\" height=\"" + std::to_string(height) + "\" viewBox=\"0 0 " + std::to_string(width) +
         " " + std::to_string(height) + "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  svg += "<rect x=\"0\" y=\"0\" width=\"" + px(w) + "\" height=\"" + px(h) +
         "\" fill=\"white\"/>\n";
  svg += "<text x=\"" + px(w / 2) + "\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">" +
         escape(title) + "</text>\n";
  return svg;
}

std::string ChartFrame::y_grid(const std::vector<double>& ticks,
                               const std::vector<std::string>& labels) const {
  std::string svg = "<g class=\"y-ticks\" stroke=\"#e0e0e0\">\n";
  for (size_t i = 0; i < ticks.size(); ++i) {
    const double y = sy(ticks[i]);
    svg += "<line x1=\"" + px(left) + "\" y1=\"" + px(y) + "\" x2=\"" + px(left + plot_w) +
           "\" y2=\"" + px(y) + "\"/>\n";
    svg += "<text x=\"" + px(left - 6) + "\" y=\"" + px(y + 4) +
           "\" text-anchor=\"end\" stroke=\"none\" fill=\"#333\">" + labels[i] + "</text>\n";
  }
  return svg + "</g>\n";
}

std::string ChartFrame::x_grid(const std::vector<double>& ticks,
                               const std::vector<std::string>& labels) const {
  std::string svg = "<g class=\"x-ticks\" stroke=\"#e0e0e0\">\n";
  for (size_t i = 0; i < ticks.size(); ++i) {
    const double x = sx(ticks[i]);
    svg += "<line x1=\"" + px(x) + "\" y1=\"" + px(top) + "\" x2=\"" + px(x) + "\" y2=\"" +
           px(top + plot_h) + "\"/>\n";
    svg += "<text x=\"" + px(x) + "\" y=\"" + px(top + plot_h + 16) +
           "\" text-anchor=\"middle\" stroke=\"none\" fill=\"#333\">" + labels[i] + "</text>\n";
  }
  return svg + "</g>\n";
}

std::string ChartFrame::axes(const std::string& x_label, const std::string& y_label) const {
  std::string svg = "<g class=\"axes\" stroke=\"#333\">\n";
  svg += "<line x1=\"" + px(left) + "\" y1=\"" + px(top + plot_h) + "\" x2=\"" +
         px(left + plot_w) + "\" y2=\"" + px(top + plot_h) + "\"/>\n";
  svg += "<line x1=\"" + px(left) + "\" y1=\"" + px(top) + "\" x2=\"" + px(left) + "\" y2=\"" +
         px(top + plot_h) + "\"/>\n";
  svg += "</g>\n";
  return svg + axis_labels(x_label, y_label);
}

std::string ChartFrame::axis_labels(const std::string& x_label, const std::string& y_label) const {
  std::string svg;
  svg += "<text x=\"" + px(left + plot_w / 2) + "\" y=\"" + px(height - 10.0) +
         "\" text-anchor=\"middle\">" + escape(x_label) + "</text>\n";
  svg += "<text x=\"16\" y=\"" + px(top + plot_h / 2) +
         "\" text-anchor=\"middle\" transform=\"rotate(-90 16 " + px(top + plot_h / 2) + ")\">" +
         escape(y_label) + "</text>\n";
  return svg;
}

}  // namespace ember::train::chart_svg
