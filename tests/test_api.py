"""The promises every public function makes, checked for each of them from one table.

Names and documentation; NaN, the limits at infinity and the finite extremes,
with no warning whatever the caller's ``np.errstate``; dtypes, Python scalars
(weak, as in NumPy 2); inputs left unmodified; ``out=`` in every memory
layout; every axis of the softmax family; and a clear error, naming the
function, for every kind of bad input.  The functions come from
``activations.__all__``, sorted by how they are called in ``functions.py``.
"""

import doctest
import importlib
import pkgutil
import re
from pathlib import Path

import numpy as np
import pytest

import activations

from functions import (
    ALONG_AXIS,
    AXIS_BACKWARD,
    BACKWARD,
    BACKWARD_LIMITS,
    ELEMENTWISE,
    ELEMENTWISE_BACKWARD,
    LIMITS,
    SECOND_ARGUMENT,
)


def call(name, x):
    """Call a public function with ``x`` in every array argument."""
    func = getattr(activations, name)
    return func(x, x) if name in BACKWARD else func(x)


def sample(shape=(2, 3), dtype=np.float64):
    """Valid input for every function: probabilities, so logit accepts them too."""
    return np.linspace(0.1, 0.9, int(np.prod(shape))).reshape(shape).astype(dtype)


@pytest.mark.parametrize("name", activations.__all__)
def test_docstring_links_to_the_chapter_and_equation_that_derive_it(name):
    """Each function's reference entry points at its derivation, in a chapter of the book.

    The book's build (``-n``) fails on a label that does not exist; this checks
    that the link is there, and that the label belongs to the chapter named.
    """
    doc = " ".join(getattr(activations, name).__doc__.split())
    match = re.search(r"Derived in :ref:`[^`<]+<(\w+)>`, equation :eq:`([\w-]+)`\.", doc)
    assert match, f"{name}: no link to the chapter and equation that derive it"
    chapter, label = match.groups()
    notebook = (Path(__file__).resolve().parents[1] / "book" / f"{chapter}.ipynb").read_text(encoding="utf-8")
    assert f"({label})" in notebook or f":label: {label}" in notebook, f"{name}: {label} is not in {chapter}"


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



# --- NaN, infinities and the finite extremes ------------------------------------

FLOATS = [np.float16, np.float32, np.float64]


def test_the_tables_cover_every_public_function():
    assert sorted(LIMITS) == sorted(ELEMENTWISE)
    assert sorted(BACKWARD_LIMITS) == sorted(ELEMENTWISE_BACKWARD)
    assert sorted(ELEMENTWISE + ["logit"] + BACKWARD + ALONG_AXIS) == sorted(activations.__all__)


def forward_of(name):
    return getattr(activations, name.removesuffix("_backward"))


def second_argument(name, z):
    """What a backward pass takes besides the gradient: the input z, or the forward's output."""
    return z if name in SECOND_ARGUMENT else forward_of(name)(z)


@pytest.mark.parametrize("name", ELEMENTWISE + ["logit"])
def test_nan_propagates_and_stays_where_it_is(name):
    x = np.array([0.25, np.nan, 0.75])
    with np.errstate(all="raise"):
        result = getattr(activations, name)(x)
    np.testing.assert_array_equal(np.isnan(result), [False, True, False])


@pytest.mark.parametrize("name", BACKWARD)
@pytest.mark.parametrize("position", [0, 1])
def test_nan_propagates_through_either_argument_of_a_backward_pass(name, position):
    args = [np.array([0.5, 0.5]), np.array([0.25, 0.75])]
    args[position][0] = np.nan
    with np.errstate(all="raise"):
        result = getattr(activations, name)(*args)
    assert np.isnan(result[0])
    if name in ELEMENTWISE_BACKWARD:
        assert not np.isnan(result[1])


@pytest.mark.parametrize("name", ALONG_AXIS)
def test_nan_propagates_within_its_row_only(name):
    z = np.array([[0.0, np.nan, 1.0], [0.0, 2.0, 1.0]])
    with np.errstate(all="raise"):
        result = getattr(activations, name)(z)
    assert np.isnan(result[0]).all() and not np.isnan(result[1]).any()


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("name", ELEMENTWISE)
def test_limits_at_infinity(name, dtype):
    with np.errstate(all="raise"):
        result = getattr(activations, name)(np.array([-np.inf, np.inf], dtype=dtype))
    np.testing.assert_array_equal(result, np.array(LIMITS[name], dtype=dtype))


