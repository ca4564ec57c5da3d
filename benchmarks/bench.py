"""Benchmark `activations` against SciPy, NumPy, hand-written formulas and PyTorch.

Run it with ``make bench``, or directly::

    .venv/bin/python benchmarks/bench.py [--quick] [--repeats N] [--json PATH]

It is a measurement, not a test: nothing here is asserted, and ``make test``
never runs it.  For every public function of :mod:`activations` (the list is
read from ``activations.__all__`` at run time) it prints our median time, the
median time of each natural alternative measured in the same run, their ratio,
and the project's target ratio, with whether it is met.  It
then reports the ``out=`` variants, the peak memory of one call, the per-call
overhead on 100 elements and the cost of ``softmax_backward`` as the number of
classes K grows, against the explicit Jacobian product.  The results are also
written as JSON (by default to ``benchmarks/results/``, which git ignores), so
runs can be compared across commits.

Machines are noisy, so the ratios are the figures that count: the functions
being compared are timed in turn, repeat after repeat, so that a slow moment
hits all of them alike, and each figure is the median of the repeats after a
warm-up.  Every headline call returns a new array, as the alternatives do.

PyTorch is optional and never a dependency of the package: its columns appear
only when ``torch`` can be imported.  It runs with its default number of
threads, which the report states; NumPy and SciPy use one.  ``activations``
shares a large array out between as many threads as the machine has CPUs;
``ACTIVATIONS_NUM_THREADS=1 make bench`` measures it on one thread, as NumPy
and SciPy run.

The book's chapter on the cost of derivatives imports this module and calls
:func:`time_call`, :func:`time_calls`, :func:`peak_memory` and
:func:`softmax_backward_sweep`, so the chapter and the benchmark measure in the
same way.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import inspect
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import tracemalloc
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import scipy
import scipy.special

import activations
from activations import _blocks

try:  # optional: only for the PyTorch columns
    import torch
except ImportError:  # pragma: no cover - depends on the environment
    torch = None

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"

# The sizes the targets are stated for: 10^7 values for the elementwise functions, a batch of
# 10^4 rows of 10^3 classes for the softmax family, 100 values for overhead.
FULL_SIZE = 10**7
FULL_BATCH = (10**4, 10**3)
QUICK_SIZE = 10**6
QUICK_BATCH = (10**3, 10**3)
OVERHEAD_SIZE = 100
# softmax_jacobian returns K x K per row, so it gets a smaller batch whose
# output (100 * 100 * 100 values) is still large enough to time.
JACOBIAN_BATCH = (100, 100)
SWEEP_KS = (10, 30, 100, 300, 1000, 3000, 10000)
# The memory target is the output plus one temporary of its size.  Row sums
# along the softmax axis (1/K of the output) and Python's own small objects
# come on top; 2% of the output is allowed for them, and no more.
MEMORY_SLACK = 0.02


# --------------------------------------------------------------------------
# Measuring


def time_calls(funcs: list[Callable[[], object]], repeats: int = 5, warmup: int = 1,
               number: int = 1) -> list[float]:
    """Median seconds per call of each function, timed in turn.

    Each repeat calls every function once (``number`` times in a row), one
    after the other, so that a noisy moment on the machine affects all of them
    and their ratios stay meaningful.  The garbage collector is off while
    timing, as in :mod:`timeit`.
    """
    for _ in range(warmup):
        for f in funcs:
            f()
    samples: list[list[float]] = [[] for _ in funcs]
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(repeats):
            for f, times in zip(funcs, samples):
                start = time.perf_counter()
                for _ in range(number):
                    f()
                times.append((time.perf_counter() - start) / number)
    finally:
        if gc_was_enabled:
            gc.enable()
    return [statistics.median(times) for times in samples]


def time_call(f: Callable[[], object], repeats: int = 5, warmup: int = 1,
              number: int = 1) -> float:
    """Median seconds per call of ``f`` over ``repeats`` after ``warmup`` calls."""
    return time_calls([f], repeats, warmup, number)[0]


def peak_memory(f: Callable[[], object]) -> int:
    """Peak bytes allocated while ``f()`` runs, its result included.

    NumPy reports its array buffers to :mod:`tracemalloc`, so this counts the
    output and every temporary array.  PyTorch's allocations are invisible to
    it, so only NumPy and SciPy code can be measured this way.
    """
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        result = f()
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    del result
    return peak


def nbytes(result) -> int:
    if torch is not None and isinstance(result, torch.Tensor):
        return result.element_size() * result.nelement()
    return np.asarray(result).nbytes


# --------------------------------------------------------------------------
# What is compared with what


@dataclass
class Alternative:
    name: str
    call: Callable[[], object]
    target: float | None = None   # our time / theirs must be at most this
    torch: bool = False           # PyTorch: not visible to tracemalloc


@dataclass
class Case:
    function: str
    size: str
    dtype: str
    ours: Callable[[], object]
    ours_out: Callable[[], object] | None
    alternatives: list[Alternative] = field(default_factory=list)


def _accepts_out(func) -> bool:
    try:
        return "out" in inspect.signature(func).parameters
    except (TypeError, ValueError):
        return False


def _inputs(n: int, batch: tuple[int, int], dtype) -> dict:
    """Deterministic inputs: logits in [-10, 10], gradients from N(0, 1)."""
    rng = np.random.default_rng(0)
    z = rng.uniform(-10.0, 10.0, n).astype(dtype)
    g = rng.standard_normal(n).astype(dtype)
    zs = (3.0 * rng.standard_normal(batch)).astype(dtype)
    gs = rng.standard_normal(batch).astype(dtype)
    zj = (3.0 * rng.standard_normal(JACOBIAN_BATCH)).astype(dtype)
    return {
        "z": z, "g": g, "p": activations.sigmoid(z), "t": activations.tanh(z),
        "zs": zs, "gs": gs, "ps": activations.softmax(zs), "ys": activations.log_softmax(zs),
        "zj": zj,
    }


def _known_cases(x: dict, use_torch: bool) -> dict[str, tuple]:
    """For each known function: (size kind, ours, ours with out=, alternatives).

    The alternatives are the libraries the targets are stated against, plus
    the formula a reader would write by hand where one exists; only the
    libraries get a target.
    """
    A, sp = activations, scipy.special
    z, g, p, t = x["z"], x["g"], x["p"], x["t"]
    zs, gs, ps, ys, zj = x["zs"], x["gs"], x["ps"], x["ys"], x["zj"]
    out = np.empty_like(z)
    outs = np.empty_like(zs)
    K = zj.shape[-1]
    outj = np.empty(zj.shape + (K,), dtype=zj.dtype)
    eye = np.eye(K, dtype=zj.dtype)

    cases = {
        "sigmoid": ("elementwise", lambda: A.sigmoid(z), lambda: A.sigmoid(z, out=out), [
            Alternative("scipy.special.expit", lambda: sp.expit(z), 0.5)]),
        "logit": ("elementwise", lambda: A.logit(p), lambda: A.logit(p, out=out), [
            Alternative("scipy.special.logit", lambda: sp.logit(p))]),
        "sigmoid_grad": ("elementwise", lambda: A.sigmoid_grad(z),
                         lambda: A.sigmoid_grad(z, out=out), [
            Alternative("expit(z)*(1-expit(z))", lambda: sp.expit(z) * (1 - sp.expit(z)), 0.7)]),
        "sigmoid_backward": ("elementwise", lambda: A.sigmoid_backward(g, p),
                             lambda: A.sigmoid_backward(g, p, out=out), [
            Alternative("g*p*(1-p)", lambda: g * p * (1 - p))]),
        "tanh": ("elementwise", lambda: A.tanh(z), lambda: A.tanh(z, out=out), [
            Alternative("np.tanh", lambda: np.tanh(z), 1.1)]),
        "tanh_grad": ("elementwise", lambda: A.tanh_grad(z), lambda: A.tanh_grad(z, out=out), [
            Alternative("np.tanh", lambda: np.tanh(z), 2.0),
            Alternative("1-np.tanh(z)**2", lambda: 1 - np.tanh(z) ** 2)]),
        "tanh_backward": ("elementwise", lambda: A.tanh_backward(g, t),
                          lambda: A.tanh_backward(g, t, out=out), [
            Alternative("g*(1-t*t)", lambda: g * (1 - t * t))]),
        "softmax": ("batch", lambda: A.softmax(zs), lambda: A.softmax(zs, out=outs), [
            Alternative("scipy.special.softmax", lambda: sp.softmax(zs, axis=-1), 0.7)]),
        "log_softmax": ("batch", lambda: A.log_softmax(zs), lambda: A.log_softmax(zs, out=outs), [
            Alternative("scipy.special.log_softmax", lambda: sp.log_softmax(zs, axis=-1), 0.7)]),
        "softmax_backward": ("batch", lambda: A.softmax_backward(gs, ps),
                             lambda: A.softmax_backward(gs, ps, out=outs), [
            Alternative("p*(g-sum(g*p))", lambda: ps * (gs - np.sum(gs * ps, axis=-1, keepdims=True)))]),
        "log_softmax_backward": ("batch", lambda: A.log_softmax_backward(gs, ys),
                                 lambda: A.log_softmax_backward(gs, ys, out=outs), [
            Alternative("g-exp(y)*sum(g)", lambda: gs - np.exp(ys) * np.sum(gs, axis=-1, keepdims=True))]),
        "softmax_jacobian": ("jacobian", lambda: A.softmax_jacobian(zj),
                             lambda: A.softmax_jacobian(zj, out=outj), [
            Alternative("p[...,:,None]*(eye-p[...,None,:])", lambda: (
                lambda q: q[..., :, None] * (eye - q[..., None, :]))(sp.softmax(zj, axis=-1)))]),
    }
    if use_torch:
        T = {k: torch.from_numpy(v) for k, v in x.items()}
        aten = torch.ops.aten
        extra = {
            "sigmoid": [Alternative("torch.sigmoid", lambda: torch.sigmoid(T["z"]), 1.0, True)],
            "logit": [Alternative("torch.logit", lambda: torch.logit(T["p"]), None, True)],
            "sigmoid_backward": [Alternative(
                "aten.sigmoid_backward", lambda: aten.sigmoid_backward(T["g"], T["p"]), 1.0, True)],
            "tanh": [Alternative("torch.tanh", lambda: torch.tanh(T["z"]), None, True)],
            "tanh_backward": [Alternative(
                "aten.tanh_backward", lambda: aten.tanh_backward(T["g"], T["t"]), 1.0, True)],
            "softmax": [Alternative("torch.softmax", lambda: torch.softmax(T["zs"], -1), 1.0, True)],
            "log_softmax": [Alternative(
                "torch.log_softmax", lambda: torch.log_softmax(T["zs"], -1), 1.0, True)],
            "softmax_backward": [Alternative(
                "aten._softmax_backward_data",
                lambda: aten._softmax_backward_data(T["gs"], T["ps"], -1, T["ps"].dtype), None, True)],
            "log_softmax_backward": [Alternative(
                "aten._log_softmax_backward_data",
                lambda: aten._log_softmax_backward_data(T["gs"], T["ys"], -1, T["ys"].dtype),
                None, True)],
        }
        for name, alts in extra.items():
            cases[name][3].extend(alts)
    return cases


def _newer_alternatives(x: dict, use_torch: bool) -> dict[str, list[Alternative]]:
    """Alternatives for the rectifiers and smooth activations (no targets).

    Used only for the names the package exports; the parameters are the
    package's defaults (slope 0.01, alpha 1, the exact erf form of GELU).
    """
    sp = scipy.special
    z, g = x["z"], x["g"]
    alts = {
        "relu": [Alternative("np.maximum(z, 0)", lambda: np.maximum(z, 0))],
        "leaky_relu": [Alternative("np.where(z>0, z, 0.01*z)", lambda: np.where(z > 0, z, 0.01 * z))],
        "elu": [Alternative("np.where(z>0, z, expm1(z))", lambda: np.where(z > 0, z, np.expm1(z)))],
        "softplus": [Alternative("np.logaddexp(0, z)", lambda: np.logaddexp(0, z))],
        "gelu": [Alternative("z*scipy.special.ndtr(z)", lambda: z * sp.ndtr(z))],
        "silu": [Alternative("z*expit(z)", lambda: z * sp.expit(z))],
    }
    if use_torch:
        F, aten = torch.nn.functional, torch.ops.aten
        tz, tg = torch.from_numpy(z), torch.from_numpy(g)
        for name, call in {
            "relu": lambda: torch.relu(tz),
            "leaky_relu": lambda: F.leaky_relu(tz, 0.01),
            "elu": lambda: F.elu(tz),
            "softplus": lambda: F.softplus(tz),
            "gelu": lambda: F.gelu(tz),
            "silu": lambda: F.silu(tz),
        }.items():
            alts[name].append(Alternative(f"torch {name}", call, None, True))
        alts["gelu_backward"] = [Alternative("aten.gelu_backward",
                                             lambda: aten.gelu_backward(tg, tz), None, True)]
        alts["silu_backward"] = [Alternative("aten.silu_backward",
                                             lambda: aten.silu_backward(tg, tz), None, True)]
    return alts


def _generic_case(name: str, x: dict, use_torch: bool = False):
    """A public function without a stated target: a rectifier or smooth one.

    It is called on the elementwise input with its default parameters.  A
    ``*_backward`` gets a gradient and, as its signature asks, either the
    input ``z`` or the ``output`` of its forward function.
    """
    func = getattr(activations, name)
    z, g = x["z"], x["g"]
    out = np.empty_like(z)
    params = list(inspect.signature(func).parameters)
    if name.endswith("_backward"):
        forward = getattr(activations, name[: -len("_backward")], None)
        second = z if params[1] == "z" or not callable(forward) else forward(z)
        ours = lambda: func(g, second)  # noqa: E731
        ours_out = (lambda: func(g, second, out=out)) if _accepts_out(func) else None
    else:
        ours = lambda: func(z)  # noqa: E731
        ours_out = (lambda: func(z, out=out)) if _accepts_out(func) else None
    return "elementwise", ours, ours_out, list(_newer_alternatives(x, use_torch).get(name, []))


def public_functions() -> list[str]:
    """Every public function, as the package lists it now."""
    return [name for name in activations.__all__ if callable(getattr(activations, name, None))]


def build_cases(n: int = FULL_SIZE, batch: tuple[int, int] = FULL_BATCH,
                dtypes=(np.float64, np.float32), use_torch: bool | None = None) -> list[Case]:
    """One case per public function and dtype, in ``__all__`` order."""
    use_torch = (torch is not None) if use_torch is None else use_torch
    cases = []
    for dtype in dtypes:
        x = _inputs(n, batch, dtype)
        known = _known_cases(x, use_torch)
        for name in public_functions():
            kind, ours, ours_out, alts = (
                known[name] if name in known else _generic_case(name, x, use_torch))
            size = {"elementwise": f"{n:.0e}", "batch": f"{batch[0]}x{batch[1]}",
                    "jacobian": f"{JACOBIAN_BATCH[0]}x{JACOBIAN_BATCH[1]}"}[kind]
            cases.append(Case(name, size, np.dtype(dtype).name, ours, ours_out, alts))
    return cases


# --------------------------------------------------------------------------
# The measurements


def measure_case(case: Case, repeats: int, warmup: int) -> dict:
    """Time ours and every alternative in turn, and the out= variant."""
    funcs = [case.ours] + [alt.call for alt in case.alternatives]
    if case.ours_out is not None:
        funcs.append(case.ours_out)
    times = time_calls(funcs, repeats, warmup)
    ours = times[0]
    row = {"function": case.function, "size": case.size, "dtype": case.dtype,
           "ours_s": ours, "alternatives": []}
    for alt, theirs in zip(case.alternatives, times[1:]):
        ratio = ours / theirs
        row["alternatives"].append({
            "name": alt.name, "seconds": theirs, "ratio": ratio, "target": alt.target,
            "met": None if alt.target is None else ratio <= alt.target,
        })
    if case.ours_out is not None:
        row["ours_out_s"] = times[-1]
        row["out_ratio"] = times[-1] / ours
    return row


def measure_memory(case: Case) -> dict:
    """Peak memory of one call, as a multiple of the output's size."""
    def multiple(f):
        result = f()
        size = nbytes(result)
        del result
        peak = peak_memory(f)
        return peak, size
    row = {"function": case.function, "size": case.size, "dtype": case.dtype}
    peak, size = multiple(case.ours)
    row.update(output_bytes=size, peak_bytes=peak, multiple=peak / size,
               target=2.0, met=peak <= (2 + MEMORY_SLACK) * size)
    if case.ours_out is not None:
        row["peak_out_bytes"] = peak_memory(case.ours_out)
        row["multiple_out"] = row["peak_out_bytes"] / size
    row["alternatives"] = [
        {"name": alt.name, "multiple": peak_memory(alt.call) / size}
        for alt in case.alternatives if not alt.torch
    ]
    return row


