"""Specification of activations.backprop: losses, the output-layer gradient,
gradient checking, a small network and its training on a toy data set.

Gradients are compared with computations written here independently of the
module: finite differences of a loss spelled out in the test, the seed's
formula as an explicit loop, and the chain rule through the full softmax
Jacobian.
"""

import re

import numpy as np
import pytest

from activations import (
    gelu,
    gelu_grad,
    leaky_relu,
    leaky_relu_grad,
    relu,
    relu_grad,
    sigmoid,
    sigmoid_grad,
    softmax,
    softmax_jacobian,
    tanh,
    tanh_grad,
)
from activations.backprop import (
    ACTIVATIONS as ACTIVATION_TABLE,
    INITIALISATIONS,
    Dense,
    Network,
    cross_entropy,
    cross_entropy_gradient,
    gradient_check,
    initial_std,
    leaky_relu_activation,
    mlp,
    network_gradient_check,
    numerical_gradient,
    one_hot,
    output_layer_gradient,
    squared_error,
    squared_error_gradient,
    train,
    two_spirals,
)

ACTIVATIONS = ["sigmoid", "tanh", "softmax", "identity", "relu", "leaky_relu", "gelu"]
# output_layer_gradient keeps only the output, so it takes every activation
# whose derivative the output gives: all but GELU.
FROM_OUTPUT = [name for name in ACTIVATIONS if name != "gelu"]
ELEMENTWISE = [name for name in FROM_OUTPUT if name != "softmax"]
LOSSES = ["squared_error", "cross_entropy"]

# g and g' written out for the test, from the input z; the module computes
# g' from the output instead, so the two routes are independent.
FORWARD = {
    "sigmoid": sigmoid,
    "tanh": tanh,
    "softmax": softmax,
    "identity": lambda z: z,
    "relu": relu,
    "leaky_relu": leaky_relu,
    "gelu": gelu,
}
DERIVATIVE = {
    "sigmoid": sigmoid_grad,
    "tanh": tanh_grad,
    "identity": np.ones_like,
    "relu": relu_grad,
    "leaky_relu": leaky_relu_grad,
}

BATCHES = pytest.mark.parametrize("batch", [None, 5], ids=["single", "batch"])


def problem(batch, M=4, K=3, seed=0):
    """A random output layer: x of shape (M,) or (batch, M), W (M, K), t like x @ W."""
    rng = np.random.default_rng(seed)
    lead = () if batch is None else (batch,)
    x = rng.normal(size=lead + (M,))
    W = rng.normal(scale=0.7, size=(M, K))
    t = rng.uniform(size=lead + (K,))
    return x, W, t


def seed_cost(W, x, t, activation):
    """The seed's E = 1/2 sum (g(xW) - t)^2, written out in the test."""
    return 0.5 * np.sum((FORWARD[activation](x @ W) - t) ** 2)


# ------------------------------------------------------------- squared error


def test_squared_error_is_half_the_sum_of_squared_differences():
    assert squared_error([1.0, 2.0], [0.0, 0.0]) == 2.5


def test_squared_error_of_a_batch_is_the_sum_over_the_samples():
    y, t = np.arange(6.0).reshape(3, 2), np.ones((3, 2))
    assert squared_error(y, t) == sum(squared_error(y[n], t[n]) for n in range(3))


def test_squared_error_gradient_is_y_minus_t():
    np.testing.assert_array_equal(squared_error_gradient([3.0, 1.0], [1.0, 1.0]), [2.0, 0.0])


@pytest.mark.parametrize("func", [squared_error, squared_error_gradient])
def test_squared_error_rejects_y_and_t_of_different_shapes(func):
    with pytest.raises(ValueError, match=rf"{func.__name__}: .*\(2,\).*\(3,\)"):
        func(np.zeros(2), np.zeros(3))


# ----------------------------------------------------- output_layer_gradient


@BATCHES
@pytest.mark.parametrize("activation", FROM_OUTPUT)
def test_output_layer_gradient_has_the_shape_of_W(activation, batch):
    x, W, t = problem(batch)
    assert output_layer_gradient(x, W, t, activation).shape == W.shape


@BATCHES
@pytest.mark.parametrize("activation", FROM_OUTPUT)
def test_output_layer_gradient_matches_finite_differences(activation, batch):
    x, W, t = problem(batch)
    numeric = numerical_gradient(lambda w: seed_cost(w, x, t, activation), W)
    assert gradient_check(output_layer_gradient(x, W, t, activation), numeric) < 1e-7


@BATCHES
@pytest.mark.parametrize("activation", ELEMENTWISE)
def test_elementwise_output_layer_gradient_is_the_seed_formula(activation, batch):
    x, W, t = problem(batch)
    xs, ts = np.atleast_2d(x), np.atleast_2d(t)
    zs = xs @ W
    g, g_prime = FORWARD[activation](zs), DERIVATIVE[activation](zs)
    expected = np.zeros_like(W)
    for n in range(len(xs)):
        for j in range(W.shape[0]):
            for k in range(W.shape[1]):
                expected[j, k] += (g[n, k] - ts[n, k]) * g_prime[n, k] * xs[n, j]
    np.testing.assert_allclose(output_layer_gradient(x, W, t, activation), expected, rtol=1e-12)


@BATCHES
def test_softmax_output_layer_gradient_is_the_chain_rule_through_the_jacobian(batch):
    x, W, t = problem(batch)
    xs, ts = np.atleast_2d(x), np.atleast_2d(t)
    zs = xs @ W
    # dE/dz_k = sum_i (y_i - t_i) dy_i/dz_k, with the K x K Jacobian built in full.
    delta = np.einsum("ni,nik->nk", softmax(zs) - ts, softmax_jacobian(zs))
    expected = np.einsum("nj,nk->jk", xs, delta)
    np.testing.assert_allclose(output_layer_gradient(x, W, t, "softmax"), expected, rtol=1e-12)


