"""One forward pass of a tiny ladder network in numpy, for LadderForwardTests.

Widths 2-2-2 (one ReLU layer, a softmax over 2 classes), 3 unlabeled rows, 2 labeled.
Every parameter and noise value comes from a formula the Swift test repeats:
parameter i = 0.1*((7*i) % 11) - 0.5, noise value k of a pass = 0.3*((5*k) % 7)/3 - 0.3
(k counting through the layers 0, 1, 2 in turn, the labeled pass after the unlabeled).
Prints the costs and a few intermediate values with 9 significant digits.
"""
import numpy as np

eps = 1e-10
widths = [2, 2, 2]
L = 2
lam = [1000.0, 10.0, 0.1]
x = np.array([[0.1, 0.9], [0.5, 0.2], [0.8, 0.4]])
xl = np.array([[0.3, 0.7], [0.6, 0.1]])
y = np.array([1, 0])

p = np.array([0.1 * ((7 * i) % 11) - 0.5 for i in range(82)])
o = 0
def take(r, c):
    global o
    t = p[o:o + r * c].reshape(r, c); o += r * c; return t
W, b = {}, {}
for l in (1, 2):
    W[l] = take(widths[l - 1], widths[l]); b[l] = take(1, widths[l])[0]
gamma = take(1, 2)[0]
V = {l: take(widths[l + 1], widths[l]) for l in (0, 1)}
A = {l: take(10, widths[l]) for l in (0, 1, 2)}

def noise(rows, start):
    out, k = [], start
    for l in range(3):
        vals = np.array([0.3 * ((5 * (k + i)) % 7) / 3 - 0.3 for i in range(rows * widths[l])])
        out.append(vals.reshape(rows, widths[l])); k += rows * widths[l]
    return out, k

nu, k = noise(3, 0)
nl, _ = noise(2, k)

def bn(z):
    m = z.mean(0); s = np.sqrt(z.var(0) + eps)
    return (z - m) / s, m, s

def encode(x, nz):
    h = x + (nz[0] if nz else 0)
    zs, ms, ss, hs = [h], [None], [None], [h]
    for l in (1, 2):
        z, m, s = bn(h @ W[l])
        if nz: z = z + nz[l]
        if l == 2:
            a = gamma * (z + b[l]); e = np.exp(a - a.max(1, keepdims=True)); h = e / e.sum(1, keepdims=True)
        else:
            h = np.maximum(z + b[l], 0)
        zs.append(z); ms.append(m); ss.append(s); hs.append(h)
    return zs, ms, ss, hs

sig = lambda t: 1 / (1 + np.exp(-t))
clean = encode(x, None)
corr = encode(x, nu)
zhat, den = {}, {}
for l in (2, 1, 0):
    u = bn(corr[3][2] if l == 2 else zhat[l + 1] @ V[l])[0]
    a = A[l]
    mu = a[0] * sig(a[1] * u + a[2]) + a[3] * u + a[4]
    v = a[5] * sig(a[6] * u + a[7]) + a[8] * u + a[9]
    zhat[l] = (corr[0][l] - mu) * v + mu
    zn = zhat[l] if l == 0 else (zhat[l] - clean[1][l]) / clean[2][l]
    den[l] = lam[l] * ((zn - clean[0][l]) ** 2).sum(1).mean() / widths[l]
lab = encode(xl, nl)
sup = -np.log(lab[3][2][np.arange(2), y]).mean()
fmt = lambda v: ", ".join("%.9g" % t for t in np.ravel(v))
print("supervised", fmt(sup))
print("denoising", fmt([den[0], den[1], den[2]]))
print("total", fmt(sup + sum(den.values())))
print("clean h1", fmt(clean[3][1]))
print("corrupted h2", fmt(corr[3][2]))
print("zhat0", fmt(zhat[0]))
