"""What a new user runs into first (issue 11, point 6): each surprise found by trying the API, fixed.

Gradients of the new functions are checked against HIPS autograd and against central finite differences
computed here with plain numpy (never against lagrange_ad's own numbers), on both numeric engines: the
float tape (a computation of scalars) and the numpy walker (matrices).
"""

from __future__ import annotations

import autograd
import autograd.numpy as anp
import numpy as np
import pytest
import sympy
from autograd.scipy.special import logsumexp

import lagrange_ad as lad
from lagrange_ad import solvers

# ------------------------------------------------------------------------------------------------
# something other than a Computation where one is expected


def _f(x):
    return x * x


NOT_COMPUTATIONS = [(_f, "function _f"), ("x", "str"), (3.0, "float"), (None, "NoneType"), ([1, 2], "list")]
CALLS = {
    "gradient": lambda c: lad.gradient(c, {"x": 1.0}),
    "forward": lambda c: lad.forward(c, {"x": 1.0}),
    "multipliers": lambda c: lad.multipliers(c, {"x": 1.0}),
    "multiplier_values": lambda c: lad.multiplier_values(c, {"x": 1.0}),
    "finite_difference": lambda c: lad.finite_difference(c, {"x": 1.0}),
    "perturbed_result": lambda c: lad.perturbed_result(c, {"x": 1.0}, 1, 0.1),
    "lagrangian": lad.lagrangian,
    "stationarity_conditions": lad.stationarity_conditions,
    "linear_system": lad.linear_system,
    "block_pattern": lad.block_pattern,
    "back_substitution": lad.back_substitution,  # raises at the call, not when the generator is first asked
}


@pytest.mark.parametrize("name", list(CALLS))
@pytest.mark.parametrize("thing, kind", NOT_COMPUTATIONS, ids=[k for _, k in NOT_COMPUTATIONS])
def test_a_non_computation_is_refused_by_name_with_the_way_to_get_one(name, thing, kind):
    with pytest.raises(lad.LagrangeADError) as info:
        CALLS[name](thing)
    message = str(info.value)
    called = "multipliers" if name == "multiplier_values" else name  # one function, two names
    assert f"lad.{called} needs a Computation" in message
    assert kind in message and "lad.trace(" in message
    assert isinstance(info.value, TypeError)  # code that catches TypeError still does


# ------------------------------------------------------------------------------------------------
# forward checks the result as gradient does


def test_forward_names_the_step_that_is_not_a_number():
    comp = lad.trace(lambda x: lad.log(x) * 2, "x")
    for fn in (lad.forward, lad.gradient):
        with pytest.raises(lad.InputError) as info:
            fn(comp, {"x": -1.0})
        message = str(info.value)
        assert "z_2 is NaN: z_2 = log(z_1)" in message and "log needs a positive argument" in message
        assert "z1" not in message and "z2" not in message  # one notation: z_i


def test_forward_leaves_a_nan_the_result_does_not_read():
    comp = lad.trace(lambda x: lad.where(x > 0, lad.log(x), x), "x")
    zs = lad.forward(comp, {"x": -1.0})
    assert np.isnan(zs[2]) and zs[len(comp)] == -1.0


def test_the_hint_is_the_failing_operations_own():
    sqrt_of_negative = lad.trace(lambda x: lad.sqrt(x - 1.0) * 2, "x")
    with pytest.raises(lad.InputError, match="sqrt needs a non-negative argument") as info:
        lad.forward(sqrt_of_negative, {"x": 0.0})
    assert "positive" not in str(info.value).replace("non-negative", "")
    assert lad.forward(sqrt_of_negative, {"x": 1.0})[4] == 0.0  # sqrt(0) is defined: no error
    named = lad.Computation.from_equations("h = 1 / (x - 2)\nout = h * h", "x")
    with pytest.raises(lad.InputError, match=r"z_2 \('h'\) is infinite: .*a nonzero divisor"):
        lad.gradient(named, {"x": 2.0})


def test_error_messages_write_steps_as_z_i():
    comp = lad.Computation()
    x = comp.input("x")
    expression = lad.exp(x * 2.0)
    assert repr(expression) == "Value(exp(mul(z_1, 2.0)), shape=())"


# ------------------------------------------------------------------------------------------------
# the new elementary functions, against autograd and finite differences


def _numpy_fd(fn, args, h=1e-6):
    """Central differences of the numpy function ``fn`` with respect to each of its arguments."""
    grads = []
    for k, a in enumerate(args):
        a = np.array(a, dtype=float)
        g = np.zeros_like(a)
        for idx in np.ndindex(a.shape):
            up, down = a.copy(), a.copy()
            up[idx] += h
            down[idx] -= h
            g[idx] = (fn(*args[:k], up, *args[k + 1 :]) - fn(*args[:k], down, *args[k + 1 :])) / (2 * h)
        grads.append(g)
    return grads


