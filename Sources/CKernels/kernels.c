#include "CKernels.h"
#include <math.h>
#include <string.h>

// exp(x) as 2^n · p(r), r = x − n·ln2 ∈ [−ln2/2, ln2/2], p a degree-6 Taylor
// polynomial (relative error < 2e-7 on the clamped range). Written without calls
// or branches so loops that use it vectorize.
static inline float lw_expf(float x) {
    x = fminf(fmaxf(x, -87.0f), 88.0f);
    // Round to nearest through an int conversion: SSE2 has it (cvttps2dq), while
    // floorf is a libm call on the baseline x86-64 target and stops vectorization.
    float t = x * 1.44269504088896341f;
    float n = (float)(int32_t)(t + (t >= 0 ? 0.5f : -0.5f));
    float r = x - n * 0.693145751953125f - n * 1.428606765330187e-06f;
    float p = 1.0f / 720.0f;
    p = p * r + 1.0f / 120.0f;
    p = p * r + 1.0f / 24.0f;
    p = p * r + 1.0f / 6.0f;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    union { uint32_t i; float f; } s;
    s.i = (uint32_t)((int32_t)n + 127) << 23;
    return p * s.f;
}

// log(x) for x > 0: x = m·2^k with m ∈ [√½, √2), log m = 2·atanh(t), t = (m−1)/(m+1),
// by its odd series to t⁹ (|t| ≤ 0.172: relative error < 1e-8). Branch-free, so it vectorizes.
static inline float lw_logf(float x) {
    union { float f; uint32_t i; } u = { x };
    int32_t k = (int32_t)((u.i >> 23) & 0xff) - 127;
    u.i = (u.i & 0x007fffff) | 0x3f800000;          // m ∈ [1, 2)
    float m = u.f;
    float big = m > 1.41421356f ? 1.0f : 0.0f;      // fold into [√½, √2)
    m = m * (1.0f - 0.5f * big);
    float kf = (float)k + big;
    float t = (m - 1.0f) / (m + 1.0f);
    float t2 = t * t;
    float p = 1.0f / 9.0f;
    p = p * t2 + 1.0f / 7.0f;
    p = p * t2 + 1.0f / 5.0f;
    p = p * t2 + 1.0f / 3.0f;
    p = p * t2 + 1.0f;
    return 2.0f * t * p + kf * 0.693147180559945f;
}

static inline float lw_sigmoidf(float z) { return 1.0f / (1.0f + lw_expf(-z)); }

static inline float lw_tanhf(float z) {
    float e = lw_expf(-2.0f * fabsf(z));
    float t = (1.0f - e) / (1.0f + e);
    return copysignf(t, z);
}

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

static void activate(float *y, size_t n, int act, float leak) {
    switch (act) {
    case LW_SIGMOID: for (size_t i = 0; i < n; i++) y[i] = lw_sigmoidf(y[i]); break;
    case LW_RELU: for (size_t i = 0; i < n; i++) y[i] = fmaxf(y[i], 0.0f); break;
    case LW_TANH: for (size_t i = 0; i < n; i++) y[i] = lw_tanhf(y[i]); break;
    case LW_LEAKY_RELU: for (size_t i = 0; i < n; i++) y[i] = y[i] > 0 ? y[i] : leak * y[i]; break;
    default: break;
    }
}

void lw_fill_rows(float *out, const float *bias, int rows, int cols) {
    for (int r = 0; r < rows; r++) memcpy(out + (size_t)r * cols, bias, sizeof(float) * (size_t)cols);
}

void lw_activate(float *y, int rows, int cols, int act, float leak) {
    if (act == LW_SOFTMAX) softmax_rows(y, rows, cols);
    else activate(y, (size_t)rows * cols, act, leak);
}

void lw_activate_copy(const float *z, float *y, int rows, int cols, int act, float leak) {
    memcpy(y, z, sizeof(float) * (size_t)rows * cols);
    if (act == LW_SOFTMAX) softmax_rows(y, rows, cols);
    else activate(y, (size_t)rows * cols, act, leak);
}

void lw_activation_backward(float *d, const float *y, size_t n, int act, float leak) {
    switch (act) {
    case LW_SIGMOID: for (size_t i = 0; i < n; i++) d[i] *= y[i] * (1.0f - y[i]); break;
    case LW_RELU: for (size_t i = 0; i < n; i++) d[i] = y[i] > 0 ? d[i] : 0.0f; break;
    case LW_TANH: for (size_t i = 0; i < n; i++) d[i] *= 1.0f - y[i] * y[i]; break;
    case LW_LEAKY_RELU: for (size_t i = 0; i < n; i++) d[i] = y[i] > 0 ? d[i] : leak * d[i]; break;
    default: break;
    }
}

double lw_bce_logits(const float *z, const float *t, float *dz, size_t n, float scale) {
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

double lw_mse(const float *y, const float *t, float *dy, size_t n, float scale) {
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

double lw_softmax_xent(const float *z, const int32_t *labels, float *p, float *dz, int rows, int cols, float scale) {
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

void lw_column_sums(const float *a, float *out, int rows, int cols) {
    memset(out, 0, sizeof(float) * (size_t)cols);
    for (int r = 0; r < rows; r++) {
        const float *row = a + (size_t)r * cols;
        for (int c = 0; c < cols; c++) out[c] += row[c];
    }
}

void lw_multiply(float *y, const float *mask, size_t n) {
    for (size_t i = 0; i < n; i++) y[i] *= mask[i];
}

double lw_sum_squares(const float *x, size_t n) {
    double total = 0;
    for (size_t i = 0; i < n; i++) total += (double)x[i] * x[i];
    return total;
}

void lw_add_scaled(float *g, const float *w, size_t n, float decay) {
    for (size_t i = 0; i < n; i++) g[i] += decay * w[i];
}

void lw_adam(float *p, const float *g, float *m, float *v, size_t n, float lr, float beta1, float beta2,
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

void lw_sgd(float *p, const float *g, float *buf, size_t n, float lr, float momentum, int nesterov, int first) {
    if (momentum == 0.0f) {
        for (size_t i = 0; i < n; i++) p[i] -= lr * g[i];
        return;
    }
    for (size_t i = 0; i < n; i++) {
        float b = first ? g[i] : momentum * buf[i] + g[i];
        buf[i] = b;
        p[i] -= lr * (nesterov ? g[i] + momentum * b : b);
    }
}

void lw_rmsprop(float *p, const float *g, float *sq, size_t n, float lr, float rho, float eps) {
    for (size_t i = 0; i < n; i++) {
        float s = rho * sq[i] + (1.0f - rho) * g[i] * g[i];
        sq[i] = s;
        p[i] -= lr * g[i] / (sqrtf(s) + eps);
    }
}
