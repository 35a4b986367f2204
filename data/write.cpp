// write.cpp — see write.hpp.
#include "write.hpp"

#include <stb/stb_easy_font.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <sstream>
#include <utility>

#include "../tensor/atomic_file.hpp"
#include "../tensor/kernels.hpp"
#include "image_io.hpp"

namespace ember::data {
namespace {

// stb_easy_font's glyphs are 7 px tall (9 with descenders): one caption line
// fills a strip of 12 px, each further line adds 11.
constexpr int64_t kCaptionHeight = 12;
constexpr int64_t kCaptionLineHeight = 11;

int64_t text_width(const std::string& text) {
  std::string copy = text;  // stb wants a char*
  return stb_easy_font_width(copy.data());
}

// Breaks a caption into lines at most `width` pixels wide: at spaces
// (dropped), after '-' and '/' (kept), and inside a word only when the word
// alone is too wide. At most max_lines lines; the last one then loses
// characters until it fits.
std::vector<std::string> wrap_caption(const std::string& text, int64_t width, int64_t max_lines) {
  // The pieces between break opportunities, and whether a space preceded each.
  std::vector<std::pair<std::string, bool>> pieces;
  std::string piece;
  bool space_before = false;
  for (char c : text) {
    if (c == ' ') {
      if (!piece.empty()) pieces.push_back({piece, space_before}), piece.clear();
      space_before = true;
      continue;
    }
    piece += c;
    if (c == '-' || c == '/') {
      pieces.push_back({piece, space_before});
      piece.clear();
      space_before = false;
    }
  }
  if (!piece.empty()) pieces.push_back({piece, space_before});

  std::vector<std::string> lines;
  std::string line;
  for (auto [word, spaced] : pieces) {
    const std::string joined = line.empty() ? word : line + (spaced ? " " : "") + word;
    if (text_width(joined) <= width) {
      line = joined;
      continue;
    }
    if (!line.empty()) lines.push_back(line);
    // The word alone: cut it while it is too wide (at least one character a line).
    while (word.size() > 1 && text_width(word) > width) {
      size_t fit = 1;
      while (fit + 1 < word.size() && text_width(word.substr(0, fit + 1)) <= width) ++fit;
      lines.push_back(word.substr(0, fit));
      word.erase(0, fit);
    }
    line = word;
  }
  if (!line.empty()) lines.push_back(line);
  if (static_cast<int64_t>(lines.size()) > max_lines) {
    lines.resize(static_cast<size_t>(max_lines));
    std::string& last = lines.back();
    while (last.size() > 1 && text_width(last) > width) last.pop_back();
  }
  return lines;
}

// Draws `lines` in `color`, each centred in [x0, x0 + width), from y0 down,
// into a planar [C, H, W] canvas (C = 1 takes the colour's gray level).
// stb_easy_font turns text into axis-aligned quads; each is filled and
// clipped to the caption's box, so nothing lands on a neighbour.
void draw_caption(Tensor& canvas, const std::vector<std::string>& lines, int64_t x0, int64_t y0,
                  int64_t width, int64_t height, const Rgb& color) {
  struct Vertex {
    float x, y, z;
    unsigned char color[4];
  };
  const int64_t c = canvas.size(0), h = canvas.size(1), w = canvas.size(2);
  const float ink[3] = {color.r, color.g, color.b};
  const float gray = 0.299f * color.r + 0.587f * color.g + 0.114f * color.b;
  for (size_t l = 0; l < lines.size(); ++l) {
    std::string text = lines[l];
    std::vector<Vertex> vertices(text.size() * 4 * 70);  // ~70 quads per glyph is plenty
    unsigned char black[4] = {0, 0, 0, 255};
    const int quads = stb_easy_font_print(0.0f, 2.0f, text.data(), black, vertices.data(),
                                          static_cast<int>(vertices.size() * sizeof(Vertex)));
    const int64_t left = x0 + std::max<int64_t>(0, (width - text_width(text)) / 2);
    const int64_t top = y0 + static_cast<int64_t>(l) * kCaptionLineHeight;
    for (int q = 0; q < quads; ++q) {
      const Vertex* v = &vertices[static_cast<size_t>(q) * 4];
      int64_t xa = left + static_cast<int64_t>(v[0].x), xb = left + static_cast<int64_t>(v[2].x);
      int64_t ya = top + static_cast<int64_t>(v[0].y), yb = top + static_cast<int64_t>(v[2].y);
      xa = std::max(xa, x0), xb = std::min({xb, x0 + width, w});
      ya = std::max(ya, y0), yb = std::min({yb, y0 + height, h});
      for (int64_t ch = 0; ch < c; ++ch)
        for (int64_t y = ya; y < yb; ++y)
          for (int64_t x = xa; x < xb; ++x)
            canvas.data()[(ch * h + y) * w + x] = c == 1 ? gray : ink[ch];
    }
  }
}

bool is_gray(const Rgb& c) { return c.r == c.g && c.g == c.b; }

std::string replace_extension(const std::string& path, const char* ext) {
  return std::filesystem::path(path).replace_extension(ext).string();
}

}  // namespace

Tensor image_grid(const Tensor& images, const GridOptions& o) {
  EMBER_CHECK(images.defined() && images.dim() == 4 &&
                  (images.size(1) == 1 || images.size(1) == 3) && images.size(0) > 0,
              ShapeError, "save_image_grid: expected images [N > 0, 1 or 3, H, W], got ",
              images.defined() ? images.shape() : Shape{});
  EMBER_CHECK(o.columns > 0 && o.padding >= 0 && o.scale > 0 && o.max_caption_lines > 0,
              ValueError, "save_image_grid: need columns > 0, padding >= 0, scale > 0, "
              "max_caption_lines > 0; got ", o.columns, ", ", o.padding, ", ", o.scale, ", ",
              o.max_caption_lines);
  const size_t count = static_cast<size_t>(images.size(0));
  EMBER_CHECK(o.labels.empty() || o.labels.size() == count, ValueError, "save_image_grid: ",
              o.labels.size(), " labels for ", count, " images");
  EMBER_CHECK(o.caption_colors.empty() || o.caption_colors.size() == count, ValueError,
              "save_image_grid: ", o.caption_colors.size(), " caption colours for ", count,
              " images");
  EMBER_CHECK(o.correct.empty() || o.correct.size() == count, ValueError, "save_image_grid: ",
              o.correct.size(), " right/wrong flags for ", count, " images");
  EMBER_CHECK(o.caption_colors.empty() || o.correct.empty(), ValueError,
              "save_image_grid: give caption_colors or correct, not both");
  const Tensor x = kernels::contiguous(images);
  const int64_t n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
  const bool captions = o.draw_labels && !o.labels.empty();
  const int64_t tile_w = w * o.scale;

  // Captions: one colour each; wrapped to the tile's width less a pixel on
  // each side, so two neighbours' captions never touch.
  std::vector<Rgb> colors(static_cast<size_t>(n));
  for (size_t i = 0; i < colors.size(); ++i)
    colors[i] = !o.caption_colors.empty() ? o.caption_colors[i]
                : !o.correct.empty()      ? (o.correct[i] ? kCaptionRight : kCaptionWrong)
                                          : Rgb{};
  std::vector<std::vector<std::string>> lines(static_cast<size_t>(n));
  int64_t caption_lines = 0;
  if (captions)
    for (size_t i = 0; i < lines.size(); ++i) {
      lines[i] = wrap_caption(o.labels[i], std::max<int64_t>(1, tile_w - 2), o.max_caption_lines);
      caption_lines = std::max(caption_lines, static_cast<int64_t>(lines[i].size()));
    }
  const int64_t caption_h =
      captions ? kCaptionHeight + kCaptionLineHeight * std::max<int64_t>(0, caption_lines - 1) : 0;

  const bool colored = c == 3 || o.colormap != Colormap::Gray ||
                       (captions && std::any_of(colors.begin(), colors.end(),
                                                [](const Rgb& k) { return !is_gray(k); }));
  const int64_t out_c = colored ? 3 : 1;
  const int64_t tile_h = h * o.scale + caption_h;
  const int64_t cols = std::min(o.columns, n), rows = (n + cols - 1) / cols;
  const int64_t width = cols * tile_w + (cols + 1) * o.padding;
  const int64_t height = rows * tile_h + (rows + 1) * o.padding;
  Tensor canvas = Tensor::full({out_c, height, width}, 1.0f);
  float* out = canvas.data();
  for (int64_t i = 0; i < n; ++i) {
    const int64_t row = i / cols, col = i % cols;
    const int64_t x0 = o.padding + col * (tile_w + o.padding),
                  y0 = o.padding + row * (tile_h + o.padding);
    for (int64_t y = 0; y < h * o.scale; ++y)
      for (int64_t xx = 0; xx < w * o.scale; ++xx) {
        const int64_t src = (y / o.scale) * w + xx / o.scale;
        const int64_t dst = (y0 + y) * width + x0 + xx;
        const float* image = x.data() + i * c * h * w;
        if (c == 3) {
          for (int64_t ch = 0; ch < 3; ++ch) out[ch * height * width + dst] = image[ch * h * w + src];
        } else if (out_c == 1) {
          out[dst] = image[src];
        } else {  // one channel drawn through the colormap
          const Rgb k = colormap_rgb(o.colormap, image[src]);
          out[dst] = k.r, out[height * width + dst] = k.g, out[2 * height * width + dst] = k.b;
        }
      }
    if (captions)
      draw_caption(canvas, lines[static_cast<size_t>(i)], x0 + 1, y0 + h * o.scale, tile_w - 2,
                   caption_h, colors[static_cast<size_t>(i)]);
  }
  return canvas;
}

void save_image_grid(const std::string& path, const Tensor& images, const GridOptions& o) {
  write_png(path, image_grid(images, o));
  if (o.list_labels && !o.labels.empty()) {
    const int64_t cols = std::min(o.columns, images.size(0));
    std::ostringstream listing;
    listing << "index,row,column,label\n";
    for (size_t i = 0; i < o.labels.size(); ++i) {
      const int64_t k = static_cast<int64_t>(i);
      listing << i << ',' << k / cols << ',' << k % cols << ',' << o.labels[i] << '\n';
    }
    write_file_atomically(replace_extension(path, ".txt"), listing.str());
  }
}

void write_predictions_csv(const std::string& path, const std::vector<int64_t>& labels,
                           const std::vector<int64_t>& ids, const std::string& header) {
  EMBER_CHECK(ids.empty() || ids.size() == labels.size(), ValueError,
              "write_predictions_csv: ", ids.size(), " ids for ", labels.size(), " predictions");
  std::string out = header + "\n";
  for (size_t i = 0; i < labels.size(); ++i) {
    out += std::to_string(ids.empty() ? static_cast<int64_t>(i) : ids[i]);
    out += ',';
    out += std::to_string(labels[i]);
    out += '\n';
  }
  write_file_atomically(path, out);
}

void write_predictions_csv(const std::string& path, const Tensor& predictions,
                           const std::vector<int64_t>& ids, const std::string& header) {
  EMBER_CHECK(predictions.defined() && predictions.dim() == 1, ShapeError,
              "write_predictions_csv: expected predictions [N] (class indices), got ",
              predictions.defined() ? predictions.shape() : Shape{});
  std::vector<int64_t> labels;
  for (float v : predictions.to_vector()) labels.push_back(static_cast<int64_t>(std::lround(v)));
  write_predictions_csv(path, labels, ids, header);
}

}  // namespace ember::data
