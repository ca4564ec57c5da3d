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
``ACTIVATIONS_NUM_THREADS``, read when the package is imported, sets the
number of threads; by default it is the number of CPUs the process may run
on, and ``1`` keeps every call in the calling thread.  Each part runs in a copy of the caller's context, so that an
enclosing :func:`numpy.errstate` applies to it as it would in the caller.
"""

from __future__ import annotations

import contextlib
import contextvars
import math
import os
import threading
from concurrent.futures import ThreadPoolExecutor, wait
from functools import partial

import numpy as np

# Elements per block in `blockwise`: 65536 float64 values are 512 KiB, so the
# few temporaries a formula needs for one block stay in the core's caches,
# while the fixed cost of each NumPy call, about a microsecond, is spread over
# enough elements to be small beside the work.  A formula of many cheap steps
# feels that cost most: on 10^7 float32 values, tanh_grad took 2.7 times as
# long as np.tanh in blocks of 16384 values and 1.3 times in blocks of 65536.
BLOCK_SIZE = 65536

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


def _usable_cpus() -> int:
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1  # pragma: no cover - platforms without affinity


def _thread_count(setting, source: str) -> int:
    """``setting`` as a positive number of threads, or a ValueError naming ``source``.

    ``setting`` is a string of decimal digits from the environment, or an int.
    """
    if isinstance(setting, str) and setting.strip().isdigit():
        setting = int(setting)
    if isinstance(setting, int) and not isinstance(setting, bool) and setting >= 1:
        return setting
    raise ValueError(f"activations: {source} must be a positive integer, got {setting!r}")


def _from_environment() -> int:
    """The number of threads ``ACTIVATIONS_NUM_THREADS`` asks for, else the usable CPUs.

    Read once, when the package is imported, so that a bad value is an error
    at once rather than on the first large array.
    """
    setting = os.environ.get(_ENVIRONMENT)
    return _usable_cpus() if not setting else _thread_count(setting, _ENVIRONMENT)


_threads = _from_environment()


def get_num_threads() -> int:
    """The number of threads a large call may use.

    By default, the number of CPUs the process may run on, or
    ``ACTIVATIONS_NUM_THREADS`` when that was set at import: a formula is
    limited by memory bandwidth and cache, which one thread per core uses
    fully.  Results never depend on it.

    Examples
    --------
    >>> import activations
    >>> activations.get_num_threads() >= 1
    True
    """
    return _threads


def set_num_threads(count: int) -> None:
    """Set the number of threads large calls may use, for the whole process.

    ``1`` keeps every call in the calling thread.  Anything but a positive
    integer is a :class:`ValueError`, and the setting is left as it was.  As
    with ``torch.set_num_threads``, the setting is global: it applies to calls
    made from any thread, including those already running when it changes.
    """
    global _threads
    if isinstance(count, str):  # only the environment's setting is text
        raise ValueError(f"activations: the number of threads must be a positive integer, got {count!r}")
    _threads = _thread_count(count, "the number of threads")


@contextlib.contextmanager
def num_threads(count: int):
    """Use ``count`` threads inside a ``with`` block, and the previous number after it.

    Examples
    --------
    >>> import activations
    >>> with activations.num_threads(1):
    ...     activations.get_num_threads()
    1
    """
    before = _threads
    set_num_threads(count)
    try:
        yield count
    finally:
        set_num_threads(before)


def blockwise(kernel, *operands: np.ndarray) -> np.ndarray:
    """Evaluate an elementwise formula block by block; return the last operand.

    ``kernel(*input_blocks, out_block)`` computes the formula for one block
    into ``out_block``, which it may also use as workspace; the last of
    ``operands`` is the output.  The operands have one shape, and the kernel
    gets blocks of at least one dimension.  Arrays of at
    most one block are handed to ``kernel`` whole, which keeps small calls
    cheap.  Larger ones are walked by :class:`numpy.nditer` in blocks of
    :data:`BLOCK_SIZE` elements; it copies a block of a non-contiguous operand
    into a buffer (and a block of the output back) only when it must.  When all
    operands are C-contiguous, a large array is split between threads.
    """
    out = operands[-1]
    if out.size <= BLOCK_SIZE:
        # A kernel always sees arrays: ufuncs return a scalar for 0-d input.
        kernel(*(a.reshape(1) for a in operands) if out.ndim == 0 else operands)
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


def rowwise(kernel, axes: tuple[int, ...], *operands: np.ndarray) -> np.ndarray:
    """Evaluate a formula on blocks of whole rows along ``axes``; return the last operand.

    The counterpart of :func:`blockwise` for the softmax family, whose every
    value depends on a whole row: the entries along ``axes`` (distinct,
    non-negative), :math:`K` of them.  ``kernel(*blocks, out_block)`` computes
    the formula for a C-contiguous block of shape ``(rows, K)`` into the last
    block, which it may also use as workspace; the operands have one shape.

    Every row reaches the kernel as a contiguous run of memory, whatever the
    axes and the layout of the operands, so every row is summed in the same
    order (NumPy sums a contiguous run pairwise, but a strided one term by
    term, which loses accuracy): the result does not depend on the layout.
    When the rows already are contiguous (C-contiguous operands, ``axes`` the
    last ones), the blocks are views; otherwise each block is copied into a
    contiguous buffer, and its result copied back.  A block holds about
    :data:`ROWS_BLOCK_SIZE` elements, or one row where a row is longer; large
    arrays are shared out between threads.  An empty array has no rows, and
    ``kernel`` is not called: the maximum of no values is undefined.
    """
    out = operands[-1]
    if out.size == 0:
        return out
    first = out.ndim - len(axes)
    contiguous = axes == tuple(range(first, out.ndim)) and all(
        [a.flags.c_contiguous for a in operands]
    )
    if contiguous:
        size = math.prod(out.shape[first:])
        rows = [a.reshape(-1, size) for a in operands]
        step = max(1, ROWS_BLOCK_SIZE // size)
        if len(rows[0]) <= step:
            kernel(*rows)  # one block: the arrays themselves, as in `blockwise`
            return out
    workers = _workers(out.size)
    if contiguous:
        tasks = [
            partial(_in_row_blocks, kernel, step, *(r[start:stop] for r in rows))
            for start, stop in _chunks(len(rows[0]), step, workers)
        ]
    else:
        moved = [np.moveaxis(a, axes, range(first, out.ndim)) for a in operands]
        length = math.prod(moved[0].shape[first:])
        tasks = [
            partial(_gathered, kernel, length, moved, index)
            for index in _row_block_indices(moved[0].shape[:first], length)
        ]
    _in_parallel(tasks, workers)
    return out


def _in_row_blocks(kernel, step: int, *rows: np.ndarray) -> None:
    for start in range(0, len(rows[0]), step):
        kernel(*(r[start : start + step] for r in rows))


def _gathered(kernel, length: int, moved: list[np.ndarray], index: tuple) -> None:
    """Run ``kernel`` on contiguous copies of one block of rows; copy the result back."""
    blocks = [np.ascontiguousarray(m[index]).reshape(-1, length) for m in moved[:-1]]
    target = moved[-1][index]
    result = np.empty((blocks[0].shape[0], length), dtype=target.dtype)
    kernel(*blocks, result)
    target[...] = result.reshape(target.shape)


def _row_block_indices(lead: tuple[int, ...], length: int):
    """Indices into the leading axes that cover every row once, in blocks.

    Rows of ``length`` elements are indexed by the ``lead`` axes.  Each block
    takes whole trailing runs of those axes, as many as fit in
    :data:`ROWS_BLOCK_SIZE` elements (at least one row), so there are few
    blocks even when a row is short.
    """
    inner, split = length, len(lead)
    while split > 0 and inner * lead[split - 1] <= ROWS_BLOCK_SIZE:
        split -= 1
        inner *= lead[split]
    if split == 0:
        return [()]
    axis = split - 1
    step = max(1, ROWS_BLOCK_SIZE // inner)
    return [
        outer + (slice(start, start + step),)
        for outer in np.ndindex(*lead[:axis])
        for start in range(0, lead[axis], step)
    ]


# Set in a thread while it runs the tasks of one call.
_running = threading.local()


def _workers(size: int) -> int:
    """How many threads to give ``size`` elements: at least a chunk each.

    A call made from inside a task (a kernel that calls a public function)
    gets one, its own thread: a pool thread that waited for the pool could
    wait for ever.
    """
    if size < 2 * THREAD_SIZE or getattr(_running, "task", False):
        return 1
    return min(_threads, size // THREAD_SIZE)


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
    when every thread has stopped.  Once a task has raised, no thread starts
    another, and the first exception is raised here.
    """
    workers = min(workers, len(tasks))
    if workers == 1:
        for task in tasks:
            task()
        return
    queue = iter(tasks)
    lock = threading.Lock()
    failed = threading.Event()

    def work() -> None:
        before, _running.task = getattr(_running, "task", False), True
        try:
            while not failed.is_set():
                with lock:
                    task = next(queue, None)
                if task is None:
                    return
                try:
                    task()
                except BaseException:
                    failed.set()
                    raise
        finally:
            _running.task = before

    pool = _executor(workers - 1)
    futures = [pool.submit(contextvars.copy_context().run, work) for _ in range(workers - 1)]
    try:
        work()
    finally:
        wait(futures)
    for future in futures:
        future.result()
