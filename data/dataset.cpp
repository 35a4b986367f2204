// dataset.cpp — see dataset.hpp.
#include "dataset.hpp"

#include <cstring>

#include "../tensor/kernels.hpp"
#include "../tensor/views.hpp"

namespace ember::data {

int64_t Dataset::read_into(int64_t index, float* out) const {
  Example ex = get(index);
  EMBER_CHECK(ex.image.shape() == image_shape(), DataError, "dataset example ", index,
              " has shape ", ex.image.shape(), ", expected ", image_shape(), " like the others");
  Tensor image = kernels::contiguous(ex.image);
  std::memcpy(out, image.data(), static_cast<size_t>(image.numel()) * sizeof(float));
  return ex.label;
}

DatasetHandle::DatasetHandle(std::shared_ptr<const Dataset> dataset) : ptr_(std::move(dataset)) {
  EMBER_CHECK(ptr_ != nullptr, ValueError, "DatasetHandle: null dataset");
}

TensorDataset::TensorDataset(Tensor images, std::vector<int64_t> labels,
                             std::vector<std::string> classes) {
  assign(std::move(images), std::move(labels), std::move(classes));
}

void TensorDataset::assign(Tensor images, std::vector<int64_t> labels,
                           std::vector<std::string> classes) {
  images_ = kernels::contiguous(images);
  labels_ = std::move(labels);
  classes_ = std::move(classes);
  EMBER_CHECK(images_.dim() == 4, ShapeError, "TensorDataset: images must be [N, C, H, W], got ",
              images_.shape());
  EMBER_CHECK(images_.size(0) == size(), ShapeError, "TensorDataset: ", images_.size(0),
              " images but ", size(), " labels");
}

void TensorDataset::check_index(int64_t index) const {
  EMBER_CHECK(index >= 0 && index < size(), IndexError, "dataset index ", index,
              " out of range for a dataset of ", size(), " examples");
}

Example TensorDataset::get(int64_t index) const {
  check_index(index);
  return {views::select(images_, 0, index), labels_[static_cast<size_t>(index)]};
}

Shape TensorDataset::image_shape() const {
  if (!images_.defined()) return {};
  return Shape(images_.shape().begin() + 1, images_.shape().end());
}

int64_t TensorDataset::label(int64_t index) const {
  check_index(index);
  return labels_[static_cast<size_t>(index)];
}

int64_t TensorDataset::read_into(int64_t index, float* out) const {
  check_index(index);
  int64_t per_image = images_.numel() / size();
  std::memcpy(out, images_.data() + index * per_image,
              static_cast<size_t>(per_image) * sizeof(float));
  return labels_[static_cast<size_t>(index)];
}

std::vector<int64_t> labels_of(const Dataset& dataset) {
  std::vector<int64_t> labels(static_cast<size_t>(dataset.size()));
  for (int64_t i = 0; i < dataset.size(); ++i) labels[static_cast<size_t>(i)] = dataset.label(i);
  return labels;
}

}  // namespace ember::data
