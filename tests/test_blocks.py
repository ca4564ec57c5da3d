"""Large arrays: evaluated in blocks and on several threads, with the same results.

Pieces of at most one block are computed whole, in the calling thread.  These
tests check that larger arrays, which ``activations._blocks`` splits into
blocks and shares out between threads, give exactly what their pieces give.
The thresholds are lowered here, so that arrays of a few blocks are split
between threads too and stay quick to check piece by piece.
"""

import multiprocessing
import os
import subprocess
import sys
import threading
import time
import warnings

import numpy as np
import pytest

import activations
from activations import _blocks
from functions import AXIS_BACKWARD, BACKWARD, ELEMENTWISE, ELEMENTWISE_BACKWARD, SECOND_ARGUMENT

# A smaller block than the package's, so that arrays of several blocks stay
# quick to check piece by piece; the blocking does not depend on the size.
BLOCK_SIZE = 8192
SIZE = 3 * BLOCK_SIZE + 123


@pytest.fixture(autouse=True)
def small_blocks(monkeypatch):
    monkeypatch.setattr(_blocks, "BLOCK_SIZE", BLOCK_SIZE)


@pytest.fixture(params=[1, 3], ids=["1 thread", "3 threads"])
def threads(request, monkeypatch):
    """Run the test on that many threads, with threads worth it from one block."""
    before = _blocks.get_num_threads()
    _blocks.set_num_threads(request.param)
    monkeypatch.setattr(_blocks, "THREAD_SIZE", _blocks.BLOCK_SIZE)
    yield request.param
    _blocks.set_num_threads(before)


def strided(x):
    """``x`` as a non-contiguous view: every other column of a wider array."""
    wide = np.zeros((x.shape[0], 2 * x.shape[1]), dtype=x.dtype)
    wide[:, ::2] = x
    return wide[:, ::2]


LAYOUTS = {
    "C order": np.ascontiguousarray,
    "Fortran order": np.asfortranarray,
    "a strided view": strided,
}


def arguments(name, z, rng):
    """The arguments of ``name`` for inputs ``z``: a backward pass gets the forward's output."""
    if name in SECOND_ARGUMENT:
        return [rng.normal(size=z.shape).astype(z.dtype), z]
    if name in BACKWARD:
        forward = getattr(activations, name.removesuffix("_backward"))
        return [rng.normal(size=z.shape).astype(z.dtype), forward(z)]
    return [z]