def measure_overhead(repeats: int, warmup: int, number: int = 2000) -> list[dict]:
    """Per-call time on 100 float64 values, against scipy.special.expit.

    The softmax family gets one vector of 100 classes.  ``softmax_jacobian`` is
    left out: its output has K^2 values, so its time is not an overhead.
    """
    x = _inputs(OVERHEAD_SIZE, (1, OVERHEAD_SIZE), np.float64)
    z, g, p = x["z"], x["g"], activations.softmax(x["z"])
    y = activations.log_softmax(z)
    known = _known_cases(x, use_torch=False)
    one_vector = {
        "softmax": lambda: activations.softmax(z),
        "log_softmax": lambda: activations.log_softmax(z),
        "softmax_backward": lambda: activations.softmax_backward(g, p),
        "log_softmax_backward": lambda: activations.log_softmax_backward(g, y),
    }
    expit_call = lambda: scipy.special.expit(z)  # noqa: E731
    rows = []
    for name in public_functions():
        if name == "softmax_jacobian":
            continue
        if name in one_vector:
            ours = one_vector[name]
        elif name in known:
            ours = known[name][1]
        else:
            ours = _generic_case(name, x)[1]
        mine, theirs = time_calls([ours, expit_call], repeats, warmup, number)
        rows.append({"function": name, "ours_s": mine, "expit_s": theirs,
                     "ratio": mine / theirs, "target": 3.0, "met": mine / theirs <= 3.0})
    return rows


