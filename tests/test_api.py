"""The public API: names, ufunc-like behaviour, dtypes and bad input."""

import doctest
import importlib
import pkgutil
from pathlib import Path

import numpy as np
import pytest

import activations

from functions import (
    ALONG_AXIS,
    AXIS_BACKWARD,
    BACKWARD,
    ELEMENTWISE,
    ELEMENTWISE_BACKWARD,
    SECOND_ARGUMENT,
)


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

