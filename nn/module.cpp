// module.cpp — the Module base: registration, recursive walks, state dicts.
//
// Every recursive query walks the tree in registration order and prefixes
// child members with "child_name.", so names are stable and match the keys
// of saved checkpoints.
#include "module.hpp"

#include <functional>
#include <ostream>
#include <unordered_map>

#include "../autograd/grad_mode.hpp"
#include "../autograd/ops.hpp"

namespace ember::nn {

namespace {

// Visits (prefix, module) for this module and all descendants, depth first.
void walk(const Module& m, const std::string& prefix,
          const std::function<void(const std::string&, const Module&)>& visit) {
  visit(prefix, m);
  for (const auto& [name, child] : m.named_children()) walk(*child, prefix + name + ".", visit);
}

}  // namespace

Tensor Module::register_parameter(const std::string& name, Tensor value, bool trainable) {
  EMBER_CHECK(value.defined(), ValueError, "register_parameter: '", name, "' is undefined");
  value.requires_grad_(trainable);
  params_.emplace_back(name, value);
  return value;
}

Tensor Module::register_buffer(const std::string& name, Tensor value) {
  EMBER_CHECK(value.defined(), ValueError, "register_buffer: '", name, "' is undefined");
  buffers_.emplace_back(name, value);
  return value;
}

std::vector<std::pair<std::string, std::shared_ptr<Module>>> Module::named_children() const {
  return children_;
}

NamedTensors Module::named_parameters() const {
  // Only trainable tensors: what an optimizer should update. A parameter
  // frozen with requires_grad_(false) still travels in state_dict().
  NamedTensors out;
  for (const auto& [name, t] : all_parameters())
    if (t.requires_grad()) out.emplace_back(name, t);
  return out;
}

NamedTensors Module::all_parameters() const {
  NamedTensors out;
  walk(*this, "", [&](const std::string& prefix, const Module& m) {
    for (const auto& [name, t] : m.params_) out.emplace_back(prefix + name, t);
  });
  return out;
}

std::vector<Tensor> Module::parameters() const {
  std::vector<Tensor> out;
  for (auto& [name, t] : named_parameters()) out.push_back(t);
  return out;
}

NamedTensors Module::named_buffers() const {
  NamedTensors out;
  walk(*this, "", [&](const std::string& prefix, const Module& m) {
    for (const auto& [name, t] : m.buffers_) out.emplace_back(prefix + name, t);
  });
  return out;
}

NamedTensors Module::state_dict() const {
  NamedTensors out = all_parameters();
  for (auto& entry : named_buffers()) out.push_back(entry);
  return out;
}

void Module::check_state_dict(const NamedTensors& state) const {
  const NamedTensors mine = state_dict();
  std::unordered_map<std::string, const Tensor*> given;
  for (const auto& [name, t] : state) {
    EMBER_CHECK(given.emplace(name, &t).second, ValueError,
                "load_state_dict: tensor '", name, "' appears twice");
  }
  std::string missing;
  for (const auto& [name, t] : mine) {
    auto it = given.find(name);
    if (it == given.end()) {
      missing += (missing.empty() ? "'" : ", '") + name + "'";
      continue;
    }
    const Tensor& src = *it->second;
    EMBER_CHECK(src.defined(), ValueError, "load_state_dict: tensor '", name, "' is undefined");
    EMBER_CHECK(src.shape() == t.shape(), ShapeError, "load_state_dict: tensor '", name,
                "' has shape ", src.shape(), " in the state but ", t.shape(), " in the model");
  }
  EMBER_CHECK(missing.empty(), ValueError, "load_state_dict: missing tensor(s) ", missing);
  if (state.size() != mine.size()) {
    std::unordered_map<std::string, bool> known;
    for (const auto& [name, t] : mine) known[name] = true;
    std::string extra;
    for (const auto& [name, t] : state)
      if (!known.count(name)) extra += (extra.empty() ? "'" : ", '") + name + "'";
    EMBER_CHECK(extra.empty(), ValueError, "load_state_dict: unexpected tensor(s) ", extra,
                " (not in the model)");
  }
}

void Module::load_state_dict(const NamedTensors& state) {
  // All checks first, then all copies: a bad checkpoint changes nothing.
  check_state_dict(state);
  std::unordered_map<std::string, const Tensor*> given;
  for (const auto& [name, t] : state) given.emplace(name, &t);
  for (auto& [name, t] : state_dict()) t.copy_(*given.at(name));
}

void Module::train(bool on) {
  training_ = on;
  for (auto& [name, child] : children_) child->train(on);
}

void Module::zero_grad() {
  for (auto& [name, t] : all_parameters()) t.zero_grad();
}

Tensor Module::regularization_loss() const {
  Tensor total;
  for (const auto& [name, child] : children_) {
    Tensor r = child->regularization_loss();
    if (!r.defined()) continue;
    total = total.defined() ? total + r : r;
  }
  return total;
}

Shape Module::output_shape(const Shape& input_shape) {
  // Runs forward on zeros, in eval mode so that dropout draws no random
  // numbers and BatchNorm leaves its running statistics alone; the modes of
  // every module are restored afterwards.
  std::vector<std::pair<Module*, bool>> modes;
  std::function<void(Module&)> remember = [&](Module& m) {
    modes.emplace_back(&m, m.training_);
    for (auto& [name, child] : m.children_) remember(*child);
  };
  remember(*this);
  NoGradGuard no_grad;
  eval();
  Shape out;
  try {
    out = forward(Tensor::zeros(input_shape)).shape();
  } catch (...) {
    for (auto& [m, mode] : modes) m->training_ = mode;
    throw;
  }
  for (auto& [m, mode] : modes) m->training_ = mode;
  return out;
}

int64_t Module::num_parameters(bool trainable_only) const {
  int64_t n = 0;
  for (const auto& [name, t] : state_dict())
    if (!trainable_only || t.requires_grad()) n += t.numel();
  return n;
}

namespace {

void print(std::ostream& os, const Module& m, const std::string& indent) {
  os << m.type_name() << '(' << m.extra_repr();
  auto children = m.named_children();
  if (children.empty()) {
    os << ')';
    return;
  }
  os << '\n';
  for (const auto& [name, child] : children) {
    os << indent << "  (" << name << "): ";
    print(os, *child, indent + "  ");
    os << '\n';
  }
  os << indent << ')';
}

}  // namespace

std::ostream& operator<<(std::ostream& os, const Module& module) {
  print(os, module, "");
  return os;
}

}  // namespace ember::nn
