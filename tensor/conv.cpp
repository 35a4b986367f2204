// conv.cpp — 2-D convolution and its two backward products: which way each
// one runs, and the im2col + GEMM way.
//
// The definition, loop by loop, is conv_reference.cpp; the lowering that
// turns it into a matrix product is im2col.cpp. Per image:
//   columns_n [C*kh*kw, OH*OW] = im2col(input_n),  weight [O, C*kh*kw]
//   out_n [O, OH*OW] = weight x columns_n                      (forward)
//   dcolumns [C*kh*kw, OH*OW] = weight^T x dout_n; col2im      (d input)
//   dweight [O, C*kh*kw] += dout_n x columns_n^T, summed over n (d weight)
// The backward products follow from out = W·cols: d cols = W^T·dout and
// d W = dout·cols^T; col2im, im2col's adjoint, carries d cols to d input.
//
// What this file decides, per call:
// - Where the CPU has AVX2 + FMA and the product's output channels come in
//   panels of 16 (or are at most 8), conv2d and the weight gradient skip the
//   lowering altogether: the direct kernels of conv_direct.hpp read the
//   padded image in place (set_direct_conv, EMBER_DIRECT_CONV=0 turn them off).
// - A 1x1 kernel with stride 1 and no padding needs no lowering at all: the
//   image [C, H*W] already is its column matrix.
// - With stride 1, d input may run as the convolution of dout with the
//   rotated kernels instead (backward_input_as_conv), and that lowering of
//   dout also yields d weight (conv2d_backward).
// Images are independent: the batch is split over the thread pool, each
// thread lowering its images into its own scratch (conv_scratch.hpp).
#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "conv_direct.hpp"
#include "conv_scratch.hpp"
#include "conv_shape.hpp"
#include "kernels.hpp"
#include "runtime/cpu_features.hpp"
#include "runtime/gemm_stats.hpp"
#include "runtime/parallel.hpp"

