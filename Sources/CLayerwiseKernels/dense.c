// Fused passes of one Dense layer, y = act(x·W + b), each a single split job: every
// part owns a block of output columns and does all the work for it (bias, product,
// activation; or activation derivative, bias gradient, kernel gradient) while the
// block is in cache, with one hand-off per layer instead of three.
#include "CLayerwiseKernels.h"
#include "internal.h"
#include <string.h>

// Below this many multiply-adds a layer runs on the caller alone.
#define LW_DENSE_PARALLEL_MIN 2.0e6

typedef struct {
    const float *x, *w, *b, *y;
    float *out, *dw, *db;
    int batch, in, out_n, act, trans_w;
    float leak;
} dense_job;

static void forward_part(void *p, int part, int parts) {
    const dense_job *j = p;
    size_t c0, c1;
    lw_part_range((size_t)j->out_n, 16, part, parts, &c0, &c1);
    int cols = (int)(c1 - c0);
    if (cols <= 0) return;
    for (int r = 0; r < j->batch; r++) memcpy(j->out + (size_t)r * j->out_n + c0, j->b + c0, sizeof(float) * cols);
    // W is [in, out] (columns c0..c1) or, transposed, [out, in] (rows c0..c1).
    const float *w = j->trans_w ? j->w + c0 * (size_t)j->in : j->w + c0;
    lw_sgemm1(0, j->trans_w, j->batch, cols, j->in, 1, j->x, j->in, w, j->trans_w ? j->in : j->out_n, 1,
              j->out + c0, j->out_n);
    if (j->act != LW_SOFTMAX && j->act != LW_IDENTITY)
        for (int r = 0; r < j->batch; r++) lw_activate_n(j->out + (size_t)r * j->out_n + c0, (size_t)cols, j->act, j->leak);
}

void lw_dense_forward(const float *x, const float *w, int trans_w, const float *b, float *out, int batch, int in,
                      int out_n, int act, float leak) {
    dense_job j = { .x = x, .w = w, .b = b, .out = out, .batch = batch, .in = in, .out_n = out_n, .act = act,
                    .trans_w = trans_w, .leak = leak };
    if ((double)batch * in * out_n < LW_DENSE_PARALLEL_MIN) forward_part(&j, 0, 1);
    else lw_parallel(forward_part, &j);
    if (act == LW_SOFTMAX) lw_activate(out, batch, out_n, act, leak);
}

static void backward_part(void *p, int part, int parts) {
    const dense_job *j = p;
    size_t c0, c1;
    lw_part_range((size_t)j->out_n, 16, part, parts, &c0, &c1);
    int cols = (int)(c1 - c0);
    if (cols <= 0) return;
    float *d = j->out, *db = j->db + c0;
    memset(db, 0, sizeof(float) * cols);
    for (int r = 0; r < j->batch; r++) {
        float *dr = d + (size_t)r * j->out_n + c0;
        if (j->act != LW_IDENTITY) lw_activation_backward_n(dr, j->y + (size_t)r * j->out_n + c0, (size_t)cols, j->act, j->leak);
        for (int c = 0; c < cols; c++) db[c] += dr[c];
    }
    // dW[:, c0..c1] = xᵀ · dZ[:, c0..c1]   ([in, batch] · [batch, cols])
    lw_sgemm1(1, 0, j->in, cols, j->batch, 1, j->x, j->in, d + c0, j->out_n, 0, j->dw + c0, j->out_n);
}

void lw_dense_backward_params(float *d, const float *y, const float *x, float *dw, float *db, int batch, int in,
                              int out_n, int act, float leak) {
    if (act == LW_SOFTMAX) {
        lw_activation_backward(d, y, batch, out_n, act, leak);
        act = LW_IDENTITY;
    }
    dense_job j = { .x = x, .y = y, .out = d, .dw = dw, .db = db, .batch = batch, .in = in, .out_n = out_n,
                    .act = act, .leak = leak };
    if ((double)batch * in * out_n < LW_DENSE_PARALLEL_MIN) backward_part(&j, 0, 1);
    else lw_parallel(backward_part, &j);
}
