"""Rectifiers: ReLU, leaky ReLU and ELU, and their derivatives.

Each is the identity for :math:`z > 0` and something flatter below 0.  Their
derivatives are piecewise, so they are exact in floating point wherever the
function itself is: 1 for :math:`z > 0` and 0, the slope, or
:math:`\\alpha e^z` below.

At :math:`z = 0` ReLU and leaky ReLU have no derivative.  Every function here
uses the subgradient that PyTorch uses: the value from the left, so the
derivative of ReLU at 0 is 0.  The backward passes take the forward *output*,
which for these functions tells the sign of :math:`z` (for leaky ReLU only
when the slope is not negative).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from . import _arrays
from ._accurate import times_exp

__all__ = [
    "relu",
    "relu_grad",
    "relu_backward",
    "leaky_relu",
    "leaky_relu_grad",
    "leaky_relu_backward",
    "elu",
    "elu_grad",
    "elu_backward",
]


def _positive(alpha, func: str) -> float:
    """ELU's scale: a finite real number above 0."""
    alpha = _arrays.parameter(alpha, func, "alpha")
    if not alpha > 0:
        raise ValueError(f"{func}: alpha must be positive, got {alpha}")
    return alpha


def _nonnegative(negative_slope, func: str) -> float:
    """A slope from which the output tells the sign of the input: not below 0."""
    negative_slope = _arrays.parameter(negative_slope, func, "negative_slope")
    if not negative_slope >= 0:
        raise ValueError(
            f"{func}: negative_slope must be non-negative, got {negative_slope}: with "
            f"a negative slope the output has the same sign for z < 0 as for z > 0, "
            f"so it does not tell which side of 0 the input was on"
        )
    return negative_slope


def relu(z: ArrayLike, out: np.ndarray | None = None) -> np.ndarray:
    r"""Rectified linear unit.

    .. math::

        \operatorname{relu}(z) = \max(z, 0)

    Derived in :ref:`the chapter on modern activations <modern>`,
    equation :eq:`modern-relu`.

    Parameters
    ----------
    z : array_like
        Pre-activations.  Integers and booleans are promoted to float64.
    out : ndarray, optional
        Where to put the result, as for a NumPy ufunc: a floating-point array of
        the result's shape.  It is returned.

    Returns
    -------
    ndarray or scalar
        :math:`\max(z, 0)`, with the shape and floating dtype of ``z``.  A
        scalar for a scalar input.

    Notes
    -----
    Exact: no rounding occurs.  ``relu(inf)`` is ``inf``, ``relu(-inf)`` is 0,
    and NaN propagates.

    Examples
    --------
    >>> from activations import relu
    >>> relu(-2.0)
    np.float64(0.0)
    >>> relu([-1.0, 0.0, 3.5])
    array([0. , 0. , 3.5])
    """
    return _arrays.unary("relu", _relu, z, out)


def _relu(z: np.ndarray, r: np.ndarray) -> np.ndarray:
    """Put :math:`\\max(z, 0)` into ``r``."""
    return np.maximum(z, 0.0, out=r, dtype=r.dtype)


def relu_grad(z: ArrayLike, out: np.ndarray | None = None) -> np.ndarray:
    r"""Derivative of ReLU, computed from its input.

    .. math::

        \operatorname{relu}'(z) = \begin{cases} 1 & z > 0 \\ 0 & z \le 0 \end{cases}

    At :math:`z = 0`, where ReLU has no derivative, the value is 0: the
    subgradient that PyTorch uses (any value in :math:`[0, 1]` would be one).

    Derived in :ref:`the chapter on modern activations <modern>`,
    equation :eq:`modern-relu-derivative`.

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
        1.0 where :math:`z > 0`, otherwise 0.0.

    Notes
    -----
    ``relu_grad(inf)`` is 1, ``relu_grad(-inf)`` is 0, and NaN propagates.

    Examples
    --------
    >>> from activations import relu_grad
    >>> relu_grad(0.0)  # the subgradient convention at 0
    np.float64(0.0)
    >>> relu_grad([-2.0, 1e-300, 5.0])
    array([0., 1., 1.])
    """
    return _arrays.unary("relu_grad", _step, z, out)


