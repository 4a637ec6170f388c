"""Chapter 8's solvers: forward and reverse mode agree (with each other, autograd and finite differences),
level scheduling finds the critical path, the parallel scan computes the same λ's with the counted work and
depth, and the gradient costs a small constant times the function."""

from __future__ import annotations

import math

import autograd
import autograd.numpy as anp
import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import lagrange_ad as lad
from lagrange_ad import architectures as ar
from lagrange_ad import solvers as so
from lagrange_ad.lagrangian import _components

# --------------------------------------------------------------------------------------------------
# A at numbers equals the symbolic A


def symbolic_a_at(comp, values) -> np.ndarray:
    """lad.linear_system's A with the forward pass's numbers substituted (sympy, not the VJP rules)."""
    A, _ = lad.linear_system(comp)
    zs = lad.forward(comp, values)
    subs = {}
    for s in comp.steps:
        for sym, v in zip(_components(s.symbol), np.ravel(zs[s.index]), strict=True):
            subs[sym] = sympy.Float(float(v))
    return np.array(A.xreplace(subs).evalf(), dtype=float)


@pytest.mark.parametrize("name", list(ar.BUILDERS))
def test_numeric_blocks_equal_the_symbolic_a(name):
    arch = ar.build(name, 2, width=2, params=name in ("chain", "recurrent"))
    system = so.numeric_system(arch.comp, arch.values)
    np.testing.assert_allclose(system.dense(), symbolic_a_at(arch.comp, arch.values), rtol=1e-10, atol=1e-12)
    assert np.array_equal(system.pattern(), lad.block_pattern(arch.comp))
    assert system.e()[-1] == -1 and not system.e()[:-1].any()


def test_dense_a_solves_to_the_multipliers():
    arch = ar.dense(3, width=2, params=True)
    system = so.numeric_system(arch.comp, arch.values)
    lam = np.linalg.solve(system.dense(), system.e())  # a general solver, not back substitution
    reverse = so.reverse_mode(system).solution
    np.testing.assert_allclose(lam, np.concatenate([np.ravel(reverse[i]) for i in range(1, len(arch.comp) + 1)]))


# --------------------------------------------------------------------------------------------------
# forward and reverse mode


@pytest.mark.parametrize("name", list(ar.BUILDERS))
@pytest.mark.parametrize("width", [1, 2])
def test_forward_and_reverse_mode_agree_with_autograd_and_finite_differences(name, width):
    arch = ar.build(name, 3, width=width, params=True)
    system = so.numeric_system(arch.comp, arch.values)
    fwd, rev = so.forward_mode(system), so.reverse_mode(system)
    fd = lad.finite_difference(arch.comp, arch.values)
    # lad.gradient is checked against autograd on independent implementations in test_structures.py
    ref = lad.gradient(arch.comp, arch.values)
    for k in ref:
        np.testing.assert_allclose(fwd.gradient[k], rev.gradient[k], rtol=1e-10, atol=1e-13)
        np.testing.assert_allclose(rev.gradient[k], ref[k], rtol=1e-10, atol=1e-13)
        np.testing.assert_allclose(rev.gradient[k], fd[k], rtol=1e-5, atol=1e-8)
    inputs = sum(s.size for s in arch.comp.inputs)
    assert fwd.passes == inputs and rev.passes == 1
    assert fwd.multiply_adds == inputs * rev.multiply_adds


def test_forward_mode_matches_autograd_on_a_small_function():
    def f(x, w):
        return lad.sin(w * x) * lad.exp(x) + w * w

    comp = lad.trace(f, "x w")
    system = so.numeric_system(comp, {"x": 0.3, "w": -1.7})
    fwd = so.forward_mode(system)

    def g(x, w):
        return anp.sin(w * x) * anp.exp(x) + w * w

    assert fwd.gradient["x"] == pytest.approx(autograd.grad(g, 0)(0.3, -1.7), rel=1e-12)
    assert fwd.gradient["w"] == pytest.approx(autograd.grad(g, 1)(0.3, -1.7), rel=1e-12)


def test_forward_mode_tangent_of_z_n_is_one_jacobian_row_per_pass():
    arch = ar.chain(2, width=3)  # x is 1×3: three passes
    fwd = so.forward_mode(so.numeric_system(arch.comp, arch.values))
    assert fwd.passes == 3 and fwd.solution["z_n"].shape == (3,)