namespace ember::kernels {
namespace {

// The flipped convolution's GEMM has C rows and O*kh*kw inner products, the
// transposed one C*kh*kw rows and O: with few input channels (the first
// layer, LeNet's 6) or more outputs than inputs the transposed one is faster
// (bench_kernels conv2d_backward_input: the flipped one won at 5x5 32->32
// and 3x3 64->64, lost at 5x5 6->16 and 3x3 32->64 'valid', so those keep
// col2im; bench/README.md). The flipped convolution also multiplies over the
// whole H x W input, padding included, where the transposed one works on the
// OH x OW outputs: for a 'valid' convolution with a large kernel that is
// H*W / (OH*OW) times the work (484 / 256 for experiment 001's 7x7 on 22x22,
// whose backward then took nearly twice as long), so it is used only when
// the two differ by at most 1/8.
constexpr int64_t kMinFlipChannels = 16;

// Whether the direct kernels may run: on by default, EMBER_DIRECT_CONV=0 in
// the environment or set_direct_conv(false) turns them off (A/B runs, tests).
std::atomic<bool>& direct_conv_flag() {
  static std::atomic<bool> flag{[] {
    const char* env = std::getenv("EMBER_DIRECT_CONV");
    return !(env && std::strcmp(env, "0") == 0);
  }()};
  return flag;
}

direct::Plan direct_plan(const ConvShape& s, const Conv2dGeometry& g) {
  direct::Plan plan{s.c, s.h, s.w, s.kh, s.kw, s.oh, s.ow, g};
  plan.column_passes = direct::column_passes_pay(plan, s.o);
  return plan;
}

// The direct kernels compute `out_channels` rows of results in panels of 16,
// or up to 8 in one panel of 8 (conv_direct.hpp: panels_fit).
bool direct_applies(const direct::Plan& plan, int64_t out_channels) {
  return direct::panels_fit(out_channels) && plan.fits() && avx2_fma_supported() &&
         direct_conv_flag().load(std::memory_order_relaxed);
}

// The offsets the direct kernels index the padded image with (conv_direct.hpp).
struct DirectOffsets {
  std::vector<int32_t> taps, pixels;
  explicit DirectOffsets(const direct::Plan& plan)
      : taps(static_cast<size_t>(plan.taps())), pixels(static_cast<size_t>(plan.pixels())) {
    direct::tap_offsets(plan, taps.data());
    direct::pixel_offsets(plan, pixels.data());
  }
};

}  // namespace

void set_direct_conv(bool enabled) { direct_conv_flag().store(enabled); }
bool direct_conv_enabled() { return direct_conv_flag().load(); }

Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias,
              const Conv2dGeometry& g, bool relu) {
  const ConvShape s = check_conv("conv2d", input.shape(), weight.shape(), g);
  if (bias.defined())
    EMBER_CHECK(bias.shape() == Shape{s.o}, ShapeError, "conv2d: bias ", bias.shape(),
                " does not match weight ", weight.shape(), ": expected [", s.o, "]");
  const Tensor x = contiguous(input), w = contiguous(weight);
  const Tensor b = bias.defined() ? contiguous(bias) : Tensor();
  Tensor out = Tensor::empty({s.n, s.o, s.oh, s.ow});
  const int64_t k = s.patch(), p = s.pixels(), image = s.c * s.h * s.w;
  const direct::Plan plan = direct_plan(s, g);
  if (direct_applies(plan, s.o)) {
    const DirectOffsets offsets(plan);
    const std::vector<direct::FlatTile> flat = direct::flat_tiles(plan, s.o);
    const bool stream = direct::streams(s.n * s.o * p * int64_t{sizeof(float)});
    Tensor panels = Tensor::empty({direct::panel_rows(s.o), k});
    direct::pack_weight(plan, w.data(), s.o, panels.data());
    detail::parallel_for(s.n, 1, [&](int64_t first, int64_t last, int64_t) {
      float* scratch = plan.padded() ? column_scratch(plan.padded_size()) : nullptr;
      float* stage = column_scratch(direct::panel_rows(s.o) * p, 1);
      for (int64_t n = first; n < last; ++n) {
        // n > first: scratch holds the chunk's previous image, border and all
        const float* padded = direct::pad_image(plan, x.data() + n * image, scratch, n > first);
        GemmTimer timer(false, false, s.o, p, k);  // the GEMM it stands for, for the profiler
        direct::forward(plan, padded, offsets.taps.data(), offsets.pixels.data(),
                        flat.empty() ? nullptr : flat.data(), panels.data(),
                        b.defined() ? b.data() : nullptr, s.o, relu, stream, stage,
                        out.data() + n * s.o * p);
      }
    });
    return out;
  }
  const bool pointwise = s.is_pointwise(g);
  // Images are independent: each chunk of the batch lowers into its own columns.
  detail::parallel_for(s.n, 1, [&](int64_t first, int64_t last, int64_t) {
    float* cols = pointwise ? nullptr : column_scratch(k * p);
    for (int64_t n = first; n < last; ++n) {
      float* y = out.data() + n * s.o * p;
      // The bias enters as GEMM's initial C (beta = 1), saving a pass over y.
      if (b.defined())
        for (int64_t o = 0; o < s.o; ++o) std::fill(y + o * p, y + (o + 1) * p, b.data()[o]);
      const float* src = x.data() + n * image;
      if (!pointwise) {
        im2col(src, s.c, s.h, s.w, s.kh, s.kw, g, cols);
        src = cols;
      }
      sgemm(false, false, s.o, p, k, 1.0f, w.data(), k, src, p, b.defined() ? 1.0f : 0.0f, y, p);
      if (relu)  // while the image's output is still in cache
        for (int64_t i = 0; i < s.o * p; ++i) y[i] = y[i] > 0.0f ? y[i] : 0.0f;
    }
  });
  return out;
}

