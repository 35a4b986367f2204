// zoo.cpp — the experiments' architectures, transcribed from the notebooks'
// model code and checked against their summaries (tests/nn/test_summary_counts.cpp).
// Each builder is tagged with its experiment and model (table in zoo.hpp).
#include "zoo.hpp"

#include "activation.hpp"
#include "batchnorm.hpp"
#include "conv.hpp"
#include "dropout.hpp"
#include "linear.hpp"
#include "lstm.hpp"
#include "pool.hpp"
#include "residual.hpp"
#include "shape_layers.hpp"

namespace ember::nn::zoo {

namespace {

constexpr Activation kRelu = Activation::ReLU;

// Appends layers to a Sequential while tracking the output shape, so
// builders need not work out flatten sizes and channel counts by hand.
class Builder {
 public:
  explicit Builder(Shape sample) : model_(std::make_shared<Sequential>()) {
    shape_ = {1};
    shape_.insert(shape_.end(), sample.begin(), sample.end());
  }
  template <class M>
  Builder& add(std::shared_ptr<M> m) {
    shape_ = m->output_shape(shape_);
    model_->add(std::move(m));
    return *this;
  }
  Builder& conv(int64_t out, Size2 k, Padding pad = Padding::valid(), Activation act = kRelu,
                Initializer init = Initializer::glorot_uniform(), Size2 stride = 1) {
    return add(std::make_shared<Conv2d>(Conv2dOptions{.in_channels = channels(),
                                                      .out_channels = out, .kernel_size = k,
                                                      .stride = stride, .padding = pad,
                                                      .activation = act,
                                                      .kernel_initializer = init}));
  }
  Builder& dense(int64_t out, Activation act = kRelu,
                 Initializer init = Initializer::glorot_uniform()) {
    return add(std::make_shared<Linear>(LinearOptions{.in_features = shape_.back(),
                                                      .out_features = out, .activation = act,
                                                      .kernel_initializer = init}));
  }
  Builder& max_pool(Size2 k, Size2 stride = 0) { return add(std::make_shared<MaxPool2d>(k, stride)); }
  Builder& avg_pool(Size2 k, Size2 stride = 0) { return add(std::make_shared<AvgPool2d>(k, stride)); }
  Builder& batch_norm() {
    return add(std::make_shared<BatchNorm>(channels(), BatchNormOptions::keras()));
  }
  Builder& dropout(float p) { return add(std::make_shared<Dropout>(p)); }
  Builder& spatial_dropout(float p) { return add(std::make_shared<SpatialDropout2d>(p)); }
  Builder& flatten() { return add(std::make_shared<Flatten>()); }
  Builder& zero_pad(int64_t p) { return add(std::make_shared<ZeroPad2d>(p)); }
  int64_t channels() const { return shape_.at(1); }
  std::shared_ptr<Sequential> done() { return model_; }

