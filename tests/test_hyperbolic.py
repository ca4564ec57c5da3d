"""Specification of the hyperbolic tangent and its derivatives."""

import mpmath
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from accuracy import FLOATS, assert_within_ulp, exact_sigmoid, finite_z, reference, sweep
from activations import sigmoid, tanh, tanh_backward, tanh_grad
from activations.backprop import numerical_gradient


def exact_tanh_grad(z):
    return 1 / mpmath.cosh(z) ** 2


# 1 - tanh(z)**2 is exactly 0 from |z| = 19.1 (float64) and 9.0 (float32); the
# true derivative leaves the normal range near |z| = 354 (float64), 44 (float32).
EDGES = {
    np.float16: [4.0, 5.0, 6.0, 8.0],
    np.float32: [9.0, 9.1, 43.0, 44.0, 44.5, 45.0, 88.7, 89.0],
    np.float64: [19.0, 19.1, 350.0, 354.0, 355.0, 356.0, 709.78, 710.0],
}
LIMITS = {np.float16: 10.0, np.float32: 100.0, np.float64: 750.0}


@pytest.mark.parametrize("dtype", FLOATS)
def test_tanh_is_within_8_ulp_everywhere(dtype):
    z = sweep(dtype, LIMITS[dtype], EDGES[dtype])
    assert_within_ulp(tanh(z), reference(mpmath.tanh, z), dtype, 8, z)


@pytest.mark.parametrize("dtype", FLOATS)
def test_tanh_grad_is_within_8_ulp_in_both_tails(dtype):
    z = sweep(dtype, LIMITS[dtype], EDGES[dtype])
    assert_within_ulp(tanh_grad(z), reference(exact_tanh_grad, z), dtype, 8, z)


def test_tanh_grad_keeps_accuracy_where_one_minus_tanh_squared_is_zero():
    z = np.array([20.0, 100.0, 350.0, -350.0])
    assert np.all(1 - np.tanh(z) ** 2 == 0.0)
    assert_within_ulp(tanh_grad(z), reference(exact_tanh_grad, z), np.float64, 8, z)


@pytest.mark.parametrize("dtype", FLOATS)
def test_tanh_backward_is_within_4_ulp_of_its_formula_at_the_given_output(dtype):
    eps = np.finfo(dtype).eps
    # Outputs near +-1 are where 1 - t**2 evaluated as written cancels.
    tails = np.logspace(np.log10(eps / 2), -0.31, 200)
    t = np.concatenate([1 - tails, tails - 1, np.linspace(-1, 1, 201)])
    t = np.unique(t.astype(dtype))
    g = np.resize(np.array([1.0, -3.5, 0.125, 1e3], dtype=dtype), t.shape)
    exact = reference(lambda g, t: g * (1 - t * t), g, t)
    assert_within_ulp(tanh_backward(g, t), exact, dtype, 4, t)


def test_tanh_backward_loses_the_derivative_once_the_output_saturates():
    z = 20.0
    assert tanh(z) == 1.0
    assert tanh_backward(1.0, tanh(z)) == 0.0
    assert tanh_grad(z) > 0.0


def test_tanh_grad_matches_finite_differences():
    # Below eps * |f| / h, about 1e-9 for this sum, central differences are noise.
    z = np.random.default_rng(0).uniform(-5, 5, 20)
    numeric = numerical_gradient(lambda v: np.sum(tanh(v)), z)
    np.testing.assert_allclose(tanh_grad(z), numeric, rtol=1e-7, atol=1e-9)


def test_tanh_backward_matches_finite_differences_of_the_weighted_output():
    rng = np.random.default_rng(1)
    z, g = rng.uniform(-5, 5, 20), rng.normal(size=20)
    numeric = numerical_gradient(lambda v: np.sum(g * tanh(v)), z)
    np.testing.assert_allclose(tanh_backward(g, tanh(z)), numeric, rtol=1e-7, atol=1e-9)


@given(st.floats(-300, 300, allow_nan=False))
def test_tanh_is_a_rescaled_sigmoid(z):
    # 2 sigma(2z) - 1 cancels near 0, so it is only accurate to an absolute eps.
    assert abs(tanh(z) - (2 * sigmoid(2 * z) - 1)) <= 4 * np.finfo(float).eps
