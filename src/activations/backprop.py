r"""Backpropagation: from one output layer's gradient to a trained network.

The book starts from one output neuron :math:`k`.  It receives inputs
:math:`x_1, \dots, x_M` through weights :math:`w_{j,k}`, computes
:math:`z_k = \sum_j x_j w_{j,k}` and outputs :math:`g(z_k)`.  With the cost
:math:`E = \frac12 \sum_k (g(z_k) - t_k)^2`,

.. math::

    \frac{\partial E}{\partial w_{j,k}} = \big(g(z_k) - t_k\big)\, g'(z_k)\, x_j .

This module turns that derivation into code and builds on it:

* the losses :func:`squared_error` and :func:`cross_entropy`, with gradients;
* :func:`output_layer_gradient`, the formula above;
* :func:`numerical_gradient` and :func:`gradient_check`, to test any gradient;
* :class:`Dense`, :class:`Network`, :func:`mlp` and :func:`train`, a multi-layer
  perceptron trained by plain gradient descent, on the whole batch or on
  shuffled minibatches, with the weight initialisations of
  :func:`initial_std` (LeCun, Glorot, He, or a given standard deviation);
* :func:`two_spirals`, a toy data set that no linear model can separate.

For a batch, every loss is the *sum* over the samples, so the gradient of a
batch is the sum of the per-sample gradients.
"""

from __future__ import annotations

import numbers
import operator
from typing import Callable, NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from . import _arrays
from .categorical import log_softmax, softmax, softmax_backward
from .hyperbolic import tanh, tanh_backward
from .logistic import sigmoid, sigmoid_backward
from .rectifiers import _nonnegative, leaky_relu, leaky_relu_backward, relu, relu_backward
from .smooth import gelu, gelu_backward

__all__ = [
    "Activation",
    "ACTIVATIONS",
    "leaky_relu_activation",
    "INITIALISATIONS",
    "initial_std",
    "Loss",
    "LOSSES",
    "squared_error",
    "squared_error_gradient",
    "one_hot",
    "cross_entropy",
    "cross_entropy_gradient",
    "output_layer_gradient",
    "numerical_gradient",
    "gradient_check",
    "Dense",
    "Network",
    "mlp",
    "network_gradient_check",
    "train",
    "two_spirals",
]


def _lookup(table: dict, name, func: str, what: str):
    """``table[name]``, or a ValueError that lists the valid names."""
    if isinstance(name, str) and name in table:
        return table[name]
    valid = ", ".join(repr(key) for key in table)
    raise ValueError(f"{func}: {what} must be one of {valid}, got {name!r}")


# ---------------------------------------------------------------- activations


class Activation(NamedTuple):
    """An activation as backpropagation uses it: forward, and backward from
    the forward's output (gradient first, as in ``sigmoid_backward``).  Both
    take an optional ``out=`` array, as the package's functions do.

    ``needs_input`` is true for an activation whose derivative cannot be
    recovered from its output, such as GELU: its backward takes the
    pre-activation :math:`z` in place of the output, and a layer must keep
    :math:`z` for it."""

    forward: Callable[..., np.ndarray]
    backward: Callable[..., np.ndarray]
    needs_input: bool = False