def _step(z: np.ndarray, d: np.ndarray) -> np.ndarray:
    """1 above 0, 0 at and below, NaN for NaN."""
    return np.heaviside(z, 0.0, out=d, dtype=d.dtype)


def relu_backward(
    grad_output: ArrayLike, output: ArrayLike, out: np.ndarray | None = None
) -> np.ndarray:
    r"""Backward pass of ReLU, from its output.

    .. math::

        \frac{\partial E}{\partial z} = \frac{\partial E}{\partial y}
        \begin{cases} 1 & y > 0 \\ 0 & y = 0 \end{cases},
        \qquad y = \operatorname{relu}(z)

    The output is positive exactly where the input is, so it carries the whole
    derivative: nothing is lost by not keeping ``z``.  At :math:`z = 0` the
    derivative is taken as 0, as in :func:`relu_grad`.

    Derived in :ref:`the chapter on modern activations <modern>`,
    equation :eq:`modern-relu-derivative`.

    Parameters
    ----------
    grad_output : array_like
        :math:`\partial E / \partial y`, the gradient arriving from the layer above.
    output : array_like
        :math:`y = \operatorname{relu}(z)`, of the same shape.
    out : ndarray, optional
        Where to put the result, as for a NumPy ufunc: a floating-point array of
        the result's shape.  It is returned.

    Returns
    -------
    ndarray or scalar
        :math:`\partial E / \partial z`: ``grad_output`` where the output is
        positive, 0 elsewhere.

    Raises
    ------
    ValueError
        If ``grad_output`` and ``output`` differ in shape; they are never
        broadcast.

    Notes
    -----
    Exact.  NaN in either argument propagates.  An infinite ``grad_output``
    gives ``±inf`` where the output is positive and NaN (:math:`\infty \cdot 0`)
    where it is 0.  The ``output`` is not checked to be non-negative.

    Examples
    --------
    >>> from activations import relu, relu_backward
    >>> relu_backward(2.0, relu(3.0))
    np.float64(2.0)
    >>> relu_backward([2.0, 2.0, 2.0], relu([-1.0, 0.0, 1.0]))
    array([0., 0., 2.])
    """
    return _arrays.backward("relu_backward", _step, grad_output, output, out)


def leaky_relu(
    z: ArrayLike, negative_slope: float = 0.01, out: np.ndarray | None = None
) -> np.ndarray:
    r"""Leaky rectified linear unit.

    .. math::

        \operatorname{leaky\_relu}(z) = \begin{cases} z & z > 0 \\
        s\,z & z \le 0 \end{cases}, \qquad s = \text{negative\_slope}

    Derived in :ref:`the chapter on modern activations <modern>`,
    equation :eq:`modern-leaky-relu`.

    Parameters
    ----------
    z : array_like
        Pre-activations.  Integers and booleans are promoted to float64.
    negative_slope : float, optional
        The slope :math:`s` for :math:`z < 0`, a finite real number.  Default
        0.01.
    out : ndarray, optional
        Where to put the result, as for a NumPy ufunc: a floating-point array of
        the result's shape.  It is returned.

    Returns
    -------
    ndarray or scalar
        The leaky ReLU of ``z``, with its shape and floating dtype.

    Raises
    ------
    TypeError, ValueError
        If ``negative_slope`` is not a finite real number.

    Notes
    -----
    One rounding, in :math:`s\,z`.  ``leaky_relu(inf)`` is ``inf``;
    ``leaky_relu(-inf)`` is :math:`-\infty \cdot s` (0 for :math:`s = 0`, the
    limit).  NaN propagates.  For :math:`|s| > 1`, :math:`s\,z` overflows to
    ``±inf`` where the true value is beyond the largest float.

    Examples
    --------
    >>> from activations import leaky_relu
    >>> leaky_relu(-2.0)
    np.float64(-0.02)
    >>> leaky_relu([-2.0, 0.0, 3.0], negative_slope=0.5)
    array([-1.,  0.,  3.])
    """
    return _arrays.unary("leaky_relu", _leaky_relu, z, out, negative_slope=negative_slope)


def _leaky_relu(z: np.ndarray, r: np.ndarray, negative_slope: float) -> np.ndarray:
    """Put :math:`z` above 0, ``negative_slope`` :math:`\\cdot z` at and below, into ``r``."""
    if negative_slope == 0.0:
        # 0 * (-inf) would be NaN; the function is 0 on the whole left half.
        return _relu(z, r)
    np.multiply(z, negative_slope, out=r, dtype=r.dtype)
    np.copyto(r, z, where=np.greater(z, 0.0), casting="same_kind")
    return r


