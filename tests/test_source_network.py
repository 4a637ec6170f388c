"""The source post's network (lagrange_ad.zoo.source_network): its structure, its A, and its gradients.

z1 = x (1×3), z2 = y (one-hot 1×2), z3 = w1 (3×4), z4 = w2 (4×2), z5 = z1 z3, z6 = σ(z5), z7 = z6 z4,
z8 = softmax(z7), z9 = cross-entropy(z8, z2). The references below are written with autograd.numpy and
never call lagrange_ad.
"""

from __future__ import annotations

import autograd
import autograd.numpy as anp
import numpy as np
import pytest
import sympy

import lagrange_ad as lad
from lagrange_ad import zoo


def sigmoid(v):
    return 1.0 / (1.0 + anp.exp(-v))


def softmax(v):
    e = anp.exp(v - anp.max(v, axis=1, keepdims=True))
    return e / anp.sum(e, axis=1, keepdims=True)


def cross_entropy(p, y):
    return -anp.sum(y * anp.log(p))


# the network from z_i onwards, as a function of z_i alone (the others held at their values): its
# derivative is ∂z_9/∂z_i, which is what λ_i must be
def after_5(z5, v):
    return after_7(sigmoid(z5) @ v["w2"], v)


def after_6(z6, v):
    return after_7(z6 @ v["w2"], v)


def after_7(z7, v):
    return cross_entropy(softmax(z7), v["y"])


def after_8(z8, v):
    return cross_entropy(z8, v["y"])


def network(x, y, w1, w2):
    return cross_entropy(softmax(sigmoid(x @ w1) @ w2), y)


NAMES = ["x", "y", "w1", "w2"]


@pytest.fixture(scope="module")
def source():
    return zoo.source_network()


@pytest.fixture(scope="module")
def system(source):
    comp, _ = source
    return lad.linear_system(comp)


def fd_gradient(f, args, k, h=1e-4):
    """Fourth-order central differences of f with respect to args[k], entry by entry."""
    base = np.array(args[k], dtype=float)
    grad = np.zeros_like(base)
    for idx in np.ndindex(base.shape):
        vals = []
        for s in (2, 1, -1, -2):
            moved = list(args)
            m = base.copy()
            m[idx] += s * h
            moved[k] = m
            vals.append(f(*moved))
        grad[idx] = (-vals[0] + 8 * vals[1] - 8 * vals[2] + vals[3]) / (12 * h)
    return grad


def test_the_steps_are_the_posts(source):
    comp, values = source
    assert [s.name for s in comp.steps] == ["x", "y", "w1", "w2", "z5", "z6", "z7", "z8", "z9"]
    assert [s.shape for s in comp.steps] == [(1, 3), (1, 2), (3, 4), (4, 2), (1, 4), (1, 4), (1, 2), (1, 2), ()]
    assert [comp.a(i) for i in range(1, 10)] == [(), (), (), (), (1, 3), (5,), (4, 6), (7,), (2, 8)]
    assert [comp.b(i) for i in range(1, 10)] == [(5,), (9,), (5,), (7,), (6,), (7,), (8,), (9,), ()]
    assert [s.is_input for s in comp.steps] == [True] * 4 + [False] * 5
    assert values["y"].sum() == 1 and set(values["y"].ravel()) == {0.0, 1.0}  # one-hot


def test_the_block_pattern_is_the_posts(source):
    comp, _ = source
    pattern = lad.block_pattern(comp)
    expected = np.eye(9, dtype=bool)
    for row, col in enumerate([5, 9, 5, 7, 6, 7, 8, 9], start=1):  # the post's off-diagonal entries
        expected[row - 1, col - 1] = True
    np.testing.assert_array_equal(pattern, expected)
    assert pattern[8].sum() == 1  # row 9: only its diagonal


def test_A_is_upper_triangular_with_minus_one_on_its_diagonal(source, system):
    comp, _ = source
    A, e = system
    size = sum(s.size for s in comp.steps)
    assert A.shape == (size, size) == (38, 38)
    for (r, c), v in A.todok().items():
        assert c >= r, f"A[{r}, {c}] = {v} lies below the diagonal"
    assert all(A[r, r] == -1 for r in range(size))
    assert list(e) == [0] * (size - 1) + [-1]


