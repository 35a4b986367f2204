// test_blas_info.cpp — what blas_info() reports about OpenBLAS and the CPU,
// and the core-type warning for each way it can arise.
#include <doctest/doctest.h>

#include "tensor/runtime/blas_info.hpp"

using namespace ember;

TEST_CASE("blas_info: OpenBLAS's core type and threads, and the CPU's level") {
  const BlasInfo info = blas_info();
  // The build links OpenBLAS (meson.build), which reports a core name.
  REQUIRE(!info.config.empty());
  CHECK(info.config.find("OpenBLAS") != std::string::npos);
  CHECK(!info.corename.empty());
  CHECK(info.threads >= 1);
  CHECK(info.cpu_level != SimdLevel::Unknown);  // every x86-64 CPU has SSE2
  CHECK(info.summary().find("core " + info.corename) != std::string::npos);
  // OpenBLAS cannot run kernels the CPU lacks (it would die of SIGILL).
  CHECK(info.core_level <= info.cpu_level);
  CHECK(info.warning == blas_warning(info));
  // Where ember replaced OpenBLAS's pick at load time (an AVX-512 Xeon that
  // OpenBLAS 0.3.21 runs with its SSE kernels), the new core matches the CPU.
  if (!info.replaced_core.empty()) {
    MESSAGE("OpenBLAS picked ", info.replaced_core, "; ember runs ", info.corename);
    CHECK(simd_level_of_core(info.replaced_core) < info.core_level);
    CHECK(info.core_level == info.cpu_level);
    CHECK(info.coretype_env.empty());
    CHECK(info.summary().find("OpenBLAS picked " + info.replaced_core) != std::string::npos);
    CHECK(info.warning.empty());
  }
}

TEST_CASE("better_coretype: only a recognized, older pick, and never over the user's choice") {
  BlasInfo loaded;
  loaded.corename = "Prescott";
  loaded.core_level = SimdLevel::SSE;
  loaded.cpu_level = SimdLevel::AVX512;
  loaded.best_coretype = "Cooperlake";
  CHECK(better_coretype(loaded) == "Cooperlake");
  BlasInfo forced = loaded;  // OPENBLAS_CORETYPE=Prescott: the user's choice stands
  forced.coretype_env = "Prescott";
  CHECK(better_coretype(forced).empty());
  BlasInfo matching = loaded;  // Zen kernels on a Zen 3
  matching.core_level = matching.cpu_level = SimdLevel::AVX2;
  matching.best_coretype = "Haswell";
  CHECK(better_coretype(matching).empty());
  BlasInfo unknown = loaded;  // a name ember's table does not know: no guess
  unknown.core_level = SimdLevel::Unknown;
  CHECK(better_coretype(unknown).empty());
}

TEST_CASE("simd_level_of_core: OpenBLAS's x86 core names") {
  CHECK(simd_level_of_core("SkylakeX") == SimdLevel::AVX512);
  CHECK(simd_level_of_core("cooperlake") == SimdLevel::AVX512);
  CHECK(simd_level_of_core("Haswell") == SimdLevel::AVX2);
  CHECK(simd_level_of_core("Zen") == SimdLevel::AVX2);
  CHECK(simd_level_of_core("Sandybridge") == SimdLevel::AVX);
  CHECK(simd_level_of_core("Nehalem") == SimdLevel::SSE);
  CHECK(simd_level_of_core("NeoverseN1") == SimdLevel::Unknown);
}

TEST_CASE("blas_warning: older kernels than the CPU supports, forced or not recognized") {
  BlasInfo forced;
  forced.corename = "Haswell";
  forced.core_level = SimdLevel::AVX2;
  forced.cpu_level = SimdLevel::AVX512;
  forced.coretype_env = "Haswell";
  forced.best_coretype = "SkylakeX";
  const std::string w = blas_warning(forced);
  CHECK(w.find("Haswell kernels (AVX2 + FMA)") != std::string::npos);
  CHECK(w.find("supports AVX-512") != std::string::npos);
  CHECK(w.find("OPENBLAS_CORETYPE=Haswell in the environment") != std::string::npos);
  CHECK(w.find("OPENBLAS_CORETYPE=SkylakeX") != std::string::npos);

  BlasInfo unrecognized = forced;
  unrecognized.coretype_env = "";
  CHECK(blas_warning(unrecognized).find("did not recognize the CPU") != std::string::npos);

  BlasInfo matching = forced;  // this machine: Zen kernels on a Zen 3
  matching.cpu_level = SimdLevel::AVX2;
  CHECK(blas_warning(matching).empty());
  BlasInfo unknown = forced;  // a core name the table does not know: no guess
  unknown.core_level = SimdLevel::Unknown;
  CHECK(blas_warning(unknown).empty());
}
