"""Evaluating a formula on large arrays: in cache-sized blocks, on several threads.

A formula of several NumPy steps reads and writes the whole array at each step,
and each step that needs a temporary allocates one of the array's size.  Here
the formula runs on blocks instead: the temporaries have the size of a block,
and a block stays in the processor's cache while all its steps run.

* :func:`blockwise` serves the elementwise functions, whose blocks are any
  runs of elements;
* :func:`rowwise` serves the softmax family, whose blocks are whole rows.

Blocks are independent, so a large array is also shared out between threads,
one per core, in chunks of a few blocks that each thread takes in turn as it
becomes free (so a core busy with other work gets fewer): NumPy releases the
GIL while it loops over a block.  Every value
is computed by the same operations whichever thread computes it, so the result
does not depend on the number of threads.  The environment variable
``ACTIVATIONS_NUM_THREADS`` sets the number of threads; by default it is the
number of CPUs the process may run on, and ``1`` keeps every call in the
calling thread.  Each part runs in a copy of the caller's context, so that an
enclosing :func:`numpy.errstate` applies to it as it would in the caller.
"""

from __future__ import annotations

import contextvars
import os
import threading
from concurrent.futures import ThreadPoolExecutor, wait
from functools import partial

import numpy as np

# Elements per block in `blockwise`: 16384 float64 values are 128 KiB, so the
# few temporaries a formula needs for one block stay in the core's L2 cache,
# while the fixed cost of each NumPy call is spread over many elements.
BLOCK_SIZE = 16384

# Elements per block in `rowwise`.  A block of rows costs several NumPy calls
# with a larger fixed cost (the reductions and the gather of each row's
# maximum), so its blocks are larger: 2^17 float64 values are 1 MiB, which
# still stays in cache.
ROWS_BLOCK_SIZE = 2**17

# The least number of elements worth a thread of its own: handing work to
# another thread costs tens of microseconds, about what 2^17 elements of the
# cheapest formula take.
THREAD_SIZE = 2**17

# Chunks per thread: enough that a thread slowed down by other work on its core
# leaves its share to the others, few enough that the fixed cost of each chunk
# stays small.
CHUNKS_PER_THREAD = 8

_ENVIRONMENT = "ACTIVATIONS_NUM_THREADS"


def threads() -> int:
    """The number of threads a large call may use.

    ``ACTIVATIONS_NUM_THREADS`` if set, else the number of CPUs this process
    may run on.  It is read at every large call, so it can be changed while a
    program runs.
    """
    setting = os.environ.get(_ENVIRONMENT)
    if not setting:
        return _CPUS
    try:
        count = int(setting)
    except ValueError:
        count = 0
    if count < 1:
        raise ValueError(
            f"activations: {_ENVIRONMENT} must be a positive integer, got {setting!r}"
        )
    return count


def _usable_cpus() -> int:
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1  # pragma: no cover - platforms without affinity


_CPUS = _usable_cpus()


def blockwise(kernel, *operands: np.ndarray) -> np.ndarray:
    """Evaluate an elementwise formula block by block; return the last operand.

    ``kernel(*input_blocks, out_block)`` computes the formula for one block
    into ``out_block``, which it may also use as workspace; the last of
    ``operands`` is the output.  The operands have one shape.  Arrays of at
    most one block are handed to ``kernel`` whole, which keeps small calls
    cheap.  Larger ones are walked by :class:`numpy.nditer` in blocks of
    :data:`BLOCK_SIZE` elements; it copies a block of a non-contiguous operand
    into a buffer (and a block of the output back) only when it must.  When all
    operands are C-contiguous, a large array is split between threads.
    """
    out = operands[-1]
    if out.size <= BLOCK_SIZE:
        kernel(*operands)
        return out
    workers = _workers(out.size)
    if workers > 1 and all(a.flags.c_contiguous for a in operands):
        flat = [a.reshape(-1) for a in operands]
        _in_parallel(
            [
                partial(_in_blocks, kernel, *(a[start:stop] for a in flat))
                for start, stop in _chunks(out.size, BLOCK_SIZE, workers)
            ],
            workers,
        )
    else:
        _in_blocks(kernel, *operands)
    return out


def _in_blocks(kernel, *operands: np.ndarray) -> None:
    with np.nditer(
        operands,
        flags=["external_loop", "buffered"],
        op_flags=[["readonly"]] * (len(operands) - 1) + [["writeonly"]],
        buffersize=BLOCK_SIZE,
    ) as blocks:
        for block in blocks:
            kernel(*block)


