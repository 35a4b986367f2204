// test_movement.cpp — views, copies, cat/stack and padding: gradients and gradchecks.
#include <doctest/doctest.h>

#include <functional>
#include <string>

#include "../../autograd/node.hpp"
#include "../../autograd/ops.hpp"
#include "../../tensor/random.hpp"
#include "helpers.hpp"

using namespace ember;
using namespace ember::test;
using Inputs = std::vector<Tensor>;

TEST_CASE("view ops: gradcheck on contiguous and non-contiguous inputs") {
  manual_seed(21);
  struct Case {
    const char* name;
    std::function<Tensor(const Tensor&)> op;  // x is [2, 3, 4]
  };
  std::vector<Case> cases = {
      {"reshape",
       [](const Tensor& x) {
         return x.reshape({4, 6});
       }},
      {"reshape -1",
       [](const Tensor& x) {
         return x.reshape({-1, 2});
       }},
      {"permute",
       [](const Tensor& x) {
         return x.permute({1, 2, 0});
       }},
      {"transpose", [](const Tensor& x) { return x.transpose(0, 2); }},
      {"slice step 2", [](const Tensor& x) { return x.slice(2, 0, 4, 2); }},
      {"slice middle", [](const Tensor& x) { return x.slice(1, 1, 3); }},
      {"narrow", [](const Tensor& x) { return x.narrow(2, 1, 2); }},
      {"select", [](const Tensor& x) { return x.select(1, 2); }},
      {"select negative", [](const Tensor& x) { return x.select(-1, -1); }},
      {"expand",
       [](const Tensor& x) {
         return x.slice(1, 0, 1).expand({2, 5, 4});
       }},
      {"expand new dims",
       [](const Tensor& x) {
         return x.select(0, 0).select(0, 0).expand({3, 2, 4});
       }},
      {"unsqueeze", [](const Tensor& x) { return x.unsqueeze(1); }},
      {"squeeze dim", [](const Tensor& x) { return x.slice(1, 0, 1).squeeze(1); }},
      {"squeeze all", [](const Tensor& x) { return x.slice(0, 1, 2).squeeze(); }},
      {"flatten", [](const Tensor& x) { return x.flatten(); }},
      {"flatten 1..2", [](const Tensor& x) { return x.flatten(1, 2); }},
      {"contiguous", [](const Tensor& x) { return x.contiguous(); }},
      {"clone", [](const Tensor& x) { return x.clone(); }},
  };
  Tensor x = param({2, 3, 4});
  Tensor xt = param({4, 3, 2});  // used through a permute: non-contiguous
  for (const Case& c : cases) {
    CAPTURE(std::string(c.name));
    CHECK_GRADCHECK([&](const Inputs& in) { return c.op(in[0]); }, {x});
    // view() needs a compatible layout, reshape copies when it must.
    CHECK_GRADCHECK([&](const Inputs& in) { return c.op(in[0].permute({2, 1, 0})); }, {xt});
  }
  CHECK_GRADCHECK([](const Inputs& in) { return in[0].view({6, 4}) * in[0].view({6, 4}); }, {x});
}

TEST_CASE("a slice's gradient is zero outside the slice") {
  Tensor x = Tensor::zeros({5}).requires_grad_();
  x.slice(0, 1, 5, 2).sum().backward();
  check_near(x.grad(), {0, 1, 0, 1, 0});
}

TEST_CASE("expand sums the gradient over the copies") {
  Tensor x = Tensor::from_vector({1, 2}, {2, 1}).requires_grad_();
  x.expand({2, 3}).sum().backward();
  check_near(x.grad(), {3, 3});
}

TEST_CASE("contiguous of a contiguous tensor is the tensor itself") {
  Tensor x = Tensor::ones({2, 2}).requires_grad_();
  CHECK(x.contiguous().is_same(x));
  Tensor t = x.t();
  Tensor c = t.contiguous();
  CHECK(std::string(c.grad_fn()->name()) == "contiguous");
}

TEST_CASE("cat, stack and pad2d: gradcheck, including non-contiguous pieces") {
  manual_seed(22);
  Tensor a = param({2, 3});
  Tensor b = param({2, 1});
  Tensor c = param({3, 2});  // used transposed: [2, 3]
  CHECK_GRADCHECK([](const Inputs& in) { return cat({in[0], in[1], in[2].t()}, 1); }, {a, b, c});
  CHECK_GRADCHECK([](const Inputs& in) { return cat({in[0], in[2].t()}, 0); }, {a, b, c});
  CHECK_GRADCHECK([](const Inputs& in) { return cat({in[0], in[2].t()}, -1); }, {a, b, c});
  CHECK_GRADCHECK([](const Inputs& in) { return stack({in[0], in[2].t()}, 0); }, {a, b, c});
  CHECK_GRADCHECK([](const Inputs& in) { return stack({in[0], in[2].t()}, 2); }, {a, b, c});
  CHECK_GRADCHECK([](const Inputs& in) { return stack({in[0], in[2].t()}, -2); }, {a, b, c});

  Tensor img = param({2, 2, 3, 4});
  CHECK_GRADCHECK([](const Inputs& in) { return pad2d(in[0], {1, 2, 0, 3}); }, {img});
  CHECK_GRADCHECK(
      [](const Inputs& in) {
        return pad2d(in[0].transpose(2, 3), {2, 0, 1, 1});
      },
      {img});
  CHECK_THROWS_WITH_AS(pad2d(img, {1, 2}), doctest::Contains("{left, right, top, bottom}"),
                       ValueError);
}

TEST_CASE("a constant in cat gets no gradient, the other piece does") {
  Tensor a = Tensor::ones({2}).requires_grad_();
  Tensor k = Tensor::ones({3});
  (cat({k, a}) * Tensor::arange(5)).sum().backward();
  check_near(a.grad(), {3, 4});
  CHECK_FALSE(k.grad().defined());
}
