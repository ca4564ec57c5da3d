"""Specification of softplus, GELU and SiLU and their derivatives."""

import mpmath
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from accuracy import FLOATS, assert_within_ulp, exact_sigmoid, finite_z, reference, sweep
from activations import (
    gelu,
    gelu_backward,
    gelu_grad,
    sigmoid,
    silu,
    silu_backward,
    silu_grad,
    softplus,
    softplus_backward,
    softplus_grad,
)
from activations import smooth
from activations.backprop import numerical_gradient


def exact_softplus(z):
    return mpmath.log1p(mpmath.exp(z))


def exact_gelu(z):
    return z * mpmath.ncdf(z)


def exact_gelu_grad(z):
    return mpmath.ncdf(z) + z * mpmath.npdf(z)


def exact_silu(z):
    return z / (1 + mpmath.exp(-z))


def exact_silu_grad(z):
    # sigma(z) * (1 + z * sigma(-z)); mpmath's 50 digits absorb the cancellation
    # at the root, where about 17 of them are lost.
    return (1 + z / (1 + mpmath.exp(z))) / (1 + mpmath.exp(-z))


def floats_around(x, dtype, n=8):
    """The ``2n + 1`` floats of ``dtype`` nearest to ``x``, in order."""
    centre = np.asarray(x, dtype=dtype)
    below = [centre]
    above = [centre]
    for _ in range(n):
        below.append(np.nextafter(below[-1], dtype(-np.inf)))
        above.append(np.nextafter(above[-1], dtype(np.inf)))
    return np.array(below[:0:-1] + above, dtype=dtype)


GELU_GRAD_ROOT = -0.7517915246935644574579049467795240396645
SILU_GRAD_ROOT = -1.278464542761073795109358739022980155439

# softplus: e^z underflows near -745 (float64), -103 (float32), -17 (float16);
# ln(1 + e^z) overflows from 709.78 (float64) and 88.7 (float32).
SOFTPLUS_EDGES = {
    np.float16: [9.0, 9.7, 11.0, 11.1, 17.0],
    np.float32: [16.6, 17.0, 87.3, 88.0, 88.7, 89.0, 103.0],
    np.float64: [36.7, 37.0, 700.0, 708.0, 708.4, 709.0, 709.78, 710.0, 745.0],
}
SOFTPLUS_LIMITS = {np.float16: 18.0, np.float32: 110.0, np.float64: 750.0}

# GELU leaves the normal range at z = -37.5 (float64), -13.2 (float32) and
# -3.4 (float16); erfc underflows soon after.
GELU_EDGES = {
    np.float16: [0.75, 3.0, 3.4, 3.5, 4.0],
    np.float32: [0.75, 8.3, 12.0, 13.2, 13.5, 14.0],
    np.float64: [0.75, 8.3, 30.0, 37.0, 37.5, 38.0, 38.5, 39.0],
}
GELU_LIMITS = {np.float16: 6.0, np.float32: 16.0, np.float64: 40.0}


def sweep_with_root(dtype, limit, edges, root):
    return np.unique(np.concatenate([sweep(dtype, limit, edges), floats_around(root, dtype)]))


# --- softplus ---------------------------------------------------------------


@pytest.mark.parametrize("dtype", FLOATS)
def test_softplus_is_within_8_ulp_in_both_tails(dtype):
    z = sweep(dtype, SOFTPLUS_LIMITS[dtype], SOFTPLUS_EDGES[dtype])
    assert_within_ulp(softplus(z), reference(exact_softplus, z), dtype, 8, z)


def test_softplus_is_within_8_ulp_from_minus_700_to_700():
    z = np.linspace(-700, 700, 2801)
    assert_within_ulp(softplus(z), reference(exact_softplus, z), np.float64, 8, z)


def test_softplus_keeps_accuracy_where_the_naive_formula_fails():
    z = np.array([-40.0, -700.0, 710.0, 1000.0])
    with np.errstate(over="ignore"):
        naive = np.log(1 + np.exp(z))
    assert np.all(naive[:2] == 0.0)  # 1 + e^z rounds to 1
    assert np.all(np.isinf(naive[2:]))  # e^z overflows
    assert_within_ulp(softplus(z), reference(exact_softplus, z), np.float64, 8, z)


