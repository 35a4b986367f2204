// matmul.cpp — matrix products: sgemm on raw buffers, matmul on Tensors.
//
// matmul hands every operand layout it can straight to cblas_sgemm: a
// row-major matrix (strides [ld, 1]) goes as NoTrans, the transpose of one
// (a .t() view, strides [1, ld]) as Trans, so neither is copied. Only layouts
// BLAS cannot describe (no unit stride, e.g. a stepped slice, or a broadcast
// row) are copied first. Batch dims broadcast as in numpy; when the right
// operand is shared by the whole batch and the left one's rows are evenly
// spaced, the batch folds into a single tall GEMM.
//
// Shapes: a [..., m, k] x b [..., k, n] -> [broadcast(...), m, n]; a 1-D
// a [k] is a row [1, k] and a 1-D b [k] a column [k, 1], and the added dim
// is dropped from the result (numpy's rules).
#include <cblas.h>

#include <algorithm>
#include <climits>
#include <optional>

#include "kernels.hpp"
#include "runtime/gemm_stats.hpp"
#include "runtime/parallel.hpp"

namespace ember::kernels {
namespace {

// One operand seen as a batch of rows x cols matrices with element strides.
struct MatrixOperand {
  Tensor tensor;  // keeps the data alive (the input itself or a contiguous copy)
  Shape batch;
  Strides batch_strides;
  int64_t rows = 0, cols = 0, row_stride = 0, col_stride = 0;
};

MatrixOperand describe(const Tensor& x, bool is_lhs) {
  MatrixOperand op;
  op.tensor = x;
  const Shape& s = x.shape();
  const Strides& st = x.strides();
  const size_t nd = s.size();
  if (nd == 1) {  // a row vector on the left, a column vector on the right
    if (is_lhs) {
      op.rows = 1, op.cols = s[0], op.row_stride = std::max<int64_t>(s[0], 1);
      op.col_stride = st[0];
    } else {
      op.rows = s[0], op.cols = 1, op.row_stride = st[0], op.col_stride = 1;
    }
    return op;
  }
  op.batch.assign(s.begin(), s.end() - 2);
  op.batch_strides.assign(st.begin(), st.end() - 2);
  op.rows = s[nd - 2], op.cols = s[nd - 1];
  op.row_stride = st[nd - 2], op.col_stride = st[nd - 1];
  return op;
}

// How BLAS reads a matrix: as stored (NoTrans) or as the transpose of a
// row-major matrix (Trans), with its leading dimension.
struct BlasLayout {
  bool trans;
  int64_t ld;
};

// The stride of a size-1 dim is never used, so it may be anything; BLAS
// still wants ld >= the row length.
std::optional<BlasLayout> blas_layout(const MatrixOperand& op) {
  const int64_t rows = op.rows, cols = op.cols;
  if (op.col_stride == 1 || cols == 1) {
    int64_t ld = rows == 1 ? std::max<int64_t>(cols, 1) : op.row_stride;
    if (ld >= std::max<int64_t>(cols, 1)) return BlasLayout{false, ld};
  }
  if (op.row_stride == 1 || rows == 1) {
    int64_t ld = cols == 1 ? std::max<int64_t>(rows, 1) : op.col_stride;
    if (ld >= std::max<int64_t>(rows, 1)) return BlasLayout{true, ld};
  }
  return std::nullopt;
}

// Shapes of a product, checked once for matmul and matmul_reference.
struct MatmulPlan {
  MatrixOperand a, b;
  Shape batch;      // broadcast batch shape
  Shape out_shape;  // batch + [m] + [n], minus the dims 1-D operands dropped
};

MatmulPlan plan_matmul(const Tensor& a, const Tensor& b) {
  EMBER_CHECK(a.dim() >= 1 && b.dim() >= 1, ShapeError,
              "matmul: both operands need at least 1 dim, got ", a.shape(), " and ", b.shape());
  MatmulPlan p{describe(a, true), describe(b, false), {}, {}};
  EMBER_CHECK(p.a.cols == p.b.rows, ShapeError, "matmul: cannot multiply ", a.shape(), " by ",
              b.shape(), ": inner dims ", p.a.cols, " != ", p.b.rows);
  const Shape& ba = p.a.batch;
  const Shape& bb = p.b.batch;
  const size_t nb = std::max(ba.size(), bb.size());
  p.batch.resize(nb);
  for (size_t i = 0; i < nb; ++i) {
    int64_t sa = i < nb - ba.size() ? 1 : ba[i - (nb - ba.size())];
    int64_t sb = i < nb - bb.size() ? 1 : bb[i - (nb - bb.size())];
    EMBER_CHECK(sa == sb || sa == 1 || sb == 1, ShapeError, "matmul: cannot multiply ",
                a.shape(), " by ", b.shape(), ": batch dims ", ba, " and ", bb,
                " do not broadcast");
    p.batch[i] = sa == 1 ? sb : sa;
  }
  p.out_shape = p.batch;
  if (a.dim() > 1) p.out_shape.push_back(p.a.rows);
  if (b.dim() > 1) p.out_shape.push_back(p.b.cols);
  return p;
}

// Storage offset of every batch entry, in row-major batch order.
std::vector<int64_t> batch_offsets(const MatrixOperand& op, const Shape& batch) {
  Strides st = broadcast_strides(op.batch, op.batch_strides, batch);
  std::vector<int64_t> offsets(static_cast<size_t>(shape_numel(batch)));
  std::vector<int64_t> index;
  for (size_t i = 0; i < offsets.size(); ++i) {
    unravel_index(static_cast<int64_t>(i), batch, index);
    offsets[i] = index_to_offset(index, st, 0);
  }
  return offsets;
}

// When the rows of every batch entry of `a` sit at one common stride,
// [batch..., m, k] reads as one [batch*m, k] matrix: returns that stride.
std::optional<int64_t> folded_row_stride(const MatrixOperand& a, const Shape& batch) {
  Strides st = broadcast_strides(a.batch, a.batch_strides, batch);
  std::optional<int64_t> stride;
  int64_t rows_so_far = 1;
  if (a.rows > 1) stride = a.row_stride, rows_so_far = a.rows;
  for (size_t d = batch.size(); d-- > 0;) {
    if (batch[d] == 1) continue;
    if (!stride) stride = st[d];
    else if (st[d] != *stride * rows_so_far) return std::nullopt;
    rows_so_far *= batch[d];
  }
  if (!stride || *stride < std::max<int64_t>(a.cols, 1)) return std::nullopt;
  return stride;
}

void check_blas_size(int64_t v, const char* what) {
  EMBER_CHECK(v >= 0 && v <= INT_MAX, ValueError, "sgemm: ", what, " = ", v,
              " does not fit BLAS's 32-bit int");
}

}  // namespace

void sgemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha,
           const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c,
           int64_t ldc) {
  EMBER_CHECK(m >= 0 && n >= 0 && k >= 0, ValueError, "sgemm: negative size m=", m, " n=", n,
              " k=", k);
  // Row-major: a row of op(A) is k long unless A is stored transposed, etc.
  EMBER_CHECK(lda >= std::max<int64_t>(1, trans_a ? m : k) &&
                  ldb >= std::max<int64_t>(1, trans_b ? k : n) && ldc >= std::max<int64_t>(1, n),
              ValueError, "sgemm: leading dims lda=", lda, " ldb=", ldb, " ldc=", ldc,
              " too small for m=", m, " n=", n, " k=", k, " trans_a=", trans_a,
              " trans_b=", trans_b);
  if (m == 0 || n == 0) return;
  if (k == 0) {  // C = beta * C; beta == 0 must not read C (it may hold NaNs)
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) c[i * ldc + j] = beta == 0.0f ? 0.0f : beta * c[i * ldc + j];
    return;
  }
  check_blas_size(m, "m"), check_blas_size(n, "n"), check_blas_size(k, "k");
  check_blas_size(lda, "lda"), check_blas_size(ldb, "ldb"), check_blas_size(ldc, "ldc");
  GemmTimer timer(trans_a, trans_b, m, n, k);  // the profiler's counters; a no-op unless on
  // OpenBLAS runs one thread (parallel.hpp): a large product is split over
  // ember's pool instead, into blocks of whole columns of C when C is wide
  // and of whole rows otherwise, each block one single-threaded BLAS call.
  // Blocks are multiples of 16 (whole micro-kernel panels) and carry at least
  // kMinFlops, so the split costs less than it saves. Inside a parallel
  // region (a convolution's per-image products) nothing is split.
  constexpr double kMinFlops = 2e6;
  constexpr int64_t kBlock = 16;
  const bool by_cols = n >= m;
  const int64_t extent = by_cols ? n : m, other = by_cols ? m : n;
  const double unit_flops = 2.0 * static_cast<double>(kBlock * other) * static_cast<double>(k);
  const auto grain = static_cast<int64_t>(kMinFlops / unit_flops) + 1;
  detail::parallel_for((extent + kBlock - 1) / kBlock, grain, [&](int64_t lo, int64_t hi, int64_t) {
    const int64_t first = lo * kBlock, count = std::min(hi * kBlock, extent) - first;
    // Where the block starts in each operand (row-major; a Trans operand is stored transposed).
    const float* a_at = a + (by_cols ? 0 : (trans_a ? first : first * lda));
    const float* b_at = b + (by_cols ? (trans_b ? first * ldb : first) : 0);
    float* c_at = c + (by_cols ? first : first * ldc);
    cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
                trans_b ? CblasTrans : CblasNoTrans, static_cast<int>(by_cols ? m : count),
                static_cast<int>(by_cols ? count : n), static_cast<int>(k), alpha, a_at,
                static_cast<int>(lda), b_at, static_cast<int>(ldb), beta, c_at,
                static_cast<int>(ldc));
  });
}

