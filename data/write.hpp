// write.hpp — files for people to look at or submit: an image grid PNG and a
// predictions CSV.
//
//   data::save_image_grid("samples.png", batch.images, {.labels = names});
//   data::save_image_grid("predictions.png", images,
//                         {.labels = predicted_names, .correct = right});  // blue / red
//   data::write_predictions_csv("submission.csv", predicted, test.ids());
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "../autograd/tensor.hpp"
#include "colormap.hpp"

namespace ember::data {

// Caption colours for GridOptions::correct: a right prediction in blue, a
// wrong one in red (as in the TensorFlow classification tutorial's grids).
inline constexpr Rgb kCaptionRight = {0.0f, 0.2f, 0.8f};
inline constexpr Rgb kCaptionWrong = {0.8f, 0.0f, 0.0f};

struct GridOptions {
  int64_t columns = 8;                   // tiles per row
  int64_t padding = 2;                   // background pixels around tiles
  int64_t scale = 2;                     // each pixel drawn as scale x scale (nearest)
  std::vector<std::string> labels = {};  // one caption per image, optional
  bool draw_labels = true;               // a caption strip under each tile
  bool list_labels = false;  // also write "<path without .png>.txt": index,row,column,label
  std::vector<Rgb> caption_colors = {};  // one per image; default black
  std::vector<bool> correct = {};        // one per image: caption in kCaptionRight / kCaptionWrong
  Colormap colormap = Colormap::Gray;    // how single-channel images are drawn
  int64_t max_caption_lines = 3;         // a long caption wraps onto at most this many lines
};

// images [N, C, H, W] (C = 1 or 3, values in [0, 1]) as one image [C', H', W']:
// row-major tiles on a white background, each with its caption centred under
// it (stb_easy_font). A caption wider than its tile wraps at spaces, '-' and
// '/' (inside a word when it must) and never draws outside the tile; the
// caption strip is as tall as the most lines any caption needs. The result is
// gray (C' = 1) unless the images are RGB, a colormap other than Gray is
// chosen, or a caption is coloured.
Tensor image_grid(const Tensor& images, const GridOptions& options = {});

// image_grid(images, options) as a PNG, written atomically.
void save_image_grid(const std::string& path, const Tensor& images,
                     const GridOptions& options = {});

// "id,label" then one row per prediction. ids defaults to 0..N-1; when given it
// must have one id per label. Written atomically.
void write_predictions_csv(const std::string& path, const std::vector<int64_t>& labels,
                           const std::vector<int64_t>& ids = {},
                           const std::string& header = "id,label");
// predictions: [N] class indices as floats (e.g. x.argmax(1)).
void write_predictions_csv(const std::string& path, const Tensor& predictions,
                           const std::vector<int64_t>& ids = {},
                           const std::string& header = "id,label");

}  // namespace ember::data