@pytest.mark.parametrize("dtype", FLOATS)
def test_softplus_grad_is_within_8_ulp_in_both_tails(dtype):
    z = sweep(dtype, SOFTPLUS_LIMITS[dtype], SOFTPLUS_EDGES[dtype])
    assert_within_ulp(softplus_grad(z), reference(exact_sigmoid, z), dtype, 8, z)


@pytest.mark.parametrize("dtype", FLOATS)
def test_softplus_backward_is_within_4_ulp_of_its_formula_at_the_given_output(dtype):
    finfo = np.finfo(dtype)
    tiny = np.logspace(np.log10(finfo.smallest_normal), 0, 200)
    y = np.concatenate([tiny, np.linspace(0, 60, 201), [float(finfo.max)]])
    y = np.unique(y.astype(dtype))
    g = np.resize(np.array([1.0, -3.5, 0.125, 1e3], dtype=dtype), y.shape)
    exact = reference(lambda g, y: -g * mpmath.expm1(-y), g, y)
    assert_within_ulp(softplus_backward(g, y), exact, dtype, 4, y)


@pytest.mark.parametrize("dtype", FLOATS)
def test_softplus_backward_is_accurate_in_both_tails_from_the_output(dtype):
    # Unlike sigmoid_backward, the output of softplus keeps what the
    # derivative needs: within 8 ULP of sigma(z) itself, from the output.
    z = sweep(dtype, SOFTPLUS_LIMITS[dtype], SOFTPLUS_EDGES[dtype])
    y = softplus(z)
    measured = y >= np.finfo(dtype).smallest_normal  # a subnormal y has lost digits
    z, y = z[measured], y[measured]
    assert_within_ulp(
        softplus_backward(np.ones_like(y), y), reference(exact_sigmoid, z), dtype, 8, z
    )


# --- GELU -------------------------------------------------------------------


def test_gelu_keeps_accuracy_down_to_minus_37_where_one_plus_erf_cancels():
    from scipy.special import erf

    z = np.linspace(-37.4, -9.0, 300)
    assert np.all(0.5 * z * (1 + erf(z / np.sqrt(2))) == 0.0)
    assert_within_ulp(gelu(z), reference(exact_gelu, z), np.float64, 8, z)


def test_gelu_is_the_identity_for_large_z():
    z = np.array([38.5, 40.0, 1e3, 1e300, np.finfo(float).max])
    np.testing.assert_array_equal(gelu(z), z)


def test_gelu_grad_keeps_full_relative_accuracy_at_the_floats_nearest_its_root():
    z = floats_around(GELU_GRAD_ROOT, np.float64, n=64)
    assert_within_ulp(gelu_grad(z), reference(exact_gelu_grad, z), np.float64, 8, z)


def test_gelu_grad_changes_sign_at_its_root():
    below, above = floats_around(GELU_GRAD_ROOT, np.float64, n=1)[[0, 2]]
    assert gelu_grad(below) < 0 < gelu_grad(above)


# --- SiLU -------------------------------------------------------------------


@pytest.mark.parametrize("dtype", FLOATS)
def test_silu_is_within_8_ulp_in_both_tails(dtype):
    z = sweep(dtype, SOFTPLUS_LIMITS[dtype], SOFTPLUS_EDGES[dtype])
    assert_within_ulp(silu(z), reference(exact_silu, z), dtype, 8, z)


@pytest.mark.parametrize("dtype", FLOATS)
def test_silu_grad_is_within_8_ulp_in_both_tails_and_at_its_root(dtype):
    limit = SOFTPLUS_LIMITS[dtype]
    z = sweep_with_root(dtype, limit, SOFTPLUS_EDGES[dtype], SILU_GRAD_ROOT)
    assert_within_ulp(silu_grad(z), reference(exact_silu_grad, z), dtype, 8, z)


def test_silu_grad_keeps_full_relative_accuracy_at_the_floats_nearest_its_root():
    z = floats_around(SILU_GRAD_ROOT, np.float64, n=64)
    assert_within_ulp(silu_grad(z), reference(exact_silu_grad, z), np.float64, 8, z)


