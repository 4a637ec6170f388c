"""The symbolic derivation: L, its stationarity conditions, A λ = e, back substitution, and each op's VJP.

The stationarity conditions must be exactly ∂L/∂v of the whole Lagrangian (compared with sympy.diff of
all of L); A and e must say the same as those conditions; back substitution evaluated at numbers must give
the numbers of lad.gradient, which are themselves checked against autograd.
"""

from __future__ import annotations

import autograd
import numpy as np
import pytest
import sympy
from hypothesis import assume, given, note, settings
from hypothesis import strategies as st
from random_programs import AUTOGRAD, inputs_for, programs, run, safe, trace

import lagrange_ad as lad
from lagrange_ad import zoo
from lagrange_ad.lagrangian import multiplier
from lagrange_ad.ops import OPS, Indicator, IndicatorGE, index_op

# autograd warns when a program's result does not depend on one of its inputs; the gradient is then 0
pytestmark = pytest.mark.filterwarnings("ignore:Output seems independent of input")


def components(x) -> list:
    return list(x) if isinstance(x, sympy.MatrixBase) else [x]


def is_zero(expr) -> bool:
    expanded = sympy.expand(expr)
    return expanded == 0 or sympy.simplify(expanded) == 0


# ------------------------------------------------------------------------------------------------
# small computations, by hand and at random


def _small_cases():
    shaped = lad.Computation()
    x = shaped.input("x", (1, 2))
    W = shaped.input("W", (2, 2))
    h = shaped.assign(lad.tanh(x @ W))
    shaped.assign(lad.sum(h * x) + lad.mean(lad.softmax(h)))
    return {
        "tanh(w x)": lad.trace(lambda x, w: lad.tanh(w * x), "x w"),
        "a value used twice": lad.trace(lambda x, w: lad.sin(x * w) * x, "x w"),
        "loop 1:3: x = x + c": lad.trace(zoo.loop_example, "x c"),
        "where": lad.trace(lambda x, y: lad.where(x > y, x * y, lad.exp(y)), "x y"),
        "relu and sigmoid": lad.trace(lambda x: lad.relu(x) + lad.sigmoid(x) ** 2, "x"),
        "typed in": lad.Computation.from_equations("z3 = z1 * z2\nz4 = log(z3 + 2)\nz5 = z4 / z1", "z1 z2"),
        "matrices": shaped,
    }


SMALL = _small_cases()


@st.composite
def small_cases(draw):
    program = draw(programs(max_instructions=4, max_inputs=3, scalar_only=draw(st.booleans())))
    return program, draw(inputs_for(program))


# ------------------------------------------------------------------------------------------------
# the stationarity conditions are ∂L/∂v


def check_conditions_are_derivatives_of_L(comp):
    L = lad.lagrangian(comp)
    conds = lad.stationarity_conditions(comp)
    lambdas = [lam for s in comp.steps for lam in components(multiplier(s))]
    zs = [z for s in comp.steps for z in components(s.symbol)]
    assert len(conds.wrt_lambda) == len(lambdas)
    assert len(conds.wrt_output) == 1 and len(conds.wrt_z) == len(zs) - 1
    assert len(conds) == len(lambdas) + len(zs)
    for eq, lam in zip(conds.wrt_lambda, lambdas, strict=True):
        assert eq.rhs == 0 and is_zero(eq.lhs - sympy.diff(L, lam)), f"∂L/∂{lam}"
    for eq, z in zip(conds.wrt_z + conds.wrt_output, zs, strict=True):
        assert eq.rhs == 0 and is_zero(eq.lhs - sympy.diff(L, z)), f"∂L/∂{z}"
    n = comp.output
    assert is_zero(conds.wrt_output[0].lhs - (1 - multiplier(n)))  # ∂L/∂z_n = 1 − λ_n


@pytest.mark.parametrize("name", SMALL)
def test_stationarity_conditions_are_the_derivatives_of_L(name):
    check_conditions_are_derivatives_of_L(SMALL[name])


@settings(max_examples=40)
@given(small_cases())
def test_stationarity_conditions_of_random_computations(case):
    program, _ = case
    note(repr(program))
    comp = trace(program)
    assume(comp.size <= 40)  # sympy.diff of the whole L, once per variable: keep L small
    check_conditions_are_derivatives_of_L(comp)


