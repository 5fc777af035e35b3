// Shim for HDF5 (Debian: libhdf5-dev, serial build). HDF5's predefined types and property
// lists (H5T_NATIVE_*, H5P_DEFAULT, H5F_ACC_*) are macros over runtime globals or casts, which
// Swift 6 either cannot import or rejects as shared mutable state; these getters expose them
// as plain functions.
#ifndef SPARSESEG_CHDF5_SHIM_H
#define SPARSESEG_CHDF5_SHIM_H
#include <hdf5.h>

static inline hid_t sparseseg_H5P_DEFAULT(void) { return H5P_DEFAULT; }
static inline hid_t sparseseg_H5S_ALL(void) { return H5S_ALL; }
static inline hid_t sparseseg_H5E_DEFAULT(void) { return H5E_DEFAULT; }
static inline hid_t sparseseg_H5P_DATASET_CREATE(void) { return H5P_DATASET_CREATE; }
static inline hid_t sparseseg_H5P_FILE_ACCESS(void) { return H5P_FILE_ACCESS; }

static inline unsigned sparseseg_H5F_ACC_TRUNC(void) { return H5F_ACC_TRUNC; }
static inline unsigned sparseseg_H5F_ACC_EXCL(void) { return H5F_ACC_EXCL; }
static inline unsigned sparseseg_H5F_ACC_RDONLY(void) { return H5F_ACC_RDONLY; }
static inline unsigned sparseseg_H5F_ACC_RDWR(void) { return H5F_ACC_RDWR; }

static inline hid_t sparseseg_H5T_NATIVE_FLOAT(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t sparseseg_H5T_NATIVE_DOUBLE(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t sparseseg_H5T_NATIVE_UINT8(void) { return H5T_NATIVE_UINT8; }
static inline hid_t sparseseg_H5T_NATIVE_INT8(void) { return H5T_NATIVE_INT8; }
static inline hid_t sparseseg_H5T_NATIVE_UINT16(void) { return H5T_NATIVE_UINT16; }
static inline hid_t sparseseg_H5T_NATIVE_INT16(void) { return H5T_NATIVE_INT16; }
static inline hid_t sparseseg_H5T_NATIVE_INT32(void) { return H5T_NATIVE_INT32; }
static inline hid_t sparseseg_H5T_NATIVE_INT64(void) { return H5T_NATIVE_INT64; }
static inline hid_t sparseseg_H5T_C_S1(void) { return H5T_C_S1; }
#endif