def test_silu_grad_changes_sign_at_its_root():
    below, above = floats_around(SILU_GRAD_ROOT, np.float64, n=1)[[0, 2]]
    assert silu_grad(below) < 0 < silu_grad(above)


# --- all of them ------------------------------------------------------------

# Central differences of a sum of 40 terms cannot resolve values below about
# eps * |f| / h = 2e-16 * 40 / 6e-6, hence the absolute tolerance of 1e-8.
SMOOTH = [
    (softplus, softplus_grad),
    (gelu, gelu_grad),
    (silu, silu_grad),
]


@pytest.mark.parametrize(("func", "grad"), SMOOTH, ids=lambda f: f.__name__)
def test_derivatives_match_finite_differences(func, grad):
    z = np.concatenate([np.random.default_rng(0).uniform(-8, 8, 36), [-0.75, -1.28, 0.0, 3.0]])
    numeric = numerical_gradient(lambda v: np.sum(func(v)), z)
    np.testing.assert_allclose(grad(z), numeric, rtol=1e-7, atol=1e-8)


def test_softplus_backward_matches_finite_differences_of_the_weighted_output():
    rng = np.random.default_rng(1)
    z, g = rng.uniform(-8, 8, 40), rng.normal(size=40)
    numeric = numerical_gradient(lambda v: np.sum(g * softplus(v)), z)
    np.testing.assert_allclose(softplus_backward(g, softplus(z)), numeric, rtol=1e-7, atol=1e-8)


@pytest.mark.parametrize(("func", "backward"), [(gelu, gelu_backward), (silu, silu_backward)],
                         ids=["gelu_backward", "silu_backward"])
def test_backward_from_the_input_matches_finite_differences_of_the_weighted_output(
    func, backward
):
    rng = np.random.default_rng(2)
    z, g = rng.uniform(-8, 8, 40), rng.normal(size=40)
    numeric = numerical_gradient(lambda v: np.sum(g * func(v)), z)
    np.testing.assert_allclose(backward(g, z), numeric, rtol=1e-7, atol=1e-8)


@pytest.mark.parametrize(
    ("name", "exact"),
    [("GELU", exact_gelu_grad), ("SILU", exact_silu_grad)],
)
def test_the_stored_roots_and_taylor_coefficients_are_those_of_mpmath(name, exact):
    root = getattr(smooth, f"_{name}_GRAD_ROOT")
    coefficients = getattr(smooth, f"_{name}_GRAD_TAYLOR")
    with mpmath.workdps(60):
        true_root = mpmath.findroot(exact, root[0])
        assert abs(sum(mpmath.mpf(r) for r in root) - true_root) < mpmath.mpf(2) ** -150
        taylor = mpmath.taylor(exact, true_root, len(coefficients))
        assert taylor[0] == 0 or abs(taylor[0]) < mpmath.mpf(10) ** -50
        assert [float(c) for c in taylor[1:]] == list(coefficients)


@given(finite_z())
def test_softplus_minus_its_mirror_image_is_z(z):
    # softplus(z) - softplus(-z) = z; the two terms round separately.
    difference = softplus(z) - softplus(-z)
    assert abs(difference - z) <= 4 * np.finfo(float).eps * max(abs(z), softplus(z))


@given(finite_z())
def test_softplus_grad_is_the_exact_sigmoid(z):
    assert_within_ulp(softplus_grad(z), [exact_sigmoid(mpmath.mpf(z))], np.float64, 8, z)


@given(finite_z())
def test_silu_is_z_times_the_sigmoid(z):
    # Both sides are within about 1.5 ULP of the exact value, and far left silu
    # evaluates z e^z (1 + ...) instead: they may differ by 2 ULP and a little more
    # (at z = -159.259..., by 2.04 eps relative).
    assert abs(silu(z) - z * sigmoid(z)) <= 4 * np.finfo(float).eps * abs(z * sigmoid(z))


@given(st.floats(-30, 30, allow_nan=False))
def test_gelu_lies_between_relu_and_a_shifted_copy(z):
    # z Phi(z) <= max(z, 0), and it is never below the minimum of GELU, -0.17.
    assert gelu(z) <= max(z, 0.0)
    assert gelu(z) >= -0.170
