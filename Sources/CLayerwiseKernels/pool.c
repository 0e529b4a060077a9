// A tiny fork-join pool (the caller plus `threads − 1` workers) that splits every
// matrix product and element-wise kernel of a training step into fixed parts.
//
// Why our own threads instead of OpenBLAS's: OpenBLAS's threaded sgemm driver mallocs
// on every call (5–23 calls per step) and its idle workers spin in sched_yield while
// our element-wise kernels run single-threaded. Here OpenBLAS runs single-threaded
// inside each part, the element-wise work is split the same way, and a step
// allocates nothing. Parts depend only on the thread count, so results are
// bit-identical run to run for a fixed count.
#define _GNU_SOURCE
#include "CLayerwiseKernels.h"
#include "internal.h"
#include <cblas.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sched.h>
#include <immintrin.h>
#include <string.h>

#define LW_MAX_THREADS 64
// Spin iterations (mostly sched_yield, ~1 µs each) before a worker sleeps: long enough
// to bridge the gaps inside a step, short enough not to burn a core between epochs.
#define LW_SPIN 4000

typedef struct {
    lw_part_fn fn;
    void *ctx;
} lw_job;

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pool_wake = PTHREAD_COND_INITIALIZER;
static pthread_t workers[LW_MAX_THREADS];
static int pool_size = 1;                 // threads taking part, caller included
static lw_job job;
static atomic_uint_fast64_t generation;   // bumped once per dispatched job
static atomic_int remaining;              // workers still running the current job
static atomic_int stopping;
static atomic_int busy;                   // a dispatch is in flight (re-entrancy guard)

// `seen`: the generation when the worker was created; read by the creator, since a
// job may be dispatched before the new thread first runs.
typedef struct { int index; uint64_t seen; } worker_arg;
static worker_arg worker_args[LW_MAX_THREADS];

static void *worker_main(void *p) {
    int index = ((worker_arg *)p)->index;
    uint64_t seen = ((worker_arg *)p)->seen;
    for (;;) {
        uint64_t g;
        int spins = 0;
        while ((g = atomic_load_explicit(&generation, memory_order_acquire)) == seen) {
            if (atomic_load_explicit(&stopping, memory_order_relaxed)) return NULL;
            // Pause briefly, then yield: on a busy machine a spinning worker must not
            // take the core from the thread it is waiting for.
            if (++spins < 64) { _mm_pause(); continue; }
            if (spins < LW_SPIN) { sched_yield(); continue; }
            pthread_mutex_lock(&pool_lock);
            while (atomic_load_explicit(&generation, memory_order_acquire) == seen &&
                   !atomic_load_explicit(&stopping, memory_order_relaxed))
                pthread_cond_wait(&pool_wake, &pool_lock);
            pthread_mutex_unlock(&pool_lock);
            spins = 0;
        }
        seen = g;
        if (atomic_load_explicit(&stopping, memory_order_relaxed)) return NULL;
        if (index < pool_size) job.fn(job.ctx, index, pool_size);
        atomic_fetch_sub_explicit(&remaining, 1, memory_order_acq_rel);
    }
}

static int started = 0;   // workers currently running (pool_size − 1)

int lw_set_threads(int n) {
    if (n < 1) n = 1;
    if (n > LW_MAX_THREADS) n = LW_MAX_THREADS;
    if (n == pool_size) return pool_size;
    // Stop the old workers, then start the new ones (rare: once per run).
    if (started > 0) {
        pthread_mutex_lock(&pool_lock);
        atomic_store(&stopping, 1);
        pthread_cond_broadcast(&pool_wake);
        pthread_mutex_unlock(&pool_lock);
        for (int i = 0; i < started; i++) pthread_join(workers[i], NULL);
        atomic_store(&stopping, 0);
        started = 0;
    }
    pool_size = 1;
    for (int i = 0; i < n - 1; i++) {
        worker_args[i].index = i + 1;
        worker_args[i].seen = atomic_load(&generation);
        if (pthread_create(&workers[i], NULL, worker_main, &worker_args[i]) != 0) break;
        started++;
    }
    pool_size = started + 1;
    return pool_size;
}

