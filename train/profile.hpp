// profile.hpp — where a training step's time goes, layer by layer.
//
//   train::profile(*model, {32, 1, 28, 28}, 10);   // prints the table to stdout
//
// Trains the model for `steps` steps (after a few warm-up steps) on one
// synthetic batch of `input_shape` (batch dim included; random labels over
// the model's output classes) or on a DataLoader's batches, with Adam unless
// an optimizer is given, and prints per layer (the children of a Sequential;
// nested Sequentials are opened one level):
//   forward and backward ms (medians), share of the step, GFLOP/s achieved
//   (analytic FLOPs for Conv2d, Linear and LSTM; GEMM FLOPs counted in
//   kernels::sgemm for other layers), the forward's main GEMM shape and the
//   GFLOP/s OpenBLAS reaches on that shape alone (measured on the spot, as
//   the layer runs it: one product per thread at once when the layer makes
//   one per image; how close the layer is to the machine), its output and
//   the memory it keeps until backward;
// and for the step: time in GEMM vs everything else, the optimizer, the wait
// for data, peak activation memory.
//
// How per-layer backward times are taken without touching the autograd
// engine: each layer's input is a detached copy of the previous output that
// requires grad, so the graph is cut into one piece per layer; backward runs
// piece by piece from the loss down, timing each, and hands the gradient the
// piece left on its input to the piece below. Cutting costs a few tensor
// handles per layer (and, for a layer whose input gradient is a view, one
// copy); the report also times uncut steps (train_step(), as fit() runs
// them) so the two can be compared.
//
// The model's weights and buffers are restored afterwards, so profiling does
// not train it; a given optimizer's state (Adam's moments, its step count)
// does advance.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "../data/dataloader.hpp"
#include "../nn/module.hpp"
#include "../optim/optimizer.hpp"
#include "../tensor/runtime/gemm_stats.hpp"

namespace ember::train {

struct ProfileOptions {
  int64_t warmup = 2;                     // untimed steps first
  optim::Optimizer* optimizer = nullptr;  // null: Adam (Keras defaults) on model.parameters()
  data::DataLoader* loader = nullptr;     // null: one synthetic batch of input_shape
  bool measure_sgemm = true;              // time OpenBLAS alone at each layer's GEMM shape
  std::ostream* out = nullptr;            // where the table goes; null: std::cout
  bool print = true;
};

struct LayerProfile {
  std::string name;  // the child's name in its Sequential ("0", "conv1", "3.1" when nested)
  std::string type;  // "Conv2D", "Dense", ...
  Shape output_shape;
  double forward_ms = 0.0, backward_ms = 0.0;            // medians over the steps
  double forward_gemm_ms = 0.0, backward_gemm_ms = 0.0;  // of which inside kernels::sgemm
  double forward_flops = 0.0, backward_flops = 0.0;      // per step
  bool analytic_flops = false;  // false: counted in kernels::sgemm (layers without a formula)
  kernels::GemmShape gemm;      // the forward's GEMM that does most FLOPs (m = 0: none)
  int64_t gemm_calls = 0;       // how many times per forward
  double sgemm_gflops = 0.0;    // kernels::sgemm alone at `gemm`, best of many (0: not measured)
  // The same products as a batch meets them in a training step: one per
  // image, each into its own slice of a batch-sized output, caches evicted
  // first (0: not measured; layers that make one product per batch).
  double sgemm_cold_gflops = 0.0;
  double output_mb = 0.0;       // the layer's output
  double kept_mb = 0.0;         // allocated by the forward and still held when it returns
  double forward_gflops() const;
  double backward_gflops() const;
  // forward GFLOP/s as a fraction of sgemm_gflops, of sgemm_cold_gflops
  // (0 when either is unknown).
  double fraction_of_sgemm() const;
  double fraction_of_sgemm_cold() const;
};

struct ProfileReport {
  Shape input_shape;
  int64_t steps = 0;
  std::vector<LayerProfile> layers;
  double loss_ms = 0.0;            // cross-entropy forward + backward
  double optimizer_ms = 0.0;       // zero_grad + step
  double data_ms = 0.0;            // waiting for the next batch (0 with the synthetic batch)
  double segmented_step_ms = 0.0;  // median of the layer-by-layer steps, end to end
  // Uncut training steps (train_step(): forward, loss, zero_grad, backward, step), medians:
  double step_ms = 0.0;
  double step_gemm_ms = 0.0;  // inside kernels::sgemm
  double step_gemm_flops = 0.0;
  double peak_activation_mb = 0.0;  // allocator peak during a step minus what it held before
  int threads = 1;                  // ember's threads (get_num_threads())
  std::string blas;                 // blas_info().summary()
  std::string blas_warning;
  double gemm_share() const { return step_ms > 0 ? step_gemm_ms / step_ms : 0.0; }
  double images_per_second() const;
};

ProfileReport profile(nn::Module& model, const Shape& input_shape, int64_t steps = 10,
                      const ProfileOptions& options = {});

// 2 x the multiply-adds of one forward of a Conv2d, Linear, LSTM or
// TimeDistributed layer at these shapes (batch included); nullopt for layers
// without a formula. Backward does the same again for the weight gradient,
// and again for the input gradient when the input requires grad.
std::optional<double> layer_forward_flops(nn::Module& layer, const Shape& input_shape,
                                          const Shape& output_shape);

// The report as the table profile() prints.
std::string format_profile(const ProfileReport& report);
std::ostream& operator<<(std::ostream& os, const ProfileReport& report);

}  // namespace ember::train
