"""The rules every public function follows, in one place.

Every public function of :mod:`activations` takes array-likes and behaves like a
NumPy ufunc:

* float16, float32 and float64 are kept; integers and booleans become float64;
  strings, bytes, ``None``, object and complex arrays are refused, and so are
  extended precision (``np.longdouble``), whose accuracy nothing here proves,
  and masked arrays, whose hidden values must never be computed on.  Each
  refusal is a :class:`TypeError` that names the function;
* two arguments promote as NumPy promotes them (NEP 50): a Python scalar is
  "weak", so ``sigmoid_backward(1.0, np.float32(0.5))`` is float32;
* float16 is *computed* in float32 and rounded once at the end, so a chain of
  float16 roundings cannot pile up;
* ``out=`` is an array (or a tuple of one array) of the result's shape and a
  floating dtype that can hold the result; it is returned;
* a 0-d result comes back as a NumPy scalar, any other result as a new array.

Floating-point exceptions inside a formula are the package's business, not the
caller's: an overflow, underflow or division by zero that a formula relies on
(``e^{-z} = inf`` in the sigmoid, ``log 0 = -inf`` in the logit) never
warns or raises, whatever :func:`numpy.errstate` the caller has set.  Only an
invalid operation that makes a NaN out of numbers (``inf * 0`` in a backward
pass with an infinite gradient) is reported as NumPy reports it.

:func:`unary`, :func:`backward`, :func:`along_axis` and
:func:`matrix_along_axis` are the whole body of a public function, around the
kernel that evaluates its formula; how a kernel is run on a large array, in
blocks and on several threads, is the business of :mod:`activations._blocks`.
A small float32 or float64 array, the common call inside a training loop,
needs none of those rules' conversions: it is computed on as it is (see
:func:`_small`), with the same result.
"""

from __future__ import annotations

import math
import numbers
from functools import partial

import numpy as np
from numpy.lib.array_utils import normalize_axis_index, normalize_axis_tuple

from . import _blocks

# dtype kinds that are promoted to float64: bool, signed and unsigned integers.
_PROMOTED_KINDS = "biu"
_FLOAT32 = np.dtype(np.float32)
_FLOAT64 = np.dtype(np.float64)
_WEAK_SCALARS = (bool, int, float)

#: The exceptions a formula may raise on the way to a correct result.
quiet = np.errstate(over="ignore", under="ignore", divide="ignore")


def _refuse(func: str, name: str, what: str):
    return TypeError(f"{func}: {name} must be a real number or an array of real numbers, got {what}")


def as_float_array(x, func: str, name: str) -> np.ndarray:
    """Return ``x`` as a float16, float32 or float64 ndarray, or raise a TypeError.

    ``func`` and ``name`` are the public function and argument names, used in
    the error message.
    """
    if type(x) is np.ndarray and x.dtype.kind == "f" and x.dtype.itemsize <= 8:
        return x  # the common case, first
    if x is None or isinstance(x, (str, bytes)):
        raise _refuse(func, name, type(x).__name__)
    if isinstance(x, np.ma.MaskedArray):
        raise TypeError(
            f"{func}: {name} is a masked array, which is not supported: its hidden "
            f"values would be computed on.  Pass {name}.filled(value) or "
            f"{name}.compressed(); to leave classes out of a softmax, give them "
            f"a logit of -inf"
        )
    array = np.asarray(x)
    kind = array.dtype.kind
    if kind == "f" and array.dtype.itemsize <= 8:
        return array
    if kind in _PROMOTED_KINDS:
        return array.astype(np.float64)
    if kind == "f":
        raise TypeError(
            f"{func}: {name} has dtype {array.dtype}, which is not supported: "
            f"the accuracy of this package is proved for float16, float32 and "
            f"float64 only.  Convert with .astype(np.float64)"
        )
    raise _refuse(func, name, f"an array of dtype {array.dtype}")


def working(dtype: np.dtype) -> np.dtype:
    """The dtype in which a result of ``dtype`` is computed: float16 in float32."""
    return _FLOAT32 if dtype.char == "e" else dtype


def result_dtype(func: str, names, values, arrays) -> np.dtype:
    """The dtype of the result of a function of several arguments, as NumPy promotes.

    ``values`` are the arguments as the caller gave them, so that a Python
    scalar is weak (NEP 50); ``arrays`` are the same arguments as arrays.
    A weak scalar that does not fit the result's dtype is an error.
    """
    first = arrays[0].dtype
    if all(type(v) is np.ndarray and a.dtype == first for v, a in zip(values, arrays)):
        dtype = first  # the common case: arrays of one dtype
    else:
        dtype = np.result_type(
            *(v if type(v) in _WEAK_SCALARS else a for v, a in zip(values, arrays))
        )
    if dtype.kind != "f":
        return _FLOAT64
    for name, value in zip(names, values):
        if type(value) is float and math.isfinite(value) and value != 0:
            if not np.finfo(dtype).smallest_normal <= abs(value) <= np.finfo(dtype).max:
                raise ValueError(
                    f"{func}: {name}={value!r} is outside the range of {dtype}, "
                    f"the dtype of the result"
                )
    return dtype


