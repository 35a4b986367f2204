// zoo.hpp — ready-made architectures: the models of the course's Keras
// experiments (001-004), to train, summarize or compare.
//
// Each builder reproduces the Keras model layer for layer, so summary()
// gives the notebook's parameter counts to the unit; the input is ember's
// NCHW (one sample's shape is in each comment). Two deliberate differences:
//  - the last Dense has no softmax: the models output logits for
//    cross_entropy, which applies log_softmax itself (same model, stabler);
//  - Flatten reads C, H, W (PyTorch's order) instead of Keras' H, W, C.
// BatchNorm uses Keras' momentum and eps (BatchNormOptions::keras()).
// Unless a comment says otherwise, convolutions are 3x3 with ReLU and
// glorot_uniform kernels, pooling is 2x2 max pooling and dense layers are ReLU.
//
// Which builder is which experiment's model, with the parameter count
// (non-trainable in brackets: BatchNorm's moving statistics) and the result
// the experiment reported:
//
//   experiment, model    builder                     parameters          reported
//   001 model 1 (k = 7)  cnn_2conv_bn(7)                367,786 (320)    test 99.51%
//   001 model 2          cnn_5conv_bn()                 307,306 (448)    test 99.37%
//   001 model 3          cnn_6conv_bn()               1,074,890 (1,504)  val ~99.4%
//   002 CM1              cnn_2conv()                  1,190,757          test 93.96%
//   002 CNN1             cnn_3conv()                  1,062,309          test 93.82%
//   002 CNN2             cnn_2conv_dropout()            321,509          test 92.42%
//   002 CNN4             cnn_2conv_dropout(5, 0.2f)     321,509          test 92.96%
//   002 CNN_VGG          vgg_like_6conv()             2,832,517          test 88.04%
//   002 LSTM             row_lstm()                     198,789          test 85.13%
//   003 model 3          cifar_3conv()                  319,178          val 70.85%
//   003 model 4          cifar_6conv()                  402,282          val 72.43%
//   003 model 5          cifar_8conv_dropout()          279,530          val 68.45%
//   003 model 6          cifar_11conv_dropout()         615,786          stuck at 10%
//   003 model 7          cifar_8conv_dropout_bn()       280,170 (320)    val 74.86%
//   004 CNN model 1      cnn_4conv()                    886,245          val 88.80%
//   004 CNN model 7      cnn_4conv_bn()                 887,013 (384)    val 91.12%
//   004 VGG-16           vgg16()                     33,616,581          val 86.03% (SGD)
//   004 AlexNet          alexnet()                   29,967,045          val 87.42% (SGD)
//   004 LeNet-5          lenet5()                       245,601          val 86.18%
//   004 LeNet-5 tweaked  lenet5_tweaked()               368,749          val 87.11%
//   004 ResNet           resnet18_like()             11,183,621 (7,808)  val 86.56%
//
// The experiments' settings, for reproducing those figures:
//  001: MNIST (60,000 train, 10,000 test), 10 classes, pixels / 255,
//       categorical cross-entropy, Adam, batch 100, 20 epochs, he_normal
//       kernels. Model 1's kernel size came from a 5-fold cross-validated
//       grid search over {2, 3, 5, 7, 11}.
//  002: Fashion-MNIST restricted to 5 classes, 80/20 train/validation split,
//       pixels / 255, Adam, batch 500, 10 epochs (CM1: 50). CNN_VGG used
//       Adam(0.003), batch 400, 5 epochs; LSTM used RMSprop; CNN3 (CNN2 with
//       SGD) reached 75.21%.
//  003: CIFAR-10, 80/20 stratified split of the 50,000 training images,
//       pixels / 255, sparse categorical cross-entropy, Adam, batch 32, 10
//       epochs (model 6: 15, and its loss stayed at ln 10 = 2.3026). Model 8,
//       model 7 with Adagrad, Adadelta, Adamax: 44.54%, 45.97%, 73.96%.
//  004: Fashion-MNIST restricted to 5 classes (60,000 images), 80/20 split,
//       seed 1337, pixels / 255, Adam, batch 32, 50 epochs. CNN model 7
//       trains with what models 2 and 5 added to model 1: ReduceLROnPlateau
//       (val_accuracy, patience 3, factor 0.5, min_lr 1e-5) and
//       SGD(0.01, decay 1e-6, momentum 0.9, Nesterov). VGG-16 and AlexNet
//       train on images resized to 48x48 (VGG-16 with SGD, batch 64; with
//       Adam it did not train); LeNet-5 used Adam(0.01), batch 64, 80 epochs,
//       the tweaked one Adam(5e-4).
#pragma once

#include <memory>

#include "sequential.hpp"

