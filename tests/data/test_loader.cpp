// test_loader.cpp — DataLoader batching, shuffling, drop_last, prefetch and
// errors; Subset and RemapLabels; the splits.
#include <doctest/doctest.h>

#include <algorithm>
#include <numeric>
#include <set>

#include "../../data/dataloader.hpp"
#include "../../data/split.hpp"
#include "../../data/subset.hpp"
#include "helpers.hpp"

using namespace ember;

namespace {

// n images [1, 2, 2] whose four pixels all equal the index; label = index % 3.
data::TensorDataset numbered(int64_t n) {
  Tensor images = Tensor::empty({n, 1, 2, 2});
  std::vector<int64_t> labels;
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = 0; j < 4; ++j) images.data()[i * 4 + j] = static_cast<float>(i);
    labels.push_back(i % 3);
  }
  return data::TensorDataset(images, labels);
}

// The example indices of one epoch, read back from the pixels.
std::vector<int64_t> epoch_order(data::DataLoader& loader, std::vector<int64_t>* sizes = nullptr) {
  std::vector<int64_t> order;
  for (const data::Batch& b : loader) {
    if (sizes) sizes->push_back(b.images.size(0));
    for (int64_t i = 0; i < b.images.size(0); ++i) {
      int64_t idx = static_cast<int64_t>(b.images.at({i, 0, 1, 1}));
      CHECK(idx == b.indices[static_cast<size_t>(i)]);
      CHECK(b.labels.at({i}) == static_cast<float>(idx % 3));
      order.push_back(idx);
    }
  }
  return order;
}

// A dataset whose example 5 cannot be read, like a corrupt image file.
struct Faulty : data::TensorDataset {
  Faulty() : data::TensorDataset(numbered(10)) {}
  int64_t read_into(int64_t index, float* out) const override {
    EMBER_CHECK(index != 5, DataError, "example 5 is corrupt");
    return TensorDataset::read_into(index, out);
  }
};

}  // namespace

TEST_CASE("DataLoader: batches in order, last batch partial or dropped") {
  for (bool prefetch : {true, false}) {
    data::DataLoader loader(numbered(10), 4, false, 0, {.prefetch = prefetch});
    CHECK(loader.size() == 3);
    std::vector<int64_t> sizes;
    std::vector<int64_t> order = epoch_order(loader, &sizes);
    CHECK(sizes == std::vector<int64_t>{4, 4, 2});
    std::vector<int64_t> expected(10);
    std::iota(expected.begin(), expected.end(), int64_t{0});
    CHECK(order == expected);

    data::DataLoader dropping(numbered(10), 4, false, 0, {.drop_last = true, .prefetch = prefetch});
    CHECK(dropping.size() == 2);
    sizes.clear();
    CHECK(epoch_order(dropping, &sizes).size() == 8);
    CHECK(sizes == std::vector<int64_t>{4, 4});
  }
  for (const data::Batch& b : data::DataLoader(numbered(3), 2)) {
    CHECK(b.images.shape()[1] == 1);
    CHECK(b.labels.dim() == 1);
  }
}

TEST_CASE("DataLoader: shuffling is a permutation per epoch, reproducible from the seed") {
  data::DataLoader a(numbered(50), 8, true, 123);
  data::DataLoader b(numbered(50), 8, true, 123, {.prefetch = false});
  data::DataLoader c(numbered(50), 8, true, 124);
  std::vector<int64_t> a1 = epoch_order(a), a2 = epoch_order(a);
  std::vector<int64_t> sorted = a1;
  std::sort(sorted.begin(), sorted.end());
  CHECK(std::set<int64_t>(a1.begin(), a1.end()).size() == 50);
  CHECK(sorted.front() == 0);
  CHECK(sorted.back() == 49);
  CHECK(a1 != a2);              // a new order each epoch
  CHECK(epoch_order(b) == a1);  // same seed, same epochs, with or without prefetch
  CHECK(epoch_order(b) == a2);
  CHECK(epoch_order(c) != a1);
}

TEST_CASE("DataLoader: a transform runs on each batch; breaking out early is safe") {
  data::DataLoader loader(numbered(20), 5, false, 0, {.transform = data::Scale(2.0f)});
  int seen = 0;
  for (const data::Batch& b : loader) {
    CHECK(b.images.at({1, 0, 0, 0}) == 2.0f * static_cast<float>(b.indices[1]));
    if (++seen == 2) break;  // the worker is stopped by the next begin() / the destructor
  }
  int batches = 0;  // a fresh, complete epoch after the abandoned one
  for (const data::Batch& b : loader) batches += b.images.size(0) == 5;
  CHECK(batches == 4);
}

