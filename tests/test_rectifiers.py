"""Specification of ReLU, leaky ReLU and ELU and their derivatives."""

import mpmath
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from accuracy import FLOATS, assert_within_ulp, exact_sigmoid, finite_z, reference, sweep
from activations import (
    elu,
    elu_backward,
    elu_grad,
    leaky_relu,
    leaky_relu_backward,
    leaky_relu_grad,
    relu,
    relu_backward,
    relu_grad,
)
from activations.backprop import numerical_gradient

# expm1 and exp underflow near -745 (float64), -103 (float32), -17 (float16).
EDGES = {
    np.float16: [9.7, 11.0, 17.0],
    np.float32: [16.6, 17.0, 87.3, 88.0, 103.0],
    np.float64: [36.7, 37.5, 700.0, 708.0, 709.78, 710.0, 745.0],
}
LIMITS = {np.float16: 18.0, np.float32: 110.0, np.float64: 750.0}
ALPHAS = [1.0, 0.5, 1.6732632423543772]


def exact_elu(alpha):
    return lambda z: z if z > 0 else alpha * mpmath.expm1(z)


def exact_elu_grad(alpha):
    return lambda z: mpmath.mpf(1) if z > 0 else alpha * mpmath.exp(z)


# --- ReLU -------------------------------------------------------------------


@pytest.mark.parametrize("dtype", FLOATS)
def test_relu_is_exact(dtype):
    z = sweep(dtype, LIMITS[dtype], EDGES[dtype])
    np.testing.assert_array_equal(relu(z), np.where(z > 0, z, 0).astype(dtype))


def test_relu_grad_is_one_above_zero_and_zero_elsewhere():
    z = np.array([-np.inf, -1e300, -1.0, -5e-324, 0.0, 5e-324, 1.0, 1e300, np.inf])
    np.testing.assert_array_equal(relu_grad(z), [0, 0, 0, 0, 0, 1, 1, 1, 1])


def test_relu_grad_at_zero_is_zero_as_in_pytorch():
    assert relu_grad(0.0) == 0.0
    assert relu_grad(-0.0) == 0.0


def test_relu_backward_passes_the_gradient_where_the_output_is_positive():
    g = np.array([2.0, -3.0, 4.0, 5.0])
    np.testing.assert_array_equal(relu_backward(g, relu([-1.0, 0.0, 1e-300, 7.0])), [0, 0, 4, 5])


def test_relu_backward_agrees_with_relu_grad_at_zero():
    assert relu_backward(1.0, relu(0.0)) == relu_grad(0.0)


# --- leaky ReLU ---------------------------------------------------------------


@pytest.mark.parametrize("slope", [0.01, 0.2, 0.0, 3.0, -0.5])
@pytest.mark.parametrize("dtype", FLOATS)
def test_leaky_relu_is_within_1_ulp(dtype, slope):
    z = sweep(dtype, LIMITS[dtype], EDGES[dtype])
    exact = reference(lambda z: z if z > 0 else slope * z, z)
    result = leaky_relu(z, slope)
    # The slope rounds to the working dtype, then the product rounds once.
    assert_within_ulp(result[result != 0], [e for e, r in zip(exact, result) if r != 0],
                      dtype, 1)


def test_leaky_relu_grad_is_one_above_zero_and_the_slope_elsewhere():
    z = np.array([-np.inf, -1.0, 0.0, 5e-324, np.inf])
    np.testing.assert_array_equal(leaky_relu_grad(z, 0.25), [0.25, 0.25, 0.25, 1, 1])


def test_leaky_relu_grad_at_zero_is_the_slope_from_the_left():
    assert leaky_relu_grad(0.0, negative_slope=0.1) == 0.1


def test_leaky_relu_backward_uses_the_slope_where_the_output_is_not_positive():
    g = np.array([2.0, 2.0, 2.0])
    y = leaky_relu([-1.0, 0.0, 1.0], 0.5)
    np.testing.assert_array_equal(leaky_relu_backward(g, y, 0.5), [1.0, 1.0, 2.0])


