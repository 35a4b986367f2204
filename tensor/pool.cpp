// pool.cpp — max and average pooling over the last two dims, and zero padding.
//
// Inputs are [N, C, H, W] or [C, H, W]; every leading index names one
// independent H x W plane. Output size per spatial dim (PyTorch's floor mode):
// (H + 2*pad - kernel) / stride + 1.
//
// Max pooling: padding is -inf, so it is never selected; with pad <= kernel/2
// (checked, as PyTorch does) every window holds at least one real pixel. The
// winner's flat position h*W + w in its plane is kept; the backward routes
// each output gradient to that one pixel (the max is locally the identity on
// the winner and constant in the others).
// Average pooling divides by kernel_h*kernel_w, padding zeros included
// (PyTorch's count_include_pad=True), so out = sum(window)/k and the
// backward spreads dout/k evenly over the window's real pixels.
//
// This file splits the planes over the thread pool and holds the generic
// loops, for any window and padding; unpadded planes take the fast loops of
// pool_planes.cpp (2x2 windows, AVX-512 for the max), and pool_reference.cpp
// has the definitions loop by loop.
#include <algorithm>
#include <vector>

#include "kernels.hpp"
#include "pool_planes.hpp"
#include "pool_shape.hpp"
#include "runtime/cpu_features.hpp"
#include "runtime/parallel.hpp"