# --------------------------------------------------------------------------------------------------
# level scheduling


def longest_path(pattern) -> int:
    """Number of steps on the longest path i → k (A_ik ≠ 0) — by memoised depth-first search."""
    n = len(pattern)
    memo = {}

    def depth(i):
        if i not in memo:
            memo[i] = 1 + max((depth(k) for k in range(i + 1, n) if pattern[i, k]), default=0)
        return memo[i]

    return max(depth(i) for i in range(n))


@pytest.mark.parametrize("depth", [1, 4, 9])
def test_level_scheduled_depth_of_a_chain_is_its_length(depth):
    arch = ar.chain(depth)
    lv = so.levels(lad.block_pattern(arch.comp))
    assert len(lv) == len(arch.comp) == depth + 2
    assert all(len(level) == 1 for level in lv)


def test_dense_block_has_no_parallelism_and_inception_has_some():
    dense = ar.dense(5)
    assert len(so.levels(lad.block_pattern(dense.comp))) == len(dense.comp)
    inc = ar.inception(2, branches=3)
    lv = so.levels(lad.block_pattern(inc.comp))
    assert len(lv) < len(inc.comp)
    assert max(len(level) for level in lv) == 3  # the three branches run side by side


@pytest.mark.parametrize("name", list(ar.BUILDERS))
def test_levels_respect_dependencies_and_equal_the_longest_path(name):
    p = lad.block_pattern(ar.build(name, 3, params=True).comp)
    for mode in ("reverse", "forward"):
        lv = so.levels(p, mode)
        level_of = {i: k for k, level in enumerate(lv) for i in level}
        assert sorted(level_of) == list(range(1, len(p) + 1))
        for i, k in np.argwhere(np.triu(p, 1)):
            first, then = (k + 1, i + 1) if mode == "reverse" else (i + 1, k + 1)
            assert level_of[first] < level_of[then]
        assert len(lv) == longest_path(p)


@settings(max_examples=60)
@given(st.integers(2, 12).flatmap(lambda n: st.lists(st.booleans(), min_size=n * n, max_size=n * n)))
def test_levels_on_random_triangular_patterns(bits):
    n = int(math.isqrt(len(bits)))
    p = np.triu(np.array(bits, dtype=bool).reshape(n, n), 1) | np.eye(n, dtype=bool)
    lv = so.levels(p)
    assert len(lv) == longest_path(p)
    assert sorted(i for level in lv for i in level) == list(range(1, n + 1))


def test_levels_refuse_a_lower_entry():
    with pytest.raises(lad.LagrangeADError, match=r"A\[2,1\]"):
        so.levels(np.array([[1, 0], [1, 1]], dtype=bool))


# --------------------------------------------------------------------------------------------------
# the parallel scan


@settings(max_examples=40)
@given(st.integers(1, 40), st.integers(0, 10_000))
def test_blelloch_scan_equals_the_sequential_scan(count, seed):
    rng = np.random.default_rng(seed)
    items = [rng.normal(size=(2, 2)) for _ in range(count)]
    seq, par = so.sequential_scan(items), so.blelloch_scan(items)
    for a, b in zip(seq.prefixes, par.prefixes, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)
    assert len(par.prefixes) == count
    assert seq.work == seq.depth == count - 1
    levels = math.ceil(math.log2(count)) if count > 1 else 0
    assert par.depth <= 2 * levels
    assert par.work <= 2 * (2**levels)


def test_scan_keeps_the_order_of_factors():
    a = np.array([[1.0, 1.0], [0.0, 1.0]])
    b = np.array([[1.0, 0.0], [1.0, 1.0]])
    r = so.blelloch_scan([a, b, a])
    np.testing.assert_array_equal(r.prefixes[-1], a @ b @ a)
    assert not np.array_equal(a @ b @ a, b @ a @ a)


@pytest.mark.parametrize("depth", [6, 30, 62])
def test_chain_scan_gives_the_back_substitution_lambdas(depth):
    arch = ar.chain(depth, width=3)
    system = so.numeric_system(arch.comp, arch.values)
    rev = so.reverse_mode(system).solution
    scan = so.chain_scan(system)
    seq = so.chain_scan(system, "sequential")
    n = len(arch.comp)
    for i in range(1, n + 1):
        np.testing.assert_allclose(scan.lam[i], rev[i], rtol=1e-9, atol=1e-13)
        np.testing.assert_allclose(seq.lam[i], rev[i], rtol=1e-9, atol=1e-13)
    # λ_1 is the gradient with respect to x: compare with autograd
    weights = _chain_weights(arch)
    want = autograd.grad(lambda x: _chain_numpy(x, weights))(arch.values["x"])
    np.testing.assert_allclose(scan.lam[1], want, rtol=1e-9)
    assert seq.scan.depth == n - 1
    assert scan.scan.depth <= 2 * math.ceil(math.log2(n))
    assert scan.scan.flops > seq.scan.flops  # the scan multiplies matrices where back substitution did not


