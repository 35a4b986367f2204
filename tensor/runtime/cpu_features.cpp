// cpu_features.cpp — see cpu_features.hpp.
#include "cpu_features.hpp"

#include <atomic>
#include <cstdlib>
#include <cstring>

namespace ember::kernels {
namespace {

std::atomic<bool>& avx512_flag() {
  static std::atomic<bool> flag{[] {
    const char* env = std::getenv("EMBER_AVX512");
    return !(env && std::strcmp(env, "0") == 0);
  }()};
  return flag;
}

}  // namespace

#if defined(__x86_64__) || defined(__i386__)

bool avx2_fma_supported() {
  static const bool ok = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return ok;
}

bool avx512_supported() {
  static const bool ok = avx2_fma_supported() && __builtin_cpu_supports("avx512f");
  return ok;
}

#else

bool avx2_fma_supported() { return false; }
bool avx512_supported() { return false; }

#endif

bool avx512_enabled() {
  return avx512_supported() && avx512_flag().load(std::memory_order_relaxed);
}
void set_avx512(bool enabled) { avx512_flag().store(enabled); }

}  // namespace ember::kernels
