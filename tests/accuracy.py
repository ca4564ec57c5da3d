"""Measuring accuracy in ULP against a high-precision mpmath reference.

The reference value of each point is computed with mpmath at 50 significant
digits from the exact binary value of the input, and the error of the computed
result is measured in that same precision, so the reference itself adds no
rounding.  An ULP here is the spacing of floats of the tested dtype at the
exact result.
"""

from __future__ import annotations

import mpmath
import numpy as np

mpmath.mp.dps = 50

FLOATS = (np.float16, np.float32, np.float64)


def ulp(exact: mpmath.mpf, dtype) -> mpmath.mpf:
    """Spacing of ``dtype`` floats at ``|exact|`` (exact is a normal number)."""
    finfo = np.finfo(dtype)
    exponent = int(mpmath.floor(mpmath.log(abs(exact), 2)))
    # Near a power of two, mpmath's log can round up across it; correct that.
    if mpmath.mpf(2) ** exponent > abs(exact):
        exponent -= 1
    return mpmath.mpf(2) ** (exponent - finfo.nmant)


def is_normal(exact: mpmath.mpf, dtype) -> bool:
    """True where the exact result is a finite, normal float of ``dtype``."""
    finfo = np.finfo(dtype)
    return finfo.smallest_normal <= abs(exact) <= finfo.max


def ulp_errors(computed, exact, dtype) -> np.ndarray:
    """Errors of ``computed`` in ULP of ``dtype``.

    NaN where the exact value is subnormal or out of range, so not measured; 0
    or inf where it is exactly 0, depending on whether ``computed`` is 0 too.

    ``exact`` is a sequence of mpmath numbers of the same length as ``computed``.
    """
    computed = np.asarray(computed).ravel()
    errors = np.full(computed.shape, np.nan)
    for i, (c, e) in enumerate(zip(computed, exact)):
        if e == 0:  # an exact zero must be computed exactly
            errors[i] = 0.0 if c == 0 else np.inf
        elif is_normal(e, dtype):
            if not np.isfinite(c):
                errors[i] = np.inf
            else:
                errors[i] = float(abs(mpmath.mpf(float(c)) - e) / ulp(e, dtype))
    return errors


def reference(func, *args) -> list:
    """``func`` applied in mpmath to the exact values of equal-length arrays."""
    columns = [np.asarray(a, dtype=np.float64).ravel() for a in args]
    return [func(*(mpmath.mpf(float(v)) for v in row)) for row in zip(*columns)]


def assert_within_ulp(computed, exact, dtype, bound, inputs=None) -> float:
    """Assert every error is at most ``bound`` ULP (an array or a number).

    Returns the worst error, so a test can report it.  The failure message
    names the worst input.
    """
    errors = ulp_errors(computed, exact, dtype)
    measured = ~np.isnan(errors)
    assert measured.any(), "no point with a normal exact result was measured"
    bound = np.broadcast_to(np.asarray(bound, dtype=float).ravel(), errors.shape)
    excess = np.where(measured, errors - bound, -np.inf)
    worst = int(np.argmax(excess))
    where = "" if inputs is None else f" at input {np.asarray(inputs).ravel()[worst]!r}"
    assert excess[worst] <= 0, (
        f"error of {errors[worst]:.3g} ULP{where} exceeds the bound of "
        f"{bound[worst]:.3g} ULP ({dtype.__name__})"
    )
    return float(np.nanmax(errors))


def sweep(dtype, limit: float, edges=(), n: int = 601) -> np.ndarray:
    """Points of ``dtype`` over [-limit, limit], denser near 0, plus ``±edges``.

    The sweep mixes a linear grid, a logarithmic grid of both signs (so that
    tiny inputs are covered) and the given edge points with both signs.
    """
    finfo = np.finfo(dtype)
    linear = np.linspace(-limit, limit, n)
    magnitudes = np.logspace(np.log10(finfo.smallest_normal) / 2, np.log10(limit), n // 2)
    edges = np.asarray(edges, float)
    points = np.concatenate([linear, magnitudes, -magnitudes, edges, -edges, [0.0]])
    points = points[np.abs(points) <= finfo.max]
    return np.unique(points.astype(dtype))


def spacing_at(exact: np.ndarray, dtype) -> np.ndarray:
    """The spacing of ``dtype`` floats at each exact value (float64 or double-double high part).

    That is 2^(e - nmant) for 2^e <= |exact| < 2^(e+1), the ULP of the issue's
    definition; at an exact power of two it is the spacing above it.
    """
    _, exponent = np.frexp(np.asarray(exact, dtype=np.float64))
    return np.ldexp(1.0, exponent - 1 - np.finfo(dtype).nmant)


def ulp_errors_against(computed, hi, dtype, lo=0.0) -> np.ndarray:
    """Errors of ``computed`` in ULP of ``dtype`` against the exact ``hi + lo``.

    NaN where the exact value is not a normal float of ``dtype`` (not
    measured); inf where ``computed`` is not finite but the exact value is.
    """
    computed = np.asarray(computed, dtype=np.float64)
    hi = np.asarray(hi, dtype=np.float64)
    finfo = np.finfo(dtype)
    normal = (np.abs(hi) >= finfo.smallest_normal) & (np.abs(hi) <= finfo.max)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore", under="ignore"):
        errors = np.abs((computed - hi) - lo) / spacing_at(hi, dtype)
    errors[~np.isfinite(computed)] = np.inf
    errors[~normal] = np.nan
    return errors


def worst(errors: np.ndarray, inputs: np.ndarray) -> tuple[float, float]:
    """The largest measured error and the input where it occurs."""
    if np.isnan(errors).all():
        return float("nan"), float("nan")
    i = int(np.nanargmax(errors))
    return float(errors[i]), float(np.asarray(inputs).ravel()[i])


def exact_sigmoid(z: mpmath.mpf) -> mpmath.mpf:
    """The logistic sigmoid in mpmath, the reference of several functions."""
    return 1 / (1 + mpmath.exp(-z))


def finite_z():
    """The inputs that the property tests draw: finite floats of moderate size."""
    from hypothesis import strategies as st

    return st.floats(-700, 700, allow_nan=False)
