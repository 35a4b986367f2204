// pool_planes.cpp — see pool_planes.hpp. Each loop gives the same values,
// bit for bit, as pool.cpp's generic loop for its windows (same sums in the
// same order, the same winner): tests/tensor/test_pool.cpp checks it.
#include <algorithm>
#include <cmath>

#include "pool_planes.hpp"

#ifdef EMBER_POOL_AVX512
#include <immintrin.h>
#endif

namespace ember::kernels {

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
namespace {

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

}  // namespace

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

namespace {

// Average pooling without padding, one plane (2x2 windows with stride 1 or
// 2 have their own loops, below): the window loops go outside and the loop
// over a row of outputs inside. Each output still sums its window row by
// row, left to right, as the generic loop. kStrideW > 0 fixes the
// horizontal stride at compile time (0: g.stride_w at run time): with the
// stride a run-time value GCC built every vector from four scalar loads,
// and LeNet-5's AvgPool 2 stride 1 ran several times slower (bench/README.md).
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

bool is_avg_2x2(const Pool2dGeometry& g) {
  return g.kernel_h == 2 && g.kernel_w == 2 && g.stride_h == g.stride_w && g.stride_w <= 2;
}

}  // namespace

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

}  // namespace ember::kernels
