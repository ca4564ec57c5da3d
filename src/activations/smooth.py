"""Smooth rectifiers: softplus, GELU and SiLU, and their derivatives.

All three are smooth approximations of ReLU, so their formulas overflow or
cancel in places where ReLU's never do:

* ``softplus`` is written as :math:`\\max(z, 0) + \\operatorname{log1p}(e^{-|z|})`,
  which never overflows;
* ``gelu`` uses SciPy's scaled :math:`\\operatorname{erfcx}` and an exactly
  split :math:`z^2`, which keep full relative accuracy in the left tail, where
  :math:`1 + \\operatorname{erf}` cancels;
* the derivatives of GELU and SiLU each have a root at a negative :math:`z`,
  where their two terms cancel; near it they are evaluated from a Taylor
  series about the root, as Boost.Math does near the roots of ``lgamma`` and
  ``digamma``, so they keep their relative accuracy there too.

GELU and SiLU cannot be inverted from their output (neither is monotonic), so
their backward passes take the *input* ``z``.
"""

from __future__ import annotations

import math

import numpy as np
import scipy.special
from numpy.typing import ArrayLike

from . import _arrays
from ._accurate import minus_half_square, taylor_near_root, times_exp
from .logistic import _sigmoid

__all__ = [
    "softplus",
    "softplus_grad",
    "softplus_backward",
    "gelu",
    "gelu_grad",
    "gelu_backward",
    "silu",
    "silu_grad",
    "silu_backward",
]

_SQRT1_2 = math.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)

# Each root is stored as a sum of three doubles, so that z - root is accurate
# to about 2^-160 and the series below keeps its relative accuracy even at the
# float nearest the root.  The Taylor coefficients c_1, c_2, ... of the
# derivative about its root (c_0 = 0), and the root itself, were computed with
# mpmath at 60 digits (tests/test_smooth.py recomputes them).  Within a
# distance of _ROOT_RADIUS of the root, 23 terms are accurate to below 2^-58
# relative, and outside it the direct formula cancels by less than 3 bits.
_ROOT_RADIUS = 0.5
_GELU_GRAD_ROOT = (-0.7517915246935645, 1.4956759177009883e-17, 5.384040947833005e-34)
_GELU_GRAD_TAYLOR = (
    0.4314939923140469,
    0.388284982990552,
    -0.018199676398671087,
    -0.1140082332972217,
    -0.014771522148244337,
    0.019421679838189067,
    0.004539228379125415,
    -0.002239538068073497,
    -0.0007448268386746817,
    0.00018633974623233514,
    8.615947861116571e-05,
    -1.121438018842664e-05,
    -7.74846130700372e-06,
    4.3284506257392273e-07,
    5.702764979242107e-07,
    -1.6044265494246427e-09,
    -3.5459866461783865e-08,
    -1.396942086426202e-09,
    1.90319840501314e-09,
    1.4506418938779426e-10,
    -8.950037692726255e-11,
    -9.950340824808053e-12,
    3.725967039270119e-12,
)
_SILU_GRAD_ROOT = (-1.2784645427610737, -1.0946994183093437e-16, -3.907766676128665e-33)
_SILU_GRAD_TAYLOR = (
    0.2178117057198001,
    0.1466487969969469,
    0.018874814223782312,
    -0.015222655223188032,
    -0.006606589138356696,
    0.000126627410081122,
    0.0007985218818397998,
    0.00018570724361186496,
    -4.090534237428612e-05,
    -2.9733542213263917e-05,
    -2.942631888842464e-06,
    2.346029682463866e-06,
    8.599695028268575e-07,
    -3.051244750055421e-08,
    -9.266646309267441e-08,
    -1.8877622907727957e-08,
    4.619379769031606e-09,
    2.9177603026903803e-09,
    2.3648315053103244e-10,
    -2.251366201881081e-10,
    -7.50344609385287e-11,
    3.998547874723996e-12,
    8.04274075537398e-12,
)


