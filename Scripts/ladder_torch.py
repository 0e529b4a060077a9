"""The ladder network's cost in PyTorch, with Layerwise's parameter layout (W_1, β_1, …,
W_L, β_L, γ, V_0 … V_{L−1}, a_0 … a_L; W [d_{l−1}, d_l], V_l [d_{l+1}, d_l], a_l
[10, d_l]) and its conventions (batch statistics with the biased variance, ε = 1e-10,
separate labeled and unlabeled passes, the vanilla combinator, gradients through the
clean pass). Imported by Scripts/ladder-torch-fixture.py and Benchmarks/peer_pytorch.py.
"""
import torch

EPS = 1e-10


def shapes(widths):
    L = len(widths) - 1
    s = []
    for l in range(1, L + 1):
        s += [(widths[l - 1], widths[l]), (widths[l],)]
    s.append((widths[L],))
    s += [(widths[l + 1], widths[l]) for l in range(L)]
    s += [(10, widths[l]) for l in range(L + 1)]
    return s


def init_params(widths, generator=None):
    """The layout's tensors at Layerwise's initial values (W, V ~ N(0, 1/fan-in))."""
    L = len(widths) - 1
    out = []
    for l in range(1, L + 1):
        out += [torch.randn(widths[l - 1], widths[l], generator=generator) / widths[l - 1] ** 0.5, torch.zeros(widths[l])]
    out.append(torch.ones(widths[L]))
    out += [torch.randn(widths[l + 1], widths[l], generator=generator) / widths[l + 1] ** 0.5 for l in range(L)]
    for l in range(L + 1):
        a = torch.zeros(10, widths[l])
        a[1] = 1
        a[6] = 1
        out.append(a)
    return out


def split(params, widths):
    L = len(widths) - 1
    W = [None] + [params[2 * (l - 1)] for l in range(1, L + 1)]
    beta = [None] + [params[2 * (l - 1) + 1] for l in range(1, L + 1)]
    gamma = params[2 * L]
    V = [params[2 * L + 1 + l] for l in range(L)]
    A = [params[3 * L + 1 + l] for l in range(L + 1)]
    return W, beta, gamma, V, A


def bn(z):
    m = z.mean(0)
    s = torch.sqrt(z.var(0, unbiased=False) + EPS)
    return (z - m) / s, m, s


def encode(params, widths, x, noise, act):
    W, beta, gamma, _, _ = split(params, widths)
    L = len(widths) - 1
    h = x if noise is None else x + noise[0]
    zs, ms, ss, hs = [h], [None], [None], [h]
    for l in range(1, L + 1):
        z, m, s = bn(h @ W[l])
        if noise is not None:
            z = z + noise[l]
        if l == L:
            logits = gamma * (z + beta[l])
            h = torch.softmax(logits, 1)
        else:
            logits = None
            h = act(z + beta[l])
        zs.append(z); ms.append(m); ss.append(s); hs.append(h)
    return zs, ms, ss, hs, logits


def combinator(zc, u, a):
    mu = a[0] * torch.sigmoid(a[1] * u + a[2]) + a[3] * u + a[4]
    v = a[5] * torch.sigmoid(a[6] * u + a[7]) + a[8] * u + a[9]
    return (zc - mu) * v + mu


def cost(params, widths, lambdas, x, noise, xl=None, labels=None, labeled_noise=None, act=torch.relu):
    """(total, supervised, [λ_l·C_l]) of one step's batch."""
    _, _, _, V, A = split(params, widths)
    L = len(widths) - 1
    clean = encode(params, widths, x, None, act)
    corr = encode(params, widths, x, noise, act)
    zhat = [None] * (L + 1)
    den = [None] * (L + 1)
    for l in range(L, -1, -1):
        pre = corr[3][L] if l == L else zhat[l + 1] @ V[l]
        u = bn(pre)[0]
        zhat[l] = combinator(corr[0][l], u, A[l])
        zn = zhat[l] if l == 0 else (zhat[l] - clean[1][l]) / clean[2][l]
        den[l] = lambdas[l] * ((zn - clean[0][l]) ** 2).sum(1).mean() / widths[l]
    sup = torch.zeros(())
    if xl is not None:
        logits = encode(params, widths, xl, labeled_noise, act)[4]
        sup = torch.nn.functional.cross_entropy(logits, labels)
    return sup + sum(den), sup, den
