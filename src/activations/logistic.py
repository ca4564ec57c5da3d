"""The logistic sigmoid, its inverse (the logit), and its derivative.

The sigmoid turns log-odds into a probability.  Its derivative can be computed
in two ways, and the difference is the subject of a chapter of the book:

* from the input, ``sigmoid_grad(z)``, accurate to a few ULP for every ``z``;
* from the output, ``sigmoid_backward(grad_output, p)`` with ``p = sigmoid(z)``,
  which is what backpropagation has at hand.  It is cheap, but once ``p`` has
  rounded to 1.0 the tiny true derivative is lost.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from . import _arrays

__all__ = ["sigmoid", "logit", "sigmoid_grad", "sigmoid_backward"]


def sigmoid(z: ArrayLike, out: np.ndarray | None = None) -> np.ndarray:
    r"""Logistic sigmoid.

    .. math::

        \sigma(z) = \frac{1}{1 + e^{-z}}

    Derived in :ref:`the sigmoid chapter <sigmoid>`, equation :eq:`sigmoid-forms`.

    Parameters
    ----------
    z : array_like
        Pre-activations.  Integers and booleans are promoted to float64.
    out : ndarray, optional
        Where to put the result, as for a NumPy ufunc: a floating-point array of
        the result's shape.  It is returned.

    Returns
    -------
    p : ndarray or scalar
        :math:`\sigma(z)`, in :math:`[0, 1]`, with the shape and floating dtype
        of ``z``.  A scalar for a scalar input.

    Notes
    -----
    The form :math:`1/(1+e^{-z})` is accurate to a few ULP wherever the result
    is a normal float.  Below :math:`z \approx -709.78`, :math:`e^{-z}`
    overflows to ``inf`` and the result is 0, where the exact value is a
    subnormal number below :math:`2.2 \times 10^{-308}`; the overflow is
    expected and not reported.  The textbook
    form :math:`e^z/(1+e^z)` would instead give ``inf/inf = nan`` for large ``z``.

    ``sigmoid(inf)`` is 1, ``sigmoid(-inf)`` is 0, and NaN propagates.

    Examples
    --------
    >>> from activations import sigmoid
    >>> sigmoid(0.0)
    np.float64(0.5)
    >>> sigmoid([-800.0, 0.0, 800.0])
    array([0. , 0.5, 1. ])
    """
    return _arrays.unary("sigmoid", _sigmoid, z, out)


def _sigmoid(z: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Put :math:`1 / (1 + e^{-z})` into ``p``."""
    np.negative(z, out=p, dtype=p.dtype)
    np.exp(p, out=p)  # inf for z < -709.78 (float64): then 1/inf = 0, the limit
    np.add(p, 1.0, out=p)
    return np.reciprocal(p, out=p)


def logit(p: ArrayLike, out: np.ndarray | None = None) -> np.ndarray:
    r"""Log-odds, the inverse of the sigmoid.

    .. math::

        \operatorname{logit}(p) = \ln\frac{p}{1 - p}

    Derived in :ref:`the sigmoid chapter <sigmoid>`, equation :eq:`sigmoid-logit`.

    Parameters
    ----------
    p : array_like
        Probabilities in :math:`[0, 1]`.
    out : ndarray, optional
        Where to put the result, as for a NumPy ufunc: a floating-point array of
        the result's shape.  It is returned.

    Returns
    -------
    z : ndarray or scalar
        The :math:`z` with :math:`\sigma(z) = p`.

    Raises
    ------
    ValueError
        If any ``p`` lies outside :math:`[0, 1]`.

    Notes
    -----
    Near :math:`p = 1/2` the result is close to 0, and :math:`\ln` of the
    rounded ratio :math:`p/(1-p)` would lose all relative accuracy.  There the
    function evaluates :math:`\operatorname{log1p}\big((2p-1)/(1-p)\big)`, in
    which :math:`2p - 1` is exact.  Below :math:`p = 1/4` the ratio is far from
    1 and the plain logarithm is accurate.

    ``logit(0)`` is ``-inf``, ``logit(1)`` is ``inf``, and NaN propagates.

    Examples
    --------
    >>> from activations import logit
    >>> logit(0.5)
    np.float64(0.0)
    >>> logit([0.0, 0.75, 1.0])  # odds of 3 to 1 in the middle
    array([      -inf, 1.09861229,        inf])
    """
    return _arrays.unary("logit", _logit, p, out, name="p", check=_probabilities)


def _probabilities(p: np.ndarray) -> None:
    """Refuse a ``p`` outside :math:`[0, 1]`; NaN passes, and propagates."""
    # fmin and fmax skip NaN, and they allocate no mask.
    if p.size and (np.fmin.reduce(p, axis=None) < 0 or np.fmax.reduce(p, axis=None) > 1):
        bad = p[(p < 0) | (p > 1)].flat[0]
        raise ValueError(f"logit: p must lie in [0, 1], got a value of {bad}")


def _logit(p: np.ndarray, z: np.ndarray) -> np.ndarray:
    r"""Put :math:`\operatorname{logit}(p)` of valid ``p`` into ``z``."""
    ratio = np.multiply(2.0, p, out=np.empty_like(z), dtype=z.dtype)
    ratio -= 1.0  # 2p - 1, exact for p >= 1/4
    low = np.less(p, 0.25, out=np.empty(p.shape, dtype=bool))
    np.copyto(ratio, p, where=low)
    np.subtract(1.0, p, out=z, dtype=z.dtype)
    ratio /= z  # p / (1 - p) below 1/4, (2p - 1) / (1 - p) above
    np.log(ratio, out=z, where=low)  # p = 0 gives log 0 = -inf, the limit
    np.log1p(ratio, out=z, where=np.logical_not(low, out=low))
    return z


