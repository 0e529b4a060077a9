#ifndef LAYERWISE_CKERNELS_H
#define LAYERWISE_CKERNELS_H
// Element-wise kernels of the training engine, compiled with -O3 -ffast-math so that
// loops vectorize (Swift's scalar expf costs about 1.5 ns per element). exp is a
// polynomial (lw_expf in internal.h) so loops containing it vectorize without calls
// into libm. Every function works on caller-owned buffers and allocates nothing;
// large ones are split over the thread pool of pool.c.
#include <stddef.h>
#include <stdint.h>

/// Activation codes shared with Swift's `Activation` (keep in sync).
enum {
    LW_IDENTITY = 0, LW_SIGMOID = 1, LW_RELU = 2, LW_TANH = 3, LW_LEAKY_RELU = 4, LW_SOFTMAX = 5
};

/// out[rows, cols] = bias broadcast to every row (a GEMM with beta = 1 then adds x·W,
/// which saves OpenBLAS's separate pass that zeroes C).
void lw_fill_rows(float *out, const float *bias, int rows, int cols);

/// y = act(y) in place (softmax: per row).
void lw_activate(float *y, int rows, int cols, int act, float leak);

/// y = act(z) out of place (z kept, e.g. the logits of a sigmoid/BCE output layer).
void lw_activate_copy(const float *z, float *y, int rows, int cols, int act, float leak);

/// d[rows, cols] ← ∂loss/∂z from ∂loss/∂y, through the activation's output y
/// (softmax: per row, d ← y ⊙ (d − Σ d⊙y)).
void lw_activation_backward(float *d, const float *y, int rows, int cols, int act, float leak);

/// Binary cross-entropy on logits z against targets t in [0, 1], stable form
/// max(z,0) − z·t + log(1 + e^−|z|). Writes dz = (σ(z) − t)·scale; returns the loss sum.
double lw_bce_logits(const float *z, const float *t, float *dz, size_t n, float scale);

/// Squared error: returns Σ (y − t)²; writes dy = 2(y − t)·scale.
double lw_mse(const float *y, const float *t, float *dy, size_t n, float scale);

/// Softmax cross-entropy on logits z[rows, cols] with integer labels: writes the
/// probabilities into p and dz = (p − onehot)·scale; returns Σ −log p[label].
double lw_softmax_xent(const float *z, const int32_t *labels, float *p, float *dz, int rows, int cols, float scale);

/// out[cols] = Σ_rows a[rows, cols] (bias gradients).
void lw_column_sums(const float *a, float *out, int rows, int cols);

/// y[n] *= mask[n]
void lw_multiply(float *y, const float *mask, size_t n);

/// out[i] = x[i] + stddev·z_i, z standard normals (Box–Muller) made from the random
/// 32-bit words the caller has stored in out[0 ..< n] (one word per element). With n
/// odd the last element is left to the caller.
void lw_gaussian_noise(const float *x, float *out, size_t n, float stddev);

/// Σ x²
double lw_sum_squares(const float *x, size_t n);

/// g += decay · w (L2 penalty (decay/2)·‖w‖² as in PyTorch's weight_decay).
void lw_add_scaled(float *g, const float *w, size_t n, float decay);

// MARK: Threads (pool.c)

/// One part of a split job: `part` in 0..<parts.
typedef void (*lw_part_fn)(void *context, int part, int parts);

/// Sets the number of threads (the caller plus n − 1 workers) that every kernel below
/// and lw_gemm split their work over; returns the count actually running.
int lw_set_threads(int n);
int lw_threads(void);

/// Runs fn(context, p, parts) for every part p, part 0 on the calling thread, and
/// returns when all are done. A call made while another is in flight runs serially.
void lw_parallel(lw_part_fn fn, void *context);

/// The p-th of `parts` contiguous pieces of 0..<n, boundaries multiples of `align`.
void lw_part_range(size_t n, size_t align, int part, int parts, size_t *begin, size_t *end);

/// Row-major C[m, n] = alpha·op(A)·op(B) + beta·C through single-threaded OpenBLAS
/// calls, one per part (the longer side of C is split; no copies, no allocation).
void lw_gemm(int transA, int transB, int m, int n, int k, float alpha, const float *a, int lda,
             const float *b, int ldb, float beta, float *c, int ldc);