def test_leaky_relu_with_zero_slope_is_relu_even_at_minus_infinity():
    z = np.array([-np.inf, -1.0, 0.0, 2.0, np.inf])
    np.testing.assert_array_equal(leaky_relu(z, 0.0), [0.0, 0.0, 0.0, 2.0, np.inf])


@pytest.mark.parametrize("func", [leaky_relu, leaky_relu_grad])
@pytest.mark.parametrize("slope", [np.inf, -np.inf, np.nan])
def test_leaky_relu_rejects_a_slope_that_is_not_finite(func, slope):
    with pytest.raises(ValueError, match=rf"^{func.__name__}: negative_slope must be a finite real number"):
        func(1.0, slope)


@pytest.mark.parametrize("func", [leaky_relu, leaky_relu_grad])
@pytest.mark.parametrize("slope", ["0.1", None, [0.1], True, 1j])
def test_leaky_relu_rejects_a_slope_that_is_not_a_real_number(func, slope):
    with pytest.raises(TypeError, match=rf"^{func.__name__}: negative_slope must be"):
        func(1.0, slope)


def test_leaky_relu_backward_rejects_a_negative_slope():
    # With s < 0 the output is positive on both sides of 0.
    with pytest.raises(ValueError, match=r"^leaky_relu_backward: negative_slope must be non-neg"):
        leaky_relu_backward(1.0, 1.0, -0.1)


def test_leaky_relu_forward_and_grad_accept_a_negative_slope():
    assert leaky_relu(-2.0, -0.5) == 1.0
    assert leaky_relu_grad(-2.0, -0.5) == -0.5


# --- ELU --------------------------------------------------------------------


@pytest.mark.parametrize("alpha", ALPHAS)
@pytest.mark.parametrize("dtype", FLOATS)
def test_elu_is_within_8_ulp_everywhere(dtype, alpha):
    z = sweep(dtype, LIMITS[dtype], EDGES[dtype])
    assert_within_ulp(elu(z, alpha), reference(exact_elu(alpha), z), dtype, 8, z)


@pytest.mark.parametrize("alpha", ALPHAS)
@pytest.mark.parametrize("dtype", FLOATS)
def test_elu_grad_is_within_8_ulp_in_both_tails(dtype, alpha):
    z = sweep(dtype, LIMITS[dtype], EDGES[dtype])
    assert_within_ulp(elu_grad(z, alpha), reference(exact_elu_grad(alpha), z), dtype, 8, z)


def test_elu_keeps_relative_accuracy_for_tiny_inputs():
    z = -np.logspace(-300, -8, 50)
    assert np.all(np.exp(z) - 1 != z)  # exp(z) - 1 has no correct digit left
    assert_within_ulp(elu(z), reference(exact_elu(1.0), z), np.float64, 2, z)


def test_elu_grad_at_zero_is_alpha_from_the_left_as_in_pytorch():
    assert elu_grad(0.0, alpha=2.0) == 2.0
    assert elu_backward(1.0, elu(0.0, 2.0), alpha=2.0) == 2.0


@pytest.mark.parametrize("alpha", ALPHAS)
@pytest.mark.parametrize("dtype", FLOATS)
def test_elu_backward_is_within_4_ulp_of_its_formula_at_the_given_output(dtype, alpha):
    eps = np.finfo(dtype).eps
    # Outputs near -alpha are where y + alpha cancels.
    tails = np.logspace(np.log10(eps / 2), 0, 200)
    y = np.concatenate([alpha * (tails - 1), np.linspace(-alpha, 3, 201)])
    y = np.unique(y.astype(dtype))
    y = y[y >= dtype(-alpha)]
    g = np.resize(np.array([1.0, -3.5, 0.125, 1e3], dtype=dtype), y.shape)
    # alpha, like the arguments, is rounded to the working dtype (float32 for
    # float16); near y = -alpha that rounding is as large as y + alpha itself.
    alpha = float(np.array(alpha, dtype=np.result_type(dtype, np.float32)))
    exact = reference(lambda g, y: g if y > 0 else g * (y + alpha), g, y)
    assert_within_ulp(elu_backward(g, y, alpha), exact, dtype, 4, y)


