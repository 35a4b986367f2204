// engine.cpp — the backward pass: one walk of the graph in reverse topological order.
//
// 1. Sort the nodes reachable from the outputs so that every node comes
//    after all the nodes that consume its output (iterative DFS: a deep graph
//    must not overflow the C++ stack).
// 2. Visit them in that order. When a node is visited, every contribution to
//    its output's gradient has arrived (summed in `grads`), so its backward
//    runs exactly once and passes one gradient to each input: to the input's
//    node, or, for a leaf, into its .grad().
// 3. Free each node's saved tensors once it has run, unless retain_graph.
#include "engine.hpp"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "../tensor/kernels.hpp"
#include "node.hpp"

namespace ember::autograd {

// ---- the pass ------------------------------------------------------------------

namespace {

// grad(): gradients wanted by the caller, keyed by the input's Node (an
// intermediate tensor) or TensorImpl (a leaf). backward() passes none.
using Captures = std::unordered_map<const void*, Tensor>;

std::vector<std::shared_ptr<Node>> topological_order(
    const std::vector<std::shared_ptr<Node>>& roots) {
  std::vector<std::shared_ptr<Node>> order;  // post-order: inputs before their consumers
  std::unordered_set<Node*> seen;
  std::vector<std::pair<std::shared_ptr<Node>, size_t>> stack;  // node, next edge to follow
  for (const auto& root : roots)
    if (seen.insert(root.get()).second) stack.emplace_back(root, 0);
  while (!stack.empty()) {
    auto& [node, next] = stack.back();
    if (next < node->edges.size()) {
      std::shared_ptr<Node> input = node->edges[next++].node;
      if (input && seen.insert(input.get()).second) stack.emplace_back(std::move(input), 0);
    } else {
      order.push_back(std::move(node));
      stack.pop_back();
    }
  }
  std::reverse(order.begin(), order.end());
  return order;
}

// A leaf's .grad() must own its memory (optimizers update it in place), but a
// backward may hand out a view of another gradient or the very tensor the
// user passed to backward(): keep a gradient only when nothing else sees it.
Tensor owned(const Tensor& g) {
  bool sole = g.is_contiguous() && g.storage().use_count() == 1 && g.numel() == g.storage()->size;
  return sole ? g.detach() : kernels::clone(g);
}

void add_into(Tensor& sum, const Tensor& g) {
  sum = sum.defined() ? Tensor(kernels::add(sum, g)) : g;
}

void deliver_to_leaf(const Tensor& leaf, const Tensor& g, Captures* captures) {
  if (captures) {
    auto it = captures->find(leaf.unsafe_impl());
    if (it != captures->end()) add_into(it->second, g);
    return;
  }
  Tensor old = leaf.grad();
  leaf.set_grad(old.defined() ? kernels::add(old, g) : owned(g));
}

Tensor seed_gradient(const Tensor& out, const Tensor& given) {
  EMBER_CHECK(out.requires_grad(), AutogradError, "backward: the tensor of shape ", out.shape(),
              " does not require grad: nothing it was computed from requires grad (call "
              "requires_grad_() on the parameters; was a NoGradGuard active?)");
  if (given.defined()) {
    EMBER_CHECK(given.shape() == out.shape(), ShapeError, "backward: gradient of shape ",
                given.shape(), " for a tensor of shape ", out.shape());
    return given;
  }
  EMBER_CHECK(out.numel() == 1, AutogradError, "backward: called on a non-scalar tensor of shape ",
              out.shape(), " (", out.numel(),
              " elements) without a gradient; an implicit gradient exists only for a 1-element "
              "output. Reduce it first (loss.sum(), loss.mean()) or pass backward(gradient) with "
              "a gradient of shape ",
              out.shape());
  return Tensor::ones(out.shape());
}

void run(const std::vector<Tensor>& outputs, const std::vector<Tensor>& grad_outputs,
         bool retain_graph, Captures* captures) {
  EMBER_CHECK(grad_outputs.empty() || grad_outputs.size() == outputs.size(), ValueError,
              "backward: ", outputs.size(), " outputs but ", grad_outputs.size(), " gradients");
  NoGradGuard no_grad;                      // backward formulas must not record graphs of their own
  std::unordered_map<Node*, Tensor> grads;  // summed gradient of each node's output
  std::vector<std::shared_ptr<Node>> roots;
  for (size_t i = 0; i < outputs.size(); ++i) {
    Tensor g = seed_gradient(outputs[i], grad_outputs.empty() ? Tensor() : grad_outputs[i]);
    if (const auto& node = outputs[i].grad_fn()) {
      roots.push_back(node);
      add_into(grads[node.get()], g);
    } else {
      deliver_to_leaf(outputs[i], g, captures);
    }
  }
  for (const auto& node : topological_order(roots)) {
    EMBER_CHECK(!node->released, AutogradError, "backward: the graph through '", node->name(),
                "' was already freed by an earlier backward (its saved tensors are gone). "
                "Pass retain_graph = true to the first backward to run backward twice");
    auto it = grads.find(node.get());
    if (it == grads.end()) continue;  // every gradient reaching it was undefined
    Tensor g = std::move(it->second);
    grads.erase(it);
    if (captures) {
      auto c = captures->find(node.get());
      if (c != captures->end()) c->second = g;
    }
    std::vector<Tensor> input_grads = node->backward(g);
    EMBER_CHECK(input_grads.size() == node->edges.size(), AutogradError, "backward of '",
                node->name(), "' returned ", input_grads.size(), " gradients for ",
                node->edges.size(), " inputs");
    for (size_t i = 0; i < input_grads.size(); ++i) {
      const Edge& edge = node->edges[i];
      const Tensor& gi = input_grads[i];
      if (!edge.requires_grad() || !gi.defined()) continue;
      EMBER_CHECK(gi.shape() == edge.shape, AutogradError, "backward of '", node->name(),
                  "' returned a gradient of shape ", gi.shape(), " for its input ", i, " of shape ",
                  edge.shape);
      if (edge.node)
        add_into(grads[edge.node.get()], gi);
      else
        deliver_to_leaf(edge.leaf, gi, captures);
    }
    if (!retain_graph) node->release();
  }
}

const void* capture_key(const Tensor& t) {
  return t.grad_fn() ? static_cast<const void*>(t.grad_fn().get()) : t.unsafe_impl();
}

}  // namespace

std::vector<std::shared_ptr<Node>> backward_order(const Tensor& output) {
  if (!output.grad_fn()) return {};
  return topological_order({output.grad_fn()});
}

void backward(const std::vector<Tensor>& outputs, const std::vector<Tensor>& grad_outputs,
              bool retain_graph) {
  run(outputs, grad_outputs, retain_graph, nullptr);
}

std::vector<Tensor> grad(const std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs,
                         const std::vector<Tensor>& grad_outputs, bool retain_graph) {
  Captures captures;
  for (size_t i = 0; i < inputs.size(); ++i) {
    EMBER_CHECK(inputs[i].requires_grad(), AutogradError, "grad: input ", i, " of shape ",
                inputs[i].shape(), " does not require grad");
    captures.emplace(capture_key(inputs[i]), Tensor());
  }
  run(outputs, grad_outputs, retain_graph, &captures);
  std::vector<Tensor> result;
  for (const Tensor& in : inputs) result.push_back(captures.at(capture_key(in)));
  return result;
}

}  // namespace ember::autograd

namespace ember {

void Tensor::backward(const Tensor& gradient, bool retain_graph) const {
  autograd::backward({*this}, {gradient}, retain_graph);
}

}  // namespace ember
