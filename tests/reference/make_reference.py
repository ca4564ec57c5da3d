"""Generate the reference values the accuracy sweeps compare against.

Run from the repository root with the project's environment::

    .venv/bin/python tests/reference/make_reference.py

It writes ``tests/reference/values.npz``: for every function below and for
float64 and float32 inputs, the inputs ``x`` (as float64, exactly) and the
exact result as ``(hi + lo) * 2**exponent``, ``hi + lo`` a double-double,
computed with mpmath at 60 significant digits.  The formulas here are the mathematical definitions,
written for mpmath; none of them comes from the package.

The inputs cluster where the package's formulas are at risk: both tails, the
points where an intermediate leaves the normal range, the edges of each
branch and series region, and the roots of the derivatives.  Re-running the
script gives the same file: the random inputs are seeded.
"""

from __future__ import annotations

import pathlib

import mpmath
import numpy as np

mpmath.mp.dps = 60
HERE = pathlib.Path(__file__).resolve().parent


def _sigmoid(z):
    return 1 / (1 + mpmath.exp(-z))


def _sigmoid_grad(z):
    e = mpmath.exp(-abs(z))
    return e / (1 + e) ** 2


# Beyond |z| = 10^4, Phi(z) differs from 0 or 1, and phi(z) from 0, by less
# than 10^-(2*10^7), far below any float (and mpmath's erfc overflows there).
_FAR = 10**4


def _gaussian_cdf(z):
    if abs(z) > _FAR:
        return mpmath.mpf(z > 0)
    return mpmath.erfc(-z / mpmath.sqrt(2)) / 2


def _gaussian_pdf(z):
    if abs(z) > _FAR:
        return mpmath.mpf(0)
    return mpmath.exp(-z * z / 2) / mpmath.sqrt(2 * mpmath.pi)


def _elu(alpha):
    return lambda z: z if z > 0 else alpha * mpmath.expm1(z)


def _elu_grad(alpha):
    return lambda z: mpmath.mpf(1) if z > 0 else alpha * mpmath.exp(z)


# The roots of the derivatives of GELU and SiLU.
GELU_GRAD_ROOT = -0.7517915246935645
SILU_GRAD_ROOT = -1.2784645427610737

# name -> (exact function of an mpmath number, the points where the formulas
# are at risk in float64, the same in float32, the interval of valid inputs)
FUNCTIONS = {
    "sigmoid": (_sigmoid, [0, 36.74, -36.74, -708.4, -709.78, -745.13], [0, 16.64, -16.64, -87.34, -88.72, -103.28]),
    "sigmoid_grad": (_sigmoid_grad, [0, 36.74, -36.74, 708.4, -708.4, 745.13, -745.13], [0, 16.64, -87.34, 87.34, -103.28, 103.28]),
    "tanh": (mpmath.tanh, [0, 0.55, -0.55, 19.06, -19.06], [0, 0.55, 9.01, -9.01]),
    "tanh_grad": (lambda z: mpmath.sech(z) ** 2, [0, 19.06, -19.06, 354.2, -354.2, 372.6, -372.6], [0, 9.01, 43.67, -43.67, 51.64, -51.64]),
    "logit": (lambda p: mpmath.log(p / (1 - p)), [0.25, 0.5, 0.75, 1e-300, 1 - 2**-53, 2**-1022], [0.25, 0.5, 0.75, 1e-38, 1 - 2**-24, 2**-126]),
    "softplus": (lambda z: mpmath.log1p(mpmath.exp(z)), [0, -708.4, -745.13, 36.74, 709.78], [0, -87.34, -103.28, 16.64, 88.72]),
    "softplus_grad": (_sigmoid, [0, -708.4, -745.13, 36.74], [0, -87.34, -103.28, 16.64]),
    "gelu": (lambda z: z * _gaussian_cdf(z), [0, -37.64, -37.7, -38.4, 8.3, 64, -64], [0, -13.19, -13.1, -13.3, 5.4, 64, -64]),
    "gelu_grad": (
        lambda z: _gaussian_cdf(z) + z * _gaussian_pdf(z),
        [0, GELU_GRAD_ROOT, GELU_GRAD_ROOT - 0.5, GELU_GRAD_ROOT + 0.5, -37.64, -37.7, 8.3, 64],
        [0, GELU_GRAD_ROOT, GELU_GRAD_ROOT - 0.5, GELU_GRAD_ROOT + 0.5, -13.19, -13.3, 5.4],
    ),
    "silu": (lambda z: z * _sigmoid(z), [0, -708.4, -715.0, -745.13, 36.74, 4096], [0, -87.34, -90.0, -103.28, 16.64]),
    "silu_grad": (
        lambda z: _sigmoid(z) * (1 + z * (1 - _sigmoid(z))),
        [0, SILU_GRAD_ROOT, SILU_GRAD_ROOT - 0.5, SILU_GRAD_ROOT + 0.5, -2, -0.5, -708.4, -715.0, 36.74],
        [0, SILU_GRAD_ROOT, SILU_GRAD_ROOT - 0.5, SILU_GRAD_ROOT + 0.5, -2, -0.5, -87.34, -92.0, 16.64],
    ),
}
# ELU takes its scale alpha, rounded to the dtype of the computation.
for alpha in (1.0, 0.01, 1000.0, 1e300):
    FUNCTIONS[f"elu[alpha={alpha:g}]"] = (_elu, [0, -1e-300, -708.4, -745.13], [0, -1e-38, -87.34, -103.28], alpha)
    FUNCTIONS[f"elu_grad[alpha={alpha:g}]"] = (_elu_grad, [0, -708.4, -745.13, -714.77, -800, -1400], [0, -87.34, -103.28, -95.0], alpha)

