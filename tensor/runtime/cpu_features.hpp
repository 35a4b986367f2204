// cpu_features.hpp — which vector instructions this CPU runs, and the switch
// that keeps the kernels off AVX-512.
//
// ember builds for any x86-64 (and other architectures): the kernels written
// with AVX2 + FMA or AVX-512 intrinsics (the direct convolution, 2x2 max
// pooling) carry their own target attributes, and run only where these say
// the CPU has the instructions. Elsewhere the same ops take their portable
// loops.
#pragma once

namespace ember::kernels {

// True when this CPU runs AVX2 + FMA (and ember was built for x86-64).
bool avx2_fma_supported();
// True when it also has AVX-512F (and the OS saves its registers).
bool avx512_supported();
// Whether the kernels use AVX-512 where they have it: where supported, on by
// default; EMBER_AVX512=0 in the environment or set_avx512(false) keeps them
// on AVX2 and the pooling on its scalar loops (A/B runs; tests run both).
// Results are the same either way: each sum adds the same products in the
// same order.
bool avx512_enabled();
void set_avx512(bool enabled);

}  // namespace ember::kernels
