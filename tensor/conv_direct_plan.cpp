// conv_direct_plan.cpp — the direct convolution's planning: where each tap
// and each output pixel reads the padded image, the padding copy, the weight's
// packed layout, which (pixel, tap) pairs read real pixels and when column
// passes pay, the AVX-512 row kernel's tiles, and the cache size that decides
// streaming stores. Plain C++: none of it runs per multiply-add.
#include <algorithm>
#include <cstring>
#include <fstream>
#include <string>

#include "conv_direct_tiles.hpp"

namespace ember::kernels::direct {

void tap_offsets(const Plan& plan, int32_t* offsets) {
  for (int64_t k = 0; k < plan.taps(); ++k) {
    const Tap t = tap(plan, k);
    offsets[k] = static_cast<int32_t>((t.c * plan.hp() + t.i * plan.g.dilation_h) * plan.wp() +
                                      t.j * plan.g.dilation_w);
  }
}

int64_t weight_column(const Plan& plan, int64_t k) {
  const Tap t = tap(plan, k);
  return (t.c * plan.kh + t.i) * plan.kw + t.j;
}

void pixel_offsets(const Plan& plan, int32_t* offsets) {
  for (int64_t oh = 0; oh < plan.oh; ++oh)
    for (int64_t ow = 0; ow < plan.ow; ++ow)
      *offsets++ = static_cast<int32_t>(oh * plan.g.stride_h * plan.wp() + ow * plan.g.stride_w);
}

const float* pad_image(const Plan& plan, const float* image, float* scratch,
                       bool border_zeroed) {
  if (!plan.padded()) return image;
  const int64_t hp = plan.hp(), wp = plan.wp(), ph = plan.g.pad_h, pw = plan.g.pad_w;
  for (int64_t c = 0; c < plan.c; ++c) {
    float* plane = scratch + c * hp * wp;
    if (!border_zeroed) {
      std::fill(plane, plane + ph * wp, 0.0f);                       // top rows
      std::fill(plane + (ph + plan.h) * wp, plane + hp * wp, 0.0f);  // bottom rows
    }
    for (int64_t y = 0; y < plan.h; ++y) {
      float* row = plane + (y + ph) * wp;
      if (!border_zeroed) {
        std::fill(row, row + pw, 0.0f);
        std::fill(row + pw + plan.w, row + wp, 0.0f);
      }
      std::memcpy(row + pw, image + (c * plan.h + y) * plan.w,
                  static_cast<size_t>(plan.w) * sizeof(float));
    }
  }
  return scratch;
}

int64_t last_level_cache_bytes() {
  static const int64_t bytes = [] {
    int64_t largest = 0;
    for (int i = 0; i < 8; ++i) {
      std::ifstream file("/sys/devices/system/cpu/cpu0/cache/index" + std::to_string(i) +
                         "/size");
      int64_t size = 0;
      char unit = 'K';
      if (!(file >> size)) break;
      file >> unit;
      largest = std::max(largest, size << (unit == 'M' ? 20 : unit == 'G' ? 30 : 10));
    }
    return largest > 0 ? largest : int64_t{32} << 20;
  }();
  return bytes;
}

void pack_weight(const Plan& plan, const float* weight, int64_t out_channels, float* panels) {
  const int64_t k = plan.taps(), width = panel_width(out_channels);
  if (row_kernel_applies(plan, out_channels)) {
    const RowGroups groups(out_channels);
    for (int64_t g = 0; g < groups.count; ++g)
      for (int64_t t = 0; t < k; ++t) {
        const int64_t column = weight_column(plan, t);
        for (int64_t o = groups.first(g); o < groups.first(g) + groups.size(g); ++o)
          *panels++ = weight[o * k + column];
      }
    return;
  }
  for (int64_t o0 = 0; o0 < out_channels; o0 += width)
    for (int64_t t = 0; t < k; ++t) {
      const int64_t column = weight_column(plan, t);
      for (int64_t o = o0; o < o0 + width; ++o)
        *panels++ = o < out_channels ? weight[o * k + column] : 0.0f;
    }
}

namespace {

// (output column, kernel column) pairs that read real columns: OW * kw at most.
int64_t real_column_pairs(const Plan& plan) {
  int64_t pairs = 0;
  for (int64_t j = 0; j < plan.kw; ++j) {
    const Range r = output_columns(plan, j);
    pairs += r.hi - r.lo;
  }
  return pairs;
}

}  // namespace

int64_t visited_taps(const Plan& plan) {
  int64_t rows = 0;  // (output row, kernel row) pairs visited
  for (int64_t oh = 0; oh < plan.oh; ++oh) {
    const Range r = kernel_rows(plan, oh);
    rows += r.hi - r.lo;
  }
  return rows * (plan.column_passes ? real_column_pairs(plan) : plan.ow * plan.kw);
}

bool column_passes_pay(const Plan& plan, int64_t out_channels) {
  return !row_kernel_applies(plan, out_channels) &&
         4 * real_column_pairs(plan) <= 3 * plan.ow * plan.kw;
}

std::vector<FlatTile> flat_tiles(const Plan& plan, int64_t out_channels) {
  std::vector<FlatTile> tiles;
  if (!row_kernel_applies(plan, out_channels) || !avx512_enabled()) return tiles;
  const int64_t p = plan.pixels(), src_ld = plan.g.stride_h * plan.wp();
  const int64_t row_taps = plan.c * plan.kw;
  const auto mask = [](int64_t lanes) { return static_cast<uint16_t>((1u << lanes) - 1u); };
  for (int64_t q0 = 0; q0 < p; q0 += 32) {
    FlatTile t{};
    for (int j = 0; j < 2 && q0 + 16 * j < p; ++j) {
      const int64_t q = q0 + 16 * j, r = q / plan.ow, c = q % plan.ow;
      const int64_t split = std::min<int64_t>(16, plan.ow - c);
      const int64_t valid = std::min<int64_t>(16, p - q);
      t.a[j] = static_cast<int32_t>(r * src_ld + c);
      t.in_a[j] = mask(std::min(split, valid));
      t.in_b[j] = static_cast<uint16_t>(mask(valid) & ~t.in_a[j]);
      // lane l >= split is pixel (r + 1, l - split): b[l] = row r + 1's [l - split]
      t.b[j] = t.in_b[j] ? static_cast<int32_t>((r + 1) * src_ld - split) : t.a[j];
    }
    // The tile's pixels span output rows first..last; kernel rows that read
    // only the border for all of them contribute nothing.
    const int64_t last = std::min(q0 + 32, p) - 1;
    const int64_t lo = kernel_rows(plan, last / plan.ow).lo;
    const int64_t hi = std::max(lo, kernel_rows(plan, q0 / plan.ow).hi);
    t.first = static_cast<int32_t>(lo * row_taps);
    t.count = static_cast<int32_t>((hi - lo) * row_taps);
    tiles.push_back(t);
  }
  return tiles;
}

}  // namespace ember::kernels::direct
