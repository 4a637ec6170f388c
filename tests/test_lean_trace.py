"""The fast path of tracing (lagrange_ad.lean: scalar steps kept as Wengert-list tuples) must build exactly
the computation the general path builds, and its numbers must be the general path's numbers.

The general path is what tracing did before the fast path existed: every operation through
``values.apply``. Switching the fast path off (monkeypatching the two functions that take it) gives an
independent construction of the same computation to compare with.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from random_programs import AUTOGRAD, cases, safe, trace

import lagrange_ad as lad
from lagrange_ad import values


def general_path_only(monkeypatch):
    """Every value made says it is not a scalar z (``_z = 0``), so no operation takes the fast path."""
    make = values.Value.__init__

    def without_fast_path(self, comp, node, z=0):
        make(self, comp, node, z)
        self._z = 0

    monkeypatch.setattr(values.Value, "__init__", without_fast_path)


def describe(comp) -> list:
    """Everything a reader or the symbolic pipeline sees of each step."""
    return [
        (s.index, s.name, s.shape, s.is_input, s.tex, s.formula, comp.a(s.index), comp.b(s.index)) for s in comp.steps
    ]


@settings(max_examples=150)
@given(cases(min_instructions=2, max_instructions=10))
def test_the_fast_path_builds_the_computation_the_general_path_builds(case):
    program, args = case
    values = dict(zip([n for n, _ in program.inputs], args, strict=True))
    lean = trace(program)
    # numbers first, before anything makes the lean steps into Steps: the tape reads the tuples
    lean_gradient = lad.gradient(lean, values) if safe(program, args) else None
    with pytest.MonkeyPatch.context() as mp:
        general_path_only(mp)
        general = trace(program)
        assert general._lean_steps()[1] == []  # the switch works: nothing went the fast way
    assert describe(lean) == describe(general)
    if lean_gradient is not None:
        general_gradient = lad.gradient(general, values)
        for name, g in general_gradient.items():
            np.testing.assert_array_equal(lean_gradient[name], g)


def test_a_scalar_trace_stays_lean_through_the_gradient_and_matches_autograd():
    import autograd

    def f(x, w, b):
        h = x
        for _ in range(50):
            h = lad.tanh(w * h + b) - 0.1 * h / (1.0 + h * h) + 2 ** (h * 0.5)
        return h

    comp = lad.trace(f, "x w b")
    point = {"x": 0.3, "w": -0.8, "b": 0.2}
    grad = lad.gradient(comp, point)
    assert len(comp._lean_steps()[1]) == len(comp) - 3  # the gradient did not need Step objects
    import autograd.numpy as anp

    def g(x, w, b):
        h = x
        for _ in range(50):
            h = anp.tanh(w * h + b) - 0.1 * h / (1.0 + h * h) + 2 ** (h * 0.5)
        return h

    want = autograd.grad(g, (0, 1, 2))(0.3, -0.8, 0.2)
    for name, w in zip("xwb", want, strict=True):
        assert grad[name] == pytest.approx(w, rel=1e-12)
    fd = lad.finite_difference(comp, point)
    for name in "xwb":
        assert grad[name] == pytest.approx(fd[name], rel=1e-6)


def test_steps_already_handed_out_grow_in_place():
    comp = lad.Computation()
    x = comp.input("x")
    steps = comp.steps
    comp.tracing = True
    y = lad.sin(x) * 2.0
    assert len(comp) == 3 and comp._lean_steps()[1]
    assert comp.steps is steps and [s.tex for s in steps] == ["x", r"\sin\left(z_{1}\right)", r"2\, z_{2}"]
    assert y.step is steps[2] and y.node.op == "z" and y.node.data == 3


def test_the_step_bound_holds_on_the_fast_path():
    def forever(x):
        while True:
            x = x * 1.0001 + 0.5

    with pytest.raises(lad.StepLimitError, match="exceeded its bound of 100 steps"):
        lad.trace(forever, "x", max_steps=100)


def test_a_lean_step_keeps_its_name():
    comp = lad.Computation()
    x = comp.input("x")
    comp.tracing = True
    x * x
    comp.tracing = False
    with pytest.raises(lad.DefinitionError, match="'z2' is already z_2"):
        comp.assign(x + 1, name="z2")


def test_mixing_the_paths_inside_one_trace():
    # where and a matrix go the general way, between scalar steps that go the fast way
    def f(x, m):
        y = lad.where(x > 0.5, x * x, -x) + 3.0
        s = lad.sum(m * y)
        return lad.exp(s * 0.1) - y / 4.0

    comp = lad.trace(f, "x m", shapes={"m": (2, 2)})
    m = np.array([[0.1, -0.2], [0.3, 0.4]])
    for x in (0.2, 0.9):
        got = lad.gradient(comp, {"x": x, "m": m})
        fd = lad.finite_difference(comp, {"x": x, "m": m})
        assert got["x"] == pytest.approx(fd["x"], rel=1e-6)
        np.testing.assert_allclose(got["m"], fd["m"], rtol=1e-6)


def test_numbers_that_are_not_plain_floats_take_the_general_path():
    comp = lad.trace(lambda x: x * np.float64(2.0) + True * 0 + x * 3, "x")
    assert lad.gradient(comp, {"x": 1.0})["x"] == 5.0
    with pytest.raises(lad.UnsupportedValueError, match="bool"):
        lad.trace(lambda x: x + True, "x")
    assert AUTOGRAD is not None  # the backend module imports
