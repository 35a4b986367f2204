// test_views.cpp — views rewrite metadata only; writes through one view show in the others.
#include <doctest/doctest.h>

#include "ember.hpp"

using namespace ember;
namespace k = ember::kernels;

namespace {
// Independent reference: element (i, j, ...) of x computed from the base's
// row-major data through the view's own shape/strides/offset.
std::vector<float> gather(const Tensor& x) {
  std::vector<float> out;
  std::vector<int64_t> index;
  for (int64_t flat = 0; flat < x.numel(); ++flat) {
    unravel_index(flat, x.shape(), index);
    out.push_back(x.storage()->data[index_to_offset(index, x.strides(), x.offset())]);
  }
  return out;
}
}  // namespace

TEST_CASE("permute and transpose reorder strides without copying") {
  Tensor a = Tensor::arange(24);
  Tensor x = views::view(a, {2, 3, 4});
  Tensor p = views::permute(x, {2, 0, 1});
  CHECK(p.shape() == Shape{4, 2, 3});
  CHECK(p.strides() == Strides{1, 12, 4});
  CHECK(p.shares_storage(a));
  CHECK_FALSE(p.is_contiguous());
  CHECK(p.at({3, 1, 2}) == x.at({1, 2, 3}));
  Tensor t = views::transpose(x, -1, 0);
  CHECK(t.shape() == Shape{4, 3, 2});
  CHECK(t.at({1, 2, 0}) == x.at({0, 2, 1}));
  CHECK(k::contiguous(p).to_vector() == gather(p));
  CHECK_THROWS_WITH_AS(views::permute(x, {0, 0, 1}), "permute: dim 0 repeated in order [0, 0, 1]",
                       ShapeError);
  CHECK_THROWS_AS(views::permute(x, {0, 1}), ShapeError);
}

TEST_CASE("slice, narrow and select move the offset and scale strides") {
  Tensor x = views::view(Tensor::arange(20), {4, 5});
  Tensor s = views::slice(x, 1, 1, 5, 2);  // columns 1 and 3
  CHECK(s.shape() == Shape{4, 2});
  CHECK(s.strides() == Strides{5, 2});
  CHECK(s.offset() == 1);
  CHECK(s.to_vector() == std::vector<float>{1, 3, 6, 8, 11, 13, 16, 18});
  CHECK(views::slice(x, 0, -2, 100).to_vector() == views::slice(x, 0, 2, 4).to_vector());
  CHECK(views::slice(x, 0, 3, 1).numel() == 0);  // empty, as in Python
  Tensor n = views::narrow(x, 0, 1, 2);
  CHECK(n.to_vector() == std::vector<float>{5, 6, 7, 8, 9, 10, 11, 12, 13, 14});
  Tensor col = views::select(x, 1, -1);
  CHECK(col.shape() == Shape{4});
  CHECK(col.to_vector() == std::vector<float>{4, 9, 14, 19});
  CHECK_THROWS_WITH_AS(views::narrow(x, 0, 3, 2),
                       "narrow: start 3 length 2 out of range for dim 0 of size 4", IndexError);
  CHECK_THROWS_WITH_AS(views::select(x, 0, 4),
                       "select: index 4 out of range for dim 0 of size 4 (valid: -4 to 3)",
                       IndexError);
  CHECK_THROWS_AS(views::slice(x, 2, 0, 1), IndexError);
  CHECK_THROWS_AS(views::slice(x, 0, 0, 1, 0), ValueError);
}

TEST_CASE("a write through one view is seen through every other view of the storage") {
  Tensor base = Tensor::zeros({3, 4});
  Tensor row = views::select(base, 0, 1);
  Tensor col = views::select(views::transpose(base, 0, 1), 0, 2);  // column 2
  row.fill_(1.0f);
  CHECK(col.to_vector() == std::vector<float>{0, 1, 0});
  col.at({2}) = 9.0f;
  CHECK(base.at({2, 2}) == 9.0f);
  Tensor flat = views::view(base, {12});
  CHECK(flat.at({10}) == 9.0f);
}

