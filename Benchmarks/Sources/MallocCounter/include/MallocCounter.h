#ifndef MALLOC_COUNTER_H
#define MALLOC_COUNTER_H
/// Number of malloc, calloc, realloc, posix_memalign, aligned_alloc and memalign calls so far.
long lw_allocation_count(void);
#endif
