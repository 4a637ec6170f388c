"""Steps are plain data and the lean form of a trace is private (issue 11, point 4)."""

from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest

import lagrange_ad as lad


def test_a_kept_step_does_not_keep_its_computation_alive():
    comp = lad.trace(lambda x, w: lad.tanh(w * x) * x, "x w")
    _ = lad.gradient(comp, {"x": 0.5, "w": 2.0}), lad.lagrangian(comp)
    step = comp.steps[2]
    alive = weakref.ref(comp)
    del comp
    gc.collect()
    assert alive() is None
    assert not hasattr(step, "comp")
    assert str(step.formula) == "z_1*z_2" and step.args == (1, 2) and step.tex == r"z_{2}\, z_{1}"


def test_a_matrix_step_formula_reads_shapes_from_its_expression():
    comp = lad.trace(lambda W, x: lad.sum(W @ x), "W x", shapes={"W": (2, 3), "x": (3, 1)})
    formula = comp.step(3).formula
    assert formula.shape == (2, 1)
    assert str(formula[1, 0]) == "z_{1,21}*z_{2,11} + z_{1,22}*z_{2,21} + z_{1,23}*z_{2,31}"


def test_a_step_too_large_to_show_says_so():
    comp = lad.trace(lambda W: lad.sum(lad.tanh(W @ W)), "W", shapes={"W": (80, 80)})
    with pytest.raises(lad.SymbolicSizeError, match="z_2 and the z's it reads"):
        comp.step(2).formula  # noqa: B018
    with pytest.raises(lad.SymbolicSizeError, match="6401 scalar components"):
        comp.step(4).formula  # noqa: B018 - a scalar, but the sum of 6400 z's


def test_the_lean_form_is_private():
    for name in ("record", "lean_constant", "lean_steps"):
        assert not hasattr(lad.Computation, name), name
    comp = lad.trace(lambda x: 2.0 * x + 1.0, "x")
    steps, lean, constants = comp._lean_steps()
    assert len(steps) == 1 and len(lean) == 2 and constants == [2.0, 1.0]
    assert [s.tex for s in comp.steps] == ["x", r"2\, z_{1}", "z_{2} + 1"]
    assert not comp._lean_steps()[1]  # made into Steps when asked for, constants kept for later steps
    assert np.isclose(lad.gradient(comp, {"x": 3.0})["x"], 2.0)
