// test_shape.cpp — the stride arithmetic every kernel relies on, tested exhaustively.
#include <doctest/doctest.h>

#include "ember.hpp"

using namespace ember;

TEST_CASE("contiguous strides are row-major") {
  CHECK(contiguous_strides({2, 3, 4}) == Strides{12, 4, 1});
  CHECK(contiguous_strides({}) == Strides{});
  CHECK(contiguous_strides({5}) == Strides{1});
  CHECK(shape_numel({}) == 1);
  CHECK(shape_numel({2, 0, 3}) == 0);
}

TEST_CASE("a shape whose size a 64-bit index cannot count is a ShapeError, zeros or not") {
  const int64_t big = int64_t{1} << 32;
  CHECK(shape_numel({big, big / 2 - 1}) == big * (big / 2 - 1));  // just under 2^63
  CHECK_THROWS_WITH_AS(shape_numel({big, big}),
                       "shape [4294967296, 4294967296]: more elements than a 64-bit index can count",
                       ShapeError);
  // Holds nothing, but its strides would overflow: refused as well.
  CHECK_THROWS_AS(shape_numel({0, big, big}), ShapeError);
  CHECK_THROWS_AS(Tensor::empty({big, 0, big}), ShapeError);
  CHECK_THROWS_AS(Tensor::zeros({big, big}), ShapeError);
}

TEST_CASE("unravel_index and index_to_offset invert each other for every position") {
  for (const Shape& shape : {Shape{3}, Shape{2, 3}, Shape{2, 1, 4}, Shape{3, 2, 2, 2}}) {
    Strides strides = contiguous_strides(shape);
    std::vector<int64_t> index;
    for (int64_t flat = 0; flat < shape_numel(shape); ++flat) {
      unravel_index(flat, shape, index);
      for (size_t d = 0; d < shape.size(); ++d) {
        CHECK(index[d] >= 0);
        CHECK(index[d] < shape[d]);
      }
      CHECK(index_to_offset(index, strides, 0) == flat);
      CHECK(index_to_offset(index, strides, 7) == flat + 7);
    }
  }
}

TEST_CASE("broadcast_shapes follows NumPy and names both shapes on failure") {
  CHECK(broadcast_shapes({3, 1}, {1, 4}, "t") == Shape{3, 4});
  CHECK(broadcast_shapes({5, 3, 1}, {3, 4}, "t") == Shape{5, 3, 4});
  CHECK(broadcast_shapes({}, {2, 2}, "t") == Shape{2, 2});
  CHECK(broadcast_shapes({0}, {1}, "t") == Shape{0});
  CHECK_THROWS_WITH_AS(broadcast_shapes({2, 3}, {4, 3}, "add"),
                       "add: cannot broadcast [2, 3] with [4, 3]: dim 0 has sizes 2 and 4",
                       ShapeError);
}

TEST_CASE("broadcast_strides gives stride 0 on broadcast and prepended dims") {
  CHECK(broadcast_strides({3, 1}, {1, 1}, {2, 3, 4}) == Strides{0, 1, 0});
  CHECK(broadcast_strides({4}, {1}, {2, 4}) == Strides{0, 1});
}

TEST_CASE("normalize_dim accepts negative dims and reports the valid range") {
  CHECK(normalize_dim(-1, 3, "op") == 2);
  CHECK(normalize_dim(0, 0, "op") == 0);
  CHECK_THROWS_WITH_AS(normalize_dim(3, 3, "sum"),
                       "sum: dim 3 out of range for a tensor with 3 dims (valid: -3 to 2)",
                       IndexError);
  CHECK_THROWS_AS(normalize_dim(-4, 3, "sum"), IndexError);
}