def leaky_relu_grad(
    z: ArrayLike, negative_slope: float = 0.01, out: np.ndarray | None = None
) -> np.ndarray:
    r"""Derivative of leaky ReLU, computed from its input.

    .. math::

        \operatorname{leaky\_relu}'(z) = \begin{cases} 1 & z > 0 \\
        s & z \le 0 \end{cases}

    At :math:`z = 0`, where the function has no derivative, the value is the
    slope from the left, :math:`s`, as in PyTorch (and as :func:`relu_grad`
    gives 0 there).

    Derived in :ref:`the chapter on modern activations <modern>`,
    equation :eq:`modern-leaky-relu`.

    Parameters
    ----------
    z : array_like
        Pre-activations.
    negative_slope : float, optional
        The slope :math:`s` for :math:`z < 0`, a finite real number.  Default
        0.01.
    out : ndarray, optional
        Where to put the result, as for a NumPy ufunc: a floating-point array of
        the result's shape.  It is returned.

    Returns
    -------
    ndarray or scalar
        1.0 where :math:`z > 0`, otherwise :math:`s` (rounded to the dtype).

    Raises
    ------
    TypeError, ValueError
        If ``negative_slope`` is not a finite real number.

    Notes
    -----
    ``leaky_relu_grad(inf)`` is 1, ``leaky_relu_grad(-inf)`` is :math:`s`, and
    NaN propagates.

    Examples
    --------
    >>> from activations import leaky_relu_grad
    >>> leaky_relu_grad(0.0)  # the slope from the left, at 0
    np.float64(0.01)
    >>> leaky_relu_grad([-2.0, 3.0], negative_slope=0.2)
    array([0.2, 1. ])
    """
    return _arrays.unary("leaky_relu_grad", _leaky_step, z, out, negative_slope=negative_slope)


def _leaky_step(z: np.ndarray, d: np.ndarray, negative_slope: float) -> np.ndarray:
    """1 above 0, ``negative_slope`` at and below, NaN for NaN."""
    _step(z, d)
    np.copyto(d, negative_slope, where=np.equal(d, 0.0))
    return d


def leaky_relu_backward(
    grad_output: ArrayLike,
    output: ArrayLike,
    negative_slope: float = 0.01,
    out: np.ndarray | None = None,
) -> np.ndarray:
    r"""Backward pass of leaky ReLU, from its output.

    .. math::

        \frac{\partial E}{\partial z} = \frac{\partial E}{\partial y}
        \begin{cases} 1 & y > 0 \\ s & y \le 0 \end{cases},
        \qquad y = \operatorname{leaky\_relu}(z)

    For :math:`s \ge 0` the output is positive exactly where the input is, so
    it carries the whole derivative.  At :math:`z = 0` the derivative is taken
    as :math:`s`, as in :func:`leaky_relu_grad`.

    Derived in :ref:`the chapter on modern activations <modern>`,
    equation :eq:`modern-leaky-relu`.

    Parameters
    ----------
    grad_output : array_like
        :math:`\partial E / \partial y`, the gradient arriving from the layer above.
    output : array_like
        :math:`y`, the output of :func:`leaky_relu` with the same slope, of the
        same shape.
    negative_slope : float, optional
        The slope :math:`s`, finite and non-negative.  Default 0.01.
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
        If ``grad_output`` and ``output`` differ in shape (they are never
        broadcast), or if ``negative_slope`` is negative or not finite: with
        :math:`s < 0` the output is positive on both sides of 0, so the sign
        of :math:`z` cannot be recovered from it (PyTorch refuses this case
        too).  Use :func:`leaky_relu_grad` with the input instead.
    TypeError
        If ``negative_slope`` is not a real number.

    Notes
    -----
    One rounding, in the product by :math:`s`.  NaN in either argument
    propagates.  An infinite ``grad_output`` gives ``±inf``, or NaN where
    :math:`y \le 0` and :math:`s = 0`.

    Examples
    --------
    >>> from activations import leaky_relu, leaky_relu_backward
    >>> leaky_relu_backward(1.0, leaky_relu(-3.0))
    np.float64(0.01)
    >>> leaky_relu_backward([2.0, 2.0], leaky_relu([-1.0, 1.0], 0.5), 0.5)
    array([1., 2.])
    """
    negative_slope = _nonnegative(negative_slope, "leaky_relu_backward")
    return _arrays.backward(
        "leaky_relu_backward", _leaky_step, grad_output, output, out, negative_slope=negative_slope
    )


