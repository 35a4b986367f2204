// image_io.hpp — decoding PNG / BMP into tensors and writing PNGs.
//
// Decoding goes through stb_image, writing through stb_image_write (both from
// libstb-dev, compiled into ember once, with internal linkage, in
// image_io.cpp). Images are [C, H, W] floats in [0, 1]: byte / 255 on the way
// in, round(clamp(x, 0, 1) * 255) on the way out. JPEG is refused with a
// DataError: Debian's stb_image 2.27 reads out of bounds on some corrupt
// JPEGs (fixed upstream in 2.28), see image_io.cpp.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "../autograd/tensor.hpp"

namespace ember::data {

// PNG or BMP. channels: 1 (gray), 3 (RGB), or 0 for what the file holds (gray or RGB;
// alpha is dropped). An undecodable image or one beyond 2^28 bytes decoded is
// a DataError naming `name` and stb's reason.
Tensor decode_image(std::span<const uint8_t> bytes, const std::string& name, int64_t channels = 0);
Tensor read_image(const std::string& path, int64_t channels = 0);

// image [C, H, W] with C = 1 (gray) or 3 (RGB), values in [0, 1]. Written
// atomically (temporary file, then rename).
std::string encode_png(const Tensor& image);
void write_png(const std::string& path, const Tensor& image);

}  // namespace ember::data
