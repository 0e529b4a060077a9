#ifndef LAYERWISE_CBLAS_SHIM_H
#define LAYERWISE_CBLAS_SHIM_H
// OpenBLAS's cblas.h (pkg-config `openblas`) also declares openblas_set_num_threads,
// which the generic `blas` pkg-config name lacks.
#include <cblas.h>
#endif
