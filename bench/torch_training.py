# PyTorch counterpart of bench/training.ts: the same models, batch sizes and Adam steps, timed on the thread
# count given, for the same-run ratio. Prints one JSON object per measurement. Needs /usr/bin/python3 with torch.
import json
import math
import sys
import time

import torch


class SimpleConv(torch.nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(channels + 1, 64, 3, padding=1)
        self.conv2 = torch.nn.Conv2d(64, 64, 3, padding=1)
        self.conv3 = torch.nn.Conv2d(64, channels, 3, padding=1)

    def forward(self, x, t_over_T):
        time = t_over_T.view(-1, 1, 1, 1).expand(x.shape[0], 1, x.shape[2], x.shape[3])
        h = torch.relu(self.conv1(torch.cat([x, time], dim=1)))
        h = torch.relu(self.conv2(h))
        return self.conv3(h)


class Mlp(torch.nn.Module):
    def __init__(self, dim=2, hidden=128, layers=3, embedding=32):
        super().__init__()
        widths = [dim + embedding] + [hidden] * layers + [dim]
        self.layers = torch.nn.ModuleList(torch.nn.Linear(a, b) for a, b in zip(widths[:-1], widths[1:]))
        half = embedding // 2
        self.register_buffer('frequencies', torch.exp(-math.log(10000) * torch.arange(half) / half))

    def forward(self, x, t):
        args = t.view(-1, 1) * self.frequencies.view(1, -1)
        h = torch.cat([x, torch.cos(args), torch.sin(args)], dim=1)
        for i, layer in enumerate(self.layers):
            h = layer(h)
            if i < len(self.layers) - 1:
                h = torch.nn.functional.gelu(h, approximate='tanh')
        return h


# The full-length DDPM sampling run of simple-conv that bench/training.ts times as well.
SAMPLING_STEPS = 1000


def train_rate(model, shape, T, steps, image):
    """Steps per second of Algorithm 1 of Ho et al. 2020 with Adam, and CPU seconds per step."""
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-4)
    alpha_bar = torch.cumprod(1 - torch.linspace(1e-4, 0.06, T, dtype=torch.float64), 0).to(next(model.parameters()).dtype)
    x0 = torch.randn(shape, dtype=alpha_bar.dtype)

    def step():
        t = torch.randint(1, T + 1, (shape[0],))
        eps = torch.randn_like(x0)
        ab = alpha_bar[t - 1].view(-1, *([1] * (len(shape) - 1)))
        xt = ab.sqrt() * x0 + (1 - ab).sqrt() * eps
        out = model(xt, t.to(x0.dtype) / T if image else t.to(x0.dtype))
        loss = ((out - eps) ** 2).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    step()
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(steps):
        step()
    return steps / (time.perf_counter() - start), (time.process_time() - cpu) / steps


def sampling_rate(model, shape, T, image):
    """Steps per second of Algorithm 2 of Ho et al. 2020 (sigma_t^2 = beta_t) over T steps, and CPU seconds per step."""
    dtype = next(model.parameters()).dtype
    betas = torch.linspace(1e-4, 0.06, T, dtype=torch.float64)
    alphas = 1 - betas
    alpha_bar = torch.cumprod(alphas, 0)
    c1 = (1 / alphas.sqrt()).to(dtype)
    c2 = (betas / (1 - alpha_bar).sqrt()).to(dtype)
    sigma = betas.sqrt().to(dtype)
    start, cpu = time.perf_counter(), time.process_time()
    with torch.no_grad():
        x = torch.randn(shape, dtype=dtype)
        for t in range(T, 0, -1):
            ts = torch.full((shape[0],), t, dtype=dtype)
            eps = model(x, ts / T if image else ts)
            x = c1[t - 1] * (x - c2[t - 1] * eps)
            if t > 1:
                x = x + sigma[t - 1] * torch.randn_like(x)
    return T / (time.perf_counter() - start), (time.process_time() - cpu) / T


def report(benchmark, dtype, rate, cpu):
    print(json.dumps({'benchmark': benchmark, 'dtype': dtype, 'stepsPerSecond': rate, 'cpuSecondsPerStep': cpu}))


def main():
    threads = int(sys.argv[1])
    quick = len(sys.argv) > 2 and sys.argv[2] == '--quick'
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    for dtype in (torch.float64, torch.float32):
        name = 'float64' if dtype == torch.float64 else 'float32'
        for size, steps in ((32, 3 if quick else 10), (64, 2 if quick else 5)):
            rate, cpu = train_rate(SimpleConv(3).to(dtype), (8, 3, size, size), 100, steps, True)
            report(f'train simple-conv batch 8 3x{size}x{size}', name, rate, cpu)
        rate, cpu = train_rate(Mlp().to(dtype), (256, 2), 100, 20 if quick else 100, False)
        report('train mlp batch 256', name, rate, cpu)
        if dtype == torch.float32:
            steps = 20 if quick else SAMPLING_STEPS
            rate, cpu = sampling_rate(SimpleConv(3).to(dtype), (8, 3, 32, 32), steps, True)
            report(f'DDPM sampling simple-conv {steps} steps', name, rate, cpu)


if __name__ == '__main__':
    main()
