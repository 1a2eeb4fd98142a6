#!/usr/bin/python3
"""An independent NumPy implementation of diffspec's operations, served over the process protocol (docs/protocol.md).

float64 throughout; the conventions of diffspec's README ("Conventions"): timesteps t = 1..T, alpha-bar_0 = 1,
improved-diffusion's choices where published code differs, and the shared Philox4x32-10 + Box-Muller noise so the
loops agree with diffspec's reference element by element.

DIFFSPEC_NUMPY_BROKEN=alpha-bar-off-by-one makes q_sample read alpha-bar at t - 1: a deliberately broken variant
that diffspec's forward group must catch.

DIFFSPEC_NUMPY_PROFILE=diffusers follows diffusers' conventions instead (docs/conventions.md) and declares them:
timesteps 0..T-1 (the paper's t = k + 1), DDIM's eps^ from the unclipped x0^, DDIM's last step to alpha-bar_1, and
beta~_t clamped at 1e-20 with fixed_large beta_t at every step.
"""
import math
import os
import sys

import numpy as np

from protocol import InvalidInput, decode_tensor, encode_tensor, serve

BROKEN = os.environ.get("DIFFSPEC_NUMPY_BROKEN", "")
BROKEN_VARIANTS = ("", "alpha-bar-off-by-one")
if BROKEN not in BROKEN_VARIANTS:
    sys.exit(f"DIFFSPEC_NUMPY_BROKEN must be one of {BROKEN_VARIANTS[1:]}, got {BROKEN!r}")

PROFILE = os.environ.get("DIFFSPEC_NUMPY_PROFILE", "improved-diffusion")
PROFILES = ("improved-diffusion", "diffusers")
if PROFILE not in PROFILES:
    sys.exit(f"DIFFSPEC_NUMPY_PROFILE must be one of {PROFILES}, got {PROFILE!r}")
DIFFUSERS = PROFILE == "diffusers"
# The backend's index of the paper's t: k = t - SHIFT (diffusers counts 0..T-1, DDPMScheduler.set_timesteps)
SHIFT = 1 if DIFFUSERS else 0

# ---- noise: Philox4x32-10 (Salmon et al. 2011) + Box-Muller, README "Conventions" ----------------------------------
PHILOX_M = (0xD2511F53, 0xCD9E8D57)
PHILOX_W = (0x9E3779B9, 0xBB67AE85)
MASK32 = np.uint64(0xFFFFFFFF)


def philox4x32(c0, c1, c2, c3, k0, k1):
    """Ten rounds on uint64 arrays holding 32-bit words; the key is two Python ints."""
    for _ in range(10):
        p0 = np.uint64(PHILOX_M[0]) * c0
        p1 = np.uint64(PHILOX_M[1]) * c2
        high0, high1 = p0 >> np.uint64(32), p1 >> np.uint64(32)
        c0, c1, c2, c3 = high1 ^ c1 ^ np.uint64(k0), p1 & MASK32, high0 ^ c3 ^ np.uint64(k1), p0 & MASK32
        k0, k1 = (k0 + PHILOX_W[0]) & 0xFFFFFFFF, (k1 + PHILOX_W[1]) & 0xFFFFFFFF
    return c0, c1, c2, c3


