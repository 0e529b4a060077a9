#!/usr/bin/env python3
"""Writes Tests/NeuralNetTests/Fixtures/torch_reference.h5: PyTorch's numbers for a tiny
network, which the engine's tests must reproduce.

Network 4 -tanh-> 5 -relu-> 6 -softmax-> 3 classes (Dense: y = x·kernel + bias, kernel
[in, out]), batch 5. Stored: inputs x [5,4], labels y [5], initial kernels/biases,
softmax probabilities, the cross-entropy loss, gradients of every parameter, and the
parameters after two steps of each optimizer (adam, adamw, sgd momentum+nesterov,
rmsprop, plain momentum SGD). Also a sigmoid+BCE autoencoder output (logits, loss,
gradients) and a tied-weights autoencoder (loss, gradients, two Adam steps).
Run: python3 Scripts/torch-fixtures.py   (torch 2.x, h5py)
"""
import os
import h5py, numpy as np, torch

torch.manual_seed(0)
rng = np.random.default_rng(0)
out = os.path.join(os.path.dirname(__file__), "..", "Tests", "LayerwiseNNTests", "Fixtures", "torch_reference.h5")

sizes = [4, 5, 6, 3]
acts = [torch.tanh, torch.relu, None]
x = rng.normal(size=(5, 4)).astype(np.float32)
y = np.array([0, 2, 1, 2, 0], dtype=np.int32)
kernels = [rng.normal(scale=0.6, size=(a, b)).astype(np.float32) for a, b in zip(sizes, sizes[1:])]
biases = [rng.normal(scale=0.1, size=(b,)).astype(np.float32) for b in sizes[1:]]

def make_params():
    return [torch.tensor(t, requires_grad=True) for pair in zip(kernels, biases) for t in pair]

def forward(params, xt):
    h = xt
    for i in range(3):
        h = h @ params[2 * i] + params[2 * i + 1]
        if acts[i] is not None:
            h = acts[i](h)
    return h

xt, yt = torch.tensor(x), torch.tensor(y, dtype=torch.long)
with h5py.File(out, "w") as f:
    f["x"], f["y"] = x, y
    for i in range(3):
        f[f"kernel_{i}"], f[f"bias_{i}"] = kernels[i], biases[i]
    params = make_params()
    logits = forward(params, xt)
    loss = torch.nn.functional.cross_entropy(logits, yt)
    loss.backward()
    f["probabilities"] = torch.softmax(logits, 1).detach().numpy()
    f["loss"] = np.float32(loss.item())
    for i in range(3):
        f[f"grad_kernel_{i}"] = params[2 * i].grad.numpy()
        f[f"grad_bias_{i}"] = params[2 * i + 1].grad.numpy()
    optimizers = {
        "adam": lambda p: torch.optim.Adam(p, lr=0.01),
        "adamw": lambda p: torch.optim.AdamW(p, lr=0.01, weight_decay=0.1),
        "sgd": lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True),
        "sgd_momentum": lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9),
        "rmsprop": lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.9, eps=1e-7),
    }
    for name, make in optimizers.items():
        params = make_params()
        opt = make(params)
        for _ in range(2):
            opt.zero_grad()
            torch.nn.functional.cross_entropy(forward(params, xt), yt).backward()
            opt.step()
        for i in range(3):
            f[f"{name}/kernel_{i}"] = params[2 * i].detach().numpy()
            f[f"{name}/bias_{i}"] = params[2 * i + 1].detach().numpy()

    # Autoencoder 6 -relu-> 3 -> 6, sigmoid output with BCE (mean over elements).
    xa = rng.uniform(size=(4, 6)).astype(np.float32)
    w1 = rng.normal(scale=0.5, size=(6, 3)).astype(np.float32); b1 = np.zeros(3, np.float32) + 0.1
    w2 = rng.normal(scale=0.5, size=(3, 6)).astype(np.float32); b2 = np.zeros(6, np.float32) - 0.2
    ps = [torch.tensor(t, requires_grad=True) for t in (w1, b1, w2, b2)]
    z = torch.relu(torch.tensor(xa) @ ps[0] + ps[1]) @ ps[2] + ps[3]
    l = torch.nn.functional.binary_cross_entropy_with_logits(z, torch.tensor(xa))
    l.backward()
    g = f.create_group("autoencoder")
    g["x"], g["w1"], g["b1"], g["w2"], g["b2"] = xa, w1, b1, w2, b2
    g["reconstruction"] = torch.sigmoid(z).detach().numpy()
    g["loss"] = np.float32(l.item())
    for name, p in zip(("w1", "b1", "w2", "b2"), ps):
        g[f"grad_{name}"] = p.grad.numpy()

    # Tied autoencoder 6 -sigmoid-> 3 -> 6 (decoder kernel = W1ᵀ, one matrix), sigmoid
    # output with BCE; two Adam steps (lr 0.01) of the whole step, gradients of the first.
    xt2 = rng.uniform(size=(4, 6)).astype(np.float32)
    tw = rng.normal(scale=0.5, size=(6, 3)).astype(np.float32)
    tb1 = rng.normal(scale=0.1, size=(3,)).astype(np.float32)
    tb2 = rng.normal(scale=0.1, size=(6,)).astype(np.float32)
    ps = [torch.tensor(t, requires_grad=True) for t in (tw, tb1, tb2)]
    opt = torch.optim.Adam(ps, lr=0.01)
    g = f.create_group("tied")
    g["x"], g["w1"], g["b1"], g["b2"] = xt2, tw, tb1, tb2
    for step in range(2):
        opt.zero_grad()
        h = torch.sigmoid(torch.tensor(xt2) @ ps[0] + ps[1])
        l = torch.nn.functional.binary_cross_entropy_with_logits(h @ ps[0].T + ps[2], torch.tensor(xt2))
        l.backward()
        if step == 0:
            g["loss"] = np.float32(l.item())
            for name, p in zip(("w1", "b1", "b2"), ps):
                g[f"grad_{name}"] = p.grad.numpy().copy()
        opt.step()
    for name, p in zip(("w1", "b1", "b2"), ps):
        g[f"adam2_{name}"] = p.detach().numpy()
print("wrote", out)