def _identity(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    if out is None:
        return np.array(z, copy=True)
    np.copyto(out, z)
    return out


def _identity_backward(
    grad_output: ArrayLike, output: ArrayLike, out: np.ndarray | None = None
) -> np.ndarray:
    return _arrays.backward("identity_backward", _one, grad_output, output, out)


def _one(y: np.ndarray, d: np.ndarray) -> np.ndarray:
    d.fill(1.0)
    return d


#: The one table from activation name to its forward and backward functions.
ACTIVATIONS = {
    "sigmoid": Activation(sigmoid, sigmoid_backward),
    "tanh": Activation(tanh, tanh_backward),
    "softmax": Activation(softmax, softmax_backward),
    "identity": Activation(_identity, _identity_backward),
    "relu": Activation(relu, relu_backward),
    "leaky_relu": Activation(leaky_relu, leaky_relu_backward),  # slope 0.01
    "gelu": Activation(gelu, gelu_backward, needs_input=True),
}


def leaky_relu_activation(negative_slope: float) -> Activation:
    r"""Leaky ReLU with a chosen slope :math:`s` on the left, for :class:`Dense`.

    .. math::

        g(z) = \begin{cases} z & z > 0 \\ s\,z & z \le 0 \end{cases},
        \qquad
        g'(z) = \begin{cases} 1 & z > 0 \\ s & z \le 0 \end{cases}

    The name ``'leaky_relu'`` in :data:`ACTIVATIONS` has the default slope
    0.01; this gives any other.

    Raises
    ------
    ValueError
        If ``negative_slope`` is negative or not finite: the backward pass
        works from the output, which tells the side of 0 only for
        :math:`s \ge 0`.
    TypeError
        If ``negative_slope`` is not a real number.

    Examples
    --------
    >>> layer = Dense(1, 1, leaky_relu_activation(0.5), np.random.default_rng(0))
    >>> layer.W[...] = 1.0
    >>> layer.forward([[-2.0], [3.0]])
    array([[-1.],
           [ 3.]])
    """
    s = _nonnegative(negative_slope, "leaky_relu_activation")

    def forward(z, out=None):
        return leaky_relu(z, s, out=out)

    def backward(grad_output, output, out=None):
        return leaky_relu_backward(grad_output, output, s, out=out)

    return Activation(forward, backward)


def _activation(activation, func: str) -> Activation:
    """An :class:`Activation` given as itself or by its name in :data:`ACTIVATIONS`."""
    if isinstance(activation, Activation):
        return activation
    return _lookup(ACTIVATIONS, activation, func, "activation")


# --------------------------------------------------------------------- losses


def _prediction_and_target(y, t, func: str):
    y = _arrays.as_float_array(y, func, "y")
    t = _arrays.as_float_array(t, func, "t")
    if y.shape != t.shape:
        raise ValueError(
            f"{func}: y and t must have the same shape, "
            f"got y.shape={y.shape} and t.shape={t.shape}"
        )
    return y, t


def squared_error(y: ArrayLike, t: ArrayLike) -> np.floating:
    r"""Half the sum of squared differences, the cost the backpropagation chapter starts from.

    .. math::

        E = \frac12 \sum_i (y_i - t_i)^2

    Parameters
    ----------
    y, t : array_like
        Outputs and targets of the same shape.  For a batch the sum runs over
        the samples too.

    Returns
    -------
    E : numpy scalar

    Raises
    ------
    ValueError
        If ``y`` and ``t`` differ in shape; they are never broadcast.

    Examples
    --------
    >>> squared_error([1.0, 0.0], [0.0, 0.0])
    np.float64(0.5)
    """
    y, t = _prediction_and_target(y, t, "squared_error")
    residual = y - t
    return 0.5 * np.sum(residual * residual)


def squared_error_gradient(y: ArrayLike, t: ArrayLike) -> np.ndarray:
    r"""Gradient of :func:`squared_error` with respect to ``y``: :math:`y - t`.

    Examples
    --------
    >>> squared_error_gradient([1.0, 0.0], [0.0, 0.0])
    array([1., 0.])
    """
    y, t = _prediction_and_target(y, t, "squared_error_gradient")
    return y - t


def _one_hot(labels, num_classes: int, func: str) -> np.ndarray:
    labels = np.asarray(labels)
    if labels.dtype.kind not in "iu":
        raise TypeError(f"{func}: class indices must be integers, got dtype {labels.dtype}")
    outside = (labels < 0) | (labels >= num_classes)
    if np.any(outside):
        raise ValueError(
            f"{func}: class indices must lie in [0, {num_classes}), "
            f"got {labels[outside].flat[0]}"
        )
    return np.eye(num_classes)[labels]


def one_hot(labels: ArrayLike, num_classes: int) -> np.ndarray:
    """Encode integer class indices as one-hot rows of length ``num_classes``.

    Raises a TypeError for non-integer labels and a ValueError for labels
    outside ``[0, num_classes)``.

    Examples
    --------
    >>> one_hot([2, 0], 3)
    array([[0., 0., 1.],
           [1., 0., 0.]])
    """
    return _one_hot(labels, operator.index(num_classes), "one_hot")


def _logits_and_targets(logits, t, func: str):
    """Validate ``(logits, t)`` and return ``t`` one-hot, with the logits' shape."""
    z = _arrays.as_float_array(logits, func, "logits")
    if z.ndim not in (1, 2):
        raise ValueError(f"{func}: logits must have shape (K,) or (N, K), got shape {z.shape}")
    shape = np.shape(t)
    if shape == z.shape[:-1]:
        return z, _one_hot(t, z.shape[-1], func)
    if shape == z.shape:
        return z, _arrays.as_float_array(t, func, "t")
    raise ValueError(
        f"{func}: t must be one-hot of shape {z.shape} or class indices of shape "
        f"{z.shape[:-1]}, got shape {shape}"
    )


@_arrays.quiet  # a loss too large for a float is inf, not an error
def cross_entropy(logits: ArrayLike, t: ArrayLike) -> np.floating:
    r"""Softmax cross-entropy, from the logits, summed over the samples.

    .. math::

        E = -\sum_i t_i \log p_i, \qquad \log p = \operatorname{log\_softmax}(z)

    Parameters
    ----------
    logits : array_like
        :math:`z`, of shape ``(K,)`` or a batch ``(N, K)``.
    t : array_like
        One-hot targets of the same shape, or integer class indices of shape
        ``()`` or ``(N,)``.

    Returns
    -------
    E : numpy scalar

    Raises
    ------
    ValueError
        If the shapes do not fit, or a class index is outside ``[0, K)``.
    TypeError
        If class indices are not integers.

    Notes
    -----
    :math:`\log p` comes from :func:`~activations.categorical.log_softmax`, never from
    ``log(softmax(z))``: a probability that rounds to 0 would give
    :math:`\log 0 = -\infty`, while the log-softmax stays finite and accurate.

    Examples
    --------
    >>> cross_entropy([0.0, 0.0], 1)  # log 2
    np.float64(0.6931471805599453)
    >>> cross_entropy([[0.0, 1000.0]], [0])  # softmax would give p = 0 here
    np.float64(1000.0)
    """
    z, t = _logits_and_targets(logits, t, "cross_entropy")
    # Only the classes with a target weight count: a class masked with a logit
    # of -inf has -log p = inf, and 0 * inf would be NaN.
    log_p = log_softmax(z)
    terms = np.zeros_like(log_p)
    np.multiply(t, log_p, out=terms, where=t != 0)
    return 0.0 - np.sum(terms)  # +0.0, not -0.0, for a certain prediction


def cross_entropy_gradient(logits: ArrayLike, t: ArrayLike) -> np.ndarray:
    r"""Gradient of :func:`cross_entropy` with respect to the logits.

    .. math::

        \frac{\partial E}{\partial z} = \operatorname{softmax}(z) - t

    Takes the same arguments as :func:`cross_entropy`; class indices are
    expanded to one-hot rows.

    Examples
    --------
    >>> cross_entropy_gradient([0.0, 0.0], 1)
    array([ 0.5, -0.5])
    """
    z, t = _logits_and_targets(logits, t, "cross_entropy_gradient")
    return softmax(z) - t


class Loss(NamedTuple):
    """A loss as training uses it: its value, and its gradient ``dE/dy``."""

    value: Callable[[np.ndarray, np.ndarray], np.floating]
    gradient: Callable[[np.ndarray, np.ndarray], np.ndarray]


#: The one table from loss name to its value and gradient functions.
LOSSES = {
    "squared_error": Loss(squared_error, squared_error_gradient),
    "cross_entropy": Loss(cross_entropy, cross_entropy_gradient),
}


# ----------------------------------------------------- the output-layer gradient


def _weight_gradient(x: np.ndarray, delta: np.ndarray, out=None) -> np.ndarray:
    """:math:`x^T \\delta`: the outer products :math:`x_n \\delta_n^T` summed
    over the samples.  A single sample is a batch of one."""
    return np.matmul(np.atleast_2d(x).T, np.atleast_2d(delta), out=out)


def output_layer_gradient(
    x: ArrayLike, W: ArrayLike, t: ArrayLike, activation: str = "sigmoid"
) -> np.ndarray:
    r"""Gradient of the squared error of one output layer with respect to W.

    .. math::

        \frac{\partial E}{\partial w_{j,k}}
        = \sum_n \big(g(z_{n,k}) - t_{n,k}\big)\, g'(z_{n,k})\, x_{n,j},
        \qquad z = x W, \quad E = \frac12 \sum_{n,k} \big(g(z_{n,k}) - t_{n,k}\big)^2

    Parameters
    ----------
    x : array_like
        Inputs, of shape ``(M,)`` or a batch ``(N, M)``.
    W : array_like
        Weights, of shape ``(M, K)``.
    t : array_like
        Targets, of shape ``(K,)`` or ``(N, K)``, matching ``x``.
    activation : {'sigmoid', 'tanh', 'softmax', 'identity', 'relu', 'leaky_relu'}
        :math:`g`, a name in :data:`ACTIVATIONS` whose derivative comes from
        the output (so not ``'gelu'``).

    Returns
    -------
    ndarray
        :math:`\partial E / \partial W`, of shape ``(M, K)``.  For a batch,
        :math:`E` is summed over the samples.

    Raises
    ------
    ValueError
        If a shape does not fit (the message names the expected and actual
        shapes), or the activation is unknown (the message lists the valid ones).

    Notes
    -----
    The factor :math:`(g(z_k) - t_k)\,g'(z_k)` is
    :math:`\delta_k = \partial E / \partial z_k`.  It is computed by the
    activation's backward function from the output :math:`y = g(z)`, which the
    forward pass already holds: ``sigmoid_backward(y - t, y)`` is
    :math:`(y - t)\,y(1 - y)`.  Then :math:`\partial E / \partial W = x^T \delta`.

    Softmax is not elementwise: every :math:`y_i` depends on every
    :math:`z_k`, so :math:`g'(z_k)` becomes the :math:`K \times K` Jacobian
    :math:`J_{ik} = \partial y_i / \partial z_k`, and the chain rule sums over
    all outputs: :math:`\delta_k = \sum_i (y_i - t_i)\,J_{ik}`.  That sum is the
    vector-Jacobian product, which :func:`~activations.categorical.softmax_backward`
    computes in :math:`O(K)` without building :math:`J`.

    Examples
    --------
    >>> output_layer_gradient([1.0, 2.0], [[0.0], [0.0]], [1.0])
    array([[-0.125],
           [-0.25 ]])
    """
    func = "output_layer_gradient"
    g = _lookup(ACTIVATIONS, activation, func, "activation")
    if g.needs_input:
        raise ValueError(
            f"{func}: the derivative of {activation!r} cannot be computed from its "
            f"output, which is all this function keeps; use a Dense layer, which keeps z"
        )
    x = _arrays.as_float_array(x, func, "x")
    W = _arrays.as_float_array(W, func, "W")
    t = _arrays.as_float_array(t, func, "t")
    if W.ndim != 2:
        raise ValueError(f"{func}: W must have shape (M, K), got shape {W.shape}")
    M, K = W.shape
    if x.ndim not in (1, 2) or x.shape[-1] != M:
        raise ValueError(
            f"{func}: x must have shape ({M},) or (N, {M}) to match W of shape "
            f"{W.shape}, got shape {x.shape}"
        )
    if t.shape != x.shape[:-1] + (K,):
        raise ValueError(
            f"{func}: t must have shape {x.shape[:-1] + (K,)} to match x @ W, "
            f"got shape {t.shape}"
        )
    y = g.forward(x @ W)
    delta = g.backward(squared_error_gradient(y, t), y)
    return _weight_gradient(x, delta)


# --------------------------------------------------------- gradient checking

# A central difference has truncation error O(h^2) and rounding error
# O(eps/h); h = cbrt(eps), about 6e-6, balances them at O(eps^(2/3)).
_STEP = float(np.cbrt(np.finfo(np.float64).eps))


def _real_scalar(value, func: str) -> float:
    array = np.asarray(value)
    if array.shape != () or array.dtype.kind not in "biuf":
        raise ValueError(
            f"{func}: f must return a real scalar, "
            f"got {type(value).__name__} of shape {array.shape}"
        )
    return float(array)


def numerical_gradient(
    f: Callable[[np.ndarray], float], x: ArrayLike, eps: float | None = None
) -> np.ndarray:
    r"""Central-difference gradient of a scalar function, for testing.

    .. math::

        \frac{\partial f}{\partial x_i} \approx
        \frac{f(x + h_i e_i) - f(x - h_i e_i)}{2 h_i},
        \qquad h_i = \sqrt[3]{\varepsilon}\,\max(1, |x_i|)

    Parameters
    ----------
    f : callable
        Takes a float64 array of the shape of ``x`` and returns a real scalar.
        It must not modify its argument.
    x : array_like
        The point.  It is never modified: ``f`` is evaluated at a float64 copy.
    eps : float, optional
        A fixed step :math:`h`.  By default :math:`h_i` is scaled to
        :math:`x_i` as above, with :math:`\varepsilon` the float64 machine
        epsilon, so :math:`h_i \approx 6 \times 10^{-6}` near 1.

    Returns
    -------
    ndarray
        The gradient, float64, with the shape of ``x``.

    Raises
    ------
    ValueError
        If ``f`` does not return a real scalar, or ``eps`` is not positive.

    Notes
    -----
    It costs :math:`2 \cdot` ``x.size`` evaluations of ``f``, one pair per
    entry, which is fine for checking gradients and far too slow for training.
    The step :math:`\sqrt[3]{\varepsilon}` balances the :math:`O(h^2)`
    truncation error against the :math:`O(\varepsilon/h)` rounding error.

    Examples
    --------
    >>> numerical_gradient(lambda v: np.sum(v**2), [1.0, -2.0]).round(8)
    array([ 2., -4.])
    """
    func = "numerical_gradient"
    if not callable(f):
        raise TypeError(f"{func}: f must be callable, got {type(f).__name__}")
    # Only this private copy is ever perturbed, so x is left as it was even if
    # f raises half-way; and float64 keeps the small step h representable.
    point = np.array(_arrays.as_float_array(x, func, "x"), dtype=np.float64)
    if eps is None:
        steps = _STEP * np.maximum(1.0, np.abs(point))
    elif isinstance(eps, numbers.Real) and np.isfinite(eps) and eps > 0:
        steps = np.full(point.shape, float(eps))
    else:
        raise ValueError(f"{func}: eps must be a positive finite number, got {eps!r}")
    grad = np.empty_like(point)
    for i in np.ndindex(point.shape):
        centre = point[i]
        above, below = centre + steps[i], centre - steps[i]
        point[i] = above
        f_above = _real_scalar(f(point), func)
        point[i] = below
        f_below = _real_scalar(f(point), func)
        point[i] = centre
        # Divide by the step actually taken, after x_i +- h has been rounded.
        grad[i] = (f_above - f_below) / (above - below)
    return _arrays.deliver(grad, np.dtype(np.float64), None)


def gradient_check(analytic: ArrayLike, numeric: ArrayLike) -> np.floating:
    r"""Relative error between an analytic and a numerical gradient.

    .. math::

        r = \frac{\lVert a - n \rVert}{\lVert a \rVert + \lVert n \rVert}

    with Euclidean norms over all entries; two zero gradients give 0.  The
    ratio does not depend on the scale of the gradients: a factor of 2
    between them gives :math:`1/3` and a wrong sign gives 1, whether the
    entries are near the smallest normal float or the largest.  A correct
    gradient checked in float64 typically gives :math:`r < 10^{-7}`.  A NaN or
    infinite entry gives NaN, which fails every comparison with a tolerance.

    Raises
    ------
    ValueError
        If the two gradients differ in shape.

    Examples
    --------
    >>> gradient_check([1.0, 2.0], [1.0, 2.0])
    np.float64(0.0)
    >>> gradient_check([1.0, 0.0], [0.0, 1.0])
    np.float64(0.7071067811865476)
    """
    func = "gradient_check"
    a = _arrays.as_float_array(analytic, func, "analytic").astype(np.float64)
    n = _arrays.as_float_array(numeric, func, "numeric").astype(np.float64)
    if a.shape != n.shape:
        raise ValueError(
            f"{func}: analytic and numeric must have the same shape, "
            f"got {a.shape} and {n.shape}"
        )
    largest = max(np.max(np.abs(a), initial=0.0), np.max(np.abs(n), initial=0.0))
    if not np.isfinite(largest):
        return np.float64(np.nan)
    if largest == 0:
        return np.float64(0.0)
    # r does not change when both gradients are scaled by one factor; scaled
    # by a power of two (exactly) to a largest entry near 1, neither the
    # squares in the norms nor a - n can overflow or underflow.
    exponent = -int(np.frexp(largest)[1])
    a, n = np.ldexp(a, exponent), np.ldexp(n, exponent)
    return np.linalg.norm(a - n) / (np.linalg.norm(a) + np.linalg.norm(n))


# ------------------------------------------------------------------- network

#: The one table from initialisation name to the standard deviation of a
#: layer's initial weights, as a function of its fan-in and fan-out (see
#: :func:`initial_std`).
INITIALISATIONS = {
    "lecun": lambda n_in, n_out: 1.0 / np.sqrt(n_in),
    "glorot": lambda n_in, n_out: np.sqrt(2.0 / (n_in + n_out)),
    "he": lambda n_in, n_out: np.sqrt(2.0 / n_in),
}

_FLOATS = (np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64))