def parameter(value, func: str, name: str) -> float:
    """Check a scalar parameter (a slope or a scale): a finite real number.

    Python floats are weak scalars for NumPy, so using the returned float
    leaves the computation in the working dtype; :func:`unary` and
    :func:`backward` check that it fits there.
    """
    if type(value) is float and math.isfinite(value):
        return value  # the common case, first
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{func}: {name} must be a finite real number, got {type(value).__name__}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{func}: {name} must be a finite real number, got {value}")
    return value


def _fit_parameters(func: str, parameters: dict, work: np.dtype) -> dict:
    """The parameters as floats of the working dtype, which must hold them.

    A parameter that overflows the working dtype, or that is not 0 but
    rounds to 0 there, is an error rather than a silent change of formula.
    """
    if not parameters:
        return parameters
    fitted = {}
    for name, value in parameters.items():
        value = parameter(value, func, name)
        rounded = work.type(value)
        if math.isinf(rounded) or (float(rounded) == 0) != (value == 0):
            raise ValueError(
                f"{func}: {name}={value!r} is outside the range of {work}, "
                f"in which this input is computed"
            )
        fitted[name] = rounded
    return fitted


def check_out(out, shape: tuple, dtype: np.dtype, func: str) -> np.ndarray:
    """Check an ``out=`` argument as a ufunc would and return the array.

    A tuple of one array is accepted, as ufuncs accept it.
    """
    if type(out) is tuple:
        if len(out) != 1:
            raise TypeError(
                f"{func}: out must be an array or a tuple of one array, "
                f"got a tuple of {len(out)}"
            )
        out = out[0]
    if not isinstance(out, np.ndarray) or isinstance(out, np.ma.MaskedArray):
        raise TypeError(f"{func}: out must be a NumPy array, got {type(out).__name__}")
    if out.shape != shape:
        raise ValueError(f"{func}: out must have shape {shape}, got out.shape={out.shape}")
    if out.dtype.kind != "f" or not np.can_cast(dtype, out.dtype, casting="same_kind"):
        raise TypeError(
            f"{func}: out must be a floating-point array that can hold {dtype} "
            f"results, got an array of dtype {out.dtype}"
        )
    if not out.flags.writeable:
        raise ValueError(f"{func}: out is read-only")
    return out


def _buffer(out, shape: tuple, work: np.dtype, *inputs: np.ndarray) -> np.ndarray:
    """The array to compute a result in: ``out`` itself when it can be, else a new one.

    ``out`` (already checked) is used when it has the working dtype and shares
    no memory with any input: a formula of several steps reads its inputs more
    than once, so it must not overwrite them half-way.
    """
    if out is not None and out.dtype == work and not any(
        np.may_share_memory(out, x) for x in inputs
    ):
        return out
    return np.empty(shape, dtype=work)


def deliver(result: np.ndarray, dtype: np.dtype, out):
    """``result`` into ``out`` if given, else rounded to ``dtype``, 0-d as a scalar."""
    if out is not None:
        if result is not out:
            np.copyto(out, result, casting="same_kind")
        return out
    if result.dtype != dtype:
        result = result.astype(dtype)
    return result[()] if result.ndim == 0 else result


def _same_shape(func: str, arrays, names) -> None:
    """Functions of several arrays never broadcast: the shapes must match exactly."""
    shape = arrays[0].shape
    if any(a.shape != shape for a in arrays[1:]):
        described = " and ".join(f"{n}.shape={a.shape}" for n, a in zip(names, arrays))
        raise ValueError(
            f"{func}: {' and '.join(names)} must have the same shape, got {described}"
        )


def _inputs(func: str, names, values):
    """Validate the arguments; return them as arrays, with the result's dtype."""
    arrays = [as_float_array(v, func, n) for v, n in zip(values, names)]
    if len(arrays) == 1:
        return arrays, arrays[0].dtype
    _same_shape(func, arrays, names)
    return arrays, result_dtype(func, names, values, arrays)


def _small(first, second=None) -> bool:
    """Whether the caller's arguments can be computed on as they are.

    They can when they are ndarrays of one native dtype (float32 or float64,
    so nothing is converted), of one shape, and at most one block: the
    common call inside a training loop.  Nothing about them then needs
    checking, and the result is the same as by the general path.
    """
    if not (
        type(first) is np.ndarray
        and first.dtype.char in "fd"
        and 0 < first.size <= _blocks.BLOCK_SIZE
        and first.ndim
    ):
        return False
    return second is None or (
        type(second) is np.ndarray
        and second.dtype == first.dtype
        and second.shape == first.shape
    )


def _prepare(func: str, names, values, out):
    """Validate the arguments and ``out``; return the arrays, the result's dtype, ``out`` and a buffer.

    The buffer, of the working dtype, is where the result is computed:
    ``out`` itself when it can be (see :func:`_buffer`).
    """
    if out is None and _small(*values):
        first = values[0]
        return values, first.dtype, None, np.empty(first.shape, first.dtype)
    arrays, dtype = _inputs(func, names, values)
    shape = arrays[0].shape
    if out is not None:
        out = check_out(out, shape, dtype, func)
    return arrays, dtype, out, _buffer(out, shape, working(dtype), *arrays)