TEST_CASE("DataLoader: an error while gathering surfaces at that batch") {
  for (bool prefetch : {true, false}) {
    data::DataLoader loader(Faulty(), 2, false, 0, {.prefetch = prefetch});
    int good = 0;
    auto run = [&] {
      for (const data::Batch& b : loader) good += static_cast<int>(b.images.size(0) > 0);
    };
    CHECK_THROWS_WITH_AS(run(), doctest::Contains("example 5 is corrupt"), DataError);
    CHECK(good == 2);  // batches {0,1} and {2,3}; {4,5} fails
  }
  CHECK_THROWS_WITH_AS(data::DataLoader(numbered(2), 0),
                       doctest::Contains("batch_size must be > 0, got 0"), ValueError);
}

TEST_CASE("Subset and RemapLabels keep the base alive and forward the fast gather") {
  data::Subset sub(numbered(10), {7, 2, 7});
  CHECK(sub.size() == 3);
  CHECK(sub.get(0).image.at({0, 0, 0}) == 7.0f);
  CHECK(data::labels_of(sub) == std::vector<int64_t>{1, 2, 1});
  CHECK_THROWS_WITH_AS(
      data::Subset(numbered(3), {0, 3}),
      doctest::Contains("Subset: index 3 (entry 1) out of range for a dataset of 3"), IndexError);
  data::RemapLabels remapped(sub, {{10, 11, 12}, {"x", "y", "z"}});
  CHECK(data::labels_of(remapped) == std::vector<int64_t>{11, 12, 11});
  data::DataLoader loader(remapped, 3);
  CHECK(loader.begin()->labels.to_vector() == std::vector<float>{11, 12, 11});
  CHECK_THROWS_WITH_AS(
      data::RemapLabels(numbered(4), {{0, 1}, {}}),
      doctest::Contains("example 2 has label 2 but the mapping covers labels 0..1"), ValueError);
  data::LabelMapping five = data::fashion_mnist_five_classes();
  CHECK(five.map == std::vector<int64_t>{0, 4, 2, 4, 2, 1, 0, 3, 3, 4});
}

TEST_CASE("random_split and stratified_split: sizes, disjoint cover, class shares, seeds") {
  data::Split s = data::random_split(60000, 0.2, 27);
  CHECK(s.val.size() == 12000);  // ceil(0.2 * 60000), as scikit-learn
  CHECK(s.train.size() == 48000);
  std::vector<int64_t> all = s.train;
  all.insert(all.end(), s.val.begin(), s.val.end());
  std::sort(all.begin(), all.end());
  std::vector<int64_t> iota(60000);
  std::iota(iota.begin(), iota.end(), int64_t{0});
  CHECK(all == iota);  // disjoint, and together every index
  CHECK(data::random_split(60000, 0.2, 27).val == s.val);
  CHECK(data::random_split(60000, 0.2, 28).val != s.val);
  CHECK(data::random_split(7, 0.2, 1).val.size() == 2);  // ceil(1.4)

  // 3 classes of 10, 20, 5: 20% of each in val -> 2, 4, 1.
  std::vector<int64_t> labels;
  for (int64_t c : {0, 1, 2})
    for (int64_t k = 0; k < (c == 0 ? 10 : c == 1 ? 20 : 5); ++k) labels.push_back(c);
  data::Split st = data::stratified_split(labels, 0.2, 5);
  CHECK(st.val.size() == 7);
  CHECK(st.train.size() == 28);
  std::vector<int64_t> per_class(3, 0);
  for (int64_t i : st.val) per_class[static_cast<size_t>(labels[static_cast<size_t>(i)])]++;
  CHECK(per_class == std::vector<int64_t>{2, 4, 1});
  // 0.3 of 10, 20, 5 = 3, 6, 1.5: ceil(10.5) = 11 places, the extra goes to class 2.
  data::Split st3 = data::stratified_split(labels, 0.3, 5);
  per_class.assign(3, 0);
  for (int64_t i : st3.val) per_class[static_cast<size_t>(labels[static_cast<size_t>(i)])]++;
  CHECK(per_class == std::vector<int64_t>{3, 6, 2});
  CHECK_THROWS_WITH_AS(data::random_split(10, 1.5, 0),
                       doctest::Contains("val_fraction must be in [0, 1], got 1.5"), ValueError);
}

