// Element-wise work of a training step: activations and their derivatives (from the
// output y), the fused losses (BCE and softmax cross-entropy on logits, MSE), column
// sums, masks and weight decay. Each is a serial loop that vectorizes, plus an entry
// point that splits it over the pool of pool.c when it is large enough.
#include "CLayerwiseKernels.h"
#include "internal.h"
#include <math.h>
#include <string.h>

static inline float lw_sigmoidf(float z) { return 1.0f / (1.0f + lw_expf(-z)); }

static inline float lw_tanhf(float z) {
    float e = lw_expf(-2.0f * fabsf(z));
    float t = (1.0f - e) / (1.0f + e);
    return copysignf(t, z);
}

LW_MULTIVERSION
static void softmax_rows(float *y, int rows, int cols) {
    for (int r = 0; r < rows; r++) {
        float *row = y + (size_t)r * cols;
        float mx = row[0];
        for (int c = 1; c < cols; c++) mx = fmaxf(mx, row[c]);
        float sum = 0;
        for (int c = 0; c < cols; c++) { row[c] = lw_expf(row[c] - mx); sum += row[c]; }
        float inv = 1.0f / sum;
        for (int c = 0; c < cols; c++) row[c] *= inv;
    }
}

LW_MULTIVERSION
void lw_activate_n(float *y, size_t n, int act, float leak) {
    switch (act) {
    case LW_SIGMOID: for (size_t i = 0; i < n; i++) y[i] = lw_sigmoidf(y[i]); break;
    case LW_RELU: for (size_t i = 0; i < n; i++) y[i] = fmaxf(y[i], 0.0f); break;
    case LW_TANH: for (size_t i = 0; i < n; i++) y[i] = lw_tanhf(y[i]); break;
    case LW_LEAKY_RELU: for (size_t i = 0; i < n; i++) y[i] = y[i] > 0 ? y[i] : leak * y[i]; break;
    default: break;
    }
}

static void fill_rows_serial(float *out, const float *bias, int rows, int cols) {
    for (int r = 0; r < rows; r++) memcpy(out + (size_t)r * cols, bias, sizeof(float) * (size_t)cols);
}

static void activate_serial(float *y, int rows, int cols, int act, float leak) {
    if (act == LW_SOFTMAX) softmax_rows(y, rows, cols);
    else lw_activate_n(y, (size_t)rows * cols, act, leak);
}

static void activate_copy_serial(const float *z, float *y, int rows, int cols, int act, float leak) {
    memcpy(y, z, sizeof(float) * (size_t)rows * cols);
    if (act == LW_SOFTMAX) softmax_rows(y, rows, cols);
    else lw_activate_n(y, (size_t)rows * cols, act, leak);
}

LW_MULTIVERSION
void lw_activation_backward_n(float *d, const float *y, size_t n, int act, float leak) {
    switch (act) {
    case LW_SIGMOID: for (size_t i = 0; i < n; i++) d[i] *= y[i] * (1.0f - y[i]); break;
    case LW_RELU: for (size_t i = 0; i < n; i++) d[i] = y[i] > 0 ? d[i] : 0.0f; break;
    case LW_TANH: for (size_t i = 0; i < n; i++) d[i] *= 1.0f - y[i] * y[i]; break;
    case LW_LEAKY_RELU: for (size_t i = 0; i < n; i++) d[i] = y[i] > 0 ? d[i] : leak * d[i]; break;
    default: break;
    }
}

// Softmax's Jacobian-vector product per row: d_i ← y_i·(d_i − Σ_j d_j·y_j).
static void softmax_backward_rows(float *d, const float *y, int rows, int cols) {
    for (int r = 0; r < rows; r++) {
        float *dr = d + (size_t)r * cols;
        const float *yr = y + (size_t)r * cols;
        float dot = 0;
        for (int c = 0; c < cols; c++) dot += dr[c] * yr[c];
        for (int c = 0; c < cols; c++) dr[c] = yr[c] * (dr[c] - dot);
    }
}

LW_MULTIVERSION
static double bce_logits_serial(const float *z, const float *t, float *dz, size_t n, float scale) {
    // Accumulate in blocks of floats, then in double, so the sum stays accurate.
    double total = 0;
    for (size_t start = 0; start < n; start += 4096) {
        size_t end = start + 4096 < n ? start + 4096 : n;
        float s = 0;
        for (size_t i = start; i < end; i++) {
            float e = lw_expf(-fabsf(z[i]));
            s += fmaxf(z[i], 0.0f) - z[i] * t[i] + lw_logf(1.0f + e);
            float sig = z[i] >= 0 ? 1.0f / (1.0f + e) : e / (1.0f + e);
            dz[i] = (sig - t[i]) * scale;
        }
        total += s;
    }
    return total;
}

