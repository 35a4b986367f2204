// image_io.cpp — see image_io.hpp. The one place stb's implementations are compiled.
//
// STB_*_STATIC gives them internal linkage, so they cannot clash with another
// copy (libstb.so, or a user's own) in the same program. Only the formats
// ember documents are compiled in: less code to trust with untrusted files.
#define STB_IMAGE_IMPLEMENTATION
#define STB_IMAGE_STATIC
#define STBI_ONLY_PNG
#define STBI_ONLY_BMP
#define STBI_NO_STDIO
#define STBI_MAX_DIMENSIONS (1 << 15)
// stb's asserts guard "cannot happen" states that corrupt files can reach;
// an assert would abort a debug build. Release builds compile them out; this
// makes every build behave like them: stb fails or returns a garbage image.
#define STBI_ASSERT(x) ((void)0)
#include <stb/stb_image.h>

#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STB_IMAGE_WRITE_STATIC
#define STBI_WRITE_NO_STDIO
#include <stb/stb_image_write.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <cmath>
#include <memory>
#include <vector>

#include "../tensor/atomic_file.hpp"
#include "../tensor/kernels.hpp"
#include "file_io.hpp"
#include "image_io.hpp"

namespace ember::data {
namespace {

// Decoded 8-bit size above which an image is refused before stb allocates it.
constexpr int64_t kMaxDecodedBytes = int64_t{1} << 28;

struct StbFree {
  void operator()(stbi_uc* p) const { stbi_image_free(p); }
};

// stb 2.27 grows its buffer for a PNG's compressed data (IDAT) to the length
// a chunk declares before checking that many bytes exist, so a 100-byte file
// can make it allocate 2 GiB (fuzz_image found it). Every chunk (length,
// type, data, CRC) must fit in the file, up to the IEND chunk.
void check_png_chunks(std::span<const uint8_t> b, const std::string& name) {
  size_t pos = 8;  // after the signature
  while (pos + 8 <= b.size()) {
    const uint64_t length = uint64_t{b[pos]} << 24 | uint64_t{b[pos + 1]} << 16 |
                            uint64_t{b[pos + 2]} << 8 | uint64_t{b[pos + 3]};
    const std::string type(reinterpret_cast<const char*>(b.data()) + pos + 4, 4);
    const uint64_t left = b.size() - pos;
    EMBER_CHECK(12 + length <= left, DataError, name, ": the PNG chunk '", type, "' at byte ", pos,
                " declares ", length, " data bytes but only ", left, " bytes remain in the file");
    if (type == "IEND") return;
    pos += 12 + static_cast<size_t>(length);
  }
}

// Refuses a header that promises more pixels than the file can hold. stb
// reads zeros past the end of a BMP instead of failing, so a 54-byte
// file claiming 2307x16386 pixels would "decode" into a 113 MB blank image
// (fuzz_image found that as a timeout).
void check_pixels_fit(std::span<const uint8_t> b, int64_t w, int64_t h, const std::string& name) {
  auto le = [&](size_t at, int n) {
    uint64_t v = 0;
    for (int k = n - 1; k >= 0; --k) {
      const size_t i = at + static_cast<size_t>(k);
      v = v << 8 | (i < b.size() ? b[i] : 0);  // stb reads 0 past the end too
    }
    return v;
  };
  const uint64_t have = b.size();
  if (b.size() >= 2 && b[0] == 'B' && b[1] == 'M') {
    // Uncompressed rows (stb refuses RLE), each padded to 4 bytes, after the pixel-data offset.
    const uint64_t offset = le(10, 4);
    const uint64_t bpp = le(14, 4) == 12 ? le(24, 2) : le(28, 2);
    const uint64_t need =
        offset + (static_cast<uint64_t>(w) * bpp + 31) / 32 * 4 * static_cast<uint64_t>(h);
    EMBER_CHECK(need <= have, DataError, name, ": the BMP header promises ", w, "x", h,
                " pixels at ", bpp, " bits (", need, " bytes) but the file holds ", have, " bytes");
  } else if (b[0] == 0x89) {
    // PNG pixels are deflated: at most ~1032 bytes out per byte in, and a
    // 1-bit image packs 8 pixels per byte. stb checks the exact size, but
    // only after allocating the whole output; this refuses absurd headers first.
    EMBER_CHECK(w * h <= 8 * 1032 * static_cast<int64_t>(have) + (int64_t{1} << 20), DataError,
                name, ": a ", w, "x", h, " PNG cannot fit in ", have,
                " bytes; the file is truncated or corrupt");
  }
}

}  // namespace

Tensor decode_image(std::span<const uint8_t> bytes, const std::string& name, int64_t channels) {
  EMBER_CHECK(channels == 0 || channels == 1 || channels == 3, ValueError,
              "decode_image: channels must be 0, 1 or 3, got ", channels);
  EMBER_CHECK(!bytes.empty() && bytes.size() <= INT_MAX, DataError, name,
              ": unreadable image: ", bytes.size(), " bytes, expected a PNG or BMP file");
  // JPEG is compiled out of stb: Debian's stb_image 2.27 reads out of bounds
  // (SEGV under fuzz_image) on some corrupt JPEGs, a bug fixed only in 2.28.
  // stb treats anything starting with FF as a possible JPEG (fill bytes may
  // precede the FF D8 marker). Re-enable with a fixed stb (STBI_ONLY_JPEG).
  EMBER_CHECK(bytes[0] != 0xFF, DataError, name,
              ": JPEG images are not supported by this build of ember (the stb_image 2.27 "
              "decoder is unsafe on corrupt JPEGs); convert them to PNG");
  const uint8_t png_signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  if (bytes.size() >= 8 && std::equal(png_signature, png_signature + 8, bytes.begin())) {
    check_png_chunks(bytes, name);
  }
  const auto* data = reinterpret_cast<const stbi_uc*>(bytes.data());
  const int len = static_cast<int>(bytes.size());
  int w = 0, h = 0, stored = 0;
  EMBER_CHECK(stbi_info_from_memory(data, len, &w, &h, &stored), DataError, name,
              ": unreadable image (", stbi_failure_reason(), "); expected a PNG or BMP file");
  const int want = channels > 0 ? static_cast<int>(channels) : (stored <= 2 ? 1 : 3);
  // stb's info pass does not range-check sizes, and gives a top-down BMP's
  // height negative (its loader takes the absolute value).
  h = static_cast<int>(std::min<int64_t>(std::abs(int64_t{h}), INT_MAX));
  EMBER_CHECK(w > 0 && h > 0 && w <= STBI_MAX_DIMENSIONS && h <= STBI_MAX_DIMENSIONS, DataError,
              name, ": unreadable image (its header gives ", w, "x", h, " pixels)");
  EMBER_CHECK(int64_t{w} * h * std::max(stored, want) <= kMaxDecodedBytes, DataError, name,
              ": image of ", w, "x", h, " pixels is larger than the ", kMaxDecodedBytes,
              "-byte limit");
  check_pixels_fit(bytes, w, h, name);
  std::unique_ptr<stbi_uc, StbFree> pixels(stbi_load_from_memory(data, len, &w, &h, &stored, want));
  EMBER_CHECK(pixels != nullptr, DataError, name, ": unreadable image (", stbi_failure_reason(),
              "); expected a PNG or BMP file");
  // stb gives interleaved H x W x C bytes; ember wants planar [C, H, W].
  Tensor image = Tensor::empty({want, h, w});
  const int64_t plane = int64_t{w} * h;
  float* dst = image.data();
  for (int64_t c = 0; c < want; ++c) {
    for (int64_t i = 0; i < plane; ++i)
      dst[c * plane + i] = static_cast<float>(pixels.get()[i * want + c]) / 255.0f;
  }
  return image;
}

Tensor read_image(const std::string& path, int64_t channels) {
  return decode_image(io::read_file(path), path, channels);
}

std::string encode_png(const Tensor& image) {
  EMBER_CHECK(image.defined() && image.dim() == 3 && (image.size(0) == 1 || image.size(0) == 3) &&
                  image.size(1) > 0 && image.size(2) > 0,
              ShapeError, "write_png: expected an image [1 or 3, H, W], got ",
              image.defined() ? image.shape() : Shape{});
  const Tensor x = kernels::contiguous(image);
  const int64_t c = x.size(0), h = x.size(1), w = x.size(2), plane = h * w;
  std::vector<uint8_t> interleaved(static_cast<size_t>(c * plane));
  for (int64_t ch = 0; ch < c; ++ch) {
    for (int64_t i = 0; i < plane; ++i) {
      float v = std::clamp(x.data()[ch * plane + i], 0.0f, 1.0f);
      interleaved[static_cast<size_t>(i * c + ch)] = static_cast<uint8_t>(std::lround(v * 255.0f));
    }
  }
  std::string png;
  auto append = [](void* context, void* data, int size) {
    static_cast<std::string*>(context)->append(static_cast<const char*>(data),
                                               static_cast<size_t>(size));
  };
  int ok = stbi_write_png_to_func(append, &png, static_cast<int>(w), static_cast<int>(h),
                                  static_cast<int>(c), interleaved.data(), static_cast<int>(w * c));
  EMBER_CHECK(ok, DataError, "write_png: stb could not encode a ", x.shape(), " image");
  return png;
}

void write_png(const std::string& path, const Tensor& image) {
  write_file_atomically(path, encode_png(image));
}

}  // namespace ember::data