// The textbook definition, accumulated in double so it can judge the fast path.
void sgemm_reference(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                     const float* a, int64_t lda, const float* b, int64_t ldb, float beta,
                     float* c, int64_t ldc) {
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      double acc = 0.0;
      for (int64_t p = 0; p < k; ++p) {
        float aip = trans_a ? a[p * lda + i] : a[i * lda + p];
        float bpj = trans_b ? b[j * ldb + p] : b[p * ldb + j];
        acc += static_cast<double>(aip) * bpj;
      }
      float prior = beta == 0.0f ? 0.0f : beta * c[i * ldc + j];
      c[i * ldc + j] = static_cast<float>(alpha * acc) + prior;
    }
  }
}

Tensor matmul(const Tensor& a, const Tensor& b) {
  MatmulPlan p = plan_matmul(a, b);
  Tensor out = Tensor::empty(p.out_shape);
  const int64_t m = p.a.rows, n = p.b.cols, k = p.a.cols;
  const int64_t batch = shape_numel(p.batch);
  if (batch == 0 || m == 0 || n == 0) return out;
  if (k == 0) {  // empty sums; and a [m, 0] operand has no layout BLAS accepts
    out.fill_(0.0f);
    return out;
  }

  // Copy only what BLAS cannot read in place.
  std::optional<BlasLayout> la = blas_layout(p.a);
  if (!la) p.a = describe(contiguous(a), true), la = blas_layout(p.a);
  std::optional<BlasLayout> lb = blas_layout(p.b);
  if (!lb) p.b = describe(contiguous(b), false), lb = blas_layout(p.b);

  float* c = out.data();
  const float* a0 = p.a.tensor.data();
  const float* b0 = p.b.tensor.data();
  Strides b_st = broadcast_strides(p.b.batch, p.b.batch_strides, p.batch);
  bool b_shared = std::all_of(b_st.begin(), b_st.end(), [](int64_t s) { return s == 0; });
  if (batch > 1 && b_shared && !la->trans) {
    if (std::optional<int64_t> lda = folded_row_stride(p.a, p.batch)) {
      sgemm(false, lb->trans, batch * m, n, k, 1.0f, a0, *lda, b0, lb->ld, 0.0f, c, n);
      return out;
    }
  }
  std::vector<int64_t> a_off = batch_offsets(p.a, p.batch);
  std::vector<int64_t> b_off = batch_offsets(p.b, p.batch);
  for (int64_t i = 0; i < batch; ++i)
    sgemm(la->trans, lb->trans, m, n, k, 1.0f, a0 + a_off[i], la->ld, b0 + b_off[i], lb->ld, 0.0f,
          c + i * m * n, n);
  return out;
}

// Naive triple loop over any strides: shares only the shape checks with matmul.
Tensor matmul_reference(const Tensor& a, const Tensor& b) {
  MatmulPlan p = plan_matmul(a, b);
  Tensor out = Tensor::empty(p.out_shape);
  const int64_t m = p.a.rows, n = p.b.cols, k = p.a.cols;
  std::vector<int64_t> a_off = batch_offsets(p.a, p.batch);
  std::vector<int64_t> b_off = batch_offsets(p.b, p.batch);
  const float* a0 = a.data();
  const float* b0 = b.data();
  float* c = out.data();
  for (size_t bi = 0; bi < a_off.size(); ++bi)
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double acc = 0.0;
        for (int64_t q = 0; q < k; ++q)
          acc += static_cast<double>(a0[a_off[bi] + i * p.a.row_stride + q * p.a.col_stride]) *
                 b0[b_off[bi] + q * p.b.row_stride + j * p.b.col_stride];
        c[(static_cast<int64_t>(bi) * m + i) * n + j] = static_cast<float>(acc);
      }
  return out;
}

}  // namespace ember::kernels