SCALAR_CASES = {  # name: (lad function, autograd function, points away from kinks and ties)
    "abs": (lambda x, y: lad.abs(x) * y, lambda x, y: anp.abs(x) * y, [(-0.7, 1.3), (0.4, -2.0)]),
    "abs()": (lambda x, y: abs(x * y), lambda x, y: anp.abs(x * y), [(-0.7, 1.3)]),
    "tan": (lambda x, y: lad.tan(x * y), lambda x, y: anp.tan(x * y), [(0.3, 1.2), (-0.5, 2.0)]),
    "maximum": (lad.maximum, anp.maximum, [(0.3, 1.2), (2.0, -1.0)]),
    "minimum": (lad.minimum, anp.minimum, [(0.3, 1.2), (2.0, -1.0)]),
    "maximum of a number": (lambda x, y: lad.maximum(x * y, 0.5), lambda x, y: anp.maximum(x * y, 0.5),
                            [(0.3, 1.2), (2.0, 1.0)]),  # fmt: skip
}


@pytest.mark.parametrize("name", list(SCALAR_CASES))
def test_new_scalar_functions_against_autograd_and_finite_differences(name):
    lad_fn, ag_fn, points = SCALAR_CASES[name]
    comp = lad.trace(lad_fn, "x y")
    for x, y in points:
        got = lad.gradient(comp, {"x": x, "y": y})
        want = autograd.grad(ag_fn, (0, 1))(x, y)
        fd = _numpy_fd(lambda a, b: float(ag_fn(a, b)), [np.array(x), np.array(y)])
        for k, name_k in enumerate(("x", "y")):
            assert got[name_k] == pytest.approx(float(want[k]), rel=1e-12, abs=1e-14)
            assert got[name_k] == pytest.approx(float(fd[k]), rel=1e-6, abs=1e-7)
        assert lad.forward(comp, {"x": x, "y": y})[len(comp)] == pytest.approx(float(ag_fn(x, y)), rel=1e-14)


MATRIX_CASES = {
    "abs": (lambda a, b: lad.sum(lad.abs(a) * b), lambda a, b: anp.sum(anp.abs(a) * b)),
    "tan": (lambda a, b: lad.sum(lad.tan(a * b)), lambda a, b: anp.sum(anp.tan(a * b))),
    "maximum": (lambda a, b: lad.sum(lad.maximum(a, b) * a), lambda a, b: anp.sum(anp.maximum(a, b) * a)),
    "minimum": (lambda a, b: lad.sum(lad.minimum(a, b) * a), lambda a, b: anp.sum(anp.minimum(a, b) * a)),
    "log_softmax": (lambda a, b: lad.sum(lad.log_softmax(a) * b), lambda a, b: anp.sum((a - logsumexp(a, axis=1,
                    keepdims=True)) * b)),  # fmt: skip
    "softmax_cross_entropy": (
        lambda a, b: lad.softmax_cross_entropy(a, lad.softmax(b)),
        lambda a, b: -anp.sum(anp.exp(b - logsumexp(b, axis=1, keepdims=True)) * (a - logsumexp(a, axis=1,
                              keepdims=True))),
    ),  # fmt: skip
}


@pytest.mark.parametrize("name", list(MATRIX_CASES))
def test_new_matrix_functions_against_autograd_and_finite_differences(name):
    lad_fn, ag_fn = MATRIX_CASES[name]
    rng = np.random.default_rng(11)
    a, b = rng.uniform(-1.2, 1.2, (2, 3)), rng.uniform(-1.2, 1.2, (2, 3))
    comp = lad.trace(lad_fn, "a b", shapes={"a": (2, 3), "b": (2, 3)})
    got = lad.gradient(comp, {"a": a, "b": b})
    want = autograd.grad(ag_fn, (0, 1))(a, b)
    fd = _numpy_fd(lambda p, q: float(ag_fn(p, q)), [a, b])
    for k, input_name in enumerate(("a", "b")):
        np.testing.assert_allclose(got[input_name], want[k], rtol=1e-11, atol=1e-13)
        np.testing.assert_allclose(got[input_name], fd[k], rtol=1e-5, atol=1e-6)