def softmax_backward_sweep(ks=SWEEP_KS, repeats: int = 5, warmup: int = 1,
                           elements: int = 10**6, jacobian_elements: int = 10**6,
                           jacobian_max_k: int = 10**4, dtype=np.float64) -> dict:
    """Seconds per vector of ``softmax_backward`` and of the Jacobian product.

    For each K, ``softmax_backward(g, p)`` runs on a batch of about
    ``elements // K`` rows and ``softmax_jacobian(z) @ g`` on about
    ``jacobian_elements // K**2`` rows (at least one), and each time is divided
    by the number of rows: batching spreads the fixed cost of a call, so the
    time per vector shows how the work grows with K.  At K = 1000 both are also
    timed on a single vector, the conservative comparison, since a single call
    of ours pays its whole overhead.  Slopes are least-squares fits of
    log(time) against log(K).
    """
    rng = np.random.default_rng(0)
    ours_t, jac_t, jac_ks = [], [], []
    for k in ks:
        rows = max(1, elements // k)
        z = (3.0 * rng.standard_normal((rows, k))).astype(dtype)
        g = rng.standard_normal((rows, k)).astype(dtype)
        p = activations.softmax(z)
        ours_t.append(time_call(lambda: activations.softmax_backward(g, p), repeats, warmup) / rows)
        if k <= jacobian_max_k:
            jrows = max(1, jacobian_elements // (k * k))
            # One vector goes in as 1-D: NumPy's stacked matmul does not call
            # BLAS for a matrix-vector product, and was 100 times slower than
            # the 2-D product at K = 1000, which would flatter ours.
            zj, gj = (z[0], g[0]) if jrows == 1 else (z[:jrows], g[:jrows, :, None])
            jac_t.append(time_call(lambda: activations.softmax_jacobian(zj) @ gj, repeats, warmup)
                         / jrows)
            jac_ks.append(k)
    k = 1000
    z = 3.0 * rng.standard_normal(k).astype(dtype)
    g = rng.standard_normal(k).astype(dtype)
    p = activations.softmax(z)
    single_ours, single_jac = time_calls(
        [lambda: activations.softmax_backward(g, p), lambda: activations.softmax_jacobian(z) @ g],
        repeats, warmup, number=20)
    i = list(ks).index(k) if k in ks else None
    j = jac_ks.index(k) if k in jac_ks else None
    return {
        "ks": list(ks), "ours_s_per_vector": ours_t,
        "jacobian_ks": jac_ks, "jacobian_s_per_vector": jac_t,
        "ours_slope": float(np.polyfit(np.log(ks), np.log(ours_t), 1)[0]),
        "ours_slope_k100": float(np.polyfit(
            np.log([k for k in ks if k >= 100]), np.log([t for k, t in zip(ks, ours_t) if k >= 100]),
            1)[0]),
        "jacobian_slope": float(np.polyfit(np.log(jac_ks), np.log(jac_t), 1)[0]),
        "k1000_single_ours_s": single_ours, "k1000_single_jacobian_s": single_jac,
        "k1000_single_speedup": single_jac / single_ours,
        "k1000_batched_speedup": (jac_t[j] / ours_t[i]) if i is not None and j is not None else None,
        "target_speedup": 100.0,
        "met": single_jac / single_ours >= 100.0,
    }


# --------------------------------------------------------------------------
# Reporting


def _ms(seconds: float) -> str:
    return f"{seconds * 1e3:9.3f}"


def _us(seconds: float) -> str:
    return f"{seconds * 1e6:8.2f}"


def _yes(met) -> str:
    return "—" if met is None else ("yes" if met else "NO")


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(c)) for c in column) for column in zip(header, *rows)]
    line = lambda cells: "  ".join(str(c).ljust(w) for c, w in zip(cells, widths)).rstrip()  # noqa: E731
    return "\n".join([line(header), line(["-" * w for w in widths])] + [line(r) for r in rows])