LW_MULTIVERSION
static double mse_serial(const float *y, const float *t, float *dy, size_t n, float scale) {
    double total = 0;
    for (size_t start = 0; start < n; start += 4096) {
        size_t end = start + 4096 < n ? start + 4096 : n;
        float s = 0;
        for (size_t i = start; i < end; i++) {
            float d = y[i] - t[i];
            s += d * d;
            dy[i] = 2.0f * d * scale;
        }
        total += s;
    }
    return total;
}

LW_MULTIVERSION
static double softmax_xent_serial(const float *z, const int32_t *labels, float *p, float *dz, int rows, int cols, float scale) {
    double total = 0;
    for (int r = 0; r < rows; r++) {
        const float *zr = z + (size_t)r * cols;
        float *pr = p + (size_t)r * cols, *dr = dz + (size_t)r * cols;
        float mx = zr[0];
        for (int c = 1; c < cols; c++) mx = fmaxf(mx, zr[c]);
        float sum = 0;
        for (int c = 0; c < cols; c++) { pr[c] = lw_expf(zr[c] - mx); sum += pr[c]; }
        float inv = 1.0f / sum;
        for (int c = 0; c < cols; c++) { pr[c] *= inv; dr[c] = pr[c] * scale; }
        int y = labels[r];
        dr[y] -= scale;
        // −log p_y = log Σ e^(z−max) − (z_y − max), exact even when p_y underflows.
        total += (double)(logf(sum) - (zr[y] - mx));
    }
    return total;
}

LW_MULTIVERSION
static void column_sums_serial(const float *a, float *out, int rows, int cols, int lda) {
    memset(out, 0, sizeof(float) * (size_t)cols);
    for (int r = 0; r < rows; r++) {
        const float *row = a + (size_t)r * lda;
        for (int c = 0; c < cols; c++) out[c] += row[c];
    }
}

LW_MULTIVERSION
static void multiply_serial(float *y, const float *mask, size_t n) {
    for (size_t i = 0; i < n; i++) y[i] *= mask[i];
}

double lw_sum_squares(const float *x, size_t n) {
    double total = 0;
    for (size_t i = 0; i < n; i++) total += (double)x[i] * x[i];
    return total;
}

LW_MULTIVERSION
static void add_scaled_serial(float *g, const float *w, size_t n, float decay) {
    for (size_t i = 0; i < n; i++) g[i] += decay * w[i];
}

// MARK: Parallel entry points (split over the pool in pool.c)

// Below this many elements a kernel runs on the caller alone.
#define LW_PARALLEL_MIN 32768

typedef struct {
    float *x, *y;                // meaning per kernel, see each part function
    const float *a, *b;
    const int32_t *labels;
    size_t n;
    int rows, cols, act;
    float f0;
    double (*loss)(const float *, const float *, float *, size_t, float);
    double partial[64];
} ew_job;

static int serial(size_t n) { return n < LW_PARALLEL_MIN || lw_threads() == 1; }

static double sum_parts(const ew_job *j) {
    double total = 0;
    for (int i = 0; i < lw_threads() && i < 64; i++) total += j->partial[i];
    return total;
}

#define ROWS_OF(j, part, parts, b, e) size_t b, e; lw_part_range((size_t)(j)->rows, 1, part, parts, &b, &e)
#define ELEMS_OF(j, part, parts, b, e) size_t b, e; lw_part_range((j)->n, 16, part, parts, &b, &e)

static void fill_rows_part(void *p, int part, int parts) {
    ew_job *j = p; ROWS_OF(j, part, parts, b, e);
    fill_rows_serial(j->x + b * j->cols, j->a, (int)(e - b), j->cols);
}
void lw_fill_rows(float *out, const float *bias, int rows, int cols) {
    if (serial((size_t)rows * cols)) { fill_rows_serial(out, bias, rows, cols); return; }
    ew_job j = { .x = out, .a = bias, .rows = rows, .cols = cols };
    lw_parallel(fill_rows_part, &j);
}

static void activate_part(void *p, int part, int parts) {
    ew_job *j = p; ROWS_OF(j, part, parts, b, e);
    size_t off = b * j->cols;
    if (j->a) activate_copy_serial(j->a + off, j->x + off, (int)(e - b), j->cols, j->act, j->f0);
    else activate_serial(j->x + off, (int)(e - b), j->cols, j->act, j->f0);
}
void lw_activate(float *y, int rows, int cols, int act, float leak) {
    if (act == LW_IDENTITY) return;
    if (serial((size_t)rows * cols)) { activate_serial(y, rows, cols, act, leak); return; }
    ew_job j = { .x = y, .rows = rows, .cols = cols, .act = act, .f0 = leak };
    lw_parallel(activate_part, &j);
}
void lw_activate_copy(const float *z, float *y, int rows, int cols, int act, float leak) {
    if (serial((size_t)rows * cols)) { activate_copy_serial(z, y, rows, cols, act, leak); return; }
    ew_job j = { .x = y, .a = z, .rows = rows, .cols = cols, .act = act, .f0 = leak };
    lw_parallel(activate_part, &j);
}

