// dataset.hpp — what every dataset is: a size, and examples you can ask for by index.
//
// An Example is one image [C, H, W] with values in [0, 1] and an integer class
// label (-1 when the file has no labels, e.g. a Kaggle test set). The
// DataLoader batches any Dataset; the datasets that fit in memory
// (IDX, CIFAR, CSV) are a TensorDataset: one contiguous [N, C, H, W] tensor,
// get(i) returns a view of row i, and a batch is gathered with one memcpy per
// image.
//
// Datasets are small values (a Tensor handle, a label vector, a file list) and
// are passed to wrappers and loaders by value: DatasetHandle keeps them alive
// in a shared_ptr, so `DataLoader(FashionMNIST(), 32)` is safe.
#pragma once

#include <concepts>
#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "../autograd/tensor.hpp"

namespace ember::data {

struct Example {
  Tensor image;   // [C, H, W], values in [0, 1]
  int64_t label;  // class index, or -1 for an unlabeled example
};

class Dataset {
 public:
  virtual ~Dataset() = default;
  virtual int64_t size() const = 0;
  // Throws IndexError when index is outside [0, size()).
  virtual Example get(int64_t index) const = 0;
  // [C, H, W] of every example; the loader allocates its batches from it.
  virtual Shape image_shape() const = 0;
  // The label alone (splits and remapping read every label; this avoids
  // touching images). Defaults to get(index).label.
  virtual int64_t label(int64_t index) const { return get(index).label; }
  // Writes example `index`'s image, row-major, to `out` (numel(image_shape())
  // floats) and returns its label. The loader's gather path: in-memory
  // datasets override it with a single memcpy.
  virtual int64_t read_into(int64_t index, float* out) const;
  // Class names by index when the format has them (FashionMNIST, ImageFolder).
  virtual std::vector<std::string> classes() const { return {}; }
};

// Shared, read-only ownership of any dataset; converts implicitly from a
// dataset value (which it copies or moves) or from a shared_ptr.
class DatasetHandle {
 public:
  template <class D>
    requires std::derived_from<std::remove_cvref_t<D>, Dataset>
  DatasetHandle(D&& dataset)  // NOLINT: implicit on purpose
      : ptr_(std::make_shared<std::remove_cvref_t<D>>(std::forward<D>(dataset))) {}
  DatasetHandle(std::shared_ptr<const Dataset> dataset);  // NOLINT
  const Dataset& operator*() const { return *ptr_; }
  const Dataset* operator->() const { return ptr_.get(); }
  const std::shared_ptr<const Dataset>& ptr() const { return ptr_; }

 private:
  std::shared_ptr<const Dataset> ptr_;
};

// Every image in one contiguous tensor [N, C, H, W] plus N labels. get(i) is a
// view that aliases the dataset's memory: clone() it before writing to it.
class TensorDataset : public Dataset {
 public:
  TensorDataset() = default;
  // images [N, C, H, W] (made contiguous), labels: N entries.
  TensorDataset(Tensor images, std::vector<int64_t> labels, std::vector<std::string> classes = {});

  int64_t size() const override { return static_cast<int64_t>(labels_.size()); }
  Example get(int64_t index) const override;
  Shape image_shape() const override;
  int64_t label(int64_t index) const override;
  int64_t read_into(int64_t index, float* out) const override;
  std::vector<std::string> classes() const override { return classes_; }

  const Tensor& images() const { return images_; }  // [N, C, H, W]
  const std::vector<int64_t>& labels() const { return labels_; }

 protected:
  // For subclasses that read their files in the constructor body.
  void assign(Tensor images, std::vector<int64_t> labels, std::vector<std::string> classes = {});
  void check_index(int64_t index) const;

  Tensor images_;
  std::vector<int64_t> labels_;
  std::vector<std::string> classes_;
};

// Every label of a dataset, in index order.
std::vector<int64_t> labels_of(const Dataset& dataset);

}  // namespace ember::data