@pytest.mark.parametrize("name", ELEMENTWISE_BACKWARD)
def test_backward_limits_at_infinity(name):
    z = np.array([-np.inf, np.inf])
    with np.errstate(all="raise"):
        result = getattr(activations, name)(np.ones(2), second_argument(name, z))
    np.testing.assert_array_equal(result, BACKWARD_LIMITS[name])


def extremes(dtype):
    """Finite floats of every kind: the largest, the smallest normal and subnormal, zeros."""
    finfo = np.finfo(dtype)
    values = [finfo.max, finfo.smallest_normal, finfo.smallest_subnormal, 1.0, 0.5, 40.0, 800.0]
    magnitudes = np.array(values, dtype=dtype)
    return np.concatenate([magnitudes, -magnitudes, np.array([0.0, -0.0], dtype=dtype)])


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("name", ELEMENTWISE)
def test_finite_extremes_give_finite_results_under_errstate_raise(name, dtype):
    """No warning, NaN or overflow for finite input, whatever errstate the caller set."""
    with np.errstate(all="raise"):
        result = getattr(activations, name)(extremes(dtype))
    assert np.isfinite(result).all() and result.dtype == dtype


@pytest.mark.parametrize("dtype", FLOATS)
def test_logit_of_extreme_probabilities_under_errstate_raise(dtype):
    finfo = np.finfo(dtype)
    p = np.array([finfo.smallest_subnormal, finfo.smallest_normal, 0.5, 1 - finfo.epsneg], dtype=dtype)
    with np.errstate(all="raise"):
        assert np.isfinite(activations.logit(p)).all()
        np.testing.assert_array_equal(activations.logit(np.array([0.0, 1.0], dtype=dtype)), [-np.inf, np.inf])


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("name", ELEMENTWISE_BACKWARD)
def test_backward_passes_of_finite_extremes_are_finite_under_errstate_raise(name, dtype):
    z = extremes(dtype)
    second = second_argument(name, z)
    for g in (np.ones_like(z), np.full_like(z, np.finfo(dtype).smallest_subnormal), np.full_like(z, 0.5)):
        with np.errstate(all="raise"):
            assert np.isfinite(getattr(activations, name)(g, second)).all()


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("name", ALONG_AXIS + AXIS_BACKWARD)
def test_rows_of_finite_extremes_give_finite_results_under_errstate_raise(name, dtype):
    big, tiny = np.finfo(dtype).max, np.finfo(dtype).smallest_subnormal
    z = np.array([[big, -big], [big, big], [-big, -big], [tiny, -tiny], [0.0, -800.0]], dtype=dtype)
    func = getattr(activations, name)
    with np.errstate(all="raise"):
        if name in AXIS_BACKWARD:
            g = np.array([[1.0, 0.0]] * 5, dtype=dtype)
            result = func(g, forward_of(name)(z))
        else:
            result = func(z)
    if name == "log_softmax":  # -2 * max is beyond every float: -inf is its rounding
        result = result[np.isfinite(result) | (z < 0)]
    assert not np.isnan(result).any()
    assert np.isfinite(result[result != -np.inf]).all()


# --- the caller's errstate ------------------------------------------------------

# Results that are exact, or correctly rounded, although an intermediate of
# their formula overflows or underflows: no errstate may turn them into errors.
QUIET_CASES = [
    ("sigmoid", 710.0, 1.0), ("sigmoid", -710.0, None), ("softplus", 800.0, 800.0),
    ("gelu", 38.0, 38.0), ("gelu", np.inf, np.inf), ("gelu", -np.inf, 0.0),
    ("gelu_grad", 1e-300, 0.5), ("silu", 1e308, 1e308), ("tanh_grad", 400.0, None),
    ("sigmoid", np.float32(1e-45), 0.5), ("gelu", np.float32(1e-45), None),
    ("silu_grad", np.float32(-1e-45), 0.5), ("elu", np.float32(-1e-45), np.float32(-1e-45)),
]


@pytest.mark.parametrize(("name", "z", "expected"), QUIET_CASES)
def test_a_caller_errstate_of_raise_never_raises_where_the_result_is_right(name, z, expected):
    with np.errstate(all="raise"):
        result = getattr(activations, name)(z)
    assert not np.isnan(result)
    if expected is not None:
        assert result == expected


def test_log_softmax_far_apart_under_errstate_raise():
    with np.errstate(all="raise"):
        np.testing.assert_array_equal(activations.log_softmax([0.0, -800.0]), [0.0, -800.0])


