// pool_reference.cpp — max and average pooling from the definition: every
// window walked whole, every tap tested for padding (-inf for the max, 0 for
// the average). The judges pool.cpp's loops are tested against.
#include <algorithm>
#include <limits>

#include "kernels.hpp"
#include "pool_shape.hpp"

namespace ember::kernels {

// The references walk the full, unclipped window and test every tap for padding.
Tensor max_pool2d_reference(const Tensor& input, const Pool2dGeometry& g) {
  const PoolShape s = check_pool("max_pool2d_reference", input.shape(), g);
  const Tensor x = contiguous(input);
  Tensor out = Tensor::empty(s.out_shape);
  for (int64_t p = 0; p < s.planes; ++p)
    for (int64_t oh = 0; oh < s.oh; ++oh)
      for (int64_t ow = 0; ow < s.ow; ++ow) {
        float best = -std::numeric_limits<float>::infinity();
        for (int64_t i = 0; i < g.kernel_h; ++i)
          for (int64_t j = 0; j < g.kernel_w; ++j) {
            int64_t ih = oh * g.stride_h - g.pad_h + i, iw = ow * g.stride_w - g.pad_w + j;
            if (ih < 0 || ih >= s.h || iw < 0 || iw >= s.w) continue;  // -inf padding
            best = std::max(best, x.data()[(p * s.h + ih) * s.w + iw]);
          }
        out.data()[(p * s.oh + oh) * s.ow + ow] = best;
      }
  return out;
}

Tensor avg_pool2d_reference(const Tensor& input, const Pool2dGeometry& g) {
  const PoolShape s = check_pool("avg_pool2d_reference", input.shape(), g);
  const Tensor x = contiguous(input);
  Tensor out = Tensor::empty(s.out_shape);
  for (int64_t p = 0; p < s.planes; ++p)
    for (int64_t oh = 0; oh < s.oh; ++oh)
      for (int64_t ow = 0; ow < s.ow; ++ow) {
        double sum = 0.0;
        for (int64_t i = 0; i < g.kernel_h; ++i)
          for (int64_t j = 0; j < g.kernel_w; ++j) {
            int64_t ih = oh * g.stride_h - g.pad_h + i, iw = ow * g.stride_w - g.pad_w + j;
            if (ih < 0 || ih >= s.h || iw < 0 || iw >= s.w) continue;  // zero padding
            sum += x.data()[(p * s.h + ih) * s.w + iw];
          }
        out.data()[(p * s.oh + oh) * s.ow + ow] =
            static_cast<float>(sum / static_cast<double>(g.kernel_h * g.kernel_w));
      }
  return out;
}

}  // namespace ember::kernels