def softplus(z: ArrayLike, out: np.ndarray | None = None) -> np.ndarray:
    r"""Softplus, a smooth ReLU.

    .. math::

        \operatorname{softplus}(z) = \ln(1 + e^{z})
        = \max(z, 0) + \ln\!\left(1 + e^{-|z|}\right)

    Derived in :ref:`the chapter on modern activations <modern>`,
    equation :eq:`modern-softplus`.

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
        :math:`\operatorname{softplus}(z) > 0`, with the shape and floating
        dtype of ``z``.  A scalar for a scalar input.

    Notes
    -----
    :math:`\ln(1 + e^z)` as written overflows for :math:`z > 709.78` (float64)
    and loses all relative accuracy for :math:`z < -37`, where :math:`1 + e^z`
    rounds to 1.  The second form exponentiates only :math:`-|z| \le 0` and
    uses ``log1p``, so it is accurate to a few ULP wherever the result is a
    normal float: for large :math:`z` it is :math:`z` plus a tiny correction,
    for very negative :math:`z` it is :math:`e^z`.

    ``softplus(inf)`` is ``inf``, ``softplus(-inf)`` is 0, and NaN propagates.

    Examples
    --------
    >>> from activations import softplus
    >>> softplus(0.0)  # ln 2
    np.float64(0.6931471805599453)
    >>> softplus([-800.0, -40.0, 800.0])  # ln(1 + e^z) gives 0, 0 and inf
    array([0.00000000e+00, 4.24835426e-18, 8.00000000e+02])
    """
    return _arrays.unary("softplus", _softplus, z, out)


def _softplus(z: np.ndarray, r: np.ndarray) -> np.ndarray:
    """:math:`\\max(z, 0) + \\ln(1 + e^{-|z|})`, computed in ``r``."""
    np.abs(z, out=r, dtype=r.dtype)
    np.negative(r, out=r)
    np.exp(r, out=r)
    np.log1p(r, out=r)
    np.add(r, z, out=r, where=np.greater(z, 0.0), dtype=r.dtype)
    return r


def softplus_grad(z: ArrayLike, out: np.ndarray | None = None) -> np.ndarray:
    r"""Derivative of softplus, computed from its input: the sigmoid.

    .. math::

        \operatorname{softplus}'(z) = \frac{e^{z}}{1 + e^{z}} = \sigma(z)

    Derived in :ref:`the chapter on modern activations <modern>`,
    equation :eq:`modern-softplus-derivative`.

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
        :math:`\sigma(z)`, in :math:`[0, 1]`.

    Notes
    -----
    The value is that of :func:`~activations.logistic.sigmoid`, which this function
    calls: accurate to a few ULP wherever it is a normal float.
    ``softplus_grad(inf)`` is 1, ``softplus_grad(-inf)`` is 0, and NaN
    propagates.

    Examples
    --------
    >>> from activations import softplus_grad
    >>> softplus_grad(0.0)
    np.float64(0.5)
    >>> print(f"{softplus_grad(-40.0):.12g}")  # sigma(-40), not 0
    4.24835425529e-18
    """
    return _arrays.unary("softplus_grad", _sigmoid, z, out)