def speed_table(rows: list[dict]) -> str:
    out = []
    for r in rows:
        alts = r["alternatives"] or [None]
        for i, a in enumerate(alts):
            first = i == 0
            out.append([
                r["function"] if first else "", r["dtype"] if first else "",
                r["size"] if first else "", _ms(r["ours_s"]) if first else "",
                a["name"] if a else "—", _ms(a["seconds"]) if a else "",
                f"{a['ratio']:.2f}" if a else "",
                f"≤ {a['target']:.1f}" if a and a["target"] is not None else "",
                _yes(a["met"]) if a else "",
            ])
    return _table(["function", "dtype", "size", "ours ms", "alternative", "theirs ms",
                   "ratio", "target", "met"], out)


def out_table(rows: list[dict]) -> str:
    out = [[r["function"], r["dtype"], _ms(r["ours_s"]), _ms(r["ours_out_s"]),
            f"{r['out_ratio']:.2f}"] for r in rows if "ours_out_s" in r]
    return _table(["function", "dtype", "new array ms", "out= ms", "out=/new"], out)


def memory_table(rows: list[dict]) -> str:
    out = []
    for r in rows:
        alts = ", ".join(f"{a['name']} {a['multiple']:.2f}" for a in r["alternatives"]) or "—"
        out.append([r["function"], r["dtype"], f"{r['output_bytes'] / 2**20:.1f}",
                    f"{r['multiple']:.2f}",
                    f"{r['multiple_out']:.2f}" if "multiple_out" in r else "—",
                    _yes(r["met"]), alts])
    return _table(["function", "dtype", "output MiB", "peak/output", "with out=",
                   "≤ 2 met", "alternatives (peak/output)"], out)