def elu(z: ArrayLike, alpha: float = 1.0, out: np.ndarray | None = None) -> np.ndarray:
    r"""Exponential linear unit.

    .. math::

        \operatorname{elu}(z) = \begin{cases} z & z > 0 \\
        \alpha\,(e^{z} - 1) & z \le 0 \end{cases}

    Derived in :ref:`the chapter on modern activations <modern>`,
    equation :eq:`modern-elu`.

    Parameters
    ----------
    z : array_like
        Pre-activations.  Integers and booleans are promoted to float64.
    alpha : float, optional
        The scale :math:`\alpha > 0` of the negative part, which tends to
        :math:`-\alpha`.  Default 1.
    out : ndarray, optional
        Where to put the result, as for a NumPy ufunc: a floating-point array of
        the result's shape.  It is returned.

    Returns
    -------
    ndarray or scalar
        The ELU of ``z``, in :math:`(-\alpha, \infty)`.

    Raises
    ------
    TypeError, ValueError
        If ``alpha`` is not a finite positive real number.

    Notes
    -----
    :math:`e^z - 1` is evaluated with ``expm1``, which keeps full relative
    accuracy for small :math:`|z|`, where :math:`e^z` rounds to about 1 and
    the subtraction would cancel.  The exponential is taken of
    :math:`\min(z, 0)`, so it never overflows.

    ``elu(inf)`` is ``inf``, ``elu(-inf)`` is :math:`-\alpha`, and NaN
    propagates.

    Examples
    --------
    >>> from activations import elu
    >>> elu(0.0)
    np.float64(0.0)
    >>> elu([-800.0, -1e-20, 2.0])  # exp(-1e-20) - 1 would give 0.0
    array([-1.e+00, -1.e-20,  2.e+00])
    """
    return _arrays.unary("elu", _elu, z, out, alpha=_positive(alpha, "elu"))


def _elu(z: np.ndarray, r: np.ndarray, alpha: float) -> np.ndarray:
    """Put :math:`z` above 0, :math:`\\alpha\\,(e^z - 1)` at and below, into ``r``."""
    np.minimum(z, 0.0, out=r, dtype=r.dtype)
    np.expm1(r, out=r)
    r *= alpha
    np.copyto(r, z, where=np.greater(z, 0.0), casting="same_kind")
    return r


def elu_grad(z: ArrayLike, alpha: float = 1.0, out: np.ndarray | None = None) -> np.ndarray:
    r"""Derivative of ELU, computed from its input.

    .. math::

        \operatorname{elu}'(z) = \begin{cases} 1 & z > 0 \\
        \alpha\,e^{z} & z \le 0 \end{cases}

    At :math:`z = 0` the value is :math:`\alpha`, from the left, as in
    PyTorch.  For :math:`\alpha = 1` the function is differentiable there and
    both sides agree.

    Derived in :ref:`the chapter on modern activations <modern>`,
    equation :eq:`modern-elu`.

    Parameters
    ----------
    z : array_like
        Pre-activations.
    alpha : float, optional
        The scale :math:`\alpha > 0`.  Default 1.
    out : ndarray, optional
        Where to put the result, as for a NumPy ufunc: a floating-point array of
        the result's shape.  It is returned.

    Returns
    -------
    ndarray or scalar
        :math:`\operatorname{elu}'(z)`, in :math:`(0, \max(1, \alpha)]`.

    Raises
    ------
    TypeError, ValueError
        If ``alpha`` is not a finite positive real number.

    Notes
    -----
    Accurate to a few ULP wherever the result is a normal float, in
    particular for very negative :math:`z`, where :func:`elu_backward` from
    the output loses the derivative.  ``elu_grad(inf)`` is 1,
    ``elu_grad(-inf)`` is 0, and NaN propagates.

    Examples
    --------
    >>> from activations import elu_grad
    >>> elu_grad(0.0)
    np.float64(1.0)
    >>> elu_grad([-40.0, 0.0, 3.0], alpha=2.0)
    array([8.49670851e-18, 2.00000000e+00, 1.00000000e+00])
    """
    return _arrays.unary("elu_grad", _elu_grad, z, out, alpha=_positive(alpha, "elu_grad"))


