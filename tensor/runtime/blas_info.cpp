// blas_info.cpp — see blas_info.hpp.
//
// The OpenBLAS extension functions are declared weak here instead of taken
// from cblas.h: ember also links against other CBLAS libraries (meson falls
// back to any 'cblas'), which lack them; then they are null and the report
// says the BLAS is not OpenBLAS.
#include "blas_info.hpp"

#include <cctype>
#include <cstdlib>
#include <sstream>

extern "C" {
char* openblas_get_config(void) __attribute__((weak));
char* openblas_get_corename(void) __attribute__((weak));
int openblas_get_num_threads(void) __attribute__((weak));
// DYNAMIC_ARCH builds only: drop the kernel table, and pick one again (from
// OPENBLAS_CORETYPE if set, else by OpenBLAS's own CPU detection).
void gotoblas_dynamic_quit(void) __attribute__((weak));
void gotoblas_dynamic_init(void) __attribute__((weak));
}

namespace ember {

namespace {

SimdLevel cpu_simd_level() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  // OpenBLAS's SkylakeX kernels need F, BW, DQ and VL (its own CPU check).
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl"))
    return SimdLevel::AVX512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return SimdLevel::AVX2;
  if (__builtin_cpu_supports("avx")) return SimdLevel::AVX;
  if (__builtin_cpu_supports("sse2")) return SimdLevel::SSE;
#endif
  return SimdLevel::Unknown;
}

// The OPENBLAS_CORETYPE value whose kernels use `level` (x86 names of 0.3.x).
std::string coretype_for(SimdLevel level) {
#if defined(__x86_64__) || defined(__i386__)
  if (level == SimdLevel::AVX512)
    return __builtin_cpu_supports("avx512bf16") ? "Cooperlake" : "SkylakeX";
#endif
  switch (level) {
    case SimdLevel::AVX2:
      return "Haswell";
    case SimdLevel::AVX:
      return "Sandybridge";
    default:
      return "";
  }
}

std::string env_or_empty(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// The kernels OpenBLAS picked when it loaded, before ember looked at them.
BlasInfo loaded_blas_info() {
  BlasInfo info;
  if (openblas_get_config) info.config = openblas_get_config();
  if (openblas_get_corename) info.corename = openblas_get_corename();
  info.coretype_env = env_or_empty("OPENBLAS_CORETYPE");
  info.core_level = simd_level_of_core(info.corename);
  info.cpu_level = cpu_simd_level();
  info.best_coretype = coretype_for(info.cpu_level);
  return info;
}

// Asks OpenBLAS to pick its kernels again, as it does at load time, with
// OPENBLAS_CORETYPE set to `coretype` meanwhile; the environment is left as
// it was (the variable unset: callers only come here when it is).
void repick_blas_core(const std::string& coretype) {
  gotoblas_dynamic_quit();
  setenv("OPENBLAS_CORETYPE", coretype.c_str(), 1);
  gotoblas_dynamic_init();
  unsetenv("OPENBLAS_CORETYPE");
}

// Runs once, when libember loads (after OpenBLAS, which it links, and before
// main and any matrix product): replaces a core type older than the CPU with
// the best one. setenv is only safe while a single thread runs, which is the
// case here unless the library is dlopen'ed by a threaded program. Returns
// the replaced name.
std::string upgrade_blas_core() {
  if (!gotoblas_dynamic_quit || !gotoblas_dynamic_init || !openblas_get_corename) return "";
  const BlasInfo loaded = loaded_blas_info();
  const std::string better = better_coretype(loaded);
  if (better.empty()) return "";
  repick_blas_core(better);
  // An OpenBLAS that does not know the name falls back to its oldest kernels:
  // then go back to what it had picked.
  if (simd_level_of_core(openblas_get_corename()) <= loaded.core_level) {
    repick_blas_core(loaded.corename);
    return "";
  }
  return loaded.corename;
}

const std::string g_replaced_core = upgrade_blas_core();

}  // namespace

std::string better_coretype(const BlasInfo& loaded) {
  if (!loaded.coretype_env.empty()) return "";  // the user chose; blas_warning says so
  if (loaded.core_level == SimdLevel::Unknown || loaded.core_level >= loaded.cpu_level) return "";
  return loaded.best_coretype;
}

const char* simd_level_name(SimdLevel level) {
  switch (level) {
    case SimdLevel::SSE:
      return "SSE";
    case SimdLevel::AVX:
      return "AVX";
    case SimdLevel::AVX2:
      return "AVX2 + FMA";
    case SimdLevel::AVX512:
      return "AVX-512";
    default:
      return "unknown";
  }
}

SimdLevel simd_level_of_core(const std::string& core) {
  // OpenBLAS reports core names in several casings ("SkylakeX", "skylakex").
  std::string c;
  for (char ch : core) c += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (c == "skylakex" || c == "cooperlake" || c == "sapphirerapids") return SimdLevel::AVX512;
  if (c == "haswell" || c == "zen" || c == "excavator") return SimdLevel::AVX2;
  if (c == "sandybridge" || c == "bulldozer" || c == "piledriver" || c == "steamroller")
    return SimdLevel::AVX;
  if (c == "nehalem" || c == "core2" || c == "penryn" || c == "dunnington" || c == "prescott" ||
      c == "atom" || c == "barcelona" || c == "opteron" || c == "opteron_sse3" || c == "katmai")
    return SimdLevel::SSE;
  return SimdLevel::Unknown;
}

BlasInfo blas_info() {
  BlasInfo info = loaded_blas_info();
  if (openblas_get_num_threads) info.threads = openblas_get_num_threads();
  info.replaced_core = g_replaced_core;
  info.warning = blas_warning(info);
  return info;
}

std::string blas_warning(const BlasInfo& info) {
  if (info.core_level == SimdLevel::Unknown || info.cpu_level <= info.core_level) return "";
  std::ostringstream w;
  w << "warning: OpenBLAS runs its " << info.corename << " kernels ("
    << simd_level_name(info.core_level) << ") but this CPU supports "
    << simd_level_name(info.cpu_level) << ": matrix products run slower than they could. ";
  if (!info.coretype_env.empty())
    w << "OPENBLAS_CORETYPE=" << info.coretype_env
      << " in the environment forces them: unset it or start the program with "
         "OPENBLAS_CORETYPE="
      << info.best_coretype << ".";
  else
    w << "This OpenBLAS did not recognize the CPU: start the program with OPENBLAS_CORETYPE="
      << info.best_coretype << ".";
  return w.str();
}

std::string BlasInfo::summary() const {
  std::ostringstream s;
  if (config.empty())
    s << "BLAS: not OpenBLAS (core type unknown)";
  else
    s << config << ", core " << corename << " (" << simd_level_name(core_level)
      << (replaced_core.empty() ? "" : "; ember's choice, OpenBLAS picked " + replaced_core)
      << "), " << threads << (threads == 1 ? " thread" : " threads");
  s << ", OPENBLAS_CORETYPE=" << (coretype_env.empty() ? "(unset)" : coretype_env)
    << ", CPU: " << simd_level_name(cpu_level);
  return s.str();
}

}  // namespace ember
