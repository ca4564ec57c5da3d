"""The public API: names, ufunc-like behaviour, dtypes and bad input."""

import doctest
import importlib
import pkgutil
from pathlib import Path

import numpy as np
import pytest

import activations

ELEMENTWISE = [
    "sigmoid", "sigmoid_grad", "tanh", "tanh_grad",
    "relu", "relu_grad", "leaky_relu", "leaky_relu_grad", "elu", "elu_grad",
    "softplus", "softplus_grad", "gelu", "gelu_grad", "silu", "silu_grad",
]
# Backward functions of elementwise activations, then those along an axis.
ELEMENTWISE_BACKWARD = [
    "sigmoid_backward", "tanh_backward", "relu_backward", "leaky_relu_backward",
    "elu_backward", "softplus_backward", "gelu_backward", "silu_backward",
]
AXIS_BACKWARD = ["softmax_backward", "log_softmax_backward"]
BACKWARD = ELEMENTWISE_BACKWARD + AXIS_BACKWARD
# GELU and SiLU cannot be inverted from their output: their backward passes
# take the input z as their second argument.
SECOND_ARGUMENT = {"gelu_backward": "z", "silu_backward": "z"}
ALONG_AXIS = ["softmax", "log_softmax", "softmax_jacobian"]
UNARY = ELEMENTWISE + ["logit"] + ALONG_AXIS


def call(name, x):
    """Call a public function with ``x`` in every array argument."""
    func = getattr(activations, name)
    return func(x, x) if name in BACKWARD else func(x)


def sample(shape=(2, 3), dtype=np.float64):
    """Valid input for every function: probabilities, so logit accepts them too."""
    return np.linspace(0.1, 0.9, int(np.prod(shape))).reshape(shape).astype(dtype)


def test_all_lists_exactly_the_public_functions():
    assert sorted(activations.__all__) == sorted(ELEMENTWISE + BACKWARD + ALONG_AXIS + ["logit"])
    for name in activations.__all__:
        assert callable(getattr(activations, name))


@pytest.mark.parametrize(
    "module", sorted(m.name for m in pkgutil.iter_modules(activations.__path__))
)
def test_docstring_examples_run(module):
    result = doctest.testmod(
        importlib.import_module(f"activations.{module}"), optionflags=doctest.NORMALIZE_WHITESPACE
    )
    assert result.failed == 0
    if not module.startswith("_"):
        assert result.attempted > 0, f"activations.{module} has no docstring examples"


def test_readme_examples_run():
    readme = Path(__file__).resolve().parents[1] / "README.md"
    result = doctest.testfile(
        str(readme), module_relative=False, optionflags=doctest.NORMALIZE_WHITESPACE
    )
    assert result.failed == 0
    assert result.attempted > 0


@pytest.mark.parametrize("name", activations.__all__)
def test_every_public_function_documents_its_formula(name):
    doc = getattr(activations, name).__doc__
    assert ".. math::" in doc
    assert "Examples" in doc


@pytest.mark.parametrize("name", ELEMENTWISE + ["logit"] + ELEMENTWISE_BACKWARD)
@pytest.mark.parametrize("value", [0.25, 1, True, np.float32(0.25), np.array(0.25)])
def test_a_scalar_in_gives_a_numpy_scalar_out(name, value):
    result = call(name, value)
    assert isinstance(result, np.floating)
    assert np.ndim(result) == 0


@pytest.mark.parametrize("name", activations.__all__)
def test_an_array_in_gives_a_new_array_out(name):
    x = sample()
    result = call(name, x)
    assert isinstance(result, np.ndarray)
    assert result.shape[:2] == x.shape[:2]
    assert not np.shares_memory(result, x)


@pytest.mark.parametrize("name", activations.__all__)
def test_inputs_are_never_modified(name):
    x = sample()
    before = x.copy()
    call(name, x)
    np.testing.assert_array_equal(x, before)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("name", activations.__all__)
def test_floating_dtypes_are_preserved(name, dtype):
    assert call(name, sample(dtype=dtype)).dtype == dtype


@pytest.mark.parametrize("dtype", [np.int8, np.int64, np.uint16, np.bool_])
@pytest.mark.parametrize("name", activations.__all__)
def test_integers_and_bools_are_promoted_to_float64(name, dtype):
    x = np.ones((2, 2), dtype=dtype)
    assert call(name, x).dtype == np.float64


@pytest.mark.parametrize("name", activations.__all__)
def test_lists_are_accepted(name):
    np.testing.assert_array_equal(call(name, [[0.25, 0.5]]), call(name, np.array([[0.25, 0.5]])))