namespace {

// With stride 1, d input is itself a convolution: input pixel (h, w) received
// weight[o, c, i, j] * x from every output (h - i*dil + pad, w - j*dil + pad),
// so dinput = conv2d(dout, flipped) with flipped[c, o, i, j] =
// weight[o, c, kh-1-i, kw-1-j] and padding dil*(k-1) - pad (output size
// OH + dil*(k-1) - 2 pad = H). That runs as im2col + a plain GEMM instead of
// a transposed GEMM + col2im's scatter-add, and the transposed GEMM's write
// of a zeroed [C*kh*kw, OH*OW] buffer per image goes away.
Conv2dGeometry flipped_geometry(const ConvShape& s, const Conv2dGeometry& g) {
  return {1, 1, g.dilation_h * (s.kh - 1) - g.pad_h, g.dilation_w * (s.kw - 1) - g.pad_w,
          g.dilation_h, g.dilation_w};
}

// The flipped convolution: dout [N, O, OH, OW] in, d input [N, C, H, W] out.
ConvShape flipped_shape(const ConvShape& s) {
  return {s.n, s.o, s.oh, s.ow, s.c, s.kh, s.kw, s.h, s.w};
}

// Which way d input goes. Over im2col + GEMM the flipped convolution
// multiplies H*W pixels by every tap where the transposed GEMM takes OH*OW,
// so it pays only when the two differ by at most 1/8 (and where OpenBLAS
// likes its GEMM shape, see kMinFlipChannels). The direct kernel skips the
// kernel rows that read only dout's zero border (and in column passes the
// columns too, which brings experiment 001's 7x7 'valid' 64->32, 22x22 ->
// 16x16, from 1.38x the transposed GEMM's multiply-adds to 1x), and ran
// faster than the transposed GEMM + col2im even at 1.38x (bench/README.md),
// so there it pays up to 1.5x the work.
bool backward_input_as_conv(const ConvShape& s, const Conv2dGeometry& g) {
  if (g.stride_h != 1 || g.stride_w != 1 || g.pad_h > g.dilation_h * (s.kh - 1) ||
      g.pad_w > g.dilation_w * (s.kw - 1) || s.is_pointwise(g))
    return false;
  const direct::Plan flipped = direct_plan(flipped_shape(s), flipped_geometry(s, g));
  if (direct_applies(flipped, s.c))
    return 2 * direct::visited_taps(flipped) <= 3 * s.pixels() * s.kh * s.kw;
  return s.c >= kMinFlipChannels && s.c >= s.o && 8 * s.h * s.w <= 9 * s.pixels();
}

// [A, B, kh, kw] -> [B, A, kh, kw] with each kernel rotated by 180 degrees.
// Its own inverse: it turns weight into flipped and a flipped gradient back.
Tensor flip_kernels(const float* src, int64_t a_n, int64_t b_n, int64_t kh, int64_t kw) {
  Tensor f = Tensor::empty({b_n, a_n, kh, kw});
  float* dst = f.data();
  for (int64_t a = 0; a < a_n; ++a)
    for (int64_t b = 0; b < b_n; ++b)
      for (int64_t i = 0; i < kh; ++i)
        for (int64_t j = 0; j < kw; ++j)
          dst[((b * a_n + a) * kh + (kh - 1 - i)) * kw + (kw - 1 - j)] =
              src[((a * b_n + b) * kh + i) * kw + j];
  return f;
}

}  // namespace

