#!/usr/bin/env python3
"""Writes Tests/LayerwiseNNTests/Fixtures/vat_torch.h5: one virtual-adversarial-training
step (Miyato et al., TPAMI 2018) of a small network in PyTorch, which Network.vatStep
must reproduce.

Network 6 -tanh-> 5 -relu-> 4 -softmax-> 3 classes (Dense: y = x·kernel + bias, kernel
[in, out]); 4 labeled rows, 6 unlabeled rows, the power iteration's starting direction
d0 [6, 6] stored, epsilon 0.8, xi 0.05, weight 1.5, one power iteration, weight decay 0.01
(PyTorch's weight_decay on the kernels only), Adam lr 0.01. Stored: p(x) of the unlabeled
rows, r_adv, the loss (mean cross-entropy + weight · mean KL + weight-decay term), every
gradient and the parameters after the Adam step, flattened kernel, bias, layer by layer.
Run: python3 Scripts/vat-torch-fixture.py   (torch 2.x, h5py)
"""
import os

import h5py
import numpy as np
import torch
import torch.nn.functional as F

torch.manual_seed(0)
rng = np.random.default_rng(7)
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "LayerwiseNNTests", "Fixtures", "vat_torch.h5")
sizes = [6, 5, 4, 3]
acts = [torch.tanh, torch.relu, None]
eps, xi, weight, decay, lr = 0.8, 0.05, 1.5, 0.01, 0.01
xl = rng.uniform(size=(4, 6)).astype(np.float32)
y = np.array([0, 2, 1, 2], dtype=np.int32)
xu = rng.uniform(size=(6, 6)).astype(np.float32)
d0 = rng.normal(size=(6, 6)).astype(np.float32)
kernels = [rng.normal(scale=0.8, size=(a, b)).astype(np.float32) for a, b in zip(sizes, sizes[1:])]
biases = [rng.normal(scale=0.1, size=(b,)).astype(np.float32) for b in sizes[1:]]
params = [torch.tensor(t, requires_grad=True) for pair in zip(kernels, biases) for t in pair]


def forward(x):
    h = x
    for i in range(3):
        h = h @ params[2 * i] + params[2 * i + 1]
        if acts[i] is not None:
            h = acts[i](h)
    return h


xlt, yt, xut = torch.tensor(xl), torch.tensor(y, dtype=torch.long), torch.tensor(xu)
with torch.no_grad():
    p = torch.softmax(forward(xut), 1)
r = xi * F.normalize(torch.tensor(d0), dim=1)
r.requires_grad_(True)
kl = F.kl_div(F.log_softmax(forward(xut + r), 1), p, reduction="batchmean")
(g,) = torch.autograd.grad(kl, r)
r_adv = (eps * F.normalize(g, dim=1)).detach()

ce = F.cross_entropy(forward(xlt), yt)
vat = F.kl_div(F.log_softmax(forward(xut + r_adv), 1), p, reduction="batchmean")
l2 = 0.5 * decay * sum((params[2 * i] ** 2).sum() for i in range(3))
loss = ce + weight * vat
loss.backward()
flat = lambda ts: np.concatenate([t.detach().numpy().ravel() for t in ts]).astype(np.float32)
# The gradient of the whole loss, the weight-decay term's λ·W included.
grad = flat([t.grad + (decay * t.detach() if i % 2 == 0 else 0) for i, t in enumerate(params)])
# Adam with weight decay on the kernels only, as Layerwise's configure(weightDecay:).
opt = torch.optim.Adam([{"params": params[0::2], "weight_decay": decay}, {"params": params[1::2]}], lr=lr)
opt.step()
with h5py.File(out, "w") as f:
    f["xl"], f["y"], f["xu"], f["d0"] = xl, y, xu, d0
    f["params"] = np.concatenate([np.concatenate([k.ravel(), b]) for k, b in zip(kernels, biases)]).astype(np.float32)
    f["settings"] = np.array([eps, xi, weight, decay, lr], dtype=np.float32)
    f["clean"] = p.numpy()
    f["r_adv"] = r_adv.numpy()
    f["loss"] = np.float64((loss + l2).item())
    f["grad"] = grad
    f["params_after_adam"] = flat(params)
print("wrote", os.path.relpath(out))
