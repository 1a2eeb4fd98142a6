#!/usr/bin/python3
"""diffspec's training operations in PyTorch, served over the process protocol, version 2 (docs/protocol.md).

The networks simple-conv (the seed's SimpleDenoiseModel) and mlp of src/models, in float64 torch; L_simple and its
gradients by torch autograd; one Adam step by torch.optim.Adam; timesteps by torch.randint. Every other operation
(schedules, the forward and reverse processes, sampling loops, L_simple on given outputs, the embedding and the
shared noise) is the NumPy adapter's (examples/python-numpy), imported rather than written twice.

Deliberately broken variants that diffspec's training group must catch, by DIFFSPEC_TORCH_BROKEN:
  adam-no-bias-correction   torch.optim.Adam replaced by an update without the bias corrections 1 / (1 - beta^k);
  gradient-of-sum           the gradients of the batch's summed loss, N times those of L_simple (its batch mean).
"""
import importlib.util
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

NUMPY_ADAPTER = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "python-numpy")
sys.path.append(NUMPY_ADAPTER)
from protocol import InvalidInput, decode_tensor, encode_tensor, serve  # noqa: E402

_spec = importlib.util.spec_from_file_location("numpy_backend", os.path.join(NUMPY_ADAPTER, "backend.py"))
numpy_backend = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(numpy_backend)

torch.set_default_dtype(torch.float64)

BROKEN = os.environ.get("DIFFSPEC_TORCH_BROKEN", "")
BROKEN_VARIANTS = ("", "adam-no-bias-correction", "gradient-of-sum")
if BROKEN not in BROKEN_VARIANTS:
    sys.exit(f"DIFFSPEC_TORCH_BROKEN must be one of {BROKEN_VARIANTS[1:]}, got {BROKEN!r}")

CONV_HIDDEN, KERNEL, MAX_PERIOD = 64, 3, 10000


# ---- model specs and weights (src/models: simple-conv.ts, mlp.ts; docs/weights-format.md) ------------------------
def positive(model, key):
    v = model.get(key)
    if not isinstance(v, int) or isinstance(v, bool) or v < 1:
        raise InvalidInput(f"model.{key}", f"must be an integer >= 1, got {v!r}")
    return v


def parameter_shapes(model):
    """The parameters of a model spec, name -> shape, and the shape of one item."""
    if not isinstance(model, dict):
        raise InvalidInput("model", "must be a model spec object")
    architecture = model.get("architecture")
    if architecture == "simple-conv":
        c, h, w = positive(model, "channels"), positive(model, "height"), positive(model, "width")
        layers = [("conv1", c + 1, CONV_HIDDEN), ("conv2", CONV_HIDDEN, CONV_HIDDEN), ("conv3", CONV_HIDDEN, c)]
        shapes = {}
        for name, cin, cout in layers:
            shapes[f"{name}.weight"], shapes[f"{name}.bias"] = [cout, cin, KERNEL, KERNEL], [cout]
        return shapes, [c, h, w]
    if architecture == "mlp":
        dim, hidden, depth = positive(model, "dim"), positive(model, "hidden"), positive(model, "layers")
        widths = [dim + positive(model, "embeddingDim"), *([hidden] * depth), dim]
        if model.get("activation") not in ("relu", "gelu"):
            raise InvalidInput("model.activation", f"must be relu or gelu, got {model.get('activation')!r}")
        shapes = {}
        for i in range(len(widths) - 1):
            shapes[f"layers.{i}.weight"], shapes[f"layers.{i}.bias"] = [widths[i + 1], widths[i]], [widths[i + 1]]
        return shapes, [dim]
    raise InvalidInput("model.architecture", f"this adapter has simple-conv and mlp, got {architecture!r}")


def read_weights(inputs, model, requires_grad):
    shapes, item = parameter_shapes(model)
    given = inputs.get("weights")
    if not isinstance(given, dict):
        raise InvalidInput("weights", "must be an object of tensors by parameter name")
    for name in given:
        if name not in shapes:
            raise InvalidInput(f"weights.{name}", f"is not a parameter of this {model['architecture']} model")
    weights = {}
    for name, shape in shapes.items():
        if name not in given:
            raise InvalidInput(f"weights.{name}", "is required")
        w = decode_tensor(given[name], f"weights.{name}")
        if list(w.shape) != shape:
            raise InvalidInput(f"weights.{name}.shape", f"is {list(w.shape)}, this model needs {shape}")
        weights[name] = torch.tensor(w, requires_grad=requires_grad)
    return weights, item


