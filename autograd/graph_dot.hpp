// graph_dot.hpp — the graph behind a tensor, as Graphviz DOT.
//
// Boxes are ops (name and output shape), ellipses are leaves that require
// grad (shape); arrows point the way data flowed in the forward pass, so
// backward visits them against the arrows. Render with `dot -Tsvg`.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "tensor.hpp"

namespace ember::autograd {

// `names` labels leaves (e.g. a model's named_parameters()); others show "leaf".
std::string to_dot(const Tensor& output,
                   const std::vector<std::pair<std::string, Tensor>>& names = {});

}  // namespace ember::autograd
