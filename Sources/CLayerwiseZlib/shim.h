#ifndef LAYERWISE_CZLIB_SHIM_H
#define LAYERWISE_CZLIB_SHIM_H
// zlib (Debian: zlib1g-dev). gzopen/gzread read gzip files and, transparently, plain ones.
#include <zlib.h>
#endif
