// Interposes the malloc family in the benchmark executable (glibc: the executable's
// definitions win over libc's for every library) and counts calls, forwarding to
// glibc's own implementations.
#define _GNU_SOURCE
#include <stddef.h>
#include <stdatomic.h>
#include <errno.h>
#include "MallocCounter.h"

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);

static atomic_long calls;

long lw_allocation_count(void) { return atomic_load(&calls); }

void *malloc(size_t n) { atomic_fetch_add(&calls, 1); return __libc_malloc(n); }
void *calloc(size_t a, size_t b) { atomic_fetch_add(&calls, 1); return __libc_calloc(a, b); }
void *realloc(void *p, size_t n) { atomic_fetch_add(&calls, 1); return __libc_realloc(p, n); }
void *memalign(size_t a, size_t n) { atomic_fetch_add(&calls, 1); return __libc_memalign(a, n); }
void *aligned_alloc(size_t a, size_t n) { atomic_fetch_add(&calls, 1); return __libc_memalign(a, n); }
int posix_memalign(void **out, size_t a, size_t n) {
    atomic_fetch_add(&calls, 1);
    void *p = __libc_memalign(a, n);
    if (!p) return ENOMEM;
    *out = p;
    return 0;
}