def _initial_std(init, n_in: int, n_out: int, func: str) -> float:
    if isinstance(init, numbers.Real) and not isinstance(init, (bool, np.bool_)):
        if np.isfinite(init) and init > 0:
            return float(init)
        raise ValueError(
            f"{func}: init as a standard deviation must be a positive finite number, "
            f"got {init!r}"
        )
    if not isinstance(init, str):
        raise TypeError(
            f"{func}: init must be one of {', '.join(map(repr, INITIALISATIONS))} "
            f"or a positive standard deviation, got {type(init).__name__}"
        )
    return float(_lookup(INITIALISATIONS, init, func, "init")(n_in, n_out))


def initial_std(init: str | float, n_in: int, n_out: int) -> float:
    r"""Standard deviation of the initial weights of a layer with ``n_in``
    inputs and ``n_out`` outputs; the weights are drawn from
    :math:`\mathcal N(0, \sigma^2)`.

    .. math::

        \sigma^2_{\text{LeCun}} = \frac{1}{n_{in}}, \qquad
        \sigma^2_{\text{Glorot}} = \frac{2}{n_{in} + n_{out}}, \qquad
        \sigma^2_{\text{He}} = \frac{2}{n_{in}}

    LeCun keeps the variance of :math:`z = xW` equal to that of the inputs,
    for a unit slope :math:`g'(0) = 1` (tanh near 0).  Glorot (Xavier)
    compromises between that forward condition and the backward one,
    :math:`n_{out}\,\sigma^2 = 1`, which keeps the variance of
    :math:`\partial E/\partial x` equal to that of :math:`\partial E/\partial z`.
    He (Kaiming) doubles LeCun's variance for ReLU, which passes on half of
    its inputs' second moment.

    Parameters
    ----------
    init : {'lecun', 'glorot', 'he'} or float
        A name in :data:`INITIALISATIONS`, or the standard deviation itself,
        a positive finite number.
    n_in, n_out : int
        The layer's fan-in and fan-out.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        For an unknown name (the message lists the valid ones), or a standard
        deviation that is not positive and finite.
    TypeError
        If ``init`` is neither a name nor a real number.

    Examples
    --------
    >>> initial_std("he", 50, 10), initial_std("glorot", 20, 30), initial_std(0.01, 50, 10)
    (0.2, 0.2, 0.01)
    """
    return _initial_std(init, operator.index(n_in), operator.index(n_out), "initial_std")


