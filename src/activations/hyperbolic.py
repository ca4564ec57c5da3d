"""The hyperbolic tangent and its derivative.

As for the sigmoid, the derivative comes in two forms: ``tanh_grad(z)`` from the
input, accurate everywhere, and ``tanh_backward(grad_output, t)`` from the
output ``t = tanh(z)``, which is what backpropagation has at hand.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from . import _arrays
from .logistic import _logistic_density

__all__ = ["tanh", "tanh_grad", "tanh_backward"]


def tanh(z: ArrayLike, out: np.ndarray | None = None) -> np.ndarray:
    r"""Hyperbolic tangent.

    .. math::

        \tanh z = \frac{\sinh z}{\cosh z} = \frac{e^{z} - e^{-z}}{e^{z} + e^{-z}}
                = 2\sigma(2z) - 1

    Derived in :ref:`the tanh chapter <tanh>`, equation :eq:`tanh-definition`.

    Parameters
    ----------
    z : array_like
        Pre-activations.  Integers and booleans are promoted to float64.
    out : ndarray, optional
        Where to put the result, as for a NumPy ufunc: a floating-point array of
        the result's shape.  It is returned.

    Returns
    -------
    t : ndarray or scalar
        :math:`\tanh z`, in :math:`[-1, 1]`.

    Notes
    -----
    ``tanh(±inf)`` is ±1, and NaN propagates.

    Examples
    --------
    >>> from activations import tanh
    >>> tanh(0.0)
    np.float64(0.0)
    >>> tanh([-1e308, 1e308])
    array([-1.,  1.])
    """
    return _arrays.unary("tanh", _tanh, z, out)


def _tanh(z: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Put :math:`\\tanh z` into ``t``."""
    return np.tanh(z, out=t, dtype=t.dtype)


def tanh_grad(z: ArrayLike, out: np.ndarray | None = None) -> np.ndarray:
    r"""Derivative of the hyperbolic tangent, computed from its input.

    .. math::

        \tanh'(z) = 1 - \tanh^2 z = \frac{1}{\cosh^2 z} = 4\sigma'(2z)
        = \frac{4e^{-2|z|}}{\big(1 + e^{-2|z|}\big)^2}

    Derived in :ref:`the tanh chapter <tanh>`, equation :eq:`tanh-derivative-sigmoid`.

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
        :math:`\tanh'(z)`, in :math:`(0, 1]`.

    Notes
    -----
    :math:`1 - \tanh^2 z` is exactly 0 in float64 once :math:`|z| \ge 19`;
    the last form keeps full relative accuracy down to the smallest normal
    float, near :math:`|z| = 354`: it has no subtraction, and
    :math:`e^{-2|z|} \le 1` cannot overflow.  It is the sigmoid's derivative
    scaled, as the book's tanh chapter derives.

    ``tanh_grad(±inf)`` is 0, and NaN propagates.

    Examples
    --------
    >>> from activations import tanh_grad
    >>> tanh_grad(0.0)
    np.float64(1.0)
    >>> float(tanh_grad(20.0))  # 1 - tanh(20)**2 would give 0.0 here
    1.6993417021166355e-17
    """
    return _arrays.unary("tanh_grad", _tanh_grad, z, out)


def _tanh_grad(z: np.ndarray, d: np.ndarray) -> np.ndarray:
    r"""Put :math:`1 - \tanh^2 z = 4\sigma'(2z)` into ``d``."""
    _logistic_density(z, d, scale=2.0)
    d *= 4.0
    return d


def tanh_backward(
    grad_output: ArrayLike, output: ArrayLike, out: np.ndarray | None = None
) -> np.ndarray:
    r"""Backward pass of the hyperbolic tangent, from its output.

    .. math::

        \frac{\partial E}{\partial z} = \frac{\partial E}{\partial t}\,(1 - t^2)
        = \frac{\partial E}{\partial t}\,(1 - t)(1 + t),
        \qquad t = \tanh z

    Derived in :ref:`the tanh chapter <tanh>`, equation :eq:`tanh-backward`.

    Parameters
    ----------
    grad_output : array_like
        :math:`\partial E / \partial t`, the gradient arriving from the layer above.
    output : array_like
        :math:`t = \tanh z`, the output of the forward pass, of the same shape.
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
    :math:`1 - t^2` evaluated as written cancels catastrophically when
    :math:`|t|` is near 1.  The factored form :math:`(1 - t)(1 + t)` is exact in
    its one small factor, so the result is within a few ULP of the exact value
    of :math:`g\,(1 - t^2)` at the ``t`` it is handed.

    But a saturated output cannot carry the tiny true derivative.  In float64,
    ``tanh(z)`` is exactly ±1.0 for :math:`|z| > 19.1`, and this function then
    returns 0 where the true :math:`\tanh'(z)` is about :math:`10^{-16}` or
    smaller.  When ``z`` is still at hand, :func:`tanh_grad` is the accurate
    choice.

    NaN in either argument propagates.  An infinite ``grad_output`` gives
    ``±inf``, or NaN where :math:`1 - t^2` is exactly 0.  The ``output`` is not
    checked to lie in :math:`[-1, 1]`.

    Examples
    --------
    >>> from activations import tanh, tanh_backward
    >>> tanh_backward(1.0, tanh(0.0))
    np.float64(1.0)
    >>> tanh_backward([2.0, 1.0], tanh([0.0, 20.0]))  # tanh(20) = 1.0 exactly
    array([2., 0.])
    """
    return _arrays.backward("tanh_backward", _tanh_derivative, grad_output, output, out)


def _tanh_derivative(t: np.ndarray, d: np.ndarray) -> np.ndarray:
    r"""Put :math:`(1 - t)(1 + t)` into ``d``.

    For :math:`|t| \ge 1/2` the small factor, :math:`1 - |t|`, is exact
    (Sterbenz's lemma), so nothing cancels.
    """
    one_plus_t = np.add(1.0, t, dtype=d.dtype)
    np.subtract(1.0, t, out=d, dtype=d.dtype)
    d *= one_plus_t
    return d