def test_softmax_cross_entropy_is_stable_where_the_unfused_form_is_not():
    logits = np.array([[800.0, -800.0, 0.0]])
    y = np.array([[0.0, 0.0, 1.0]])
    assert lad.softmax_cross_entropy(logits, y) == 800.0  # -log softmax_3 = 800 - 0, exactly
    fused = lad.trace(lad.softmax_cross_entropy, "z y", shapes={"z": (1, 3), "y": (1, 3)})
    unfused = lad.trace(lambda z, y: lad.cross_entropy(lad.softmax(z), y), "z y", shapes={"z": (1, 3), "y": (1, 3)})
    values = {"z": logits, "y": y}
    assert lad.forward(fused, values)[len(fused)] == 800.0
    g = lad.gradient(fused, values)
    # ∂/∂z = softmax(z) − y, written out: softmax(z) = (1, e^-1600, e^-800) in floats = (1, 0, 0)
    np.testing.assert_allclose(g["z"], [[1.0, 0.0, -1.0]], atol=1e-300)
    np.testing.assert_allclose(g["y"], [[0.0, 1600.0, 800.0]])  # −log softmax(z)
    with pytest.raises(lad.InputError, match="log needs a positive argument"):
        lad.forward(unfused, values)
    # where both are defined they agree
    values = {"z": np.array([[0.3, -1.0, 2.0]]), "y": y}
    assert lad.forward(fused, values)[len(fused)] == pytest.approx(lad.forward(unfused, values)[len(unfused)])


def test_log_softmax_of_a_scalar_is_zero_on_both_engines():
    comp = lad.trace(lambda x: lad.log_softmax(x) + x, "x")
    assert lad.forward(comp, {"x": 3.0})[len(comp)] == 3.0
    assert lad.gradient(comp, {"x": 3.0}) == {"x": 1.0}


def test_derivatives_at_kinks_and_ties_follow_the_stated_conventions():
    # abs'(0) = 0 (as PyTorch and autograd); maximum/minimum: at a tie the derivative goes to b
    assert lad.gradient(lad.trace(lambda x: lad.abs(x), "x"), {"x": 0.0}) == {"x": 0.0}
    assert autograd.grad(anp.abs)(0.0) == 0.0
    tie = {"a": 1.0, "b": 1.0}
    assert lad.gradient(lad.trace(lad.maximum, "a b"), tie) == {"a": 0.0, "b": 1.0}
    assert lad.gradient(lad.trace(lad.minimum, "a b"), tie) == {"a": 0.0, "b": 1.0}
    # maximum(x, 0) is relu, derivative included (0 at 0)
    relu_like = lad.trace(lambda x: lad.maximum(x, 0.0), "x")
    assert [lad.gradient(relu_like, {"x": v})["x"] for v in (-1.0, 0.0, 2.0)] == [0.0, 0.0, 1.0]


def test_the_derivatives_are_indicators_symbolically():
    comp = lad.trace(lambda x: lad.abs(x) + lad.maximum(x, 1.0), "x")
    conds = lad.stationarity_conditions(comp)
    x = sympy.Symbol("z_1")
    free_functions = {type(f) for f in conds.dz(1).atoms(sympy.Function)}
    assert lad.Indicator in free_functions and sympy.Abs not in free_functions
    assert sympy.diff(lad.ops.absolute(x), x) == lad.Indicator(x) - lad.Indicator(-x)


def test_new_functions_in_typed_equations_and_their_tex():
    comp = lad.Computation.from_equations(
        "a = abs(x)\nb = tan(a)\nc = maximum(b, x)\nd = minimum(c, 2)\nloss = d * x", inputs="x"
    )
    assert [s.tex for s in comp.steps[1:3]] == [r"\left|z_{1}\right|", r"\tan\left(z_{2}\right)"]
    assert lad.gradient(comp, {"x": -0.4})["x"] == pytest.approx(
        float(autograd.grad(lambda x: anp.minimum(anp.maximum(anp.tan(anp.abs(x)), x), 2.0) * x)(-0.4))
    )


def test_numpy_functions_on_traced_values_point_to_the_new_ones():
    comp = lad.Computation()
    x = comp.input("x")
    for fn, hint in ((np.abs, "lad.abs"), (np.tan, "lad.tan"), (lambda v: np.maximum(v, 0), "lad.maximum")):
        with pytest.raises(lad.TracingError, match=hint):
            fn(x)


# ------------------------------------------------------------------------------------------------
# methods, as micrograd users expect


def test_value_methods_are_the_functions():
    def method(name):
        return lambda x: getattr(x * 2.0, name)()

    def function(name):
        return lambda x: getattr(lad, name)(x * 2.0)

    for name in ("exp", "log", "sqrt", "sin", "cos", "tan", "tanh", "sigmoid", "relu", "abs"):
        by_method, by_function = lad.trace(method(name), "x"), lad.trace(function(name), "x")
        assert by_method.output.formula == by_function.output.formula, name
    matrix = lad.trace(lambda W: W.softmax().log().sum() + W.log_softmax().mean(), "W", shapes={"W": (1, 3)})
    want = autograd.grad(lambda W: anp.sum(anp.log(anp.exp(W) / anp.sum(anp.exp(W)))) + anp.mean(
        W - logsumexp(W)))(np.array([[0.1, 0.2, 0.4]]))  # fmt: skip
    np.testing.assert_allclose(lad.gradient(matrix, {"W": np.array([[0.1, 0.2, 0.4]])})["W"], want, atol=1e-12)


