// node.hpp — a node of the autograd graph, and how an op records one.
//
// Every differentiable op computes its result with a kernel and, when grad
// mode is on and an input requires grad, attaches a Node to the result:
//
//   Tensor mul(const Tensor& a, const Tensor& b) {
//     Tensor out = kernels::mul(a, b);
//     if (auto node = record<MulNode>(out, {a, b})) node->save({a, b});
//     return out;
//   }
//
// The Node keeps what its backward needs (saved tensors, dims, scalars) and
// one Edge per input: the input's own Node, or the input itself when it is a
// leaf that requires grad (its gradient accumulates into its .grad()).
// The engine (engine.cpp) walks these edges backwards.
#pragma once

#include <initializer_list>
#include <memory>
#include <utility>
#include <vector>

#include "grad_mode.hpp"
#include "tensor.hpp"

namespace ember::autograd {

struct Node;

// Where one input of a node came from.
struct Edge {
  std::shared_ptr<Node> node;  // the input's grad_fn (input made by an op)
  Tensor leaf;                 // the input itself, a leaf that requires grad
  Shape shape;                 // the input's shape: its gradient must have it
  bool requires_grad() const { return node != nullptr || leaf.defined(); }
};

struct Node {
  virtual ~Node();  // iterative: see node.cpp
  // The op's name as the user calls it ("matmul", "conv2d"): used in error
  // messages and graph drawings.
  virtual const char* name() const = 0;
  // Given d(loss)/d(output), returns d(loss)/d(input) for every input, in the
  // op's argument order. An input whose edge does not require grad may get an
  // undefined Tensor: ops skip work nobody needs (e.g. conv's dinput for the
  // network's input images).
  virtual std::vector<Tensor> backward(const Tensor& grad_out) = 0;

  bool needs_grad(size_t input) const { return edges[input].requires_grad(); }

  // Tensors kept for backward. Each remembers its storage's version at save
  // time: if an in-place op changes it before backward, saved() throws
  // instead of returning silently wrong gradients.
  void save(std::initializer_list<Tensor> tensors);
  Tensor saved(size_t i) const;
  // Called by the engine after this node's backward (unless retain_graph):
  // drops saved tensors and edges so memory goes back as backward proceeds.
  void release();

  std::vector<Edge> edges;  // one per input
  Shape out_shape;          // the shape of the tensor this node produced
  bool released = false;

 private:
  struct Saved {
    Tensor tensor;
    uint64_t version = 0;
  };
  std::vector<Saved> saved_;
};

namespace detail {
bool should_record(const std::vector<Tensor>& inputs);
// Fills the node's edges and makes it out's grad_fn.
void connect(const std::shared_ptr<Node>& node, Tensor& out, const std::vector<Tensor>& inputs);
}  // namespace detail

// Records that `out` was computed from `inputs` by op N, if anything needs the
// graph: returns the new node (to save tensors into), or null when grad mode
// is off or no input requires grad — then nothing is allocated at all.
// If the kernel returned an input itself (e.g. contiguous() of a contiguous
// tensor), `out` is first re-wrapped so the input's own history is untouched.
template <class N, class... Args>
std::shared_ptr<N> record(Tensor& out, const std::vector<Tensor>& inputs, Args&&... args) {
  if (!detail::should_record(inputs)) return nullptr;
  auto node = std::make_shared<N>(std::forward<Args>(args)...);
  detail::connect(node, out, inputs);
  return node;
}

}  // namespace ember::autograd
