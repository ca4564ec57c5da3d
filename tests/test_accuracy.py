"""The accuracy promise, checked where it is at risk, at exactly its bound.

The README and the docstrings promise: every elementwise function and
derivative is within 8 ULP of the exact result wherever that result is a
normal float, in float16, float32 and float64; the backward passes of the
elementwise activations are within 4 ULP of ``grad_output`` times their
derivative's formula at the output they are given (GELU and SiLU, which take
the input, within 8 ULP of ``grad_output`` times the exact derivative).

* float64 and float32: at the points of ``reference/values.npz``, whose exact
  values mpmath computed (``reference/make_reference.py``): both tails, the
  points where an intermediate leaves the normal range, the edges of each
  branch and series region, and the roots of the derivatives.
* float16: every finite input.
* float32: every float in each risky interval, or evenly spaced floats where
  an interval holds more than :data:`CAP`.

The last two compare with ``reference64``, float64 formulas that share no code
with the package, checked here against mpmath to within
:data:`REFERENCE_SLACK` ULP of float32; the bound is lowered by that much, so
a pass proves the promise itself.
"""

from __future__ import annotations

import pathlib

import numpy as np
import pytest

import activations
import reference64
from accuracy import ulp_errors_against, worst

VALUES = np.load(pathlib.Path(__file__).parent / "reference" / "values.npz")
BOUND = 8.0
BACKWARD_BOUND = 4.0
# How far, in ULP of float32, reference64 may stray from mpmath.
REFERENCE_SLACK = 0.1
# The most floats of one float32 interval that a sweep evaluates.
CAP = 2**20

# Elementwise functions with their parameters, as ``name[parameter=value]``.
CASES = {
    "sigmoid": {}, "sigmoid_grad": {}, "tanh": {}, "tanh_grad": {},
    "softplus": {}, "softplus_grad": {}, "gelu": {}, "gelu_grad": {},
    "silu": {}, "silu_grad": {}, "relu": {}, "relu_grad": {},
    "leaky_relu[negative_slope=0.01]": {"negative_slope": 0.01},
    "leaky_relu[negative_slope=3]": {"negative_slope": 3.0},
    "leaky_relu_grad[negative_slope=0.2]": {"negative_slope": 0.2},
}
for _alpha in (1.0, 0.01, 1000.0):
    CASES[f"elu[alpha={_alpha:g}]"] = {"alpha": _alpha}
    CASES[f"elu_grad[alpha={_alpha:g}]"] = {"alpha": _alpha}

GELU_GRAD_ROOT = -0.7517915246935645
SILU_GRAD_ROOT = -1.2784645427610737
_TAILS = [(-104.0, -80.0), (80.0, 104.0)]
_ROOT_EDGES = lambda root: [(root - 0.51, root - 0.49), (root + 0.49, root + 0.51), (root - 1e-3, root + 1e-3)]  # noqa: E731
# The risky float32 intervals of each function (by name, without parameters).
INTERVALS32 = {
    "sigmoid": _TAILS + [(-20.0, 20.0), (15.0, 18.0), (-1e-3, 1e-3)],
    "sigmoid_grad": _TAILS + [(-20.0, 20.0), (15.0, 18.0)],
    "tanh": [(-10.0, 10.0), (0.5, 0.6), (-1e-3, 1e-3)],
    "tanh_grad": [(-52.0, -40.0), (40.0, 52.0), (-10.0, 10.0)],
    "logit": [(0.0, 1.0), (0.2, 0.3), (0.45, 0.55), (0.7, 0.8), (1 - 2**-10, 1.0), (0.0, 1e-30)],
    "softplus": _TAILS + [(-1.0, 1.0), (14.0, 18.0)],
    "softplus_grad": _TAILS + [(-20.0, 20.0)],
    "gelu": [(-13.4, -12.7), (-64.0, -13.4), (-1.0, 1.0), (4.0, 6.0), (60.0, 70.0)],
    "gelu_grad": [(-13.4, -12.7), (-64.0, -13.4), (-4.0, 4.0), *_ROOT_EDGES(GELU_GRAD_ROOT), (60.0, 70.0)],
    "silu": [(-104.0, -86.0), (-20.0, 20.0), (-4.0, -1.78)],
    "silu_grad": [(-104.0, -86.0), (-4.0, -1.78), (-2.1, -1.9), *_ROOT_EDGES(SILU_GRAD_ROOT), (-0.6, 0.6), (1.0, 20.0)],
    "relu": [(-1.0, 1.0)],
    "relu_grad": [(-1.0, 1.0)],
    "leaky_relu": [(-1e38, 1e38), (-1.0, 1.0)],
    "leaky_relu_grad": [(-1.0, 1.0)],
    "elu": _TAILS + [(-20.0, 0.0), (-1e-3, 1e-3), (-1e-37, 0.0)],
    "elu_grad": _TAILS + [(-20.0, 0.0), (-1e-3, 1e-3), (-95.0, -85.0)],
}


