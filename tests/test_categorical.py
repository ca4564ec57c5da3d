"""Specification of softmax, log-softmax, the softmax Jacobian and backward passes."""

import math

import mpmath
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from accuracy import FLOATS, assert_within_ulp
from activations import (
    log_softmax,
    log_softmax_backward,
    sigmoid,
    softmax,
    softmax_backward,
    softmax_jacobian,
)
from activations.backprop import numerical_gradient


def exact_log_softmax(row):
    """log p for one row, in mpmath: (z_i - m) - log1p(sum of the others)."""
    z = [mpmath.mpf(float(v)) for v in row]
    top = int(np.argmax(row))
    others = mpmath.fsum(mpmath.exp(v - z[top]) for j, v in enumerate(z) if j != top)
    return [(v - z[top]) - mpmath.log1p(others) for v in z]


def exact_softmax(row):
    return [mpmath.exp(v) for v in exact_log_softmax(row)]


# Spreads of logits tested in each precision; e^{-spread} must stay normal.
SPREADS = {np.float16: [0.1, 1, 4, 8], np.float32: [0.1, 1, 10, 40, 80], np.float64: [0.1, 1, 10, 40, 200, 700]}
SPECIAL_ROWS = {
    np.float16: [[0, -8], [0, 0], [5, 5, 5]],
    np.float32: [[0, -20], [0, -80], [88, 89], [0, 0, 0]],
    np.float64: [[0, -40], [0, -700], [1000, 1000], [-1e3, 0, 1e3], [709, 710], [0, 0, -40]],
}


def rows(dtype):
    """Rows of logits of many lengths and spreads, plus the hard cases."""
    rng = np.random.default_rng(7)
    generated = [
        rng.uniform(-spread, 0, size=k) + rng.uniform(-50, 50) * (dtype != np.float16)
        for spread in SPREADS[dtype]
        for k in (1, 2, 3, 10, 30)
    ]
    return [np.asarray(r, dtype=dtype) for r in generated + SPECIAL_ROWS[dtype]]


def spread(row):
    return float(np.max(row) - np.min(row))


@pytest.mark.parametrize("dtype", FLOATS)
def test_softmax_is_within_8_plus_spread_ulp(dtype):
    for row in rows(dtype):
        assert_within_ulp(softmax(row), exact_softmax(row), dtype, 8 + spread(row), row)


@pytest.mark.parametrize("dtype", FLOATS)
def test_log_softmax_is_within_8_plus_spread_ulp(dtype):
    for row in rows(dtype):
        assert_within_ulp(log_softmax(row), exact_log_softmax(row), dtype, 8 + spread(row), row)


def test_log_softmax_keeps_relative_accuracy_for_the_dominant_class():
    # The true value is -4.248e-18; log(sum(exp(z - m))) would round to 0.
    value = log_softmax([0.0, -40.0])[0]
    assert value < 0
    assert_within_ulp([value], [exact_log_softmax([0.0, -40.0])[0]], np.float64, 8)


def test_softmax_of_huge_logits_does_not_overflow():
    p = softmax([1000.0, 1000.0 + np.log(3.0)])
    np.testing.assert_allclose(p, [0.25, 0.75], rtol=1e-13)


@pytest.mark.parametrize("func", [softmax, log_softmax])
def test_a_row_with_positive_infinity_gives_nan_without_a_warning(func):
    result = func([[0.0, np.inf], [0.0, 1.0]])
    assert np.all(np.isnan(result[0]))
    assert np.all(np.isfinite(result[1]))


def test_a_logit_of_minus_infinity_has_probability_zero():
    np.testing.assert_array_equal(softmax([0.0, -np.inf]), [1.0, 0.0])
    np.testing.assert_array_equal(log_softmax([0.0, -np.inf]), [0.0, -np.inf])


@pytest.mark.parametrize("func", [softmax, log_softmax])
def test_works_along_any_axis(func):
    z = np.random.default_rng(3).normal(size=(3, 4, 5))
    expected = np.moveaxis(func(np.moveaxis(z, 1, -1)), -1, 1)
    np.testing.assert_array_equal(func(z, axis=1), expected)


