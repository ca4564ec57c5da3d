"""The categorical distribution over K classes: softmax and log-softmax.

Softmax and log-softmax along an axis, their Jacobian and backward passes.

Softmax maps a vector of logits :math:`z` to probabilities.  It is not
elementwise: every output depends on every input, so its derivative is a
:math:`K \\times K` Jacobian.  Backpropagation never needs that matrix, only its
product with a vector, which costs :math:`O(K)` instead of :math:`O(K^2)`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from . import _arrays

__all__ = [
    "softmax",
    "log_softmax",
    "softmax_jacobian",
    "softmax_backward",
    "log_softmax_backward",
]


@np.errstate(invalid="ignore")  # inf - inf is NaN, as documented
def _softmax(z: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Put the softmax of each row of ``z`` into ``p``.

    Subtracting the row's maximum :math:`m` leaves softmax unchanged and keeps
    every exponential in :math:`(0, 1]`, so none can overflow; a difference
    too large for a float is :math:`-\\infty`, and its exponential 0.
    """
    maximum = np.maximum.reduce(z, axis=-1, keepdims=True)
    np.subtract(z, maximum, out=p, dtype=p.dtype)
    np.exp(p, out=p)
    p /= np.add.reduce(p, axis=-1, keepdims=True)
    return p


def softmax(z: ArrayLike, axis: int = -1, out: np.ndarray | None = None) -> np.ndarray:
    r"""Softmax along an axis.

    .. math::

        p_i = \frac{e^{z_i}}{\sum_{j=1}^{K} e^{z_j}}
            = \frac{e^{z_i - m}}{\sum_{j=1}^{K} e^{z_j - m}},
        \qquad m = \max_j z_j

    Derived in :ref:`the softmax chapter <softmax>`, equation :eq:`softmax-definition`.

    Parameters
    ----------
    z : array_like
        Logits, at least 1-d.
    axis : int, optional
        The axis of the :math:`K` classes.  Default: the last.
    out : ndarray, optional
        Where to put the result, as for a NumPy ufunc: a floating-point array of
        the result's shape.  It is returned.

    Returns
    -------
    p : ndarray
        Probabilities that sum to 1 along ``axis``.

    Raises
    ------
    numpy.exceptions.AxisError
        If ``axis`` is out of range for ``z``.

    Notes
    -----
    Subtracting the maximum :math:`m` changes nothing mathematically, but keeps
    every exponential in :math:`(0, 1]`, so no logit is too large.

    A logit of ``-inf`` gets probability 0.  A row that contains ``+inf``, or
    whose entries are all ``-inf``, gives NaN in that row, as does a NaN.

    Examples
    --------
    >>> from activations import softmax
    >>> softmax([0.0, 0.0])
    array([0.5, 0.5])
    >>> softmax([1000.0, 1000.0 + np.log(3.0)])
    array([0.25, 0.75])
    """
    return _arrays.along_axis("softmax", _softmax, axis, out, z)


def log_softmax(
    z: ArrayLike, axis: int = -1, out: np.ndarray | None = None
) -> np.ndarray:
    r"""Logarithm of the softmax along an axis.

    .. math::

        \log p_i = (z_i - m) - \operatorname{log1p}\Big(\sum_{j \ne k} e^{z_j - m}\Big),
        \qquad m = z_k = \max_j z_j

    Derived in :ref:`the softmax chapter <softmax>`, equation :eq:`softmax-log-softmax`.

    Parameters
    ----------
    z : array_like
        Logits, at least 1-d.
    axis : int, optional
        The axis of the :math:`K` classes.  Default: the last.
    out : ndarray, optional
        Where to put the result, as for a NumPy ufunc: a floating-point array of
        the result's shape.  It is returned.

    Returns
    -------
    ndarray
        :math:`\log p`, which is at most 0.

    Raises
    ------
    numpy.exceptions.AxisError
        If ``axis`` is out of range for ``z``.

    Notes
    -----
    The usual form :math:`(z_i - m) - \log \sum_j e^{z_j - m}` returns exactly 0
    for the dominant class whenever the other probabilities add up to less than
    about :math:`10^{-16}`, because the sum rounds to 1.  Here the dominant term,
    which is exactly :math:`e^0 = 1`, is kept out of the sum and :math:`\log(1 + s)`
    is taken with ``log1p``, so the result keeps full relative accuracy:
    ``log_softmax([0, -40])[0]`` is :math:`-4.25 \times 10^{-18}`, not 0.

    A logit of ``-inf`` gives ``-inf``.  A row that contains ``+inf``, or whose
    entries are all ``-inf``, gives NaN in that row, as does a NaN.

    Examples
    --------
    >>> from activations import log_softmax
    >>> log_softmax([0.0, 0.0])
    array([-0.69314718, -0.69314718])
    >>> float(log_softmax([0.0, -40.0])[0])
    -4.248354255291589e-18
    """
    return _arrays.along_axis("log_softmax", _log_softmax, axis, out, z)


