// test_profile.cpp — train::profile: one row per layer with sane numbers, FLOPs
// that match hand counts, the step's GEMM share, weights left untouched.
#include <doctest/doctest.h>

#include <sstream>

#include "data/dataloader.hpp"
#include "nn/activation.hpp"
#include "nn/conv.hpp"
#include "nn/linear.hpp"
#include "nn/pool.hpp"
#include "nn/residual.hpp"
#include "nn/sequential.hpp"
#include "nn/shape_layers.hpp"
#include "tensor/kernels.hpp"
#include "tensor/random.hpp"
#include "train/profile.hpp"

using namespace ember;

namespace {

// [4, 1, 8, 8] -> conv 3x3 same (4 filters, ReLU) -> max pool 2 -> flatten 64 -> dense 3.
std::shared_ptr<nn::Sequential> small_cnn() {
  auto m = std::make_shared<nn::Sequential>();
  m->add(std::make_shared<nn::Conv2d>(1, 4, 3, nn::Padding::same(), nn::Activation::ReLU));
  m->add(std::make_shared<nn::MaxPool2d>(2));
  m->add(std::make_shared<nn::Flatten>());
  m->add(std::make_shared<nn::Linear>(64, 3));
  return m;
}

}  // namespace

TEST_CASE("profile: a row per layer, hand-counted FLOPs, GEMM shapes that do those FLOPs") {
  manual_seed(3);
  auto model = small_cnn();
  std::ostringstream out;
  train::ProfileReport r = train::profile(*model, {4, 1, 8, 8}, 3, {.warmup = 1, .out = &out});

  REQUIRE(r.layers.size() == 4);
  CHECK(r.steps == 3);
  CHECK(r.input_shape == Shape{4, 1, 8, 8});
  const char* names[] = {"0", "1", "2", "3"};
  const Shape shapes[] = {{4, 4, 8, 8}, {4, 4, 4, 4}, {4, 64}, {4, 3}};
  for (size_t i = 0; i < 4; ++i) {
    CAPTURE(i);
    CHECK(r.layers[i].name == names[i]);
    CHECK(r.layers[i].output_shape == shapes[i]);
    CHECK(r.layers[i].forward_ms >= 0.0);
    CHECK(r.layers[i].backward_ms >= 0.0);
    CHECK(r.layers[i].output_mb ==
          doctest::Approx(shape_numel(shapes[i]) * 4.0 / (1024.0 * 1024.0)));
    CHECK(out.str().find(r.layers[i].type) != std::string::npos);
  }
  CHECK(r.layers[0].type == "Conv2D");
  CHECK(r.layers[3].type == "Dense");

  // Conv: 2 * N*O*OH*OW * C*kh*kw; its input is the batch, so backward has
  // only the weight gradient. Dense: 2 * N*in*out, and twice that backward.
  const train::LayerProfile& conv = r.layers[0];
  CHECK(conv.analytic_flops);
  CHECK(conv.forward_flops == 2.0 * 4 * 4 * 8 * 8 * 1 * 9);
  CHECK(conv.backward_flops == conv.forward_flops);
  const train::LayerProfile& dense = r.layers[3];
  CHECK(dense.forward_flops == 2.0 * 4 * 64 * 3);
  CHECK(dense.backward_flops == 2.0 * dense.forward_flops);
  // However the kernels lower them (per image or whole batch), the main GEMM
  // times its calls does the layer's FLOPs.
  CHECK(conv.gemm.flops() * static_cast<double>(conv.gemm_calls) == conv.forward_flops);
  CHECK(dense.gemm.flops() * static_cast<double>(dense.gemm_calls) == dense.forward_flops);
  CHECK(conv.sgemm_gflops > 0.0);
  // The cold reference is measured for per-image products only.
  CHECK(conv.sgemm_cold_gflops > 0.0);
  CHECK(conv.fraction_of_sgemm_cold() ==
        doctest::Approx(conv.forward_gflops() / conv.sgemm_cold_gflops));
  CHECK(dense.sgemm_cold_gflops == 0.0);
  CHECK(dense.fraction_of_sgemm_cold() == 0.0);
  CHECK(r.layers[1].gemm.m == 0);  // pooling runs no GEMM
  CHECK(r.layers[1].forward_flops == 0.0);
  CHECK(conv.forward_gflops() > 0.0);
  CHECK(conv.forward_gemm_ms <= conv.forward_ms);
  // The forward keeps at least its output alive for backward.
  CHECK(conv.kept_mb >= conv.output_mb * 0.99);

  CHECK(r.step_ms > 0.0);
  CHECK(r.segmented_step_ms > 0.0);
  CHECK(r.step_gemm_ms > 0.0);
  CHECK(r.gemm_share() > 0.0);
  CHECK(r.gemm_share() <= 1.0);
  // Conv + dense, forward and backward: 3x the conv's forward (no input
  // gradient), 3x the dense's.
  CHECK(r.step_gemm_flops == doctest::Approx(2 * conv.forward_flops + 3 * dense.forward_flops));
  CHECK(r.optimizer_ms > 0.0);
  CHECK(r.data_ms == 0.0);
  CHECK(r.peak_activation_mb > 0.0);
  CHECK(r.images_per_second() > 0.0);
  CHECK(!r.blas.empty());
  const std::string text = out.str();
  CHECK(text.find("optimizer") != std::string::npos);
  CHECK(text.find("GEMM") != std::string::npos);
  CHECK(text == train::format_profile(r));
}

