// Shim for OpenBLAS (Debian: libopenblas-dev). cblas.h also declares the OpenBLAS extensions
// openblas_set_num_threads / openblas_get_num_threads that the training core uses.
#ifndef SPARSESEG_COPENBLAS_SHIM_H
#define SPARSESEG_COPENBLAS_SHIM_H
#include <cblas.h>

// OpenBLAS's own (exported, undeclared) call that stops its thread pool; the next
// multi-threaded call starts the pool again, as after a fork. The training-core benchmark uses
// it so that the pool, left spinning by the reference sgemm, does not run beside the case.
extern int blas_thread_shutdown_(void);
#endif
