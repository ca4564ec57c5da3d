"""Specification of the sigmoid, the logit and the sigmoid's derivatives."""

import mpmath
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from accuracy import FLOATS, assert_within_ulp, exact_sigmoid, finite_z, reference, sweep
from activations import logit, sigmoid, sigmoid_backward, sigmoid_grad
from activations.backprop import numerical_gradient


def exact_sigmoid_grad(z):
    # sigma(z) * sigma(-z), in a form that mpmath evaluates without cancellation.
    return 1 / ((1 + mpmath.exp(-z)) * (1 + mpmath.exp(z)))


def exact_logit(p):
    return mpmath.log(p / (1 - p))


# Inputs around the overflow edges: exp overflows near 88.7 (float32) and 709.8
# (float64); p(1 - p) is exactly 0 from z = 36.7 (float64) and 16.6 (float32).
EDGES = {
    np.float16: [11.0, 11.1, 8.0, 9.0],
    np.float32: [16.6, 17.0, 87.3, 88.0, 88.7, 89.0, 103.0],
    np.float64: [36.7, 36.8, 700.0, 708.0, 709.0, 709.78, 710.0, 745.0],
}
LIMITS = {np.float16: 18.0, np.float32: 110.0, np.float64: 750.0}


@pytest.mark.parametrize("dtype", FLOATS)
def test_sigmoid_is_within_8_ulp_everywhere(dtype):
    z = sweep(dtype, LIMITS[dtype], EDGES[dtype])
    assert_within_ulp(sigmoid(z), reference(exact_sigmoid, z), dtype, 8, z)


@pytest.mark.parametrize("dtype", FLOATS)
def test_sigmoid_grad_is_within_8_ulp_in_both_tails(dtype):
    z = sweep(dtype, LIMITS[dtype], EDGES[dtype])
    assert_within_ulp(sigmoid_grad(z), reference(exact_sigmoid_grad, z), dtype, 8, z)


def test_sigmoid_grad_keeps_accuracy_where_p_times_one_minus_p_is_zero():
    z = np.array([40.0, 100.0, 300.0, 700.0, -700.0])
    p = sigmoid(z)
    assert np.all(p[:-1] * (1 - p[:-1]) == 0.0)
    assert_within_ulp(sigmoid_grad(z), reference(exact_sigmoid_grad, z), np.float64, 8, z)


@pytest.mark.parametrize("dtype", FLOATS)
def test_logit_is_within_8_ulp_on_the_open_unit_interval(dtype):
    eps = np.finfo(dtype).eps
    near_half = 0.5 + np.array([-64, -8, -1, -0.5, 0.5, 1, 8, 64]) * eps
    near_one = 1 - np.logspace(np.log10(eps / 2), -1, 50)
    p = np.concatenate([np.linspace(0, 1, 801)[1:-1], near_half, near_one, 1 - near_one])
    p = np.unique(p.astype(dtype))
    p = p[(p > 0) & (p < 1)]
    assert_within_ulp(logit(p), reference(exact_logit, p), dtype, 8, p)


def test_logit_has_full_relative_accuracy_next_to_one_half():
    p = np.nextafter(0.5, 1.0)  # logit is 4 * 2**-53 * (1 + ...) here
    assert_within_ulp([logit(p)], reference(exact_logit, [p]), np.float64, 8)


def test_logit_of_zero_and_one_are_the_infinite_limits():
    assert logit(0.0) == -np.inf
    assert logit(1.0) == np.inf


@pytest.mark.parametrize("p", [-0.1, 1.5, -np.inf, np.inf])
def test_logit_rejects_probabilities_outside_the_unit_interval(p):
    with pytest.raises(ValueError, match=r"^logit: p must lie in \[0, 1\]"):
        logit([0.5, p])


def test_logit_rejects_an_out_of_range_value_beside_a_nan():
    with pytest.raises(ValueError, match=r"^logit: p must lie in \[0, 1\]"):
        logit([np.nan, -0.5])


@pytest.mark.parametrize("dtype", FLOATS)
def test_sigmoid_backward_is_within_4_ulp_of_its_formula_at_the_given_output(dtype):
    eps = np.finfo(dtype).eps
    # Outputs near 1 are where 1 - p^2-style evaluations cancel.
    tails = np.logspace(np.log10(eps / 2), -0.31, 200)
    p = np.unique(np.concatenate([tails, 1 - tails, np.linspace(0, 1, 201)]).astype(dtype))
    g = np.resize(np.array([1.0, -3.5, 0.125, 1e3], dtype=dtype), p.shape)
    exact = reference(lambda g, p: g * p * (1 - p), g, p)
    assert_within_ulp(sigmoid_backward(g, p), exact, dtype, 4, p)


def test_sigmoid_backward_loses_the_derivative_once_the_output_saturates():
    # The documented trade-off: p = 1.0 exactly, so g * p * (1 - p) is 0.
    z = 40.0
    assert sigmoid(z) == 1.0
    assert sigmoid_backward(1.0, sigmoid(z)) == 0.0
    assert sigmoid_grad(z) > 0.0


# Central differences of a sum of 20 terms cannot resolve values below about
# eps * |f| / h = 2e-16 * 10 / 6e-6, hence the absolute tolerance of 1e-9.


def test_sigmoid_grad_matches_finite_differences():
    z = np.random.default_rng(0).uniform(-8, 8, 20)
    numeric = numerical_gradient(lambda v: np.sum(sigmoid(v)), z)
    np.testing.assert_allclose(sigmoid_grad(z), numeric, rtol=1e-7, atol=1e-9)


def test_sigmoid_backward_matches_finite_differences_of_the_weighted_output():
    rng = np.random.default_rng(1)
    z, g = rng.uniform(-8, 8, 20), rng.normal(size=20)
    numeric = numerical_gradient(lambda v: np.sum(g * sigmoid(v)), z)
    np.testing.assert_allclose(sigmoid_backward(g, sigmoid(z)), numeric, rtol=1e-7, atol=1e-9)


def test_logit_matches_finite_differences_of_its_derivative():
    # d/dp logit(p) = 1 / (p (1 - p)).
    p = np.random.default_rng(2).uniform(0.05, 0.95, 50)
    numeric = numerical_gradient(lambda v: np.sum(logit(v)), p)
    np.testing.assert_allclose(numeric, 1 / (p * (1 - p)), rtol=1e-7)


@given(finite_z())
def test_sigmoid_is_symmetric_about_one_half(z):
    # 1 - sigmoid(z) is only accurate to an absolute eps, so compare absolutely.
    assert abs(sigmoid(-z) - (1 - sigmoid(z))) <= 2 * np.finfo(float).eps


@given(st.floats(-700, 30, allow_nan=False))
def test_logit_inverts_sigmoid(z):
    p = sigmoid(z)
    # Rounding p by eps*p moves logit(p) by eps*p/sigma'(z) = eps*(1 + e^z).
    tolerance = 4 * np.finfo(float).eps * (p / sigmoid_grad(z) + abs(z))
    assert abs(logit(p) - z) <= tolerance