def test_a_caller_errstate_still_governs_a_genuinely_invalid_result():
    """inf * 0 in a backward pass is NaN by the caller's rules: ignored, or raised."""
    with np.errstate(invalid="ignore"):
        assert np.isnan(activations.tanh_backward(np.inf, 1.0))
    with np.errstate(invalid="raise"), pytest.raises(FloatingPointError):
        activations.tanh_backward(np.inf, 1.0)


# --- dtypes and Python scalars (NEP 50) -------------------------------------------


# The softmax family's backward passes take arrays of at least one dimension,
# which Python scalars are not.
@pytest.mark.parametrize("dtype", [np.float16, np.float32])
@pytest.mark.parametrize("name", ELEMENTWISE_BACKWARD)
def test_python_scalars_are_weak_in_two_argument_functions(name, dtype):
    func = getattr(activations, name)
    array = np.full((), 0.25, dtype=dtype)  # backward passes never broadcast
    assert func(0.5, array).dtype == np.multiply(0.5, array).dtype == dtype
    assert func(array, 0.25).dtype == dtype
    assert func(dtype(0.5), 0.25).dtype == np.multiply(dtype(0.5), 0.25).dtype == dtype


@pytest.mark.parametrize("name", ELEMENTWISE_BACKWARD)
def test_a_numpy_scalar_is_strong_and_promotes_as_numpy_does(name):
    func = getattr(activations, name)
    assert func(np.float64(0.5), np.float32(0.25)).dtype == np.float64
    assert func(np.float16(0.5), np.float32(0.25)).dtype == np.float32


@pytest.mark.parametrize("name", ELEMENTWISE_BACKWARD)
def test_a_python_scalar_too_large_for_the_result_dtype_is_an_error_naming_the_function(name):
    with pytest.raises(ValueError, match=rf"^{name}: grad_output=1e\+300 is outside the range of float32"):
        getattr(activations, name)(1e300, np.float32(0.25))


@pytest.mark.parametrize("name", ["elu", "elu_grad", "elu_backward"])
def test_an_alpha_outside_the_dtype_range_is_an_error_naming_the_function(name):
    args = (np.float32([1.0]), np.float32([0.5])) if name.endswith("backward") else (np.float32([-1.0]),)
    with pytest.raises(ValueError, match=rf"^{name}: alpha=1e\+39 is outside the range of float32"):
        getattr(activations, name)(*args, alpha=1e39)


# --- unsupported kinds of array ---------------------------------------------------


def call_with(name, x):
    """Call ``name`` with ``x`` as its first array and valid values elsewhere."""
    func = getattr(activations, name)
    return func(x, np.full(np.shape(x), 0.5)) if name in BACKWARD else func(x)


@pytest.mark.parametrize("name", activations.__all__)
def test_masked_arrays_are_refused_rather_than_computed_on_hidden_values(name):
    masked = np.ma.masked_array([0.25, 0.5], mask=[0, 1])
    with pytest.raises(TypeError, match=rf"^{name}: .* is a masked array, which is not supported"):
        call_with(name, masked)


@pytest.mark.parametrize("name", activations.__all__)
def test_extended_precision_is_refused_naming_the_supported_dtypes(name):
    wide = np.array([0.25, 0.5], dtype=np.longdouble)
    if wide.dtype == np.float64:
        pytest.skip("np.longdouble is float64 on this platform")
    with pytest.raises(TypeError, match=rf"^{name}: .* float16, float32 and float64 only"):
        call_with(name, wide)


# --- out= in every layout ----------------------------------------------------------


def laid_out(shape, layout):
    """An uninitialised float64 array of ``shape`` in a memory layout."""
    if layout == "C":
        return np.full(shape, np.nan)
    if layout == "Fortran":
        return np.asfortranarray(np.full(shape, np.nan))
    if layout == "strided":
        return np.full(shape[:-1] + (2 * shape[-1],), np.nan)[..., ::2]
    return np.full(shape, np.nan)[::-1, :, ::-1]  # negative strides


LAYOUTS = ["C", "Fortran", "strided", "reversed"]


def arguments(name, shape=(4, 3, 5)):
    rng = np.random.default_rng(4)
    z = rng.uniform(0.05, 0.95, shape)
    if name in BACKWARD:
        return [rng.normal(size=shape), second_argument(name, z)]
    return [z]


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("name", sorted(set(activations.__all__) - {"softmax_jacobian"}))
def test_out_in_every_layout_receives_the_same_result(name, layout):
    args = arguments(name)
    func = getattr(activations, name)
    expected = func(*args)
    out = laid_out(expected.shape, layout)
    assert func(*args, out=out) is out
    np.testing.assert_array_equal(out, expected)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("name", sorted(set(activations.__all__) - {"softmax_jacobian"}))