def rowwise(kernel, axis: int, *operands: np.ndarray) -> np.ndarray:
    """Evaluate a formula along ``axis`` on blocks of whole rows; return the last operand.

    The counterpart of :func:`blockwise` for the softmax family, whose every
    value depends on a whole row along ``axis``.  ``kernel(*blocks, axis)``
    computes the formula for a block of rows into the last block, which it may
    also use as workspace; the operands have one shape.  When the rows lie
    along the last axis of C-contiguous arrays (the common case, and the only
    one split), the blocks are views of about :data:`ROWS_BLOCK_SIZE`
    elements, shared out between threads, and each row is summed exactly as it
    would be in the whole array.  Otherwise ``kernel`` gets the arrays whole.
    An empty array has no rows, and ``kernel`` is not called: the maximum of
    no values is undefined.
    """
    out = operands[-1]
    if out.size == 0:
        return out
    if (
        out.size <= ROWS_BLOCK_SIZE
        or axis != out.ndim - 1
        or not all(a.flags.c_contiguous for a in operands)
    ):
        kernel(*operands, axis)
        return out
    rows = [a.reshape(-1, out.shape[-1]) for a in operands]
    step = max(1, ROWS_BLOCK_SIZE // out.shape[-1])
    workers = _workers(out.size)
    _in_parallel(
        [
            partial(_in_row_blocks, kernel, step, *(r[start:stop] for r in rows))
            for start, stop in _chunks(len(rows[0]), step, workers)
        ],
        workers,
    )
    return out


def _in_row_blocks(kernel, step: int, *rows: np.ndarray) -> None:
    for start in range(0, len(rows[0]), step):
        kernel(*(r[start : start + step] for r in rows), 1)


def _workers(size: int) -> int:
    """How many threads to give ``size`` elements: at least a chunk each."""
    return max(1, min(threads(), size // THREAD_SIZE))


def _chunks(length: int, unit: int, workers: int) -> list[tuple[int, int]]:
    """``range(length)`` in about :data:`CHUNKS_PER_THREAD` runs per worker.

    Each run is a whole number of ``unit`` (blocks, or blocks of rows), the
    last one perhaps shorter.
    """
    units = -(-length // unit)
    size = unit * max(1, -(-units // (CHUNKS_PER_THREAD * workers)))
    return [(start, min(start + size, length)) for start in range(0, length, size)]


_pool: ThreadPoolExecutor | None = None
_pool_workers = 0
_pool_lock = threading.Lock()


def _executor(workers: int) -> ThreadPoolExecutor:
    """The shared pool, grown to at least ``workers`` threads."""
    global _pool, _pool_workers
    with _pool_lock:
        if _pool is None or _pool_workers < workers:
            # A smaller pool is dropped, not shut down: another thread may be
            # handing it work, and its idle threads end when it is collected.
            _pool = ThreadPoolExecutor(workers, thread_name_prefix="activations")
            _pool_workers = workers
        return _pool


def _forget_pool() -> None:
    """A forked child has none of its parent's threads: it starts a pool of its own."""
    global _pool, _pool_lock
    _pool, _pool_lock = None, threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)


def _in_parallel(tasks: list, workers: int) -> None:
    """Run the callables in ``tasks`` on ``workers`` threads, this one among them.

    Each thread takes the next task as soon as it is free, so a thread slowed
    down by other work on its core takes fewer.  The pool's threads run in a
    copy of the caller's context (and so under its ``np.errstate``).  Returns
    when all tasks have finished; the first exception raised, if any, is raised
    here, once the other threads have stopped.  The tasks never call back into
    the pool: a kernel only ever calls public functions on a block or less,
    which :func:`blockwise` and :func:`rowwise` evaluate in the calling thread.
    """
    workers = min(workers, len(tasks))
    if workers == 1:
        for task in tasks:
            task()
        return
    queue = iter(tasks)
    lock = threading.Lock()

    def work() -> None:
        while True:
            with lock:
                task = next(queue, None)
            if task is None:
                return
            task()

    pool = _executor(workers - 1)
    futures = [pool.submit(contextvars.copy_context().run, work) for _ in range(workers - 1)]
    try:
        work()
    finally:
        wait(futures)
    for future in futures:
        future.result()