@pytest.mark.parametrize("activation", FROM_OUTPUT)
def test_output_layer_gradient_of_a_batch_is_the_sum_over_the_samples(activation):
    x, W, t = problem(5)
    per_sample = sum(output_layer_gradient(x[n], W, t[n], activation) for n in range(5))
    np.testing.assert_allclose(output_layer_gradient(x, W, t, activation), per_sample, rtol=1e-12)


def test_output_layer_gradient_rejects_W_that_is_not_a_matrix():
    expected = re.escape("output_layer_gradient: W must have shape (M, K), got shape (4,)")
    with pytest.raises(ValueError, match=expected):
        output_layer_gradient(np.zeros(4), np.zeros(4), np.zeros(3))


@pytest.mark.parametrize("x_shape", [(5,), (2, 5), (2, 2, 4)])
def test_output_layer_gradient_rejects_x_that_does_not_fit_W(x_shape):
    expected = re.escape(f"(4,) or (N, 4) to match W of shape (4, 3), got shape {x_shape}")
    with pytest.raises(ValueError, match=expected):
        output_layer_gradient(np.zeros(x_shape), np.zeros((4, 3)), np.zeros(3))


@pytest.mark.parametrize(
    "x_shape, t_shape, expected_t",
    [((4,), (2,), (3,)), ((4,), (1, 3), (3,)), ((2, 4), (3,), (2, 3)), ((2, 4), (5, 3), (2, 3))],
)
def test_output_layer_gradient_rejects_t_that_does_not_fit_x_at_W(x_shape, t_shape, expected_t):
    expected = re.escape(f"t must have shape {expected_t} to match x @ W, got shape {t_shape}")
    with pytest.raises(ValueError, match=expected):
        output_layer_gradient(np.zeros(x_shape), np.zeros((4, 3)), np.zeros(t_shape))


def test_output_layer_gradient_refuses_gelu_whose_derivative_the_output_cannot_give():
    x, W, t = problem(None)
    with pytest.raises(ValueError, match="output_layer_gradient: the derivative of 'gelu'"):
        output_layer_gradient(x, W, t, "gelu")


@pytest.mark.parametrize("activation", ["swish", "Sigmoid", None])
def test_output_layer_gradient_rejects_an_unknown_activation_and_lists_the_valid_ones(activation):
    x, W, t = problem(None)
    with pytest.raises(ValueError, match="output_layer_gradient: activation") as error:
        output_layer_gradient(x, W, t, activation)
    for name in ACTIVATIONS:
        assert repr(name) in str(error.value)


# -------------------------------------------------------- numerical_gradient


def test_numerical_gradient_of_a_smooth_function_is_accurate():
    x = np.array([[0.3, -1.2], [2.5, 0.0]])
    numeric = numerical_gradient(lambda v: np.sum(np.sin(v) * np.exp(v)), x)
    exact = (np.cos(x) + np.sin(x)) * np.exp(x)
    assert gradient_check(exact, numeric) < 1e-9


def test_numerical_gradient_has_the_shape_of_x():
    assert numerical_gradient(lambda v: np.sum(v), np.zeros((2, 3, 4))).shape == (2, 3, 4)


def test_numerical_gradient_scales_the_default_step_with_x():
    # A fixed step of 6e-6 at |x| ~ 1e5 would leave a relative error near 1e-7.
    x = np.array([1e5, -3e5])
    numeric = numerical_gradient(lambda v: np.sum(v**3), x)
    assert gradient_check(3 * x**2, numeric) < 1e-9


def test_numerical_gradient_uses_a_given_fixed_step():
    # Central differences are exact for a quadratic, up to rounding, whatever the step.
    numeric = numerical_gradient(lambda v: np.sum(v**2), [1.0, -2.0], eps=0.5)
    np.testing.assert_allclose(numeric, [2.0, -4.0], rtol=1e-14)


def test_numerical_gradient_evaluates_f_twice_per_entry():
    calls = []
    numerical_gradient(lambda v: calls.append(1) or 0.0, np.zeros((3, 2)))
    assert len(calls) == 2 * 6


def test_numerical_gradient_leaves_x_unchanged():
    x = np.array([1.0, -2.0, 3.0])
    numerical_gradient(lambda v: np.sum(v**2), x)
    np.testing.assert_array_equal(x, [1.0, -2.0, 3.0])


def test_numerical_gradient_leaves_x_unchanged_when_f_raises():
    x = np.array([1.0, -2.0, 3.0])
    calls = []

    def f(v):
        calls.append(1)
        if len(calls) == 2:  # between the two evaluations of one entry
            raise ArithmeticError("deliberate")
        return np.sum(v)

    with pytest.raises(ArithmeticError):
        numerical_gradient(f, x)
    np.testing.assert_array_equal(x, [1.0, -2.0, 3.0])


def test_numerical_gradient_rejects_f_that_does_not_return_a_scalar():
    expected = r"numerical_gradient: f must return a real scalar.*\(2,\)"
    with pytest.raises(ValueError, match=expected):
        numerical_gradient(lambda v: 2 * v, np.zeros(2))


@pytest.mark.parametrize("eps", [0.0, -1e-6, np.nan, np.inf, "1e-6"])
def test_numerical_gradient_rejects_an_eps_that_is_not_a_positive_number(eps):
    with pytest.raises(ValueError, match="numerical_gradient: eps must be a positive"):
        numerical_gradient(np.sum, np.zeros(2), eps=eps)