def split(case: str) -> str:
    return case.partition("[")[0]


def rounded(parameters: dict, dtype) -> dict:
    """The parameters as the package uses them: rounded to the dtype of the computation."""
    return {k: float(dtype(v)) for k, v in parameters.items()}


def every_float16() -> np.ndarray:
    bits = np.arange(2**16, dtype=np.uint16).view(np.float16)
    return bits[np.isfinite(bits)]


def float32_interval(lo: float, hi: float) -> np.ndarray:
    """Every float32 in [lo, hi], or CAP evenly spaced ones (by bit pattern)."""
    lo, hi = np.float32(lo), np.float32(hi)

    def ordinal(x):  # the floats' order as integers, negative ones included
        i = np.int64(np.array(x, dtype=np.float32).view(np.int32))
        return i if i >= 0 else -(i & 0x7FFFFFFF)

    a, b = ordinal(lo), ordinal(hi)
    step = max(1, -(-(b - a + 1) // CAP))
    n = np.arange(a, b + 1, step, dtype=np.int64)
    bits = np.where(n >= 0, n, (-n) | 0x80000000).astype(np.uint32)
    return bits.view(np.float32)


def computed(case: str, z: np.ndarray) -> np.ndarray:
    with np.errstate(all="raise"):  # the package may not warn, whatever the caller sets
        return getattr(activations, split(case))(z, **CASES[case])


def exact64(case: str, z: np.ndarray, dtype) -> np.ndarray:
    with np.errstate(all="ignore"):
        return getattr(reference64, split(case))(z.astype(np.float64), **rounded(CASES[case], dtype))


def assert_within(errors, inputs, bound, what):
    measured, at = worst(errors, inputs)
    assert not measured > bound, f"{what}: {measured:.3g} ULP at input {at!r} exceeds {bound:g} ULP"


# --- float64 and float32 against mpmath ---------------------------------------

STORED = sorted({key.rsplit("/", 1)[0] for key in VALUES.files})


def stored(key):
    name, _, dtype = key.partition("/")
    parameters = {}
    if "[" in name:
        k, v = name[name.index("[") + 1 : -1].split("=")
        parameters[k] = float(v)
    return split(name), parameters, getattr(np, dtype), VALUES[f"{key}/x"], *exact(key)


def exact(key, power=0):
    """The stored exact values of ``key`` times ``2**power``, as a double-double ``(hi, lo)``.

    Each is rounded once from the stored mantissa: a result that underflows
    (or overflows) does so in ``hi`` alone.
    """
    exponent = VALUES[f"{key}/exponent"] + power
    with np.errstate(over="ignore", under="ignore"):
        return np.ldexp(VALUES[f"{key}/hi"], exponent), np.ldexp(VALUES[f"{key}/lo"], exponent)


@pytest.mark.parametrize("key", STORED)
def test_within_8_ulp_of_mpmath_at_every_stored_point(key):
    name, parameters, dtype, x, hi, lo = stored(key)
    z = x.astype(dtype)
    with np.errstate(all="raise"):
        got = getattr(activations, name)(z, **parameters)
    assert got.dtype == dtype
    finite = np.isfinite(hi)
    assert np.isfinite(got[finite]).all(), f"{key}: a finite exact result came out as {got[finite][~np.isfinite(got[finite])][0]}"
    assert_within(ulp_errors_against(got, hi, dtype, lo), x, BOUND, key)
    # Where the exact result is subnormal or rounds to 0, the result is at
    # least as small as the smallest normal, and of the right sign.
    tiny = np.abs(hi) < np.finfo(dtype).smallest_normal
    assert (np.abs(got[tiny]) <= np.finfo(dtype).smallest_normal).all()
    assert (got[tiny] * hi[tiny] >= 0).all()


@pytest.mark.parametrize("key", [k for k in STORED if k.endswith("float32")])
def test_reference64_is_within_a_tenth_of_a_float32_ulp_of_mpmath(key):
    """The float64 formulas the float16 and float32 sweeps rely on are accurate enough."""
    name, parameters, dtype, x, hi, lo = stored(key)
    with np.errstate(all="ignore"):
        ref = getattr(reference64, name)(x, **rounded(parameters, dtype))
    assert_within(ulp_errors_against(ref, hi, np.float32, lo), x, REFERENCE_SLACK, f"reference64 {key}")


# --- float16: every value; float32: every value of the risky intervals --------


@pytest.mark.parametrize("case", CASES)
def test_within_8_ulp_at_every_float16(case):
    z = every_float16()
    got = computed(case, z)
    exact = exact64(case, z, np.float16)
    assert got.dtype == np.float16
    assert np.isfinite(got[np.abs(exact) <= np.finfo(np.float16).max]).all()
    assert_within(ulp_errors_against(got, exact, np.float16), z, BOUND - REFERENCE_SLACK, f"{case} float16")


def test_logit_at_every_float16_probability():
    z = every_float16()
    z = z[(z >= 0) & (z <= 1)]
    with np.errstate(all="raise"):
        got = activations.logit(z)
    exact = reference64.logit(z.astype(np.float64))
    assert_within(ulp_errors_against(got, exact, np.float16), z, BOUND - REFERENCE_SLACK, "logit float16")


SWEEPS = [(case, interval) for case in CASES for interval in INTERVALS32[split(case)]]


@pytest.mark.parametrize(("case", "interval"), SWEEPS, ids=[f"{c}{list(i)}" for c, i in SWEEPS])
def test_within_8_ulp_in_every_risky_float32_interval(case, interval):
    z = float32_interval(*interval)
    got = computed(case, z)
    exact = exact64(case, z, np.float32)
    assert got.dtype == np.float32
    assert np.isfinite(got[np.abs(exact) <= np.finfo(np.float32).max]).all()
    assert_within(ulp_errors_against(got, exact, np.float32), z, BOUND - REFERENCE_SLACK, f"{case} float32")


@pytest.mark.parametrize("interval", INTERVALS32["logit"])
def test_logit_within_8_ulp_in_every_risky_float32_interval(interval):
    z = float32_interval(*interval)
    with np.errstate(all="raise"):
        got = activations.logit(z)
    exact = reference64.logit(z.astype(np.float64))
    assert_within(ulp_errors_against(got, exact, np.float32), z, BOUND - REFERENCE_SLACK, "logit float32")


# --- the backward passes --------------------------------------------------------

# Each backward pass, its parameters, and the outputs its forward can give.
BACKWARD_CASES = {
    "sigmoid_backward": ({}, (0.0, 1.0)),
    "tanh_backward": ({}, (-1.0, 1.0)),
    "relu_backward": ({}, (0.0, np.inf)),
    "leaky_relu_backward": ({"negative_slope": 0.01}, (-np.inf, np.inf)),
    "elu_backward": ({"alpha": 1.0}, (-1.0, np.inf)),
    "softplus_backward": ({}, (0.0, np.inf)),
}


def gradients(z: np.ndarray) -> np.ndarray:
    """Incoming gradients of every magnitude, so products land in every binade."""
    rng = np.random.default_rng(5)
    g = rng.choice([-1.0, 1.0], z.size) * 2.0 ** rng.uniform(-8, 8, z.size)
    return g.astype(z.dtype)


@pytest.mark.parametrize("dtype", [np.float16, np.float32])
@pytest.mark.parametrize("name", BACKWARD_CASES)
def test_backward_from_the_output_within_4_ulp_of_its_formula(name, dtype):
    parameters, (lo, hi) = BACKWARD_CASES[name]
    y = every_float16().astype(dtype) if dtype == np.float16 else float32_interval(-1e6, 1e6)
    y = y[(y >= lo) & (y <= hi)]
    g = gradients(y)
    with np.errstate(all="raise"):
        got = getattr(activations, name)(g, y, **parameters)
    derivative = reference64.FROM_OUTPUT[name](y.astype(np.float64), **rounded(parameters, dtype))
    exact = g.astype(np.float64) * derivative
    assert_within(ulp_errors_against(got, exact, dtype), y, BACKWARD_BOUND - REFERENCE_SLACK, f"{name} {dtype.__name__}")


@pytest.mark.parametrize("dtype", [np.float16, np.float32])
@pytest.mark.parametrize("name", sorted(reference64.FROM_INPUT))
def test_backward_from_the_input_within_8_ulp(name, dtype):
    z = every_float16() if dtype == np.float16 else float32_interval(-20.0, 20.0)
    g = gradients(z)
    with np.errstate(all="raise"):
        got = getattr(activations, name)(g, z)
    exact = g.astype(np.float64) * reference64.FROM_INPUT[name](z.astype(np.float64))
    assert_within(ulp_errors_against(got, exact, dtype), z, BOUND - REFERENCE_SLACK, f"{name} {dtype.__name__}")


@pytest.mark.parametrize("power", [-100, -1, 0, 3, 60, 1000])
@pytest.mark.parametrize("name", ["gelu", "silu"])
def test_float64_backward_from_the_input_within_8_ulp_of_mpmath(name, power):
    """A gradient that is a power of two scales the exact derivative exactly.

    A large gradient brings a derivative that is subnormal (GELU below about
    -37.6, SiLU below -708) back into the normal range, where its product
    must be as accurate as any other.
    """
    key = f"{name}_grad/float64"
    x = VALUES[f"{key}/x"]
    g = np.full_like(x, 2.0**power)
    with np.errstate(all="raise"):
        got = getattr(activations, f"{name}_backward")(g, x)
    hi, lo = exact(key, power)
    assert_within(ulp_errors_against(got, hi, np.float64, lo), x, BOUND, f"{name}_backward(2**{power}, z)")


def _exact_from_output(name, y, alpha=1.0, negative_slope=0.01):
    import mpmath

    y = mpmath.mpf(float(y))
    return {
        "sigmoid_backward": lambda: y * (1 - y),
        "tanh_backward": lambda: 1 - y * y,
        "relu_backward": lambda: mpmath.mpf(y > 0),
        "leaky_relu_backward": lambda: mpmath.mpf(1) if y > 0 else mpmath.mpf(negative_slope),
        "elu_backward": lambda: mpmath.mpf(1) if y > 0 else y + mpmath.mpf(alpha),
        "softplus_backward": lambda: -mpmath.expm1(-y),
    }[name]()


@pytest.mark.parametrize("name", BACKWARD_CASES)
def test_float64_backward_from_the_output_within_4_ulp_of_its_formula(name):
    import mpmath

    mpmath.mp.dps = 50
    parameters, (lo, hi) = BACKWARD_CASES[name]
    rng = np.random.default_rng(11)
    magnitude = 10.0 ** rng.uniform(-300, 3, 1500)
    y = np.concatenate([magnitude, -magnitude, 1 - magnitude[:300], -1 + magnitude[:300]])
    y = y[(y >= lo) & (y <= hi)]
    g = gradients(y)
    with np.errstate(all="raise"):
        got = getattr(activations, name)(g, y, **parameters)
    exact = [mpmath.mpf(float(gi)) * _exact_from_output(name, yi, **parameters) for gi, yi in zip(g, y)]
    hi_ = np.array([float(e) for e in exact])
    lo_ = np.array([float(e - mpmath.mpf(h)) for e, h in zip(exact, hi_)])
    assert_within(ulp_errors_against(got, hi_, np.float64, lo_), y, BACKWARD_BOUND, f"{name} float64")