class Dense:
    r"""A fully connected layer: :math:`y = g(x W + b)`.

    Parameters
    ----------
    n_in, n_out : int
        Number of inputs and of outputs.
    activation : str or Activation
        :math:`g`: a name in :data:`ACTIVATIONS` (``'sigmoid'``, ``'tanh'``,
        ``'softmax'``, ``'identity'``, ``'relu'``, ``'leaky_relu'``,
        ``'gelu'``), or an :class:`Activation` such as
        ``leaky_relu_activation(0.1)``.
    rng : numpy.random.Generator
        Source of the initial weights, so that every run is reproducible.
    init : {'lecun', 'glorot', 'he'} or float, optional
        How to draw the weights: :math:`W_{jk} \sim \mathcal N(0, \sigma^2)`
        with :math:`\sigma` = ``initial_std(init, n_in, n_out)``; a float is
        :math:`\sigma` itself.  Default ``'lecun'``.
    dtype : {numpy.float64, numpy.float32, numpy.float16}, optional
        The floating-point type of the weights and of the computation:
        ``forward`` converts its input to it.  The weights are drawn in
        float64 and rounded once, so the same generator gives the same
        weights, rounded, in every dtype.  Default float64.

    Attributes
    ----------
    W : ndarray, shape (n_in, n_out)
        Weights, drawn from :math:`\mathcal N(0, \sigma^2)`.  With the default
        LeCun initialisation, :math:`\sigma^2 = 1/n_{in}`, so that :math:`z`
        starts with unit variance for inputs of unit variance.
    b : ndarray, shape (n_out,)
        Biases, zero.
    grad_W, grad_b : ndarray
        :math:`\partial E/\partial W` and :math:`\partial E/\partial b`, set by
        :meth:`backward`.
    x, y : ndarray
        The input and output of the last :meth:`forward`.
    z : ndarray or None
        The pre-activation :math:`xW + b` of the last :meth:`forward`, kept
        only for an activation that needs it (GELU); otherwise the output
        overwrites it and ``z`` is None.

    Raises
    ------
    ValueError
        For an unknown activation or initialisation (the message lists the
        valid names), a non-positive size or standard deviation, or a dtype
        that is not float16, float32 or float64.
    TypeError
        If ``rng`` is not a ``numpy.random.Generator``.

    Examples
    --------
    >>> layer = Dense(3, 2, "tanh", np.random.default_rng(0))
    >>> layer.forward(np.ones((5, 3))).shape
    (5, 2)
    >>> layer.backward(np.ones((5, 2))).shape, layer.grad_W.shape
    ((5, 3), (3, 2))
    >>> Dense(400, 300, "relu", np.random.default_rng(0), init="he").W.std().round(3)
    np.float64(0.071)
    """

    def __init__(
        self,
        n_in: int,
        n_out: int,
        activation: str | Activation,
        rng: np.random.Generator,
        init: str | float = "lecun",
        dtype=np.float64,
    ):
        self.activation = activation
        g = _activation(activation, "Dense")
        if g.needs_input:
            # Its derivative needs z, which forward keeps: backward hands z to
            # the activation's backward in the place of y.
            backward_from_z = g.backward
            g = g._replace(
                backward=lambda grad_y, y, out=None: backward_from_z(grad_y, self.z, out=out)
            )
        self._g = g
        if not isinstance(rng, np.random.Generator):
            raise TypeError(
                "Dense: rng must be a numpy.random.Generator, such as "
                f"numpy.random.default_rng(0), got {type(rng).__name__}"
            )
        n_in, n_out = operator.index(n_in), operator.index(n_out)
        if n_in < 1 or n_out < 1:
            raise ValueError(f"Dense: n_in and n_out must be positive, got {n_in} and {n_out}")
        std = _initial_std(init, n_in, n_out, "Dense")
        try:
            known = np.dtype(dtype)
        except TypeError:
            known = None
        if known is None or known not in _FLOATS:
            raise ValueError(f"Dense: dtype must be float16, float32 or float64, got {dtype!r}")
        dtype = known
        self.init = init
        self.W = rng.normal(0.0, std, size=(n_in, n_out)).astype(dtype, copy=False)
        self.b = np.zeros(n_out, dtype=dtype)
        self.grad_W = np.zeros_like(self.W)
        self.grad_b = np.zeros_like(self.b)
        self.x = self.y = self.z = None

    def forward(self, x: ArrayLike) -> np.ndarray:
        """Return :math:`y = g(xW + b)` for ``x`` of shape ``(n_in,)`` or
        ``(N, n_in)``, keeping ``x`` and ``y`` (and ``z`` if the activation
        needs it) for :meth:`backward`.  ``x`` is converted to the layer's dtype."""
        x = _arrays.as_float_array(x, "Dense.forward", "x")
        if x.ndim not in (1, 2) or x.shape[-1] != self.W.shape[0]:
            raise ValueError(
                f"Dense.forward: x must have shape ({self.W.shape[0]},) or "
                f"(N, {self.W.shape[0]}), got shape {x.shape}"
            )
        self.x = x = x.astype(self.W.dtype, copy=False)
        z = x @ self.W
        z += self.b
        if self._g.needs_input:
            self.z = z
            self.y = self._g.forward(z)
        else:
            # Backward needs only y, so y may overwrite z: one array, not two.
            self.y = self._g.forward(z, out=z)
        return self.y

    def backward(self, grad_y: ArrayLike) -> np.ndarray:
        """Given :math:`\\partial E/\\partial y`, set ``grad_W`` and ``grad_b``
        and return :math:`\\partial E/\\partial x`."""
        if self.y is None:
            raise RuntimeError("Dense.backward: call forward first")
        # The output y is already computed, so the derivative of g costs no exp.
        grad_z = self._g.backward(grad_y, self.y)
        # The gradients are written into the layer's buffers, not new arrays.
        _weight_gradient(self.x, grad_z, out=self.grad_W)
        np.sum(np.atleast_2d(grad_z), axis=0, out=self.grad_b)
        return grad_z @ self.W.T

    def params(self) -> list[np.ndarray]:
        return [self.W, self.b]

    def grads(self) -> list[np.ndarray]:
        return [self.grad_W, self.grad_b]


