// split.cpp — see split.hpp.
#include "split.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

#include "../tensor/error.hpp"
#include "../tensor/random.hpp"

namespace ember::data {
namespace {

void shuffle(std::vector<int64_t>& v, Generator& gen) {
  for (size_t i = v.size(); i > 1; --i) {
    size_t j = static_cast<size_t>(gen.below(i));
    std::swap(v[i - 1], v[j]);
  }
}

void check_split(int64_t n, double fraction, const char* op) {
  EMBER_CHECK(n >= 0, ValueError, op, ": n must be >= 0, got ", n);
  EMBER_CHECK(fraction >= 0.0 && fraction <= 1.0, ValueError, op,
              ": val_fraction must be in [0, 1], got ", fraction);
}

int64_t val_count(int64_t n, double fraction, const char* op) {
  check_split(n, fraction, op);
  // The small epsilon keeps 0.2 * 60000 = 12000.000000000002 from becoming 12001.
  return std::min<int64_t>(
      n, static_cast<int64_t>(std::ceil(fraction * static_cast<double>(n) - 1e-9)));
}

}  // namespace

std::vector<int64_t> permutation(int64_t n, uint64_t seed) {
  EMBER_CHECK(n >= 0, ValueError, "permutation: n must be >= 0, got ", n);
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), int64_t{0});
  Generator gen(seed);
  shuffle(order, gen);
  return order;
}

Split random_split(int64_t n, double val_fraction, uint64_t seed) {
  int64_t n_val = val_count(n, val_fraction, "random_split");
  std::vector<int64_t> order = permutation(n, seed);
  return {std::vector<int64_t>(order.begin() + n_val, order.end()),
          std::vector<int64_t>(order.begin(), order.begin() + n_val)};
}

Split tail_split(int64_t n, double val_fraction) {
  check_split(n, val_fraction, "tail_split");
  // Keras: split_at = int(n * (1 - validation_split)).
  const auto split_at = static_cast<int64_t>(static_cast<double>(n) * (1.0 - val_fraction));
  Split split;
  split.train.resize(static_cast<size_t>(split_at));
  split.val.resize(static_cast<size_t>(n - split_at));
  std::iota(split.train.begin(), split.train.end(), int64_t{0});
  std::iota(split.val.begin(), split.val.end(), split_at);
  return split;
}

Split stratified_split(const std::vector<int64_t>& labels, double val_fraction, uint64_t seed) {
  const int64_t n = static_cast<int64_t>(labels.size());
  const int64_t n_val = val_count(n, val_fraction, "stratified_split");
  std::map<int64_t, std::vector<int64_t>> by_class;  // sorted by label
  for (int64_t i = 0; i < n; ++i) by_class[labels[static_cast<size_t>(i)]].push_back(i);

  // Floor of each class's share, then hand out the remaining places by
  // largest remainder so the total is exactly n_val.
  struct Share {
    int64_t label, take;
    double remainder;
  };
  std::vector<Share> shares;
  int64_t taken = 0;
  for (const auto& [label, members] : by_class) {
    double exact = val_fraction * static_cast<double>(members.size());
    int64_t take = static_cast<int64_t>(std::floor(exact + 1e-9));
    shares.push_back({label, take, exact - static_cast<double>(take)});
    taken += take;
  }
  std::vector<size_t> order(shares.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return shares[a].remainder > shares[b].remainder; });
  for (size_t k = 0; taken < n_val && k < order.size(); ++k, ++taken) shares[order[k]].take++;

  Generator gen(seed);
  Split split;
  for (const Share& s : shares) {
    std::vector<int64_t> members = by_class[s.label];
    shuffle(members, gen);
    split.val.insert(split.val.end(), members.begin(), members.begin() + s.take);
    split.train.insert(split.train.end(), members.begin() + s.take, members.end());
  }
  // Mix the classes, so an unshuffled loader still sees them interleaved.
  shuffle(split.train, gen);
  shuffle(split.val, gen);
  return split;
}

std::vector<Split> k_fold(int64_t n, int64_t k, uint64_t seed, bool shuffle_first) {
  EMBER_CHECK(k >= 2 && k <= n, ValueError, "k_fold: need 2 <= k <= n, got k = ", k,
              " for n = ", n);
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), int64_t{0});
  if (shuffle_first) order = permutation(n, seed);
  std::vector<Split> folds;
  int64_t start = 0;
  for (int64_t f = 0; f < k; ++f) {
    int64_t len = n / k + (f < n % k ? 1 : 0);
    Split s;
    s.val.assign(order.begin() + start, order.begin() + start + len);
    s.train.assign(order.begin(), order.begin() + start);
    s.train.insert(s.train.end(), order.begin() + start + len, order.end());
    std::sort(s.train.begin(), s.train.end());
    std::sort(s.val.begin(), s.val.end());
    folds.push_back(std::move(s));
    start += len;
  }
  return folds;
}

std::vector<Split> stratified_k_fold(const std::vector<int64_t>& labels, int64_t k,
                                     uint64_t seed) {
  const int64_t n = static_cast<int64_t>(labels.size());
  EMBER_CHECK(k >= 2 && k <= n, ValueError, "stratified_k_fold: need 2 <= k <= n, got k = ", k,
              " for n = ", n);
  std::map<int64_t, std::vector<int64_t>> by_class;  // sorted by label
  for (int64_t i = 0; i < n; ++i) by_class[labels[static_cast<size_t>(i)]].push_back(i);
  Generator gen(seed);
  std::vector<std::vector<int64_t>> parts(static_cast<size_t>(k));
  size_t next = 0;  // the fold the next example goes to
  for (auto& [label, members] : by_class) {
    shuffle(members, gen);
    for (int64_t i : members) {
      parts[next].push_back(i);
      next = (next + 1) % parts.size();
    }
  }
  std::vector<Split> folds;
  for (size_t f = 0; f < parts.size(); ++f) {
    Split s;
    s.val = parts[f];
    for (size_t g = 0; g < parts.size(); ++g)
      if (g != f) s.train.insert(s.train.end(), parts[g].begin(), parts[g].end());
    std::sort(s.train.begin(), s.train.end());
    std::sort(s.val.begin(), s.val.end());
    folds.push_back(std::move(s));
  }
  return folds;
}

}  // namespace ember::data
