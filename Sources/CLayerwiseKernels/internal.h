#ifndef LAYERWISE_CKERNELS_INTERNAL_H
#define LAYERWISE_CKERNELS_INTERNAL_H
// Helpers shared by the C files of this target (not exported to Swift).
#include <math.h>
#include <stddef.h>
#include <stdint.h>

// Fast floating-point math for every file of this target, from here on (each includes
// this header before its own code; the inline helpers below are covered too): reassociation
// (vectorized sums), fused multiply-adds, no NaN/infinity/signed-zero care, and no errno,
// so sqrtf is one instruction. The same as -ffast-math -fno-math-errno, without flags:
// SwiftPM refuses unsafeFlags in a package used as a versioned dependency.
#pragma float_control(precise, off)

// The hot loops are compiled twice, for baseline x86-64 (SSE2) and x86-64-v3 (AVX2 +
// FMA), and the loader picks one per CPU (an ifunc): 8-wide exp/log polynomials and
// Adam without giving up machines that lack AVX2. The choice is fixed per machine,
// so results stay bit-identical run to run.
#if defined(__x86_64__) && defined(__linux__)
#define LW_MULTIVERSION __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define LW_MULTIVERSION
#endif

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

/// y[n] = act(y) element-wise (not softmax).
void lw_activate_n(float *y, size_t n, int act, float leak);
/// d[n] *= act'(·) through the output y (not softmax).
void lw_activation_backward_n(float *d, const float *y, size_t n, int act, float leak);
/// One single-threaded row-major cblas_sgemm call.
void lw_sgemm1(int ta, int tb, int m, int n, int k, float alpha, const float *a, int lda, const float *b, int ldb,
               float beta, float *c, int ldc);
#endif