def test_blocks_of_A_are_the_jacobians(source, system):
    """Block (5, 6) is ∂f_6/∂z_5 = diag(σ'(z_5)), stored transposed: row = component of z_5."""
    comp, _ = source
    A, _ = system
    z5 = list(comp.steps[4].symbol)
    z6 = comp.steps[5]
    rows = range(3 + 2 + 12 + 8, 3 + 2 + 12 + 8 + 4)  # z5's rows come after the inputs' 25
    cols = range(rows.stop, rows.stop + 4)
    for i, r in enumerate(rows):
        for j, c in enumerate(cols):
            want = sympy.diff(z6.formula[j], z5[i])
            assert sympy.simplify(A[r, c] - want) == 0


def test_gradient_matches_autograd_and_finite_differences(source):
    comp, values = source
    args = [values[n] for n in NAMES]
    got = lad.gradient(comp, values)
    assert set(got) == set(NAMES)
    for k, name in enumerate(NAMES):
        want = autograd.grad(network, k)(*args)
        assert got[name].shape == values[name].shape
        np.testing.assert_allclose(got[name], want, rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(got[name], fd_gradient(network, args, k), rtol=1e-6, atol=1e-9)


def test_gradient_at_other_numbers(source):
    comp, _ = source
    rng = np.random.default_rng(7)
    for _ in range(5):
        values = {"x": rng.normal(size=(1, 3)), "y": np.array([[1.0, 0.0]]),
                  "w1": rng.normal(size=(3, 4)), "w2": rng.normal(size=(4, 2))}  # fmt: skip
        args = [values[n] for n in NAMES]
        got = lad.gradient(comp, values)
        for k, name in enumerate(NAMES):
            np.testing.assert_allclose(got[name], autograd.grad(network, k)(*args), rtol=1e-10, atol=1e-14)


def test_every_multiplier_is_the_sensitivity_of_the_result(source):
    """λ_i = ∂z_9/∂z_i for the inner steps too, not only for the inputs; λ_9 = 1."""
    comp, values = source
    lam = lad.multipliers(comp, values)
    zs = lad.forward(comp, values)
    assert lam[9] == 1.0
    assert zs[9] == pytest.approx(network(*[values[n] for n in NAMES]), rel=1e-14)
    for i, rest in [(5, after_5), (6, after_6), (7, after_7), (8, after_8)]:
        want = autograd.grad(rest)(zs[i], values)
        np.testing.assert_allclose(lam[i], want, rtol=1e-10, atol=1e-14, err_msg=f"λ_{i}")


def test_back_substitution_at_numbers_equals_the_gradient(source):
    comp, values = source
    steps = list(lad.back_substitution(comp, at=values))
    assert [s.index for s in steps] == list(range(9, 0, -1))  # newest step first
    assert steps[0].value == 1 and steps[0].numeric == 1.0  # λ_n = 1
    lam = lad.multipliers(comp, values)
    args = [values[n] for n in NAMES]
    for s in steps:
        np.testing.assert_allclose(s.numeric, lam[s.index], rtol=1e-12, atol=1e-14)
        if s.index <= 4:
            np.testing.assert_allclose(s.numeric, autograd.grad(network, s.index - 1)(*args), rtol=1e-10)
    uses = {s.index: s.uses for s in steps}
    assert uses == {9: (), 8: (9,), 7: (8,), 6: (7,), 5: (6,), 4: (7,), 3: (5,), 2: (9,), 1: (5,)}


def test_expanded_back_substitution_is_in_the_zs_alone_and_equals_the_gradient(source):
    comp, values = source
    zs = lad.forward(comp, values)
    numbers = {}
    for step in comp.steps:
        for sym, v in zip(np.ravel(step.symbol), np.ravel(zs[step.index]), strict=True):
            numbers[sym] = v
    grad = lad.gradient(comp, values)
    for s in lad.back_substitution(comp, expand=True):
        value = sympy.Matrix(s.value) if s.index < 9 else sympy.Matrix([[s.value]])
        assert not any(str(sym).startswith("lambda") for sym in value.free_symbols), s.index
        if s.index <= 4:
            at = np.array(value.xreplace(numbers).evalf(), dtype=float)
            np.testing.assert_allclose(at, grad[s.name], rtol=1e-12, atol=1e-14)