def _elu_grad(z: np.ndarray, d: np.ndarray, alpha: float) -> np.ndarray:
    """Put 1 above 0, :math:`\\alpha e^z` at and below, into ``d``."""
    left = np.minimum(z, 0.0, dtype=d.dtype)
    times_exp(alpha, left, np.exp(left), out=d)  # alpha e^z, normal where it should be
    np.copyto(d, 1.0, where=np.greater(z, 0.0))
    return d


def elu_backward(
    grad_output: ArrayLike,
    output: ArrayLike,
    alpha: float = 1.0,
    out: np.ndarray | None = None,
) -> np.ndarray:
    r"""Backward pass of ELU, from its output.

    .. math::

        \frac{\partial E}{\partial z} = \frac{\partial E}{\partial y}
        \begin{cases} 1 & y > 0 \\ y + \alpha & y \le 0 \end{cases},
        \qquad y = \operatorname{elu}(z)

    For :math:`z \le 0`, :math:`y = \alpha(e^z - 1)`, so
    :math:`\alpha e^z = y + \alpha`: the output gives the derivative without
    an exponential.  At :math:`z = 0` (:math:`y = 0`) the value is
    :math:`\alpha`, as in :func:`elu_grad`.

    Derived in :ref:`the chapter on modern activations <modern>`,
    equation :eq:`modern-elu-from-output`.

    Parameters
    ----------
    grad_output : array_like
        :math:`\partial E / \partial y`, the gradient arriving from the layer above.
    output : array_like
        :math:`y`, the output of :func:`elu` with the same ``alpha``, of the
        same shape.
    alpha : float, optional
        The scale :math:`\alpha > 0`.  Default 1.
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
        If ``grad_output`` and ``output`` differ in shape (they are never
        broadcast), or ``alpha`` is not a finite positive number.
    TypeError
        If ``alpha`` is not a real number.

    Notes
    -----
    The result is within a few ULP of the exact value of the formula at the
    ``y`` it is handed: near :math:`y = -\alpha` the sum :math:`y + \alpha`
    is exact (Sterbenz's lemma), so the only roundings are those of the sum
    and the product.

    But a saturated output cannot carry the tiny true derivative.  In float64,
    ``elu(z)`` is exactly :math:`-\alpha` once :math:`e^z \le 2^{-54}` (from
    :math:`z \approx -37.4`), and this function then returns 0 where the true
    derivative :math:`\alpha e^z` is about :math:`10^{-16}\alpha` or smaller;
    closer in, :math:`y + \alpha` keeps only the digits of :math:`e^z` that
    :math:`y` kept.  When ``z`` is still at hand, :func:`elu_grad` is the
    accurate choice.

    Like the arguments, :math:`\alpha` is rounded to the working dtype
    (float32 for float16 and float32), so in lower precision the formula is
    that of the rounded :math:`\alpha`.

    NaN in either argument propagates.  An infinite ``grad_output`` gives
    ``±inf``, or NaN where :math:`y + \alpha` is exactly 0.  The ``output``
    is not checked to exceed :math:`-\alpha`.

    Examples
    --------
    >>> from activations import elu, elu_backward
    >>> elu_backward(1.0, elu(-1.0))
    np.float64(0.36787944117144233)
    >>> elu_backward([1.0, 1.0], elu([2.0, -40.0]))  # elu(-40) = -1.0 exactly
    array([1., 0.])
    """
    alpha = _positive(alpha, "elu_backward")
    return _arrays.backward("elu_backward", _elu_derivative, grad_output, output, out, alpha=alpha)


def _elu_derivative(y: np.ndarray, d: np.ndarray, alpha: float) -> np.ndarray:
    """Put 1 above 0, :math:`y + \\alpha` at and below (that is, :math:`\\alpha e^z`), into ``d``."""
    np.add(y, alpha, out=d, dtype=d.dtype)
    np.copyto(d, 1.0, where=np.greater(y, 0.0))
    return d