namespace ember::nn::zoo {

// ---- input [1, 28, 28] (MNIST, Fashion-MNIST) --------------------------------

// Two kxk convolutions (64, 32 filters), pooling, BatchNorm, dropout 0.3,
// Dense(128), BatchNorm, dropout 0.5, 10 classes; he_normal kernels.
std::shared_ptr<Sequential> cnn_2conv_bn(int64_t kernel_size = 7);
// Conv 32, 32, pool, conv 64, 64 (2x2), pool, conv 128 (5x5), each group
// closed by BatchNorm and dropout; Dense 256, 128; 10 classes; he_normal.
std::shared_ptr<Sequential> cnn_5conv_bn();
// Six blocks of conv (16, 32, 64: 3x3; 96, 128, 160: 5x5), pooling (1x1
// for the first four), BatchNorm, dropout; Dense 256, 128; 10 classes.
std::shared_ptr<Sequential> cnn_6conv_bn();

// Conv 32 (same), pool, conv 32, Dense 256.
std::shared_ptr<Sequential> cnn_2conv(int64_t num_classes = 5);
// Conv 32 (same), conv 64, pool, conv 32, Dense 256, 128.
std::shared_ptr<Sequential> cnn_3conv(int64_t num_classes = 5);
// Conv 32 (same), pool, dropout 0.3, conv 32, pool, dropout 0.3, Dense 256,
// dropout 0.5, Dense 64. leaky_alpha != 0 puts LeakyReLU(leaky_alpha)
// layers where the ReLUs were (no parameters: the same count).
std::shared_ptr<Sequential> cnn_2conv_dropout(int64_t num_classes = 5, float leaky_alpha = 0);
// VGG-like: conv 32 (same), pool, conv 64, 128, 128, 256, 256, pool,
// Dense 1024, 512, 256, each followed by dropout 0.5.
std::shared_ptr<Sequential> vgg_like_6conv(int64_t num_classes = 5);
// Each image row is a sequence: Reshape to [28, 28, 1], TimeDistributed
// LSTM(128) encodes every row, LSTM(128) runs over the row codes, Dense.
std::shared_ptr<Sequential> row_lstm(int64_t num_classes = 5);

// Two 5x5 convs (32, same), pool, dropout 0.25, two convs (64, same), pool,
// dropout 0.25, Dense 256, dropout 0.25: the quickstart's CNN.
std::shared_ptr<Sequential> cnn_4conv(int64_t num_classes = 5);
// cnn_4conv with BatchNorm after the convolutions (the notebook's order,
// including a BatchNorm after the second dropout).
std::shared_ptr<Sequential> cnn_4conv_bn(int64_t num_classes = 5);
// LeNet-5 with tanh: 5x5 conv 6 (same), 2x2 average pooling stride 1, 5x5
// conv 16, average pooling, Dense 120, 84.
std::shared_ptr<Sequential> lenet5(int64_t num_classes = 5);
// LeNet-5 with ReLU, more filters and max pooling: 5x5 conv 32 (same),
// pool, 5x5 conv 48, pool, Dense 256, 84.
std::shared_ptr<Sequential> lenet5_tweaked(int64_t num_classes = 5);
// ResNet-18's layout: 7x7/2 stem (he_normal, L2 1e-4) + BN + ReLU, 4 stages
// of 2 basic blocks (64, 128, 256, 512 filters), 2x2 average pooling, Dense.
// The notebook does not show its dropout rate; 0.2 is assumed (it does not
// change the counts).
std::shared_ptr<Sequential> resnet18_like(int64_t num_classes = 5, float dropout = 0.2f);

// ---- input [1, 48, 48] (Fashion-MNIST resized) ------------------------------

// VGG-16: blocks of 3x3 convs (64 x2, 128 x2, 256 x3, 512 x3, 512 x3), each
// conv after a ZeroPadding2D(1), each block closed by pooling; Dense 4096,
// 4096 with dropout 0.5.
std::shared_ptr<Sequential> vgg16(int64_t num_classes = 5);
// AlexNet: 11x11 conv 96, 3x3/2 max pooling, 5x5 conv 256 (same), pool,
// convs 384, 384, 256 (same), pool, Dense 4096, 4096 with dropout 0.5.
std::shared_ptr<Sequential> alexnet(int64_t num_classes = 5);

// ---- input [3, 32, 32] (CIFAR-10), 10 classes --------------------------------
// Same-padded convs; every model ends Dense(64), Dense(10).

// Conv 32, pool, conv 64, pool, conv 64.
std::shared_ptr<Sequential> cifar_3conv();
// Convs 32 x2, pool, 64 x2, pool, 64 x2.
std::shared_ptr<Sequential> cifar_6conv();
// Blocks 32 x2, 64 x3, 64 x3, each closed by SpatialDropout2D(0.25) (not the
// last) and pooling.
std::shared_ptr<Sequential> cifar_8conv_dropout();
// Blocks 32 x2, 64 x3, 64 x3, 128 x3, each closed by SpatialDropout2D(0.2)
// and pooling.
std::shared_ptr<Sequential> cifar_11conv_dropout();
// cifar_8conv_dropout with SpatialDropout2D(0.25) closing every block (the
// last too), then BatchNorm, then pooling.
std::shared_ptr<Sequential> cifar_8conv_dropout_bn();

}  // namespace ember::nn::zoo
