"""Input validation and result handling shared by every public function.

Every public function of :mod:`activations` takes array-likes and behaves like a
NumPy ufunc.  The rules live here, in one place:

* integers and booleans are promoted to float64, float16/32/64 are kept;
* strings, bytes, ``None``, object arrays and complex numbers are rejected with
  a :class:`TypeError` that names the function;
* float16 is *computed* in float32 and rounded once at the end, so a chain of
  float16 roundings cannot pile up;
* a 0-d result comes back as a NumPy scalar, any other result as a new array.

:func:`unary` and :func:`backward` are the whole body of a public function,
around the kernel that evaluates its formula; how the kernel is run on a large
array, in blocks and on several threads, is the business of
:mod:`activations._blocks`.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.array_utils import normalize_axis_index

from . import _blocks

# dtype kinds that are promoted to float64: bool, signed and unsigned integers.
_PROMOTED_KINDS = "biu"
_FLOAT32 = np.dtype(np.float32)


def as_float_array(x, func: str, name: str) -> np.ndarray:
    """Return ``x`` as a floating-point ndarray, or raise a TypeError.

    ``func`` and ``name`` are the public function and argument names, used in
    the error message.
    """
    if type(x) is np.ndarray and x.dtype.kind == "f":  # the common case, first
        return x
    if x is None or isinstance(x, (str, bytes)):
        raise TypeError(
            f"{func}: {name} must be a real number or an array of real numbers, "
            f"got {type(x).__name__}"
        )
    array = np.asarray(x)
    kind = array.dtype.kind
    if kind == "f":
        return array
    if kind in _PROMOTED_KINDS:
        return array.astype(np.float64)
    raise TypeError(
        f"{func}: {name} must be a real number or an array of real numbers, "
        f"got an array of dtype {array.dtype}"
    )


def working_dtype(*arrays: np.ndarray) -> np.dtype:
    """The dtype in which to compute: float16 is computed in float32."""
    return _working(result_dtype(*arrays))


def _working(dtype: np.dtype) -> np.dtype:
    return _FLOAT32 if dtype.char == "e" else dtype


def result_dtype(*arrays: np.ndarray) -> np.dtype:
    """The dtype the caller gets back."""
    dtype = arrays[0].dtype
    for array in arrays[1:]:
        if array.dtype != dtype:
            return np.result_type(*arrays)
    return dtype


def check_out(out, shape: tuple, dtype: np.dtype, func: str) -> None:
    """Check an ``out=`` array as a ufunc would: shape, dtype, writability."""
    if not isinstance(out, np.ndarray):
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


def buffer(out, shape: tuple, work: np.dtype, dtype: np.dtype, func: str, *inputs):
    """The array to compute a result of ``shape`` in, in the working dtype.

    Without ``out``, a new array.  With ``out`` (checked first), ``out`` itself
    when it has the working dtype and shares no memory with any input;
    otherwise a new array, which :func:`finish` copies into ``out``.  A formula
    of several steps reads its inputs more than once, so it must not overwrite
    them half-way: ``sigmoid(z, out=z)`` still gives the right answer.
    """
    if out is None:
        return np.empty(shape, dtype=work)
    check_out(out, shape, dtype, func)
    if out.dtype == work and not any(np.may_share_memory(out, x) for x in inputs):
        return out
    return np.empty(shape, dtype=work)


def finish(result: np.ndarray, dtype: np.dtype, out=None):
    """Deliver ``result``: into ``out`` if given, else rounded to ``dtype``.

    Without ``out``, a 0-d result is unwrapped into a NumPy scalar, as a ufunc
    does; with ``out``, ``out`` itself is returned.
    """
    if out is not None:
        if result is not out:
            np.copyto(out, result, casting="same_kind")
        return out
    if result.dtype != dtype:
        result = result.astype(dtype)
    return result[()] if result.ndim == 0 else result


def same_shape(func: str, grad_output: np.ndarray, output: np.ndarray, name: str) -> None:
    """Backward functions never broadcast: the two arrays must match exactly."""
    if grad_output.shape != output.shape:
        raise ValueError(
            f"{func}: grad_output and {name} must have the same shape, "
            f"got grad_output.shape={grad_output.shape} and "
            f"{name}.shape={output.shape}"
        )


def axis_index(axis: int, ndim: int) -> int:
    """Normalise ``axis``; raises :class:`numpy.exceptions.AxisError`."""
    return normalize_axis_index(axis, ndim)


def backward_inputs(func: str, grad_output, output, name: str = "output"):
    """Validate the ``(grad_output, output)`` pair of a backward function.

    ``name`` is the second argument's name: ``"z"`` for a backward pass that
    takes the forward's input.  Returns both as float arrays, with the working
    and result dtypes.
    """
    grad_output = as_float_array(grad_output, func, "grad_output")
    output = as_float_array(output, func, name)
    same_shape(func, grad_output, output, name)
    dtype = result_dtype(grad_output, output)
    return grad_output, output, _working(dtype), dtype


def unary(func: str, kernel, x, out=None, name: str = "z", axis: int | None = None):
    """Validate ``x``, evaluate ``kernel(x, result)`` in blocks, deliver the result.

    The body of every public function of one array: ``func`` and ``name`` name
    the function and its argument in errors, and ``kernel`` puts the formula's
    value for a block of ``x`` into a block of the result, which has the
    working dtype.  With ``axis`` (the softmax family), the blocks are whole
    rows along it, and the kernel is called as ``kernel(x, result, axis)``.
    """
    x = as_float_array(x, func, name)
    axis = None if axis is None else axis_index(axis, x.ndim)
    dtype = x.dtype
    result = buffer(out, x.shape, _working(dtype), dtype, func, x)
    return finish(_evaluate(kernel, axis, x, result), dtype, out)


def backward(
    func: str,
    kernel,
    grad_output,
    second,
    out=None,
    name: str = "output",
    axis: int | None = None,
):
    """Validate the pair, evaluate ``kernel(grad_output, second, d)`` in blocks, deliver ``d``.

    The body of every backward function; ``second`` is the forward's output,
    or its input where ``name`` is ``"z"``.  ``axis`` is as for :func:`unary`.
    """
    grad_output, second, work, dtype = backward_inputs(func, grad_output, second, name)
    axis = None if axis is None else axis_index(axis, second.ndim)
    d = buffer(out, second.shape, work, dtype, func, grad_output, second)
    return finish(_evaluate(kernel, axis, grad_output, second, d), dtype, out)


def _evaluate(kernel, axis: int | None, *operands: np.ndarray) -> np.ndarray:
    if axis is None:
        return _blocks.blockwise(kernel, *operands)
    return _blocks.rowwise(kernel, axis, *operands)