class Network:
    """Layers applied in order; backward runs them in reverse.

    Examples
    --------
    >>> net = mlp([2, 3, 2], np.random.default_rng(0))
    >>> [p.shape for p in net.params()]
    [(2, 3), (3,), (3, 2), (2,)]
    """

    def __init__(self, layers: list[Dense]):
        self.layers = list(layers)

    def forward(self, x: ArrayLike) -> np.ndarray:
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, grad_y: ArrayLike) -> np.ndarray:
        for layer in reversed(self.layers):
            grad_y = layer.backward(grad_y)
        return grad_y

    def _loss(self, loss: str, func: str) -> Loss:
        chosen = _lookup(LOSSES, loss, func, "loss")
        last = self.layers[-1].activation
        if loss == "cross_entropy" and last != "identity":
            # cross_entropy applies the softmax itself, so it wants raw logits.
            raise ValueError(
                f"{func}: cross_entropy takes logits, so the last layer's activation "
                f"must be 'identity', got {last!r}"
            )
        return chosen

    def loss(self, x: ArrayLike, t: ArrayLike, loss: str) -> np.floating:
        """The loss of the network's output on ``x`` against targets ``t``."""
        return self._loss(loss, "Network.loss").value(self.forward(x), t)

    def loss_and_backward(self, x: ArrayLike, t: ArrayLike, loss: str) -> np.floating:
        """Return the loss and store every parameter's gradient in its layer."""
        chosen = self._loss(loss, "Network.loss_and_backward")
        y = self.forward(x)
        # The targets are float64; the backward pass keeps the network's dtype.
        self.backward(chosen.gradient(y, t).astype(y.dtype, copy=False))
        return chosen.value(y, t)

    def predict(self, x: ArrayLike) -> np.ndarray:
        """The class with the largest output, for each sample."""
        return np.argmax(self.forward(x), axis=-1)

    def params(self) -> list[np.ndarray]:
        return [p for layer in self.layers for p in layer.params()]

    def grads(self) -> list[np.ndarray]:
        return [g for layer in self.layers for g in layer.grads()]

    def step(self, learning_rate: float) -> None:
        """Plain gradient descent: :math:`p \\leftarrow p - \\eta\\,\\partial E/\\partial p`
        for every parameter."""
        for param, grad in zip(self.params(), self.grads()):
            param -= learning_rate * grad


