// random.hpp — ember's random numbers: same seed, same numbers, on every machine.
//
// std::normal_distribution and friends are implementation-defined, so ember
// draws its own: xoshiro256** for the bits (seeded through splitmix64),
// 24-bit mantissas for uniforms, Box-Muller for normals.
#pragma once

#include <array>
#include <cstdint>

namespace ember {

// Everything a Generator's future numbers depend on: what a training
// checkpoint saves so that a resumed run draws what the uninterrupted one
// would have (train/checkpoint.hpp).
struct GeneratorState {
  std::array<uint64_t, 4> s{};  // xoshiro256**'s state (never all zero)
  float spare_normal = 0.0f;    // Box-Muller's second value, kept for the next normal()
  bool has_spare = false;

  bool operator==(const GeneratorState&) const = default;
};

class Generator {
 public:
  explicit Generator(uint64_t seed = 0x5eed);
  void seed(uint64_t seed);
  uint64_t next_u64();
  // out[0..n) = the next n next_u64() values, the state kept in registers
  // (a loop over next_u64, an out-of-line call that reloads and stores the
  // state each time, was most of dropout's time).
  void fill_u64(uint64_t* out, int64_t n);
  float uniform();                    // [0, 1)
  float normal();                     // N(0, 1)
  uint64_t below(uint64_t n);         // uniform integer in [0, n), unbiased

  GeneratorState state() const;
  // Continues from a state() taken earlier; an all-zero s (a state
  // xoshiro256** never reaches) throws ValueError.
  void set_state(const GeneratorState& state);

 private:
  uint64_t s_[4];
  float spare_normal_ = 0.0f;
  bool has_spare_ = false;
};

// The generator behind TensorBase::rand/randn/uniform/normal, initializers and dropout.
Generator& default_generator();
void manual_seed(uint64_t seed);

}  // namespace ember