Tensor conv2d_backward_input(const Tensor& dout, const Tensor& weight, const Shape& input_shape,
                             const Conv2dGeometry& g) {
  const ConvShape s = check_conv("conv2d_backward_input", input_shape, weight.shape(), g);
  check_dout("conv2d_backward_input", dout.shape(), input_shape, weight.shape(), s);
  const Tensor dy = contiguous(dout), w = contiguous(weight);
  if (backward_input_as_conv(s, g))
    return conv2d(dy, flip_kernels(w.data(), s.o, s.c, s.kh, s.kw), Tensor(),
                  flipped_geometry(s, g));
  const int64_t k = s.patch(), p = s.pixels(), image = s.c * s.h * s.w;
  const bool pointwise = s.is_pointwise(g);
  Tensor dinput = Tensor::empty(input_shape);
  detail::parallel_for(s.n, 1, [&](int64_t first, int64_t last, int64_t) {
    float* dcols = pointwise ? nullptr : column_scratch(k * p);
    for (int64_t n = first; n < last; ++n) {
      float* dx = dinput.data() + n * image;
      float* dst = pointwise ? dx : dcols;
      sgemm(true, false, k, p, s.o, 1.0f, w.data(), k, dy.data() + n * s.o * p, p, 0.0f, dst, p);
      if (!pointwise) {
        std::fill(dx, dx + image, 0.0f);  // col2im adds
        col2im(dcols, s.c, s.h, s.w, s.kh, s.kw, g, dx);
      }
    }
  });
  return dinput;
}

namespace {

// The sums over pixels of each channel of packed panels ([panel_rows(o) /
// w][p][w], see direct::pack_panels), added to sums[o] (in double, as
// kernels::sum).
void add_panel_sums(const float* panels, int64_t o, int64_t p, double* sums) {
  const int64_t width = direct::panel_width(o);
  for (int64_t r0 = 0; r0 < o; r0 += width, panels += width * p) {
    double lane[direct::kMaxPanel] = {};
    for (int64_t j = 0; j < p; ++j)
      for (int64_t l = 0; l < width; ++l) lane[l] += panels[j * width + l];
    for (int64_t l = 0; l < std::min(width, o - r0); ++l) sums[r0 + l] += lane[l];
  }
}

// conv2d_backward_weight's body. With relu_out (where the direct kernels
// run; see conv2d_relu_backward), dout is masked by relu_out > 0 as it is
// packed, and with dbias its sums over (n, h, w) come from the same panels.
Tensor weight_grad(const Tensor& dout, const Tensor& input, const Shape& weight_shape,
                   const Conv2dGeometry& g, const Tensor* relu_out, Tensor* dbias) {
  const ConvShape s = check_conv("conv2d_backward_weight", input.shape(), weight_shape, g);
  check_dout("conv2d_backward_weight", dout.shape(), input.shape(), weight_shape, s);
  const Tensor dy = contiguous(dout), x = contiguous(input);
  const Tensor keep = relu_out ? contiguous(*relu_out) : Tensor();
  const int64_t k = s.patch(), p = s.pixels(), image = s.c * s.h * s.w;
  const bool pointwise = s.is_pointwise(g);
  // dweight sums over images: chunk 0 accumulates into the result, every other
  // chunk into a partial of its own, added afterwards in chunk order (so the
  // sum is the same run to run).
  const int64_t chunks = detail::chunk_count(s.n, 1);
  std::vector<Tensor> partial(static_cast<size_t>(chunks));
  for (Tensor& t : partial) t = Tensor::zeros(weight_shape);
  std::vector<std::vector<double>> bias_sums(dbias ? static_cast<size_t>(chunks) : 0,
                                             std::vector<double>(static_cast<size_t>(s.o)));
  const direct::Plan plan = direct_plan(s, g);
  if (direct_applies(plan, s.o)) {
    const DirectOffsets offsets(plan);
    detail::parallel_for(s.n, 1, [&](int64_t first, int64_t last, int64_t chunk) {
      float* scratch = plan.padded() ? column_scratch(plan.padded_size()) : nullptr;
      // dout_n^T in panels of 16 (or 8, or 32) channels
      float* panels = column_scratch(direct::panel_rows(s.o) * p, 1);
      // the chunk's dweight in the same panel layout (conv_direct.hpp)
      const int64_t packed_size = direct::panel_rows(s.o) * k;
      float* packed = column_scratch(packed_size, 2);
      std::fill(packed, packed + packed_size, 0.0f);
      for (int64_t n = first; n < last; ++n) {
        direct::pack_panels(dy.data() + n * s.o * p, s.o, p, panels,
                            relu_out ? keep.data() + n * s.o * p : nullptr);
        if (dbias) add_panel_sums(panels, s.o, p, bias_sums[static_cast<size_t>(chunk)].data());
        // n > first: scratch holds the chunk's previous image, border and all
        const float* padded = direct::pad_image(plan, x.data() + n * image, scratch, n > first);
        GemmTimer timer(false, true, s.o, k, p);
        direct::weight_grad(plan, padded, offsets.taps.data(), offsets.pixels.data(), panels, s.o,
                            packed);
      }
      direct::unpack_weight_grad(plan, packed, s.o, partial[static_cast<size_t>(chunk)].data());
    });
  } else {
    EMBER_CHECK(!relu_out && !dbias, ValueError,
                "conv2d_backward_weight: relu's mask and dbias need the direct kernels");
    detail::parallel_for(s.n, 1, [&](int64_t first, int64_t last, int64_t chunk) {
      float* cols = pointwise ? nullptr : column_scratch(k * p);
      float* dw = partial[static_cast<size_t>(chunk)].data();
      for (int64_t n = first; n < last; ++n) {
        const float* src = x.data() + n * image;
        if (!pointwise) {
          im2col(src, s.c, s.h, s.w, s.kh, s.kw, g, cols);
          src = cols;
        }
        sgemm(false, true, s.o, k, p, 1.0f, dy.data() + n * s.o * p, p, src, p, 1.0f, dw, k);
      }
    });
  }
  Tensor dweight = partial[0];
  float* total = dweight.data();
  for (size_t c = 1; c < partial.size(); ++c) {
    const float* part = partial[c].data();
    for (int64_t i = 0, n = dweight.numel(); i < n; ++i) total[i] += part[i];
  }
  if (dbias) {
    *dbias = Tensor::empty({s.o});
    for (int64_t o = 0; o < s.o; ++o) {
      double sum = 0.0;
      for (const std::vector<double>& part : bias_sums) sum += part[static_cast<size_t>(o)];
      dbias->data()[o] = static_cast<float>(sum);
    }
  }
  return dweight;
}

// relu's gradient: g where out > 0, else 0 (out and g of one shape).
Tensor relu_mask(const Tensor& g, const Tensor& out) {
  const Tensor gc = contiguous(g), oc = contiguous(out);
  Tensor masked = Tensor::empty(g.shape());
  const float *pg = gc.data(), *po = oc.data();
  float* pm = masked.data();
  detail::parallel_for(masked.numel(), 1 << 15, [&](int64_t lo, int64_t hi, int64_t) {
    // Both loads unconditional: a load under the condition kept GCC from
    // vectorizing, and the branch on random signs mispredicts half the time.
    for (int64_t i = lo; i < hi; ++i) {
      const float gi = pg[i], oi = po[i];
      pm[i] = oi > 0.0f ? gi : 0.0f;
    }
  });
  return masked;
}

}  // namespace