RANGES = {"float64": (1e-300, 1e300), "float32": (1e-37, 1e37)}


def _near(edge: float, dtype, rng) -> np.ndarray:
    """The floats next to ``edge``, and points at small relative distances from it."""
    edge = dtype(edge)
    neighbours = [edge]
    for direction in (np.inf, -np.inf):
        x = edge
        for _ in range(40):
            x = np.nextafter(x, dtype(direction))
            neighbours.append(x)
    width = max(abs(float(edge)), 1e-3) * 10.0 ** rng.uniform(-12, -1, 120)
    scattered = (float(edge) + rng.choice([-1, 1], 120) * width).astype(dtype)
    return np.concatenate([np.asarray(neighbours, dtype=dtype), scattered])


def inputs(name: str, edges, dtype) -> np.ndarray:
    """The inputs of one function in one dtype: its edges, both tails, and a sweep."""
    rng = np.random.default_rng([sum(map(ord, name)), np.dtype(dtype).itemsize])
    lo, hi = RANGES[dtype.__name__]
    if name == "logit":
        sweep = np.concatenate([10.0 ** rng.uniform(np.log10(lo), -0.3, 300), 1 - 10.0 ** rng.uniform(-15 if dtype is np.float64 else -7, -0.3, 300)])
    else:
        magnitude = 10.0 ** rng.uniform(np.log10(lo), np.log10(hi), 300)
        sweep = np.concatenate([magnitude, -magnitude, rng.uniform(-40, 40, 300), rng.uniform(-800, 800, 150)])
    parts = [sweep.astype(dtype)] + [_near(e, dtype, rng) for e in edges]
    x = np.unique(np.concatenate(parts)).astype(np.float64)
    x = x[np.isfinite(x)]
    if name == "logit":
        x = x[(x > 0) & (x < 1)]
    return x


def exact_values(func, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``func`` at each exact float ``x``, as ``(hi + lo) * 2**exponent``.

    ``hi + lo`` is a double-double in [1/2, 1): the exponent is kept apart so
    that a result far below the smallest float keeps all its digits, for a
    test that scales it back up (a backward pass with a large gradient).
    """
    hi = np.zeros_like(x)
    lo = np.zeros_like(x)
    exponent = np.zeros(x.shape, dtype=np.int64)
    for i, value in enumerate(x):
        exact = func(mpmath.mpf(float(value)))
        if exact == 0:
            continue
        mantissa, power = mpmath.frexp(exact)
        if power < -5000:  # zero in any float, however scaled
            continue
        exponent[i] = power
        hi[i] = float(mantissa)
        lo[i] = float(mantissa - mpmath.mpf(hi[i]))
    return hi, lo, exponent
def main() -> None:
    arrays = {}
    for name, (func, edges64, edges32, *alpha) in FUNCTIONS.items():
        for dtype, edges in ((np.float64, edges64), (np.float32, edges32)):
            if alpha and alpha[0] > float(np.finfo(dtype).max):
                continue  # alpha has no value in this dtype: the package refuses it
            exact = func(mpmath.mpf(float(dtype(alpha[0])))) if alpha else func
            x = inputs(name, edges, dtype)
            key = f"{name}/{dtype.__name__}"
            arrays[f"{key}/x"] = x
            arrays[f"{key}/hi"], arrays[f"{key}/lo"], arrays[f"{key}/exponent"] = exact_values(exact, x)
            print(f"{key}: {x.size} points")
    np.savez_compressed(HERE / "values.npz", **arrays)
    print(f"wrote {HERE / 'values.npz'}")


if __name__ == "__main__":
    main()
