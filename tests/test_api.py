"""The public API the book and the other tests rely on: names, shapes, types, and documented behaviour."""

from __future__ import annotations

import inspect

import autograd
import autograd.numpy as anp
import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from random_programs import programs, trace

import lagrange_ad as lad
from lagrange_ad import zoo

API = (
    "Computation Step Value trace lagrangian multiplier stationarity_conditions linear_system block_pattern "
    "back_substitution forward multipliers gradient finite_difference "
    "exp log sqrt sin cos tanh sigmoid relu softmax where sum mean cross_entropy "
    "LagrangeADError TracingError StepLimitError ShapeError ForeignValueError DefinitionError "
    "UnsupportedValueError InputError OutputError SymbolicSizeError"
).split()


def test_the_public_names_exist():
    missing = [name for name in API if not hasattr(lad, name)]
    assert not missing
    assert set(API) <= set(lad.__all__)


def test_every_error_is_a_lagrange_ad_error_and_a_value_error():
    for name in API:
        obj = getattr(lad, name)
        if isinstance(obj, type) and name.endswith("Error"):
            assert issubclass(obj, lad.LagrangeADError) and issubclass(obj, ValueError), name


# ------------------------------------------------------------------------------------------------
# building computations


def test_computation_by_hand():
    comp = lad.Computation()
    x = comp.input("x")
    W = comp.input("W", shape=(3, 4))
    assert x.shape == () and W.shape == (3, 4)
    z = comp.assign(lad.tanh(x * 2))
    assert isinstance(z, lad.Value) and z.step.index == 3 and z.step is comp.steps[2]
    s = comp.assign(lad.sum(W * z), name="total")
    assert len(comp) == 4 and comp.output is s.step and s.step.name == "total"
    steps = comp.steps
    assert [st.index for st in steps] == [1, 2, 3, 4]
    assert [st.is_input for st in steps] == [True, True, False, False]
    assert [st.args for st in steps] == [(), (), (1,), (2, 3)]
    assert steps[0].formula is None and steps[2].formula == sympy.tanh(2 * sympy.Symbol("z_1"))
    assert steps[0].symbol == sympy.Symbol("z_1")
    assert isinstance(steps[1].symbol, sympy.ImmutableMatrix) and steps[1].symbol.shape == (3, 4)
    assert comp.a(4) == (2, 3) and comp.b(3) == (4,) and comp.b(4) == ()
    assert [st.name for st in comp.inputs] == ["x", "W"]
    assert "tanh" in steps[2].tex


def test_trace_records_one_step_per_elementary_operation():
    comp = lad.trace(lambda x, w: lad.tanh(w * x + 1), "x w")
    assert [s.tex for s in comp.steps] == ["x", "w", r"z_{2}\, z_{1}", "z_{3} + 1", r"\tanh\left(z_{4}\right)"]
    assert comp.output.index == 5


def test_trace_accepts_names_as_a_string_a_list_or_a_dict():
    def f(x, W):
        return lad.sum(W * x)

    by_string = lad.trace(f, "x W", shapes={"W": (2, 2)})
    by_comma = lad.trace(f, "x, W", shapes={"W": (2, 2)})
    by_list = lad.trace(f, ["x", "W"], shapes={"W": (2, 2)})
    by_dict = lad.trace(f, {"x": (), "W": (2, 2)})
    for comp in (by_string, by_comma, by_list, by_dict):
        assert [(s.name, s.shape) for s in comp.inputs] == [("x", ()), ("W", (2, 2))]


def test_the_step_bound_is_documented_and_adjustable():
    assert inspect.signature(lad.trace).parameters["max_steps"].default == 10_000
    assert "10 000" in lad.trace.__doc__ or "10_000" in lad.trace.__doc__ or "10000" in lad.trace.__doc__
    assert "max_steps" in lad.trace.__doc__

    # the bound at work (default and adjusted): tests/test_errors.py::test_a_loop_that_never_ends_hits_the_default_bound
    # and test_the_bound_is_adjustable


def test_typed_in_equations():
    comp = lad.Computation.from_equations(
        """
        # the source post's first example
        z3 = z1 * z2
        z4 = tanh(z3)   # a comment after a step
        """,
        inputs="z1 z2",
    )
    assert len(comp) == 4 and comp.a(4) == (3,) and comp.b(1) == (3,)
    g = lad.gradient(comp, {"z1": 0.5, "z2": -2.0})
    assert g["z1"] == pytest.approx(-2.0 * (1 - np.tanh(-1.0) ** 2), rel=1e-14)