Tensor conv2d_backward_weight(const Tensor& dout, const Tensor& input, const Shape& weight_shape,
                              const Conv2dGeometry& g) {
  return weight_grad(dout, input, weight_shape, g, nullptr, nullptr);
}

// Where the flipped convolution computes d input, its lowering of dout also
// gives d weight: with cols = im2col(dout_n) under the flipped geometry,
//   cols[(o, i', j'), (h, w)] = dout_n[o, h + i' dil - pad', w + j' dil - pad']
// and pad' = dil (k-1) - pad, the product x_n [C, H*W] x cols^T is
//   sum_hw x_n[c, h, w] dout_n[o, h - (k-1-i') dil + pad, ...]
// = dweight[o, c, k-1-i', k-1-j'] (substitute oh = h - i dil + pad in the
// definition), i.e. the flipped layout of dweight. One im2col per image
// serves both products, instead of one of dout and one of the input.
Conv2dGrads conv2d_backward(const Tensor& dout, const Tensor& input, const Tensor& weight,
                            const Conv2dGeometry& g, bool need_input, bool need_weight) {
  const ConvShape s = check_conv("conv2d_backward", input.shape(), weight.shape(), g);
  check_dout("conv2d_backward", dout.shape(), input.shape(), weight.shape(), s);
  // With the direct kernels neither product needs dout's lowering, so there
  // is nothing to share: d input runs as the flipped convolution
  // (conv2d_backward_input), d weight from the input in place.
  const bool flip = need_input && need_weight && backward_input_as_conv(s, g);
  const bool both_direct =
      flip && direct_applies(direct_plan(s, g), s.o) &&
      direct_applies(direct_plan(flipped_shape(s), flipped_geometry(s, g)), s.c);
  if (!flip || both_direct)
    return {need_input ? conv2d_backward_input(dout, weight, input.shape(), g) : Tensor(),
            need_weight ? conv2d_backward_weight(dout, input, weight.shape(), g) : Tensor(),
            Tensor()};
  const Tensor dy = contiguous(dout), x = contiguous(input), w = contiguous(weight);
  const Tensor flipped = flip_kernels(w.data(), s.o, s.c, s.kh, s.kw);  // [C, O, kh, kw]
  const Conv2dGeometry fg = flipped_geometry(s, g);
  const int64_t k = s.o * s.kh * s.kw, p = s.h * s.w, image = s.c * p;
  Tensor dinput = Tensor::empty(input.shape());
  const int64_t chunks = detail::chunk_count(s.n, 1);
  std::vector<Tensor> partial(static_cast<size_t>(chunks));  // flipped dweight per chunk
  for (Tensor& t : partial) t = Tensor::zeros({s.c, k});
  detail::parallel_for(s.n, 1, [&](int64_t first, int64_t last, int64_t chunk) {
    float* cols = column_scratch(k * p);
    float* dwf = partial[static_cast<size_t>(chunk)].data();
    for (int64_t n = first; n < last; ++n) {
      im2col(dy.data() + n * s.o * s.oh * s.ow, s.o, s.oh, s.ow, s.kh, s.kw, fg, cols);
      sgemm(false, false, s.c, p, k, 1.0f, flipped.data(), k, cols, p, 0.0f,
            dinput.data() + n * image, p);
      sgemm(false, true, s.c, k, p, 1.0f, x.data() + n * image, p, cols, p, 1.0f, dwf, k);
    }
  });
  float* total = partial[0].data();
  for (size_t c = 1; c < partial.size(); ++c) {
    const float* part = partial[c].data();
    for (int64_t i = 0, n = s.c * k; i < n; ++i) total[i] += part[i];
  }
  return {dinput, flip_kernels(total, s.c, s.o, s.kh, s.kw), Tensor()};
}

Conv2dGrads conv2d_relu_backward(const Tensor& dout, const Tensor& out, const Tensor& input,
                                 const Tensor& weight, const Conv2dGeometry& g, bool need_input,
                                 bool need_weight, bool need_bias) {
  const ConvShape s = check_conv("conv2d_relu_backward", input.shape(), weight.shape(), g);
  const Shape expected{s.n, s.o, s.oh, s.ow};
  EMBER_CHECK(dout.shape() == expected && out.shape() == expected, ShapeError,
              "conv2d_relu_backward: dout ", dout.shape(), " and out ", out.shape(),
              " must both be ", expected, " for input ", input.shape(), " and weight ",
              weight.shape());
  if (!need_input && need_weight && direct_applies(direct_plan(s, g), s.o)) {
    Conv2dGrads d;
    d.dweight = weight_grad(dout, input, weight.shape(), g, &out, need_bias ? &d.dbias : nullptr);
    return d;
  }
  const Tensor masked = relu_mask(dout, out);
  Conv2dGrads d = conv2d_backward(masked, input, weight, g, need_input, need_weight);
  if (need_bias) d.dbias = sum(masked, {0, 2, 3});
  return d;
}

}  // namespace ember::kernels
