// module.hpp — nn::Module: the base of every layer and model.
//
// A Module owns named parameters (trained), buffers (state that is saved but
// not trained, e.g. BatchNorm's running statistics) and child modules, in the
// order they were registered. Registration is explicit, as in LibTorch:
//   weight_ = register_parameter("weight", Tensor::zeros({out, in}));
//   conv1_  = register_module("conv1", std::make_shared<Conv2d>(...));
// Names of nested members join with dots ("conv1.weight"), which is also
// their key in state_dict() and in saved .safetensors files.
//
// A module of one's own (tutorials/07-custom-layer writes three) overrides
// forward() and type_name(), and registers every parameter, buffer and child
// in its constructor (an optimizer takes parameters() when it is made),
// keeping the returned tensor or module in a member for forward() to use:
// load_state_dict() copies into those very tensors. One that behaves
// differently in training reads is_training(), which train() and eval() set
// on it and on every registered child. What is not registered is not
// trained, not saved, and not switched by train()/eval().
#pragma once

#include <iosfwd>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "../autograd/tensor.hpp"

namespace ember::nn {

using NamedTensors = std::vector<std::pair<std::string, Tensor>>;

class Module {
 public:
  virtual ~Module() = default;
  Module() = default;
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  virtual Tensor forward(const Tensor& input) = 0;
  Tensor operator()(const Tensor& input) { return forward(input); }

  // The layer type as Keras' summary prints it ("Conv2D", "Dense", ...).
  virtual std::string type_name() const = 0;
  // The layer's settings for printing, e.g. "1, 32, kernel_size=(5, 5)";
  // operator<< shows "Conv2D(1, 32, ...)" and nests children like PyTorch.
  virtual std::string extra_repr() const { return ""; }
  // Output shape for an input shape (batch dim included), without computing.
  // The default runs forward on zeros under NoGradGuard.
  virtual Shape output_shape(const Shape& input_shape);

  // Trainable parameters of this module and its children (recursive).
  std::vector<Tensor> parameters() const;
  NamedTensors named_parameters() const;
  // Every registered parameter, frozen ones (requires_grad off) included.
  NamedTensors all_parameters() const;
  NamedTensors named_buffers() const;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> named_children() const;
  // Parameters then buffers, by dotted name: what a checkpoint holds.
  NamedTensors state_dict() const;
  // Copies values into this module's tensors. Throws (before changing
  // anything) on a missing or unexpected name or a shape mismatch.
  void load_state_dict(const NamedTensors& state);
  // The checks load_state_dict makes, without copying: throws what it would.
  void check_state_dict(const NamedTensors& state) const;
  // Number of scalars in state_dict(), or only in the trainable parameters.
  // Keras' "Non-trainable params" is num_parameters() - num_parameters(true).
  int64_t num_parameters(bool trainable_only = false) const;

  void train(bool on = true);  // recursive
  void eval() { train(false); }
  bool is_training() const { return training_; }
  void zero_grad();

  // Sum of the kernel regularizers' penalties (Keras kernel_regularizer) of
  // this module and its children; undefined tensor when there is none.
  virtual Tensor regularization_loss() const;

 protected:
  Tensor register_parameter(const std::string& name, Tensor value, bool trainable = true);
  Tensor register_buffer(const std::string& name, Tensor value);
  template <class M>
  std::shared_ptr<M> register_module(const std::string& name, std::shared_ptr<M> module) {
    children_.emplace_back(name, module);
    return module;
  }

  // Local (non-recursive) members; named_parameters() walks children.
  NamedTensors params_;
  NamedTensors buffers_;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
  bool training_ = true;
};

// Prints the module tree: type(extra_repr), children indented by name.
std::ostream& operator<<(std::ostream& os, const Module& module);

}  // namespace ember::nn
