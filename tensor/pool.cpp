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
#include <algorithm>
#include <cmath>
#include <limits>

#include "kernels.hpp"
#include "runtime/cpu_features.hpp"
#include "runtime/parallel.hpp"

#if defined(__x86_64__)
#include <immintrin.h>
#define EMBER_POOL_AVX512 1
#endif

namespace ember::kernels {
namespace {

// Planes per thread below which pooling stays on one thread.
constexpr int64_t kPlaneGrain = 16;

struct PoolShape {
  int64_t planes, h, w, oh, ow;
  Shape out_shape;
};

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
  EMBER_CHECK(s.h >= 1 && s.w >= 1 && g.kernel_h <= s.h + 2 * g.pad_h && g.kernel_w <= s.w + 2 * g.pad_w, ShapeError, op,
              ": kernel ", g.kernel_h, "x", g.kernel_w, " does not fit the padded input ",
              s.h + 2 * g.pad_h, "x", s.w + 2 * g.pad_w, " (input ", input, ", padding ",
              g.pad_h, "x", g.pad_w, ")");
  s.oh = (s.h + 2 * g.pad_h - g.kernel_h) / g.stride_h + 1;
  s.ow = (s.w + 2 * g.pad_w - g.kernel_w) / g.stride_w + 1;
  s.out_shape = input;
  s.out_shape[nd - 2] = s.oh, s.out_shape[nd - 1] = s.ow;
  return s;
}

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

// The tutorials' MaxPool2 (2x2 windows, stride 2, no padding) on one plane.
// Winners in real data are unpredictable, so this avoids branches: the max
// comes from maxss and the winner's offset from conditional moves (`v < m ?
// keep : take`, scanned backwards so the first maximum wins). NaN, which must
// win as in the generic loop, is rare: a NaN sum sends the window to the
// generic rule. About 6x faster than the branchy window loop.
void max_pool_2x2(const float* plane, int64_t width, int64_t oh_n, int64_t ow_n, float* val,
                  float* idx) {
  for (int64_t oh = 0; oh < oh_n; ++oh, val += ow_n, idx += ow_n) {
    const float* r0 = plane + 2 * oh * width;
    const float* r1 = r0 + width;
    for (int64_t ow = 0; ow < ow_n; ++ow) {
      const float a = r0[2 * ow], b = r0[2 * ow + 1], c = r1[2 * ow], d = r1[2 * ow + 1];
      float m = std::max(std::max(a, b), std::max(c, d));
      int64_t at = width + 1;
      at = c < m ? at : width;
      at = b < m ? at : 1;
      at = a < m ? at : 0;
      if (std::isnan(a + b + c + d)) {  // a NaN (or inf - inf): the generic rule
        const float v[4] = {a, b, c, d};
        const int64_t off[4] = {0, 1, width, width + 1};
        m = a, at = 0;
        for (int i = 1; i < 4; ++i)
          if (v[i] > m || v[i] != v[i]) m = v[i], at = off[i];
      }
      val[ow] = m;
      idx[ow] = static_cast<float>(2 * oh * width + 2 * ow + at);
    }
  }
}

#ifdef EMBER_POOL_AVX512
// The first `count` of 16 lanes (none for count <= 0): a row's last vector.
inline __mmask16 first_lanes(int64_t count) {
  return static_cast<__mmask16>(count >= 16 ? 0xffff : (1u << std::max<int64_t>(count, 0)) - 1u);
}

// Sixteen 2x2 stride-2 windows side by side in a plane `width` floats wide,
// one per lane: where each one's top-left pixel is, and the offsets of its
// other three pixels from there (the indices max pooling reports).
struct Windows16 {
  __m512i twice_lane;  // 0, 2, ..., 30: lane l's window starts 2l floats along the row
  __m512i right, below, below_right;
};
[[gnu::target("avx512f")]] inline Windows16 windows16(int64_t width) {
  return {_mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30),
          _mm512_set1_epi32(1), _mm512_set1_epi32(static_cast<int>(width)),
          _mm512_set1_epi32(static_cast<int>(width + 1))};
}
// The top-left pixels of windows (oh, ow + lane), as offsets in the plane.
[[gnu::target("avx512f")]] inline __m512i top_lefts(const Windows16& w, int64_t width, int64_t oh,
                                                    int64_t ow) {
  return _mm512_add_epi32(_mm512_set1_epi32(static_cast<int>(2 * oh * width + 2 * ow)),
                          w.twice_lane);
}

