// test_smoke.cpp — the quickstart's path on real data, small enough for CI:
// experiment 004's CNN model 1 trained for one epoch on 320 Fashion-MNIST
// images, validated and tested on 200. Skipped when the dataset package
// (dataset-fashion-mnist) is not installed.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <numeric>
#include <sstream>

#include "data/dataloader.hpp"
#include "data/idx.hpp"
#include "data/subset.hpp"
#include "nn/zoo.hpp"
#include "optim/adam.hpp"
#include "tensor/random.hpp"
#include "train/fit.hpp"

using namespace ember;

namespace {
data::Subset first(const data::DatasetHandle& d, int64_t n) {
  std::vector<int64_t> idx(static_cast<size_t>(n));
  std::iota(idx.begin(), idx.end(), int64_t{0});
  return data::Subset(d, idx);
}
}  // namespace

TEST_CASE("smoke: one epoch of CNN model 1 on 320 Fashion-MNIST images learns something") {
  if (!std::filesystem::exists(std::string(data::kFashionMNISTRoot) +
                               "/train-images-idx3-ubyte.gz")) {
    MESSAGE("Fashion-MNIST not installed at ", data::kFashionMNISTRoot, ": skipped");
    return;
  }
  manual_seed(1337);
  auto model = nn::zoo::cnn_4conv(10);
  optim::Adam opt(model->parameters());
  data::DataLoader train(first(data::FashionMNIST(data::kFashionMNISTRoot, true), 320), 32,
                         true, 1337);
  data::DataLoader test(first(data::FashionMNIST(data::kFashionMNISTRoot, false), 200), 100);
  std::ostringstream out;
  const train::History h = train::fit(*model, opt, train,
                                      {.epochs = 1, .validation = &test, .out = &out});
  REQUIRE(h.epochs() == 1);
  CHECK(std::isfinite(h.loss[0]));
  CHECK(out.str().find("10/10 [==============================]") != std::string::npos);
  // Chance is 10% and a loss of ln(10) = 2.3026: ten Adam steps beat both.
  const train::EvalResult r = train::evaluate(*model, test);
  CHECK(r.loss < 2.30);
  CHECK(r.accuracy > 0.3);
  CHECK(r.loss == doctest::Approx(h.val_loss[0]).epsilon(1e-5));
}
