"""Bad input gets a clear lagrange_ad error naming the problem, never a bare sympy or numpy traceback.

Each case asserts the exception class AND the key words of its message, and that the error does not
chain a numpy/sympy exception into the traceback the reader sees.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import lagrange_ad as lad


def check(call, cls, *words):
    """``call()`` raises ``cls``, a LagrangeADError, whose message contains every word (case-insensitive)."""
    with pytest.raises(cls) as info:
        call()
    err = info.value
    assert isinstance(err, lad.LagrangeADError) and isinstance(err, ValueError)
    message = str(err).lower()
    for word in words:
        assert word.lower() in message, f"{word!r} not in the message {str(err)!r}"
    # the traceback shows our error alone, not a numpy/sympy error it was translated from
    assert err.__cause__ is None
    assert err.__context__ is None or err.__suppress_context__
    return err


def comp_with(*inputs):
    comp = lad.Computation()
    values = [comp.input(name, shape) for name, shape in inputs]
    return comp, values


# ------------------------------------------------------------------------------------------------
# a value from another computation


def test_mixing_two_computations():
    _, (x1,) = comp_with(("x", ()))
    comp2, (x2,) = comp_with(("x", ()))
    check(lambda: x1 + x2, lad.ForeignValueError, "add", "different computations")
    check(lambda: x1 @ comp_with(("W", (1, 1)))[1][0], lad.ForeignValueError, "matmul", "computations")
    check(lambda: comp2.assign(x1 * 2), lad.ForeignValueError, "another computation")
    check(lambda: x1 > x2, lad.ForeignValueError, "comparison", "different computations")
    check(lambda: lad.where(x1 > 0, x2, 1.0), lad.ForeignValueError, "where", "different computations")
    check(lambda: lad.trace(lambda x: x * x1, "x"), lad.ForeignValueError, "mul", "computations")
    check(lambda: lad.trace(lambda x: x1, "x"), lad.ForeignValueError, "another computation")


# ------------------------------------------------------------------------------------------------
# use before definition, assigning to an input, assigning twice


def test_z_before_it_is_defined():
    comp, _ = comp_with(("x", ()), ("w", ()))
    check(lambda: comp.z(3), lad.DefinitionError, "z_3", "before it is defined", "2 steps")
    check(lambda: comp.z(0), lad.DefinitionError, "z_0")
    check(lambda: comp.a(7), lad.DefinitionError, "z_7")
    check(
        lambda: lad.Computation.from_equations("h = g * 2\ng = x + 1", inputs="x"),
        lad.DefinitionError, "line 1", "'g'", "before it is defined", "line 2",
    )  # fmt: skip
    check(lambda: lad.Computation.from_equations("h = q * 2", inputs="x"), lad.DefinitionError, "line 1", "'q'")


def test_assigning_to_an_input():
    check(
        lambda: lad.Computation.from_equations("z2 = z1 * 2\nz1 = z2 + 1", inputs="z1"),
        lad.DefinitionError, "line 2", "'z1'", "input",
    )  # fmt: skip
    comp, (x,) = comp_with(("x", ()))
    check(lambda: comp.assign(x * 2, name="x"), lad.DefinitionError, "'x'", "z_1", "input")


def test_assigning_twice():
    check(
        lambda: lad.Computation.from_equations("h = x * 2\nh = x + 1", inputs="x"),
        lad.DefinitionError, "line 2", "'h'", "second time",
    )  # fmt: skip
    comp, (x,) = comp_with(("x", ()))
    comp.assign(x * 2, name="h")
    check(lambda: comp.assign(x * 3, name="h"), lad.DefinitionError, "'h'", "z_2", "exactly once")
    check(lambda: comp.input("x"), lad.DefinitionError, "'x'", "already")


def test_typed_in_equations_that_cannot_be_read():
    def eqs(text):
        return lambda: lad.Computation.from_equations(text, inputs="x")

    check(eqs("h = x *"), lad.DefinitionError, "line 1", "cannot read")
    check(eqs("h = x.__class__"), lad.DefinitionError, "line 1", "not allowed")
    check(eqs("h = (lambda: x)()"), lad.DefinitionError, "line 1", "not allowed")
    check(eqs("h = x + 'a'"), lad.DefinitionError, "line 1", "not a number")
    check(eqs("h x + 1"), lad.DefinitionError, "line 1", "assignment")
    check(eqs("h = 2 * 3"), lad.DefinitionError, "line 1", "does not depend")
    check(lambda: lad.Computation.from_equations("# only a comment"), lad.OutputError, "no steps")
    check(eqs("exp = x * 2"), lad.DefinitionError, "line 1", "'exp'", "elementary function")
    check(lambda: lad.Computation.from_equations("h = exp * 2", "exp"), lad.DefinitionError, "'exp'", "elementary")
    check(eqs("h = x(2)"), lad.DefinitionError, "line 1", "cannot evaluate", "not callable")
    check(eqs("h = exp(x, x)"), lad.DefinitionError, "line 1", "cannot evaluate", "exp()", "2 were given")
    check(eqs("h = where(x > 0, x)"), lad.DefinitionError, "line 1", "where()", "missing")
    check(eqs("h = x + 1 / 0"), lad.DefinitionError, "line 1", "division by zero")
    check(eqs("h = where(x == 1, x, 0)"), lad.DefinitionError, "line 1", "`==`", ">=")
    check(eqs("h = where(0 < x < 1, x, 0)"), lad.TracingError, "line 1", "lad.where")
    check(lambda: lad.Computation.from_equations(5, "x"), lad.DefinitionError, "as text", "5")
    check(lambda: lad.Computation.from_equations("h = x", "x", shapes={"q": (2, 2)}), lad.DefinitionError, "'q'")


def test_typed_in_constants_cannot_hang_the_machine():
    """`10 ** 10 ** 10` in integers would compute a number with ten billion digits; as floats it overflows."""
    check(
        lambda: lad.Computation.from_equations("h = 10 ** 10 ** 10 * x", "x"),
        lad.DefinitionError, "line 1", "too large",
    )  # fmt: skip
    comp = lad.Computation.from_equations("h = 2 ** 3 * x", "x")
    assert lad.gradient(comp, {"x": 1.0}) == {"x": 8.0}


def test_bad_input_declarations():
    comp = lad.Computation()
    check(lambda: comp.input("W", (3,)), lad.ShapeError, "'W'", "(3,)", "1×k")
    check(lambda: comp.input("W", (0, 3)), lad.ShapeError, "'W'", "(0, 3)")
    check(lambda: comp.input("W", (2, 2, 2)), lad.ShapeError, "(2, 2, 2)")
    check(lambda: comp.input("2x"), lad.DefinitionError, "'2x'", "identifier")
    check(lambda: comp.input("lambda"), lad.DefinitionError, "'lambda'")
    check(lambda: lad.trace(lambda x: x, "x y"), lad.LagrangeADError, "1 arguments", "2 inputs")
    check(lambda: lad.trace(3, "x"), lad.UnsupportedValueError, "function", "int")
    check(lambda: lad.trace(lambda W: lad.sum(W), "W", shapes={"W": 3}), lad.ShapeError, "'W'", "(3,)")
    check(lambda: lad.trace(lambda W: lad.sum(W), {"W": (2, -1)}), lad.ShapeError, "'W'", "(2, -1)")
    check(lambda: lad.trace(lambda x: x * 1, "x", shapes={"W": (2, 2)}), lad.LagrangeADError, "'W'", "not one of")


# ------------------------------------------------------------------------------------------------
# the output z_n must be a scalar


def test_a_non_scalar_output():
    comp, (W,) = comp_with(("W", (2, 3)))
    comp.assign(lad.tanh(W))
    for call in (lambda: comp.output, lambda: lad.lagrangian(comp), lambda: lad.linear_system(comp)):
        check(call, lad.OutputError, "z_2", "(2, 3)", "scalar", "lad.sum")
    check(lambda: lad.gradient(comp, {"W": np.ones((2, 3))}), lad.OutputError, "(2, 3)", "scalar")
    check(lambda: list(lad.back_substitution(comp)), lad.OutputError, "scalar")
    check(lambda: lad.trace(lambda W: W * 2, "W", shapes={"W": (2, 3)}), lad.OutputError, "(2, 3)", "scalar")
    check(lambda: lad.Computation().output, lad.OutputError, "no steps")
    check(lambda: lad.trace(lambda x: 3.0, "x"), lad.OutputError, "does not depend", "3.0")
    check(lambda: lad.trace(lambda x: x > 1, "x"), lad.OutputError, "comparison")


# ------------------------------------------------------------------------------------------------
# shapes


def test_mismatched_shapes():
    comp, (x, W, V) = comp_with(("x", ()), ("W", (2, 3)), ("V", (3, 2)))
    check(lambda: W @ W, lad.ShapeError, "(2, 3) @ (2, 3)", "3 columns", "2 rows")
    check(lambda: W @ x, lad.ShapeError, "`@`", "two matrices", "()")
    check(lambda: W @ 2.0, lad.ShapeError, "`@`", "two matrices")
    check(lambda: W @ np.ones((2, 2)), lad.ShapeError, "(2, 3) @ (2, 2)")
    check(lambda: W + V, lad.ShapeError, "(2, 3)", "(3, 2)", "add", "broadcast")
    check(lambda: W * np.ones((3, 3)), lad.ShapeError, "(2, 3)", "(3, 3)", "mul")
    check(lambda: np.ones((3, 3)) - W, lad.ShapeError, "(3, 3)", "(2, 3)", "sub")
    check(lambda: W / np.ones(3), lad.ShapeError, "(3,)", "1×k")
    check(lambda: lad.where(x > 0, W, V), lad.ShapeError, "where", "(2, 3)", "(3, 2)")
    check(lambda: lad.where(W > V, 1.0, 2.0), lad.ShapeError, "sub", "(2, 3)", "(3, 2)")
    check(lambda: W[2, 0], lad.ShapeError, "(2, 0)", "outside", "(2, 3)")
    check(lambda: W[0], lad.ShapeError, "two integers")
    check(lambda: W[True, 0], lad.ShapeError, "two integers", "True")
    check(lambda: W[0.0, 1], lad.ShapeError, "two integers", "0.0")
    check(lambda: x[0, 0], lad.ShapeError, "scalar")


# ------------------------------------------------------------------------------------------------
# input values given to gradient, forward, multipliers, back_substitution


@pytest.fixture
def small():
    return lad.trace(lambda x, W: lad.sum(lad.tanh(W * x)), "x W", shapes={"W": (2, 3)})


GOOD = {"x": 0.5, "W": np.ones((2, 3))}


@pytest.mark.parametrize(
    "fn", [lad.gradient, lad.forward, lad.multipliers, lambda c, v: list(lad.back_substitution(c, at=v))]
)
def test_bad_input_values(small, fn):
    check(lambda: fn(small, {**GOOD, "q": 1.0}), lad.InputError, "unknown", "'q'", "'x', 'w'")
    check(lambda: fn(small, {"x": 0.5}), lad.InputError, "missing", "'w'")
    check(lambda: fn(small, {**GOOD, "x": np.ones((2, 2))}), lad.InputError, "'x'", "shape ()", "(2, 2)")
    check(lambda: fn(small, {**GOOD, "W": np.ones((3, 2))}), lad.InputError, "'w'", "(2, 3)", "(3, 2)")
    check(lambda: fn(small, {**GOOD, "W": np.ones(6)}), lad.InputError, "'w'", "(6,)")
    check(lambda: fn(small, {**GOOD, "x": float("nan")}), lad.InputError, "'x'", "nan or infinite")
    check(lambda: fn(small, {**GOOD, "x": -np.inf}), lad.InputError, "'x'", "infinite")
    bad = np.ones((2, 3))
    bad[1, 2] = np.nan
    check(lambda: fn(small, {**GOOD, "W": bad}), lad.InputError, "'w'", "nan")
    check(lambda: fn(small, {**GOOD, "x": "0.5"}), lad.InputError, "'x'", "str")
    check(lambda: fn(small, {**GOOD, "x": None}), lad.InputError, "'x'", "nonetype")
    check(lambda: fn(small, {**GOOD, "W": [[1, 2, 3], [4, "a", 6]]}), lad.InputError, "'w'")
    check(lambda: fn(small, [0.5, np.ones((2, 3))]), lad.InputError, "dict")


@pytest.mark.parametrize(
    "fn, x",
    [(lambda x: lad.log(x) * 2, -1.0), (lambda x: lad.exp(x) * 0 + x, 1000.0), (lambda x: 1 / x + x, 0.0)],
    ids=["log(-1)", "exp(1000)", "1 over 0"],
)
def test_a_gradient_where_a_step_is_not_finite(fn, x):
    comp = lad.trace(fn, "x")
    check(lambda: lad.gradient(comp, {"x": x}), lad.LagrangeADError, "z_2")
    check(lambda: lad.multipliers(comp, {"x": x}), lad.LagrangeADError, "z_2")


# ------------------------------------------------------------------------------------------------
# the step bound


def test_a_loop_that_never_ends_hits_the_default_bound():
    def forever(x):
        while True:
            x = x * 1.01

    err = check(lambda: lad.trace(forever, "x"), lad.StepLimitError, "10000 steps", "max_steps")
    assert "loop" in str(err)


def test_the_bound_is_adjustable():
    def fifty(x):
        for _ in range(50):
            x = lad.sin(x)
        return x

    check(lambda: lad.trace(fifty, "x", max_steps=20), lad.StepLimitError, "20 steps", "max_steps")
    assert len(lad.trace(fifty, "x", max_steps=51)) == 51  # the input and 50 steps: just fits
    check(lambda: lad.trace(fifty, "x", max_steps=50), lad.StepLimitError, "50 steps")
    comp = lad.Computation(max_steps=2)
    x = comp.input("x")
    comp.assign(x * 2)
    check(lambda: comp.assign(x * 3), lad.StepLimitError, "2 steps")
    text = "\n".join(f"h{k} = x + {k}" for k in range(5))
    check(lambda: lad.Computation.from_equations(text, "x", max_steps=3), lad.StepLimitError, "3 steps")


# ------------------------------------------------------------------------------------------------
# Python control flow and conversions on traced values


def _if(x):
    if x > 0:
        return x
    return -x


def _if_value(x):
    return x * 2 if x else x


def _while(x):
    while x < 10:
        x = x * 2
    return x


def _and(x):
    return (x > 0 and x < 1) * x


def _or(x):
    return (x or 1.0) * 2


def _not(x):
    return x * 2 if not x > 0 else x


def _max(x, y):
    return max(x, y)


@pytest.mark.parametrize("fn", [_if, _if_value, _while, _and, _or, _not, _max], ids=lambda f: f.__name__)
def test_python_branches_on_traced_values(fn):
    names = "x y" if fn is _max else "x"
    check(lambda: lad.trace(fn, names), lad.TracingError, "lad.where", "traced value", "indicator")


@pytest.mark.parametrize(
    "convert",
    [float, int, complex, math.exp, math.sin, lambda v: [0.0][v]],
    ids=["float", "int", "complex", "exp", "sin", "index"],
)
def test_converting_a_traced_value_to_a_number(convert):
    check(lambda: lad.trace(lambda x: convert(x) * x, "x"), lad.TracingError, "traced value", "lad.where")


def test_other_python_operations_on_traced_values():
    _, (x, W) = comp_with(("x", ()), ("W", (2, 2)))
    check(lambda: x == 1.0, lad.TracingError, "==", "lad.where", ">")
    check(lambda: x != x, lad.TracingError, "!=")
    check(lambda: list(W), lad.TracingError, "iterate", "v[r, c]")
    check(lambda: lad.where(x, 1.0, 2.0), lad.TracingError, "condition", "comparison")
    check(lambda: (x > 0) + 1, lad.TracingError, "comparison", "lad.where")
    check(lambda: 2.0 * (x > 0), lad.TracingError, "comparison", "lad.where")
    check(lambda: float(x > 0), lad.TracingError, "comparison", "lad.where")
    check(lambda: lad.exp(x > 0), lad.TracingError, "comparison", "lad.where")


# ------------------------------------------------------------------------------------------------
# objects that cannot take part


@pytest.mark.parametrize(
    "thing, kind",
    [("a", "str"), ([1.0, 2.0], "list"), (None, "nonetype"), ({}, "dict"), (True, "bool"), (1j, "complex")],
)
def test_unsupported_python_objects(thing, kind):
    comp, (x,) = comp_with(("x", ()))
    check(lambda: x + thing, lad.UnsupportedValueError, kind, "cannot take part", "add")
    check(lambda: thing * x, lad.UnsupportedValueError, kind, "mul")
    check(lambda: x**thing, lad.UnsupportedValueError, kind, "pow")
    check(lambda: lad.tanh(thing), lad.UnsupportedValueError, kind, "tanh")
    check(lambda: lad.where(x > 0, thing, x), lad.UnsupportedValueError, kind, "where")
    check(lambda: comp.assign(thing), lad.UnsupportedValueError, "assign")
    if kind == "list":
        check(lambda: x + thing, lad.UnsupportedValueError, "np.array")


def test_assigning_a_comparison_or_a_number():
    comp, (x,) = comp_with(("x", ()))
    check(lambda: comp.assign(x > 0), lad.UnsupportedValueError, "comparison", "lad.where")
    check(lambda: comp.assign(2.0), lad.UnsupportedValueError, "float", "2.0")
    check(lambda: lad.where("yes", 1.0, 2.0), lad.UnsupportedValueError, "condition", "str")


# ------------------------------------------------------------------------------------------------
# numpy functions on traced values


@pytest.mark.parametrize(
    "fn, hint",
    [
        (np.sin, "lad.sin"),
        (np.exp, "lad.exp"),
        (np.tanh, "lad.tanh"),
        (np.log, "lad.log"),
        (np.sum, "lad.sum"),
        (np.mean, "lad.mean"),
        (np.abs, "lad.abs"),
        (np.maximum.reduce, "lad.maximum"),
        (lambda W: np.minimum(W, 0.0), "lad.minimum"),
        (lambda W: np.dot(W, W), "@"),
        (lambda W: np.maximum(W, 0.0), "lad.maximum"),
        (lambda W: np.where(W > 0, W, 0.0), "lad.where"),
        (lambda W: np.clip(W, 0, 1), "elementary functions"),
    ],
    ids=[
        "sin",
        "exp",
        "tanh",
        "log",
        "sum",
        "mean",
        "abs",
        "maximum.reduce",
        "minimum",
        "dot",
        "maximum",
        "where",
        "clip",
    ],
)
def test_numpy_functions_on_traced_values(fn, hint):
    check(
        lambda: lad.trace(lambda W: lad.sum(fn(W)), "W", shapes={"W": (2, 2)}),
        lad.TracingError,
        "traced value",
        "numpy",
        hint,
    )


def test_typed_equations_read_the_package_prefix_and_name_an_unknown_one():
    """`lad.where(...)`, as the package's own messages write it, reads as `where(...)`; `lad.foo` is named."""
    comp = lad.Computation.from_equations("z2 = lad.where(x > 0, x, 0.1 * x)", "x")
    assert lad.gradient(comp, {"x": -2.0})["x"] == 0.1 and lad.gradient(comp, {"x": 2.0})["x"] == 1.0
    with pytest.raises(lad.LagrangeADError, match=r"line 1: lad\.foo is not one of the elementary functions"):
        lad.Computation.from_equations("z2 = lad.foo(x)", "x")