def mlp(
    sizes: list[int],
    rng: np.random.Generator,
    hidden: str | Activation = "tanh",
    output: str | Activation = "identity",
    init: str | float = "lecun",
    dtype=np.float64,
) -> Network:
    """A multi-layer perceptron with layer widths ``sizes``, for example
    ``[2, 16, 2]``: ``hidden`` activations inside, ``output`` on the last layer.
    The default ``'identity'`` output gives logits for :func:`cross_entropy`.
    Every layer draws its weights with ``init`` and computes in ``dtype``, as
    in :class:`Dense`.

    Examples
    --------
    >>> net = mlp([2, 64, 64, 2], np.random.default_rng(0), hidden="relu", init="he")
    >>> [layer.W.shape for layer in net.layers]
    [(2, 64), (64, 64), (64, 2)]
    """
    if len(sizes) < 2:
        raise ValueError(f"mlp: sizes must list at least 2 widths, got {list(sizes)}")
    activations = [hidden] * (len(sizes) - 2) + [output]
    return Network(
        Dense(n_in, n_out, g, rng, init=init, dtype=dtype)
        for n_in, n_out, g in zip(sizes, sizes[1:], activations)
    )


def network_gradient_check(
    net: Network, x: ArrayLike, t: ArrayLike, loss: str
) -> list[np.floating]:
    """:func:`gradient_check` of every parameter's backpropagated gradient
    against :func:`numerical_gradient`, in the order of ``net.params()``.
    The parameters are left as they were."""
    net.loss_and_backward(x, t, loss)
    errors = []
    for param, grad in zip(net.params(), net.grads()):

        def loss_at(value, param=param):
            saved = param.copy()
            param[...] = value
            try:
                return net.loss(x, t, loss)
            finally:
                param[...] = saved

        errors.append(gradient_check(grad, numerical_gradient(loss_at, param)))
    return errors


