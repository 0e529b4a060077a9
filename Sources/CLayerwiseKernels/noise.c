// Gaussian input noise for denoising autoencoders, vectorized: Box–Muller on random
// bits the caller (Swift's seeded generator) has already written into `out`.
//
// Why in C: Swift's scalar Box–Muller (Double log and cos per value) cost 4.4 ms per
// 256×784 batch, more than half a 784-512-784 training step; this loop vectorizes
// (the polynomial log of internal.h, the sin/cos polynomials below) and costs 0.2 ms,
// random bits included.
#include "CLayerwiseKernels.h"
#include "internal.h"
#include <math.h>
#include <string.h>

// sin and cos of a ∈ [−π, π]: a = q·π/2 + r with |r| ≤ π/4, Taylor polynomials in r
// (errors < 4e-7), then the quadrant q mod 4 rotates (sin r, cos r). Branch-free.
static inline void sincos_pi(float a, float *s, float *c) {
    float t = a * 0.636619772367581f;                         // a / (π/2)
    int32_t q = (int32_t)(t + (t >= 0 ? 0.5f : -0.5f));
    float r = a - (float)q * 1.5707963705062866f;
    float r2 = r * r;
    float sr = r * (1.0f + r2 * (-1.0f / 6 + r2 * (1.0f / 120 - r2 * (1.0f / 5040))));
    float cr = 1.0f + r2 * (-0.5f + r2 * (1.0f / 24 + r2 * (-1.0f / 720 + r2 * (1.0f / 40320))));
    int32_t k = q & 3;
    float s0 = (k & 1) ? cr : sr, c0 = (k & 1) ? sr : cr;
    *s = (k & 2) ? -s0 : s0;
    *c = ((k + 1) & 2) ? -c0 : c0;
}

// Two standard normals from two 32-bit words: u1 ∈ (0, 1], u2 ∈ [0, 1) from 24 bits each.
static inline void box_muller(uint32_t a, uint32_t b, float *z0, float *z1) {
    // Through int32 (24 bits fit): AVX2 converts signed integers to float, not unsigned.
    float u1 = (float)((int32_t)(a >> 8) + 1) * 0x1p-24f;
    float u2 = (float)(int32_t)(b >> 8) * 0x1p-24f;
    float r = sqrtf(-2.0f * lw_logf(u1));
    float s, c;
    sincos_pi(6.283185307179586f * u2 - 3.141592653589793f, &s, &c);   // a uniform angle
    *z0 = r * c;
    *z1 = r * s;
}

LW_MULTIVERSION
void lw_gaussian_noise(const float *restrict x, float *restrict out, size_t n, float stddev) {
    // Elements 2i and 2i+1 take the cosine and sine of one angle (clang vectorizes the
    // stride-2 accesses 8 pairs at a time; x and out never overlap).
    for (size_t i = 0; i + 1 < n; i += 2) {
        uint32_t a, b;
        memcpy(&a, out + i, 4);
        memcpy(&b, out + i + 1, 4);
        float z0, z1;
        box_muller(a, b, &z0, &z1);
        out[i] = x[i] + stddev * z0;
        out[i + 1] = x[i + 1] + stddev * z1;
    }
}