def softplus_backward(
    grad_output: ArrayLike, output: ArrayLike, out: np.ndarray | None = None
) -> np.ndarray:
    r"""Backward pass of softplus, from its output.

    .. math::

        \frac{\partial E}{\partial z} = \frac{\partial E}{\partial y}\,
        \left(1 - e^{-y}\right)
        = -\frac{\partial E}{\partial y}\,\operatorname{expm1}(-y),
        \qquad y = \operatorname{softplus}(z)

    Since :math:`e^{y} = 1 + e^{z}`, :math:`1 - e^{-y} = e^z / (1 + e^z) =
    \sigma(z)`.

    Derived in :ref:`the chapter on modern activations <modern>`,
    equation :eq:`modern-softplus-from-output`.

    Parameters
    ----------
    grad_output : array_like
        :math:`\partial E / \partial y`, the gradient arriving from the layer above.
    output : array_like
        :math:`y = \operatorname{softplus}(z)`, of the same shape.
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
    Unlike the sigmoid's and tanh's, this backward pass is accurate in both
    tails: the result is within a few ULP of the exact value of
    :math:`-g\,\operatorname{expm1}(-y)` at the ``y`` it is handed, and ``y``
    itself keeps the information.  For very negative :math:`z`,
    :math:`y \approx e^z` is tiny but relatively accurate, and
    :math:`-\operatorname{expm1}(-y) \approx y`; for large :math:`z` the
    derivative is near 1 and needs no small digits.  Only where ``y`` is
    itself subnormal or 0 (:math:`z < -708` in float64) does the derivative
    lose its relative accuracy with it.

    NaN in either argument propagates; ``output = inf`` gives the limit 1,
    ``output = 0`` gives 0, and an infinite ``grad_output`` gives ``±inf``,
    or NaN where ``output`` is 0.  The ``output`` is not checked to be
    non-negative.

    Examples
    --------
    >>> from activations import softplus, softplus_backward
    >>> softplus_backward(1.0, softplus(0.0))
    np.float64(0.5)
    >>> print(f"{softplus_backward(1.0, softplus(-40.0)):.12g}")  # still sigma(-40)
    4.24835425529e-18
    """
    return _arrays.backward("softplus_backward", _softplus_derivative, grad_output, output, out)


def _softplus_derivative(y: np.ndarray, d: np.ndarray) -> np.ndarray:
    """:math:`1 - e^{-y}`, computed in ``d`` as :math:`-\\operatorname{expm1}(-y)`."""
    np.negative(y, out=d, dtype=d.dtype)
    np.expm1(d, out=d)
    np.negative(d, out=d)
    return d


def gelu(z: ArrayLike, out: np.ndarray | None = None) -> np.ndarray:
    r"""Gaussian error linear unit, in its exact form.

    .. math::

        \operatorname{gelu}(z) = z\,\Phi(z)
        = \frac{z}{2}\left(1 + \operatorname{erf}\frac{z}{\sqrt 2}\right)
        = \frac{z}{2}\operatorname{erfc}\!\left(-\frac{z}{\sqrt 2}\right)

    where :math:`\Phi` is the standard normal distribution function.  This is
    the exact GELU, not the ``tanh`` approximation.

    Derived in :ref:`the chapter on modern activations <modern>`,
    equation :eq:`modern-gelu`.

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
        :math:`z\,\Phi(z)`, in :math:`[-0.17, \infty)`.

    Notes
    -----
    With :math:`1 + \operatorname{erf}`, the result is exactly 0 below about
    :math:`z = -8.3` in float64, where the true value is still about
    :math:`-10^{-16}`, and it has no relative accuracy well before that.
    ``erfc`` keeps it down to :math:`z \approx -37.5`, where the result
    leaves the normal range, but the rounding of :math:`z/\sqrt 2` then costs
    about :math:`z^2` ULP.  This function evaluates
    :math:`\Phi(z) = \tfrac12 \operatorname{erfcx}(-z/\sqrt 2)\,e^{-z^2/2}`
    instead, with SciPy's slowly varying scaled ``erfcx`` and with :math:`z^2`
    split exactly, and with the product ordered so that no factor leaves the
    normal range before the result does: the error stays within 8 ULP
    wherever the result is a normal float, in float16, float32 and float64.
    For :math:`z \ge 38.5` the result is :math:`z` exactly.

    ``gelu(inf)`` is ``inf``, ``gelu(-inf)`` is 0, and NaN propagates.

    Examples
    --------
    >>> from activations import gelu
    >>> gelu(1.0)
    np.float64(0.8413447460685429)
    >>> float(gelu(-10.0))  # (z/2)(1 + erf(z/sqrt 2)) gives 0.0 here
    -7.619853024160528e-23
    """
    return _arrays.unary("gelu", _gelu, z, out)