TEST_CASE("expand broadcasts with stride 0; squeeze/unsqueeze; flatten") {
  Tensor v = Tensor::from_vector({1, 2, 3}, {3, 1});
  Tensor e = views::expand(v, {2, 3, 4});
  CHECK(e.strides() == Strides{0, 1, 0});
  CHECK(e.at({1, 2, 3}) == 3.0f);
  CHECK(views::expand(v, {-1, 5}).shape() == Shape{3, 5});
  CHECK_THROWS_WITH_AS(views::expand(v, {2, 4}),
                       "expand: cannot expand [3, 1] to [2, 4]: dim 0 has size 3 (only size-1 "
                       "dims expand)",
                       ShapeError);
  Tensor u = views::unsqueeze(Tensor::arange(6), 0);
  CHECK(u.shape() == Shape{1, 6});
  CHECK(views::unsqueeze(Tensor::arange(6), -1).shape() == Shape{6, 1});
  CHECK(views::squeeze(views::view(Tensor::arange(6), {1, 6, 1})).shape() == Shape{6});
  CHECK(views::squeeze(views::view(Tensor::arange(6), {1, 6, 1}), 2).shape() == Shape{1, 6});
  CHECK(views::squeeze(views::view(Tensor::arange(6), {1, 6, 1}), 1).shape() == Shape{1, 6, 1});
  Tensor x = Tensor::zeros({2, 3, 4, 5});
  CHECK(views::flatten(x, 1, -1).shape() == Shape{2, 60});
  CHECK(views::flatten(x, 0, 1).shape() == Shape{6, 4, 5});
  CHECK(views::flatten(x, 1, 1).shape() == Shape{2, 3, 4, 5});
  CHECK(views::flatten(x, 1, -1).shares_storage(x));
}

TEST_CASE("view refuses layouts it cannot express; reshape copies only then") {
  Tensor x = views::view(Tensor::arange(12), {3, 4});
  CHECK(views::view(x, {2, -1}).shape() == Shape{2, 6});
  CHECK(views::view(x, {2, 2, 3}).shares_storage(x));
  Tensor t = views::transpose(x, 0, 1);  // [4, 3], strides [1, 4]
  CHECK_THROWS_WITH_AS(views::view(t, {12}), doctest::Contains("view: cannot view shape [4, 3] with "
                                                           "strides [1, 4] as [12] without a copy"),
                       ShapeError);
  // Splitting a single dim of a transposed tensor is still a view.
  Tensor split = views::view(t, {2, 2, 3});
  CHECK(split.shares_storage(x));
  CHECK(split.to_vector() == k::contiguous(t).to_vector());
  Tensor r = views::reshape(t, {12});
  CHECK_FALSE(r.shares_storage(x));
  CHECK(r.to_vector() == std::vector<float>{0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11});
  CHECK(views::reshape(x, {12}).shares_storage(x));
  CHECK_THROWS_WITH_AS(views::view(x, {5, -1}), "view: cannot view [3, 4] (12 elements) as [5, -1]",
                       ShapeError);
  CHECK_THROWS_AS(views::view(x, {-1, -1}), ShapeError);
  // Sliced rows: merging the two dims is not expressible.
  Tensor cols = views::slice(x, 1, 0, 2);
  CHECK_FALSE(views::can_view(cols, {6}));
  CHECK(views::can_view(cols, {3, 2, 1}));
}

TEST_CASE("contiguous copies only a non-contiguous tensor, and copy handles any layouts") {
  Tensor x = views::view(Tensor::arange(6), {2, 3});
  CHECK(k::contiguous(x).shares_storage(x));
  Tensor t = views::transpose(x, 0, 1);
  Tensor c = k::contiguous(t);
  CHECK_FALSE(c.shares_storage(x));
  CHECK(c.is_contiguous());
  CHECK(c.to_vector() == gather(t));
  // Size-1 dims with odd strides are still contiguous.
  CHECK(Tensor::as_strided(x, {1, 3}, {99, 1}, 0).is_contiguous());
  // copy from a broadcast source into a strided destination.
  Tensor dst = Tensor::zeros({3, 2});
  k::copy(views::transpose(dst, 0, 1), Tensor::from_vector({7, 8, 9}, {3}));
  CHECK(dst.to_vector() == std::vector<float>{7, 7, 8, 8, 9, 9});
  CHECK_THROWS_AS(Tensor::as_strided(x, {3, 3}, {3, 1}, 0), IndexError);
}