def train(
    net: Network,
    x: ArrayLike,
    t: ArrayLike,
    loss: str,
    learning_rate: float,
    epochs: int,
    batch_size: int | None = None,
    rng: np.random.Generator | None = None,
) -> np.ndarray:
    r"""Gradient descent on the whole batch, or on shuffled minibatches.

    With ``batch_size=None`` each epoch is one step on all the samples,

    .. math::

        p \leftarrow p - \eta\,\frac{\partial E}{\partial p},
        \qquad E = \sum_{n=1}^{N} E_n ,

    and the history holds the loss before each step.  With a ``batch_size``
    :math:`B`, each epoch draws a random order of the samples from ``rng``
    and takes one step per consecutive group of :math:`B` of them (the last
    group may be smaller), with the loss summed over the group; the history
    holds, for each epoch, the sum of those minibatch losses, each measured
    before its own step.  That sum covers every sample once, as the
    full-batch loss does, though with the parameters moving during the epoch.

    The loss is summed over the samples, not averaged, so a larger batch
    takes a proportionally larger step for the same ``learning_rate``.

    Parameters
    ----------
    net : Network
    x, t : array_like
        Inputs of shape ``(N, n_in)``, and targets whose first axis has
        length ``N`` (class indices or one-hot rows for
        :func:`cross_entropy`, target rows for :func:`squared_error`).
    loss : {'squared_error', 'cross_entropy'}
    learning_rate : float
        :math:`\eta`, positive and finite.
    epochs : int
        Number of passes over the data, at least 0.
    batch_size : int, optional
        :math:`B \ge 1`, or None (the default) for full-batch steps.
    rng : numpy.random.Generator, optional
        Required with ``batch_size``: the source of the shuffles, so that a
        run is reproducible.

    Returns
    -------
    ndarray of float64, shape (epochs,)

    Raises
    ------
    ValueError
        If ``learning_rate``, ``epochs`` or ``batch_size`` is out of range, or
        ``x`` and ``t`` have different numbers of samples.
    TypeError
        If ``batch_size`` is given without a ``numpy.random.Generator``.

    Examples
    --------
    >>> x, labels = two_spirals(40, seed=0)
    >>> net = mlp([2, 8, 2], np.random.default_rng(0))
    >>> history = train(net, x, labels, "cross_entropy", 0.01, 3,
    ...                 batch_size=16, rng=np.random.default_rng(1))
    >>> history.shape
    (3,)
    """
    func = "train"
    epochs = operator.index(epochs)
    if epochs < 0:
        raise ValueError(f"{func}: epochs must be at least 0, got {epochs}")
    if not (isinstance(learning_rate, numbers.Real) and np.isfinite(learning_rate)
            and learning_rate > 0):
        raise ValueError(
            f"{func}: learning_rate must be a positive finite number, got {learning_rate!r}"
        )
    history = np.empty(epochs)
    if batch_size is None:
        for epoch in range(epochs):
            history[epoch] = net.loss_and_backward(x, t, loss)
            net.step(learning_rate)
        return history
    batch_size = operator.index(batch_size)
    if batch_size < 1:
        raise ValueError(f"{func}: batch_size must be at least 1, got {batch_size}")
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"{func}: batch_size needs rng, a numpy.random.Generator to shuffle the "
            f"samples, such as numpy.random.default_rng(0), got {type(rng).__name__}"
        )
    x, t = np.asarray(x), np.asarray(t)
    if x.ndim != 2 or t.ndim < 1 or len(x) != len(t):
        raise ValueError(
            f"{func}: x must have shape (N, n_in) and t N rows, "
            f"got x.shape={x.shape} and t.shape={t.shape}"
        )
    for epoch in range(epochs):
        order = rng.permutation(len(x))
        total = 0.0
        for start in range(0, len(x), batch_size):
            chosen = order[start:start + batch_size]
            total += net.loss_and_backward(x[chosen], t[chosen], loss)
            net.step(learning_rate)
        history[epoch] = total
    return history


