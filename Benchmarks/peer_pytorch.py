#!/usr/bin/env python3
"""PyTorch peer of EngineBenchmark: the same three autoencoders (forward + backward +
Adam), a CD-1 RBM step, a VAE step, a ladder step (Scripts/ladder_torch.py) and a VAT step, batch 256, same data, median samples/s of several runs.
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

def measure_step(step):
    """Median samples/s of `a.runs` timed runs of `a.steps` steps, after 5 warm-up steps."""
    for i in range(5):
        step(i)
    rates = []
    for _ in range(a.runs):
        t = time.perf_counter()
        for i in range(a.steps):
            step(i)
        rates.append(a.steps * B / (time.perf_counter() - t))
    return sorted(rates)[len(rates) // 2]

def measure(model):
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    loss_fn = nn.BCEWithLogitsLoss()
    def step(i):
        s = (i * B) % (len(X) - B)
        x = X[s:s + B]
        opt.zero_grad(set_to_none=True)
        loss_fn(model(x), x).backward()
        opt.step()
    return measure_step(step)

def rbm_step():
    # CD-1 as PyTorch RBM code writes it: no autograd, momentum SGD with a weight cost.
    W = torch.randn(784, 512) * 0.01
    b, c = torch.zeros(784), torch.zeros(512)
    vel = [torch.zeros_like(W), torch.zeros_like(b), torch.zeros_like(c)]
    def step(i):
        s = (i * B) % (len(X) - B)
        v0 = X[s:s + B]
        with torch.no_grad():
            p0 = torch.sigmoid(v0 @ W + c)
            h0 = torch.bernoulli(p0)
            v1 = torch.sigmoid(h0 @ W.t() + b)
            p1 = torch.sigmoid(v1 @ W + c)
            grads = [(v1.t() @ p1 - v0.t() @ p0) / B + 0.0002 * W, (v1 - v0).mean(0), (p1 - p0).mean(0)]
            for p, g, m in zip((W, b, c), grads, vel):
                m.mul_(0.9).add_(g)
                p.sub_(0.1 * m)
    return step

class VAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, 128))
        self.dec = nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 512), nn.ReLU(), nn.Linear(512, 784))
    def forward(self, x):
        mu, logvar = self.enc(x).chunk(2, dim=1)
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
        recon = nn.functional.binary_cross_entropy_with_logits(self.dec(z), x, reduction="sum") / len(x)
        kl = -0.5 * torch.sum(1 + logvar - mu * mu - logvar.exp()) / len(x)
        return recon + kl

def vae_step():
    model = VAE()
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    def step(i):
        s = (i * B) % (len(X) - B)
        opt.zero_grad(set_to_none=True)
        model(X[s:s + B]).backward()
        opt.step()
    return step

for widths in ([784, 512, 784], [784, 512, 256, 64, 256, 512, 784], [784, 1000, 500, 250, 30, 250, 500, 1000, 784]):
    print(f"pytorch {'-'.join(map(str, widths))} {measure(net(widths)):.0f} samples/s")
print(f"pytorch rbm-784-512-cd1 {measure_step(rbm_step()):.0f} samples/s")
print(f"pytorch vae-784-512-256-64 {measure_step(vae_step()):.0f} samples/s")


def ladder_step():
    """The paper's ladder 784-1000-500-250-250-250-10: the batch as unlabeled and as
    labeled rows, fresh Gaussian noise (0.3) on every layer of both corrupted passes, Adam."""
    import os, sys
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Scripts"))
    import ladder_torch as lt
    widths = [784, 1000, 500, 250, 250, 250, 10]
    lambdas = [1000, 10, 0.1, 0.1, 0.1, 0.1, 0.1]
    params = [p.requires_grad_() for p in lt.init_params(widths)]
    opt = torch.optim.Adam(params, 0.002)
    y = torch.arange(B) % 10
    def step(i):
        s = (i * B) % (len(X) - B)
        x = X[s:s + B]
        noise = [0.3 * torch.randn(B, w) for w in widths]
        labeled_noise = [0.3 * torch.randn(B, w) for w in widths]
        opt.zero_grad(set_to_none=True)
        lt.cost(params, widths, lambdas, x, noise, x, y, labeled_noise)[0].backward()
        opt.step()
    return step
print(f"pytorch ladder-784-1000-500-250-250-250-10 {measure_step(ladder_step()):.0f} samples/s")


def vat_step():
    """Virtual adversarial training (Miyato et al. 2018) on 784-1200-600-300-150-10 (ReLU):
    the batch as unlabeled rows (clean pass, one power iteration with xi 0.2, the perturbed
    pass with epsilon 2) beside its first 64 rows as labeled rows, one pass for both, Adam."""
    import torch.nn.functional as F
    model = net([784, 1200, 600, 300, 150, 10])
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    y = torch.arange(64) % 10
    def step(i):
        s = (i * B) % (len(X) - B)
        x = X[s:s + B]
        with torch.no_grad():
            p = torch.softmax(model(x), 1)
        r = (0.2 * F.normalize(torch.randn_like(x), dim=1)).requires_grad_()
        kl = F.kl_div(F.log_softmax(model(x + r), 1), p, reduction="batchmean")
        (g,) = torch.autograd.grad(kl, r)
        r_adv = 2 * F.normalize(g, dim=1)
        opt.zero_grad(set_to_none=True)
        logits = model(torch.cat([x[:64], x + r_adv]))
        loss = F.cross_entropy(logits[:64], y) + F.kl_div(F.log_softmax(logits[64:], 1), p, reduction="batchmean")
        loss.backward()
        opt.step()
    return step
print(f"pytorch vat-784-1200-600-300-150-10 {measure_step(vat_step()):.0f} samples/s")
