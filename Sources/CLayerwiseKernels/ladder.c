// Element-wise work of the ladder network (Rasmus et al. 2015): batch normalisation
// with the batch's statistics and its backward pass, the "vanilla" combinator g(z̃, u)
// with ten parameters per unit, the denoising cost, and the shift/scale γ⊙(z + β)
// before each activation. Serial loops over caller-owned buffers (rows outer, columns
// inner, so they vectorize); nothing is allocated.
#include "CLayerwiseKernels.h"
#include "internal.h"
#include <math.h>
#include <string.h>

static inline float sigmoidf_(float x) { return 1.0f / (1.0f + lw_expf(-x)); }

LW_MULTIVERSION
void lw_bn_forward(const float *x, float *out, float *mean, float *var, float *std, int n, int d, float eps) {
    memset(mean, 0, sizeof(float) * (size_t)d);
    memset(var, 0, sizeof(float) * (size_t)d);
    for (int r = 0; r < n; r++) {
        const float *xr = x + (size_t)r * d;
        for (int c = 0; c < d; c++) mean[c] += xr[c];
    }
    float inv_n = 1.0f / (float)n;
    for (int c = 0; c < d; c++) mean[c] *= inv_n;
    for (int r = 0; r < n; r++) {
        const float *xr = x + (size_t)r * d;
        for (int c = 0; c < d; c++) { float t = xr[c] - mean[c]; var[c] += t * t; }
    }
    for (int c = 0; c < d; c++) { var[c] *= inv_n; std[c] = sqrtf(var[c] + eps); }
    for (int r = 0; r < n; r++) {
        const float *xr = x + (size_t)r * d;
        float *o = out + (size_t)r * d;
        for (int c = 0; c < d; c++) o[c] = (xr[c] - mean[c]) / std[c];
    }
}

LW_MULTIVERSION
void lw_bn_backward(const float *dz, const float *z, const float *std, const float *dmean, const float *dstd,
                    float *dx, float *scratch, int n, int d) {
    float *sum_d = scratch, *sum_dz = scratch + d;
    memset(scratch, 0, sizeof(float) * 2 * (size_t)d);
    for (int r = 0; r < n; r++) {
        const float *g = dz + (size_t)r * d, *zr = z + (size_t)r * d;
        for (int c = 0; c < d; c++) { sum_d[c] += g[c]; sum_dz[c] += g[c] * zr[c]; }
    }
    float inv_n = 1.0f / (float)n;
    for (int c = 0; c < d; c++) { sum_d[c] *= inv_n; sum_dz[c] *= inv_n; }
    for (int r = 0; r < n; r++) {
        const float *g = dz + (size_t)r * d, *zr = z + (size_t)r * d;
        float *o = dx + (size_t)r * d;
        for (int c = 0; c < d; c++) o[c] = (g[c] - sum_d[c] - zr[c] * sum_dz[c]) / std[c];
        if (dmean) for (int c = 0; c < d; c++) o[c] += dmean[c] * inv_n;
        if (dstd) for (int c = 0; c < d; c++) o[c] += dstd[c] * zr[c] * inv_n;
    }
}

LW_MULTIVERSION
void lw_combinator_forward(const float *zc, const float *u, const float *a, float *zhat, int n, int d) {
    const float *a1 = a, *a2 = a + d, *a3 = a + 2 * (size_t)d, *a4 = a + 3 * (size_t)d, *a5 = a + 4 * (size_t)d;
    const float *a6 = a + 5 * (size_t)d, *a7 = a + 6 * (size_t)d, *a8 = a + 7 * (size_t)d, *a9 = a + 8 * (size_t)d,
                *a10 = a + 9 * (size_t)d;
    for (int r = 0; r < n; r++) {
        const float *zr = zc + (size_t)r * d, *ur = u + (size_t)r * d;
        float *o = zhat + (size_t)r * d;
        for (int c = 0; c < d; c++) {
            float mu = a1[c] * sigmoidf_(a2[c] * ur[c] + a3[c]) + a4[c] * ur[c] + a5[c];
            float v = a6[c] * sigmoidf_(a7[c] * ur[c] + a8[c]) + a9[c] * ur[c] + a10[c];
            o[c] = (zr[c] - mu) * v + mu;
        }
    }
}

