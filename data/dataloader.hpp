// dataloader.hpp — batches of a dataset, shuffled with a seed, prepared ahead.
//
//   data::DataLoader loader(data::FashionMNIST(), 32, /*shuffle=*/true, /*seed=*/42);
//   for (const data::Batch& batch : loader) {   // one epoch
//     batch.images;  // [N, 1, 28, 28]
//     batch.labels;  // [N], float class indices
//   }
//
// Each range-for over the loader is one epoch. With shuffle, epoch e visits
// the examples in the e-th permutation drawn from Generator(seed): the same
// seed gives the same sequence of epochs on every machine. A background
// thread gathers (and transforms) the next batches while the current one
// trains; an error it meets (an unreadable image) is rethrown by the
// iteration step that would have returned that batch. Starting a new epoch
// (begin()) ends the previous one; its iterators must not be used after.
#pragma once

#include <cstdint>
#include <iterator>
#include <memory>
#include <vector>

#include "../tensor/random.hpp"
#include "dataset.hpp"
#include "transforms.hpp"

namespace ember::data {

struct Batch {
  Tensor images;                 // [N, C, H, W] (after options.transform)
  Tensor labels;                 // [N], class indices as floats (-1: unlabeled)
  std::vector<int64_t> indices;  // the dataset indices of the N examples
};

struct LoaderOptions {
  bool drop_last = false;  // skip a last batch smaller than batch_size
  bool prefetch = true;    // prepare batches on a background thread
  int64_t prefetch_depth = 2;
  Transform transform = {};  // applied to each batch's images on the worker thread
};

class DataLoader {
 public:
  DataLoader(DatasetHandle dataset, int64_t batch_size, bool shuffle = false, uint64_t seed = 0,
             LoaderOptions options = {});
  ~DataLoader();
  DataLoader(DataLoader&&) noexcept;
  DataLoader& operator=(DataLoader&&) noexcept;

  // Batches per epoch.
  int64_t size() const;
  const Dataset& dataset() const { return *dataset_; }
  int64_t batch_size() const { return batch_size_; }
  // The generator the shuffled orders are drawn from, one permutation per
  // begin(). A training checkpoint saves its state() after an epoch and a
  // resumed run set_state()s it, so that the next epoch visits the examples
  // in the order the uninterrupted run would have (train/checkpoint.hpp).
  Generator& shuffle_generator() { return generator_; }

  class Iterator;
  Iterator begin();  // starts an epoch
  std::default_sentinel_t end() const { return {}; }

 private:
  struct Epoch;  // one pass: the order, the worker thread, the ready batches
  DatasetHandle dataset_;
  int64_t batch_size_;
  bool shuffle_;
  Generator generator_;
  LoaderOptions options_;
  std::shared_ptr<Transform> transform_;  // shared with the running epoch's worker
  std::unique_ptr<Epoch> epoch_;
};

class DataLoader::Iterator {
 public:
  using value_type = Batch;
  using difference_type = std::ptrdiff_t;

  const Batch& operator*() const { return batch_; }
  const Batch* operator->() const { return &batch_; }
  Iterator& operator++();
  bool operator==(std::default_sentinel_t) const { return done_; }

 private:
  friend class DataLoader;
  explicit Iterator(Epoch* epoch);
  Epoch* epoch_;
  Batch batch_;
  bool done_ = false;
};

}  // namespace ember::data