 private:
  std::shared_ptr<Sequential> model_;
  Shape shape_;
};

const Initializer kHeNormal = Initializer::he_normal();

}  // namespace

// ---- 001: MNIST, 10 classes -------------------------------------------------

// 001 model 1
std::shared_ptr<Sequential> cnn_2conv_bn(int64_t k) {
  Builder b({1, 28, 28});
  b.conv(64, k, "valid", kRelu, kHeNormal).conv(32, k, "valid", kRelu, kHeNormal);
  b.max_pool(2).batch_norm().dropout(0.3f).flatten();
  b.dense(128, kRelu, kHeNormal).batch_norm().dropout(0.5f);
  return b.dense(10, Activation::None).done();
}

// 001 model 2
std::shared_ptr<Sequential> cnn_5conv_bn() {
  Builder b({1, 28, 28});
  b.conv(32, 3, "valid", kRelu, kHeNormal).conv(32, 3, "valid", kRelu, kHeNormal);
  b.max_pool(2).batch_norm().dropout(0.5f);
  b.conv(64, 2, "valid", kRelu, kHeNormal).conv(64, 2, "valid", kRelu, kHeNormal);
  b.max_pool(2).batch_norm().dropout(0.5f);
  b.conv(128, 5, "valid", kRelu, kHeNormal).batch_norm().dropout(0.4f).flatten();
  b.dense(256, kRelu, kHeNormal).dropout(0.4f).dense(128, kRelu, kHeNormal).dropout(0.4f);
  return b.dense(10, Activation::None).done();
}

// 001 model 3
std::shared_ptr<Sequential> cnn_6conv_bn() {
  Builder b({1, 28, 28});
  // MaxPooling2D(1, 1) is the identity, kept so the layer list matches.
  const struct { int64_t filters, kernel, pool; float drop; } blocks[] = {
      {16, 3, 1, 0.5f}, {32, 3, 1, 0.5f}, {64, 3, 1, 0.5f},
      {96, 5, 1, 0.3f}, {128, 5, 2, 0.3f}, {160, 5, 2, 0.3f}};
  for (const auto& blk : blocks) {
    b.conv(blk.filters, blk.kernel, "valid", kRelu, kHeNormal);
    b.max_pool(blk.pool).batch_norm().dropout(blk.drop);
  }
  b.flatten().dense(256, kRelu, kHeNormal).batch_norm().dropout(0.3f);
  b.dense(128, kRelu, kHeNormal).dropout(0.3f);
  return b.dense(10, Activation::None).done();
}

// ---- 002: Fashion-MNIST, 5 classes ------------------------------------------

// 002 CM1
std::shared_ptr<Sequential> cnn_2conv(int64_t num_classes) {
  Builder b({1, 28, 28});
  b.conv(32, 3, "same").max_pool(2).conv(32, 3).flatten().dense(256);
  return b.dense(num_classes, Activation::None).done();
}

// 002 CNN1
std::shared_ptr<Sequential> cnn_3conv(int64_t num_classes) {
  Builder b({1, 28, 28});
  b.conv(32, 3, "same").conv(64, 3).max_pool(2).conv(32, 3).flatten();
  b.dense(256).dense(128);
  return b.dense(num_classes, Activation::None).done();
}

// 002 CNN2 (and CNN4 with leaky_alpha = 0.2)
std::shared_ptr<Sequential> cnn_2conv_dropout(int64_t num_classes, float leaky_alpha) {
  // CNN4 swaps every relu for LeakyReLU(alpha) layers (no parameters).
  const bool leaky = leaky_alpha != 0.0f;
  const Activation act = leaky ? Activation::None : kRelu;
  Builder b({1, 28, 28});
  auto activation = [&] {
    if (leaky) b.add(std::make_shared<LeakyReLU>(leaky_alpha));
  };
  b.conv(32, 3, "same", act);
  activation();
  b.max_pool(2).dropout(0.3f).conv(32, 3, "valid", act);
  activation();
  b.max_pool(2).dropout(0.3f).flatten().dense(256, act);
  activation();
  b.dropout(0.5f).dense(64, act);
  activation();
  return b.dense(num_classes, Activation::None).done();
}

// 002 CNN_VGG
std::shared_ptr<Sequential> vgg_like_6conv(int64_t num_classes) {
  Builder b({1, 28, 28});
  b.conv(32, 3, "same").max_pool(2).conv(64, 3).conv(128, 3).conv(128, 3);
  b.conv(256, 3).conv(256, 3).max_pool(2).flatten();
  b.dense(1024).dropout(0.5f).dense(512).dropout(0.5f).dense(256).dropout(0.5f);
  return b.dense(num_classes, Activation::None).done();
}

// 002 LSTM
std::shared_ptr<Sequential> row_lstm(int64_t num_classes) {
  Builder b({1, 28, 28});
  b.add(std::make_shared<Reshape>(Shape{28, 28, 1}));
  b.add(std::make_shared<TimeDistributed>(std::make_shared<LSTM>(1, 128)));
  b.add(std::make_shared<LSTM>(128, 128));
  return b.dense(num_classes, Activation::None).done();
}

// ---- 003: CIFAR-10 ----------------------------------------------------------

// 003 model 3
std::shared_ptr<Sequential> cifar_3conv() {
  Builder b({3, 32, 32});
  b.conv(32, 3, "same").max_pool(2).conv(64, 3, "same").max_pool(2).conv(64, 3, "same");
  b.flatten().dense(64);
  return b.dense(10, Activation::None).done();
}

// 003 model 4
std::shared_ptr<Sequential> cifar_6conv() {
  Builder b({3, 32, 32});
  b.conv(32, 3, "same").conv(32, 3, "same").max_pool(2);
  b.conv(64, 3, "same").conv(64, 3, "same").max_pool(2);
  b.conv(64, 3, "same").conv(64, 3, "same").flatten().dense(64);
  return b.dense(10, Activation::None).done();
}

namespace {

// Models 5-7: blocks of same-padded 3x3 convs, each block closed by
// SpatialDropout2D, optionally BatchNorm, then 2x2 max pooling.
std::shared_ptr<Sequential> cifar_blocks(const std::vector<std::pair<int64_t, int>>& blocks,
                                         float spatial_drop, bool batch_norm,
                                         size_t blocks_without_dropout_at_end) {
  Builder b({3, 32, 32});
  for (size_t i = 0; i < blocks.size(); ++i) {
    for (int c = 0; c < blocks[i].second; ++c) b.conv(blocks[i].first, 3, "same");
    if (i + blocks_without_dropout_at_end < blocks.size()) b.spatial_dropout(spatial_drop);
    if (batch_norm) b.batch_norm();
    b.max_pool(2);
  }
  b.flatten().dense(64);
  return b.dense(10, Activation::None).done();
}

}  // namespace

// 003 model 5
std::shared_ptr<Sequential> cifar_8conv_dropout() {
  return cifar_blocks({{32, 2}, {64, 3}, {64, 3}}, 0.25f, false, 1);
}

// 003 model 6
std::shared_ptr<Sequential> cifar_11conv_dropout() {
  return cifar_blocks({{32, 2}, {64, 3}, {64, 3}, {128, 3}}, 0.2f, false, 0);
}

// 003 model 7
std::shared_ptr<Sequential> cifar_8conv_dropout_bn() {
  return cifar_blocks({{32, 2}, {64, 3}, {64, 3}}, 0.25f, true, 0);
}

// ---- 004: Fashion-MNIST, 5 classes ------------------------------------------

// 004 CNN model 1
std::shared_ptr<Sequential> cnn_4conv(int64_t num_classes) {
  Builder b({1, 28, 28});
  b.conv(32, 5, "same").conv(32, 5, "same").max_pool(2).dropout(0.25f);
  b.conv(64, 3, "same").conv(64, 3, "same").max_pool(2).dropout(0.25f);
  b.flatten().dense(256).dropout(0.25f);
  return b.dense(num_classes, Activation::None).done();
}

// 004 CNN model 7
std::shared_ptr<Sequential> cnn_4conv_bn(int64_t num_classes) {
  // The notebook's exact order, including the BatchNorm after the second dropout.
  Builder b({1, 28, 28});
  b.conv(32, 5, "same").batch_norm().conv(32, 5, "same").batch_norm();
  b.max_pool(2).dropout(0.25f);
  b.conv(64, 3, "same").batch_norm().conv(64, 3, "same");
  b.max_pool(2).dropout(0.25f).batch_norm();
  b.flatten().dense(256).dropout(0.25f);
  return b.dense(num_classes, Activation::None).done();
}

// 004 VGG-16
std::shared_ptr<Sequential> vgg16(int64_t num_classes) {
  Builder b({1, 48, 48});
  const std::vector<std::pair<int64_t, int>> blocks = {{64, 2}, {128, 2}, {256, 3}, {512, 3}, {512, 3}};
  for (const auto& [filters, convs] : blocks) {
    for (int c = 0; c < convs; ++c) b.zero_pad(1).conv(filters, 3);
    b.max_pool(2);
  }
  b.flatten().dense(4096).dropout(0.5f).dense(4096).dropout(0.5f);
  return b.dense(num_classes, Activation::None).done();
}

// 004 AlexNet
std::shared_ptr<Sequential> alexnet(int64_t num_classes) {
  Builder b({1, 48, 48});
  b.conv(96, 11).max_pool(3, 2).conv(256, 5, "same").max_pool(3, 2);
  b.conv(384, 3, "same").conv(384, 3, "same").conv(256, 3, "same").max_pool(3, 2);
  b.flatten().dense(4096).dropout(0.5f).dense(4096).dropout(0.5f);
  return b.dense(num_classes, Activation::None).done();
}

// 004 LeNet-5
std::shared_ptr<Sequential> lenet5(int64_t num_classes) {
  const Activation tanh = Activation::Tanh;
  Builder b({1, 28, 28});
  b.conv(6, 5, "same", tanh).avg_pool(2, 1).conv(16, 5, "valid", tanh).avg_pool(2, 2);
  b.flatten().dense(120, tanh).dense(84, tanh);
  return b.dense(num_classes, Activation::None).done();
}

// 004 LeNet-5 tweaked
std::shared_ptr<Sequential> lenet5_tweaked(int64_t num_classes) {
  Builder b({1, 28, 28});
  b.conv(32, 5, "same").max_pool(2).conv(48, 5).max_pool(2);
  b.flatten().dense(256).dense(84);
  return b.dense(num_classes, Activation::None).done();
}

// 004 ResNet
std::shared_ptr<Sequential> resnet18_like(int64_t num_classes, float dropout) {
  Builder b({1, 28, 28});
  b.add(std::make_shared<Conv2d>(Conv2dOptions{.in_channels = 1, .out_channels = 64,
                                               .kernel_size = 7, .stride = 2,
                                               .padding = Padding::same(),
                                               .kernel_initializer = kHeNormal,
                                               .kernel_regularizer = L2(1e-4f)}));
  b.batch_norm().add(std::make_shared<ReLU>());
  int64_t in = 64;
  for (int64_t stage = 0; stage < 4; ++stage) {
    const int64_t filters = 64 << stage;
    for (int64_t block = 0; block < 2; ++block) {
      b.add(std::make_shared<BasicBlock>(BasicBlockOptions{
          .in_channels = in, .out_channels = filters,
          .stride = (stage > 0 && block == 0) ? 2 : 1, .dropout = dropout,
          .kernel_initializer = kHeNormal, .kernel_regularizer = L2(1e-4f)}));
      in = filters;
    }
  }
  b.avg_pool(2).flatten();
  return b.dense(num_classes, Activation::None).done();
}

}  // namespace ember::nn::zoo