# ------------------------------------------------------------------ toy data


def two_spirals(n: int, turns: float = 1.0, noise: float = 0.02, seed: int = 0):
    r"""Two interleaved spirals in the plane, one per class.

    .. math::

        x = r\,(\cos\theta, \sin\theta) + \epsilon, \qquad
        r = 0.2 + 0.8\,s, \qquad
        \theta = 2\pi\,\text{turns}\;s + \pi\,\text{label},

    with :math:`s \sim U(0, 1)` and :math:`\epsilon \sim \mathcal N(0, \text{noise}^2 I)`.
    The second spiral is the first turned by half a circle.  They start at
    radius 0.2 rather than 0, where the two classes would touch.  With one turn
    no straight line separates them, so a network needs a hidden layer.

    Parameters
    ----------
    n : int
        Number of points; the labels alternate 0, 1, 0, ...
    turns : float
        How far each spiral winds.
    noise : float
        Standard deviation of the Gaussian noise added to each coordinate.
    seed : int
        Seed of ``numpy.random.default_rng``; the same seed gives the same data.

    Returns
    -------
    x : ndarray of float64, shape (n, 2)
    labels : ndarray of int, shape (n,)

    Examples
    --------
    >>> x, labels = two_spirals(4, seed=0)
    >>> x.shape, labels
    ((4, 2), array([0, 1, 0, 1]))
    """
    n = operator.index(n)
    if n < 1 or not noise >= 0:
        raise ValueError(f"two_spirals: need n >= 1 and noise >= 0, got n={n}, noise={noise}")
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % 2
    s = rng.uniform(0.0, 1.0, n)
    theta = 2.0 * np.pi * turns * s + np.pi * labels
    radius = 0.2 + 0.8 * s
    x = radius[:, None] * np.column_stack([np.cos(theta), np.sin(theta)])
    return x + rng.normal(0.0, noise, (n, 2)), labels
