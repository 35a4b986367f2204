// consumer.cpp — an outside program, built only through the installed headers
// and `pkg-config --cflags --libs ember` (scripts/check-install.sh). It creates
// tensors, takes views and runs each kernel family once, checking one value
// of each against a number worked out by hand.
#include <ember/ember.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>

using namespace ember;
namespace k = ember::kernels;

static int failures = 0;
static void expect(bool ok, const char* what) {
  std::printf("%s %s\n", ok ? "ok  " : "FAIL", what);
  failures += !ok;
}

int main() {
  manual_seed(1);
  Tensor x = views::view(Tensor::arange(12), {3, 4});
  Tensor t = views::transpose(x, 0, 1);
  expect(t.at({3, 2}) == 11.0f && t.shares_storage(x), "views alias without copying");
  expect(views::slice(x, 1, 0, 4, 2).to_vector() == std::vector<float>{0, 2, 4, 6, 8, 10}, "slice");
  expect(views::expand(Tensor::ones({1, 4}), {3, 4}).strides()[0] == 0, "expand");
  expect(k::add(x, Tensor::ones({4})).at({2, 3}) == 12.0f, "broadcast add");
  expect(std::fabs(k::sigmoid(Tensor::scalar(0)).item() - 0.5f) < 1e-7f, "sigmoid");
  expect(k::sum(x, {0}).to_vector() == std::vector<float>{12, 15, 18, 21}, "sum");
  expect(k::argmax(x, 1).to_vector() == std::vector<float>{3, 3, 3}, "argmax");
  expect(std::fabs(k::softmax(Tensor::zeros({4}), 0).at({0}) - 0.25f) < 1e-7f, "softmax");
  // [3,4] x [4,3]: (x x^T)[0][0] = 0+1+4+9 = 14
  expect(k::matmul(x, t).at({0, 0}) == 14.0f, "matmul (transposed view)");
  Tensor img = Tensor::ones({1, 1, 4, 4});
  Tensor w = Tensor::ones({2, 1, 3, 3});
  k::Conv2dGeometry g;
  g.pad_h = g.pad_w = 1;
  Tensor y = k::conv2d(img, w, Tensor(), g);
  expect(y.shape() == Shape{1, 2, 4, 4} && y.at({0, 0, 0, 0}) == 4.0f && y.at({0, 1, 1, 1}) == 9.0f,
         "conv2d");
  k::Pool2dGeometry p{2, 2, 2, 2};
  expect(k::max_pool2d(views::view(Tensor::arange(16), {1, 1, 4, 4}), p).values.at({0, 0, 1, 1}) == 15.0f,
         "max_pool2d");
  expect(k::avg_pool2d(img, p).at({0, 0, 0, 0}) == 1.0f, "avg_pool2d");
  expect(k::pad2d(img, 1, 1, 1, 1).shape() == Shape{1, 1, 6, 6}, "pad2d");
  expect(k::cat({x, x}, 0).shape() == Shape{6, 4}, "cat");
  expect(k::stack({x, x}, 1).shape() == Shape{3, 2, 4}, "stack");
  try {
    k::matmul(Tensor::zeros({2, 3}), Tensor::zeros({4, 5}));
    expect(false, "matmul shape error");
  } catch (const ShapeError& e) {
    expect(true, e.what());
  }
  return failures ? EXIT_FAILURE : EXIT_SUCCESS;
}