# ------------------------------------------------------------------------------------------------
# the book's numbering, from 1


def test_one_based_access_to_steps_conditions_multipliers_and_blocks():
    comp = lad.trace(lambda x, w: lad.tanh(w * x), "x w")  # z_3 = z_2 z_1, z_4 = tanh(z_3)
    assert comp.step(3) is comp.steps[2]
    conds = lad.stationarity_conditions(comp)
    assert conds.dz(3) == conds.wrt_z[2] and conds.dz(4) == conds.wrt_output[0]
    assert conds.dlambda(3) == conds.wrt_lambda[2]
    assert lad.multiplier_symbol(comp, 4) == sympy.Symbol("lambda_4") == lad.multiplier(comp.step(4))
    assert lad.multiplier_values is lad.multipliers
    pattern = lad.block_pattern(comp)
    assert pattern.block(1, 3) and pattern.block(3, 4) and not pattern.block(3, 1)
    assert pattern.block(2, 3) == bool(pattern[1, 2])
    for bad in (lambda: comp.step(0), lambda: comp.step(5), lambda: conds.dz(5), lambda: pattern.block(0, 1)):
        with pytest.raises(lad.DefinitionError, match="z_"):
            bad()
    with pytest.raises(lad.DefinitionError, match="index"):
        lad.multiplier_symbol(comp)


def test_entries_of_A_and_e_are_numbered_from_1():
    comp = lad.trace(lambda x, w: lad.tanh(w * x), "x w")  # z_3 = z_2 z_1, z_4 = tanh(z_3)
    A, e = lad.linear_system(comp)
    for i in range(1, 5):  # A_ik = ∂f_k/∂z_i for k in b(i), −1 on the diagonal, 0 elsewhere
        for k in range(1, 5):
            want = -1 if i == k else sympy.diff(comp.step(k).formula, comp.step(i).symbol) if k in comp.b(i) else 0
            assert sympy.simplify(lad.entry(A, i, k) - want) == 0, (i, k)
    assert [lad.entry(e, i) for i in range(1, 5)] == [0, 0, 0, -1]
    dense = np.arange(6.0).reshape(2, 3)  # any matrix indexed from 0, and a vector
    assert lad.entry(dense, 2, 3) == 5.0 and lad.entry(np.array([7.0, 8.0]), 2) == 8.0
    for bad, words in [((A, 0, 1), "no row 0: the rows are numbered 1 to 4"), ((A, 1, 5), "no column 5"),
                       ((A, 1.0, 2), "no row 1.0"), ((A, True, 2), "no row True"), ((e, 1, 2), "no column 2"),
                       ((3.0, 1, 1), "takes a matrix")]:
        with pytest.raises(lad.DefinitionError, match=words):
            lad.entry(*bad)


def test_a_numeric_system_without_a_block_is_A_with_that_entry_zero():
    comp = lad.trace(lambda x, y: lad.sin(x * y) + x, "x y")
    system = solvers.numeric_system(comp, {"x": 0.5, "y": 2.0})
    for i, k in [(1, 3), (2, 3), (3, 4), (4, 5), (1, 5)]:
        want = system.dense().copy()
        want[i - 1, k - 1] = 0.0
        np.testing.assert_array_equal(system.without((i, k)).dense(), want)
    assert system.without((1, 3), (1, 5)).nnz() == system.nnz() - 2
    with pytest.raises(lad.DefinitionError, match="z_3 does not read z_4"):
        system.without((4, 3))


def test_matrix_steps_give_every_component_condition():
    comp = lad.trace(lambda W: lad.sum(W * W), "W", shapes={"W": (1, 2)})
    conds = lad.stationarity_conditions(comp)
    assert isinstance(conds.dz(1), list) and len(conds.dz(1)) == 2
    assert conds.dz(1) == conds.by_step[1]


# ------------------------------------------------------------------------------------------------
# names


def test_show_is_display_without_the_collision():
    from lagrange_ad import display, show

    assert set(show.__all__) == set(display.__all__)
    assert all(getattr(show, name) is getattr(display, name) for name in display.__all__)
    assert lad.show.steps_table is lad.display.steps_table


def test_the_indicator_of_where_is_public_with_its_convention_at_zero():
    comp = lad.trace(lambda x: lad.where(x > 0, x, 0.0) + lad.where(x >= 1, x, 0.0), "x")
    functions = {type(f) for f in lad.lagrangian(comp).atoms(sympy.Function)}
    assert {lad.Indicator, lad.IndicatorGE} <= functions
    assert lad.Indicator(0) == 0 and lad.IndicatorGE(0) == 1  # 1[x > 0] and 1[x ≥ 0] at x = 0
