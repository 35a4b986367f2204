// svg.cpp — the small SVG writer of the tutorials (see svg.hpp).
#include "svg.hpp"

#include <fstream>

#include "ember.hpp"

namespace tutorial {

namespace {

// Text as SVG needs it: &, < and > escaped.
std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '&') out += "&amp;";
    else if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else out += c;
  }
  return out;
}

}  // namespace

Svg::Svg(double width, double height) : width_(width), height_(height) {}

void Svg::rect(double x, double y, double w, double h, const std::string& fill,
               const std::string& stroke) {
  body_ << "<rect x=\"" << x << "\" y=\"" << y << "\" width=\"" << w << "\" height=\"" << h
        << "\" fill=\"" << fill << "\" stroke=\"" << stroke << "\"/>\n";
}

void Svg::text(double x, double y, const std::string& s, double size, const std::string& anchor,
               const std::string& fill, bool bold) {
  body_ << "<text x=\"" << x << "\" y=\"" << y << "\" font-size=\"" << size
        << "\" text-anchor=\"" << anchor << "\" fill=\"" << fill << "\""
        << (bold ? " font-weight=\"bold\"" : "") << ">" << escape(s) << "</text>\n";
}

void Svg::line(double x1, double y1, double x2, double y2, const std::string& stroke,
               double width) {
  body_ << "<line x1=\"" << x1 << "\" y1=\"" << y1 << "\" x2=\"" << x2 << "\" y2=\"" << y2
        << "\" stroke=\"" << stroke << "\" stroke-width=\"" << width << "\"/>\n";
}

void Svg::arrow(double x1, double y1, double x2, double y2, const std::string& stroke,
                double width) {
  const std::string id = marker(stroke);
  body_ << "<line x1=\"" << x1 << "\" y1=\"" << y1 << "\" x2=\"" << x2 << "\" y2=\"" << y2
        << "\" stroke=\"" << stroke << "\" stroke-width=\"" << width << "\" marker-end=\"url(#"
        << id << ")\"/>\n";
}

void Svg::curved_arrow(double x1, double y1, double x2, double y2, double bend,
                       const std::string& stroke, double width) {
  const std::string id = marker(stroke);
  const double cx = (x1 + x2) / 2, cy = (y1 + y2) / 2 - 2 * bend;  // the curve's control point
  body_ << "<path d=\"M " << x1 << " " << y1 << " Q " << cx << " " << cy << " " << x2 << " "
        << y2 << "\" fill=\"none\" stroke=\"" << stroke << "\" stroke-width=\"" << width
        << "\" marker-end=\"url(#" << id << ")\"/>\n";
}

std::string Svg::marker(const std::string& stroke) {
  std::string id = "arrow" + stroke;
  std::erase(id, '#');
  if (colours_with_markers_.find("|" + stroke + "|") == std::string::npos) {
    colours_with_markers_ += "|" + stroke + "|";
    defs_ << "<marker id=\"" << id << "\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" "
          << "markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\">"
          << "<path d=\"M 0 0 L 10 5 L 0 10 z\" fill=\"" << stroke << "\"/></marker>\n";
  }
  return id;
}

std::string Svg::str() const {
  std::ostringstream out;
  out << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width_ << "\" height=\""
      << height_ << "\" viewBox=\"0 0 " << width_ << " " << height_
      << "\" font-family=\"DejaVu Sans Mono, monospace\">\n"
      << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      << "<defs>\n" << defs_.str() << "</defs>\n"
      << body_.str() << "</svg>\n";
  return out.str();
}

void Svg::save(const std::string& path) const {
  std::ofstream out(path);
  out << str();
  if (!out) throw ember::DataError("cannot write " + path);
}

}  // namespace tutorial