def test_numerical_gradient_rejects_an_x_that_is_not_numeric():
    with pytest.raises(TypeError, match="numerical_gradient: x"):
        numerical_gradient(np.sum, "abc")


# ------------------------------------------------------------ gradient_check


def test_gradient_check_of_equal_gradients_is_zero():
    assert gradient_check([[1.0, -2.0]], [[1.0, -2.0]]) == 0.0


def test_gradient_check_of_two_zero_gradients_is_zero_not_nan():
    assert gradient_check(np.zeros(3), np.zeros(3)) == 0.0


def test_gradient_check_is_the_norm_of_the_difference_over_the_sum_of_norms():
    a, n = np.array([3.0, 4.0]), np.array([3.0, 4.0 + 1e-3])
    expected = 1e-3 / (5.0 + np.hypot(3.0, 4.0 + 1e-3))
    assert gradient_check(a, n) == pytest.approx(expected, rel=1e-9)


def test_gradient_check_rejects_gradients_of_different_shapes():
    with pytest.raises(ValueError, match=r"gradient_check: .*\(2, 3\) and \(3, 2\)"):
        gradient_check(np.zeros((2, 3)), np.zeros((3, 2)))


# ------------------------------------------------------------- cross-entropy


def test_cross_entropy_of_equal_logits_is_log_K():
    assert cross_entropy(np.zeros(4), 2) == pytest.approx(np.log(4.0), rel=1e-15)


@BATCHES
def test_cross_entropy_takes_class_indices_or_one_hot_targets_alike(batch):
    logits, _, _ = problem(batch, M=3)
    labels = np.array(1) if batch is None else np.arange(batch) % 3
    assert cross_entropy(logits, labels) == cross_entropy(logits, one_hot(labels, 3))


def test_cross_entropy_of_a_batch_is_the_sum_over_the_samples():
    logits = np.array([[0.0, 1.0, 2.0], [3.0, -1.0, 0.5]])
    assert cross_entropy(logits, [2, 0]) == pytest.approx(
        cross_entropy(logits[0], 2) + cross_entropy(logits[1], 0), rel=1e-15
    )


def test_cross_entropy_is_finite_where_the_softmax_underflows_to_zero():
    # softmax([0, 1000])[0] is exactly 0, so log(softmax) would be -inf.
    assert softmax([0.0, 1000.0])[0] == 0.0
    assert cross_entropy([0.0, 1000.0], 0) == 1000.0


@pytest.mark.parametrize("targets", ["indices", "one-hot"])
def test_cross_entropy_gradient_is_softmax_minus_t(targets):
    logits = np.array([[0.5, -1.0, 2.0], [0.0, 0.0, 0.0]])
    labels = np.array([2, 0])
    t = labels if targets == "indices" else one_hot(labels, 3)
    expected = softmax(logits) - np.array([[0, 0, 1], [1, 0, 0]])
    np.testing.assert_allclose(cross_entropy_gradient(logits, t), expected, rtol=1e-15)


@BATCHES
def test_cross_entropy_gradient_matches_finite_differences(batch):
    logits, _, _ = problem(batch, M=3)
    labels = np.array(0) if batch is None else np.arange(batch) % 3

    def minus_log_p_of_the_label(z):
        z = np.atleast_2d(z)
        rows = np.arange(len(z))
        return np.sum(np.log(np.sum(np.exp(z), axis=-1)) - z[rows, np.atleast_1d(labels)])

    numeric = numerical_gradient(minus_log_p_of_the_label, logits)
    assert gradient_check(cross_entropy_gradient(logits, labels), numeric) < 1e-7


@pytest.mark.parametrize("func", [cross_entropy, cross_entropy_gradient])
@pytest.mark.parametrize("label", [-1, 3])
def test_cross_entropy_rejects_a_class_index_out_of_range(func, label):
    expected = re.escape(f"{func.__name__}: class indices must lie in [0, 3), got {label}")
    with pytest.raises(ValueError, match=expected):
        func(np.zeros((2, 3)), [0, label])


@pytest.mark.parametrize("func", [cross_entropy, cross_entropy_gradient])
def test_cross_entropy_rejects_class_indices_that_are_not_integers(func):
    with pytest.raises(TypeError, match=rf"{func.__name__}: class indices must be integers"):
        func(np.zeros((2, 3)), [0.0, 1.0])


@pytest.mark.parametrize("func", [cross_entropy, cross_entropy_gradient])
@pytest.mark.parametrize("t_shape", [(3,), (2, 2), (2, 3, 1)])
def test_cross_entropy_rejects_targets_of_the_wrong_shape(func, t_shape):
    expected = re.escape(
        f"{func.__name__}: t must be one-hot of shape (2, 3) or class indices of shape (2,), "
        f"got shape {t_shape}"
    )
    with pytest.raises(ValueError, match=expected):
        func(np.zeros((2, 3)), np.zeros(t_shape, dtype=int))


@pytest.mark.parametrize("func", [cross_entropy, cross_entropy_gradient])
def test_cross_entropy_rejects_logits_that_are_not_a_vector_or_a_batch(func):
    expected = re.escape(f"{func.__name__}: logits must have shape (K,) or (N, K)")
    with pytest.raises(ValueError, match=expected):
        func(np.zeros((2, 2, 3)), np.zeros((2, 2), dtype=int))