@pytest.mark.parametrize("layout", LAYOUTS.values(), ids=LAYOUTS.keys())
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("name", ELEMENTWISE + ["logit"] + ELEMENTWISE_BACKWARD)
def test_large_arrays_match_small_pieces(name, dtype, layout, threads):
    """Arrays of several blocks, in any layout and with any ``out``, match their pieces."""
    rng = np.random.default_rng(7)
    z = rng.uniform(0.0, 1.0, SIZE) if name == "logit" else rng.normal(0.0, 12.0, SIZE)
    z[:9] = [-np.inf, np.inf, np.nan, 0.0, -0.0, -0.7517915246935645, -1.2784645427610737, -40, 40]
    if name == "logit":
        z[:9] = [0.0, 1.0, np.nan, 0.5, 0.25, 1e-300, 1 - 2**-53, 0.75, 0.125]
    args = arguments(name, z.astype(dtype), rng)
    func = getattr(activations, name)
    pieces = np.array_split(np.arange(SIZE), 40)
    expected = np.concatenate([func(*[a[i] for a in args]) for i in pieces])

    shape = (SIZE // 3, 3)
    laid_out = [layout(a.reshape(shape)) for a in args]
    np.testing.assert_array_equal(func(*laid_out), expected.reshape(shape))
    out = strided(np.empty(shape, dtype=expected.dtype))
    assert func(*laid_out, out=out) is out
    np.testing.assert_array_equal(out, expected.reshape(shape))


@pytest.mark.parametrize("classes", [7, 1000, 10000])
@pytest.mark.parametrize("name", ["softmax", "log_softmax"] + AXIS_BACKWARD)
def test_large_batches_match_row_by_row(name, classes, threads, monkeypatch):
    """A batch of many rows, split into blocks of rows, gives each row's own result."""
    monkeypatch.setattr(_blocks, "ROWS_BLOCK_SIZE", 4096)
    rng = np.random.default_rng(3)
    rows = 3 * _blocks.ROWS_BLOCK_SIZE // classes + 2
    z = rng.normal(0.0, 20.0, (rows, classes))
    z[0, :3] = [np.inf, 1.0, 2.0]
    z[1, :3] = [-np.inf, np.nan, 2.0]
    args = arguments(name, z, rng)
    func = getattr(activations, name)
    expected = np.stack([func(*[a[i] for a in args]) for i in range(rows)])
    np.testing.assert_array_equal(func(*args), expected)
    # Along the first axis the batch is not split, and NumPy sums each row in
    # another order: the same result up to rounding.
    transposed = func(*[np.ascontiguousarray(a.T) for a in args], axis=0)
    np.testing.assert_allclose(transposed.T, expected, rtol=1e-13, atol=1e-13)


def slow_kernel(seen):
    """A kernel that notes its thread and takes long enough for every thread to get work."""

    def kernel(z, out):
        seen.add(threading.current_thread().name)
        time.sleep(0.02)
        np.negative(z, out=out)

    return kernel


def test_blocks_are_shared_out_between_threads(threads):
    """With three threads a large array is shared with the pool; with one, it is not."""
    seen = set()
    kernel = slow_kernel(seen)

    z = np.arange(float(SIZE))
    np.testing.assert_array_equal(_blocks.blockwise(kernel, z, np.empty_like(z)), -z)
    # This thread works on the first part; the pool's threads, however many
    # of them pick up the other parts, are named after the package.
    assert threading.current_thread().name in seen
    assert any(name.startswith("activations") for name in seen) == (threads > 1)


def test_after_a_failed_block_no_thread_starts_another():
    """The first exception is raised, and no task starts once one has raised.

    A task that is already running when another fails finishes; no thread
    takes a new one.  With four threads, at most three tasks other than the
    failed one can have started.
    """
    workers, started = 4, []
    lock = threading.Lock()

    def failing():
        raise RuntimeError("block 0 failed")

    def slow(index):
        with lock:
            started.append(index)
        time.sleep(0.01)

    tasks = [failing] + [lambda index=index: slow(index) for index in range(1, 64)]
    with pytest.raises(RuntimeError, match="block 0 failed"):
        _blocks._in_parallel(tasks, workers)
    assert len(started) <= workers - 1


def test_a_kernel_may_call_a_public_function_from_a_pool_thread(monkeypatch):
    """A call made inside a block runs in that block's thread instead of waiting for the pool.

    Were it handed to the pool, whose threads are all busy running the outer
    call's blocks, it could wait for ever; the test would then time out
    instead of hanging.
    """
    before = _blocks.get_num_threads()
    _blocks.set_num_threads(2)
    monkeypatch.setattr(_blocks, "THREAD_SIZE", _blocks.BLOCK_SIZE)
    inner = np.linspace(-5.0, 5.0, 4 * _blocks.BLOCK_SIZE)  # large enough for threads
    results = []

    def kernel(z, out):
        results.append(activations.sigmoid(inner))
        np.negative(z, out=out)

    z = np.arange(float(SIZE))
    runner = threading.Thread(target=lambda: _blocks.blockwise(kernel, z, np.empty_like(z)), daemon=True)
    try:
        runner.start()
        runner.join(timeout=60)
    finally:
        _blocks.set_num_threads(before)
    assert not runner.is_alive(), "a public call inside a block never returned"
    assert len(results) >= 2
    for result in results:
        np.testing.assert_array_equal(result, activations.sigmoid(inner))


def test_errstate_of_the_caller_applies_in_every_thread(threads):
    """np.errstate set by the caller holds in the pool's threads too.

    Without it, a pool thread would report the invalid operation as a
    RuntimeWarning, which these tests turn into an error, instead of ignoring
    it or raising FloatingPointError as asked.
    """
    seen = set()
    timed = slow_kernel(seen)

    def kernel(z, out):
        timed(z, out)
        out *= np.inf * z  # inf * 0 at z = 0: invalid
        seen.add(threading.current_thread().name)

    z = np.zeros(SIZE)
    with np.errstate(invalid="ignore"):
        assert np.isnan(_blocks.blockwise(kernel, z, np.empty_like(z))).all()
    assert any(name.startswith("activations") for name in seen) == (threads > 1)
    with np.errstate(invalid="raise"), pytest.raises(FloatingPointError):
        _blocks.blockwise(kernel, z, np.empty_like(z))
    # The same through a public function: inf * (1 - t)(1 + t) with t = 1.
    g, t = np.full(SIZE, np.inf), np.ones(SIZE)
    with np.errstate(invalid="ignore"):
        assert np.isnan(activations.tanh_backward(g, t)).all()
    with np.errstate(invalid="raise"), pytest.raises(FloatingPointError):
        activations.tanh_backward(g, t)


BAD_SETTINGS = ["0", "-2", "two", "1.5", "2.0", "abc"]


@pytest.mark.parametrize("setting", BAD_SETTINGS)
def test_a_bad_thread_count_is_an_error_naming_the_variable(setting, monkeypatch):
    """The variable is read once, when the package is imported: a bad value fails there."""
    monkeypatch.setenv("ACTIVATIONS_NUM_THREADS", setting)
    with pytest.raises(ValueError, match="ACTIVATIONS_NUM_THREADS must be a positive integer"):
        _blocks._from_environment()


def test_a_bad_thread_count_fails_the_import_whatever_the_array_size():
    """Not only on the first large array: importing the package reports it."""
    env = {**os.environ, "ACTIVATIONS_NUM_THREADS": "abc"}
    script = "import activations, numpy; activations.sigmoid(numpy.zeros(3))"
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert "ACTIVATIONS_NUM_THREADS must be a positive integer, got 'abc'" in result.stderr


@pytest.mark.parametrize("setting", ["2", " 3 "])
def test_a_good_thread_count_is_read_at_import(setting):
    env = {**os.environ, "ACTIVATIONS_NUM_THREADS": setting}
    script = "from activations import _blocks; print(_blocks.get_num_threads())"
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True)
    assert result.stdout.strip() == setting.strip()


