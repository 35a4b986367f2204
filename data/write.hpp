// write.hpp — files for people to look at or submit: an image grid PNG and a
// predictions CSV.
//
//   data::save_image_grid("samples.png", batch.images, {.labels = names});
//   data::write_predictions_csv("submission.csv", predicted, test.ids());
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "../autograd/tensor.hpp"

namespace ember::data {

struct GridOptions {
  int64_t columns = 8;                   // tiles per row
  int64_t padding = 2;                   // background pixels around tiles
  int64_t scale = 2;                     // each pixel drawn as scale x scale (nearest)
  std::vector<std::string> labels = {};  // one caption per image, optional
  bool draw_labels = true;               // a caption strip under each tile
  bool list_labels = false;  // also write "<path without .png>.txt": index,row,column,label
};

// images [N, C, H, W] (C = 1 or 3, values in [0, 1]) as one PNG, row-major
// tiles on a white background, captions in black (stb_easy_font; clipped to
// the tile's width). Written atomically.
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
