// engine.hpp — running backward: into .grad() (backward) or returned (grad).
//
// Tensor::backward() is the usual entry point; these are the general forms.
#pragma once

#include <memory>
#include <vector>

#include "tensor.hpp"

namespace ember::autograd {

// Backpropagates from `outputs` (each seeded with the matching entry of
// `grad_outputs`; an undefined entry means ones, allowed only for a
// 1-element output) and accumulates into the .grad() of every leaf that
// requires grad. Frees the graph afterwards unless retain_graph.
void backward(const std::vector<Tensor>& outputs, const std::vector<Tensor>& grad_outputs = {},
              bool retain_graph = false);

// Functional form, like torch.autograd.grad: returns d(outputs)/d(inputs)
// without touching any .grad(). An input the outputs do not depend on gets an
// undefined Tensor. Inputs may be leaves or intermediate results.
std::vector<Tensor> grad(const std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs,
                         const std::vector<Tensor>& grad_outputs = {}, bool retain_graph = false);

struct Node;
// The nodes behind `output` in the order backward visits them: each node
// after every node that consumes its output. For learners and tests; the
// engine uses the same function.
std::vector<std::shared_ptr<Node>> backward_order(const Tensor& output);

}  // namespace ember::autograd
