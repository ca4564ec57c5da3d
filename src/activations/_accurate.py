"""Three ways of keeping full accuracy where the obvious evaluation loses it.

* :func:`times_exp`: a product :math:`x\\,e^a` whose exponential has left the
  normal range while the product has not;
* :func:`minus_half_square`: :math:`e^{-z^2/2}` without the error that the
  rounding of :math:`z^2` would multiply;
* :func:`taylor_near_root`: a derivative near its root, where its terms
  cancel.

The smooth activations (GELU, SiLU) and ELU use them; each is explained where
it is defined.
"""

from __future__ import annotations

import math

import numpy as np

# ln 2 in two parts (fdlibm's): the first has 32 significant bits, so j * _LN2_HI
# is exact for every |j| < 2^21, and a - j * _LN2_HI is exact when j is the
# integer nearest a / ln 2.
_LN2_HI = 6.93147180369123816490e-01
_LN2_LO = 1.90821492927058770002e-10
# Below this exponent x e^a is 0 for every float x: e^-1500 * 1.8e308 < 2^-1074.
_EXPONENT_FLOOR = -1500.0


def _log_tiny(dtype: np.dtype) -> float:
    """The exponent below which :math:`e^a` is subnormal in ``dtype``."""
    return math.log(np.finfo(dtype).smallest_normal)


def times_exp(x, a: np.ndarray, exp_a: np.ndarray, out: np.ndarray, scale=None) -> np.ndarray:
    r"""Put :math:`x\,e^a` (times ``scale``, if given) into ``out``, given ``exp_a`` :math:`= e^a`.

    Where :math:`e^a` is a normal float the product is one rounding more.
    Where it is subnormal it has lost digits (or it is 0), although
    :math:`x\,e^a` may still be a normal float when :math:`|x| > 1`: there the
    product is computed as :math:`x\,e^r\,2^j`, with :math:`j` the integer
    nearest :math:`a/\ln 2` and :math:`r = a - j \ln 2` reduced exactly (ln 2
    split in two), so that no factor leaves the normal range before the
    result does.  ``x`` is an array of the shape of ``a`` (``out`` itself, if
    need be), or a scalar.

    A backward pass multiplies by its incoming gradient ``scale`` too, which
    may bring a subnormal :math:`x\,e^a` back into the normal range, or carry
    a normal one out of it.  With ``scale``, every product is therefore taken
    as :math:`(x\,m\,e^r)\,2^{j + k}`, where ``scale`` :math:`= m\,2^k`
    with :math:`\tfrac12 \le |m| < 1`: only the final scaling by a power of
    two can leave the normal range, and it rounds once.
    """
    if scale is None:
        tail = np.less(a, _log_tiny(out.dtype))
        if not tail.any():
            return np.multiply(x, exp_a, out=out)
        factor = x[tail] if np.ndim(x) else x  # read before out, which may be x, is written
        np.multiply(x, exp_a, out=out)
        out[tail] = _reduced(factor, a[tail], 0)
        return out
    m, k = np.frexp(np.asarray(scale, dtype=np.float64))
    out[...] = _reduced(np.multiply(x, m, dtype=np.float64), a, k)
    return out


def _reduced(x, a, k) -> np.ndarray:
    r""":math:`x\,e^a\,2^k` in float64, as :math:`(x\,e^r)\,2^{j + k}` with :math:`|r| \le \ln 2 / 2`."""
    exponent = np.maximum(a, _EXPONENT_FLOOR, dtype=np.float64)
    j = np.rint(exponent / math.log(2.0))
    np.copyto(j, 0.0, where=np.isnan(j))  # a NaN stays NaN through e^r
    r = (exponent - j * _LN2_HI) - j * _LN2_LO
    return np.ldexp(np.multiply(x, np.exp(r), dtype=np.float64), (j + k).astype(np.int32))


def minus_half_square(z: np.ndarray, work: np.dtype):
    r"""Return :math:`a` and :math:`c` with :math:`e^{-z^2/2} = c\,e^{a}`, :math:`a` exact.

    Rounding :math:`z^2` would cost :math:`z^2/2` ULP, as the exponential
    multiplies the absolute error of its argument.  So :math:`|z|` is split
    (Veltkamp) into a high part :math:`h` of half the bits and a low part
    :math:`l`: :math:`a = -h^2/2` is exact, and
    :math:`c = e^{-l(h + l/2)}`, whose small argument rounds harmlessly.
    ``z`` is clipped to :math:`|z| \le 64`, where :math:`e^{-z^2/2}` is 0 in
    every precision anyway, so that the split cannot overflow.
    """
    split = 2.0 ** ((np.finfo(work).nmant + 2) // 2) + 1.0
    low = np.minimum(np.abs(z, dtype=work), 64.0)
    scaled = low * split
    high = scaled - (scaled - low)  # the top half of the bits of |z|
    low -= high  # the rest, exactly
    a = high * high
    a *= -0.5
    c = np.exp(-low * (high + 0.5 * low))
    return a, c


def taylor_near_root(z: np.ndarray, d: np.ndarray, root, coefficients, radius: float, scale=None) -> None:
    r"""Where :math:`|z - z_0| \le` ``radius``, put :math:`\sum_k c_k (z - z_0)^k` into ``d``.

    The derivatives of GELU and SiLU each have a root :math:`z_0 < 0`, where
    their two terms cancel, and near it the direct formula loses relative
    accuracy.  Their Taylor series about the root does not: it has no
    constant term.  ``root`` is :math:`z_0` as a sum of three floats, so that
    :math:`t = z - z_0` is accurate to about :math:`2^{-160}` even at the
    float nearest the root (``z - root[0]`` is exact by Sterbenz's lemma);
    ``coefficients`` are :math:`c_1, c_2, \dots`.  The series is summed in
    float64 by Horner's rule, and multiplied by ``scale`` (an array like
    ``z``), if given.
    """
    near = np.less_equal(np.abs(np.subtract(z, root[0], dtype=d.dtype)), radius)
    if not near.any():
        return
    t = np.subtract(z[near], root[0], dtype=np.float64)
    t -= root[1]
    t -= root[2]
    series = np.full_like(t, coefficients[-1])
    for c in coefficients[-2::-1]:
        series *= t
        series += c
    series *= t
    if scale is not None:
        series *= scale[near]
    d[near] = series