// MARK: Dense layers (dense.c), split by output columns

/// out[batch, out_n] = act(x[batch, in] · W + b), W `[in, out_n]` or, with trans_w,
/// `[out_n, in]` (a tied decoder's Wᵀ). Softmax is applied per row afterwards.
void lw_dense_forward(const float *x, const float *w, int trans_w, const float *b, float *out, int batch, int in,
                      int out_n, int act, float leak);

/// From d = ∂loss/∂y `[batch, out_n]` of a layer with output y and input x `[batch, in]`:
/// d ← dZ = d ⊙ act'(y) (pass LW_IDENTITY when d is already dZ), db = Σ_rows dZ,
/// dW = xᵀ · dZ `[in, out_n]` (overwritten).
void lw_dense_backward_params(float *d, const float *y, const float *x, float *dw, float *db, int batch, int in,
                              int out_n, int act, float leak);

// MARK: Optimizers (optimizers.c; PyTorch's torch.optim semantics). Each updates n parameters.

void lw_adam(float *p, const float *g, float *m, float *v, size_t n, float lr, float beta1, float beta2,
             float eps, int64_t step, float decoupled_decay);
void lw_sgd(float *p, const float *g, float *buf, size_t n, float lr, float momentum, int nesterov, int first);
void lw_rmsprop(float *p, const float *g, float *sq, size_t n, float lr, float rho, float eps);

// MARK: Ladder network (ladder.c)

/// Batch normalisation with the batch's statistics: per column mean, biased variance
/// var, std = √(var + eps); out[n, d] = (x − mean) / std.
void lw_bn_forward(const float *x, float *out, float *mean, float *var, float *std, int n, int d, float eps);

/// Backward of lw_bn_forward from ∂L/∂out (dz), with optional ∂L/∂mean and ∂L/∂std
/// (the clean pass's statistics are denoising targets): dx = (dz − mean_rows(dz) −
/// z·mean_rows(dz⊙z)) / std + dmean/n + dstd⊙z/n, z the normalised output. dx may be
/// dz; scratch holds 2·d floats.
void lw_bn_backward(const float *dz, const float *z, const float *std, const float *dmean, const float *dstd,
                    float *dx, float *scratch, int n, int d);

/// The ladder's "vanilla" combinator, a[10, d] (row k is a_{k+1}): μ = a1·σ(a2·u + a3) +
/// a4·u + a5, v = a6·σ(a7·u + a8) + a9·u + a10, ẑ = (z̃ − μ)·v + μ.
void lw_combinator_forward(const float *zc, const float *u, const float *a, float *zhat, int n, int d);

/// Its backward from ∂L/∂ẑ: writes ∂L/∂z̃ (dzc, may be NULL), ∂L/∂u and ∂L/∂a (overwritten).
void lw_combinator_backward(const float *dzhat, const float *zc, const float *u, const float *a, float *dzc, float *du,
                            float *da, int n, int d);

/// Σ over rows and columns of e², e = (ẑ − mean)/std − z (mean, std NULL: 0 and 1); writes
/// scale·∂(Σe²)/∂· / 2 (scale = 2λ/(n·d) gives the gradient of λ·mean_rows(‖e‖²)/d) into
/// dzhat, and when given dzclean, dmean and dstd (overwritten).
double lw_denoising_cost(const float *zhat, const float *zclean, const float *mean, const float *std, int n, int d,
                         float scale, float *dzhat, float *dzclean, float *dmean, float *dstd);

/// out[n, d] = γ ⊙ (z + β) (gamma NULL: 1).
void lw_shift_scale(const float *z, const float *beta, const float *gamma, float *out, int n, int d);

/// Backward of lw_shift_scale from ∂L/∂out: dz = γ⊙dout (may alias dout), and adds to
/// dbeta (Σ_rows γ⊙dout) and dgamma (Σ_rows dout⊙(z + β)).
void lw_shift_scale_backward(const float *dout, const float *z, const float *beta, const float *gamma, float *dz,
                             float *dbeta, float *dgamma, int n, int d);

#endif
