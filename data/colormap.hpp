// colormap.hpp — colormaps: a number in [0, 1] to a colour. Single-channel
// images (save_image_grid's colormap option) and heat maps (train/heatmap.hpp)
// are drawn through them.
//
//   data::Rgb c = data::colormap_rgb(data::Colormap::Viridis, 0.5f);  // teal
//
// Viridis is matplotlib's default: perceptually uniform (equal steps in value
// look like equal steps in colour), readable by colour-blind readers and in
// grayscale print, dark purple at 0 to yellow at 1.
#pragma once

#include <string>

namespace ember::data {

enum class Colormap {
  Gray,     // black at 0, white at 1
  Viridis,  // dark purple, blue, teal, green, yellow
};

struct Rgb {
  float r = 0.0f, g = 0.0f, b = 0.0f;  // each in [0, 1]
};

// The colour of t (clamped to [0, 1]; NaN reads as 0).
Rgb colormap_rgb(Colormap map, float t);

// "gray" or "viridis" (ValueError otherwise): for command lines.
Colormap colormap_from_name(const std::string& name);

}  // namespace ember::data