def test_one_hot_puts_a_single_one_at_each_label():
    np.testing.assert_array_equal(one_hot([2, 0], 3), [[0, 0, 1], [1, 0, 0]])


def test_one_hot_rejects_a_label_out_of_range():
    with pytest.raises(ValueError, match=r"one_hot: class indices must lie in \[0, 2\), got 2"):
        one_hot([0, 2], 2)


# ------------------------------------------------------------------- network


def tiny_problem(loss):
    """A 2-5-3 network on 7 points, with targets suited to the loss."""
    rng = np.random.default_rng(1)
    x = rng.normal(size=(7, 2))
    labels = np.arange(7) % 3
    if loss == "cross_entropy":
        return mlp([2, 5, 3], rng), x, labels
    return mlp([2, 5, 3], rng, output="sigmoid"), x, one_hot(labels, 3)


def test_dense_weights_are_reproducible_from_the_generator():
    first = Dense(3, 4, "tanh", np.random.default_rng(7))
    second = Dense(3, 4, "tanh", np.random.default_rng(7))
    np.testing.assert_array_equal(first.W, second.W)


def test_dense_weights_depend_on_the_generator():
    first = Dense(3, 4, "tanh", np.random.default_rng(7))
    second = Dense(3, 4, "tanh", np.random.default_rng(8))
    assert not np.array_equal(first.W, second.W)


def test_dense_weights_have_variance_one_over_n_in_and_biases_start_at_zero():
    layer = Dense(400, 300, "tanh", np.random.default_rng(0))
    assert np.std(layer.W) == pytest.approx(1 / 20, rel=0.02)
    np.testing.assert_array_equal(layer.b, np.zeros(300))


@pytest.mark.parametrize(
    "rng", [None, 0, np.random.RandomState(0)], ids=["None", "int", "RandomState"]
)
def test_dense_rejects_a_rng_that_is_not_a_generator(rng):
    with pytest.raises(TypeError, match="Dense: rng must be a numpy.random.Generator"):
        Dense(2, 3, "tanh", rng)


def test_dense_rejects_an_unknown_activation_and_lists_the_valid_ones():
    with pytest.raises(ValueError, match="Dense: activation must be one of") as error:
        Dense(2, 3, "swish", np.random.default_rng(0))
    for name in ACTIVATIONS:
        assert repr(name) in str(error.value)


@pytest.mark.parametrize("x_shape", [(3,), (4, 3), (2, 2, 2)])
def test_dense_forward_rejects_x_of_the_wrong_shape(x_shape):
    layer = Dense(2, 3, "tanh", np.random.default_rng(0))
    expected = re.escape(f"Dense.forward: x must have shape (2,) or (N, 2), got shape {x_shape}")
    with pytest.raises(ValueError, match=expected):
        layer.forward(np.zeros(x_shape))


def test_dense_backward_before_forward_raises():
    with pytest.raises(RuntimeError, match="Dense.backward: call forward first"):
        Dense(2, 3, "tanh", np.random.default_rng(0)).backward(np.ones(3))


def test_dense_backward_takes_the_derivative_from_the_output():
    # tanh(30) is exactly 1.0, so the derivative from the output is exactly 0,
    # while tanh_grad(30), from the input, is about 3.5e-26.
    layer = Dense(1, 1, "tanh", np.random.default_rng(0))
    layer.W[...] = 30.0
    layer.forward([1.0])
    assert layer.backward([1.0])[0] == 0.0
    assert tanh_grad(30.0) > 0.0


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_dense_backward_of_one_sample_equals_a_batch_of_one(activation):
    layer = Dense(3, 2, activation, np.random.default_rng(0))
    x, grad_y = np.array([0.5, -1.0, 2.0]), np.array([1.0, -0.5])
    layer.forward(x)
    grad_x = layer.backward(grad_y)
    single = (grad_x, layer.grad_W, layer.grad_b)
    layer.forward(x[None, :])
    batch = (layer.backward(grad_y[None, :])[0], layer.grad_W, layer.grad_b)
    for a, b in zip(single, batch):
        np.testing.assert_allclose(a, b, rtol=1e-15)


@pytest.mark.parametrize("loss", LOSSES)
def test_every_network_gradient_passes_a_gradient_check(loss):
    net, x, t = tiny_problem(loss)
    errors = network_gradient_check(net, x, t, loss)
    assert len(errors) == 4  # W and b of two layers
    assert max(errors) < 1e-6, errors


def test_network_gradient_check_detects_a_wrong_gradient():
    class OffByOnePercent(Dense):
        def backward(self, grad_y):
            grad_x = super().backward(grad_y)
            self.grad_W = 1.01 * self.grad_W
            return grad_x

    rng = np.random.default_rng(1)
    net = Network([Dense(2, 5, "tanh", rng), OffByOnePercent(5, 3, "identity", rng)])
    x, labels = rng.normal(size=(7, 2)), np.arange(7) % 3
    errors = network_gradient_check(net, x, labels, "cross_entropy")
    assert errors[2] > 1e-3  # the second layer's W
    assert max(errors[:2]) < 1e-6  # the first layer's own gradients are still right


@pytest.mark.parametrize("loss", LOSSES)
def test_network_gradient_check_leaves_the_parameters_unchanged(loss):
    net, x, t = tiny_problem(loss)
    before = [p.copy() for p in net.params()]
    network_gradient_check(net, x, t, loss)
    for p, q in zip(net.params(), before):
        np.testing.assert_array_equal(p, q)


def test_step_is_plain_gradient_descent():
    net, x, labels = tiny_problem("cross_entropy")
    net.loss_and_backward(x, labels, "cross_entropy")
    expected = [p - 0.1 * g for p, g in zip(net.params(), net.grads())]
    net.step(0.1)
    for p, q in zip(net.params(), expected):
        np.testing.assert_array_equal(p, q)


