// test_gradcheck.cpp — gradcheck itself (gradcheck.cpp): it passes a composite of many ops and
// catches a wrong backward.
#include <doctest/doctest.h>

#include <string>

#include "../../autograd/node.hpp"
#include "../../autograd/ops.hpp"
#include "../../tensor/random.hpp"
#include "helpers.hpp"

using namespace ember;
using namespace ember::test;
using Inputs = std::vector<Tensor>;

TEST_CASE("a composite of several ops passes gradcheck") {
  manual_seed(4);
  Tensor x = param({3, 4});
  Tensor w = param({4, 5});
  Tensor b = param({5});
  auto fn = [](const Inputs& in) {
    Tensor h = matmul(in[0], in[1]) + in[2];
    Tensor y = h.tanh() * h.sigmoid() + h.exp() / (h * h + 1.0f);
    return log_softmax(y, 1).sum({0}) + y.t().mean({1});
  };
  CHECK_GRADCHECK(fn, {x, w, b});
}

TEST_CASE("gradcheck catches a wrong backward and reports the worst element") {
  // out = x^2 with a backward that forgets the factor 2.
  struct WrongSquare final : autograd::Node {
    const char* name() const override { return "wrong_square"; }
    std::vector<Tensor> backward(const Tensor& g) override { return {g * saved(0)}; }
  };
  auto wrong_square = [](const Inputs& in) {
    Tensor out = in[0].detach() * in[0].detach();
    if (auto node = autograd::record<WrongSquare>(out, {in[0]})) node->save({in[0]});
    return out;
  };
  Tensor x = Tensor::from_vector({0.1f, -30, 0.2f}, {3}).requires_grad_();
  auto r = autograd::gradcheck(wrong_square, {x});
  CHECK_FALSE(r.ok);
  CHECK(r.input == 0);
  CHECK(r.element == 1);  // |x| largest: analytic -30 w vs numeric -60 w
  CHECK(r.numeric == doctest::Approx(2 * r.analytic).epsilon(1e-2));
  CHECK(r.report.find("FAILED") != std::string::npos);
  CHECK(r.report.find("element 1") != std::string::npos);
}