def test_the_lagrangian_pins_inputs_and_has_one_term_per_step():
    comp = SMALL["tanh(w x)"]
    L = lad.lagrangian(comp)
    x, w = sympy.symbols("x w")
    z = sympy.symbols("z_1:5")
    lam = sympy.symbols("lambda_1:5")
    expected = z[3] - lam[0] * (z[0] - x) - lam[1] * (z[1] - w) - lam[2] * (z[2] - z[0] * z[1])
    expected -= lam[3] * (z[3] - sympy.tanh(z[2]))
    assert is_zero(L - expected)


# ------------------------------------------------------------------------------------------------
# A λ = e says what the conditions say


def check_linear_system(comp):
    A, e = lad.linear_system(comp)
    size = sum(s.size for s in comp.steps)
    assert A.shape == (size, size) and e.shape == (size, 1)
    for (r, c), _ in A.todok().items():
        assert c >= r, f"entry ({r}, {c}) below the diagonal"
    assert [A[r, r] for r in range(size)] == [-1] * size
    assert list(e) == [0] * (size - 1) + [-1]
    # every row of A λ − e is the condition ∂L/∂z = 0 it was read off
    conds = lad.stationarity_conditions(comp)
    lam = sympy.Matrix([lm for s in comp.steps for lm in components(multiplier(s))])
    residual = sympy.Matrix(A) * lam - sympy.Matrix(e)
    rows = conds.wrt_z + conds.wrt_output
    for r, eq in enumerate(rows):
        assert is_zero(residual[r] - eq.lhs), f"row {r}"


@pytest.mark.parametrize("name", SMALL)
def test_A_is_upper_triangular_with_minus_one_diagonal_and_e_is_minus_e_n(name):
    check_linear_system(SMALL[name])


@settings(max_examples=40)
@given(small_cases())
def test_linear_system_of_random_computations(case):
    program, _ = case
    note(repr(program))
    check_linear_system(trace(program))


# ------------------------------------------------------------------------------------------------
# back substitution at numbers is the gradient


def check_back_substitution(comp, values, reference):
    steps = list(lad.back_substitution(comp, at=values))
    assert [s.index for s in steps] == list(range(len(comp), 0, -1))
    assert steps[0].value == 1 and steps[0].numeric == 1.0  # λ_n = 1
    lam = lad.multipliers(comp, values)
    assert lam[len(comp)] == 1.0
    for s in steps:
        np.testing.assert_allclose(s.numeric, lam[s.index], rtol=1e-9, atol=1e-12, err_msg=f"λ_{s.index}")
        assert set(s.uses) == set(comp.b(s.index)) or set(s.uses) < set(comp.b(s.index))
    grad = lad.gradient(comp, values)
    for name, want in reference.items():
        np.testing.assert_allclose(grad[name], want, rtol=1e-9, atol=1e-12)
    # expand=True: λ in the z's alone, evaluated at the forward pass's numbers
    zs = lad.forward(comp, values)
    numbers = {}
    for step in comp.steps:
        for sym, v in zip(components(step.symbol), np.ravel(zs[step.index]), strict=True):
            numbers[sym] = sympy.Float(float(v))
    for s in lad.back_substitution(comp, expand=True):
        entries = []
        for v in components(s.value):
            assert not any(str(sym).startswith("lambda") for sym in v.free_symbols)
            v = v.xreplace(numbers).replace(lambda a: isinstance(a, sympy.DiracDelta), lambda a: 0)
            entries.append(float(v.evalf()))
        np.testing.assert_allclose(np.reshape(entries, np.shape(lam[s.index])), lam[s.index], rtol=1e-9, atol=1e-12)


@settings(max_examples=40)
@given(small_cases())
def test_back_substitution_of_random_computations_equals_autograd(case):
    program, args = case
    assume(safe(program, args))
    note(repr(program))
    comp = trace(program)
    names = [n for n, _ in program.inputs]
    grads = autograd.grad(lambda *a: run(program, AUTOGRAD, *a), tuple(range(len(args))))(*args)
    check_back_substitution(comp, dict(zip(names, args, strict=True)), dict(zip(names, grads, strict=True)))


def test_back_substitution_of_the_small_cases():
    values = {"x": 0.7, "w": -1.3, "y": 0.2, "c": 0.4, "z1": 1.5, "z2": 0.8}
    for name, comp in SMALL.items():
        if name == "matrices":
            vals = {"x": np.array([[0.3, -0.8]]), "W": np.array([[0.5, 1.0], [-0.7, 0.2]])}
        else:
            vals = {s.name: values[s.name] for s in comp.inputs}
        steps = list(lad.back_substitution(comp, at=vals))
        grad = lad.gradient(comp, vals)
        for s in steps:
            if comp.steps[s.index - 1].is_input:
                np.testing.assert_allclose(s.numeric, grad[s.name], rtol=1e-12, err_msg=name)