@settings(max_examples=60)
@given(programs())
def test_b_is_the_inverse_relation_of_a(program):
    comp = trace(program)
    for step in comp.steps:
        i = step.index
        assert all(k < i for k in comp.a(i))  # a step reads only the past
        assert all(i in comp.a(k) for k in comp.b(i))
        assert all(i in comp.b(k) for k in comp.a(i))
        assert comp.a(i) == step.args


# ------------------------------------------------------------------------------------------------
# numbers


def test_gradient_returns_floats_and_arrays_of_the_inputs_shapes():
    comp = lad.trace(lambda x, W: lad.sum(lad.sigmoid(W * x)), "x W", shapes={"W": (2, 3)})
    g = lad.gradient(comp, {"x": 0.5, "W": np.arange(6.0).reshape(2, 3) / 6})
    assert set(g) == {"x", "W"}
    assert type(g["x"]) is float
    assert isinstance(g["W"], np.ndarray) and g["W"].shape == (2, 3) and g["W"].dtype == float


def test_gradient_is_the_multiplier_of_each_input():
    """The envelope theorem: ∂z_n/∂p_i is λ_i of the constraint z_i = p_i pinning the input."""
    comp = lad.trace(lambda x, w: lad.log(1 + lad.exp(w * x)) * w, "x w")
    values = {"x": 0.3, "w": -0.7}
    lam = lad.multipliers(comp, values)
    g = lad.gradient(comp, values)
    assert lam[len(comp)] == 1.0
    assert g == {"x": lam[1], "w": lam[2]}
    want = autograd.grad(lambda x, w: anp.log(1 + anp.exp(w * x)) * w, (0, 1))(0.3, -0.7)
    assert [g["x"], g["w"]] == pytest.approx([float(v) for v in want], rel=1e-12)


def test_inputs_accept_ints_lists_and_numpy_scalars():
    comp = lad.trace(lambda x, W: lad.sum(W * x), "x W", shapes={"W": (1, 2)})
    g = lad.gradient(comp, {"x": np.float32(2), "W": [[1, 2]]})
    assert g["x"] == 3.0 and g["W"].tolist() == [[2.0, 2.0]]


def test_forward_gives_every_z():
    comp = lad.trace(lambda x: x * x + 1, "x")
    assert lad.forward(comp, {"x": 3.0}) == {1: 3.0, 2: 9.0, 3: 10.0}


def test_a_large_computation_is_numeric_only():
    """Past the symbolic limit the symbolic view refuses clearly; gradient still works, without sympy."""
    comp = lad.trace(lambda W: lad.sum(lad.tanh(W @ W)), "W", shapes={"W": (80, 80)})
    with pytest.raises(lad.SymbolicSizeError, match="symbolic"):
        lad.lagrangian(comp)
    W = np.random.default_rng(0).normal(size=(80, 80)) / 10
    want = autograd.grad(lambda W: anp.sum(anp.tanh(W @ W)))(W)
    np.testing.assert_allclose(lad.gradient(comp, {"W": W})["W"], want, rtol=1e-10, atol=1e-14)


def test_large_matrices_have_distinct_component_symbols():
    """z_{i,rc} would read (1, 11) and (11, 1) alike; past 9 rows or columns the symbols must stay distinct."""
    comp = lad.trace(lambda W: lad.sum(W * W), "W", shapes={"W": (11, 11)})
    for step in comp.steps[:2]:
        assert len(set(step.symbol)) == 121
    assert len(set(lad.multiplier(comp.steps[0]))) == 121
    # z, λ and p for the input and for W*W, and z_3, λ_3 for the sum
    assert len(lad.lagrangian(comp).free_symbols) == 5 * 121 + 2


# ------------------------------------------------------------------------------------------------
# the elementary functions, traced and untraced


@pytest.mark.parametrize(
    "name, reference, x",
    [
        ("exp", np.exp, 0.7),
        ("log", np.log, 0.7),
        ("sqrt", np.sqrt, 0.7),
        ("sin", np.sin, 0.7),
        ("cos", np.cos, 0.7),
        ("tanh", np.tanh, 0.7),
        ("sigmoid", lambda v: 1 / (1 + np.exp(-v)), 0.7),
        ("relu", lambda v: np.maximum(v, 0), -0.7),
        ("relu", lambda v: np.maximum(v, 0), 0.7),
    ],
)
def test_elementary_functions_run_on_plain_numbers_and_arrays(name, reference, x):
    fn = getattr(lad, name)
    assert fn(x) == pytest.approx(reference(x), rel=1e-15)
    assert isinstance(fn(x), float)
    arr = np.array([[x, 2 * abs(x)], [abs(x) / 2, 1.0]])
    np.testing.assert_allclose(fn(arr), reference(arr), rtol=1e-15)