// Lanes where v > m or v is NaN take v and its offset. (A function, not a
// lambda: a lambda does not inherit its enclosing function's target.)
[[gnu::target("avx512f")]] inline void take_greater_or_nan(__m512 v, __m512i offset, __m512& m,
                                                           __m512i& at) {
  const __mmask16 wins =
      _mm512_cmp_ps_mask(v, m, _CMP_GT_OQ) | _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q);
  m = _mm512_mask_mov_ps(m, wins, v);
  at = _mm512_mask_mov_epi32(at, wins, offset);
}

// max_pool_2x2 sixteen windows at a time. Each window takes the generic
// loop's rule lane by lane (b, c, d in turn replace the running max where
// they are greater or NaN), which is max_pool_2x2's result too: the first
// maximum where there is no NaN, else the last NaN; the same values and
// indices bit for bit (tests/tensor/test_pool.cpp). Rows of any width: the
// last vector of a row is masked, so the CIFAR-10 model's rows of 15
// windows take one vector. Planes below 2^31 pixels (32-bit indices).
[[gnu::target("avx512f")]] void max_pool_2x2_avx512(const float* plane, int64_t width,
                                                    int64_t oh_n, int64_t ow_n, float* val,
                                                    float* idx) {
  const Windows16 w = windows16(width);
  // the even and the odd floats of two vectors (32 floats: 16 windows' columns)
  const __m512i even = w.twice_lane, odd = _mm512_add_epi32(even, _mm512_set1_epi32(1));
  for (int64_t oh = 0; oh < oh_n; ++oh, val += ow_n, idx += ow_n) {
    const float* r0 = plane + 2 * oh * width;
    const float* r1 = r0 + width;
    for (int64_t ow = 0; ow < ow_n; ow += 16) {
      const int64_t n = std::min<int64_t>(16, ow_n - ow);  // windows: 2n floats of each row
      const __mmask16 first16 = first_lanes(2 * n), next16 = first_lanes(2 * n - 16);
      const __m512 t0 = _mm512_maskz_loadu_ps(first16, r0 + 2 * ow);
      const __m512 t1 = _mm512_maskz_loadu_ps(next16, r0 + 2 * ow + 16);
      const __m512 u0 = _mm512_maskz_loadu_ps(first16, r1 + 2 * ow);
      const __m512 u1 = _mm512_maskz_loadu_ps(next16, r1 + 2 * ow + 16);
      __m512 m = _mm512_permutex2var_ps(t0, even, t1);  // a: top left
      __m512i at = _mm512_setzero_si512();
      take_greater_or_nan(_mm512_permutex2var_ps(t0, odd, t1), w.right, m, at);  // b
      take_greater_or_nan(_mm512_permutex2var_ps(u0, even, u1), w.below, m, at);  // c
      take_greater_or_nan(_mm512_permutex2var_ps(u0, odd, u1), w.below_right, m, at);  // d
      const __m512i index = _mm512_add_epi32(top_lefts(w, width, oh, ow), at);
      const __mmask16 out = first_lanes(n);
      _mm512_mask_storeu_ps(val + ow, out, m);
      // (the masked conversion: GCC 12 warns about the plain one's undefined pass-through)
      _mm512_mask_storeu_ps(idx + ow, out, _mm512_maskz_cvtepi32_ps(0xffff, index));
    }
  }
}