def test_cross_entropy_loss_needs_logits_from_an_identity_last_layer():
    net = mlp([2, 3, 2], np.random.default_rng(0), output="softmax")
    expected = "last layer's activation must be 'identity', got 'softmax'"
    with pytest.raises(ValueError, match=expected):
        net.loss_and_backward(np.zeros((1, 2)), [0], "cross_entropy")


def test_network_rejects_an_unknown_loss_and_lists_the_valid_ones():
    net, x, labels = tiny_problem("cross_entropy")
    with pytest.raises(ValueError, match="Network.loss: loss must be one of") as error:
        net.loss(x, labels, "hinge")
    for name in LOSSES:
        assert repr(name) in str(error.value)


def test_mlp_rejects_fewer_than_two_widths():
    with pytest.raises(ValueError, match=r"mlp: sizes must list at least 2 widths, got \[2\]"):
        mlp([2], np.random.default_rng(0))


# ------------------------------------------- activations and initialisations


def test_the_tests_cover_every_activation_of_the_module():
    assert sorted(ACTIVATION_TABLE) == sorted(ACTIVATIONS)


def deep_problem(activation, init="lecun", seed=2):
    """A 3-6-5-2 network with `activation` in both hidden layers, on 9 points."""
    rng = np.random.default_rng(seed)
    net = mlp([3, 6, 5, 2], rng, hidden=activation, init=init)
    for layer in net.layers:  # non-zero biases, so that they are checked too
        layer.b[...] = rng.normal(scale=0.3, size=layer.b.shape)
    return net, rng.normal(size=(9, 3)), np.arange(9) % 2


@pytest.mark.parametrize(
    "activation",
    ["sigmoid", "tanh", "relu", "leaky_relu", "gelu", leaky_relu_activation(0.2)],
    ids=["sigmoid", "tanh", "relu", "leaky_relu", "gelu", "leaky_relu(0.2)"],
)
def test_hidden_layers_of_every_activation_pass_a_gradient_check(activation):
    net, x, labels = deep_problem(activation)
    if not isinstance(activation, str) or "relu" in activation:
        # A kink within the finite-difference step would spoil the check.
        for z in pre_activations_of(net, x):
            assert np.abs(z).min() > 1e-3
    errors = network_gradient_check(net, x, labels, "cross_entropy")
    assert len(errors) == 6 and max(errors) < 1e-6, errors


def pre_activations_of(net, x):
    """The hidden layers' z = xW + b, from a forward pass of the network's
    own layers, taken back out of their inputs: z = x_in W + b."""
    net.forward(x)
    return [layer.x @ layer.W + layer.b for layer in net.layers[:-1]]


@pytest.mark.parametrize("name, expected", [("relu", relu), ("gelu", gelu)])
def test_a_dense_layer_applies_its_activation(name, expected):
    layer = Dense(3, 4, name, np.random.default_rng(0))
    x = np.random.default_rng(1).normal(size=(5, 3))
    np.testing.assert_array_equal(layer.forward(x), expected(x @ layer.W))


def test_a_gelu_layer_keeps_z_and_passes_back_gelu_prime_of_z():
    layer = Dense(3, 4, "gelu", np.random.default_rng(0))
    x = np.random.default_rng(1).normal(size=(5, 3))
    layer.forward(x)
    z = x @ layer.W
    np.testing.assert_array_equal(layer.z, z)
    grad_y = np.random.default_rng(2).normal(size=(5, 4))
    grad_x = layer.backward(grad_y)
    np.testing.assert_allclose(grad_x, (grad_y * gelu_grad(z)) @ layer.W.T, rtol=1e-13)


def test_a_layer_whose_activation_needs_only_its_output_keeps_no_z():
    layer = Dense(3, 4, "tanh", np.random.default_rng(0))
    layer.forward(np.ones((2, 3)))
    assert layer.z is None


@pytest.mark.parametrize("slope", [0.0, 0.1, 0.5])
def test_leaky_relu_activation_has_the_given_slope_on_the_left(slope):
    layer = Dense(1, 1, leaky_relu_activation(slope), np.random.default_rng(0))
    layer.W[...] = 1.0
    z = np.array([[-2.0], [3.0]])
    np.testing.assert_array_equal(layer.forward(z), [[-2.0 * slope], [3.0]])
    np.testing.assert_array_equal(layer.backward(np.ones((2, 1))), [[slope], [1.0]])


@pytest.mark.parametrize("slope", [-0.1, np.nan, np.inf])
def test_leaky_relu_activation_rejects_a_slope_that_is_negative_or_not_finite(slope):
    with pytest.raises(ValueError, match="leaky_relu_activation: negative_slope"):
        leaky_relu_activation(slope)


# Each expected standard deviation written out here from its formula.
EXPECTED_STD = {
    "lecun": lambda n_in, n_out: (1 / n_in) ** 0.5,
    "glorot": lambda n_in, n_out: (2 / (n_in + n_out)) ** 0.5,
    "he": lambda n_in, n_out: (2 / n_in) ** 0.5,
    0.03: lambda n_in, n_out: 0.03,
}


@pytest.mark.parametrize("init", list(EXPECTED_STD))
def test_initial_std_is_the_formula_of_its_initialisation(init):
    for n_in, n_out in [(1, 1), (64, 64), (2, 300), (500, 7)]:
        assert initial_std(init, n_in, n_out) == pytest.approx(
            EXPECTED_STD[init](n_in, n_out), rel=1e-15
        )