def test_reductions_softmax_and_cross_entropy_untraced():
    m = np.array([[1.0, 2.0, 3.0], [0.0, -1.0, 5.0]])
    assert lad.sum(m) == 10.0 and lad.mean(m) == pytest.approx(10 / 6)
    e = np.exp(m)
    np.testing.assert_allclose(lad.softmax(m), e / e.sum(axis=1, keepdims=True), rtol=1e-15)  # row-wise
    p, y = np.array([[0.2, 0.8]]), np.array([[0.0, 1.0]])
    assert lad.cross_entropy(p, y) == pytest.approx(-np.log(0.8), rel=1e-15)
    assert lad.where(np.array([[1.0, -1.0]]) > 0, 1.0, 2.0).tolist() == [[1.0, 2.0]]


def test_the_same_function_runs_untraced_and_traced():
    assert zoo.loop_example(0.5, 0.1) == pytest.approx(0.64)
    comp, values = zoo.source_network()
    untraced = zoo.source_network_function(**values)
    assert lad.forward(comp, values)[9] == pytest.approx(untraced, rel=1e-14)
    traced = lad.trace(zoo.source_network_function, {n: v.shape for n, v in values.items()})
    assert lad.forward(traced, values)[len(traced)] == pytest.approx(untraced, rel=1e-14)


def test_operators_mix_with_numbers_and_numpy_on_either_side():
    rows = np.array([[1.0, 2.0]])

    def f(x, W):
        a = 2 * x + x * 3 - 1 / (x * x + 1) + (x - 4) / 5 + 2**x + x**2 - (-x)
        b = rows @ W @ rows.T + np.float64(2.0) * W + W * rows + rows - W + rows / (W * W + 1)
        c = np.ones((2, 2)) * W  # numpy on the left of a traced value
        return a + lad.sum(b) + lad.sum(c) + lad.mean(W.T)

    def ref(x, W):
        a = 2 * x + x * 3 - 1 / (x * x + 1) + (x - 4) / 5 + 2**x + x**2 - (-x)
        b = rows @ W @ rows.T + 2.0 * W + W * rows + rows - W + rows / (W * W + 1)
        return a + anp.sum(b) + anp.sum(anp.ones((2, 2)) * W) + anp.mean(W.T)

    comp = lad.trace(f, "x W", shapes={"W": (2, 2)})
    W = np.array([[0.5, -0.2], [0.1, 0.9]])
    g = lad.gradient(comp, {"x": 0.3, "W": W})
    want = autograd.grad(ref, (0, 1))(0.3, W)
    assert g["x"] == pytest.approx(want[0], rel=1e-12)
    np.testing.assert_allclose(g["W"], want[1], rtol=1e-12)


def test_indices_may_be_numpy_integers():
    comp = lad.trace(lambda W: lad.sum(np.ones((1, 1)) * sum(W[r, r] for r in np.arange(2))), "W", shapes={"W": (2, 2)})
    np.testing.assert_array_equal(lad.gradient(comp, {"W": np.ones((2, 2))})["W"], np.eye(2))


def test_unused_inputs_get_zero_gradients_of_their_shape():
    comp = lad.trace(lambda x, y, W: x * 2, "x y W", shapes={"W": (2, 3)})
    g = lad.gradient(comp, {"x": 1.0, "y": 2.0, "W": np.ones((2, 3))})
    assert g["x"] == 2.0 and g["y"] == 0.0 and type(g["y"]) is float
    np.testing.assert_array_equal(g["W"], np.zeros((2, 3)))


def test_indexing_and_transpose():
    comp = lad.trace(lambda W: W[0, 1] * W[-1, 0] + lad.sum(W.T @ W), "W", shapes={"W": (2, 3)})
    W = np.arange(6.0).reshape(2, 3) / 5
    want = autograd.grad(lambda W: W[0, 1] * W[-1, 0] + anp.sum(W.T @ W))(W)
    np.testing.assert_allclose(lad.gradient(comp, {"W": W})["W"], want, rtol=1e-12)


# ------------------------------------------------------------------------------------------------
# where: a branch as an indicator function


def test_where_is_an_indicator_function():
    comp = lad.trace(lambda x, y: lad.where(x > y, 2 * x, 3 * y), "x y")
    formula = comp.output.formula
    assert formula.has(lad.ops.Indicator)
    assert formula.free_symbols == {sympy.Symbol(f"z_{i}") for i in comp.output.args}
    # the gradient is the branch taken's; the indicator itself contributes nothing
    assert lad.gradient(comp, {"x": 1.0, "y": 0.5}) == {"x": 2.0, "y": 0.0}
    assert lad.gradient(comp, {"x": 0.5, "y": 1.0}) == {"x": 0.0, "y": 3.0}