# Beyond |z| = 64, e^{-z^2/2} is 0 in every precision: clipping there changes no
# result, and keeps infinities out of the formulas (inf * 0 would be NaN).
_GAUSSIAN_EDGE = 64.0


def _gelu(z: np.ndarray, r: np.ndarray) -> np.ndarray:
    r"""Put :math:`z\,\Phi(z)` into ``r``.

    With :math:`q = \Phi(-|z|) = \tfrac12 \operatorname{erfcx}(|z|/\sqrt 2)\,
    e^{-z^2/2}`, the smaller tail, :math:`\Phi(z)` is :math:`q` below 0 and
    :math:`1 - q` above; so :math:`\operatorname{gelu}(z)` is :math:`zq` below 0
    and :math:`z - zq` above, where :math:`zq \le z/2` cancels nothing.
    :math:`zq` is taken as :math:`(z \cdot \tfrac12\operatorname{erfcx})
    \cdot e^{-z^2/2}`: the first factor tends to :math:`-1/\sqrt{2\pi}`, so
    no factor leaves the normal range before the product does.
    """
    w, a, c = _normal_tail(z, r)  # q = r c e^a
    r *= c
    r *= w  # z r c, times e^a below: z q
    times_exp(r, a, np.exp(a), out=r)
    np.subtract(z, r, out=r, where=np.greater(z, 0.0), dtype=r.dtype)
    return r


def _normal_tail(z: np.ndarray, s: np.ndarray):
    r"""Put :math:`\tfrac12 \operatorname{erfcx}(|z|/\sqrt 2)` into ``s``; return ``w``, :math:`a`, :math:`c`.

    The smaller tail of the normal distribution is then
    :math:`\Phi(-|z|) = s\,c\,e^{a}`, where :math:`e^{-z^2/2} = c\,e^{a}`
    with :math:`a` exact (:func:`~activations._accurate.minus_half_square`).
    ``w`` is ``z`` clipped to :math:`|z| \le 64`, in the working dtype.
    """
    w = np.clip(z, -_GAUSSIAN_EDGE, _GAUSSIAN_EDGE, dtype=s.dtype)
    a, c = minus_half_square(w, s.dtype)
    np.abs(w, out=s)
    s *= _SQRT1_2
    scipy.special.erfcx(s, out=s)
    s *= 0.5
    return w, a, c


def _gelu_grad(z: np.ndarray, d: np.ndarray, grad_output=None) -> np.ndarray:
    r"""Put :math:`\Phi(z) + z\,\varphi(z)` into ``d``, times ``grad_output`` if given.

    With :math:`\Phi(-|z|) = s\,e^{-z^2/2}`, :math:`s = \tfrac12
    \operatorname{erfcx}(|z|/\sqrt 2)`, and :math:`z\varphi(z) = u\,e^{-z^2/2}`,
    :math:`u = z/\sqrt{2\pi}`, the derivative is :math:`(u + s)\,e^{-z^2/2}`
    below 0 and :math:`1 + (u - s)\,e^{-z^2/2}` above.  Below 0 the product
    is normal a little beyond the point where :math:`e^{-z^2/2}` is not, which
    :func:`~activations._accurate.times_exp` handles, together with the
    incoming gradient of a backward pass; near the root, where :math:`u + s`
    cancels, the Taylor series takes over.
    """
    w, a, c = _normal_tail(z, d)  # s, with e^{-z^2/2} = c e^a
    right = np.greater_equal(w, 0.0)
    np.negative(d, out=d, where=right)  # +s below 0, -s above
    d += np.multiply(w, _INV_SQRT_2PI)  # u + s below 0, u - s above
    d *= c
    # Above 0 the gradient multiplies 1 + (u - s) e^{-z^2/2}, not the tail alone.
    scale = None if grad_output is None else np.where(right, 1.0, grad_output)
    times_exp(d, a, np.exp(a), out=d, scale=scale)
    np.add(d, 1.0, out=d, where=right)
    if grad_output is not None:
        np.multiply(d, grad_output, out=d, where=right)
    taylor_near_root(z, d, _GELU_GRAD_ROOT, _GELU_GRAD_TAYLOR, _ROOT_RADIUS, scale=grad_output)
    return d


