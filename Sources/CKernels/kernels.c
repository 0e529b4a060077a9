#include "CKernels.h"
void lw_kernels_version(int *out) { *out = 1; }