@pytest.mark.parametrize("name", activations.__all__)
def test_empty_arrays_give_empty_results(name):
    result = call(name, np.empty((0, 3)))
    assert result.size == 0
    assert result.shape[0] == 0


def test_empty_softmax_jacobian_has_the_jacobian_shape():
    assert activations.softmax_jacobian(np.empty((4, 0))).shape == (4, 0, 0)


@pytest.mark.parametrize("name", ELEMENTWISE + ["logit"] + ELEMENTWISE_BACKWARD)
def test_elementwise_functions_take_0d_arrays(name):
    assert np.ndim(call(name, np.array(0.5))) == 0


BAD_INPUTS = {
    "a string": "0.5",
    "bytes": b"0.5",
    "None": None,
    "an object array": np.array([0.5, "x"], dtype=object),
    "a complex number": 0.5 + 1j,
    "a complex array": np.array([0.5 + 0j]),
}


@pytest.mark.parametrize("bad", BAD_INPUTS.values(), ids=BAD_INPUTS.keys())
@pytest.mark.parametrize("name", activations.__all__)
def test_wrong_input_types_raise_a_type_error_naming_the_function(name, bad):
    with pytest.raises(TypeError, match=rf"^{name}: "):
        call(name, bad)


@pytest.mark.parametrize("name", BACKWARD)
@pytest.mark.parametrize("position", [0, 1])
def test_backward_functions_check_each_argument_type(name, position):
    args = [np.ones(2), np.ones(2)]
    args[position] = "1"
    argument = ["grad_output", SECOND_ARGUMENT.get(name, "output")][position]
    with pytest.raises(TypeError, match=rf"^{name}: {argument} must be"):
        getattr(activations, name)(*args)


@pytest.mark.parametrize("name", BACKWARD)
def test_backward_functions_never_broadcast_mismatched_shapes(name):
    with pytest.raises(ValueError, match=rf"^{name}: .*\(3,\).*\(2, 3\)"):
        getattr(activations, name)(np.ones(3), np.full((2, 3), 0.5))


@pytest.mark.parametrize("axis", [2, -3])
@pytest.mark.parametrize("name", ALONG_AXIS + AXIS_BACKWARD)
def test_an_axis_out_of_range_raises_axis_error(name, axis):
    func = getattr(activations, name)
    x = sample()
    with pytest.raises(np.exceptions.AxisError):
        func(x, x, axis=axis) if name in BACKWARD else func(x, axis=axis)


def call_with_out(name, x, out):
    func = getattr(activations, name)
    return func(x, x, out=out) if name in BACKWARD else func(x, out=out)


@pytest.mark.parametrize("name", activations.__all__)
def test_out_receives_the_result_and_is_returned(name):
    x = sample()
    expected = call(name, x)
    out = np.full_like(expected, np.nan)
    assert call_with_out(name, x, out) is out
    np.testing.assert_array_equal(out, expected)


@pytest.mark.parametrize("name", activations.__all__)
def test_out_of_a_lower_precision_receives_the_rounded_result(name):
    x = sample()
    expected = call(name, x).astype(np.float32)
    out = np.empty_like(expected)
    np.testing.assert_array_equal(call_with_out(name, x, out), expected)


@pytest.mark.parametrize("name", ELEMENTWISE + ["logit"])
def test_out_may_be_the_input(name):
    x = sample()
    expected = call(name, x.copy())
    np.testing.assert_array_equal(getattr(activations, name)(x, out=x), expected)


@pytest.mark.parametrize("name", BACKWARD)
@pytest.mark.parametrize("position", [0, 1])
def test_out_may_be_either_input_of_a_backward_function(name, position):
    rng = np.random.default_rng(0)
    args = [rng.normal(size=(2, 3)), activations.softmax(rng.normal(size=(2, 3)))]
    expected = getattr(activations, name)(*[a.copy() for a in args])
    result = getattr(activations, name)(*args, out=args[position])
    np.testing.assert_array_equal(result, expected)


@pytest.mark.parametrize("name", ELEMENTWISE + ["logit"] + ELEMENTWISE_BACKWARD)
def test_out_works_for_0d_results(name):
    out = np.empty(())
    assert call_with_out(name, 0.5, out) is out
    assert out[()] == call(name, 0.5)


@pytest.mark.parametrize("name", activations.__all__)
def test_out_of_the_wrong_shape_is_rejected(name):
    with pytest.raises(ValueError, match=rf"^{name}: out must have shape"):
        call_with_out(name, sample(), np.empty(7))


