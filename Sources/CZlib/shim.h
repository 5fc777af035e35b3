// Shim for zlib (Debian: zlib1g-dev): gzip for .nii.gz / .zraw and deflate for PNG.
// deflateInit2 and inflateInit2 are macros that pass sizeof(z_stream); Swift cannot import
// function-like macros, so they are re-exposed as static inline functions.
#ifndef SPARSESEG_CZLIB_SHIM_H
#define SPARSESEG_CZLIB_SHIM_H
#include <zlib.h>

static inline int sparseseg_deflateInit2(z_streamp strm, int level, int method, int windowBits,
                                         int memLevel, int strategy) {
    return deflateInit2(strm, level, method, windowBits, memLevel, strategy);
}

static inline int sparseseg_inflateInit2(z_streamp strm, int windowBits) {
    return inflateInit2(strm, windowBits);
}
#endif
