// report.cpp — the HTML page (see report.hpp).
#include "report.hpp"

#include <cstdint>
#include <cstdlib>
#include <utility>

#include "../data/image_io.hpp"
#include "../tensor/atomic_file.hpp"
#include "../tensor/error.hpp"

namespace ember::train {

namespace {

// The page's look: readable text width, tables with lines between rows,
// numbers right-aligned, figures side by side. No '>' in it: the page stays
// well-formed XML.
constexpr const char* kStyle = R"(
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: #222;
       max-width: 1340px; margin: 24px auto; padding: 0 16px; line-height: 1.45; }
h1 { font-size: 1.6em; margin-bottom: 0.3em; }
h2 { font-size: 1.25em; margin-top: 1.6em; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
p { max-width: 52em; }
table { border-collapse: collapse; margin: 12px 0; font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: 600; padding-bottom: 4px; }
th, td { border-bottom: 1px solid #ddd; padding: 4px 12px; text-align: left; }
th { background: #f3f3f3; }
td.num { text-align: right; }
pre { background: #f7f7f7; border: 1px solid #e4e4e4; padding: 10px; overflow-x: auto;
      font-size: 12px; line-height: 1.3; }
.figures { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; margin: 12px 0; }
figure { margin: 0; max-width: 100%; }
figure svg, figure img { display: block; max-width: 100%; height: auto; }
figure img { image-rendering: pixelated; }
figcaption { color: #555; font-size: 0.9em; margin-top: 4px; }
)";

bool is_number(const std::string& s) {
  if (s.empty()) return false;
  char* end = nullptr;
  std::strtod(s.c_str(), &end);
  return end == s.c_str() + s.size();
}

std::string figure(const std::string& content, const std::string& caption) {
  std::string html = "<figure>\n" + content;
  if (!caption.empty()) html += "<figcaption>" + escape_html(caption) + "</figcaption>\n";
  return html + "</figure>\n";
}

std::string png_figure(const Tensor& image, const std::string& caption, int scale) {
  EMBER_CHECK(image.defined() && image.dim() == 3 && scale > 0, ValueError,
              "Report: expected an image [C, H, W] and scale > 0, got ",
              image.defined() ? image.shape() : Shape{}, " and ", scale);
  const std::string img = "<img src=\"data:image/png;base64," + base64(data::encode_png(image)) +
                          "\" width=\"" + std::to_string(image.size(2) * scale) + "\" height=\"" +
                          std::to_string(image.size(1) * scale) + "\" alt=\"" +
                          escape_html(caption.empty() ? "image" : caption) + "\"/>\n";
  return figure(img, caption);
}

}  // namespace

std::string escape_html(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string base64(const std::string& bytes) {
  static constexpr char kDigits[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {  // 3 bytes -> 4 digits of 6 bits
    const uint32_t v = static_cast<uint32_t>(static_cast<uint8_t>(bytes[i])) << 16 |
                       static_cast<uint32_t>(static_cast<uint8_t>(bytes[i + 1])) << 8 |
                       static_cast<uint8_t>(bytes[i + 2]);
    out += kDigits[v >> 18 & 63];
    out += kDigits[v >> 12 & 63];
    out += kDigits[v >> 6 & 63];
    out += kDigits[v & 63];
  }
  if (i < bytes.size()) {  // 1 or 2 bytes left: pad with '='
    uint32_t v = static_cast<uint32_t>(static_cast<uint8_t>(bytes[i])) << 16;
    if (i + 1 < bytes.size()) v |= static_cast<uint32_t>(static_cast<uint8_t>(bytes[i + 1])) << 8;
    out += kDigits[v >> 18 & 63];
    out += kDigits[v >> 12 & 63];
    out += i + 1 < bytes.size() ? kDigits[v >> 6 & 63] : '=';
    out += '=';
  }
  return out;
}

Report::Report(std::string title) : title_(std::move(title)) {}

Report& Report::heading(const std::string& text) {
  blocks_.push_back({false, "<h2>" + escape_html(text) + "</h2>\n"});
  return *this;
}

Report& Report::paragraph(const std::string& text) {
  blocks_.push_back({false, "<p>" + escape_html(text) + "</p>\n"});
  return *this;
}

Report& Report::preformatted(const std::string& text) {
  blocks_.push_back({false, "<pre>" + escape_html(text) + "</pre>\n"});
  return *this;
}

Report& Report::table(const ResultsTable& t, const std::string& caption) {
  std::string html = "<table>\n";
  if (!caption.empty()) html += "<caption>" + escape_html(caption) + "</caption>\n";
  html += "<thead><tr>";
  for (const Column& c : t.columns()) html += "<th>" + escape_html(c.name) + "</th>";
  html += "</tr></thead>\n<tbody>\n";
  for (size_t r = 0; r < t.num_rows(); ++r) {
    html += "<tr>";
    for (size_t c = 0; c < t.num_columns(); ++c) {
      const std::string& cell = t.text(r, c);
      html += (is_number(cell) ? "<td class=\"num\">" : "<td>") + escape_html(cell) + "</td>";
    }
    html += "</tr>\n";
  }
  blocks_.push_back({false, html + "</tbody>\n</table>\n"});
  return *this;
}

Report& Report::chart(const std::string& svg, const std::string& caption) {
  // Inline SVG in HTML takes no XML declaration: start at <svg.
  size_t at = svg.find_first_not_of(" \t\r\n");
  if (at != std::string::npos && svg.compare(at, 5, "<?xml") == 0) {
    const size_t end = svg.find("?>", at);
    at = end == std::string::npos ? end : svg.find_first_not_of(" \t\r\n", end + 2);
  }
  EMBER_CHECK(at != std::string::npos && svg.compare(at, 4, "<svg") == 0, ValueError,
              "Report::chart: expected an SVG document (<svg ...>)");
  blocks_.push_back({true, figure(svg.substr(at), caption)});
  return *this;
}

Report& Report::image(const Tensor& image, const std::string& caption, int scale) {
  blocks_.push_back({true, png_figure(image, caption, scale)});
  return *this;
}

Report& Report::image_grid(const Tensor& images, const data::GridOptions& options,
                           const std::string& caption, int scale) {
  blocks_.push_back({true, png_figure(data::image_grid(images, options), caption, scale)});
  return *this;
}

std::string Report::html() const {
  std::string html = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n";
  html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n";
  html += "<meta name=\"generator\" content=\"ember train::Report\"/>\n";
  html += "<title>" + escape_html(title_) + "</title>\n<style>" + kStyle + "</style>\n";
  html += "</head>\n<body>\n<h1>" + escape_html(title_) + "</h1>\n";
  // Runs of figures share one flowing row.
  bool in_row = false;
  for (const Block& b : blocks_) {
    if (b.figure && !in_row) html += "<div class=\"figures\">\n";
    if (!b.figure && in_row) html += "</div>\n";
    in_row = b.figure;
    html += b.html;
  }
  if (in_row) html += "</div>\n";
  return html + "</body>\n</html>\n";
}

void Report::write(const std::string& path) const {
  write_file_atomically(path, html(), "Report::write");
}

}  // namespace ember::train