// max_pool_2x2's backward on one plane, writing every pixel once instead of
// zeroing the plane and scattering: sixteen windows at a time, each
// gradient put at its winner's place in the window's 2x2 block and zeros
// at the other three (as 0 + g, so -0 becomes +0 as in the scatter). The
// column and row that odd widths and heights leave out are zeroed. False
// (the plane partly written) where an index is not one of its window's
// four pixels: the caller then zeroes and scatters.
[[gnu::target("avx512f")]] bool max_pool_2x2_backward_avx512(const float* gy, const float* where,
                                                             int64_t height, int64_t width,
                                                             int64_t oh_n, int64_t ow_n,
                                                             float* dx) {
  const Windows16 w = windows16(width);
  // [e0, o0, e1, o1, ...]: lanes 0-7 of two vectors interleaved, and lanes 8-15
  const __m512i low = _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
  const __m512i high = _mm512_add_epi32(low, _mm512_set1_epi32(8));
  const __m512 zero = _mm512_setzero_ps();
  for (int64_t oh = 0; oh < oh_n; ++oh, gy += ow_n, where += ow_n) {
    float* r0 = dx + 2 * oh * width;
    float* r1 = r0 + width;
    for (int64_t ow = 0; ow < ow_n; ow += 16) {
      const int64_t n = std::min<int64_t>(16, ow_n - ow);
      const __mmask16 out = first_lanes(n), first16 = first_lanes(2 * n),
                      next16 = first_lanes(2 * n - 16);
      const __m512 g = _mm512_maskz_loadu_ps(out, gy + ow);
      const __m512i index =
          _mm512_maskz_cvttps_epi32(0xffff, _mm512_maskz_loadu_ps(out, where + ow));
      const __m512i at = _mm512_sub_epi32(index, top_lefts(w, width, oh, ow));
      const __mmask16 tl = _mm512_cmpeq_epi32_mask(at, _mm512_setzero_si512());
      const __mmask16 tr = _mm512_cmpeq_epi32_mask(at, w.right);
      const __mmask16 bl = _mm512_cmpeq_epi32_mask(at, w.below);
      const __mmask16 br = _mm512_cmpeq_epi32_mask(at, w.below_right);
      if (((tl | tr | bl | br) & out) != out) return false;
      const __m512 top_even = _mm512_add_ps(_mm512_maskz_mov_ps(tl, g), zero);
      const __m512 top_odd = _mm512_add_ps(_mm512_maskz_mov_ps(tr, g), zero);
      const __m512 bottom_even = _mm512_add_ps(_mm512_maskz_mov_ps(bl, g), zero);
      const __m512 bottom_odd = _mm512_add_ps(_mm512_maskz_mov_ps(br, g), zero);
      _mm512_mask_storeu_ps(r0 + 2 * ow, first16, _mm512_permutex2var_ps(top_even, low, top_odd));
      _mm512_mask_storeu_ps(r0 + 2 * ow + 16, next16,
                            _mm512_permutex2var_ps(top_even, high, top_odd));
      _mm512_mask_storeu_ps(r1 + 2 * ow, first16,
                            _mm512_permutex2var_ps(bottom_even, low, bottom_odd));
      _mm512_mask_storeu_ps(r1 + 2 * ow + 16, next16,
                            _mm512_permutex2var_ps(bottom_even, high, bottom_odd));
    }
    if (width > 2 * ow_n) r0[width - 1] = r1[width - 1] = 0.0f;  // odd width: the last column
  }
  if (height > 2 * oh_n)  // odd height: the last row
    std::fill(dx + (height - 1) * width, dx + height * width, 0.0f);
  return true;
}
#endif

// Average pooling without padding, one plane (2x2 windows with stride 1 or
// 2 have their own loops, below): the window loops go outside and the loop
// over a row of outputs inside. Each output still sums its window row by
// row, left to right, as the generic loop. kStrideW > 0 fixes the
// horizontal stride at compile time (0: g.stride_w at run time): with the
// stride a run-time value GCC built every vector from four scalar loads,
// and LeNet-5's AvgPool 2 stride 1 ran at 0.9 G outputs/s (0.34 ms
// forward, 0.56 backward per batch of 64).
template <int64_t kStrideW>
void avg_pool_unpadded(const float* plane, const PoolShape& s, const Pool2dGeometry& g,
                       float scale, float* y) {
  const int64_t sw = kStrideW > 0 ? kStrideW : g.stride_w;
  for (int64_t oh = 0; oh < s.oh; ++oh, y += s.ow) {
    std::fill(y, y + s.ow, 0.0f);
    for (int64_t i = 0; i < g.kernel_h; ++i) {
      const float* row = plane + (oh * g.stride_h + i) * s.w;
      for (int64_t j = 0; j < g.kernel_w; ++j)
        for (int64_t ow = 0; ow < s.ow; ++ow) y[ow] += row[ow * sw + j];
    }
    for (int64_t ow = 0; ow < s.ow; ++ow) y[ow] *= scale;
  }
}

