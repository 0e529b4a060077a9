#!/usr/bin/env python3
"""The PyTorch peer of Pipelines/fashion-mnist-1000.yaml, for side-by-side wall time
and accuracy: the same recipe, the same data file, the same thread count.

Greedy layer-wise denoising pretraining 784-512-256-64 (ReLU; layer 1 sigmoid + BCE
on pixels, deeper layers linear + MSE on codes; masking noise 0.2; Adam 1e-3; batch
256; 5 epochs per layer), 5 epochs end to end, a 64-ReLU-10 head on the frozen
encoder for 50 epochs (Adam 1e-3, batch 64), then 30 epochs unfrozen (fresh Adam 1e-4).

usage: peer-pipeline-pytorch.py [--per-class 100] [--seed 0] [--threads 2] [--data Datasets/fashion-mnist.h5]
Prints one JSON line: {"seed", "per_class", "accuracy", "seconds"}.
"""
import argparse, json, time
import h5py, numpy as np, torch
from torch import nn

ap = argparse.ArgumentParser()
ap.add_argument("--per-class", type=int, default=100)
ap.add_argument("--seed", type=int, default=0)
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--data", default="Datasets/fashion-mnist.h5")
ap.add_argument("--layers", default="512,256,64")
ap.add_argument("--pre-epochs", type=int, default=5)
ap.add_argument("--e2e-epochs", type=int, default=5)
a = ap.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(a.seed)
rng = np.random.default_rng(a.seed)

with h5py.File(a.data) as f:
    X = torch.tensor(f["train/images"][:].reshape(-1, 784), dtype=torch.float32) / 255
    Y = torch.tensor(f["train/labels"][:], dtype=torch.long)
    Xt = torch.tensor(f["test/images"][:].reshape(-1, 784), dtype=torch.float32) / 255
    Yt = torch.tensor(f["test/labels"][:], dtype=torch.long)

start = time.perf_counter()
labeled = np.concatenate([rng.permutation(np.where(Y.numpy() == c)[0])[:a.per_class] for c in range(10)])
widths = [784] + [int(w) for w in a.layers.split(",")]

def batches(n, size):
    p = torch.randperm(n)
    for i in range(0, n, size):
        yield p[i:i + size]

encoders, decoders = [], []
codes = X
for k in range(len(widths) - 1):
    enc = nn.Sequential(nn.Linear(widths[k], widths[k + 1]), nn.ReLU())
    dec = nn.Linear(widths[k + 1], widths[k])
    opt = torch.optim.Adam(list(enc.parameters()) + list(dec.parameters()), 1e-3)
    loss_fn = nn.BCEWithLogitsLoss() if k == 0 else nn.MSELoss()
    for _ in range(a.pre_epochs):
        for idx in batches(len(codes), 256):
            x = codes[idx]
            noisy = x * (torch.rand_like(x) >= 0.2)
            loss = loss_fn(dec(enc(noisy)), x)
            opt.zero_grad(); loss.backward(); opt.step()
    with torch.no_grad():
        codes = enc(codes)
    encoders.append(enc); decoders.insert(0, dec)

encoder = nn.Sequential(*encoders)
dec_layers = []
for i, d in enumerate(decoders):
    dec_layers.append(d)
    if i < len(decoders) - 1:
        dec_layers.append(nn.ReLU())
ae = nn.Sequential(encoder, *dec_layers)
opt = torch.optim.Adam(ae.parameters(), 1e-3)
bce = nn.BCEWithLogitsLoss()
for _ in range(a.e2e_epochs):
    for idx in batches(len(X), 256):
        x = X[idx]
        loss = bce(ae(x * (torch.rand_like(x) >= 0.2)), x)
        opt.zero_grad(); loss.backward(); opt.step()

head = nn.Sequential(nn.Linear(widths[-1], 64), nn.ReLU(), nn.Linear(64, 10))
xl, yl = X[labeled], Y[labeled]
ce = nn.CrossEntropyLoss()
for p in encoder.parameters():
    p.requires_grad_(False)
opt = torch.optim.Adam(head.parameters(), 1e-3)
for _ in range(50):
    for idx in batches(len(xl), 64):
        loss = ce(head(encoder(xl[idx])), yl[idx])
        opt.zero_grad(); loss.backward(); opt.step()
for p in encoder.parameters():
    p.requires_grad_(True)
model = nn.Sequential(encoder, head)
opt = torch.optim.Adam(model.parameters(), 1e-4)
for _ in range(30):
    for idx in batches(len(xl), 64):
        loss = ce(model(xl[idx]), yl[idx])
        opt.zero_grad(); loss.backward(); opt.step()
with torch.no_grad():
    acc = (model(Xt).argmax(1) == Yt).float().mean().item()
print(json.dumps({"seed": a.seed, "per_class": a.per_class, "accuracy": acc, "seconds": time.perf_counter() - start}))
