#ifndef LAYERWISE_CKERNELS_INTERNAL_H
#define LAYERWISE_CKERNELS_INTERNAL_H
// Helpers shared by the C files of this target (not exported to Swift).
#include <stddef.h>

/// y[n] = act(y) element-wise (not softmax).
void lw_activate_n(float *y, size_t n, int act, float leak);
/// d[n] *= act'(·) through the output y (not softmax).
void lw_activation_backward_n(float *d, const float *y, size_t n, int act, float leak);
/// One single-threaded row-major cblas_sgemm call.
void lw_sgemm1(int ta, int tb, int m, int n, int k, float alpha, const float *a, int lda, const float *b, int ldb,
               float beta, float *c, int ldc);
#endif