def read_items(inputs, name, item):
    x = decode_tensor(inputs.get(name), name) if name in inputs else None
    if x is None:
        raise InvalidInput(name, "is required")
    if x.ndim < 1 or list(x.shape[1:]) != item:
        raise InvalidInput(f"{name}.shape", f"is {list(x.shape)}, this model takes [N, {', '.join(map(str, item))}]")
    return x


def read_timesteps(inputs, n, T):
    t = inputs.get("t")
    if not isinstance(t, list) or len(t) != n:
        raise InvalidInput("t", f"must list one timestep per batch element ({n}), got {t!r}")
    for i, v in enumerate(t):
        if not isinstance(v, int) or not 1 <= v <= T:
            raise InvalidInput(f"t[{i}]", f"must be an integer in 1..{T}, got {v!r}")
    return torch.tensor(t, dtype=torch.float64)


def no_labels(inputs, model):
    if "labels" in inputs:
        raise InvalidInput("labels", f"are given, but this {model['architecture']} model is not class-conditional")


# ---- the networks ------------------------------------------------------------------------------------------------
def timestep_embedding(t, dim):
    """[cos(t f) | sin(t f)] (+ a zero column for odd dim), f_j = exp(-ln(10000) j / floor(dim / 2))."""
    half = dim // 2
    frequencies = torch.exp(-math.log(MAX_PERIOD) * torch.arange(half, dtype=torch.float64) / half)
    angles = t[:, None] * frequencies[None, :]
    return torch.cat([torch.cos(angles), torch.sin(angles), torch.zeros(len(t), dim % 2)], dim=1)


def forward(model, w, x, t, T):
    """eps_theta(x, t) of src/models: simple-conv sees t / T as an extra channel, mlp a sinusoidal embedding of t."""
    if model["architecture"] == "simple-conv":
        n, _, height, width = x.shape
        h = torch.cat([x, (t / T).reshape(n, 1, 1, 1).expand(n, 1, height, width)], dim=1)
        h = F.relu(F.conv2d(h, w["conv1.weight"], w["conv1.bias"], padding=1))
        h = F.relu(F.conv2d(h, w["conv2.weight"], w["conv2.bias"], padding=1))
        return F.conv2d(h, w["conv3.weight"], w["conv3.bias"], padding=1)
    h = torch.cat([x, timestep_embedding(t, model["embeddingDim"])], dim=1)
    for i in range(model["layers"] + 1):
        h = F.linear(h, w[f"layers.{i}.weight"], w[f"layers.{i}.bias"])
        if i < model["layers"]:
            h = F.relu(h) if model["activation"] == "relu" else F.gelu(h, approximate="tanh")
    return h


# ---- the training operations -------------------------------------------------------------------------------------
def predict(params, _model):
    a = numpy_backend.Args(params, ("model", "T"))
    model, T = a.options.get("model"), a.options.get("T")
    if not isinstance(T, int) or T < 1:
        raise InvalidInput("T", f"must be an integer >= 1, got {T!r}")
    weights, item = read_weights(a.inputs, model, False)
    no_labels(a.inputs, model)
    x = read_items(a.inputs, "x", item)
    with torch.no_grad():
        out = forward(model, weights, torch.from_numpy(x), read_timesteps(a.inputs, x.shape[0], T), T)
    return {"modelOutput": encode_tensor(out.numpy())}


