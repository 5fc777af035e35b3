// Shim for OpenBLAS (Debian: libopenblas-dev). cblas.h also declares the OpenBLAS extensions
// openblas_set_num_threads / openblas_get_num_threads that the training core uses.
#ifndef SPARSESEG_COPENBLAS_SHIM_H
#define SPARSESEG_COPENBLAS_SHIM_H
#include <cblas.h>
#endif
