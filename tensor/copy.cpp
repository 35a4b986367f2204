// copy.cpp — copies between layouts: contiguous(), clone(), copy().
//
// copy() walks both operands with strided_loop (src broadcast to dst's
// shape), so any view can be copied into any other; a row that is
// contiguous on both sides is one std::copy_n.
#include <algorithm>

#include "kernels.hpp"
#include "strided_loop.hpp"

namespace ember::kernels {

Tensor contiguous(const Tensor& x) { return x.is_contiguous() ? x.detach() : clone(x); }

Tensor clone(const Tensor& x) {
  Tensor out = Tensor::empty(x.shape());
  copy(out, x);
  return out;
}

void copy(const Tensor& dst, const Tensor& src) {
  Shape b = broadcast_shapes(dst.shape(), src.shape(), "copy");
  EMBER_CHECK(b == dst.shape(), ShapeError, "copy: cannot copy shape ", src.shape(),
              " into shape ", dst.shape());
  float* d = dst.storage()->data;
  const float* s = src.storage()->data;
  detail::strided_loop<2>(
      dst.shape(), {dst.strides(), broadcast_strides(src.shape(), src.strides(), dst.shape())},
      {dst.offset(), src.offset()},
      [&](std::array<int64_t, 2> off, int64_t n, std::array<int64_t, 2> st) {
        float* dp = d + off[0];
        const float* sp = s + off[1];
        if (st[0] == 1 && st[1] == 1)
          std::copy_n(sp, n, dp);
        else
          for (int64_t i = 0; i < n; ++i) dp[i * st[0]] = sp[i * st[1]];
      });
}

}  // namespace ember::kernels