static void activation_backward_part(void *p, int part, int parts) {
    ew_job *j = p;
    if (j->act == LW_SOFTMAX) {
        ROWS_OF(j, part, parts, b, e);
        softmax_backward_rows(j->x + b * j->cols, j->a + b * j->cols, (int)(e - b), j->cols);
    } else {
        ELEMS_OF(j, part, parts, b, e);
        lw_activation_backward_n(j->x + b, j->a + b, e - b, j->act, j->f0);
    }
}
void lw_activation_backward(float *d, const float *y, int rows, int cols, int act, float leak) {
    if (act == LW_IDENTITY) return;
    ew_job j = { .x = d, .a = y, .n = (size_t)rows * cols, .rows = rows, .cols = cols, .act = act, .f0 = leak };
    if (serial(j.n)) activation_backward_part(&j, 0, 1);
    else lw_parallel(activation_backward_part, &j);
}

// An element-wise loss of outputs a against targets t: writes d, returns the loss sum.
typedef double (*loss_fn)(const float *a, const float *t, float *d, size_t n, float scale);

static void loss_part(void *p, int part, int parts) {
    ew_job *j = p; ELEMS_OF(j, part, parts, b, e);
    j->partial[part] = j->loss(j->a + b, j->b + b, j->x + b, e - b, j->f0);
}
// Splits `loss` over the pool in contiguous pieces; the piece sums are added in part order.
static double split_loss(loss_fn loss, const float *a, const float *t, float *d, size_t n, float scale) {
    if (serial(n)) return loss(a, t, d, n, scale);
    ew_job j = { .a = a, .b = t, .x = d, .n = n, .f0 = scale, .loss = loss };
    lw_parallel(loss_part, &j);
    return sum_parts(&j);
}

double lw_bce_logits(const float *z, const float *t, float *dz, size_t n, float scale) {
    return split_loss(bce_logits_serial, z, t, dz, n, scale);
}
double lw_mse(const float *y, const float *t, float *dy, size_t n, float scale) {
    return split_loss(mse_serial, y, t, dy, n, scale);
}

static void xent_part(void *p, int part, int parts) {
    ew_job *j = p; ROWS_OF(j, part, parts, b, e);
    size_t off = b * j->cols;
    j->partial[part] = softmax_xent_serial(j->a + off, j->labels + b, j->x + off, j->y + off, (int)(e - b), j->cols, j->f0);
}
double lw_softmax_xent(const float *z, const int32_t *labels, float *p, float *dz, int rows, int cols, float scale) {
    if (serial((size_t)rows * cols)) return softmax_xent_serial(z, labels, p, dz, rows, cols, scale);
    ew_job j = { .a = z, .labels = labels, .x = p, .y = dz, .rows = rows, .cols = cols, .f0 = scale };
    lw_parallel(xent_part, &j);
    return sum_parts(&j);
}

static void column_sums_part(void *p, int part, int parts) {
    ew_job *j = p;
    size_t b, e;
    lw_part_range((size_t)j->cols, 16, part, parts, &b, &e);
    if (e > b) column_sums_serial(j->a + b, j->x + b, j->rows, (int)(e - b), j->cols);
}
void lw_column_sums(const float *a, float *out, int rows, int cols) {
    ew_job j = { .a = a, .x = out, .rows = rows, .cols = cols };
    if (serial((size_t)rows * cols)) column_sums_part(&j, 0, 1);
    else lw_parallel(column_sums_part, &j);
}

static void multiply_part(void *p, int part, int parts) {
    ew_job *j = p; ELEMS_OF(j, part, parts, b, e);
    multiply_serial(j->x + b, j->a + b, e - b);
}
void lw_multiply(float *y, const float *mask, size_t n) {
    ew_job j = { .x = y, .a = mask, .n = n };
    if (serial(n)) multiply_part(&j, 0, 1); else lw_parallel(multiply_part, &j);
}

static void add_scaled_part(void *p, int part, int parts) {
    ew_job *j = p; ELEMS_OF(j, part, parts, b, e);
    add_scaled_serial(j->x + b, j->a + b, e - b, j->f0);
}
void lw_add_scaled(float *g, const float *w, size_t n, float decay) {
    ew_job j = { .x = g, .a = w, .n = n, .f0 = decay };
    if (serial(n)) add_scaled_part(&j, 0, 1); else lw_parallel(add_scaled_part, &j);
}