def test_the_tests_cover_every_named_initialisation():
    assert sorted(INITIALISATIONS) == sorted(k for k in EXPECTED_STD if isinstance(k, str))


@pytest.mark.parametrize("init", list(EXPECTED_STD))
def test_dense_weights_have_the_variance_of_their_initialisation(init):
    n_in, n_out = 400, 300
    layer = Dense(n_in, n_out, "relu", np.random.default_rng(5), init=init)
    # The sample variance of n = 120000 Gaussian draws has a relative standard
    # error of sqrt(2/n) = 0.0041; 0.02 is about five of them.
    expected = EXPECTED_STD[init](n_in, n_out) ** 2
    assert np.mean(layer.W**2) == pytest.approx(expected, rel=0.02)
    assert abs(np.mean(layer.W)) < 5 * EXPECTED_STD[init](n_in, n_out) / np.sqrt(layer.W.size)


def test_the_default_initialisation_is_lecun():
    default = Dense(30, 20, "tanh", np.random.default_rng(3))
    lecun = Dense(30, 20, "tanh", np.random.default_rng(3), init="lecun")
    np.testing.assert_array_equal(default.W, lecun.W)


def test_he_weights_are_lecun_weights_times_root_2():
    # The same generator draws the same standard normals, scaled by sigma.
    lecun = Dense(30, 20, "relu", np.random.default_rng(3), init="lecun")
    he = Dense(30, 20, "relu", np.random.default_rng(3), init="he")
    np.testing.assert_allclose(he.W, np.sqrt(2) * lecun.W, rtol=1e-15)


def test_mlp_initialises_every_layer_with_its_own_fan_in_and_fan_out():
    net = mlp([3, 40, 50, 2], np.random.default_rng(0), init="glorot")
    rng = np.random.default_rng(0)
    for layer, (n_in, n_out) in zip(net.layers, [(3, 40), (40, 50), (50, 2)]):
        expected = rng.normal(0.0, (2 / (n_in + n_out)) ** 0.5, size=(n_in, n_out))
        np.testing.assert_array_equal(layer.W, expected)


@pytest.mark.parametrize("init", ["xavier", "He", ""])
def test_dense_rejects_an_unknown_initialisation_and_lists_the_valid_ones(init):
    with pytest.raises(ValueError, match="Dense: init must be one of") as error:
        Dense(2, 3, "tanh", np.random.default_rng(0), init=init)
    for name in INITIALISATIONS:
        assert repr(name) in str(error.value)


@pytest.mark.parametrize("init", [0.0, -0.1, np.nan, np.inf])
def test_dense_rejects_a_standard_deviation_that_is_not_positive_and_finite(init):
    with pytest.raises(ValueError, match="Dense: init as a standard deviation must be a positive"):
        Dense(2, 3, "tanh", np.random.default_rng(0), init=init)


@pytest.mark.parametrize("init", [None, True, [0.1]], ids=["None", "bool", "list"])
def test_dense_rejects_an_init_that_is_neither_a_name_nor_a_number(init):
    with pytest.raises(TypeError, match="Dense: init must be one of"):
        Dense(2, 3, "tanh", np.random.default_rng(0), init=init)


def test_initial_std_names_itself_in_its_errors():
    with pytest.raises(ValueError, match="initial_std: init must be one of"):
        initial_std("kaiming", 2, 3)


# ---------------------------------------------------------------- dtypes


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_a_network_computes_in_its_dtype_forward_and_backward(dtype):
    net = mlp([2, 5, 3], np.random.default_rng(0), hidden="gelu", dtype=dtype)
    x, labels = np.random.default_rng(1).normal(size=(4, 2)), np.arange(4) % 3
    assert net.forward(x).dtype == dtype
    net.loss_and_backward(x, labels, "cross_entropy")
    for layer in net.layers:
        assert layer.x.dtype == layer.y.dtype == dtype
    assert all(g.dtype == dtype for g in net.grads())


@pytest.mark.parametrize("loss", LOSSES)
def test_every_layer_of_a_float32_network_receives_float32_gradients(loss):
    received = []

    class Recording(Dense):
        def backward(self, grad_y):
            received.append(np.asarray(grad_y).dtype)
            return super().backward(grad_y)

    rng = np.random.default_rng(0)
    output = "identity" if loss == "cross_entropy" else "sigmoid"
    net = Network([Recording(2, 5, "tanh", rng, dtype=np.float32),
                   Recording(5, 3, output, rng, dtype=np.float32)])
    labels = np.arange(4) % 3
    t = labels if loss == "cross_entropy" else one_hot(labels, 3)  # float64 targets
    net.loss_and_backward(np.ones((4, 2)), t, loss)
    assert received == [np.float32, np.float32]


def test_float32_weights_are_the_float64_weights_rounded():
    wide = Dense(5, 4, "tanh", np.random.default_rng(0))
    narrow = Dense(5, 4, "tanh", np.random.default_rng(0), dtype=np.float32)
    np.testing.assert_array_equal(narrow.W, wide.W.astype(np.float32))


def test_float32_logits_overflow_where_float64_ones_do_not():
    # A weight of 1e30 on an input of 1e10 gives 1e40: beyond float32's 3.4e38.
    for dtype, finite in [(np.float64, True), (np.float32, False)]:
        layer = Dense(1, 2, "identity", np.random.default_rng(0), dtype=dtype)
        layer.W[...] = 1e30
        with np.errstate(over="ignore"):
            assert np.isfinite(layer.forward([[1e10]])).all() == finite


