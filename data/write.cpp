// write.cpp — see write.hpp.
#include "write.hpp"

#include <stb/stb_easy_font.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <sstream>

#include "../tensor/atomic_file.hpp"
#include "../tensor/kernels.hpp"
#include "image_io.hpp"

namespace ember::data {
namespace {

constexpr int64_t kCaptionHeight = 12;  // stb_easy_font glyphs are 7-8 px tall

// Draws `text` in black into the region [x0, x0 + width) x [y0, y0 + kCaptionHeight)
// of a planar [C, H, W] canvas. stb_easy_font turns text into axis-aligned
// quads; each is filled and clipped to the region.
void draw_text(Tensor& canvas, std::string text, int64_t x0, int64_t y0, int64_t width) {
  // Drop characters until the caption fits the tile.
  while (!text.empty() && stb_easy_font_width(text.data()) > width) text.pop_back();
  if (text.empty()) return;
  struct Vertex {
    float x, y, z;
    unsigned char color[4];
  };
  std::vector<Vertex> vertices(text.size() * 4 * 70);  // ~70 quads per glyph is plenty
  unsigned char black[4] = {0, 0, 0, 255};
  int quads = stb_easy_font_print(0.0f, 2.0f, text.data(), black, vertices.data(),
                                  static_cast<int>(vertices.size() * sizeof(Vertex)));
  const int64_t c = canvas.size(0), h = canvas.size(1), w = canvas.size(2);
  for (int q = 0; q < quads; ++q) {
    const Vertex* v = &vertices[static_cast<size_t>(q) * 4];
    int64_t xa = x0 + static_cast<int64_t>(v[0].x), xb = x0 + static_cast<int64_t>(v[2].x);
    int64_t ya = y0 + static_cast<int64_t>(v[0].y), yb = y0 + static_cast<int64_t>(v[2].y);
    xa = std::max(xa, x0), xb = std::min({xb, x0 + width, w});
    ya = std::max(ya, y0), yb = std::min({yb, y0 + kCaptionHeight, h});
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t y = ya; y < yb; ++y)
        for (int64_t x = xa; x < xb; ++x) canvas.data()[(ch * h + y) * w + x] = 0.0f;
  }
}

std::string replace_extension(const std::string& path, const char* ext) {
  return std::filesystem::path(path).replace_extension(ext).string();
}

}  // namespace

void save_image_grid(const std::string& path, const Tensor& images, const GridOptions& o) {
  EMBER_CHECK(images.defined() && images.dim() == 4 &&
                  (images.size(1) == 1 || images.size(1) == 3) && images.size(0) > 0,
              ShapeError, "save_image_grid: expected images [N > 0, 1 or 3, H, W], got ",
              images.defined() ? images.shape() : Shape{});
  EMBER_CHECK(o.columns > 0 && o.padding >= 0 && o.scale > 0, ValueError,
              "save_image_grid: need columns > 0, padding >= 0, scale > 0; got ", o.columns, ", ",
              o.padding, ", ", o.scale);
  EMBER_CHECK(o.labels.empty() || static_cast<int64_t>(o.labels.size()) == images.size(0),
              ValueError, "save_image_grid: ", o.labels.size(), " labels for ", images.size(0),
              " images");
  const Tensor x = kernels::contiguous(images);
  const int64_t n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
  const bool captions = o.draw_labels && !o.labels.empty();
  const int64_t tile_w = w * o.scale, tile_h = h * o.scale + (captions ? kCaptionHeight : 0);
  const int64_t cols = std::min(o.columns, n), rows = (n + cols - 1) / cols;
  const int64_t width = cols * tile_w + (cols + 1) * o.padding;
  const int64_t height = rows * tile_h + (rows + 1) * o.padding;
  Tensor canvas = Tensor::full({c, height, width}, 1.0f);
  std::ostringstream listing;
  for (int64_t i = 0; i < n; ++i) {
    const int64_t row = i / cols, col = i % cols;
    const int64_t x0 = o.padding + col * (tile_w + o.padding),
                  y0 = o.padding + row * (tile_h + o.padding);
    for (int64_t ch = 0; ch < c; ++ch) {
      const float* src = x.data() + ((i * c + ch) * h) * w;
      float* dst = canvas.data() + ch * height * width;
      for (int64_t y = 0; y < h * o.scale; ++y)
        for (int64_t xx = 0; xx < w * o.scale; ++xx)
          dst[(y0 + y) * width + x0 + xx] = src[(y / o.scale) * w + xx / o.scale];
    }
    if (captions) draw_text(canvas, o.labels[static_cast<size_t>(i)], x0, y0 + h * o.scale, tile_w);
    if (!o.labels.empty())
      listing << i << ',' << row << ',' << col << ',' << o.labels[static_cast<size_t>(i)] << '\n';
  }
  write_png(path, canvas);
  if (o.list_labels && !o.labels.empty()) {
    write_file_atomically(replace_extension(path, ".txt"),
                          "index,row,column,label\n" + listing.str());
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
