"""Input validation and result handling shared by every public function.

Every public function of :mod:`activations` takes array-likes and behaves like a
NumPy ufunc.  The rules live here, in one place:

* integers and booleans are promoted to float64, float16/32/64 are kept;
* strings, bytes, ``None``, object arrays and complex numbers are rejected with
  a :class:`TypeError` that names the function;
* float16 is *computed* in float32 and rounded once at the end, so a chain of
  float16 roundings cannot pile up;
* a 0-d result comes back as a NumPy scalar, any other result as a new array;
* a formula that needs temporaries runs block by block (:func:`blockwise`), so
  its peak memory is the output plus temporaries of one cache-sized block.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.array_utils import normalize_axis_index

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


# Elements per block in `blockwise`: 16384 float64 values are 128 KiB, so the
# few temporaries a formula needs for one block stay in the core's L2 cache,
# while the fixed cost of each NumPy call is spread over many elements.
BLOCK_SIZE = 16384


def blockwise(kernel, *operands: np.ndarray) -> np.ndarray:
    """Evaluate an elementwise formula block by block; return the last operand.

    ``kernel(*input_blocks, out_block)`` computes the formula for one block
    into ``out_block``, which it may also use as workspace; the last of
    ``operands`` is the output.  The operands have one shape.  A formula of
    several steps that makes full-size temporaries would need several times
    the output's memory; on blocks of :data:`BLOCK_SIZE` elements its
    temporaries are small and stay in cache.  Arrays of at most one block are
    handed to ``kernel`` whole, which keeps small calls cheap.  Larger ones are
    walked by :class:`numpy.nditer`, which copies a block of a non-contiguous
    operand into a buffer (and a block of the output back) only when it must.
    """
    *inputs, out = operands
    if out.size <= BLOCK_SIZE:
        kernel(*inputs, out)
        return out
    with np.nditer(
        operands,
        flags=["external_loop", "buffered"],
        op_flags=[["readonly"]] * len(inputs) + [["writeonly"]],
        buffersize=BLOCK_SIZE,
    ) as blocks:
        for block in blocks:
            kernel(*block)
    return out


# Elements per block in `rowwise`.  A block of rows costs several NumPy calls
# with a larger fixed cost (the reductions and the gather of each row's
# maximum), so its blocks are larger: 2^17 float64 values are 1 MiB, which
# still stays in cache.
ROWS_BLOCK_SIZE = 2**17


def rowwise(kernel, axis: int, *operands: np.ndarray) -> np.ndarray:
    """Evaluate a formula along ``axis`` on blocks of whole rows; return the last operand.

    The counterpart of :func:`blockwise` for the softmax family, whose every
    value depends on a whole row along ``axis``.  ``kernel(*blocks, axis)``
    computes the formula for a block of rows into the last block, which it may
    also use as workspace; the operands have one shape.  When the rows lie
    along the last axis of C-contiguous arrays (the common case, and the only
    one split), the blocks are views of about :data:`ROWS_BLOCK_SIZE` elements, and
    each row is summed exactly as it would be in the whole array.  Otherwise
    ``kernel`` gets the arrays whole.
    """
    out = operands[-1]
    if (
        out.size <= ROWS_BLOCK_SIZE
        or axis != out.ndim - 1
        or not all(a.flags.c_contiguous for a in operands)
    ):
        kernel(*operands, axis)
        return out
    rows = [a.reshape(-1, out.shape[-1]) for a in operands]
    step = max(1, ROWS_BLOCK_SIZE // out.shape[-1])
    for start in range(0, len(rows[0]), step):
        kernel(*(r[start : start + step] for r in rows), 1)
    return out


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