def overhead_table(rows: list[dict]) -> str:
    out = [[r["function"], _us(r["ours_s"]), _us(r["expit_s"]), f"{r['ratio']:.2f}",
            _yes(r["met"])] for r in rows]
    return _table(["function", "ours µs", "expit µs", "ratio (≤ 3)", "met"], out)


def sweep_table(s: dict) -> str:
    jac = dict(zip(s["jacobian_ks"], s["jacobian_s_per_vector"]))
    out = [[str(k), _us(t), _us(jac[k]) if k in jac else "—",
            f"{jac[k] / t:.0f}" if k in jac else "—"]
           for k, t in zip(s["ks"], s["ours_s_per_vector"])]
    return _table(["K", "softmax_backward µs/vector", "jacobian @ g µs/vector", "speed-up"], out)


def machine() -> dict:
    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                                capture_output=True, text=True, check=True).stdout.strip()
        dirty = bool(subprocess.run(["git", "status", "--porcelain", "--", "src"], cwd=ROOT,
                                    capture_output=True, text=True).stdout.strip())
    except (OSError, subprocess.CalledProcessError):
        commit, dirty = "unknown", None
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "commit": commit, "src_modified": dirty,
        "cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(),
        "numpy": np.__version__, "scipy": scipy.__version__,
        "torch": torch.__version__ if torch is not None else None,
        "torch_threads": torch.get_num_threads() if torch is not None else None,
        "activations": activations.__version__,
        "activations_threads": _blocks.get_num_threads(),
        # Other work on the machine skews times; the ratios suffer less.
        "load_average_1min": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
    }


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="10^6 values and a 1000x1000 batch, 3 repeats: a smoke run")
    parser.add_argument("--repeats", type=int, default=None, help="timed repeats (default 5)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed calls first (default 1)")
    parser.add_argument("--no-torch", action="store_true", help="leave PyTorch out")
    parser.add_argument("--json", type=Path, default=None,
                        help="where to write the results (default benchmarks/results/)")
    args = parser.parse_args(argv)
    repeats = args.repeats or (3 if args.quick else 5)
    n, batch = (QUICK_SIZE, QUICK_BATCH) if args.quick else (FULL_SIZE, FULL_BATCH)
    use_torch = torch is not None and not args.no_torch
    started = time.perf_counter()

    info = machine()
    info.update(quick=args.quick, repeats=repeats, warmup=args.warmup, torch_used=use_torch)
    print(f"activations {info['activations']} at {info['commit']}"
          f"{' (src modified)' if info['src_modified'] else ''} on "
          f"{info['activations_threads']} threads; numpy {info['numpy']}, "
          f"scipy {info['scipy']}, torch "
          f"{info['torch'] + ' on ' + str(info['torch_threads']) + ' threads' if use_torch else 'not used'}")
    print(f"{info['cpu']}, {info['cores']} cores, load average {info['load_average_1min']}; "
          f"median of {repeats} after {args.warmup} warm-up")
    print("ratio = our time / theirs (lower is better); every call returns a new array\n",
          flush=True)

    cases = build_cases(n, batch, use_torch=use_torch)
    speed = [measure_case(c, repeats, args.warmup) for c in cases]
    print(speed_table(speed), "\n", flush=True)
    print("out=: the same call writing into a preallocated array")
    print(out_table(speed), "\n", flush=True)
    memory = [measure_memory(c) for c in cases]
    print("Peak memory of one call (tracemalloc), as a multiple of the output's size;")
    print("target: at most the output plus one temporary of its size, 2.00 (+0.02 for row sums)")
    print(memory_table(memory), "\n", flush=True)
    del cases
    gc.collect()
    overhead = measure_overhead(repeats, args.warmup)
    print(f"Per-call overhead, {OVERHEAD_SIZE} float64 values (softmax family: one vector)")
    print(overhead_table(overhead), "\n", flush=True)
    sweep = softmax_backward_sweep(
        repeats=repeats, warmup=args.warmup,
        jacobian_max_k=3000 if args.quick else 10**4)
    print("softmax_backward against softmax_jacobian(z) @ g, float64, time per vector")
    print(sweep_table(sweep))
    print(f"log-log slope: softmax_backward {sweep['ours_slope']:.2f} "
          f"({sweep['ours_slope_k100']:.2f} from K = 100), "
          f"Jacobian product {sweep['jacobian_slope']:.2f}")
    print(f"K = 1000, one vector: {sweep['k1000_single_speedup']:.0f}x faster than the Jacobian "
          f"product (target ≥ 100: {_yes(sweep['met'])})\n")

    info["seconds"] = time.perf_counter() - started
    results = {"machine": info, "speed": speed, "memory": memory,
               "overhead": overhead, "softmax_backward_sweep": sweep}
    path = args.json or RESULTS / (
        f"{info['date'][:19].replace(':', '')}-{info['commit']}{'-quick' if args.quick else ''}.json")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print(f"{info['seconds']:.0f} s; results written to {path}")
    return results


if __name__ == "__main__":
    main()
