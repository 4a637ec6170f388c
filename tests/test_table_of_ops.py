"""One table of operations (issue 11, point 3): every list of operations is made from ops.OPS, and each row's
rule on Python floats (what the tape runs) agrees with the same row's numpy rule and vector-Jacobian product
(what the numpy engine runs; tests/test_symbolic.py checks those against sympy's derivatives)."""

from __future__ import annotations

import numpy as np
import pytest

import lagrange_ad as lad
from lagrange_ad import numeric
from lagrange_ad.floats import FLOAT_OPS
from lagrange_ad.ops import OPS, TAPE_KINDS, Node
from lagrange_ad.tape import tape_of
from lagrange_ad.values import Value

RNG = np.random.default_rng(3)
BINARY = {"add", "sub", "mul", "div", "pow"}
POSITIVE = {"log", "sqrt", "pow"}  # the first argument must be positive
KINKED = {"relu", "abs", "indicator", "indicator_ge"}  # keep away from the kink at 0


def _point(name: str, k: int) -> float:
    if name in POSITIVE and k == 0:
        return float(RNG.uniform(0.3, 2.0))
    if name in KINKED or (name == "where" and k == 0):
        return float(RNG.choice([-1.0, 1.0]) * RNG.uniform(0.2, 1.5))
    return float(RNG.uniform(-1.4, 1.4))


def one_step(name: str) -> lad.Computation:
    """The inputs an operation reads and one step applying it (where's condition is an indicator, as traced)."""
    comp = lad.Computation()
    arity = 2 if name in BINARY else 3 if name == "where" else 1
    args = [comp.input(f"x{k}").node for k in range(arity)]
    if name == "where":
        args[0] = Node("indicator", (args[0],), ())
    comp.assign(Value(comp, Node(name, tuple(args), ())))
    return comp


@pytest.mark.parametrize("name", sorted(FLOAT_OPS))
@pytest.mark.parametrize("trial", range(3))
def test_each_rows_float_rule_agrees_with_its_numpy_rule(name, trial):
    comp = one_step(name)
    values = {s.name: _point(name, k) for k, s in enumerate(comp.inputs)}
    tape = tape_of(comp)
    assert tape is not None
    z_tape, lam_tape = tape.run(list(values.values()))
    z_numpy, lam_numpy = numeric._interpret(comp, numeric.check_values(comp, values), True)
    n = len(comp)
    assert z_tape[n] == pytest.approx(float(z_numpy[n]), rel=1e-14, abs=1e-15)
    for step in comp.inputs:
        want = lam_numpy[step.index]
        assert lam_tape[step.index] == pytest.approx(0.0 if want is None else float(want), rel=1e-12, abs=1e-14)


def test_every_row_is_complete():
    for name, op in OPS.items():
        assert op.name == name
        assert op.tape is None or op.tape in TAPE_KINDS, name
        assert (op.scalar is None) == (op.tape in (None, "where", "copy")), name
        assert op.cost is None or len(op.cost) == 2, name
    assert {name for name, op in OPS.items() if op.tape is None} == {"matmul"}  # and index, made per index
    assert set(FLOAT_OPS) == {name for name, op in OPS.items() if op.tape is not None}


def test_the_other_lists_are_made_from_the_table():
    from lagrange_ad import solvers, tex, values

    for module in (tex, solvers, values):
        for old in ("_DELIMITED", "_ELEMENTWISE_COST", "_result_shape"):
            assert not hasattr(module, old), f"{module.__name__}.{old}"
    # a function of the package that applies one operation exists for every elementwise row
    assert {name for name, op in OPS.items() if op.tape == "unary"} <= set(values.FUNCTIONS)
