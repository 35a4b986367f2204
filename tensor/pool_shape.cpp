// pool_shape.cpp — see pool_shape.hpp.
#include "pool_shape.hpp"

namespace ember::kernels {

PoolShape check_pool(const char* op, const Shape& input, const Pool2dGeometry& g) {
  EMBER_CHECK(g.kernel_h >= 1 && g.kernel_w >= 1 && g.stride_h >= 1 && g.stride_w >= 1,
              ValueError, op, ": kernel and stride must be >= 1, got kernel ", g.kernel_h, "x",
              g.kernel_w, " stride ", g.stride_h, "x", g.stride_w);
  EMBER_CHECK(g.pad_h >= 0 && g.pad_w >= 0 && 2 * g.pad_h <= g.kernel_h &&
                  2 * g.pad_w <= g.kernel_w,
              ValueError, op, ": padding must be between 0 and half the kernel, got padding ",
              g.pad_h, "x", g.pad_w, " for kernel ", g.kernel_h, "x", g.kernel_w);
  EMBER_CHECK(input.size() == 3 || input.size() == 4, ShapeError, op,
              ": input must be [N, C, H, W] or [C, H, W], got ", input);
  const size_t nd = input.size();
  PoolShape s{};
  s.h = input[nd - 2], s.w = input[nd - 1];
  s.planes = shape_numel(Shape(input.begin(), input.end() - 2));
  // Non-empty planes keep every window non-empty (see the padding rule above).
  EMBER_CHECK(s.h >= 1 && s.w >= 1 && g.kernel_h <= s.h + 2 * g.pad_h &&
                  g.kernel_w <= s.w + 2 * g.pad_w,
              ShapeError, op, ": kernel ", g.kernel_h, "x", g.kernel_w,
              " does not fit the padded input ", s.h + 2 * g.pad_h, "x", s.w + 2 * g.pad_w,
              " (input ", input, ", padding ", g.pad_h, "x", g.pad_w, ")");
  s.oh = (s.h + 2 * g.pad_h - g.kernel_h) / g.stride_h + 1;
  s.ow = (s.w + 2 * g.pad_w - g.kernel_w) / g.stride_w + 1;
  s.out_shape = input;
  s.out_shape[nd - 2] = s.oh, s.out_shape[nd - 1] = s.ow;
  return s;
}

}  // namespace ember::kernels