def test_each_back_substitution_step_solves_its_row():
    comp = SMALL["tanh(w x)"]
    steps = {s.index: s for s in lad.back_substitution(comp)}
    lam = sympy.symbols("lambda_1:5")
    z = sympy.symbols("z_1:4")
    assert steps[4].equation == sympy.Eq(-lam[3], -1, evaluate=False)
    assert is_zero(steps[3].value - lam[3] * (1 - sympy.tanh(z[2]) ** 2))
    assert is_zero(steps[1].value - z[1] * lam[2]) and steps[1].uses == (3,)
    assert is_zero(steps[2].value - z[0] * lam[2]) and steps[2].uses == (3,)


# ------------------------------------------------------------------------------------------------
# the source post's loop: `loop 1:3: x = x + c`


def test_loop_unrolls_into_three_steps_sharing_c():
    comp = lad.trace(zoo.loop_example, "x c")
    x, c = 0.3, 0.4
    assert len(comp) == 6
    assert [s.tex for s in comp.steps[2:5]] == ["z_{1} + z_{2}", "z_{3} + z_{2}", "z_{4} + z_{2}"]
    assert comp.b(2) == (3, 4, 5)  # c is read by all three passes
    assert [comp.a(i) for i in (3, 4, 5)] == [(1, 2), (2, 3), (2, 4)]
    # row 2 of A: −λ_2 + λ_3 + λ_4 + λ_5 = 0, three contributions
    A, _ = lad.linear_system(comp)
    assert {k: v for (r, k), v in A.todok().items() if r == 1} == {1: -1, 2: 1, 3: 1, 4: 1}
    step_c = next(s for s in lad.back_substitution(comp, at={"x": x, "c": c}) if s.index == 2)
    assert step_c.uses == (3, 4, 5)
    lam3, lam4, lam5 = sympy.symbols("lambda_3:6")
    assert step_c.value == lam3 + lam4 + lam5
    # numerically: ∂/∂c of (x + 3c)² = 3 · 2(x + 3c), each pass contributing 2(x + 3c)
    lam = lad.multipliers(comp, {"x": x, "c": c})
    each = 2 * (x + 3 * c)
    assert [lam[i] for i in (3, 4, 5)] == pytest.approx([each] * 3, rel=1e-14)
    assert lad.gradient(comp, {"x": x, "c": c})["c"] == pytest.approx(3 * each, rel=1e-14)
    assert step_c.numeric == pytest.approx(3 * each, rel=1e-14)
    assert autograd.grad(lambda x, c: zoo.loop_example(x, c), 1)(x, c) == pytest.approx(3 * each, rel=1e-14)


# ------------------------------------------------------------------------------------------------
# every op's VJP agrees with sympy's derivative of its symbolic form

RNG = np.random.default_rng(3)


def _arg(shape, low=-1.5, high=1.5):
    return RNG.uniform(low, high, shape) if shape else float(RNG.uniform(low, high))


def _positive(shape):
    return _arg(shape, 0.3, 2.0)


def _away_from_zero(shape):
    v = _arg(shape, 0.2, 1.5)
    sign = RNG.choice([-1.0, 1.0], size=shape) if shape else float(RNG.choice([-1.0, 1.0]))
    return v * sign


BROADCASTS = [((), ()), ((2, 3), ()), ((), (2, 3)), ((1, 3), (2, 3)), ((2, 1), (1, 3)), ((2, 3), (2, 3))]
ELEMENTWISE = [(), (2, 3)]

VJP_CASES = {
    **{name: [(s,) for s in ELEMENTWISE] for name in ("exp", "sin", "cos", "tanh", "sigmoid", "neg")},
    "log": [((s, _positive),) for s in ELEMENTWISE],
    "sqrt": [((s, _positive),) for s in ELEMENTWISE],
    "relu": [((s, _away_from_zero),) for s in ELEMENTWISE],
    "abs": [((s, _away_from_zero),) for s in ELEMENTWISE],
    "tan": [(s,) for s in ELEMENTWISE],
    "add": BROADCASTS,
    "sub": BROADCASTS,
    "mul": BROADCASTS,
    "div": [(a, (b, _positive)) for a, b in BROADCASTS],
    "pow": [((a, _positive), b) for a, b in BROADCASTS],
    "matmul": [((2, 3), (3, 2)), ((1, 3), (3, 1)), ((1, 1), (1, 4))],
    "transpose": [((2, 3),), ((1, 3),)],
    "sum": [((2, 3),), ((),)],
    "mean": [((2, 3),), ((),)],
    "softmax": [((1, 3),), ((2, 3),)],
    "log_softmax": [((1, 3),), ((2, 3),), ((),)],
    "indicator": [((s, _away_from_zero),) for s in ELEMENTWISE],
    "indicator_ge": [((s, _away_from_zero),) for s in ELEMENTWISE],
    "where": [((), (), ()), ((2, 3), (2, 3), ()), ((), (1, 3), (2, 3)), ((2, 1), (1, 3), ())],
    "index": [((2, 3),), ((3, 1),)],
}


