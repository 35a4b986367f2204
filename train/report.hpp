// report.hpp — one self-contained HTML page of a run's results: a title,
// paragraphs, tables, charts and images, for a reader to open in a browser.
//
//   train::Report report("Quickstart: a CNN on Fashion-MNIST");
//   report.paragraph("3 epochs of Adam on 54,000 images.")
//         .table(results, "Results")
//         .chart(train::history_chart_svg(history, "loss"))
//         .chart(train::history_chart_svg(history, "accuracy"))  // beside the first
//         .image_grid(images, {.labels = names, .correct = right}, "Test predictions");
//   report.write(run.file("report.html"));
//
// Self-contained: the charts are inline SVG and the images inline PNGs
// (data: URIs in base64), with no script, font or stylesheet fetched from
// anywhere, so the one file can be mailed, archived or opened offline.
// Consecutive charts and images sit side by side as far as the page is wide.
// Text is escaped; chart() inlines the SVG it is given as it is (the
// train/ chart functions escape their labels). The page is also well-formed
// XML (XHTML syntax), which the tests check.
#pragma once

#include <string>
#include <vector>

#include "../data/write.hpp"
#include "../autograd/tensor.hpp"
#include "results_table.hpp"

namespace ember::train {

class Report {
 public:
  explicit Report(std::string title);

  Report& heading(const std::string& text);       // a section title (h2)
  Report& paragraph(const std::string& text);     // a paragraph of plain text
  Report& preformatted(const std::string& text);  // monospace, as printed (a model summary)
  Report& table(const ResultsTable& table, const std::string& caption = {});
  // An SVG document (e.g. from line_chart_svg); its <?xml ...?> line is dropped.
  Report& chart(const std::string& svg, const std::string& caption = {});
  // image [C, H, W] (C = 1 or 3, values in [0, 1]), shown `scale` times its size
  // without smoothing.
  Report& image(const Tensor& image, const std::string& caption = {}, int scale = 1);
  // data::image_grid(images, options), inline; `scale` as for image() (2
  // makes the grid's 1-pixel caption font easy to read).
  Report& image_grid(const Tensor& images, const data::GridOptions& options,
                     const std::string& caption = {}, int scale = 1);

  std::string html() const;
  void write(const std::string& path) const;  // atomically

 private:
  struct Block {
    bool figure;       // charts and images flow side by side
    std::string html;
  };
  std::string title_;
  std::vector<Block> blocks_;
};

// Text for HTML: & < > " ' become entities.
std::string escape_html(const std::string& text);
// RFC 4648 base64 (with '=' padding), as data: URIs want it.
std::string base64(const std::string& bytes);

}  // namespace ember::train
