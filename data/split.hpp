// split.hpp — train/validation splits and k-fold cross-validation indices
// (plain or stratified).
//
// Splits are index lists; wrap them in a Subset to get datasets:
//   auto split = data::stratified_split(data::labels_of(train), 0.2, 27);
//   data::Subset train_part(train, split.train), val_part(train, split.val);
// The random splits' validation part has ceil(fraction * n) examples, as
// scikit-learn's train_test_split(test_size=fraction) does; both lists come
// out shuffled. The same seed gives the same split on every machine (ember's
// Generator). tail_split is Keras' validation_split: no shuffling, the last
// examples validate; fit()'s dataset overload and the quickstart use it.
#pragma once

#include <cstdint>
#include <vector>

namespace ember::data {

struct Split {
  std::vector<int64_t> train;
  std::vector<int64_t> val;
};

// A random permutation of 0..n-1, cut in two.
Split random_split(int64_t n, double val_fraction, uint64_t seed);

// Keras' validation_split: the first floor(n * (1 - val_fraction)) examples
// train and the rest validate, both in order (shuffle a dataset sorted by
// class first). The validation count equals random_split's
// ceil(val_fraction * n) except where 1 - val_fraction is inexact in binary:
// 0.3 of 90 examples validates 28 here, as in Keras, and 27 there.
Split tail_split(int64_t n, double val_fraction);

// Each class keeps its share in both parts: a class with m examples puts
// floor(fraction * m) of them in val, and the remaining val places go to the
// classes with the largest leftover fractions (ties to the smaller label).
Split stratified_split(const std::vector<int64_t>& labels, double val_fraction, uint64_t seed);

// k folds (scikit-learn's KFold): the first n % k folds hold one extra
// example; fold i validates on its part and trains on the rest, both lists
// sorted. shuffle = false cuts 0..n-1 in order instead of a permutation.
std::vector<Split> k_fold(int64_t n, int64_t k, uint64_t seed, bool shuffle = true);

// k folds that keep every class's share (scikit-learn's StratifiedKFold):
// each class's examples, in an order drawn from Generator(seed), are dealt
// to the folds in turn, each class going on where the previous one stopped.
// So fold sizes differ by at most one, and so do a class's counts in any two
// folds. Fold i validates on its part and trains on the rest, both sorted.
std::vector<Split> stratified_k_fold(const std::vector<int64_t>& labels, int64_t k,
                                     uint64_t seed);

// 0..n-1 in an order drawn from Generator(seed) (Fisher-Yates).
std::vector<int64_t> permutation(int64_t n, uint64_t seed);

}  // namespace ember::data
