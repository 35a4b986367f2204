// heatmap.cpp — see heatmap.hpp.
#include "heatmap.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "../tensor/error.hpp"
#include "chart_svg.hpp"
#include "plot.hpp"

namespace ember::train {

using chart_svg::px;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1)
    lines.push_back(text.substr(start, nl - start));
  lines.push_back(text.substr(start));
  return lines;
}

// Relative luminance (sRGB weights): above about 0.5, black text reads better.
bool is_light(const data::Rgb& c) { return 0.2126f * c.r + 0.7152f * c.g + 0.0722f * c.b > 0.5f; }

}  // namespace

std::string heatmap_svg(const std::vector<std::string>& row_labels,
                        const std::vector<std::string>& column_labels,
                        const std::vector<std::vector<double>>& values, const HeatmapOptions& o) {
  const size_t rows = row_labels.size(), cols = column_labels.size();
  EMBER_CHECK(rows > 0 && cols > 0 && values.size() == rows, ValueError, "heatmap_svg: ",
              values.size(), " rows of values for ", rows, " row labels (need at least one)");
  for (const std::vector<double>& row : values)
    EMBER_CHECK(row.size() == cols, ValueError, "heatmap_svg: a row has ", row.size(),
                " values for ", cols, " column labels");
  EMBER_CHECK(o.cell_text.empty() || o.cell_text.size() == rows, ValueError, "heatmap_svg: ",
              o.cell_text.size(), " rows of cell_text for ", rows, " rows");
  for (const auto& row : o.cell_text)
    EMBER_CHECK(row.size() == cols, ValueError, "heatmap_svg: a row of cell_text has ",
                row.size(), " entries for ", cols, " columns");

  // The colour range.
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (const auto& row : values)
    for (double v : row)
      if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  if (!(lo <= hi)) lo = 0.0, hi = 1.0;
  if (o.min) lo = *o.min;
  if (o.max) hi = *o.max;
  EMBER_CHECK(std::isfinite(lo) && std::isfinite(hi) && lo <= hi, ValueError,
              "heatmap_svg: need finite min <= max, got ", lo, " and ", hi);
  auto level = [&](double v) { return hi > lo ? static_cast<float>((v - lo) / (hi - lo)) : 0.5f; };

  // Margins: row names on the left, column names under the cells (turned
  // when they do not fit), the colour scale on the right.
  double longest_row = 0.0, longest_col = 0.0;
  for (const std::string& r : row_labels) longest_row = std::max(longest_row, chart_svg::text_width(r));
  for (const std::string& c : column_labels) longest_col = std::max(longest_col, chart_svg::text_width(c));
  const double left = (o.y_label.empty() ? 8 : 30) + longest_row + 8;
  const double right = 16 + 12 + 44 + (o.scale_label.empty() ? 0 : 18);
  const double cell_w_guess = (o.width - left - right) / static_cast<double>(cols);
  const bool turned = longest_col > cell_w_guess - 4;
  const double label_depth = turned ? 12 + longest_col * 0.5736 + 10 : 18;
  const double bottom = label_depth + (o.x_label.empty() ? 8 : 26);
  chart_svg::ChartFrame f(o.width, o.height, "heatmap_svg", left, right, 36, bottom);
  const double cell_w = f.plot_w / static_cast<double>(cols);
  const double cell_h = f.plot_h / static_cast<double>(rows);

  // Cell text: the numbers, or the given text; one font size for all cells,
  // the largest (up to 13 px) at which the longest line fits.
  std::vector<std::vector<std::string>> text(rows, std::vector<std::string>(cols));
  size_t max_lines = 1;
  double widest = 0.0;
  for (size_t r = 0; r < rows; ++r)
    for (size_t c = 0; c < cols; ++c) {
      if (!o.cell_text.empty()) {
        text[r][c] = o.cell_text[r][c];
      } else {
        char buf[48];
        std::snprintf(buf, sizeof buf, "%.*f", std::max(0, o.decimals), values[r][c]);
        text[r][c] = std::isfinite(values[r][c]) ? buf : chart_svg::value_text(values[r][c]);
      }
      const std::vector<std::string> lines = lines_of(text[r][c]);
      max_lines = std::max(max_lines, lines.size());
      for (const std::string& l : lines) widest = std::max(widest, chart_svg::text_width(l, 1.0));
    }
  double font = 13.0;
  if (widest > 0) font = std::min(font, (cell_w - 6) / widest);
  font = std::min(font, (cell_h - 4) / (1.2 * static_cast<double>(max_lines)));
  const bool show_text = font >= 6.0;

  std::string svg = f.open(o.title);
  svg += "<g class=\"cells\" font-size=\"" + px(font) + "\" text-anchor=\"middle\">\n";
  for (size_t r = 0; r < rows; ++r)
    for (size_t c = 0; c < cols; ++c) {
      const double v = values[r][c];
      const double x = f.left + cell_w * static_cast<double>(c);
      const double y = f.top + cell_h * static_cast<double>(r);
      const bool finite = std::isfinite(v);
      const data::Rgb rgb = data::colormap_rgb(o.colormap, level(v));
      const std::string fill = finite ? chart_svg::hex_color(rgb.r, rgb.g, rgb.b) : "#dddddd";
      svg += "<rect x=\"" + px(x) + "\" y=\"" + px(y) + "\" width=\"" + px(cell_w) +
             "\" height=\"" + px(cell_h) + "\" fill=\"" + fill + "\" stroke=\"white\"><title>" +
             chart_svg::escape(row_labels[r]) + ", " + chart_svg::escape(column_labels[c]) + ": " +
             chart_svg::value_text(v) + "</title></rect>\n";
      if (!show_text) continue;
      const std::vector<std::string> lines = lines_of(text[r][c]);
      const double line_h = font * 1.2;
      const double first = y + cell_h / 2 - line_h * (static_cast<double>(lines.size()) - 1) / 2 +
                           font * 0.35;
      svg += "<text x=\"" + px(x + cell_w / 2) + "\" y=\"" + px(first) + "\" fill=\"" +
             (finite && !is_light(rgb) ? "white" : "black") + "\">";
      for (size_t l = 0; l < lines.size(); ++l)
        svg += l == 0 ? chart_svg::escape(lines[l])
                      : "<tspan x=\"" + px(x + cell_w / 2) + "\" dy=\"" + px(line_h) + "\">" +
                            chart_svg::escape(lines[l]) + "</tspan>";
      svg += "</text>\n";
    }
  svg += "</g>\n";

  // Row and column names.
  svg += "<g class=\"labels\" fill=\"#333\">\n";
  for (size_t r = 0; r < rows; ++r)
    svg += "<text x=\"" + px(f.left - 6) + "\" y=\"" +
           px(f.top + cell_h * (static_cast<double>(r) + 0.5) + 4) + "\" text-anchor=\"end\">" +
           chart_svg::escape(row_labels[r]) + "</text>\n";
  for (size_t c = 0; c < cols; ++c) {
    const double x = f.left + cell_w * (static_cast<double>(c) + 0.5);
    const double y = f.top + f.plot_h + 16;
    svg += turned ? "<text x=\"" + px(x) + "\" y=\"" + px(y - 4) +
                        "\" text-anchor=\"end\" transform=\"rotate(-35 " + px(x) + " " +
                        px(y - 4) + ")\">"
                  : "<text x=\"" + px(x) + "\" y=\"" + px(y) + "\" text-anchor=\"middle\">";
    svg += chart_svg::escape(column_labels[c]) + "</text>\n";
  }
  svg += "</g>\n";
  svg += f.axis_labels(o.x_label, o.y_label);

  // The colour scale: a column of bands from min (bottom) to max (top), ticked.
  const double bar_x = f.left + f.plot_w + 12, bar_w = 16;
  constexpr int kBands = 32;
  svg += "<g class=\"scale\">\n";
  for (int b = 0; b < kBands; ++b) {
    const data::Rgb c = data::colormap_rgb(o.colormap, (static_cast<float>(b) + 0.5f) / kBands);
    const double y = f.top + f.plot_h * (1.0 - static_cast<double>(b + 1) / kBands);
    svg += "<rect x=\"" + px(bar_x) + "\" y=\"" + px(y) + "\" width=\"" + px(bar_w) +
           "\" height=\"" + px(f.plot_h / kBands + 0.5) + "\" fill=\"" +
           chart_svg::hex_color(c.r, c.g, c.b) + "\"/>\n";
  }
  svg += "<rect x=\"" + px(bar_x) + "\" y=\"" + px(f.top) + "\" width=\"" + px(bar_w) +
         "\" height=\"" + px(f.plot_h) + "\" fill=\"none\" stroke=\"#333\"/>\n";
  if (hi > lo) {
    std::vector<double> ticks = nice_ticks(lo, hi, 5);
    std::erase_if(ticks, [&](double t) { return t < lo - 1e-9 * (hi - lo) || t > hi + 1e-9 * (hi - lo); });
    const std::vector<std::string> labels = chart_svg::tick_labels(
        ticks.size() > 1 ? ticks : std::vector<double>{lo, hi});
    for (size_t i = 0; i < ticks.size(); ++i) {
      const double y = f.top + f.plot_h * (1.0 - (ticks[i] - lo) / (hi - lo));
      svg += "<line x1=\"" + px(bar_x + bar_w) + "\" y1=\"" + px(y) + "\" x2=\"" +
             px(bar_x + bar_w + 4) + "\" y2=\"" + px(y) + "\" stroke=\"#333\"/>\n";
      svg += "<text x=\"" + px(bar_x + bar_w + 6) + "\" y=\"" + px(y + 4) + "\" fill=\"#333\">" +
             labels[i] + "</text>\n";
    }
  } else {  // one value: one label in the middle
    svg += "<text x=\"" + px(bar_x + bar_w + 6) + "\" y=\"" + px(f.top + f.plot_h / 2 + 4) +
           "\" fill=\"#333\">" + chart_svg::value_text(lo) + "</text>\n";
  }
  if (!o.scale_label.empty()) {
    const double x = f.left + f.plot_w + right - 16 - 4, y = f.top + f.plot_h / 2;
    svg += "<text x=\"" + px(x) + "\" y=\"" + px(y) + "\" text-anchor=\"middle\" transform=\"rotate(-90 " +
           px(x) + " " + px(y) + ")\">" + chart_svg::escape(o.scale_label) + "</text>\n";
  }
  svg += "</g>\n";
  return svg + chart_svg::close();
}

}  // namespace ember::train