def gelu_grad(z: ArrayLike, out: np.ndarray | None = None) -> np.ndarray:
    r"""Derivative of GELU, computed from its input.

    .. math::

        \operatorname{gelu}'(z) = \Phi(z) + z\,\varphi(z),
        \qquad \varphi(z) = \frac{e^{-z^2/2}}{\sqrt{2\pi}}

    Derived in :ref:`the chapter on modern activations <modern>`,
    equation :eq:`modern-gelu-derivative`.

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
        :math:`\operatorname{gelu}'(z)`, in :math:`[-0.13, 1.13]`.

    Notes
    -----
    The derivative is negative for :math:`z < z_0 \approx -0.7518`, with a
    root at :math:`z_0` where the two terms cancel.  Within 0.5 of the root it
    is evaluated from its Taylor series about :math:`z_0` (with :math:`z_0`
    stored to about 160 bits), so it keeps full relative accuracy even at the
    float nearest the root.  Elsewhere :math:`\Phi(z)` and :math:`\varphi(z)`
    are computed as in :func:`gelu`, without the :math:`z^2` ULP that the
    rounding of :math:`z/\sqrt 2` and :math:`z^2/2` would cost; the error is
    within 8 ULP wherever the result is a normal float, in float16, float32
    and float64.

    ``gelu_grad(inf)`` is 1, ``gelu_grad(-inf)`` is 0, and NaN propagates.

    Examples
    --------
    >>> from activations import gelu_grad
    >>> gelu_grad(0.0)
    np.float64(0.5)
    >>> gelu_grad([-0.7517915246935645, 50.0])  # at the float nearest the root
    array([-6.45375173e-18,  1.00000000e+00])
    """
    return _arrays.unary("gelu_grad", _gelu_grad, z, out)


def gelu_backward(
    grad_output: ArrayLike, z: ArrayLike, out: np.ndarray | None = None
) -> np.ndarray:
    r"""Backward pass of GELU, from its *input*.

    .. math::

        \frac{\partial E}{\partial z} = \frac{\partial E}{\partial y}
        \left(\Phi(z) + z\,\varphi(z)\right),
        \qquad y = \operatorname{gelu}(z)

    Unlike the other backward passes, this one takes the input ``z``, not the
    output: GELU is not monotonic (it has a minimum near :math:`z = -0.75`),
    so two inputs can share one output, and the derivative cannot be
    recovered from it.  A layer must keep ``z`` for the backward pass.

    Derived in :ref:`the chapter on modern activations <modern>`,
    equation :eq:`modern-gelu-derivative`.

    Parameters
    ----------
    grad_output : array_like
        :math:`\partial E / \partial y`, the gradient arriving from the layer above.
    z : array_like
        The input of the forward pass, of the same shape.
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
        If ``grad_output`` and ``z`` differ in shape; they are never
        broadcast.

    Notes
    -----
    The derivative is that of :func:`gelu_grad`, multiplied by
    ``grad_output`` with one more rounding.  NaN in either argument
    propagates.  An infinite ``grad_output`` gives ``±inf``, or NaN where the
    derivative is exactly 0.

    Examples
    --------
    >>> from activations import gelu_backward
    >>> gelu_backward(2.0, 0.0)
    np.float64(1.0)
    >>> gelu_backward([1.0, 1.0], [-3.0, 3.0])
    array([-0.01194565,  1.01194565])
    """
    return _arrays.backward("gelu_backward", _gelu_grad, grad_output, z, out, name="z", fused=True)


