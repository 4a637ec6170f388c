"""lagrange_ad.jax_bridge: a computation written as a JAX function, checked against autograd and finite
differences (never against lagrange_ad's own gradient alone), and its vjp / stop_gradient readings of A."""

from __future__ import annotations

import autograd
import autograd.numpy as anp
import jax
import numpy as np
import pytest
from hypothesis import assume, given, note, settings
from random_programs import cases, safe, trace
from test_properties import autograd_gradient, finite_differences, relative_error

import lagrange_ad as lad
from lagrange_ad import jax_bridge as jb
from lagrange_ad import solvers, zoo
from lagrange_ad.errors import InputError

pytestmark = pytest.mark.filterwarnings("ignore:Output seems independent of input")


@settings(max_examples=40)
@given(cases())
def test_jax_function_of_random_computations_matches_autograd_and_finite_differences(case):
    program, args = case
    assume(safe(program, args))
    note(repr(program))
    comp = trace(program)
    values = dict(zip([n for n, _ in program.inputs], args, strict=True))
    got = {k: np.asarray(v, dtype=float) for k, v in jb.gradient(comp, values).items()}
    assert relative_error(got, autograd_gradient(program, args)) <= 1e-9
    fd, _ = finite_differences(program, args)
    known = {k: v for k, v in fd.items() if not np.any(np.isnan(v))}
    if known:
        assert relative_error({k: got[k] for k in known}, known) <= 1e-6
    value = float(jb.to_jax(comp)(*args))
    assert value == pytest.approx(lad.forward(comp, values)[len(comp)], rel=1e-12, abs=1e-12)


def _autograd_source_network(values):
    """The source post's network, written again with autograd.numpy (not from the trace)."""

    def net(x, w1, w2, y):
        z = x @ w1
        s = 1 / (1 + anp.exp(-z))
        o = s @ w2
        e = anp.exp(o - anp.max(o, axis=1, keepdims=True))
        p = e / anp.sum(e, axis=1, keepdims=True)
        return -anp.sum(y * anp.log(p))

    names = ("x", "w1", "w2", "y")
    grads = autograd.grad(net, (0, 1, 2))(*(values[k] for k in names))
    return dict(zip(("x", "w1", "w2"), grads, strict=True))


def test_back_substitution_with_jax_vjp_rows_gives_autograds_gradient():
    comp, values = zoo.source_network()
    zs = lad.forward(comp, values)
    lam = {len(comp): 1.0}
    for k in range(len(comp), 0, -1):  # newest step first: λ_k is complete when step k is reached
        step = comp.steps[k - 1]
        if step.is_input or k not in lam:
            continue
        f, reads = jb.step_function(comp, k)
        _, pullback = jax.vjp(f, *(zs[i] for i in reads))
        for i, term in zip(reads, pullback(lam[k]), strict=True):  # λ_k ∂f_k/∂z_i into row i
            lam[i] = lam.get(i, 0) + np.asarray(term)
    want = _autograd_source_network(values)
    for name, g in want.items():
        index = next(s.index for s in comp.inputs if s.name == name)
        np.testing.assert_allclose(lam[index], g, rtol=1e-12, atol=1e-14)


def test_stop_gradient_is_deleting_one_entry_of_A():
    comp = lad.trace(lambda x, y: lad.sin(x * y) + x, "x y")  # z3 = x y, z4 = sin z3, z5 = z4 + x
    values = {"x": 0.5, "y": 2.0}
    system = solvers.numeric_system(comp, values)
    for i, k in [(1, 3), (1, 5), (3, 4)]:
        A = system.dense().copy()
        A[i - 1, k - 1] = 0.0  # the entry ∂f_k/∂z_i
        lam = np.linalg.solve(A, system.e())
        grads = jax.grad(jb.to_jax(comp, stop=[(i, k)]), argnums=(0, 1))(0.5, 2.0)
        np.testing.assert_allclose([float(g) for g in grads], lam[:2], rtol=1e-13, atol=1e-15)
    # and without stop, JAX agrees with autograd on the same function
    plain = autograd.grad(lambda x, y: anp.sin(x * y) + x, (0, 1))(0.5, 2.0)
    np.testing.assert_allclose(jax.grad(jb.to_jax(comp), argnums=(0, 1))(0.5, 2.0), plain, rtol=1e-14)


def test_relu_and_where_follow_lagrange_ads_conventions_at_the_switch():
    comp = lad.trace(lambda x: lad.relu(x) + lad.where(x > 0, 3 * x, -x), "x")
    assert float(jax.grad(jb.to_jax(comp))(0.0)) == lad.gradient(comp, {"x": 0.0})["x"] == -1.0


def test_errors_name_the_problem():
    comp = lad.trace(lambda x, y: x * y, "x y")
    with pytest.raises(InputError, match="step 3 does not read z_3"):
        jb.to_jax(comp, stop=[(3, 3)])
    with pytest.raises(InputError, match=r"takes the inputs \(x, y\): 2 arguments, got 1"):
        jb.to_jax(comp)(1.0)
    with pytest.raises(InputError, match="step 1 \\(x\\) is an input"):
        jb.step_function(comp, 1)
    with pytest.raises(InputError, match="no value for the input\\(s\\) y"):
        jb.gradient(comp, {"x": 1.0})


def test_equilibrium_layer_with_custom_vjp_matches_finite_differences_and_the_adjoint():
    from lagrange_ad import implicit

    problem = implicit.equilibrium_example(m=4, k=3, seed=2)
    layer = jb.equilibrium_layer(problem)
    np.testing.assert_allclose(layer(problem.W, problem.b), problem.solve(problem.W, problem.b)[0], atol=1e-14)

    def loss(W, b):
        d = layer(W, b) - problem.y
        return 0.5 * jax.numpy.sum(d * d)

    dW, db = jax.grad(loss, argnums=(0, 1))(problem.W, problem.b)
    fd = implicit.equilibrium_finite_difference(problem)
    assert relative_error({"W": dW, "b": db}, fd) <= 1e-7
    adjoint = implicit.adjoint_gradient(problem)
    np.testing.assert_allclose(dW, adjoint["W"], rtol=1e-11, atol=1e-14)
    np.testing.assert_allclose(db, adjoint["b"], rtol=1e-11, atol=1e-14)


def test_equilibrium_layer_names_a_map_that_does_not_settle():
    from lagrange_ad import implicit
    from lagrange_ad.errors import LagrangeADError

    problem = implicit.equilibrium_example()
    with pytest.raises(LagrangeADError, match="did not settle within 5 iterations"):
        jb.equilibrium_layer(problem, max_iter=5)(problem.W, problem.b)