def test_jacobian_matches_finite_differences():
    z = np.random.default_rng(4).normal(size=6)
    numeric = np.array([numerical_gradient(lambda v: softmax(v)[i], z) for i in range(6)])
    np.testing.assert_allclose(softmax_jacobian(z), numeric, rtol=1e-7, atol=1e-10)


def test_jacobian_is_diag_p_minus_outer_product():
    z = np.random.default_rng(5).normal(size=5)
    p = softmax(z)
    np.testing.assert_allclose(softmax_jacobian(z), np.diag(p) - np.outer(p, p), atol=1e-16)


def test_jacobian_is_symmetric_and_its_rows_sum_to_zero():
    jacobian = softmax_jacobian(np.random.default_rng(6).normal(size=(4, 7)))
    np.testing.assert_array_equal(jacobian, np.swapaxes(jacobian, -1, -2))
    np.testing.assert_allclose(jacobian.sum(axis=-1), 0.0, atol=1e-16)


def test_jacobian_axes_come_last():
    z = np.random.default_rng(7).normal(size=(3, 4, 5))
    jacobian = softmax_jacobian(z, axis=1)
    assert jacobian.shape == (3, 5, 4, 4)
    np.testing.assert_array_equal(jacobian[2, 3], softmax_jacobian(z[2, :, 3]))


def test_softmax_backward_matches_finite_differences():
    rng = np.random.default_rng(8)
    z, g = rng.normal(size=(3, 6)), rng.normal(size=(3, 6))
    numeric = numerical_gradient(lambda v: np.sum(g * softmax(v)), z)
    np.testing.assert_allclose(softmax_backward(g, softmax(z)), numeric, rtol=1e-7, atol=1e-10)


def test_log_softmax_backward_matches_finite_differences():
    rng = np.random.default_rng(9)
    z, g = rng.normal(size=(3, 6)), rng.normal(size=(3, 6))
    numeric = numerical_gradient(lambda v: np.sum(g * log_softmax(v)), z)
    np.testing.assert_allclose(
        log_softmax_backward(g, log_softmax(z)), numeric, rtol=1e-7, atol=1e-10
    )


def test_backward_functions_work_along_any_axis():
    rng = np.random.default_rng(10)
    z, g = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    np.testing.assert_allclose(
        softmax_backward(g, softmax(z, axis=0), axis=0),
        softmax_backward(g.T, softmax(z.T)).T,
    )
    np.testing.assert_allclose(
        log_softmax_backward(g, log_softmax(z, axis=0), axis=0),
        log_softmax_backward(g.T, log_softmax(z.T)).T,
    )


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_backward_error_is_bounded_by_the_condition_of_its_formula(dtype):
    """p_j (g_j - sum_i g_i p_i) to a few eps of p_j (|g_j| + sum_i |g_i| p_i).

    The difference g_j - sum_i g_i p_i may cancel for some data; the rounding
    error is then relative to the size of the terms, not of the result.
    """
    rng = np.random.default_rng(11)
    eps = np.finfo(dtype).eps
    for k in (2, 5, 50):
        g = rng.normal(size=k).astype(dtype)
        p = softmax(rng.normal(scale=3, size=k)).astype(dtype)
        mp_g, mp_p = [mpmath.mpf(float(v)) for v in g], [mpmath.mpf(float(v)) for v in p]
        weighted = mpmath.fsum(a * b for a, b in zip(mp_g, mp_p))
        exact = np.array([float(b * (a - weighted)) for a, b in zip(mp_g, mp_p)])
        scale = p * (np.abs(g) + np.sum(np.abs(g) * p))
        assert np.all(np.abs(softmax_backward(g, p) - exact) <= 8 * eps * scale)


def test_cross_entropy_gradient_through_log_softmax_backward_is_p_minus_t():
    z = np.array([2.0, -1.0, 0.5])
    t = np.array([0.0, 1.0, 0.0])
    gradient = log_softmax_backward(-t, log_softmax(z))
    np.testing.assert_allclose(gradient, softmax(z) - t, atol=1e-16)


