// test_summary_counts.cpp — every model of the course experiments that
// nn/zoo.hpp builds must give Keras' totals to the unit (total, trainable,
// non-trainable), and summary() must print them. The expected figures are
// the notebooks' own model.summary() outputs (zoo.hpp's table).
#include <doctest/doctest.h>

#include <functional>

#include "nn/lstm.hpp"
#include "nn/summary.hpp"
#include "nn/zoo.hpp"

using namespace ember;
using namespace ember::nn;

namespace {

struct Expected {
  const char* name;
  std::function<std::shared_ptr<Sequential>()> build;
  Shape input;  // one sample
  int64_t total, non_trainable;
  Shape output;  // with batch 1
};

void check(const Expected& e) {
  CAPTURE(e.name);
  auto model = e.build();
  ParameterCounts c = count_parameters(*model);
  CHECK(c.total == e.total);
  CHECK(c.non_trainable == e.non_trainable);
  CHECK(c.trainable == e.total - e.non_trainable);
  Shape in{1};
  in.insert(in.end(), e.input.begin(), e.input.end());
  CHECK(model->output_shape(in) == e.output);
  std::string table = summary(*model, e.input);
  CHECK(table.find("Total params: " + with_thousands(e.total) + "\n") != std::string::npos);
  CHECK(table.find("Trainable params: " + with_thousands(e.total - e.non_trainable) + "\n") !=
        std::string::npos);
  CHECK(table.find("Non-trainable params: " + with_thousands(e.non_trainable) + "\n") !=
        std::string::npos);
}

}  // namespace

TEST_CASE("experiment 001: MNIST models 1, 2, 3") {
  check({"001 model 1 (k=7)", [] { return zoo::cnn_2conv_bn(7); }, {1, 28, 28}, 367'786, 320, {1, 10}});
  check({"001 model 2", zoo::cnn_5conv_bn, {1, 28, 28}, 307'306, 448, {1, 10}});
  check({"001 model 3", zoo::cnn_6conv_bn, {1, 28, 28}, 1'074'890, 1'504, {1, 10}});
}

TEST_CASE("experiment 002: CM1, CNN1, CNN2, CNN_VGG, LSTM") {
  check({"002 CM1", [] { return zoo::cnn_2conv(); }, {1, 28, 28}, 1'190'757, 0, {1, 5}});
  check({"002 CNN1", [] { return zoo::cnn_3conv(); }, {1, 28, 28}, 1'062'309, 0, {1, 5}});
  check({"002 CNN2", [] { return zoo::cnn_2conv_dropout(); }, {1, 28, 28}, 321'509, 0, {1, 5}});
  check({"002 CNN4 (leaky)", [] { return zoo::cnn_2conv_dropout(5, 0.2f); }, {1, 28, 28}, 321'509, 0, {1, 5}});
  check({"002 CNN_VGG", [] { return zoo::vgg_like_6conv(); }, {1, 28, 28}, 2'832'517, 0, {1, 5}});
  check({"002 LSTM", [] { return zoo::row_lstm(); }, {1, 28, 28}, 198'789, 0, {1, 5}});
}

TEST_CASE("experiment 002: the LSTM's parts count as Keras' summary lists them") {
  auto model = zoo::row_lstm();
  // Reshape, TimeDistributed(LSTM(128)), LSTM(128), Dense(5).
  CHECK((*model)[1]->num_parameters() == 66'560);
  CHECK((*model)[2]->num_parameters() == 131'584);
  CHECK((*model)[3]->num_parameters() == 645);
  CHECK(LSTM(1, 128).num_parameters() == 4 * (128 * (1 + 128) + 128));
}

TEST_CASE("experiment 003: CIFAR-10 models 3 to 7") {
  check({"003 model 3", zoo::cifar_3conv, {3, 32, 32}, 319'178, 0, {1, 10}});
  check({"003 model 4", zoo::cifar_6conv, {3, 32, 32}, 402'282, 0, {1, 10}});
  check({"003 model 5", zoo::cifar_8conv_dropout, {3, 32, 32}, 279'530, 0, {1, 10}});
  check({"003 model 6", zoo::cifar_11conv_dropout, {3, 32, 32}, 615'786, 0, {1, 10}});
  check({"003 model 7", zoo::cifar_8conv_dropout_bn, {3, 32, 32}, 280'170, 320, {1, 10}});
}

TEST_CASE("experiment 004: CNN 1 and 7, VGG-16, AlexNet, LeNet-5, ResNet") {
  check({"004 CNN model 1", [] { return zoo::cnn_4conv(); }, {1, 28, 28}, 886'245, 0, {1, 5}});
  check({"004 CNN model 7", [] { return zoo::cnn_4conv_bn(); }, {1, 28, 28}, 887'013, 384, {1, 5}});
  check({"004 VGG-16", [] { return zoo::vgg16(); }, {1, 48, 48}, 33'616'581, 0, {1, 5}});
  check({"004 AlexNet", [] { return zoo::alexnet(); }, {1, 48, 48}, 29'967'045, 0, {1, 5}});
  check({"004 LeNet-5", [] { return zoo::lenet5(); }, {1, 28, 28}, 245'601, 0, {1, 5}});
  check({"004 LeNet-5 tweaked", [] { return zoo::lenet5_tweaked(); }, {1, 28, 28}, 368'749, 0, {1, 5}});
  check({"004 ResNet", [] { return zoo::resnet18_like(); }, {1, 28, 28}, 11'183'621, 7'808, {1, 5}});
}

TEST_CASE("summary prints Keras' table for experiment 004's CNN model 1") {
  auto model = zoo::cnn_4conv();
  std::string table = summary(*model, {1, 28, 28}, {.channels_last = true});
  // Rows as in the notebook (shapes channels-last, automatic names); runs of
  // spaces collapse to one so the check does not depend on column widths.
  std::string flat;
  for (char c : table)
    if (c != ' ' || flat.empty() || flat.back() != ' ') flat += c;
  CHECK(flat.find("conv2d_1 (Conv2D) (None, 28, 28, 32) 832 \n") != std::string::npos);
  CHECK(flat.find("max_pooling2d_2 (MaxPooling2D) (None, 7, 7, 64) 0 \n") != std::string::npos);
  CHECK(flat.find("flatten_1 (Flatten) (None, 3136) 0 \n") != std::string::npos);
  CHECK(flat.find("dense_1 (Dense) (None, 256) 803072 \n") != std::string::npos);
  CHECK(flat.find("dense_2 (Dense) (None, 5) 1285 \n") != std::string::npos);
  CHECK(table.rfind("Model: \"sequential\"", 0) == 0);
  // Default: ember's NCHW order.
  CHECK(summary(*model, {1, 28, 28}).find("(None, 32, 28, 28)") != std::string::npos);
}

TEST_CASE("summary helpers") {
  CHECK(with_thousands(0) == "0");
  CHECK(with_thousands(999) == "999");
  CHECK(with_thousands(1000) == "1,000");
  CHECK(with_thousands(33616581) == "33,616,581");
  CHECK(keras_snake_case("Conv2D") == "conv2d");
  CHECK(keras_snake_case("MaxPooling2D") == "max_pooling2d");
  CHECK(keras_snake_case("BatchNormalization") == "batch_normalization");
  CHECK(keras_snake_case("SpatialDropout2D") == "spatial_dropout2d");
  CHECK(keras_snake_case("ReLU") == "re_lu");
  CHECK(keras_snake_case("PReLU") == "p_re_lu");
  CHECK(keras_snake_case("LSTM") == "lstm");
  CHECK(keras_snake_case("TimeDistributed") == "time_distributed");
}