@pytest.mark.parametrize("dtype", [np.int64, np.longdouble, np.complex128, "bfloat16"])
def test_dense_rejects_a_dtype_that_is_not_ieee_float(dtype):
    with pytest.raises(ValueError, match="Dense: dtype must be float16, float32 or float64"):
        Dense(2, 3, "tanh", np.random.default_rng(0), dtype=dtype)


# ------------------------------------------------------------------ toy data


def test_two_spirals_gives_float_points_and_balanced_integer_labels():
    x, labels = two_spirals(200, seed=0)
    assert x.shape == (200, 2) and x.dtype == np.float64
    assert labels.shape == (200,) and labels.dtype.kind == "i"
    assert np.bincount(labels).tolist() == [100, 100]


def test_two_spirals_is_the_same_for_the_same_seed():
    first, second = two_spirals(50, seed=3), two_spirals(50, seed=3)
    np.testing.assert_array_equal(first[0], second[0])


def test_two_spirals_differs_between_seeds():
    assert not np.array_equal(two_spirals(50, seed=3)[0], two_spirals(50, seed=4)[0])


@pytest.mark.parametrize("n, noise", [(0, 0.02), (10, -0.1), (10, np.nan)])
def test_two_spirals_rejects_an_empty_set_or_a_negative_noise(n, noise):
    with pytest.raises(ValueError, match="two_spirals: need n >= 1 and noise >= 0"):
        two_spirals(n, noise=noise)


# ------------------------------------------------------------------ training

# Tuned by hand for full-batch gradient descent on the summed loss; each run
# takes well under a second.  Measured with seed 0: cross-entropy 146.2 -> 2.11
# (x69) and squared error 52.9 -> 1.69 (x31), both at 100% training accuracy.
N_POINTS, HIDDEN, SEED = 200, 16, 0
TRAINING = {
    "cross_entropy": dict(output="identity", learning_rate=0.005, epochs=2000),
    "squared_error": dict(output="sigmoid", learning_rate=0.02, epochs=1000),
}


def targets_for(loss, labels):
    return labels if loss == "cross_entropy" else one_hot(labels, 2)


@pytest.fixture(scope="module", params=LOSSES)
def trained(request):
    """A 2-16-2 tanh network trained on the spirals; (loss, net, history, x, labels)."""
    loss, config = request.param, TRAINING[request.param]
    x, labels = two_spirals(N_POINTS, seed=SEED)
    net = mlp([2, HIDDEN, 2], np.random.default_rng(SEED), output=config["output"])
    history = train(
        net, x, targets_for(loss, labels), loss, config["learning_rate"], config["epochs"]
    )
    return loss, net, history, x, labels


def test_training_a_two_layer_tanh_network_fits_the_spirals(trained):
    _, net, _, x, labels = trained
    assert np.mean(net.predict(x) == labels) >= 0.99


def test_training_reduces_the_loss_at_least_tenfold(trained):
    _, _, history, _, _ = trained
    assert history[0] / history[-1] >= 10


def test_train_returns_the_loss_before_each_step(trained):
    loss, _, history, _, _ = trained
    assert history.shape == (TRAINING[loss]["epochs"],)


def test_a_linear_model_cannot_fit_the_spirals():
    x, labels = two_spirals(N_POINTS, seed=SEED)
    linear = Network([Dense(2, 2, "identity", np.random.default_rng(SEED))])
    config = TRAINING["cross_entropy"]
    train(linear, x, labels, "cross_entropy", config["learning_rate"], config["epochs"])
    assert np.mean(linear.predict(x) == labels) < 0.8


def test_training_is_reproducible_from_the_seeds():
    def run():
        x, labels = two_spirals(N_POINTS, seed=SEED)
        net = mlp([2, HIDDEN, 2], np.random.default_rng(SEED))
        return train(net, x, labels, "cross_entropy", learning_rate=0.005, epochs=20)

    np.testing.assert_array_equal(run(), run())


def test_minibatch_training_is_steps_on_shuffled_groups_summed_per_epoch():
    x, labels = two_spirals(50, seed=SEED)
    net = mlp([2, 6, 2], np.random.default_rng(0))
    history = train(net, x, labels, "cross_entropy", 0.01, 2,
                    batch_size=16, rng=np.random.default_rng(4))
    # The same run written out: a permutation per epoch, groups of 16, 16, 16, 2.
    copy = mlp([2, 6, 2], np.random.default_rng(0))
    shuffles = np.random.default_rng(4)
    expected = []
    for _ in range(2):
        order, total = shuffles.permutation(50), 0.0
        for group in (order[0:16], order[16:32], order[32:48], order[48:50]):
            logits = copy.forward(x[group])
            total += cross_entropy(logits, labels[group])
            copy.backward(cross_entropy_gradient(logits, labels[group]))
            for p, g in zip(copy.params(), copy.grads()):
                p -= 0.01 * g
        expected.append(total)
    np.testing.assert_allclose(history, expected, rtol=1e-14)
    for p, q in zip(net.params(), copy.params()):
        np.testing.assert_allclose(p, q, rtol=1e-14)


def test_minibatch_training_fits_the_spirals_in_fewer_epochs_than_full_batch():
    x, labels = two_spirals(N_POINTS, seed=SEED)
    net = mlp([2, HIDDEN, 2], np.random.default_rng(SEED))
    history = train(net, x, labels, "cross_entropy", 0.02, 300,
                    batch_size=20, rng=np.random.default_rng(SEED))
    assert np.mean(net.predict(x) == labels) >= 0.99
    assert history[0] / history[-1] >= 10