logit_rows = arrays(np.float64, st.integers(1, 8), elements=st.floats(-50, 50))


@given(logit_rows)
def test_softmax_sums_to_one(z):
    assert abs(np.sum(softmax(z)) - 1) <= 2 * z.size * np.finfo(float).eps


@given(logit_rows, st.floats(-50, 50))
def test_softmax_is_invariant_under_a_shift(z, shift):
    p, shifted = softmax(z), softmax(z + shift)
    # Rounding z + shift moves each logit by up to 50 * 2**-46 (about 8e-13).
    np.testing.assert_allclose(shifted, p, rtol=2e-12 * (1 + np.ptp(z)), atol=1e-300)


@given(logit_rows, st.data())
def test_softmax_backward_is_the_jacobian_vector_product(z, data):
    g = data.draw(arrays(np.float64, z.shape, elements=st.floats(-10, 10)))
    expected = softmax_jacobian(z) @ g
    np.testing.assert_allclose(softmax_backward(g, softmax(z)), expected, rtol=1e-12, atol=1e-14)


@given(st.floats(-700, 700, allow_nan=False))
def test_softmax_with_two_classes_and_z1_zero_is_the_sigmoid(z2):
    assert_within_ulp([softmax([0.0, z2])[1]], [1 / (1 + mpmath.exp(-mpmath.mpf(z2)))], np.float64, 8)
    np.testing.assert_allclose(softmax([0.0, z2])[1], sigmoid(z2), rtol=8 * np.finfo(float).eps)


# --- along every axis, in every layout, against mpmath -------------------------


def layouts(z):
    """``z`` in C order, Fortran order, as a strided view and with negative strides."""
    wide = np.zeros(z.shape[:-1] + (2 * z.shape[-1],), dtype=z.dtype)
    wide[..., ::2] = z
    reversed_ = np.ascontiguousarray(z[::-1, ..., ::-1])[::-1, ..., ::-1]
    return {"C": np.ascontiguousarray(z), "Fortran": np.asfortranarray(z), "strided": wide[..., ::2],
            "reversed": reversed_}


def exact_along(func, z, axis):
    """``func`` of each row along ``axis``, in mpmath, as an array of mpf objects."""
    moved = np.moveaxis(z, axis, -1)
    exact = np.empty(moved.shape, dtype=object)
    for index in np.ndindex(*moved.shape[:-1]):
        exact[index] = func(moved[index])
    return np.moveaxis(exact, -1, axis)


@pytest.mark.parametrize("layout", ["C", "Fortran", "strided", "reversed"])
@pytest.mark.parametrize("axis", [0, 1, 2])
@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize(("func", "exact"), [(softmax, exact_softmax), (log_softmax, exact_log_softmax)],
                         ids=["softmax", "log_softmax"])
def test_within_8_plus_spread_ulp_along_every_axis_of_a_3d_array_in_every_layout(func, exact, dtype, axis, layout):
    rng = np.random.default_rng(12)
    z = rng.uniform(-4.0, 4.0, (6, 7, 9)).astype(dtype)
    reference = exact_along(exact, z, axis)
    bound = 8 + np.ptp(z.astype(float), axis=axis, keepdims=True) + np.zeros(z.shape)
    assert_within_ulp(func(layouts(z)[layout], axis=axis), reference.ravel(), dtype, bound, z)


def test_softmax_of_long_columns_is_within_8_plus_spread_ulp():
    """Ten thousand classes along the first axis of a C-ordered array: a strided axis."""
    from accuracy import ulp_errors_against

    z = np.random.default_rng(1).uniform(0, 1, (10000, 2))
    reference = exact_along(exact_softmax, z, 0)
    hi = reference.astype(float)
    lo = (reference - hi).astype(float)
    errors = ulp_errors_against(softmax(z, axis=0), hi, np.float64, lo)
    assert np.nanmax(errors) <= 8 + np.ptp(z)