@np.errstate(invalid="ignore")  # inf - inf is NaN, as documented
def _log_softmax(z: np.ndarray, shifted: np.ndarray) -> np.ndarray:
    """Put the log-softmax of each row of ``z`` into ``shifted``."""
    # Shifted by the maximum, as in _softmax; the maximum entry becomes exactly
    # 0, and its position is needed to leave it out of the sum of the others.
    row, top = np.arange(len(z)), np.argmax(z, axis=-1)
    maximum = z[row, top, None]
    np.subtract(z, maximum, out=shifted, dtype=shifted.dtype)
    others = np.exp(shifted)
    others[row, top] = 0.0
    log_sum = np.log1p(np.add.reduce(others, axis=-1, keepdims=True))
    # inf - inf: a row whose maximum is infinite is NaN throughout.
    log_sum += maximum - maximum
    shifted -= log_sum
    return shifted


def softmax_jacobian(
    z: ArrayLike, axis: int = -1, out: np.ndarray | None = None
) -> np.ndarray:
    r"""Jacobian of the softmax, with the two Jacobian axes last.

    .. math::

        J_{ij} = \frac{\partial p_i}{\partial z_j} = p_i\,(\delta_{ij} - p_j),
        \qquad J = \operatorname{diag}(p) - p\,p^{\mathsf T}

    Derived in :ref:`the softmax chapter <softmax>`,
    equation :eq:`softmax-jacobian-entry`.

    Parameters
    ----------
    z : array_like
        Logits, at least 1-d.
    axis : int, optional
        The axis of the :math:`K` classes.  Default: the last.
    out : ndarray, optional
        Where to put the result, as for a NumPy ufunc: a floating-point array of
        the result's shape.  It is returned.

    Returns
    -------
    J : ndarray
        For ``z`` of shape ``(..., K, ...)`` with :math:`K` at ``axis``, an array
        of shape ``(..., ..., K, K)``: ``axis`` is removed and the two Jacobian
        axes, :math:`i` then :math:`j`, are appended.

    Notes
    -----
    The Jacobian is symmetric, and each of its rows and columns sums to 0,
    because the probabilities always sum to 1.  Building it costs
    :math:`O(K^2)` time and memory; backpropagation only needs its product with a
    vector, which :func:`softmax_backward` computes in :math:`O(K)`.

    The diagonal is evaluated as :math:`p_i(1 - p_i)`.  Infinite logits give NaN
    in the rows where :func:`softmax` does.

    Examples
    --------
    >>> from activations import softmax_jacobian
    >>> softmax_jacobian([0.0, 0.0])
    array([[ 0.25, -0.25],
           [-0.25,  0.25]])
    """
    return _arrays.matrix_along_axis("softmax_jacobian", _softmax, _softmax_jacobian, axis, out, z)


def _softmax_jacobian(p: np.ndarray, jacobian: np.ndarray) -> np.ndarray:
    r"""Put :math:`\operatorname{diag}(p) - p\,p^{\mathsf T}` of each vector :math:`p` into ``jacobian``."""
    np.multiply(p[..., :, None], p[..., None, :], out=jacobian)
    np.negative(jacobian, out=jacobian)  # -p_i p_j
    diagonal = np.arange(p.shape[-1])
    jacobian[..., diagonal, diagonal] = p * (1.0 - p)  # p_i (1 - p_i)
    return jacobian


def softmax_backward(
    grad_output: ArrayLike, output: ArrayLike, axis: int = -1, out: np.ndarray | None = None
) -> np.ndarray:
    r"""Backward pass of the softmax: the vector-Jacobian product, in O(K).

    .. math::

        \frac{\partial E}{\partial z_j} = \sum_i g_i\,p_i(\delta_{ij} - p_j)
        = p_j\Big(g_j - \sum_i g_i\,p_i\Big),
        \qquad g = \frac{\partial E}{\partial p}

    Derived in :ref:`the softmax chapter <softmax>`, equation :eq:`softmax-vjp`.

    Parameters
    ----------
    grad_output : array_like
        :math:`g = \partial E / \partial p`, the gradient arriving from above.
    output : array_like
        :math:`p`, the softmax's output, of the same shape.
    axis : int, optional
        The axis of the :math:`K` classes.  Default: the last.
    out : ndarray, optional
        Where to put the result, as for a NumPy ufunc: a floating-point array of
        the result's shape.  It is returned.

    Returns
    -------
    ndarray
        :math:`\partial E / \partial z`.

    Raises
    ------
    ValueError
        If ``grad_output`` and ``output`` differ in shape; they are never
        broadcast.
    numpy.exceptions.AxisError
        If ``axis`` is out of range.

    Notes
    -----
    Because :math:`J` is symmetric, :math:`J^{\mathsf T} g = J g`, so this equals
    ``softmax_jacobian(z) @ g`` without building the :math:`K \times K` matrix.
    When :math:`g_j` is close to :math:`\sum_i g_i p_i` the difference cancels,
    and the rounding error is then relative to :math:`|g_j|` rather than to the
    small result, as in any evaluation in working precision.

    A saturated output (a probability that rounded to 0 or 1) cannot carry the
    tiny true derivative; :func:`softmax_jacobian` from the logits can.  NaN or
    infinite entries make their whole row NaN or infinite.

    Examples
    --------
    >>> from activations import softmax, softmax_backward
    >>> p = softmax([0.0, 0.0])
    >>> softmax_backward([1.0, 0.0], p)
    array([ 0.25, -0.25])
    """
    return _arrays.along_axis(
        "softmax_backward", _softmax_backward, axis, out, grad_output, output,
        names=("grad_output", "output"),
    )


