// svg.hpp — just enough SVG to draw a tutorial's diagrams: boxes, text, lines
// and arrows, written as a complete document.
//
//   tutorial::Svg svg(400, 120);
//   svg.rect(10, 10, 40, 40, "#cfe2f3");
//   svg.text(30, 35, "0");
//   svg.arrow(50, 30, 90, 30);
//   svg.save(run.file("picture.svg"));
//
// Coordinates are pixels, y pointing down, as in every SVG viewer.
#pragma once

#include <sstream>
#include <string>

namespace tutorial {

class Svg {
 public:
  Svg(double width, double height);

  void rect(double x, double y, double w, double h, const std::string& fill,
            const std::string& stroke = "#444444");
  // anchor: "start", "middle" or "end" (where x is on the text).
  void text(double x, double y, const std::string& s, double size = 13,
            const std::string& anchor = "middle", const std::string& fill = "#222222",
            bool bold = false);
  void line(double x1, double y1, double x2, double y2, const std::string& stroke = "#444444",
            double width = 1.0);
  void arrow(double x1, double y1, double x2, double y2, const std::string& stroke = "#444444",
             double width = 1.5);
  // A quadratic curve from (x1, y1) to (x2, y2) bulging `bend` pixels upward
  // (negative: downward), with an arrowhead at the end.
  void curved_arrow(double x1, double y1, double x2, double y2, double bend,
                    const std::string& stroke = "#444444", double width = 1.5);

  std::string str() const;                 // the whole document
  void save(const std::string& path) const;  // throws ember::DataError when it cannot

 private:
  std::string marker(const std::string& stroke);  // the arrowhead's id for this colour

  double width_, height_;
  std::ostringstream defs_, body_;
  std::string colours_with_markers_;  // "|#444444|..." already defined
};

}  // namespace tutorial
