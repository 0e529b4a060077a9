#ifndef LAYERWISE_CHDF5_SHIM_H
#define LAYERWISE_CHDF5_SHIM_H
// pkg-config `hdf5-serial` puts /usr/include/hdf5/serial on the include path.
#include <hdf5.h>
#include <string.h>

// Swift cannot import these HDF5 macros: each expands to a call (H5open) plus a
// global `*_g` id that is -1 until the library is initialised, and Swift 6 rejects
// the mutable globals. These getters evaluate the macro in C, where it is legal.

// File access flags (plain integer macros with casts Swift does not import).
static inline unsigned lw_H5F_ACC_RDONLY(void) { return H5F_ACC_RDONLY; }
static inline unsigned lw_H5F_ACC_RDWR(void) { return H5F_ACC_RDWR; }
static inline unsigned lw_H5F_ACC_TRUNC(void) { return H5F_ACC_TRUNC; }
static inline unsigned lw_H5F_ACC_EXCL(void) { return H5F_ACC_EXCL; }

// Native memory types.
static inline hid_t lw_H5T_NATIVE_UINT8(void) { return H5T_NATIVE_UINT8; }
static inline hid_t lw_H5T_NATIVE_INT8(void) { return H5T_NATIVE_INT8; }
static inline hid_t lw_H5T_NATIVE_UINT16(void) { return H5T_NATIVE_UINT16; }
static inline hid_t lw_H5T_NATIVE_INT16(void) { return H5T_NATIVE_INT16; }
static inline hid_t lw_H5T_NATIVE_UINT32(void) { return H5T_NATIVE_UINT32; }
static inline hid_t lw_H5T_NATIVE_INT32(void) { return H5T_NATIVE_INT32; }
static inline hid_t lw_H5T_NATIVE_UINT64(void) { return H5T_NATIVE_UINT64; }
static inline hid_t lw_H5T_NATIVE_INT64(void) { return H5T_NATIVE_INT64; }
static inline hid_t lw_H5T_NATIVE_FLOAT(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t lw_H5T_NATIVE_DOUBLE(void) { return H5T_NATIVE_DOUBLE; }

// Portable little-endian file types, so a file written here reads the same anywhere.
static inline hid_t lw_H5T_STD_U8LE(void) { return H5T_STD_U8LE; }
static inline hid_t lw_H5T_STD_I8LE(void) { return H5T_STD_I8LE; }
static inline hid_t lw_H5T_STD_U16LE(void) { return H5T_STD_U16LE; }
static inline hid_t lw_H5T_STD_I16LE(void) { return H5T_STD_I16LE; }
static inline hid_t lw_H5T_STD_U32LE(void) { return H5T_STD_U32LE; }
static inline hid_t lw_H5T_STD_I32LE(void) { return H5T_STD_I32LE; }
static inline hid_t lw_H5T_STD_U64LE(void) { return H5T_STD_U64LE; }
static inline hid_t lw_H5T_STD_I64LE(void) { return H5T_STD_I64LE; }
static inline hid_t lw_H5T_IEEE_F32LE(void) { return H5T_IEEE_F32LE; }
static inline hid_t lw_H5T_IEEE_F64LE(void) { return H5T_IEEE_F64LE; }

// Strings.
static inline hid_t lw_H5T_C_S1(void) { return H5T_C_S1; }
static inline size_t lw_H5T_VARIABLE(void) { return H5T_VARIABLE; }

// Property-list classes.
static inline hid_t lw_H5P_DATASET_CREATE(void) { return H5P_DATASET_CREATE; }
static inline hid_t lw_H5P_LINK_CREATE(void) { return H5P_LINK_CREATE; }
static inline hid_t lw_H5P_FILE_ACCESS(void) { return H5P_FILE_ACCESS; }

// Dataspace constants.
static inline hid_t lw_H5S_ALL(void) { return H5S_ALL; }
static inline hsize_t lw_H5S_UNLIMITED(void) { return H5S_UNLIMITED; }
static inline hid_t lw_H5P_DEFAULT(void) { return H5P_DEFAULT; }
static inline hid_t lw_H5E_DEFAULT(void) { return H5E_DEFAULT; }

// Which object `obj` is: its file number and its address (a token from HDF5 1.12 on),
// the same whichever path reached it. A walk of a file's groups keeps these to stop at
// a group it has seen (a hard link back to a parent, a soft link to "/"). 0 on success.
static inline int lw_object_key(hid_t obj, unsigned long *fileno, unsigned char key[16]) {
    memset(key, 0, 16);
#if H5_VERSION_GE(1, 12, 0)
    H5O_info2_t info;
    if (H5Oget_info3(obj, &info, H5O_INFO_BASIC) < 0) return -1;
    memcpy(key, &info.token, sizeof info.token < 16 ? sizeof info.token : 16);
#else
    H5O_info_t info;
    if (H5Oget_info2(obj, &info, H5O_INFO_BASIC) < 0) return -1;
    memcpy(key, &info.addr, sizeof info.addr);
#endif
    *fileno = info.fileno;
    return 0;
}

#endif
