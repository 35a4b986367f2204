// test_dropout.cpp — dropout and dropout2d (ops/dropout.cpp): scaling, reproducibility, gradchecks.
#include <doctest/doctest.h>

#include "../../autograd/ops.hpp"
#include "../../tensor/random.hpp"
#include "helpers.hpp"

using namespace ember;
using namespace ember::test;
using Inputs = std::vector<Tensor>;

TEST_CASE("dropout: inverted scaling, reproducible with manual_seed, identity in eval") {
  Tensor x = Tensor::ones({1000});
  manual_seed(7);
  Tensor y = dropout(x, 0.25f, true);
  manual_seed(7);
  Tensor y2 = dropout(x, 0.25f, true);
  CHECK(y.to_vector() == y2.to_vector());
  int64_t kept = 0;
  for (float v : y.to_vector()) {
    CHECK((v == 0.0f || v == doctest::Approx(1.0f / 0.75f)));
    kept += v != 0.0f;
  }
  CHECK(kept > 700);  // 750 expected; binomial sd is about 14
  CHECK(kept < 800);
  CHECK(dropout(x, 0.25f, false).is_same(x));
  check_near(dropout(Tensor::ones({3}), 1.0f, true), {0, 0, 0});
  CHECK_THROWS_WITH_AS(dropout(x, 1.5f), doctest::Contains("p must be in [0, 1], got 1.5"),
                       ValueError);
}

TEST_CASE("dropout2d drops whole channels") {
  manual_seed(8);
  Tensor x = Tensor::ones({4, 8, 3, 3});
  Tensor y = dropout2d(x, 0.5f, true);
  for (int64_t n = 0; n < 4; ++n)
    for (int64_t c = 0; c < 8; ++c) {
      Tensor plane = y.select(0, n).select(0, c);
      float first = plane.to_vector()[0];
      CHECK((first == 0.0f || first == 2.0f));
      for (float v : plane.to_vector()) CHECK(v == first);
    }
}

TEST_CASE("dropout and dropout2d: gradcheck with the mask fixed by reseeding") {
  Tensor x = param({3, 4, 2, 2});
  CHECK_GRADCHECK(
      [](const Inputs& in) {
        manual_seed(5);
        return dropout(in[0], 0.3f, true);
      },
      {x});
  CHECK_GRADCHECK(
      [](const Inputs& in) {
        manual_seed(5);
        return dropout2d(in[0], 0.5f, true);
      },
      {x});
  CHECK_GRADCHECK(
      [](const Inputs& in) {
        manual_seed(5);
        return dropout(in[0].transpose(1, 3), 0.3f, true);
      },
      {x});
}
