#ifndef LAYERWISE_CKERNELS_H
#define LAYERWISE_CKERNELS_H
#include <stddef.h>
// Element-wise kernels compiled with -O3 -ffast-math so exp/log vectorize
// (scalar expf from Swift costs ~1.5 ns per element; see FACTS.md).
// Placeholder: the training-engine issue fills this in.
void lw_kernels_version(int *out);
#endif