// Its adjoint: every output's dout * scale added onto its window's pixels.
template <int64_t kStrideW>
void avg_pool_unpadded_backward(const float* gy, const PoolShape& s, const Pool2dGeometry& g,
                                float scale, float* plane) {
  const int64_t sw = kStrideW > 0 ? kStrideW : g.stride_w;
  std::fill(plane, plane + s.h * s.w, 0.0f);
  for (int64_t oh = 0; oh < s.oh; ++oh, gy += s.ow)
    for (int64_t i = 0; i < g.kernel_h; ++i) {
      float* row = plane + (oh * g.stride_h + i) * s.w;
      for (int64_t j = 0; j < g.kernel_w; ++j)
        for (int64_t ow = 0; ow < s.ow; ++ow) row[ow * sw + j] += gy[ow] * scale;
    }
}

// The tutorials' AvgPool 2 (2x2 windows, stride 1 or 2, no padding), one
// plane: each output from its four pixels in a single pass, summed in the
// order of the loops above (so the results are the same, bit for bit); the
// row-by-row passes above spent their time starting 27-wide loops.
template <int64_t kStride>
void avg_pool_2x2(const float* plane, const PoolShape& s, const Pool2dGeometry&, float scale,
                  float* y) {
  for (int64_t oh = 0; oh < s.oh; ++oh, y += s.ow) {
    const float* r0 = plane + oh * kStride * s.w;
    const float* r1 = r0 + s.w;
    for (int64_t ow = 0; ow < s.ow; ++ow) {
      const int64_t a = ow * kStride;
      y[ow] = ((((0.0f + r0[a]) + r0[a + 1]) + r1[a]) + r1[a + 1]) * scale;
    }
  }
}

// Its adjoint, in the same order as avg_pool_unpadded_backward: with stride
// 2 each pixel takes one share (0 + share, as there); with stride 1, output
// row oh adds to plane rows oh and oh + 1, pixel w taking dout[w] (the
// window's left column) and then dout[w - 1] (its right), in one pass.
template <int64_t kStride>
void avg_pool_2x2_backward(const float* gy, const PoolShape& s, const Pool2dGeometry&,
                           float scale, float* plane) {
  std::fill(plane, plane + s.h * s.w, 0.0f);
  for (int64_t oh = 0; oh < s.oh; ++oh, gy += s.ow)
    for (int64_t i = 0; i < 2; ++i) {
      float* row = plane + (oh * kStride + i) * s.w;
      if constexpr (kStride == 2) {
        for (int64_t ow = 0; ow < s.ow; ++ow) {
          const float share = 0.0f + gy[ow] * scale;
          row[2 * ow] = share, row[2 * ow + 1] = share;
        }
      } else {
        row[0] += gy[0] * scale;
        for (int64_t w = 1; w < s.ow; ++w) row[w] = (row[w] + gy[w] * scale) + gy[w - 1] * scale;
        row[s.ow] += gy[s.ow - 1] * scale;
      }
    }
}

// One unpadded plane, forward or backward: (plane or dout, shape, geometry, 1/k, out).
using AvgPlaneFn = void (*)(const float*, const PoolShape&, const Pool2dGeometry&, float, float*);
bool is_avg_2x2(const Pool2dGeometry& g) {
  return g.kernel_h == 2 && g.kernel_w == 2 && g.stride_h == g.stride_w && g.stride_w <= 2;
}
AvgPlaneFn avg_pool_plane(const Pool2dGeometry& g) {
  if (is_avg_2x2(g)) return g.stride_w == 1 ? avg_pool_2x2<1> : avg_pool_2x2<2>;
  return g.stride_w == 1   ? avg_pool_unpadded<1>
         : g.stride_w == 2 ? avg_pool_unpadded<2>
                           : avg_pool_unpadded<0>;
}
AvgPlaneFn avg_pool_plane_backward(const Pool2dGeometry& g) {
  if (is_avg_2x2(g)) return g.stride_w == 1 ? avg_pool_2x2_backward<1> : avg_pool_2x2_backward<2>;
  return g.stride_w == 1   ? avg_pool_unpadded_backward<1>
         : g.stride_w == 2 ? avg_pool_unpadded_backward<2>
                           : avg_pool_unpadded_backward<0>;
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
  // planes (6 windows a row) it was slower than the scatter (bench_kernels,
  // 0.057 -> 0.076 ms), on rows of 14-16 it is up to 2x faster.
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