@pytest.mark.parametrize("count", [0, -1, 1.5, "2", True, None])
def test_set_num_threads_refuses_anything_but_a_positive_integer(count):
    before = _blocks.get_num_threads()
    with pytest.raises(ValueError, match="number of threads must be a positive integer"):
        _blocks.set_num_threads(count)
    assert _blocks.get_num_threads() == before


def test_num_threads_sets_the_count_for_a_block_and_restores_it_after():
    """The public controls: the count inside the block is used, and the old one comes back."""
    before = activations.get_num_threads()
    seen = set()
    z = np.arange(float(SIZE))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_blocks, "THREAD_SIZE", _blocks.BLOCK_SIZE)
        with activations.num_threads(3) as count:
            assert count == activations.get_num_threads() == 3
            with activations.num_threads(1):
                assert activations.get_num_threads() == 1
                _blocks.blockwise(slow_kernel(seen), z, np.empty_like(z))
            assert activations.get_num_threads() == 3
    assert seen == {threading.current_thread().name}  # one thread: only this one
    assert activations.get_num_threads() == before
    with pytest.raises(KeyError), activations.num_threads(2):
        raise KeyError("the block failed")
    assert activations.get_num_threads() == before
    with pytest.raises(ValueError, match="positive integer"), activations.num_threads(0):
        pass  # pragma: no cover - never entered
    assert activations.get_num_threads() == before


def _sigmoid_sum_in_child(queue):
    queue.put(float(activations.sigmoid(np.zeros(SIZE)).sum()))


def test_a_forked_child_gets_threads_of_its_own(threads):
    """The pool's threads do not survive a fork; the child must not wait for them."""
    activations.sigmoid(np.zeros(SIZE))  # the parent's pool exists now
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    with warnings.catch_warnings():  # Python 3.12+ warns about forking with threads
        warnings.simplefilter("ignore", DeprecationWarning)
        child = context.Process(target=_sigmoid_sum_in_child, args=(queue,))
        child.start()
    child.join(timeout=60)
    if child.is_alive():
        child.kill()
        pytest.fail("the forked child hung")
    assert queue.get(timeout=5) == SIZE / 2


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    "name", ELEMENTWISE + ["logit"] + ELEMENTWISE_BACKWARD + ["softmax", "log_softmax"] + AXIS_BACKWARD
)
def test_a_small_array_takes_a_short_way_to_the_same_result(name, dtype, monkeypatch):
    """A C-ordered array of one block and a native dtype is computed on as it is, unconverted.

    The general path (taken here with ``out=``) gives the same values to the
    last bit, ties, zeros, infinities and NaN included.
    """
    rng = np.random.default_rng(11)
    z = rng.uniform(0.0, 1.0, (4, 25)) if name == "logit" else rng.normal(0.0, 12.0, (4, 25))
    z[0, :9] = [-np.inf, np.inf, np.nan, 0.0, -0.0, -0.7517915246935645, -1.2784645427610737, -40, 40]
    z[1, :3] = [30.0, 30.0, 30.0]  # a tie for the largest class
    if name == "logit":
        z[0, :9] = [0.0, 1.0, np.nan, 0.5, 0.25, 1e-300, 1 - 2**-53, 0.75, 0.125]
        z[1, :3] = 0.3
    args = arguments(name, z.astype(dtype), rng)
    func = getattr(activations, name)

    def general_path_taken(*_):
        raise AssertionError("the general path was taken")

    with monkeypatch.context() as patch:
        patch.setattr(activations._arrays, "_inputs", general_path_taken)
        short = func(*args)
    out = np.empty_like(short)
    assert func(*args, out=out) is out
    assert short.dtype == dtype
    np.testing.assert_array_equal(short, out)
