// Shim for glibc's mallopt (libc itself, no package): <malloc.h> is not part of Swift's
// Glibc module. Used by TrainingCore's HeapPolicy.
#ifndef SPARSESEG_CMALLOC_SHIM_H
#define SPARSESEG_CMALLOC_SHIM_H
#include <malloc.h>
#endif
