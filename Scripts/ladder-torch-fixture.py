#!/usr/bin/env python3
"""Writes Tests/NeuralNetTests/Fixtures/ladder_torch.h5: one full training step of a
small ladder network computed by PyTorch (float32, autograd, torch.optim.Adam), which
LadderTorchReferenceTests must reproduce.

Network 6-5-4-3 (ReLU, softmax over 3 classes), λ = 4, 2, 0.5, 0.3, 8 unlabeled rows
and 4 labeled rows; every parameter drawn away from its initial value (so no combinator
is degenerate), the noise drawn here (stddev 0.3) and stored. Stored: params (flat, in
Layerwise's layout), x, xl, y, noise_unlabeled_l, noise_labeled_l, the costs, the
gradient (flat) and the parameters after one Adam step (lr 0.002).
Run: python3 Scripts/ladder-torch-fixture.py   (torch 2.x, h5py)
"""
import os
import sys

import h5py
import numpy as np
import torch

sys.path.insert(0, os.path.dirname(__file__))
import ladder_torch as lt  # noqa: E402

out = os.path.join(os.path.dirname(__file__), "..", "Tests", "LayerwiseNNTests", "Fixtures", "ladder_torch.h5")
torch.manual_seed(0)
widths, lambdas, n, m = [6, 5, 4, 3], [4.0, 2.0, 0.5, 0.3], 8, 4
g = torch.Generator().manual_seed(1)
params = [(p + 0.5 * torch.randn(p.shape, generator=g)).requires_grad_() for p in lt.init_params(widths, g)]
x = torch.rand(n, widths[0], generator=g)
xl = torch.rand(m, widths[0], generator=g)
y = torch.tensor([0, 1, 2, 1])
noise = [0.3 * torch.randn(n, w, generator=g) for w in widths]
labeled_noise = [0.3 * torch.randn(m, w, generator=g) for w in widths]
before = torch.cat([p.detach().reshape(-1) for p in params]).numpy().copy()
opt = torch.optim.Adam(params, lr=0.002, betas=(0.9, 0.999), eps=1e-8)
opt.zero_grad()
total, sup, den = lt.cost(params, widths, lambdas, x, noise, xl, y, labeled_noise)
total.backward()
grad = torch.cat([p.grad.reshape(-1) for p in params]).numpy().copy()
opt.step()
after = torch.cat([p.detach().reshape(-1) for p in params]).numpy().copy()
with h5py.File(out, "w") as f:
    f.attrs["made_by"] = "Scripts/ladder-torch-fixture.py, torch " + torch.__version__
    f["widths"] = np.array(widths, dtype=np.int64)
    f["lambdas"] = np.array(lambdas, dtype=np.float32)
    f["params"], f["grad"], f["params_after_adam"] = before, grad, after
    f["x"], f["xl"], f["y"] = x.numpy(), xl.numpy(), y.numpy().astype(np.int32)
    for l, w in enumerate(widths):
        f[f"noise_unlabeled_{l}"] = noise[l].numpy()
        f[f"noise_labeled_{l}"] = labeled_noise[l].numpy()
    f["total"] = np.array([total.item()], dtype=np.float64)
    f["supervised"] = np.array([sup.item()], dtype=np.float64)
    f["denoising"] = np.array([d.item() for d in den], dtype=np.float64)
print(f"{out}: total {total.item():.6f}, supervised {sup.item():.6f}, {len(before)} parameters")
