// test_report.cpp — the HTML report: structure, escaping, inline charts and
// images (decoded back), nothing fetched from elsewhere, written to a file.
#include <doctest/doctest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "data/image_io.hpp"
#include "data/write.hpp"
#include "tensor/error.hpp"
#include "train/plot.hpp"
#include "train/report.hpp"
#include "train/results_table.hpp"
#include "xml_check.hpp"

using namespace ember;

namespace {

std::string unbase64(const std::string& text) {
  const std::string digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  uint32_t v = 0;
  int bits = 0;
  for (char c : text) {
    if (c == '=') break;
    v = v << 6 | static_cast<uint32_t>(digits.find(c));
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>(v >> bits & 0xFF);
    }
  }
  return out;
}

// The text between `from` (after it) and the next `to`, starting the search at `at`.
std::string between(const std::string& s, const std::string& from, const std::string& to,
                    size_t at = 0) {
  const size_t a = s.find(from, at);
  if (a == std::string::npos) return "";
  const size_t b = s.find(to, a + from.size());
  return s.substr(a + from.size(), b - a - from.size());
}

}  // namespace

TEST_CASE("base64 (RFC 4648 test vectors) and HTML escaping") {
  CHECK(train::base64("") == "");
  CHECK(train::base64("f") == "Zg==");
  CHECK(train::base64("fo") == "Zm8=");
  CHECK(train::base64("foo") == "Zm9v");
  CHECK(train::base64("foob") == "Zm9vYg==");
  CHECK(train::base64("fooba") == "Zm9vYmE=");
  CHECK(train::base64("foobar") == "Zm9vYmFy");
  CHECK(train::base64(std::string("\xff\x00\xfe", 3)) == "/wD+");
  CHECK(train::escape_html("a<b & \"c\" 'd'>") == "a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;");
}

TEST_CASE("a report: title, text, tables, charts side by side, inline images") {
  train::ResultsTable results({"what", {"value", 4}});
  results.add_row({"test accuracy", 0.91234});
  results.add_row({"a<b", "x & y"});
  train::History h;
  h.loss = {0.9, 0.5};
  h.accuracy = {0.7, 0.8};
  h.lr = h.seconds = {1, 1};
  Tensor images = Tensor::zeros({3, 1, 4, 4});
  images.at({1, 0, 1, 1}) = 1.0f;
  const data::GridOptions grid{.scale = 3, .labels = {"a", "b", "c"}, .correct = {true, false, true}};

  train::Report report("Run <1> & co");
  report.paragraph("<script>alert(1)</script>")
      .heading("Results")
      .table(results, "summary")
      .chart(train::history_chart_svg(h, "loss"), "loss")
      .chart(train::history_chart_svg(h, "accuracy"))
      .preformatted("Layer (type)   Output Shape\n<none>")
      .image_grid(images, grid, "predictions", 2);  // shown twice its size
  const std::string html = report.html();

  // Structure: a doctype, then well-formed XHTML-style markup.
  REQUIRE(html.rfind("<!DOCTYPE html>\n", 0) == 0);
  CHECK(xml_problem(html.substr(16)) == "");
  CHECK(count(html, "<h1>") == 1);
  CHECK(html.find("<title>Run &lt;1&gt; &amp; co</title>") != std::string::npos);
  CHECK(html.find("<h2>Results</h2>") != std::string::npos);
  // Escaping: text never becomes markup.
  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
  CHECK(html.find("<td>a&lt;b</td><td>x &amp; y</td>") != std::string::npos);
  CHECK(html.find("<td class=\"num\">0.9123</td>") != std::string::npos);
  CHECK(html.find("<caption>summary</caption>") != std::string::npos);
  CHECK(html.find("&lt;none&gt;</pre>") != std::string::npos);
  // The charts inline, without their XML declaration, in one row with the image.
  CHECK(count(html, "<svg xmlns=") == 2);
  CHECK(html.find("<?xml") == std::string::npos);
  CHECK(count(html, "<div class=\"figures\">") == 2);  // charts; then (after pre) the grid
  CHECK(html.find("<figcaption>loss</figcaption>") != std::string::npos);
  // Self-contained: nothing to fetch.
  for (const char* external : {"src=\"http", "href=", "url(", "<link", "@import"})
    CHECK_MESSAGE(html.find(external) == std::string::npos, external);
  // The image: a PNG in a data: URI that decodes to the grid itself.
  const std::string png = unbase64(between(html, "src=\"data:image/png;base64,", "\""));
  REQUIRE(png.size() > 8);
  CHECK(png.substr(1, 3) == "PNG");
  const Tensor decoded = data::decode_image(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(png.data()), png.size()), "img");
  const Tensor expected = data::image_grid(images, grid);
  REQUIRE(decoded.shape() == expected.shape());
  CHECK((decoded - expected).abs().max().item() <= 1.0f / 255.0f);
  CHECK(html.find("width=\"" + std::to_string(2 * expected.size(2)) + "\" height=\"" +
                  std::to_string(2 * expected.size(1)) + "\" alt=\"predictions\"") != std::string::npos);

  // write(): the same text, in a file.
  const auto dir = std::filesystem::temp_directory_path() / "ember_test_report";
  std::filesystem::create_directories(dir);
  report.write((dir / "report.html").string());
  std::ifstream in(dir / "report.html");
  std::stringstream s;
  s << in.rdbuf();
  CHECK(s.str() == html);
  std::filesystem::remove_all(dir);

  CHECK_THROWS_AS(report.chart("<html>not svg</html>"), ValueError);
  CHECK_THROWS_AS(report.image(Tensor::zeros({2, 2})), ValueError);
  train::Report empty("nothing");
  CHECK(xml_problem(empty.html().substr(16)) == "");
}