def sigmoid_grad(z: ArrayLike, out: np.ndarray | None = None) -> np.ndarray:
    r"""Derivative of the sigmoid, computed from its input.

    .. math::

        \sigma'(z) = \sigma(z)\,\sigma(-z) = \frac{e^{-|z|}}{\big(1 + e^{-|z|}\big)^2}

    Derived in :ref:`the sigmoid chapter <sigmoid>`, equation :eq:`sigmoid-from-input`.

    Parameters
    ----------
    z : array_like
        Pre-activations.
    out : ndarray, optional
        Where to put the result, as for a NumPy ufunc: a floating-point array of
        the result's shape.  It is returned.

    Returns
    -------
    ndarray or scalar
        :math:`\sigma'(z)`, in :math:`(0, 1/4]`.

    Notes
    -----
    Unlike :math:`p(1-p)`, which is exactly 0 once :math:`p` rounds to 1
    (from :math:`z \approx 36.7` in float64), this form keeps full relative
    accuracy in both tails, down to the smallest normal float: it has no
    subtraction, and :math:`e^{-|z|} \le 1` cannot overflow.  It equals
    :math:`1/(2 + 2\cosh z)`, but the exponential is the cheaper function.

    ``sigmoid_grad(±inf)`` is 0, and NaN propagates.

    Examples
    --------
    >>> from activations import sigmoid_grad
    >>> sigmoid_grad(0.0)
    np.float64(0.25)
    >>> float(sigmoid_grad(40.0))  # p(1 - p) would give 0.0 here
    4.248354255291589e-18
    """
    return _arrays.unary("sigmoid_grad", _logistic_density, z, out)


def _logistic_density(z: np.ndarray, d: np.ndarray, scale: float = 1.0) -> np.ndarray:
    r"""Put :math:`\sigma'(sz) = e^{-s|z|} / (1 + e^{-s|z|})^2` into ``d``.

    The kernel of :func:`sigmoid_grad` (with :math:`s = 1`) and of
    :func:`~activations.hyperbolic.tanh_grad`, which is :math:`4\sigma'(2z)`.
    ``d`` is a buffer of the working dtype that does not overlap ``z``.
    """
    np.abs(z, out=d, dtype=d.dtype)
    np.multiply(d, -scale, out=d)
    np.exp(d, out=d)
    denominator = np.add(1.0, d, out=np.empty_like(d))
    np.square(denominator, out=denominator)
    d /= denominator
    return d


def sigmoid_backward(
    grad_output: ArrayLike, output: ArrayLike, out: np.ndarray | None = None
) -> np.ndarray:
    r"""Backward pass of the sigmoid, from its output.

    .. math::

        \frac{\partial E}{\partial z} = \frac{\partial E}{\partial p}\, p\,(1 - p),
        \qquad p = \sigma(z)

    This is what backpropagation uses: the forward pass has already computed
    ``p``, so no exponential is needed.

    Derived in :ref:`the sigmoid chapter <sigmoid>`, equation :eq:`sigmoid-backward`.

    Parameters
    ----------
    grad_output : array_like
        :math:`\partial E / \partial p`, the gradient arriving from the layer above.
    output : array_like
        :math:`p = \sigma(z)`, the sigmoid's output, of the same shape.
    out : ndarray, optional
        Where to put the result, as for a NumPy ufunc: a floating-point array of
        the result's shape.  It is returned.

    Returns
    -------
    ndarray or scalar
        :math:`\partial E / \partial z`.

    Raises
    ------
    ValueError
        If ``grad_output`` and ``output`` differ in shape; they are never
        broadcast.

    Notes
    -----
    The product is evaluated to within a few ULP of the exact value of
    :math:`g\,p(1-p)` at the ``p`` it is handed: :math:`1 - p` is exact for
    :math:`p \ge 1/2`, so no cancellation occurs.

    But a saturated output cannot carry the tiny true derivative.  In float64,
    ``sigmoid(z)`` is exactly 1.0 for :math:`z > 36.7`, and this function then
    returns 0 where the true :math:`\sigma'(z)` is about :math:`10^{-16}` or
    smaller.  When ``z`` is still at hand, :func:`sigmoid_grad` is the accurate
    choice.

    NaN in either argument propagates.  An infinite ``grad_output`` gives
    ``±inf``, or NaN where :math:`p(1-p)` is exactly 0.  The ``output`` is not
    checked to lie in :math:`[0, 1]`.

    Examples
    --------
    >>> from activations import sigmoid, sigmoid_backward
    >>> sigmoid_backward(1.0, sigmoid(0.0))
    np.float64(0.25)
    >>> sigmoid_backward([1.0, 1.0], sigmoid([0.0, 40.0]))  # p = 1.0 exactly
    array([0.25, 0.  ])
    """
    return _arrays.backward("sigmoid_backward", _sigmoid_derivative, grad_output, output, out)


def _sigmoid_derivative(p: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Put :math:`p\\,(1 - p)` into ``d``; :math:`1 - p` is exact for :math:`p \\ge 1/2`."""
    np.subtract(1.0, p, out=d, dtype=d.dtype)
    d *= p
    return d