TEST_CASE("tail_split: Keras' validation_split, the last examples in order") {
  data::Split s = data::tail_split(10, 0.2);
  CHECK(s.train == std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6, 7});
  CHECK(s.val == std::vector<int64_t>{8, 9});
  CHECK(data::tail_split(60000, 0.1).val.size() == 6000);
  CHECK(data::tail_split(2005, 0.1).val.size() == 201);  // 2005 - int(1804.5)
  CHECK(data::tail_split(90, 0.3).val.size() == 28);     // 90 - int(62.99999999999999)
  CHECK(data::tail_split(5, 0.0).val.empty());
  CHECK(data::tail_split(5, 1.0).train.empty());
  CHECK_THROWS_WITH_AS(data::tail_split(10, -0.1),
                       doctest::Contains("tail_split: val_fraction must be in [0, 1]"), ValueError);
}

TEST_CASE("k_fold: scikit-learn's fold sizes, every index validated once") {
  std::vector<data::Split> folds = data::k_fold(10, 3, 0, /*shuffle=*/false);
  REQUIRE(folds.size() == 3);
  CHECK(folds[0].val == std::vector<int64_t>{0, 1, 2, 3});
  CHECK(folds[1].val == std::vector<int64_t>{4, 5, 6});
  CHECK(folds[2].val == std::vector<int64_t>{7, 8, 9});
  CHECK(folds[1].train == std::vector<int64_t>{0, 1, 2, 3, 7, 8, 9});
  std::vector<int> seen(100, 0);
  for (const data::Split& f : data::k_fold(100, 5, 9)) {
    CHECK(f.val.size() == 20);
    CHECK(f.train.size() == 80);
    for (int64_t i : f.val) seen[static_cast<size_t>(i)]++;
  }
  CHECK(std::all_of(seen.begin(), seen.end(), [](int v) { return v == 1; }));
  CHECK_THROWS_WITH_AS(data::k_fold(3, 5, 0),
                       doctest::Contains("need 2 <= k <= n, got k = 5 for n = 3"), ValueError);
}

TEST_CASE("stratified_k_fold: every fold keeps each class's share") {
  // 30 of class 0, 15 of class 1, 5 of class 2, shuffled together.
  std::vector<int64_t> labels;
  for (int i = 0; i < 50; ++i) labels.push_back(i % 10 < 6 ? 0 : i % 10 < 9 ? 1 : 2);
  const std::vector<data::Split> folds = data::stratified_k_fold(labels, 5, 3);
  REQUIRE(folds.size() == 5);
  std::vector<int> seen(50, 0);
  for (const data::Split& f : folds) {
    int counts[3] = {0, 0, 0};
    for (int64_t i : f.val) counts[labels[static_cast<size_t>(i)]]++, seen[static_cast<size_t>(i)]++;
    CHECK(counts[0] == 6);  // a fifth of each class
    CHECK(counts[1] == 3);
    CHECK(counts[2] == 1);
    CHECK(f.val.size() + f.train.size() == 50);
    CHECK(std::is_sorted(f.val.begin(), f.val.end()));
    CHECK(std::is_sorted(f.train.begin(), f.train.end()));
    std::vector<int64_t> all = f.train;
    all.insert(all.end(), f.val.begin(), f.val.end());
    std::sort(all.begin(), all.end());
    CHECK(std::adjacent_find(all.begin(), all.end()) == all.end());  // disjoint
  }
  CHECK(std::all_of(seen.begin(), seen.end(), [](int v) { return v == 1; }));
  // Uneven classes: fold sizes and each class's counts differ by at most one.
  const std::vector<int64_t> uneven = {0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2};
  const std::vector<data::Split> three = data::stratified_k_fold(uneven, 3, 1);
  for (const data::Split& f : three) {
    CHECK(f.val.size() == 4);
    int ones = 0;
    for (int64_t i : f.val) ones += uneven[static_cast<size_t>(i)] == 1;
    CHECK(ones >= 1);
    CHECK(ones <= 2);
  }
  CHECK(data::stratified_k_fold(uneven, 3, 1)[0].val == three[0].val);  // the seed decides
  CHECK_THROWS_AS(data::stratified_k_fold({0, 1}, 3, 0), ValueError);
}