def _softmax_backward(g: np.ndarray, p: np.ndarray, d: np.ndarray) -> np.ndarray:
    r"""Put :math:`p \odot g - p \langle g, p \rangle` of each row into ``d``.

    Both products are at most :math:`\max_i |g_i|`, since :math:`0 \le p \le 1`
    and :math:`\langle g, p \rangle` is a weighted mean of :math:`g`; so
    nothing overflows where the result does not, and a probability of 0
    gives 0 even beside a huge gradient.
    """
    np.multiply(g, p, out=d, dtype=d.dtype)
    weighted = np.add.reduce(d, axis=-1, keepdims=True)
    d -= np.multiply(p, weighted, dtype=d.dtype)
    return d


def log_softmax_backward(
    grad_output: ArrayLike, output: ArrayLike, axis: int = -1, out: np.ndarray | None = None
) -> np.ndarray:
    r"""Backward pass of the log-softmax, from its output, in O(K).

    .. math::

        \frac{\partial E}{\partial z_j} = \sum_i g_i\,(\delta_{ij} - p_j)
        = g_j - p_j \sum_i g_i,
        \qquad p_j = e^{y_j},\quad g = \frac{\partial E}{\partial y}

    Derived in :ref:`the softmax chapter <softmax>`,
    equation :eq:`softmax-log-softmax-backward`.

    Parameters
    ----------
    grad_output : array_like
        :math:`g = \partial E / \partial y`, the gradient arriving from above.
    output : array_like
        :math:`y = \log p`, the log-softmax's output, of the same shape.
    axis : int, optional
        The axis of the :math:`K` classes.  Default: the last.
    out : ndarray, optional
        Where to put the result, as for a NumPy ufunc: a floating-point array of
        the result's shape.  It is returned.

    Returns
    -------
    ndarray
        :math:`\partial E / \partial z`.

    Raises
    ------
    ValueError
        If ``grad_output`` and ``output`` differ in shape; they are never
        broadcast.
    numpy.exceptions.AxisError
        If ``axis`` is out of range.

    Notes
    -----
    With a one-hot :math:`g = -t` (the gradient of the cross-entropy
    :math:`-\sum_i t_i y_i`), this gives the familiar :math:`p - t`.  When
    :math:`g_j` is close to :math:`p_j \sum_i g_i` the difference cancels, and
    the rounding error is then relative to :math:`|g_j|`.  An ``output`` of
    ``-inf`` is a probability of 0 and contributes nothing; NaN propagates
    along its row.

    Examples
    --------
    >>> from activations import log_softmax, log_softmax_backward
    >>> y = log_softmax([0.0, 0.0])
    >>> log_softmax_backward([-1.0, 0.0], y)  # p - t for the target class 0
    array([-0.5,  0.5])
    """
    return _arrays.along_axis(
        "log_softmax_backward", _log_softmax_backward, axis, out, grad_output, output,
        names=("grad_output", "output"),
    )


def _log_softmax_backward(g: np.ndarray, y: np.ndarray, d: np.ndarray) -> np.ndarray:
    r"""Put :math:`g - e^{y} \sum g` of each row into ``d``.

    :math:`\sum g` overflows when the gradients are near the largest float,
    although the result need not; those rows are computed again with
    :math:`g` scaled down by a power of two, which is exact.
    """
    total = np.add.reduce(g, axis=-1, keepdims=True, dtype=d.dtype)
    np.exp(y, out=d, dtype=d.dtype)
    d *= total
    np.subtract(g, d, out=d, dtype=d.dtype)
    overflowed = np.isinf(total[:, 0])
    if overflowed.any():
        overflowed &= np.isfinite(g).all(axis=-1)
        scale = int(np.ceil(np.log2(g.shape[-1]))) + 1
        scaled = np.ldexp(g[overflowed], -scale, dtype=d.dtype)
        total = np.add.reduce(scaled, axis=-1, keepdims=True)
        scaled -= np.exp(y[overflowed], dtype=d.dtype) * total
        d[overflowed] = np.ldexp(scaled, scale)
    return d