def silu(z: ArrayLike, out: np.ndarray | None = None) -> np.ndarray:
    r"""Sigmoid linear unit, also called swish.

    .. math::

        \operatorname{silu}(z) = z\,\sigma(z) = \frac{z}{1 + e^{-z}}

    Derived in :ref:`the chapter on modern activations <modern>`,
    equation :eq:`modern-silu`.

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
        :math:`z\,\sigma(z)`, in :math:`[-0.28, \infty)`.

    Notes
    -----
    One rounding more than :func:`~activations.logistic.sigmoid`, which it calls:
    accurate to a few ULP wherever the result is a normal float.
    ``silu(inf)`` is ``inf``, ``silu(-inf)`` is 0, and NaN propagates.

    Examples
    --------
    >>> from activations import silu
    >>> silu(0.0)
    np.float64(0.0)
    >>> silu([-800.0, -1.0, 2.0])
    array([-0.        , -0.26894142,  1.76159416])
    """
    return _arrays.unary("silu", _silu, z, out)


# Beyond |z| = 4096, e^{-|z|} is 0 in every precision: clipping there changes
# no result of SiLU or its derivative, and keeps infinities out of the formulas.
_EXPONENTIAL_EDGE = 4096.0


def _silu(z: np.ndarray, r: np.ndarray) -> np.ndarray:
    r"""Put :math:`z\,\sigma(z)` into ``r``.

    With :math:`e = e^{-|z|}`, :math:`z\,\sigma(z)` is :math:`z/(1 + e)` above
    0 and :math:`e \cdot z/(1 + e)` below, where the product is normal far
    beyond the point where :math:`e` is not (down to about :math:`z = -715`
    in float64).
    """
    w = np.maximum(z, -_EXPONENTIAL_EDGE, dtype=r.dtype)
    e = np.abs(w)
    np.negative(e, out=e)
    np.exp(e, out=e)  # e^{-|z|}
    np.add(1.0, e, out=r)
    np.divide(w, r, out=r)  # z / (1 + e)
    return _times_exp_left(r, w, e)


def _times_exp_left(x: np.ndarray, w: np.ndarray, e: np.ndarray, scale=None) -> np.ndarray:
    r"""Multiply ``x`` in place by :math:`e = e^{-|z|}` where :math:`z < 0`, and by ``scale``, if given.

    SiLU and its derivative both end in a factor :math:`e = e^{z}` on the
    left only.  Setting :math:`e` to :math:`e^0 = 1` on the right makes it
    :math:`e^{\min(z, 0)}` everywhere, so one call of
    :func:`~activations._accurate.times_exp` takes the product on both sides,
    accurate where :math:`e^{z}` alone is no longer a normal float.  ``w`` is
    the clipped input.
    """
    np.copyto(e, 1.0, where=np.greater_equal(w, 0.0))
    return times_exp(x, np.minimum(w, 0.0), e, out=x, scale=scale)


def _silu_grad(z: np.ndarray, d: np.ndarray, grad_output=None) -> np.ndarray:
    r"""Put :math:`\sigma(z) + z\,\sigma'(z)` into ``d``, times ``grad_output`` if given.

    With :math:`e = e^{-|z|}`, the derivative is
    :math:`\big(1 + e\,(1 + z)\big)/(1 + e)^2` above 0, a sum of positive
    terms, and :math:`e\,\big((1 + z) + e\big)/(1 + e)^2` below, where
    :math:`1 + z` is exact for :math:`-2 \le z \le -1/2` and cancels against
    :math:`e` only near the root, where the Taylor series takes over.  Below
    0 the product with :math:`e` (and with the incoming gradient of a
    backward pass) is taken by :func:`~activations._accurate.times_exp`.
    """
    w = np.clip(z, -_EXPONENTIAL_EDGE, _EXPONENTIAL_EDGE, dtype=d.dtype)
    e = np.abs(w)
    np.negative(e, out=e)
    np.exp(e, out=e)  # e^{-|z|}
    square = np.add(1.0, e)
    np.square(square, out=square)  # (1 + e)^2
    np.add(1.0, w, out=d)  # 1 + z
    right = np.greater_equal(w, 0.0)
    np.multiply(d, e, out=d, where=right)
    np.add(d, 1.0, out=d, where=right)  # 1 + e (1 + z)
    np.add(d, e, out=d, where=np.logical_not(right, out=right))  # (1 + z) + e
    d /= square
    _times_exp_left(d, w, e, scale=grad_output)
    taylor_near_root(z, d, _SILU_GRAD_ROOT, _SILU_GRAD_TAYLOR, _ROOT_RADIUS, scale=grad_output)
    return d