TEST_CASE("profile: leaves the weights, the mode and the GEMM counters as they were") {
  manual_seed(4);
  auto model = small_cnn();
  model->eval();
  nn::NamedTensors before;
  for (const auto& [name, t] : model->state_dict()) before.emplace_back(name, kernels::clone(t));
  train::profile(*model, {4, 1, 8, 8}, 2, {.warmup = 0, .print = false});
  CHECK_FALSE(model->is_training());
  const nn::NamedTensors after = model->state_dict();
  REQUIRE(after.size() == before.size());
  for (size_t i = 0; i < after.size(); ++i) {
    CAPTURE(after[i].first);
    CHECK(kernels::max(kernels::abs(kernels::sub(after[i].second, before[i].second))).item() ==
          0.0f);
  }
  CHECK(kernels::gemm_stats().calls == 0);  // profiling switched off and reset
  CHECK(model->parameters()[0].grad().defined() == false);
}

TEST_CASE("profile: nested Sequentials open one level, named parent.child") {
  auto block = std::make_shared<nn::Sequential>();
  block->add(std::make_shared<nn::Linear>(6, 5));
  block->add(std::make_shared<nn::ReLU>());
  auto model = std::make_shared<nn::Sequential>();
  model->add(block, "block");
  model->add(std::make_shared<nn::Linear>(5, 2), "head");
  train::ProfileReport r = train::profile(*model, {3, 6}, 1, {.print = false});
  REQUIRE(r.layers.size() == 3);
  CHECK(r.layers[0].name == "block.0");
  CHECK(r.layers[1].name == "block.1");
  CHECK(r.layers[2].name == "head");
  CHECK(r.layers[0].backward_flops == r.layers[0].forward_flops);  // the input needs no gradient
  CHECK(r.layers[2].backward_flops == 2 * r.layers[2].forward_flops);
}

TEST_CASE("profile: a layer without a FLOP formula (a residual block) counts its GEMMs") {
  auto model = std::make_shared<nn::Sequential>();
  model->add(std::make_shared<nn::BasicBlock>(
      nn::BasicBlockOptions{.in_channels = 4, .out_channels = 4}));
  model->add(std::make_shared<nn::Flatten>());
  model->add(std::make_shared<nn::Linear>(4 * 6 * 6, 3));
  // One step and no warm-up: the counts must come from that very step.
  train::ProfileReport r = train::profile(*model, {2, 4, 6, 6}, 1, {.warmup = 0, .print = false});
  const train::LayerProfile& block = r.layers.at(0);
  CHECK(block.type == "BasicBlock");
  CHECK_FALSE(block.analytic_flops);
  // Two 3x3 convolutions 4 -> 4 on 6x6 ("same"), 2 images: 2 * 2*4*36*36 FLOPs each.
  CHECK(block.forward_flops == 2 * (2.0 * 2 * 4 * 36 * 36));
  // Backward, counted in sgemm: both weight gradients, and the input
  // gradient of the second convolution only: the block's input is the
  // batch, which needs none.
  CHECK(block.backward_flops == doctest::Approx(1.5 * block.forward_flops));
}

TEST_CASE("profile: batches from a DataLoader, and the wait for them") {
  std::vector<int64_t> labels(20);
  for (int64_t i = 0; i < 20; ++i) labels[i] = i % 3;
  data::DataLoader loader(data::TensorDataset(Tensor::rand({20, 1, 8, 8}), labels), 4);
  auto model = small_cnn();
  train::ProfileReport r = train::profile(*model, {}, 8, {.loader = &loader, .print = false});
  CHECK(r.input_shape == Shape{4, 1, 8, 8});
  CHECK(r.data_ms >= 0.0);
  CHECK(r.layers.size() == 4);
}

TEST_CASE("profile: refuses a shape without a batch dim and a step count below 1") {
  auto model = small_cnn();
  CHECK_THROWS_WITH_AS(train::profile(*model, {}, 2, {.print = false}),
                       doctest::Contains("must include the batch dim"), ShapeError);
  CHECK_THROWS_WITH_AS(train::profile(*model, {4, 1, 8, 8}, 0, {.print = false}),
                       doctest::Contains("steps = 0"), ValueError);
}