def test_where_and_relu_at_their_switching_points_follow_the_documented_convention():
    strict = lad.trace(lambda x: lad.where(x > 0, 2 * x, 3 * x), "x")
    loose = lad.trace(lambda x: lad.where(x >= 0, 2 * x, 3 * x), "x")
    assert lad.gradient(strict, {"x": 0.0})["x"] == 3.0  # 1[0 > 0] = 0: the false branch
    assert lad.gradient(loose, {"x": 0.0})["x"] == 2.0  # 1[0 ≥ 0] = 1: the true branch
    assert lad.gradient(lad.trace(lad.relu, "x"), {"x": 0.0})["x"] == 0.0  # documented: 0 at 0
    assert "0" in lad.relu.__doc__


def test_where_broadcasts_its_branches_like_numpy():
    """A scalar condition with shaped branches, and a plain bool condition, give np.where's shape."""
    comp = lad.trace(lambda x, A, B: lad.sum(lad.where(x > 0, A, B)), "x A B", shapes={"A": (1, 3), "B": (2, 3)})
    values = {"x": 1.0, "A": np.ones((1, 3)), "B": np.zeros((2, 3))}
    assert lad.forward(comp, values)[len(comp)] == 6.0
    g = lad.gradient(comp, values)
    np.testing.assert_array_equal(g["A"], 2 * np.ones((1, 3)))
    np.testing.assert_array_equal(g["B"], np.zeros((2, 3)))
    assert lad.where(True, 1.0, np.zeros((1, 2))).tolist() == [[1.0, 1.0]]
    assert np.shape(lad.where(False, np.zeros((2, 1)), np.ones((1, 3)))) == (2, 3)
    comp = lad.trace(lambda x, W: lad.sum(lad.where(True, x, W)), "x W", shapes={"W": (2, 2)})
    assert lad.gradient(comp, {"x": 1.0, "W": np.ones((2, 2))})["x"] == 4.0


def test_comparisons_with_numpy_arrays_on_the_left():
    comp = lad.trace(lambda x: lad.sum(lad.where(np.array([[0.0, 2.0]]) < x, x, -x)), "x")
    assert lad.forward(comp, {"x": 1.0})[len(comp)] == 0.0  # one entry +x, one −x
    assert lad.gradient(comp, {"x": 1.0})["x"] == 0.0
    assert lad.gradient(comp, {"x": 3.0})["x"] == 2.0


# ------------------------------------------------------------------------------------------------
# the symbolic side's shape


def test_symbolic_results_have_the_documented_shape():
    comp = lad.trace(lambda x, w: lad.tanh(w * x), "x w")
    conds = lad.stationarity_conditions(comp)
    assert all(isinstance(eq, sympy.Eq) for eq in conds)
    assert len(list(conds)) == len(conds) == 8
    A, e = lad.linear_system(comp)
    assert isinstance(A, sympy.SparseMatrix | sympy.ImmutableSparseMatrix) and A.shape == (4, 4)
    pattern = lad.block_pattern(comp)
    assert pattern.dtype == bool and pattern.shape == (4, 4)
    steps = list(lad.back_substitution(comp, at={"x": 0.5, "w": 2.0}))
    for s in steps:
        assert {"index", "lam", "equation", "uses", "value", "numeric"} <= set(vars(s))
        assert isinstance(s.equation, sympy.Eq)
        assert s.uses == comp.b(s.index)


def test_perturbed_result_loosens_exactly_one_constraint():
    comp = lad.trace(lambda x, w: lad.tanh(w * x) + x, "x w")  # z3 = w x, z4 = tanh(z3), z5 = z4 + x
    x, w, eps = 0.4, -1.3, 0.25
    assert lad.perturbed_result(comp, {"x": x, "w": w}, 3, eps) == pytest.approx(np.tanh(w * x + eps) + x)
    assert lad.perturbed_result(comp, {"x": x, "w": w}, 1, eps) == pytest.approx(np.tanh(w * (x + eps)) + x + eps)
    assert lad.perturbed_result(comp, {"x": x, "w": w}, 5, eps) == pytest.approx(np.tanh(w * x) + x + eps)
    with pytest.raises(lad.LagrangeADError, match="z_9"):
        lad.perturbed_result(comp, {"x": x, "w": w}, 9, eps)