def test_inputs_in_every_layout_give_the_same_result(name, layout):
    args = arguments(name)
    func = getattr(activations, name)
    expected = func(*args)
    moved = []
    for a in args:
        b = laid_out(a.shape, layout)
        b[...] = a
        moved.append(b)
    np.testing.assert_array_equal(func(*moved), expected)


@pytest.mark.parametrize("name", activations.__all__)
def test_out_may_be_a_one_tuple_as_for_a_ufunc(name):
    args = arguments(name, (2, 3))
    func = getattr(activations, name)
    expected = func(*args)
    out = np.empty_like(expected)
    assert func(*args, out=(out,)) is out
    np.testing.assert_array_equal(out, expected)


@pytest.mark.parametrize("name", ["sigmoid", "softmax", "tanh_backward"])
def test_out_as_a_longer_tuple_is_an_error(name):
    args = arguments(name, (2, 3))
    with pytest.raises(TypeError, match=rf"^{name}: out"):
        getattr(activations, name)(*args, out=(np.empty((2, 3)), np.empty((2, 3))))


# --- every axis of the softmax family -------------------------------------------

AXES = [0, 1, 2, -1, -3, None, (0, 2), (2, 0), (0, 1, 2), (1,)]


def along_last(name, args, axis):
    """``name`` along ``axis`` computed the plain way: the axes moved last and flattened."""
    ndim = args[0].ndim
    axes = tuple(range(ndim)) if axis is None else tuple(a % ndim for a in np.atleast_1d(axis))
    rest = [a for a in range(ndim) if a not in axes]
    moved = [np.ascontiguousarray(np.transpose(a, rest + list(axes))) for a in args]
    shape = moved[0].shape
    rows = [m.reshape(shape[: len(rest)] + (-1,)) for m in moved]
    result = getattr(activations, name)(*rows, axis=-1).reshape(shape)
    return np.transpose(result, np.argsort(rest + list(axes)))


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("axis", AXES, ids=str)
@pytest.mark.parametrize("name", ["softmax", "log_softmax"] + AXIS_BACKWARD)
def test_every_axis_and_layout_gives_the_result_of_contiguous_rows(name, axis, layout):
    """Bit for bit: every row is computed as a contiguous run, whatever the layout."""
    rng = np.random.default_rng(8)
    z = rng.normal(0.0, 3.0, (4, 3, 5))
    args = [rng.normal(size=z.shape), activations.softmax(z, axis=axis) if name == "softmax_backward"
            else activations.log_softmax(z, axis=axis)] if name in AXIS_BACKWARD else [z]
    placed = []
    for a in args:
        b = laid_out(a.shape, layout)
        b[...] = a
        placed.append(b)
    func = getattr(activations, name)
    np.testing.assert_array_equal(func(*placed, axis=axis), along_last(name, args, axis))
    out = laid_out(z.shape, layout)
    func(*placed, axis=axis, out=out)
    np.testing.assert_array_equal(out, along_last(name, args, axis))


@pytest.mark.parametrize("axis", [None, (0, 1), 1.0, "0", True])
def test_softmax_jacobian_takes_a_single_integer_axis_and_says_so(axis):
    with pytest.raises(TypeError, match=r"^softmax_jacobian: axis must be a single integer"):
        activations.softmax_jacobian(np.zeros((2, 3)), axis=axis)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"] + AXIS_BACKWARD)
def test_an_axis_repeated_in_a_tuple_is_an_error_naming_the_function(name):
    args = arguments(name, (2, 3))
    with pytest.raises(ValueError, match=rf"^{name}: axis \(1, -1\) repeats an axis"):
        getattr(activations, name)(*args, axis=(1, -1))


@pytest.mark.parametrize("axis", [1.5, "0", [0, 1]])
@pytest.mark.parametrize("name", ["softmax", "log_softmax"] + AXIS_BACKWARD)
def test_an_axis_of_the_wrong_type_is_an_error_naming_the_function(name, axis):
    args = arguments(name, (2, 3))
    with pytest.raises(TypeError, match=rf"^{name}: axis must be None, an integer or a tuple"):
        getattr(activations, name)(*args, axis=axis)