def test_float32_softmax_of_a_hundred_thousand_classes_on_a_strided_axis():
    z = np.random.default_rng(2).uniform(0, 1, (100_000, 3)).astype(np.float32)
    wide = z.astype(np.float64)
    e = np.exp(wide - wide.max(axis=0))
    exact = e / np.array([math.fsum(column) for column in e.T])  # float64: far below float32's ULP
    p = softmax(z, axis=0)
    from accuracy import ulp_errors_against

    assert np.nanmax(ulp_errors_against(p, exact, np.float32)) <= 8 + np.ptp(wide) - 0.1


@pytest.mark.parametrize("layout", ["C", "Fortran"])
@pytest.mark.parametrize("axis", [0, 1, 2])
def test_softmax_jacobian_along_every_axis_is_diag_p_minus_p_p_transposed(axis, layout):
    z = np.random.default_rng(13).normal(size=(3, 4, 5))
    jacobian = softmax_jacobian(layouts(z)[layout], axis=axis)
    p = np.moveaxis(exact_along(exact_softmax, z, axis), axis, -1)
    exact = np.vectorize(lambda a, b: a * b, otypes=[object])(p[..., :, None], -p[..., None, :])
    k = p.shape[-1]
    for i in range(k):
        exact[..., i, i] += p[..., i]
    spacing = np.spacing(np.abs(jacobian).max(axis=(-2, -1), keepdims=True))
    error = np.abs(jacobian - exact.astype(float))
    assert (error <= 8 * spacing).all()


# --- finite extremes --------------------------------------------------------------


@pytest.mark.parametrize(("dtype", "big"), [(np.float64, 1e308), (np.float32, 3e38), (np.float16, 6e4)])
def test_logits_at_opposite_ends_of_the_range_give_the_exact_result_without_a_warning(dtype, big):
    z = np.array([big, -big], dtype=dtype)
    with np.errstate(all="raise"):
        np.testing.assert_array_equal(softmax(z), [1.0, 0.0])
        assert log_softmax(z)[0] == 0.0 and log_softmax(z)[1] < -big  # -2 big: -inf where it overflows
        np.testing.assert_array_equal(softmax_jacobian(z), [[0.0, 0.0], [0.0, 0.0]])


def test_jacobian_of_tiny_probabilities_underflows_without_a_warning():
    """Products p_i p_j below the smallest float are 0, as the caller's errstate cannot change."""
    z = np.array([0.0, -460.0, -460.0, -700.0])  # p of about 1e-200 and 1e-304
    with np.errstate(all="raise"):
        jacobian = softmax_jacobian(z)
    with np.errstate(under="ignore"):
        p = softmax(z)
        off_diagonal = -np.outer(p, p)
    mask = ~np.eye(4, dtype=bool)
    np.testing.assert_array_equal(jacobian[mask], off_diagonal[mask])
    assert jacobian[1, 2] == 0.0 and jacobian[0, 1] < 0.0


def test_softmax_backward_of_a_certain_prediction_is_zero_not_nan():
    with np.errstate(all="raise"):
        np.testing.assert_array_equal(softmax_backward([1e308, -1e308], [1.0, 0.0]), [0.0, 0.0])


def test_log_softmax_backward_of_huge_equal_gradients_is_zero_not_infinite():
    with np.errstate(all="raise"):
        result = log_softmax_backward([1e308, 1e308], log_softmax([0.0, 0.0]))
    np.testing.assert_array_equal(result, [0.0, 0.0])


def test_log_softmax_backward_of_huge_gradients_is_exact_where_finite():
    g = np.array([1e308, -1e308, 1e308])
    y = log_softmax(np.array([0.0, 0.0, 0.0]))
    with np.errstate(all="raise"):
        result = log_softmax_backward(g, y)
    # g - p * sum(g) with sum(g) = 1e308: exactly 1e308 - 1e308/3, ...
    expected = [float(mpmath.mpf(v) - mpmath.mpf(1e308) / 3) for v in g]
    np.testing.assert_allclose(result, expected, rtol=4 * np.finfo(float).eps)
