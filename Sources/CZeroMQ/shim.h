// Shim for libzmq (Debian: libzmq3-dev). The API is plain functions and integer constants,
// all of which Swift imports directly, so nothing needs wrapping here.
#ifndef SPARSESEG_CZEROMQ_SHIM_H
#define SPARSESEG_CZEROMQ_SHIM_H
#include <zmq.h>
#endif