def test_elu_backward_loses_the_derivative_once_the_output_saturates():
    z = -40.0
    assert elu(z) == -1.0
    assert elu_backward(1.0, elu(z)) == 0.0
    assert elu_grad(z) > 0.0


@pytest.mark.parametrize("func", [elu, elu_grad, elu_backward])
@pytest.mark.parametrize("alpha", [0.0, -1.0, np.inf, np.nan])
def test_elu_rejects_an_alpha_that_is_not_finite_and_positive(func, alpha):
    args = (1.0, 1.0) if func is elu_backward else (1.0,)
    with pytest.raises(ValueError, match=rf"^{func.__name__}: alpha must be"):
        func(*args, alpha)


@pytest.mark.parametrize("alpha", ["1", None, False])
def test_elu_rejects_an_alpha_that_is_not_a_real_number(alpha):
    with pytest.raises(TypeError, match=r"^elu: alpha must be a finite real number"):
        elu(1.0, alpha)


# --- all of them ------------------------------------------------------------

# Central differences of a sum of 40 terms cannot resolve values below about
# eps * |f| / h = 2e-16 * 40 / 6e-6, hence the absolute tolerance of 1e-8.  No
# point lies within a step of the kink at 0.
POINTS = np.random.default_rng(0).uniform(-8, 8, 40)


@pytest.mark.parametrize(
    ("func", "grad"),
    [(relu, relu_grad), (lambda z: leaky_relu(z, 0.2), lambda z: leaky_relu_grad(z, 0.2)),
     (lambda z: elu(z, 1.5), lambda z: elu_grad(z, 1.5))],
    ids=["relu", "leaky_relu", "elu"],
)
def test_derivatives_match_finite_differences(func, grad):
    numeric = numerical_gradient(lambda v: np.sum(func(v)), POINTS)
    np.testing.assert_allclose(grad(POINTS), numeric, rtol=1e-7, atol=1e-8)


@pytest.mark.parametrize(
    ("func", "backward"),
    [(relu, relu_backward),
     (lambda z: leaky_relu(z, 0.2), lambda g, y: leaky_relu_backward(g, y, 0.2)),
     (lambda z: elu(z, 1.5), lambda g, y: elu_backward(g, y, 1.5))],
    ids=["relu_backward", "leaky_relu_backward", "elu_backward"],
)
def test_backward_passes_match_finite_differences_of_the_weighted_output(func, backward):
    g = np.random.default_rng(1).normal(size=POINTS.shape)
    numeric = numerical_gradient(lambda v: np.sum(g * func(v)), POINTS)
    np.testing.assert_allclose(backward(g, func(POINTS)), numeric, rtol=1e-7, atol=1e-8)


@given(finite_z())
def test_relu_and_leaky_relu_with_zero_slope_are_the_larger_of_z_and_0(z):
    assert relu(z) == max(z, 0.0)
    assert leaky_relu(z, 0.0) == max(z, 0.0)


@given(finite_z(), st.floats(0, 1))
def test_leaky_relu_is_the_larger_of_z_and_slope_times_z(z, slope):
    assert leaky_relu(z, slope) == max(z, slope * z)


@given(st.floats(-700, 0, allow_nan=False), st.floats(0.01, 10))
def test_elu_backward_from_the_output_matches_elu_grad(z, alpha):
    # y + alpha = alpha e^z; the output's rounding is an absolute eps * alpha.
    difference = elu_backward(1.0, elu(z, alpha), alpha) - elu_grad(z, alpha)
    assert abs(difference) <= 2 * np.finfo(float).eps * alpha