def _chain_weights(arch):
    # the constant weights live in the steps' formulas; read them back from each layer's expression node
    ws = []
    for i in arch.layers:
        node = arch.comp.steps[i - 1].node.args[0]  # tanh(z @ W): the matmul node
        ws.append(node.args[1].data)
    return ws


def _chain_numpy(x, weights):
    h = x
    for w in weights:
        h = anp.tanh(h @ w)
    return 0.5 * anp.sum(h * h)


def test_chain_scan_refuses_a_non_chain_by_name():
    arch = ar.residual(1)
    with pytest.raises(lad.LagrangeADError, match=r"z_3 \('r1'\) reads \(1, 2\)"):
        so.chain_scan(so.numeric_system(arch.comp, arch.values))


# --------------------------------------------------------------------------------------------------
# the cost of a gradient


def test_operation_counts_by_hand():
    # z3 = w*x (1 op), z4 = tanh(z3) (1 op); back: tanh' and ×λ (2), then ×w and ×x (2)
    counts = so.operation_counts(lad.trace(lambda x, w: lad.tanh(w * x), "x w"))
    assert (counts.function, counts.gradient) == (2, 6)
    # one matrix product 2×3 by 3×4: 24 forward; both arguments need gradients: 24 each
    comp = lad.trace(lambda a, b: lad.sum(a @ b), "a b", shapes={"a": (2, 3), "b": (3, 4)})
    counts = so.operation_counts(comp)
    assert counts.function == 24 + 8 and counts.gradient == counts.function + 48 + 8


@pytest.mark.parametrize("name", list(ar.BUILDERS))
@pytest.mark.parametrize("width", [1, 16])
def test_cheap_gradient_principle(name, width):
    counts = so.operation_counts(ar.build(name, 4, width=width, params=True).comp)
    assert 1 < counts.ratio <= 4


def test_gradient_cost_is_measured():
    arch = ar.chain(4, width=32, params=True, batch=32)
    cost = so.gradient_cost(arch.comp, arch.values, repeats=3)
    assert cost.function_seconds > 0 and cost.gradient_seconds > 0
    # wall clock on a shared machine is noisy: only a loose sanity bound here (the chapter reports it)
    assert 0.5 < cost.ratio < 50
    with pytest.raises(lad.InputError, match="repeats"):
        so.gradient_cost(arch.comp, arch.values, repeats=0)


@pytest.mark.parametrize("name", list(ar.BUILDERS))
def test_weights_as_inputs_add_width_but_no_levels(name):
    fixed = so.levels(lad.block_pattern(ar.build(name, 3).comp))
    with_weights = so.levels(lad.block_pattern(ar.build(name, 3, params=True).comp))
    assert len(with_weights) == len(fixed)
    assert max(map(len, with_weights)) >= max(map(len, fixed))


@pytest.mark.parametrize("name", ["chain", "residual", "dense"])
def test_sequential_architectures_have_a_critical_path_as_long_as_the_computation(name):
    comp = ar.build(name, 4).comp
    assert len(so.levels(lad.block_pattern(comp))) == len(comp)


def test_best_times_runs_blas_single_threaded_and_in_turns():
    from threadpoolctl import threadpool_info

    from lagrange_ad.solvers import best_times

    order, threads = [], []

    def record(name):
        def call():
            order.append(name)
            threads.append({i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"})

        return call

    before = {i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"}
    times = best_times({"a": record("a"), "b": record("b")}, repeats=3)
    assert order == ["a", "b"] * 3  # in turns
    assert all(t <= {1} for t in threads)  # BLAS limited to one thread meanwhile
    assert {i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"} == before
    assert set(times) == {"a", "b"} and all(v >= 0 for v in times.values())
    with pytest.raises(lad.InputError, match="repeats must be a positive integer"):
        best_times({"a": record("a")}, repeats=0)