namespace ember::kernels {
namespace {

// Planes per thread below which pooling stays on one thread.
constexpr int64_t kPlaneGrain = 16;

// A window's rows or columns clipped to the real pixels [0, size).
struct Span {
  int64_t lo, hi;
};
// Precomputed once per call, so the per-window work is only the window itself.
std::vector<Span> window_spans(int64_t out, int64_t stride, int64_t pad, int64_t kernel,
                               int64_t size) {
  std::vector<Span> spans(static_cast<size_t>(out));
  for (int64_t o = 0; o < out; ++o) {
    int64_t start = o * stride - pad;
    spans[static_cast<size_t>(o)] = {std::max<int64_t>(start, 0),
                                     std::min<int64_t>(start + kernel, size)};
  }
  return spans;
}

}  // namespace

ValuesIndices max_pool2d(const Tensor& input, const Pool2dGeometry& g) {
  const PoolShape s = check_pool("max_pool2d", input.shape(), g);
  const Tensor x = contiguous(input);
  Tensor values = Tensor::empty(s.out_shape), indices = Tensor::empty(s.out_shape);
  if (g.kernel_h == 2 && g.kernel_w == 2 && g.stride_h == 2 && g.stride_w == 2 && g.pad_h == 0 &&
      g.pad_w == 0) {
    auto* pool_plane = max_pool_2x2;
#ifdef EMBER_POOL_AVX512
    if (avx512_enabled() && s.h * s.w < (int64_t{1} << 31))
      pool_plane = max_pool_2x2_avx512;
#endif
    detail::parallel_for(s.planes, kPlaneGrain, [&](int64_t lo, int64_t hi, int64_t) {
      for (int64_t p = lo; p < hi; ++p)
        pool_plane(x.data() + p * s.h * s.w, s.w, s.oh, s.ow, values.data() + p * s.oh * s.ow,
                   indices.data() + p * s.oh * s.ow);
    });
    return {values, indices};
  }
  const std::vector<Span> rows = window_spans(s.oh, g.stride_h, g.pad_h, g.kernel_h, s.h);
  const std::vector<Span> cols = window_spans(s.ow, g.stride_w, g.pad_w, g.kernel_w, s.w);
  detail::parallel_for(s.planes, kPlaneGrain, [&](int64_t lo, int64_t hi, int64_t) {
    float* val = values.data() + lo * s.oh * s.ow;
    float* idx = indices.data() + lo * s.oh * s.ow;
    for (int64_t p = lo; p < hi; ++p) {
      const float* plane = x.data() + p * s.h * s.w;
      for (const Span& r : rows)
        for (const Span& c : cols) {
          int64_t best_at = r.lo * s.w + c.lo;
          float best = plane[best_at];
          for (int64_t ih = r.lo; ih < r.hi; ++ih)
            for (int64_t iw = c.lo; iw < c.hi; ++iw) {
              const float v = plane[ih * s.w + iw];
              if (v > best || v != v) best = v, best_at = ih * s.w + iw;  // NaN propagates
            }
          *val++ = best;
          *idx++ = static_cast<float>(best_at);
        }
    }
  });
  return {values, indices};
}

Tensor max_pool2d_backward(const Tensor& dout, const Tensor& indices, const Shape& input_shape) {
  EMBER_CHECK(dout.shape() == indices.shape(), ShapeError, "max_pool2d_backward: dout ",
              dout.shape(), " and indices ", indices.shape(), " differ");
  EMBER_CHECK((input_shape.size() == 3 || input_shape.size() == 4) &&
                  dout.dim() == static_cast<int64_t>(input_shape.size()) &&
                  std::equal(input_shape.begin(), input_shape.end() - 2, dout.shape().begin()),
              ShapeError, "max_pool2d_backward: dout ", dout.shape(),
              " does not pool input ", input_shape);
  const int64_t plane_size = input_shape.end()[-2] * input_shape.end()[-1];
  const int64_t out_plane = dout.shape().end()[-2] * dout.shape().end()[-1];
  EMBER_CHECK(plane_size <= (int64_t{1} << 24), ShapeError,
              "max_pool2d_backward: a plane of ", plane_size,
              " pixels is too large for float indices (max 2^24)");
  const Tensor dy = contiguous(dout), at = contiguous(indices);
  Tensor dinput = out_plane == 0 ? Tensor::zeros(input_shape) : Tensor::empty(input_shape);
  const int64_t planes = out_plane == 0 ? 0 : dy.numel() / out_plane;
  // A 2x2 stride-2 pool's shape (by far the tutorials' most common) may take
  // the block-writing loop, which checks that each index is in its window.
  // Not for rows of fewer than 8 windows: on the CIFAR-10 model's 13 x 13
  // planes (6 windows a row) it was slower than the scatter, on rows of
  // 14-16 faster (bench_kernels max_pool2d_2x2_backward; bench/README.md).
#ifdef EMBER_POOL_AVX512
  const int64_t h = input_shape.end()[-2], w = input_shape.end()[-1];
  const int64_t oh = dout.shape().end()[-2], ow = dout.shape().end()[-1];
  const bool blocks = oh == h / 2 && ow == w / 2 && ow >= 8 && avx512_enabled();
#endif
  detail::parallel_for(planes, kPlaneGrain, [&](int64_t lo, int64_t hi, int64_t) {
    for (int64_t p = lo; p < hi; ++p) {
      float* dx = dinput.data() + p * plane_size;
      const float* g = dy.data() + p * out_plane;
      const float* where = at.data() + p * out_plane;
#ifdef EMBER_POOL_AVX512
      if (blocks && max_pool_2x2_backward_avx512(g, where, h, w, oh, ow, dx)) continue;
#endif
      std::fill(dx, dx + plane_size, 0.0f);
      for (int64_t j = 0; j < out_plane; ++j) {
        const auto i = static_cast<int64_t>(where[j]);
        EMBER_CHECK(i >= 0 && i < plane_size, IndexError, "max_pool2d_backward: index ", i,
                    " outside the plane of ", plane_size, " pixels");
        dx[i] += g[j];
      }
    }
  });
  return dinput;
}

Tensor avg_pool2d(const Tensor& input, const Pool2dGeometry& g) {
  const PoolShape s = check_pool("avg_pool2d", input.shape(), g);
  const Tensor x = contiguous(input);
  Tensor out = Tensor::empty(s.out_shape);
  const std::vector<Span> rows = window_spans(s.oh, g.stride_h, g.pad_h, g.kernel_h, s.h);
  const std::vector<Span> cols = window_spans(s.ow, g.stride_w, g.pad_w, g.kernel_w, s.w);
  const float scale = 1.0f / static_cast<float>(g.kernel_h * g.kernel_w);
  if (g.pad_h == 0 && g.pad_w == 0) {  // every window inside the plane: no clipping
    const AvgPlaneFn pool = avg_pool_plane(g);
    detail::parallel_for(s.planes, kPlaneGrain, [&](int64_t lo, int64_t hi, int64_t) {
      for (int64_t p = lo; p < hi; ++p)
        pool(x.data() + p * s.h * s.w, s, g, scale, out.data() + p * s.oh * s.ow);
    });
    return out;
  }
  detail::parallel_for(s.planes, kPlaneGrain, [&](int64_t lo, int64_t hi, int64_t) {
    float* y = out.data() + lo * s.oh * s.ow;
    for (int64_t p = lo; p < hi; ++p) {
      const float* plane = x.data() + p * s.h * s.w;
      for (const Span& r : rows)
        for (const Span& c : cols) {
          float sum = 0.0f;
          for (int64_t ih = r.lo; ih < r.hi; ++ih)
            for (int64_t iw = c.lo; iw < c.hi; ++iw) sum += plane[ih * s.w + iw];
          *y++ = sum * scale;
        }
    }
  });
  return out;
}

Tensor avg_pool2d_backward(const Tensor& dout, const Shape& input_shape,
                           const Pool2dGeometry& g) {
  const PoolShape s = check_pool("avg_pool2d_backward", input_shape, g);
  EMBER_CHECK(dout.shape() == s.out_shape, ShapeError, "avg_pool2d_backward: dout ",
              dout.shape(), " does not match input ", input_shape, ": expected ", s.out_shape);
  const Tensor dy = contiguous(dout);
  Tensor dinput = Tensor::empty(input_shape);
  const std::vector<Span> rows = window_spans(s.oh, g.stride_h, g.pad_h, g.kernel_h, s.h);
  const std::vector<Span> cols = window_spans(s.ow, g.stride_w, g.pad_w, g.kernel_w, s.w);
  const float scale = 1.0f / static_cast<float>(g.kernel_h * g.kernel_w);
  if (g.pad_h == 0 && g.pad_w == 0) {
    const AvgPlaneFn spread = avg_pool_plane_backward(g);
    detail::parallel_for(s.planes, kPlaneGrain, [&](int64_t lo, int64_t hi, int64_t) {
      for (int64_t p = lo; p < hi; ++p)
        spread(dy.data() + p * s.oh * s.ow, s, g, scale, dinput.data() + p * s.h * s.w);
    });
    return dinput;
  }
  detail::parallel_for(s.planes, kPlaneGrain, [&](int64_t lo, int64_t hi, int64_t) {
    const float* gy = dy.data() + lo * s.oh * s.ow;
    for (int64_t p = lo; p < hi; ++p) {
      float* plane = dinput.data() + p * s.h * s.w;
      std::fill(plane, plane + s.h * s.w, 0.0f);
      for (const Span& r : rows)
        for (const Span& c : cols) {
          const float share = *gy++ * scale;
          for (int64_t ih = r.lo; ih < r.hi; ++ih)
            for (int64_t iw = c.lo; iw < c.hi; ++iw) plane[ih * s.w + iw] += share;
        }
    }
  });
  return dinput;
}

// Shapes: [..., H, W] -> [..., top + H + bottom, left + W + right].
Tensor pad2d(const Tensor& input, int64_t left, int64_t right, int64_t top, int64_t bottom) {
  EMBER_CHECK(input.dim() >= 2, ShapeError, "pad2d: input must have at least 2 dims, got ",
              input.shape());
  EMBER_CHECK(left >= 0 && right >= 0 && top >= 0 && bottom >= 0, ValueError,
              "pad2d: padding must be >= 0, got (left, right, top, bottom) = (", left, ", ",
              right, ", ", top, ", ", bottom, ")");
  const Tensor x = contiguous(input);
  const int64_t h = x.shape().end()[-2], w = x.shape().end()[-1];
  Shape out_shape = x.shape();
  const int64_t oh = top + h + bottom, ow = left + w + right;
  out_shape.end()[-2] = oh, out_shape.end()[-1] = ow;
  Tensor out = Tensor::zeros(out_shape);
  const int64_t planes = h * w == 0 ? 0 : x.numel() / (h * w);
  for (int64_t p = 0; p < planes; ++p)
    for (int64_t ih = 0; ih < h; ++ih) {
      const float* src = x.data() + (p * h + ih) * w;
      std::copy(src, src + w, out.data() + (p * oh + top + ih) * ow + left);
    }
  return out;
}

}  // namespace ember::kernels