def test_a_batch_as_large_as_the_data_is_one_step_per_epoch_like_full_batch():
    x, labels = two_spirals(30, seed=SEED)
    full, mini = (mlp([2, 4, 2], np.random.default_rng(1)) for _ in range(2))
    expected = train(full, x, labels, "cross_entropy", 0.01, 5)
    history = train(mini, x, labels, "cross_entropy", 0.01, 5,
                    batch_size=30, rng=np.random.default_rng(0))
    # Only the order of the samples differs, so only the rounding of the sums.
    np.testing.assert_allclose(history, expected, rtol=1e-12)


@pytest.mark.parametrize("batch_size", [0, -3])
def test_train_rejects_a_batch_size_below_1(batch_size):
    x, labels = two_spirals(10, seed=SEED)
    net = mlp([2, 4, 2], np.random.default_rng(0))
    with pytest.raises(ValueError, match="train: batch_size must be at least 1"):
        train(net, x, labels, "cross_entropy", 0.01, 1, batch_size=batch_size,
              rng=np.random.default_rng(0))


@pytest.mark.parametrize("rng", [None, 0], ids=["None", "int"])
def test_train_needs_a_generator_to_shuffle_minibatches(rng):
    x, labels = two_spirals(10, seed=SEED)
    net = mlp([2, 4, 2], np.random.default_rng(0))
    with pytest.raises(TypeError, match="train: batch_size needs rng"):
        train(net, x, labels, "cross_entropy", 0.01, 1, batch_size=4, rng=rng)


def test_train_rejects_x_and_t_of_different_lengths_for_minibatches():
    x, labels = two_spirals(10, seed=SEED)
    net = mlp([2, 4, 2], np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"train: x must have shape \(N, n_in\) and t N rows"):
        train(net, x, labels[:9], "cross_entropy", 0.01, 1, batch_size=4,
              rng=np.random.default_rng(0))


@pytest.mark.parametrize("learning_rate", [0.0, -0.1, np.nan, np.inf, "0.1"])
def test_train_rejects_a_learning_rate_that_is_not_positive_and_finite(learning_rate):
    x, labels = two_spirals(10, seed=SEED)
    net = mlp([2, 4, 2], np.random.default_rng(0))
    with pytest.raises(ValueError, match="train: learning_rate must be a positive finite"):
        train(net, x, labels, "cross_entropy", learning_rate, 1)


def test_train_rejects_a_negative_number_of_epochs():
    x, labels = two_spirals(10, seed=SEED)
    net = mlp([2, 4, 2], np.random.default_rng(0))
    with pytest.raises(ValueError, match="train: epochs must be at least 0, got -1"):
        train(net, x, labels, "cross_entropy", 0.01, -1)


# ------------------------------------------------- hostile magnitudes and masks

TINY, HUGE = np.finfo(float).smallest_normal, np.finfo(float).max
SCALES = [TINY, 1e-170, 1e-10, 1.0, 1e10, 1e200, HUGE / 2]


@pytest.mark.parametrize("scale", SCALES)
def test_gradient_check_reports_a_factor_of_2_the_same_at_every_magnitude(scale):
    with np.errstate(all="raise"):
        assert gradient_check([scale], [scale / 2]) == pytest.approx(1 / 3, rel=4 * np.finfo(float).eps)


@pytest.mark.parametrize("scale", SCALES + [HUGE])
def test_gradient_check_reports_a_wrong_sign_as_1_at_every_magnitude(scale):
    with np.errstate(all="raise"):
        assert gradient_check([scale, -scale], [-scale, scale]) == 1.0


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_gradient_check_of_a_non_finite_entry_is_nan_without_a_warning(bad):
    with np.errstate(all="raise"):
        assert np.isnan(gradient_check([1.0, bad], [1.0, 2.0]))


def test_cross_entropy_of_logits_at_opposite_ends_of_the_range_is_exactly_0():
    with np.errstate(all="raise"):
        assert cross_entropy(np.array([1e308, -1e308]), 0) == 0.0
        assert cross_entropy(np.array([1e308, -1e308]), 1) == np.inf  # exactly 2e308: beyond every float


def test_a_logit_of_minus_infinity_on_another_class_masks_it():
    with np.errstate(all="raise"):
        loss = cross_entropy(np.array([0.0, -np.inf]), 0)
        gradient = cross_entropy_gradient(np.array([0.0, -np.inf]), 0)
    assert loss == 0.0 and not np.signbit(loss)
    np.testing.assert_array_equal(gradient, [0.0, 0.0])


def test_a_masked_class_contributes_nothing_to_the_loss():
    z = np.array([[1.0, -np.inf, 2.0, -np.inf], [0.5, 0.0, -np.inf, -np.inf]])
    t = np.array([2, 1])
    with np.errstate(all="raise"):
        masked = cross_entropy(z, t)
        gradient = cross_entropy_gradient(z, t)
    unmasked = cross_entropy(np.array([1.0, 2.0]), 1) + cross_entropy(np.array([0.5, 0.0]), 1)
    assert masked == pytest.approx(unmasked, rel=1e-15)
    assert (gradient[np.isinf(z)] == 0.0).all()


def test_a_logit_of_minus_infinity_on_the_target_class_gives_an_infinite_loss_without_a_warning():
    with np.errstate(all="raise"):
        loss = cross_entropy(np.array([0.0, -np.inf]), 1)
        gradient = cross_entropy_gradient(np.array([0.0, -np.inf]), 1)
    assert loss == np.inf
    # The gradient p - t stays finite: all the probability is on the other class.
    np.testing.assert_array_equal(gradient, [1.0, -1.0])