LW_MULTIVERSION
void lw_combinator_backward(const float *dzhat, const float *zc, const float *u, const float *a, float *dzc, float *du,
                            float *da, int n, int d) {
    const float *a1 = a, *a2 = a + d, *a3 = a + 2 * (size_t)d, *a4 = a + 3 * (size_t)d, *a5 = a + 4 * (size_t)d;
    const float *a6 = a + 5 * (size_t)d, *a7 = a + 6 * (size_t)d, *a8 = a + 7 * (size_t)d, *a9 = a + 8 * (size_t)d,
                *a10 = a + 9 * (size_t)d;
    float *g1 = da, *g2 = da + d, *g3 = da + 2 * (size_t)d, *g4 = da + 3 * (size_t)d, *g5 = da + 4 * (size_t)d;
    float *g6 = da + 5 * (size_t)d, *g7 = da + 6 * (size_t)d, *g8 = da + 7 * (size_t)d, *g9 = da + 8 * (size_t)d,
          *g10 = da + 9 * (size_t)d;
    memset(da, 0, sizeof(float) * 10 * (size_t)d);
    for (int r = 0; r < n; r++) {
        const float *g = dzhat + (size_t)r * d, *zr = zc + (size_t)r * d, *ur = u + (size_t)r * d;
        float *dur = du + (size_t)r * d;
        float *dzr = dzc ? dzc + (size_t)r * d : NULL;
        for (int c = 0; c < d; c++) {
            float s1 = sigmoidf_(a2[c] * ur[c] + a3[c]);
            float s2 = sigmoidf_(a7[c] * ur[c] + a8[c]);
            float mu = a1[c] * s1 + a4[c] * ur[c] + a5[c];
            float v = a6[c] * s2 + a9[c] * ur[c] + a10[c];
            float dmu = g[c] * (1.0f - v);
            float dv = g[c] * (zr[c] - mu);
            float dp1 = dmu * a1[c] * s1 * (1.0f - s1);
            float dp2 = dv * a6[c] * s2 * (1.0f - s2);
            g1[c] += dmu * s1; g2[c] += dp1 * ur[c]; g3[c] += dp1; g4[c] += dmu * ur[c]; g5[c] += dmu;
            g6[c] += dv * s2; g7[c] += dp2 * ur[c]; g8[c] += dp2; g9[c] += dv * ur[c]; g10[c] += dv;
            dur[c] = dp1 * a2[c] + dmu * a4[c] + dp2 * a7[c] + dv * a9[c];
        }
        if (dzr) {
            for (int c = 0; c < d; c++) {
                float s2 = sigmoidf_(a7[c] * ur[c] + a8[c]);
                dzr[c] = g[c] * (a6[c] * s2 + a9[c] * ur[c] + a10[c]);
            }
        }
    }
}

// The denoising cost's loop, with each optional buffer's presence a flag: the two calls
// the ladder makes (none of them, or all) get loops without tests inside after inlining
// (-O2, SwiftPM's release level, does not unswitch them); any other mix runs the general one.
__attribute__((always_inline))
static inline double denoising_rows(const float *zhat, const float *zclean, const float *mean, const float *std, int n,
                                    int d, float scale, float *dzhat, float *dzclean, float *dmean, float *dstd,
                                    const int has_mean, const int has_std, const int has_dzclean, const int has_dmean,
                                    const int has_dstd) {
    double total = 0;
    for (int r = 0; r < n; r++) {
        const float *zh = zhat + (size_t)r * d, *zc = zclean + (size_t)r * d;
        float *gh = dzhat + (size_t)r * d;
        float *gc = has_dzclean ? dzclean + (size_t)r * d : NULL;
        float row = 0;
        for (int c = 0; c < d; c++) {
            float m = has_mean ? mean[c] : 0.0f, inv = has_std ? 1.0f / std[c] : 1.0f;
            float zn = (zh[c] - m) * inv;
            float e = zn - zc[c];
            row += e * e;
            gh[c] = scale * e * inv;
            if (has_dzclean) gc[c] = -scale * e;
            if (has_dmean) dmean[c] -= scale * e * inv;
            if (has_dstd) dstd[c] -= scale * e * zn * inv;
        }
        total += row;
    }
    return total;
}

LW_MULTIVERSION
double lw_denoising_cost(const float *zhat, const float *zclean, const float *mean, const float *std, int n, int d,
                         float scale, float *dzhat, float *dzclean, float *dmean, float *dstd) {
    if (dmean) memset(dmean, 0, sizeof(float) * (size_t)d);
    if (dstd) memset(dstd, 0, sizeof(float) * (size_t)d);
    if (!mean && !std && !dzclean && !dmean && !dstd)
        return denoising_rows(zhat, zclean, mean, std, n, d, scale, dzhat, dzclean, dmean, dstd, 0, 0, 0, 0, 0);
    if (mean && std && dzclean && dmean && dstd)
        return denoising_rows(zhat, zclean, mean, std, n, d, scale, dzhat, dzclean, dmean, dstd, 1, 1, 1, 1, 1);
    return denoising_rows(zhat, zclean, mean, std, n, d, scale, dzhat, dzclean, dmean, dstd, mean != NULL,
                          std != NULL, dzclean != NULL, dmean != NULL, dstd != NULL);
}

LW_MULTIVERSION
void lw_shift_scale(const float *z, const float *beta, const float *gamma, float *out, int n, int d) {
    for (int r = 0; r < n; r++) {
        const float *zr = z + (size_t)r * d;
        float *o = out + (size_t)r * d;
        if (gamma) for (int c = 0; c < d; c++) o[c] = gamma[c] * (zr[c] + beta[c]);
        else for (int c = 0; c < d; c++) o[c] = zr[c] + beta[c];
    }
}

LW_MULTIVERSION
void lw_shift_scale_backward(const float *dout, const float *z, const float *beta, const float *gamma, float *dz,
                             float *dbeta, float *dgamma, int n, int d) {
    for (int r = 0; r < n; r++) {
        const float *g = dout + (size_t)r * d, *zr = z + (size_t)r * d;
        float *o = dz + (size_t)r * d;
        if (gamma) {
            for (int c = 0; c < d; c++) {
                float gc = g[c];
                dgamma[c] += gc * (zr[c] + beta[c]);
                dbeta[c] += gamma[c] * gc;
                o[c] = gamma[c] * gc;
            }
        } else {
            for (int c = 0; c < d; c++) { dbeta[c] += g[c]; o[c] = g[c]; }
        }
    }
}