@pytest.mark.parametrize(
    "out", [[0.0] * 6, np.empty((2, 3), dtype=np.int64), np.empty((2, 3), dtype=complex)],
    ids=["a list", "an integer array", "a complex array"],
)
@pytest.mark.parametrize("name", ELEMENTWISE + ["logit"] + ELEMENTWISE_BACKWARD)
def test_out_that_cannot_hold_the_result_is_rejected(name, out):
    with pytest.raises(TypeError, match=rf"^{name}: out must be"):
        call_with_out(name, sample(), out)


def test_read_only_out_is_rejected():
    out = np.empty((2, 3))
    out.flags.writeable = False
    with pytest.raises(ValueError, match=r"^sigmoid: out is read-only"):
        activations.sigmoid(sample(), out=out)


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


@pytest.mark.parametrize("layout", LAYOUTS.values(), ids=LAYOUTS.keys())
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("name", ELEMENTWISE + ["logit"] + ELEMENTWISE_BACKWARD)
def test_large_arrays_worked_in_blocks_match_small_pieces(name, dtype, layout):
    """Arrays of several blocks give what the same values give a few at a time.

    Pieces of at most one block are computed whole; a larger array is walked
    block by block (``_arrays.blockwise``), with buffers for a non-contiguous
    layout and for a non-contiguous ``out``.
    """
    from activations import _arrays

    rng = np.random.default_rng(7)
    size = 3 * _arrays.BLOCK_SIZE + 123
    z = rng.uniform(0.0, 1.0, size) if name == "logit" else rng.normal(0.0, 12.0, size)
    z[:9] = [-np.inf, np.inf, np.nan, 0.0, -0.0, -0.7517915246935645, -1.2784645427610737, -40, 40]
    if name == "logit":
        z[:9] = [0.0, 1.0, np.nan, 0.5, 0.25, 1e-300, 1 - 2**-53, 0.75, 0.125]
    z = z.astype(dtype)
    if name in SECOND_ARGUMENT:
        args = [rng.normal(size=size).astype(dtype), z]
    elif name in BACKWARD:  # a backward pass is handed the forward's output
        forward = getattr(activations, name.removesuffix("_backward"))
        args = [rng.normal(size=size).astype(dtype), forward(z)]
    else:
        args = [z]
    func = getattr(activations, name)
    pieces = np.array_split(np.arange(size), 40)
    expected = np.concatenate([func(*[a[i] for a in args]) for i in pieces])

    shape = (size // 3, 3)
    laid_out = [layout(a.reshape(shape)) for a in args]
    np.testing.assert_array_equal(func(*laid_out), expected.reshape(shape))
    out = strided(np.empty(shape, dtype=expected.dtype))
    assert func(*laid_out, out=out) is out
    np.testing.assert_array_equal(out, expected.reshape(shape))


@pytest.mark.parametrize("classes", [7, 1000, 10000])
@pytest.mark.parametrize("name", ["softmax", "log_softmax"] + AXIS_BACKWARD)
def test_large_batches_worked_in_blocks_of_rows_match_row_by_row(name, classes, monkeypatch):
    """A batch of many rows, split into blocks of rows, gives each row's own result.

    The blocks are made small here, so that a batch of a few blocks (and a row
    longer than a block) stays quick to check row by row.
    """
    from activations import _arrays

    monkeypatch.setattr(_arrays, "ROWS_BLOCK_SIZE", 4096)
    rng = np.random.default_rng(3)
    rows = 3 * _arrays.ROWS_BLOCK_SIZE // classes + 2
    z = rng.normal(0.0, 20.0, (rows, classes))
    z[0, :3] = [np.inf, 1.0, 2.0]
    z[1, :3] = [-np.inf, np.nan, 2.0]
    if name in AXIS_BACKWARD:
        forward = getattr(activations, name.removesuffix("_backward"))
        args = [rng.normal(size=z.shape), forward(z)]
    else:
        args = [z]
    func = getattr(activations, name)
    expected = np.stack([func(*[a[i] for a in args]) for i in range(rows)])
    np.testing.assert_array_equal(func(*args), expected)
    # Along the first axis the batch is not split, and NumPy sums each row in
    # another order: the same result up to rounding.
    transposed = func(*[np.ascontiguousarray(a.T) for a in args], axis=0)
    np.testing.assert_allclose(transposed.T, expected, rtol=1e-13, atol=1e-13)