def gaussian(shape, seed, stream):
    """Values 0..n-1 of (seed, stream): value 2b, 2b+1 from block counter [b mod 2^32, stream, b / 2^32, 0]."""
    n = int(np.prod(shape))
    blocks = np.arange((n + 1) // 2, dtype=np.uint64)
    zero = np.zeros_like(blocks)
    w0, w1, w2, w3 = philox4x32(blocks & MASK32, zero + np.uint64(stream), blocks >> np.uint64(32), zero,
                                seed & 0xFFFFFFFF, (seed >> 32) & 0xFFFFFFFF)
    u1 = ((w0 >> np.uint64(5)).astype(np.float64) * 2.0**26 + (w1 >> np.uint64(6)).astype(np.float64) + 1) / 2.0**53
    u2 = ((w2 >> np.uint64(5)).astype(np.float64) * 2.0**26 + (w3 >> np.uint64(6)).astype(np.float64)) / 2.0**53
    r = np.sqrt(-2 * np.log(u1))
    pairs = np.stack([r * np.cos(2 * np.pi * u2), r * np.sin(2 * np.pi * u2)], axis=1).reshape(-1)
    return pairs[:n].reshape(shape)


# ---- schedules --------------------------------------------------------------------------------------------------
def field_name(field, key):
    """field.key, or field[key] for a list index."""
    return f"{field}[{key}]" if isinstance(key, int) else f"{field}.{key}"


def number(o, key, field, default=None):
    """o[key] (default where absent) as a finite float, errors naming the field."""
    v = o.get(key, default)
    name = field_name(field, key)
    if not isinstance(v, (int, float)) or isinstance(v, bool) or not math.isfinite(v):
        raise InvalidInput(name, f"must be a finite number, got {v!r}")
    return float(v)


def beta(o, key, field, default=None):
    b = number(o, key, field, default)
    if not 0 < b < 1:
        raise InvalidInput(field_name(field, key), f"must lie in (0, 1), got {b}")
    return b


# Each kind's fields (diffspec's src/schedule/spec.ts); "explicit" is the default kind of a description with betas
SCHEDULE_FIELDS = {"linear": ("kind", "T", "betaStart", "betaEnd"), "quadratic": ("kind", "T", "betaStart", "betaEnd"),
                   "cosine": ("kind", "T", "s", "maxBeta"),
                   "sigmoid": ("kind", "T", "betaStart", "betaEnd", "sigmoidStart", "sigmoidEnd"),
                   "explicit": ("kind", "betas")}
SMALLEST_NORMAL = 2.0**-1022


def schedule_betas(spec):
    if not isinstance(spec, dict):
        raise InvalidInput("schedule", "must be an object")
    # the kind first: it says which fields the description may and must have
    kind = spec.get("kind", "explicit" if "betas" in spec else None)
    if not isinstance(kind, str) or kind not in SCHEDULE_FIELDS:
        kinds = ", ".join(SCHEDULE_FIELDS)
        raise InvalidInput("schedule.kind", f"must be one of {kinds} (or give betas), got {kind!r}")
    for key in spec:
        if key not in SCHEDULE_FIELDS[kind]:
            raise InvalidInput(f"schedule.{key}", f"is not a field of a {kind} schedule ({SCHEDULE_FIELDS[kind]})")
    if kind == "explicit":
        if not isinstance(spec["betas"], list) or not spec["betas"]:
            raise InvalidInput("schedule.betas", "must be a non-empty list of numbers")
        return np.array([beta(dict(enumerate(spec["betas"])), i, "schedule.betas") for i in range(len(spec["betas"]))])
    T = spec.get("T")
    if not isinstance(T, int) or isinstance(T, bool) or T < 1:
        raise InvalidInput("schedule.T", f"must be an integer >= 1, got {T!r}")
    if kind == "cosine":
        s, max_beta = number(spec, "s", "schedule", 0.008), beta(spec, "maxBeta", "schedule", 0.999)
        if s < 0:
            raise InvalidInput("schedule.s", f"must be >= 0, got {s}")
        theta = (np.arange(T + 1) / T + s) / (1 + s) * (np.pi / 2)
        # 1 - cos^2(b)/cos^2(a) = sin(a + b) sin(b - a) / cos^2(a): no cancellation for small betas
        step = np.sin((np.pi / 2) / (T * (1 + s)))
        return np.minimum(np.sin(theta[1:] + theta[:-1]) * step / np.cos(theta[:-1]) ** 2, max_beta)
    b0, b1 = beta(spec, "betaStart", "schedule"), beta(spec, "betaEnd", "schedule")
    if kind == "linear":
        return np.linspace(b0, b1, T)
    if kind == "quadratic":
        return np.linspace(math.sqrt(b0), math.sqrt(b1), T) ** 2
    x = np.linspace(number(spec, "sigmoidStart", "schedule", -6), number(spec, "sigmoidEnd", "schedule", 6), T)
    return 1 / (1 + np.exp(-x)) * (b1 - b0) + b0  # sigmoid


class Tables:
    """Every table indexed by the paper's t = 0..T (entry 0: x_0 is data, alpha-bar_0 = 1)."""

    def __init__(self, spec):
        b = schedule_betas(spec)
        self.T = b.size
        self.betas = np.concatenate([[0.0], b])
        self.alphas = 1 - self.betas
        self.alpha_bar = np.cumprod(self.alphas)
        # Below the normal range alpha-bar loses relative precision, and at 0 the x0^ and eps^ formulas divide by 0
        if not self.alpha_bar[-1] >= SMALLEST_NORMAL:
            raise InvalidInput("schedule", f"alpha-bar_T = {self.alpha_bar[-1]} is below 2^-1022, the smallest normal "
                                           "float64: use fewer steps or smaller betas")
        # log alpha-bar_t = sum_{s <= t} log1p(-beta_s): log(alpha-bar) would keep alpha-bar's absolute error, which
        # is large relative to log alpha-bar when the betas are small
        self.log_alpha_bar = np.cumsum(np.log1p(-self.betas))
        self.one_minus_alpha_bar = -np.expm1(self.log_alpha_bar)  # no cancellation at small t
        prev = self.one_minus_alpha_bar[:-1]
        with np.errstate(divide="ignore", invalid="ignore"):
            self.posterior_variance = np.concatenate([[0.0], prev / self.one_minus_alpha_bar[1:] * b])
            self.mean_x0 = np.concatenate([[0.0], np.sqrt(self.alpha_bar[:-1]) * b / self.one_minus_alpha_bar[1:]])
            self.mean_xt = np.concatenate([[0.0], np.sqrt(self.alphas[1:]) * prev / self.one_minus_alpha_bar[1:]])
        first = self.posterior_variance[2] if self.T >= 2 else self.betas[1]  # improved-diffusion: t = 1 takes t = 2
        self.log_variance_clipped = np.log(np.concatenate([[first], [first], self.posterior_variance[2:]]))

    def one_minus_ratio(self, t_from, t_to):
        """1 - alpha-bar_to / alpha-bar_from = -expm1(sum_{s=from+1..to} log1p(-beta_s))."""
        return -np.expm1(np.sum(np.log1p(-self.betas[t_from + 1:t_to + 1])))


def schedule(params, _model):
    s = Tables(params.get("schedule"))
    return {"betas": s.betas[1:].tolist(), "alphas": s.alphas[1:].tolist(), "alphaBar": s.alpha_bar[1:].tolist(),
            "logAlphaBar": s.log_alpha_bar[1:].tolist(),
            "oneMinusAlphaBar": s.one_minus_alpha_bar[1:].tolist(),
            "posteriorVariance": s.posterior_variance[1:].tolist(),
            "posteriorLogVarianceClipped": s.log_variance_clipped[1:].tolist()}


# ---- arguments --------------------------------------------------------------------------------------------------
class Args:
    """An operation's params, read field by field with errors naming the field."""

    def __init__(self, params, options=()):
        self.inputs = params.get("inputs") or {}
        self.options = params.get("options") or {}
        for key in self.options:
            if key not in options:
                raise InvalidInput(f"options.{key}", f"is not an option here (options: {', '.join(options) or 'none'})")
        self.schedule = Tables(params["schedule"]) if "schedule" in params else None

    def tensor(self, name, like=None, like_name=None):
        if name not in self.inputs:
            raise InvalidInput(name, "is required")
        x = decode_tensor(self.inputs[name], name)
        if not np.all(np.isfinite(x)):
            raise InvalidInput(name, "must hold finite values")
        if like is not None and x.shape != like.shape:
            raise InvalidInput(name, f"has shape {list(x.shape)} but {like_name} has {list(like.shape)}")
        return x

    def timesteps(self, name, batch, low=1):
        """The paper's t of the timesteps given in the profile's indexing."""
        t = self.inputs.get(name)
        if not isinstance(t, list) or len(t) != batch:
            raise InvalidInput(name, f"must list one timestep per batch element ({batch}), got {t!r}")
        lo, hi = low - SHIFT, self.schedule.T - SHIFT
        for i, v in enumerate(t):
            if not isinstance(v, int) or not lo <= v <= hi:
                raise InvalidInput(f"{name}[{i}]", f"must be an integer in {lo}..{hi}, got {v!r}")
        return np.asarray(t) + SHIFT

    def option(self, name, allowed, default):
        v = self.options.get(name, default)
        if v not in allowed:
            raise InvalidInput(f"options.{name}", f"must be one of {allowed}, got {v!r}")
        return v

    def integer(self, name, default=None, below=None):
        v = self.options.get(name, default)
        if not isinstance(v, int) or isinstance(v, bool) or v < 0 or (below is not None and v >= below):
            limit = f"in 0..{below - 1}" if below is not None else ">= 0"
            raise InvalidInput(name, f"must be an integer {limit}, got {v!r}")
        return v

    def seed(self):
        """Seeds are integers 0..2^53 - 1 (README Conventions): the Philox key [seed mod 2^32, seed / 2^32]."""
        return self.integer("seed", below=2**53)


def per_batch(values, x):
    """Per-batch coefficients shaped to broadcast over x's other dimensions."""
    return np.asarray(values, dtype=np.float64).reshape((-1,) + (1,) * (x.ndim - 1))


REVERSE_OPTIONS = ("prediction", "variance", "clip")


class Prediction:
    """x0^, eps^, the posterior mean and the variance from a model output (improved-diffusion p_mean_variance)."""

    def __init__(self, s, xt, t, output, a):
        self.prediction = a.option("prediction", ["eps", "x0", "v"], "eps")
        self.variance = a.option("variance", ["fixed_small", "fixed_large", "learned_range"], "fixed_small")
        self.clip = a.option("clip", [False, True], False)
        channels = xt.shape[1] if xt.ndim > 1 else 1
        expected = list(xt.shape)
        if self.variance == "learned_range":
            expected[1] = 2 * channels
        if list(output.shape) != expected:
            raise InvalidInput("modelOutput", f"has shape {list(output.shape)}, expected {expected} ({self.variance})")
        raw, v = (output[:, :channels], output[:, channels:]) if self.variance == "learned_range" else (output, None)
        ab, one_minus = per_batch(s.alpha_bar[t], xt), per_batch(s.one_minus_alpha_bar[t], xt)
        if self.prediction == "eps":
            x0 = xt / np.sqrt(ab) - np.sqrt(one_minus / ab) * raw  # Ho et al. 2020, eq. 4 solved for x_0
        elif self.prediction == "v":
            x0 = np.sqrt(ab) * xt - np.sqrt(one_minus) * raw  # Salimans & Ho 2022, sec. 4
        else:
            x0 = raw
        self.x0 = np.clip(x0, -1, 1) if self.clip else x0
        # eps recomputed from the (clipped) x0^ (improved-diffusion _predict_eps_from_xstart), or the model's own; under
        # diffusers from the unclipped x0^ (DDIMScheduler.step with use_clipped_model_output=False)
        from_unclipped = not self.clip or DIFFUSERS
        own_eps = self.prediction == "eps" and from_unclipped
        self.eps = raw if own_eps else (xt - np.sqrt(ab) * (x0 if from_unclipped else self.x0)) / np.sqrt(one_minus)
        # beta~_t: diffusers clamps it at 1e-20 (DDPMScheduler._get_variance), improved-diffusion's log takes t = 2's
        small = np.maximum(s.posterior_variance[t], 1e-20) if DIFFUSERS else s.posterior_variance[t]
        log_small = np.log(small) if DIFFUSERS else s.log_variance_clipped[t]
        self.mean = per_batch(s.mean_x0[t], xt) * self.x0 + per_batch(s.mean_xt[t], xt) * xt
        if self.variance == "learned_range":
            frac = (v + 1) / 2  # Nichol & Dhariwal 2021, eq. 15
            self.log_variance = frac * per_batch(np.log(s.betas[t]), xt) + (1 - frac) * per_batch(log_small, xt)
        else:
            if self.variance == "fixed_large":  # beta_t, with beta~_2 at t = 1 (improved-diffusion; not diffusers)
                first = s.posterior_variance[min(2, s.T)] if s.T >= 2 and not DIFFUSERS else s.betas[1]
                values = np.log(np.where(t == 1, first, s.betas[t]))
            else:
                values = log_small
            self.log_variance = np.broadcast_to(per_batch(values, xt), xt.shape).copy()
        self.var = np.exp(self.log_variance)
        if self.variance == "fixed_small":
            self.var = np.broadcast_to(per_batch(small, xt), xt.shape).copy()


def reverse_args(params, extra=()):
    a = Args(params, REVERSE_OPTIONS + tuple(extra))
    xt = a.tensor("xt")
    t = a.timesteps("t", xt.shape[0])
    output = a.tensor("modelOutput")
    return a, xt, t, output


def ancestral(p, t, noise):
    """x_{t-1} = mean + [t > 1] sigma_t z (Ho et al. 2020, Algorithm 2)."""
    return p.mean + per_batch(t > 1, noise) * np.exp(0.5 * p.log_variance) * noise


def ddim(s, p, t, t_prev, eta, noise):
    """x_{t'} = sqrt(ab') x0^ + sqrt(1 - ab' - sigma^2) eps^ + sigma z (Song et al. 2021, eqs. 12 and 16)."""
    if DIFFUSERS:  # the last step goes to alpha-bar_1 (DDIMScheduler with set_alpha_to_one=False)
        t_prev = np.maximum(t_prev, 1)
    ab_prev, one_minus_prev = s.alpha_bar[t_prev], s.one_minus_alpha_bar[t_prev]
    ratio = np.array([s.one_minus_ratio(tp, ti) for ti, tp in zip(t, t_prev)])
    sigma = eta * np.sqrt(one_minus_prev / s.one_minus_alpha_bar[t]) * np.sqrt(ratio)
    # 1 - ab' - sigma^2 = (1 - ab') ((1 - r) + (1 - eta^2) r) with r = ratio / (1 - ab) and
    # 1 - r = ab (1 - ab') / (ab' (1 - ab)): non-negative terms for eta in [0, 1], where the plain difference cancels
    # as sigma^2 nears 1 - ab' (eta = 1, t' << t)
    r = ratio / s.one_minus_alpha_bar[t]
    one_minus_r = s.alpha_bar[t] * one_minus_prev / (ab_prev * s.one_minus_alpha_bar[t])
    direction = np.sqrt(one_minus_prev * (one_minus_r + (1 - eta * eta) * r))
    x = per_batch(np.sqrt(ab_prev), p.x0) * p.x0 + per_batch(direction, p.x0) * p.eps
    if np.any(sigma > 0):
        if noise is None:
            raise InvalidInput("noise", "is required when eta > 0")
        x = x + per_batch(sigma, x) * noise
    return x


def eta_of(a):
    eta = a.options.get("eta", 0)
    # eta > 1 makes 1 - ab' - sigma^2 negative at some steps (no real eps coefficient): rejected, not clamped
    if not isinstance(eta, (int, float)) or isinstance(eta, bool) or not 0 <= eta <= 1:
        raise InvalidInput("options.eta", f"must be a number in [0, 1], got {eta!r}")
    return float(eta)


# ---- operations -------------------------------------------------------------------------------------------------
def q_sample(params, _model):
    a = Args(params)
    x0 = a.tensor("x0")
    noise, t = a.tensor("noise", x0, "x0"), a.timesteps("t", x0.shape[0])
    s = a.schedule
    level = t - 1 if BROKEN == "alpha-bar-off-by-one" else t
    signal, spread = per_batch(np.sqrt(s.alpha_bar[level]), x0), per_batch(np.sqrt(s.one_minus_alpha_bar[level]), x0)
    return {"xt": encode_tensor(signal * x0 + spread * noise)}


def forward_step(params, _model):
    a = Args(params)
    x = a.tensor("xPrev")
    noise, t = a.tensor("noise", x, "xPrev"), a.timesteps("t", x.shape[0])
    b = a.schedule.betas[t]
    return {"xt": encode_tensor(per_batch(np.sqrt(1 - b), x) * x + per_batch(np.sqrt(b), x) * noise)}


def forward_chain(params, _model):
    a = Args(params, ("t", "seed", "recordAt"))
    x = a.tensor("x0")
    steps, seed = a.integer("t"), a.seed()
    record = a.options.get("recordAt", [])
    if steps > a.schedule.T:
        raise InvalidInput("t", f"must be in 0..{a.schedule.T}, got {steps}")
    recorded = [{"t": 0, "x": encode_tensor(x)}] if 0 in record else []
    for step in range(1, steps + 1):
        b = a.schedule.betas[step]
        x = math.sqrt(1 - b) * x + math.sqrt(b) * gaussian(x.shape, seed, step)
        if step in record:
            recorded.append({"t": step, "x": encode_tensor(x)})
    return {"xt": encode_tensor(x), "recorded": recorded}


def q_posterior(params, _model):
    a = Args(params)
    x0 = a.tensor("x0")
    xt, t = a.tensor("xt", x0, "x0"), a.timesteps("t", x0.shape[0])
    s = a.schedule
    fill = lambda table: encode_tensor(np.broadcast_to(per_batch(table[t], x0), x0.shape))  # noqa: E731
    return {"mean": encode_tensor(per_batch(s.mean_x0[t], x0) * x0 + per_batch(s.mean_xt[t], x0) * xt),
            "variance": fill(s.posterior_variance), "logVarianceClipped": fill(s.log_variance_clipped)}


def p_mean_variance(params, _model):
    a, xt, t, output = reverse_args(params)
    p = Prediction(a.schedule, xt, t, output, a)
    return {"mean": encode_tensor(p.mean), "variance": encode_tensor(p.var),
            "logVariance": encode_tensor(p.log_variance),
            "predX0": encode_tensor(p.x0)}


def ddpm_step(params, _model):
    a, xt, t, output = reverse_args(params)
    noise = a.tensor("noise", xt, "xt")
    p = Prediction(a.schedule, xt, t, output, a)
    return {"prev": encode_tensor(ancestral(p, t, noise)), "predX0": encode_tensor(p.x0)}


def ddim_step(params, _model):
    a, xt, t, output = reverse_args(params, ("eta",))
    t_prev = a.timesteps("tPrev", xt.shape[0], low=0)
    for i, (tp, ti) in enumerate(zip(t_prev, t)):
        if tp >= ti:
            raise InvalidInput(f"tPrev[{i}]", f"must be below t[{i}] = {ti - SHIFT}, got {tp - SHIFT}")
    noise = a.tensor("noise", xt, "xt") if "noise" in a.inputs else None
    p = Prediction(a.schedule, xt, t, output, a)
    return {"prev": encode_tensor(ddim(a.schedule, p, t, t_prev, eta_of(a), noise)), "predX0": encode_tensor(p.x0)}


def ddim_reverse_step(params, _model):
    a, xt, t, output = reverse_args(params, ("eta",))
    if eta_of(a) != 0:
        raise InvalidInput("options.eta", "must be 0: only deterministic DDIM can be inverted")
    t_next = a.timesteps("tNext", xt.shape[0])
    for i, (tn, ti) in enumerate(zip(t_next, t)):
        if tn <= ti:
            raise InvalidInput(f"tNext[{i}]", f"must be above t[{i}] = {ti - SHIFT}, got {tn - SHIFT}")
    p = Prediction(a.schedule, xt, t, output, a)
    s = a.schedule
    signal, spread = per_batch(np.sqrt(s.alpha_bar[t_next]), xt), per_batch(np.sqrt(s.one_minus_alpha_bar[t_next]), xt)
    return {"next": encode_tensor(signal * p.x0 + spread * p.eps)}


def sampling_args(params, extra=()):
    a = Args(params, REVERSE_OPTIONS + ("shape", "seed") + tuple(extra))
    shape = a.options.get("shape")
    if not isinstance(shape, list) or not shape or not all(isinstance(d, int) and d > 0 for d in shape):
        raise InvalidInput("shape", f"must be a list of positive integers, got {shape!r}")
    return a, tuple(shape), a.seed()


def call_model(model, x, step, a):
    output = model(x, [step - SHIFT] * x.shape[0])
    if not np.all(np.isfinite(output)):
        raise InvalidInput("model output", "must hold finite values")
    return output


def sample_ddpm(params, model):
    a, shape, seed = sampling_args(params)
    s = a.schedule
    x = gaussian(shape, seed, 0)
    for step in range(s.T, 0, -1):
        t = np.full(shape[0], step)
        p = Prediction(s, x, t, call_model(model, x, step, a), a)
        x = ancestral(p, t, gaussian(shape, seed, step) if step > 1 else np.zeros(shape))
    return {"x0": encode_tensor(x)}


def sample_ddim(params, model):
    a, shape, seed = sampling_args(params, ("eta",))
    s = a.schedule
    given = a.inputs.get("timesteps")
    if not isinstance(given, list) or not given:
        raise InvalidInput("timesteps", "must be a non-empty list")
    for i, v in enumerate(given):
        if not isinstance(v, int) or not 1 - SHIFT <= v <= s.T - SHIFT or (i > 0 and v >= given[i - 1]):
            raise InvalidInput(f"timesteps[{i}]",
                               f"must be an integer in {1 - SHIFT}..{s.T - SHIFT}, strictly descending, got {v!r}")
    steps = [v + SHIFT for v in given]
    eta = eta_of(a)
    x = gaussian(shape, seed, 0)
    for i, step in enumerate(steps):
        t = np.full(shape[0], step)
        t_prev = np.full(shape[0], steps[i + 1] if i + 1 < len(steps) else 0)
        p = Prediction(s, x, t, call_model(model, x, step, a), a)
        x = ddim(s, p, t, t_prev, eta, gaussian(shape, seed, step) if eta > 0 else None)
    return {"x0": encode_tensor(x)}


def loss_simple(params, _model):
    a = Args(params)
    x0 = a.tensor("x0")
    noise, output = a.tensor("noise", x0, "x0"), a.tensor("modelOutput", x0, "x0")
    a.timesteps("t", x0.shape[0])
    per_sample = np.mean((noise - output).reshape(x0.shape[0], -1) ** 2, axis=1)  # Ho et al. 2020, eq. 14
    return {"perSample": encode_tensor(per_sample), "loss": float(np.mean(per_sample))}


def timestep_embedding(params, _model):
    a = Args(params, ("dim", "maxPeriod"))
    t = a.inputs.get("t")
    if not isinstance(t, list) or not t or not all(isinstance(v, (int, float)) and math.isfinite(v) for v in t):
        raise InvalidInput("t", f"must be a non-empty list of finite numbers, got {t!r}")
    dim, max_period = a.options.get("dim"), a.options.get("maxPeriod", 10000)
    if not isinstance(dim, int) or dim < 1:
        raise InvalidInput("dim", f"must be an integer >= 1, got {dim!r}")
    if not isinstance(max_period, (int, float)) or not max_period > 0:
        raise InvalidInput("maxPeriod", f"must be a number > 0, got {max_period!r}")
    half = dim // 2
    frequencies = np.exp(-math.log(max_period) * np.arange(half) / half)  # Vaswani et al. 2017, sec. 3.5
    angles = np.asarray(t, dtype=np.float64)[:, None] * frequencies[None, :]
    embedding = np.concatenate([np.cos(angles), np.sin(angles), np.zeros((len(t), dim % 2))], axis=1)
    return {"embedding": encode_tensor(embedding)}


def random_normal(params, _model):
    a = Args(params, ("shape", "seed", "stream"))
    shape = a.options.get("shape")
    if not isinstance(shape, list) or not shape or not all(isinstance(d, int) and d > 0 for d in shape):
        raise InvalidInput("shape", f"must be a list of positive integers, got {shape!r}")
    return {"noise": encode_tensor(gaussian(tuple(shape), a.seed(), a.integer("stream")))}


OPERATIONS = {f.__name__: f for f in (schedule, q_sample, forward_step, forward_chain, q_posterior, p_mean_variance,
                                      ddpm_step, ddim_step, ddim_reverse_step, sample_ddpm, sample_ddim, loss_simple,
                                      timestep_embedding, random_normal)}

if __name__ == "__main__":
    serve(OPERATIONS, {
        "protocolVersion": 1,
        "name": "numpy" + ("-diffusers" if DIFFUSERS else "") + (f"-broken-{BROKEN}" if BROKEN else ""),
        "precision": "float64",
        "capabilities": ["schedule", "forward", "reverse", "sampling", "loss", "embedding", "random"],
        "metadata": {"numpy": np.__version__, "python": sys.version.split()[0]},
        "profile": PROFILE,
    })