def loss_and_gradients(params, _model):
    """L_simple = mean_n mean_i (eps - eps_theta(sqrt(ab_t) x0 + sqrt(1 - ab_t) eps, t))^2 (Ho et al. 2020, eq. 14)."""
    a = numpy_backend.Args(params, ("model",))
    if a.schedule is None:
        raise InvalidInput("schedule", "is required")
    model = a.options.get("model")
    weights, item = read_weights(a.inputs, model, True)
    no_labels(a.inputs, model)
    x0 = read_items(a.inputs, "x0", item)
    noise = a.tensor("noise", x0, "x0")
    n, s = x0.shape[0], a.schedule
    t = read_timesteps(a.inputs, n, s.T)
    steps = t.long().numpy()
    shape = (n,) + (1,) * (x0.ndim - 1)
    signal = torch.from_numpy(np.sqrt(s.alpha_bar[steps])).reshape(shape)
    spread = torch.from_numpy(np.sqrt(s.one_minus_alpha_bar[steps])).reshape(shape)
    x0_t, noise_t = torch.from_numpy(x0), torch.from_numpy(noise)
    out = forward(model, weights, signal * x0_t + spread * noise_t, t, s.T)
    per_sample = ((noise_t - out) ** 2).reshape(n, -1).mean(dim=1)
    loss = per_sample.mean()
    (per_sample.sum() if BROKEN == "gradient-of-sum" else loss).backward()
    return {"loss": loss.item(), "perSample": encode_tensor(per_sample.detach().numpy()),
            "gradients": {name: encode_tensor(w.grad.numpy()) for name, w in weights.items()}}


def adam_step(params, _model):
    """One step of torch.optim.Adam from the given moments m, v at step k (Kingma & Ba 2015, Algorithm 1)."""
    a = numpy_backend.Args(params, ("step", "hyper"))
    param = a.tensor("param")
    grad, m, v = a.tensor("grad", param, "param"), a.tensor("m", param, "param"), a.tensor("v", param, "param")
    step, hyper = a.options.get("step"), a.options.get("hyper")
    if not isinstance(step, int) or step < 1:
        raise InvalidInput("step", f"must be an integer >= 1, got {step!r}")
    if not isinstance(hyper, dict):
        raise InvalidInput("hyper", "must be an object {learningRate, beta1, beta2, epsilon}")
    keys = ("learningRate", "beta1", "beta2", "epsilon")
    lr, b1, b2, eps = (numpy_backend.number(hyper, key, "hyper") for key in keys)
    if BROKEN == "adam-no-bias-correction":
        m, v = b1 * m + (1 - b1) * grad, b2 * v + (1 - b2) * grad * grad
        param = param - lr * m / (np.sqrt(v) + eps)
        return {"param": encode_tensor(param), "m": encode_tensor(m), "v": encode_tensor(v)}
    p = torch.nn.Parameter(torch.tensor(param))
    p.grad = torch.tensor(grad)
    optimizer = torch.optim.Adam([p], lr=lr, betas=(b1, b2), eps=eps, foreach=False)
    state = {"step": torch.tensor(float(step - 1)), "exp_avg": torch.tensor(m), "exp_avg_sq": torch.tensor(v)}
    optimizer.state[p] = state
    optimizer.step()
    return {"param": encode_tensor(p.detach().numpy()), "m": encode_tensor(state["exp_avg"].numpy()),
            "v": encode_tensor(state["exp_avg_sq"].numpy())}


def sample_timesteps(params, _model):
    """t ~ Uniform{1..T} by torch.randint, on a torch.Generator seeded from (seed, stream) by NumPy's SeedSequence."""
    a = numpy_backend.Args(params, ("n", "T", "seed", "stream"))
    n, T = a.options.get("n"), a.options.get("T")
    for name, v in (("n", n), ("T", T)):
        if not isinstance(v, int) or v < 1:
            raise InvalidInput(name, f"must be an integer >= 1, got {v!r}")
    key = np.random.SeedSequence([a.seed(), a.integer("stream")]).generate_state(1, np.uint64)[0]
    generator = torch.Generator().manual_seed(int(key))
    return {"t": torch.randint(1, T + 1, (n,), generator=generator).tolist()}


OPERATIONS = {**numpy_backend.OPERATIONS,
              **{f.__name__: f for f in (predict, loss_and_gradients, adam_step, sample_timesteps)}}

if __name__ == "__main__":
    serve(OPERATIONS, {
        "protocolVersion": 2,
        "name": "torch" + (f"-broken-{BROKEN}" if BROKEN else ""),
        "precision": "float64",
        "capabilities": ["schedule", "forward", "reverse", "sampling", "loss", "embedding", "random", "training"],
        "metadata": {"torch": torch.__version__, "numpy": np.__version__, "python": sys.version.split()[0]},
        "profile": "improved-diffusion",
    })