int lw_threads(void) { return pool_size; }

void lw_parallel(lw_part_fn fn, void *ctx) {
    int expected = 0;
    // One thread at a time; a nested or concurrent call runs serially in its caller.
    if (pool_size == 1 || !atomic_compare_exchange_strong(&busy, &expected, 1)) {
        fn(ctx, 0, 1);
        return;
    }
    job.fn = fn;
    job.ctx = ctx;
    atomic_store_explicit(&remaining, started, memory_order_relaxed);
    pthread_mutex_lock(&pool_lock);
    atomic_fetch_add_explicit(&generation, 1, memory_order_release);
    pthread_cond_broadcast(&pool_wake);
    pthread_mutex_unlock(&pool_lock);
    fn(ctx, 0, pool_size);
    int spins = 0;
    while (atomic_load_explicit(&remaining, memory_order_acquire) > 0) {
        if (++spins < 64) _mm_pause(); else sched_yield();
    }
    atomic_store(&busy, 0);
}

void lw_part_range(size_t n, size_t align, int part, int parts, size_t *begin, size_t *end) {
    size_t units = (n + align - 1) / align;
    size_t b = units * (size_t)part / (size_t)parts * align;
    size_t e = units * (size_t)(part + 1) / (size_t)parts * align;
    *begin = b < n ? b : n;
    *end = e < n ? e : n;
}

// MARK: Matrix products

void lw_sgemm1(int ta, int tb, int m, int n, int k, float alpha, const float *a, int lda, const float *b,
                  int ldb, float beta, float *c, int ldc) {
    if (m <= 0 || n <= 0) return;
    if (beta == 0.0f) {
        // Zero C here and accumulate with beta = 1: for a column block of a wider C
        // (ldc > n, every split product) OpenBLAS zeroes through its strided beta
        // kernel, 3 % of a 2-thread step; row memsets are several times faster.
        if (ldc == n) memset(c, 0, sizeof(float) * (size_t)m * (size_t)n);
        else for (int r = 0; r < m; r++) memset(c + (size_t)r * ldc, 0, sizeof(float) * (size_t)n);
        beta = 1.0f;
    }
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n, k, alpha, a, lda,
                b, ldb, beta, c, ldc);
}

typedef struct {
    int ta, tb, m, n, k, lda, ldb, ldc, split_n;
    float alpha, beta;
    const float *a, *b;
    float *c;
} gemm_job;

static void gemm_part(void *p, int part, int parts) {
    const gemm_job *j = p;
    size_t b, e;
    if (j->split_n) {
        // Columns [b, e) of C: op(B)'s columns, i.e. B's columns (or rows when transposed).
        lw_part_range((size_t)j->n, 16, part, parts, &b, &e);
        const float *bb = j->tb ? j->b + b * (size_t)j->ldb : j->b + b;
        lw_sgemm1(j->ta, j->tb, j->m, (int)(e - b), j->k, j->alpha, j->a, j->lda, bb, j->ldb, j->beta, j->c + b, j->ldc);
    } else {
        // Rows [b, e) of C: op(A)'s rows, i.e. A's rows (or columns when transposed).
        lw_part_range((size_t)j->m, 4, part, parts, &b, &e);
        const float *aa = j->ta ? j->a + b : j->a + b * (size_t)j->lda;
        lw_sgemm1(j->ta, j->tb, (int)(e - b), j->n, j->k, j->alpha, aa, j->lda, j->b, j->ldb, j->beta,
              j->c + b * (size_t)j->ldc, j->ldc);
    }
}

void lw_gemm(int ta, int tb, int m, int n, int k, float alpha, const float *a, int lda, const float *b, int ldb,
             float beta, float *c, int ldc) {
    // Below ~2M multiply-adds the hand-off costs more than the second core gains.
    if (pool_size == 1 || (double)m * n * k < 2.0e6) {
        lw_sgemm1(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        return;
    }
    // Split the longer side of C so each part packs the smaller operand in full.
    gemm_job j = { ta, tb, m, n, k, lda, ldb, ldc, n >= m, alpha, beta, a, b, c };
    lw_parallel(gemm_part, &j);
}
