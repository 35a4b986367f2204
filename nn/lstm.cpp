// lstm.cpp — LSTM unrolled over time with differentiable ops, and
// TimeDistributed. The input projection of all steps is one GEMM; each step
// then adds one [N, u] x [u, 4u] GEMM for the recurrence.
#include "lstm.hpp"

#include "../autograd/ops.hpp"

namespace ember::nn {

LSTM::LSTM(const LSTMOptions& options) : options_(options) {
  const int64_t u = options.units, f = options.input_size;
  EMBER_CHECK(u > 0 && f > 0, ValueError, "LSTM: input_size and units must be positive, got ", f,
              " and ", u);
  Tensor w_ih = Tensor::empty({4 * u, f});
  options.kernel_initializer(w_ih);
  Tensor w_hh = Tensor::empty({4 * u, u});
  options.recurrent_initializer(w_hh);
  Tensor b = Tensor::empty({4 * u});
  options.bias_initializer(b, w_ih.shape());
  if (options.unit_forget_bias) b.narrow(0, u, u).fill_(1.0f);
  weight_ih_ = register_parameter("weight_ih", w_ih);
  weight_hh_ = register_parameter("weight_hh", w_hh);
  bias_ = register_parameter("bias", b);
}

LSTM::LSTM(int64_t input_size, int64_t units, bool return_sequences)
    : LSTM(LSTMOptions{.input_size = input_size, .units = units,
                       .return_sequences = return_sequences}) {}

Shape LSTM::output_shape(const Shape& s) {
  EMBER_CHECK(s.size() == 3 && s[2] == options_.input_size, ShapeError,
              "LSTM: expected input [N, T, ", options_.input_size, "], got ", s);
  EMBER_CHECK(s[1] >= 1, ShapeError, "LSTM: empty sequence in input ", s);
  if (options_.return_sequences) return {s[0], s[1], options_.units};
  return {s[0], options_.units};
}

Tensor LSTM::forward(const Tensor& x) {
  output_shape(x.shape());
  const int64_t n = x.size(0), steps = x.size(1), u = options_.units;
  // x W_ih^T + b for every step at once: [N*T, F] -> [N, T, 4u].
  Tensor projected =
      ember::linear(x.reshape({n * steps, options_.input_size}), weight_ih_, bias_)
          .view({n, steps, 4 * u});
  Tensor h = Tensor::zeros({n, u});
  Tensor c = Tensor::zeros({n, u});
  std::vector<Tensor> outputs;
  for (int64_t t = 0; t < steps; ++t) {
    Tensor z = projected.select(1, t);
    if (t > 0) z = z + ember::linear(h, weight_hh_);  // h is zero at t = 0
    Tensor i = ember::sigmoid(z.narrow(1, 0, u));
    Tensor f = ember::sigmoid(z.narrow(1, u, u));
    Tensor g = ember::tanh(z.narrow(1, 2 * u, u));
    Tensor o = ember::sigmoid(z.narrow(1, 3 * u, u));
    c = t > 0 ? f * c + i * g : i * g;
    h = o * ember::tanh(c);
    if (options_.return_sequences) outputs.push_back(h);
  }
  return options_.return_sequences ? ember::stack(outputs, 1) : h;
}

Tensor LSTM::regularization_loss() const {
  return options_.kernel_regularizer.penalty(weight_ih_);
}

TimeDistributed::TimeDistributed(std::shared_ptr<Module> layer) {
  EMBER_CHECK(layer != nullptr, ValueError, "TimeDistributed: null layer");
  layer_ = register_module("layer", std::move(layer));
}

Shape TimeDistributed::output_shape(const Shape& s) {
  EMBER_CHECK(s.size() >= 3, ShapeError, "TimeDistributed: expected input [N, T, ...], got ", s);
  Shape folded{s[0] * s[1]};
  folded.insert(folded.end(), s.begin() + 2, s.end());
  Shape inner = layer_->output_shape(folded);
  Shape out{s[0], s[1]};
  out.insert(out.end(), inner.begin() + 1, inner.end());
  return out;
}

Tensor TimeDistributed::forward(const Tensor& x) {
  Shape out_shape = output_shape(x.shape());
  Shape folded{x.size(0) * x.size(1)};
  folded.insert(folded.end(), x.shape().begin() + 2, x.shape().end());
  return layer_->forward(x.reshape(folded)).reshape(out_shape);
}

std::string LSTM::extra_repr() const {
  return detail::str(options_.input_size, ", ", options_.units,
                     options_.return_sequences ? ", return_sequences=true" : "");
}

}  // namespace ember::nn
