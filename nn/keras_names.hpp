// keras_names.hpp — Keras' names for ember's layers, for people porting Keras
// code: with it, `nn::Dense(784, 10)` is `nn::Linear(784, 10)`.
//
// The layer headers name each layer once, in ember's own vocabulary (mostly
// PyTorch's: Linear, Conv2d, MaxPool2d); the other names live only here.
// Summaries need no alias: type_name() already gives Keras' names ("Dense",
// "Conv2D"), so print_summary reads like Keras' model.summary().
//
// An alias is the same class with the same defaults, which are PyTorch's
// where the two differ: BatchNormalization(c) has PyTorch's momentum and eps
// unless given BatchNormOptions::keras().
#pragma once

#include "batchnorm.hpp"
#include "conv.hpp"
#include "dropout.hpp"
#include "linear.hpp"
#include "pool.hpp"
#include "shape_layers.hpp"

namespace ember::nn {

using Dense = Linear;
using Conv2D = Conv2d;
using MaxPooling2D = MaxPool2d;
using AveragePooling2D = AvgPool2d;
using GlobalAveragePooling2D = GlobalAvgPool2d;
using BatchNormalization = BatchNorm;
using SpatialDropout2D = SpatialDropout2d;
using ZeroPadding2D = ZeroPad2d;

// PyTorch's name for the same layer, kept beside the others.
using Dropout2d = SpatialDropout2d;

}  // namespace ember::nn
