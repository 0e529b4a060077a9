// Optimizer updates with PyTorch's torch.optim semantics, one vectorizable loop each
// over a whole parameter buffer (parameters, gradients and moments are each one
// contiguous allocation), split into contiguous pieces over the pool of pool.c.
#include "CLayerwiseKernels.h"
#include "internal.h"
#include <math.h>

// Below this many parameters an update runs on the caller alone.
#define LW_OPT_PARALLEL_MIN 32768

typedef struct {
    float *p, *m, *v;            // parameters, first moment (or momentum / square average), second moment
    const float *g;
    size_t n;
    float lr, beta1, beta2, eps, decay;
    int nesterov, first;
    int64_t step;
} opt_job;

#define PIECE(j, part, parts, b, e) size_t b, e; lw_part_range((j)->n, 16, part, parts, &b, &e)

static void run(lw_part_fn fn, opt_job *j) {
    if (j->n < LW_OPT_PARALLEL_MIN || lw_threads() == 1) fn(j, 0, 1);
    else lw_parallel(fn, j);
}

LW_MULTIVERSION
static void adam_serial(float *p, const float *g, float *m, float *v, size_t n, float lr, float beta1, float beta2,
             float eps, int64_t step, float decoupled_decay) {
    float bc1 = 1.0f - powf(beta1, (float)step);
    float bc2 = 1.0f - powf(beta2, (float)step);
    float step_size = lr / bc1;
    float inv_sqrt_bc2 = 1.0f / sqrtf(bc2);
    float shrink = 1.0f - lr * decoupled_decay;
    for (size_t i = 0; i < n; i++) {
        float gi = g[i];
        float mi = beta1 * m[i] + (1.0f - beta1) * gi;
        float vi = beta2 * v[i] + (1.0f - beta2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        p[i] = p[i] * shrink - step_size * mi / (sqrtf(vi) * inv_sqrt_bc2 + eps);
    }
}

// One momentum loop per (nesterov, first), the flags constants after inlining, so each
// loop vectorizes without tests inside (-O2, SwiftPM's release level, does not unswitch).
__attribute__((always_inline))
static inline void sgd_momentum(float *p, const float *g, float *buf, size_t n, float lr, float momentum,
                                const int nesterov, const int first) {
    for (size_t i = 0; i < n; i++) {
        float b = first ? g[i] : momentum * buf[i] + g[i];
        buf[i] = b;
        p[i] -= lr * (nesterov ? g[i] + momentum * b : b);
    }
}

LW_MULTIVERSION
static void sgd_serial(float *p, const float *g, float *buf, size_t n, float lr, float momentum, int nesterov, int first) {
    if (momentum == 0.0f) {
        for (size_t i = 0; i < n; i++) p[i] -= lr * g[i];
    } else if (nesterov) {
        if (first) sgd_momentum(p, g, buf, n, lr, momentum, 1, 1);
        else sgd_momentum(p, g, buf, n, lr, momentum, 1, 0);
    } else {
        if (first) sgd_momentum(p, g, buf, n, lr, momentum, 0, 1);
        else sgd_momentum(p, g, buf, n, lr, momentum, 0, 0);
    }
}

LW_MULTIVERSION
static void rmsprop_serial(float *p, const float *g, float *sq, size_t n, float lr, float rho, float eps) {
    for (size_t i = 0; i < n; i++) {
        float s = rho * sq[i] + (1.0f - rho) * g[i] * g[i];
        sq[i] = s;
        p[i] -= lr * g[i] / (sqrtf(s) + eps);
    }
}

static void adam_part(void *p, int part, int parts) {
    opt_job *j = p; PIECE(j, part, parts, b, e);
    adam_serial(j->p + b, j->g + b, j->m + b, j->v + b, e - b, j->lr, j->beta1, j->beta2, j->eps, j->step, j->decay);
}
void lw_adam(float *p, const float *g, float *m, float *v, size_t n, float lr, float beta1, float beta2,
             float eps, int64_t step, float decoupled_decay) {
    opt_job j = { .p = p, .g = g, .m = m, .v = v, .n = n, .lr = lr, .beta1 = beta1, .beta2 = beta2, .eps = eps,
                  .step = step, .decay = decoupled_decay };
    run(adam_part, &j);
}

static void sgd_part(void *p, int part, int parts) {
    opt_job *j = p; PIECE(j, part, parts, b, e);
    sgd_serial(j->p + b, j->g + b, j->m + b, e - b, j->lr, j->beta1, j->nesterov, j->first);
}
void lw_sgd(float *p, const float *g, float *buf, size_t n, float lr, float momentum, int nesterov, int first) {
    opt_job j = { .p = p, .g = g, .m = buf, .n = n, .lr = lr, .beta1 = momentum, .nesterov = nesterov, .first = first };
    run(sgd_part, &j);
}

static void rmsprop_part(void *p, int part, int parts) {
    opt_job *j = p; PIECE(j, part, parts, b, e);
    rmsprop_serial(j->p + b, j->g + b, j->v + b, e - b, j->lr, j->beta2, j->eps);
}
void lw_rmsprop(float *p, const float *g, float *sq, size_t n, float lr, float rho, float eps) {
    opt_job j = { .p = p, .g = g, .v = sq, .n = n, .lr = lr, .beta2 = rho, .eps = eps };
    run(rmsprop_part, &j);
}
