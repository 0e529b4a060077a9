#!/usr/bin/env python3
"""PyTorch peer of EngineBenchmark: the same three networks, batch 256, forward +
backward + Adam, same data, median samples/s of several runs.
usage: peer_pytorch.py [--threads 2] [--runs 5] [--steps 40] [--data ../Datasets/fashion-mnist-small.h5]"""
import argparse, time
import h5py, numpy as np, torch
from torch import nn

ap = argparse.ArgumentParser()
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--runs", type=int, default=5)
ap.add_argument("--steps", type=int, default=40)
ap.add_argument("--data", default="../Datasets/fashion-mnist-small.h5")
a = ap.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(0)
with h5py.File(a.data) as f:
    X = torch.tensor(f["train/images"][:].reshape(-1, 784), dtype=torch.float32) / 255
B = 256

def net(widths):
    layers = []
    for i in range(len(widths) - 1):
        layers.append(nn.Linear(widths[i], widths[i + 1]))
        if i < len(widths) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)   # sigmoid folded into BCEWithLogits

def measure(model):
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    loss_fn = nn.BCEWithLogitsLoss()
    def step(i):
        s = (i * B) % (len(X) - B)
        x = X[s:s + B]
        opt.zero_grad(set_to_none=True)
        loss_fn(model(x), x).backward()
        opt.step()
    for i in range(5):
        step(i)
    rates = []
    for _ in range(a.runs):
        t = time.perf_counter()
        for i in range(a.steps):
            step(i)
        rates.append(a.steps * B / (time.perf_counter() - t))
    return sorted(rates)[len(rates) // 2]

for widths in ([784, 512, 784], [784, 512, 256, 64, 256, 512, 784], [784, 1000, 500, 250, 30, 250, 500, 1000, 784]):
    print(f"pytorch {'-'.join(map(str, widths))} {measure(net(widths)):.0f} samples/s")