def silu_grad(z: ArrayLike, out: np.ndarray | None = None) -> np.ndarray:
    r"""Derivative of SiLU, computed from its input.

    .. math::

        \operatorname{silu}'(z) = \sigma(z) + z\,\sigma'(z)
        = \sigma(z)\left(1 + z\,\sigma(-z)\right)

    Derived in :ref:`the chapter on modern activations <modern>`,
    equation :eq:`modern-silu-derivative`.

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
        :math:`\operatorname{silu}'(z)`, in :math:`[-0.1, 1.1]`.

    Notes
    -----
    The first form is evaluated with :func:`~activations.logistic.sigmoid` and
    :func:`~activations.logistic.sigmoid_grad`, both accurate in the tails.  The
    derivative is negative for :math:`z < z_0 \approx -1.2785`, with a root at
    :math:`z_0` where :math:`1 + z\,\sigma(-z)` cancels.  Within 0.5 of the
    root it is evaluated from its Taylor series about :math:`z_0` (with
    :math:`z_0` stored to about 160 bits), so it keeps full relative accuracy
    even at the float nearest the root.  The error is within 8 ULP wherever
    the result is a normal float.

    ``silu_grad(inf)`` is 1, ``silu_grad(-inf)`` is 0, and NaN propagates.

    Examples
    --------
    >>> from activations import silu_grad
    >>> silu_grad(0.0)
    np.float64(0.5)
    >>> silu_grad([-1.2784645427610737, 50.0])  # at the float nearest the root
    array([2.38438348e-17, 1.00000000e+00])
    """
    return _arrays.unary("silu_grad", _silu_grad, z, out)


def silu_backward(
    grad_output: ArrayLike, z: ArrayLike, out: np.ndarray | None = None
) -> np.ndarray:
    r"""Backward pass of SiLU, from its *input*.

    .. math::

        \frac{\partial E}{\partial z} = \frac{\partial E}{\partial y}
        \left(\sigma(z) + z\,\sigma'(z)\right),
        \qquad y = \operatorname{silu}(z)

    Unlike the other backward passes, this one takes the input ``z``, not the
    output: SiLU is not monotonic (it has a minimum near :math:`z = -1.28`),
    so two inputs can share one output, and the derivative cannot be
    recovered from it.  A layer must keep ``z`` for the backward pass.

    Derived in :ref:`the chapter on modern activations <modern>`,
    equation :eq:`modern-silu-derivative`.

    Parameters
    ----------
    grad_output : array_like
        :math:`\partial E / \partial y`, the gradient arriving from the layer above.
    z : array_like
        The input of the forward pass, of the same shape.
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
        If ``grad_output`` and ``z`` differ in shape; they are never
        broadcast.

    Notes
    -----
    The derivative is that of :func:`silu_grad`, multiplied by
    ``grad_output`` with one more rounding.  NaN in either argument
    propagates.  An infinite ``grad_output`` gives ``±inf``, or NaN where the
    derivative is exactly 0.

    Examples
    --------
    >>> from activations import silu_backward
    >>> silu_backward(2.0, 0.0)
    np.float64(1.0)
    >>> silu_backward([1.0, 1.0], [-3.0, 3.0])
    array([-0.08810411,  1.08810411])
    """
    return _arrays.backward("silu_backward", _silu_grad, grad_output, z, out, name="z", fused=True)
