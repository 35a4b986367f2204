// blas_info.hpp — which BLAS kernels ember runs with, and whether the CPU could do better.
//
// OpenBLAS built with DYNAMIC_ARCH picks a kernel set ("core type") for the
// CPU when the library loads. Two things can leave a faster set unused: the
// environment variable OPENBLAS_CORETYPE forces one (some hosts set
// OPENBLAS_CORETYPE=Haswell, i.e. AVX2 kernels, on AVX-512 CPUs), and an
// OpenBLAS older than the CPU may not recognize it and fall back (0.3.21
// runs its SSE "Prescott" kernels on an Emerald Rapids Xeon: SGEMM at a
// fifth of the speed). ember fixes the second case when it loads, before
// main: it asks OpenBLAS to pick again with the best core type the CPU
// supports (docs/performance.md). The first is the user's explicit choice;
// ember only warns about it.
//
//   std::cout << ember::blas_info().summary() << "\n";
//   if (auto w = ember::blas_info().warning; !w.empty()) std::cerr << w << "\n";
#pragma once

#include <string>

namespace ember {

// Vector instruction sets in increasing order of GEMM throughput.
enum class SimdLevel { Unknown, SSE, AVX, AVX2, AVX512 };
const char* simd_level_name(SimdLevel level);  // "AVX2 + FMA", "AVX-512", ...

struct BlasInfo {
  std::string config;        // openblas_get_config(), "" if the BLAS is not OpenBLAS
  std::string corename;      // openblas_get_corename(), e.g. "Zen", "Haswell", "SkylakeX"
  int threads = 1;           // openblas_get_num_threads()
  std::string coretype_env;  // OPENBLAS_CORETYPE as set in the environment, "" if unset
  SimdLevel core_level = SimdLevel::Unknown;  // what the chosen kernels use
  SimdLevel cpu_level = SimdLevel::Unknown;   // the best this CPU (and OS) supports
  std::string best_coretype;                  // the OPENBLAS_CORETYPE value matching cpu_level
  // The core OpenBLAS picked itself when ember replaced it at load time, else "".
  std::string replaced_core;
  // One line when the kernels in use are older than the CPU supports; else "".
  std::string warning;
  // "OpenBLAS 0.3.21 ..., core Zen (AVX2 + FMA), 2 threads, CPU: AVX2 + FMA".
  std::string summary() const;
};

BlasInfo blas_info();

// The warning blas_info() puts in BlasInfo::warning, from the other fields:
// "" unless core_level is known and below cpu_level.
std::string blas_warning(const BlasInfo& info);

// The core type ember switches OpenBLAS to at load time, given what OpenBLAS
// picked: best_coretype when the pick is known and older than the CPU and
// OPENBLAS_CORETYPE is unset; else "" (keep it).
std::string better_coretype(const BlasInfo& loaded);

// The instruction set an OpenBLAS core name's SGEMM kernels use (Unknown for
// names it does not know).
SimdLevel simd_level_of_core(const std::string& corename);

}  // namespace ember