def _symbols_for(prefix, shape):
    if not shape:
        return sympy.Symbol(prefix)
    return sympy.ImmutableMatrix(*shape, lambda r, c: sympy.Symbol(f"{prefix}_{r}_{c}"))


def _evaluate(expr, numbers) -> float:
    expr = expr.xreplace(numbers)
    return float(expr.replace(lambda a: isinstance(a, sympy.DiracDelta), lambda a: 0).evalf())


@pytest.mark.parametrize("name, case", [(name, case) for name, cases in VJP_CASES.items() for case in cases], ids=str)
def test_vjp_matches_sympys_derivative(name, case):
    specs = [spec if isinstance(spec, tuple) and spec and callable(spec[-1]) else (spec, _arg) for spec in case]
    shapes = [shape for shape, _ in specs]
    if name == "where":
        # where's first argument is an indicator 1[d > 0]: differentiate through it, with respect to d
        d_sym = _symbols_for("d", shapes[0])
        syms = [d_sym, _symbols_for("a", shapes[1]), _symbols_for("b", shapes[2])]
        ind = OPS["indicator"].symbolic(d_sym)
        symbolic = OPS["where"].symbolic(ind, syms[1], syms[2])
        args = [_away_from_zero(shapes[0]), _arg(shapes[1]), _arg(shapes[2])]
        numeric_args = [OPS["indicator"].numeric(args[0]), args[1], args[2]]
        op = OPS["where"]
    else:
        op = index_op((1, 0) if shapes[0] == (2, 3) else (2, 0)) if name == "index" else OPS[name]
        syms = [_symbols_for(f"a{k}", shape) for k, shape in enumerate(shapes)]
        symbolic = op.symbolic(*syms)
        args = [make(shape) for shape, make in specs]
        numeric_args = args
    numbers = {}
    for sym, val in zip(syms, args, strict=True):
        for s, v in zip(components(sym), np.ravel(val), strict=True):
            numbers[s] = sympy.Float(float(v))
    out = op.numeric(*numeric_args)
    out_shape = np.shape(out)
    # the forward value: numeric and symbolic forms agree
    sym_out = [_evaluate(e, numbers) for e in components(symbolic)]
    np.testing.assert_allclose(np.ravel(out), sym_out, rtol=1e-12, atol=1e-14)
    g = RNG.normal(size=out_shape) if out_shape else float(RNG.normal())
    vjps = op.vjp(g, numeric_args, out, tuple(True for _ in numeric_args))
    assert len(vjps) == len(numeric_args)
    for k, (sym, arg) in enumerate(zip(syms, args, strict=True)):
        # (Jᵀ g)_j = Σ_o g_o ∂out_o/∂arg_j, from sympy
        want = [
            sum(
                float(go) * _evaluate(sympy.diff(e, s), numbers)
                for go, e in zip(np.ravel(g), components(symbolic), strict=True)
            )
            for s in components(sym)
        ]
        got = vjps[k]
        if got is None:  # no gradient flows: sympy's derivative must vanish here
            np.testing.assert_allclose(want, 0.0, atol=1e-14, err_msg=f"{name} argument {k}")
            continue
        assert np.shape(got) == np.shape(arg), f"{name}: gradient of argument {k} has the wrong shape"
        np.testing.assert_allclose(np.ravel(got), want, rtol=1e-10, atol=1e-13, err_msg=f"{name} argument {k}")


def test_every_op_has_a_vjp_case():
    assert set(VJP_CASES) == set(OPS) | {"index"}


def test_indicator_derivative_is_a_dirac_delta():
    d = sympy.Symbol("d")
    assert sympy.diff(Indicator(d), d) == sympy.DiracDelta(d)
    assert sympy.diff(IndicatorGE(d), d) == sympy.DiracDelta(d)
    assert Indicator(sympy.Float(0.5)) == 1 and Indicator(sympy.Float(-0.5)) == 0
    assert Indicator(sympy.Integer(0)) == 0 and IndicatorGE(sympy.Integer(0)) == 1
