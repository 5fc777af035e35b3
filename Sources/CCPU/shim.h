// Shim for the compiler's CPU feature test (no package): Swift has no counterpart of
// __builtin_cpu_supports. `sparseseg` asks it before running the training core, which is
// compiled for AVX2 and FMA on x86-64 (see Package.swift).
#ifndef SPARSESEG_CCPU_SHIM_H
#define SPARSESEG_CCPU_SHIM_H

/// 1 when this CPU runs code built for Haswell (AVX2 and FMA) or the machine is not x86-64.
static inline int sparseseg_cpu_runs_training_core(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    return 1;
#endif
}

#endif