def _with(kernel, parameters: dict):
    """``kernel`` with its parameters bound, if it has any."""
    return partial(kernel, **parameters) if parameters else kernel


@quiet
def unary(func: str, kernel, z, out=None, *, name: str = "z", check=None, **parameters):
    """The body of every elementwise function of one array.

    ``kernel(z, result, **parameters)`` puts the formula's value for a block
    of ``z`` into a block of the result, which has the working dtype.
    ``check(z)``, if given, validates the whole input first (the logit's
    range).  ``func`` and ``name`` name the function and its argument in errors.
    """
    (z,), dtype, out, result = _prepare(func, (name,), (z,), out)
    parameters = _fit_parameters(func, parameters, result.dtype)
    if check is not None:
        check(z)
    _blocks.blockwise(_with(kernel, parameters), z, result)
    return deliver(result, dtype, out)


def _times_grad_output(derivative, fused: bool, grad_output, second, d, **parameters):
    """Put ``grad_output`` times the derivative into ``d``: the kernel of :func:`backward`."""
    if fused:
        return derivative(second, d, grad_output=grad_output, **parameters)
    derivative(second, d, **parameters)
    d *= grad_output
    return d


@quiet
def backward(func: str, derivative, grad_output, second, out=None, *, name: str = "output",
             fused: bool = False, **parameters):
    """The body of every elementwise backward pass: ``grad_output`` times a derivative.

    ``derivative(second, d, **parameters)`` puts the derivative, computed from
    the forward's output (or its input, where ``name`` is ``"z"``), into a
    block ``d`` of the working dtype; the product with ``grad_output`` is one
    more rounding.  With ``fused``, ``derivative(second, d,
    grad_output=...)`` takes the product itself, where a derivative that is
    not a normal float may give a product that is.
    """
    (grad_output, second), dtype, out, d = _prepare(
        func, ("grad_output", name), (grad_output, second), out
    )
    parameters = _fit_parameters(func, parameters, d.dtype)
    kernel = partial(_times_grad_output, derivative, fused, **parameters)
    _blocks.blockwise(kernel, grad_output, second, d)
    return deliver(d, dtype, out)


def axes(axis, ndim: int, func: str, *, single: bool = False) -> tuple[int, ...]:
    """``axis`` as a tuple of distinct non-negative axes: None is every axis.

    With ``single``, only one integer axis is accepted.
    """
    if single:
        if isinstance(axis, (bool, np.bool_)) or not isinstance(axis, numbers.Integral):
            raise TypeError(f"{func}: axis must be a single integer, got {axis!r}")
        return (normalize_axis_index(int(axis), ndim, func),)
    if axis is None:
        return tuple(range(ndim))
    if type(axis) is int or isinstance(axis, numbers.Integral) and not isinstance(axis, (bool, np.bool_)):
        return (normalize_axis_index(int(axis), ndim, func),)
    if isinstance(axis, tuple) and all(
        isinstance(a, numbers.Integral) and not isinstance(a, (bool, np.bool_)) for a in axis
    ):
        try:
            return normalize_axis_tuple(axis, ndim, func)
        except ValueError as error:
            if isinstance(error, np.exceptions.AxisError):
                raise
            raise ValueError(f"{func}: axis {axis} repeats an axis") from None
    raise TypeError(f"{func}: axis must be None, an integer or a tuple of integers, got {axis!r}")


@quiet
def along_axis(func: str, kernel, axis, out, *values, names=("z",)):
    """The body of every function of the softmax family.

    ``kernel(*blocks, result)`` evaluates the formula on C-contiguous blocks
    of shape ``(rows, K)``, each row one set of the :math:`K` classes along
    ``axis`` (an integer, a tuple of axes, or None for all of them).
    """
    arrays, dtype, out, result = _prepare(func, names, values, out)
    _blocks.rowwise(kernel, axes(axis, arrays[0].ndim, func), *arrays, result)
    return deliver(result, dtype, out)


@quiet
def matrix_along_axis(func: str, kernel, matrix, axis, out, z):
    """The body of a function with a :math:`K \\times K` matrix for each row along ``axis``.

    ``kernel`` computes a vector for each row, as for :func:`along_axis`;
    ``matrix(v, result)`` then puts the matrix of each vector of ``v`` (shape
    ``(..., K)``) into ``result`` (shape ``(..., K, K)``), both of the working
    dtype.  ``axis`` is a single integer; it is removed from the result's
    shape, and the two matrix axes come last.
    """
    (z,), dtype, _, vectors = _prepare(func, ("z",), (z,), None)
    (axis,) = axes(axis, z.ndim, func, single=True)
    _blocks.rowwise(kernel, (axis,), z, vectors)
    vectors = np.moveaxis(vectors, axis, -1)
    shape = vectors.shape + vectors.shape[-1:]
    if out is not None:
        out = check_out(out, shape, dtype, func)
    result = _buffer(out, shape, vectors.dtype, vectors)
    matrix(vectors, result)
    return deliver(result, dtype, out)
