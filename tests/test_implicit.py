"""Chapter 9: the equilibrium's full (non-triangular) system and the heat equation's adjoint.

References: central finite differences (1e-6 relative, as the book promises) and HIPS autograd on
independent numpy implementations.
"""

from __future__ import annotations

import autograd
import autograd.numpy as anp
import numpy as np
import pytest
import sympy

import lagrange_ad as lad
from lagrange_ad import implicit as im
from lagrange_ad.errors import InputError


def assert_relative(got, want, rtol=1e-6):
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    scale = np.max(np.abs(want))
    assert np.max(np.abs(got - want)) <= rtol * scale, (got, want)


# --------------------------------------------------------------------------------------------------
# the equilibrium


@pytest.fixture(scope="module")
def problem():
    return im.equilibrium_example(m=3, seed=1)


@pytest.fixture(scope="module")
def system(problem):
    return im.equilibrium_system(problem)


def autograd_objective(problem, iterations=300):
    def objective(W, b):
        z = anp.zeros((1, problem.m))
        for _ in range(iterations):  # converged to machine precision long before (contraction 0.6)
            z = anp.tanh(anp.dot(z, W) + anp.dot(problem.x, problem.U) + b)
        return 0.5 * anp.sum((z - problem.y) ** 2)

    return objective


def test_adjoint_gradient_matches_finite_differences_and_autograd(problem, system):
    grad = im.adjoint_gradient(problem, system=system)
    fd = im.equilibrium_finite_difference(problem)
    f = autograd_objective(problem)
    ag = {"W": autograd.grad(f, 0)(problem.W, problem.b), "b": autograd.grad(f, 1)(problem.W, problem.b)}
    for k in ("W", "b"):
        assert_relative(grad[k], fd[k], 1e-6)
        assert_relative(grad[k], ag[k], 1e-10)


def test_implicit_function_theorem_gives_the_same_gradient_with_one_solve_per_parameter(problem, system):
    adj = im.adjoint_gradient(problem, system=system)
    ift, solves = im.implicit_function_gradient(problem)
    assert solves == problem.m**2 + problem.m
    for k in ("W", "b"):
        assert_relative(ift[k], adj[k], 1e-12)


def test_the_equilibrium_system_is_full_and_is_minus_identity_plus_the_jacobian(problem, system):
    grad, z, lam, A = im.adjoint_gradient(problem, system=system, details=True)
    assert np.count_nonzero(np.tril(A, -1)) > 0 and np.count_nonzero(np.triu(A, 1)) > 0  # not triangular
    # A = −I + (∂g/∂z)ᵀ with ∂g/∂z from autograd
    jac = autograd.jacobian(lambda v: anp.tanh(anp.dot(v, problem.W) + anp.dot(problem.x, problem.U)
                                               + problem.b).ravel())(z)[:, 0, :]
    np.testing.assert_allclose(A, -np.eye(problem.m) + jac.T, atol=1e-13)
    # and its right-hand side is −∂ℓ/∂z
    e = np.array(sympy.lambdify(system.z, system.e)(*z.ravel()), dtype=float).ravel()
    np.testing.assert_allclose(e, -(z - problem.y).ravel(), atol=1e-14)
    np.testing.assert_allclose(A @ lam, e, atol=1e-13)


def test_conditions_come_from_differentiating_the_lagrangian(system):
    # ∂L/∂λ_j = 0 gives back the equilibrium equation z_j = g_j
    for zj, lj in zip(system.z, system.lam, strict=True):
        cond = sympy.diff(system.L, lj)
        assert cond.has(zj) and cond.has(sympy.tanh)
    assert all(c.lhs == sympy.diff(system.L, zj) for c, zj in zip(system.conditions, system.z, strict=True))


def test_unrolled_gradient_converges_to_the_adjoint_gradient(problem, system):
    adj = im.adjoint_gradient(problem, system=system)
    errors = []
    for k in (2, 4, 8, 16, 32, 64):
        comp = im.unrolled_computation(problem, k)
        g = lad.gradient(comp, {"W": problem.W, "b": problem.b})
        errors.append(max(np.max(np.abs(g[n] - adj[n])) for n in ("W", "b")))
    assert all(a > b for a, b in zip(errors[:4], errors[1:5], strict=True))  # shrinking while above roundoff
    assert errors[-1] < 1e-12
    # the unrolled computation is an ordinary one: its A is triangular
    small = im.unrolled_computation(problem, 2)
    p = lad.block_pattern(small)
    assert not np.any(np.tril(p, -1))


def test_unrolled_gradient_matches_autograd_for_the_same_number_of_iterations(problem):
    comp = im.unrolled_computation(problem, 5)
    g = lad.gradient(comp, {"W": problem.W, "b": problem.b})
    f = autograd_objective(problem, iterations=5)
    np.testing.assert_allclose(g["W"], autograd.grad(f, 0)(problem.W, problem.b), rtol=1e-10)
    np.testing.assert_allclose(g["b"], autograd.grad(f, 1)(problem.W, problem.b), rtol=1e-10)


def test_equilibrium_errors_name_the_problem():
    with pytest.raises(lad.LagrangeADError, match="contraction"):
        im.equilibrium_example(contraction=1.5)
    p = im.equilibrium_example()
    with pytest.raises(lad.LagrangeADError, match="did not settle"):
        p.solve(p.W * 10, p.b, max_iter=50)
    with pytest.raises(lad.LagrangeADError, match="iterations"):
        im.unrolled_computation(p, 0)


# --------------------------------------------------------------------------------------------------
# the heat equation


def autograd_heat(problem):
    D = problem.laplacian()

    def loss(kappa, u0):
        u = u0
        for _ in range(problem.steps):
            if problem.scheme == "explicit":
                u = u + problem.dt * kappa * anp.dot(D, u)
            else:
                u = anp.linalg.solve(np.eye(problem.n) - problem.dt * kappa * D, u)
        d = u - problem.target
        return 0.5 * problem.dx * anp.sum(d * d)

    return loss


@pytest.mark.parametrize("scheme", ["explicit", "implicit"])
def test_heat_adjoint_matches_finite_differences_and_autograd(scheme):
    problem, kappa, u0 = im.heat_example(scheme, n=20, steps=60)
    grad = im.heat_gradient(problem, kappa, u0)
    dk, du0 = im.heat_finite_difference(problem, kappa, u0)
    assert grad.kappa == pytest.approx(dk, rel=1e-6)
    assert_relative(grad.u0, du0, 1e-6)
    f = autograd_heat(problem)
    assert grad.kappa == pytest.approx(autograd.grad(f, 0)(kappa, u0), rel=1e-10)
    np.testing.assert_allclose(grad.u0, autograd.grad(f, 1)(kappa, u0), rtol=1e-9, atol=1e-14)
    assert grad.loss == pytest.approx(problem.loss(kappa, u0), rel=1e-14)


@pytest.mark.parametrize("scheme", ["explicit", "implicit"])
def test_adjoint_field_is_the_sensitivity_to_each_intermediate_temperature(scheme):
    problem, kappa, u0 = im.heat_example(scheme, n=12, steps=30)
    grad = im.heat_gradient(problem, kappa, u0)
    assert grad.adjoint.shape == grad.U.shape == (31, 12)
    # restart the scheme from time m with u^m perturbed: the change of J is adjoint[m] (by finite differences)
    m, j, h = 17, 4, 1e-6
    tail = im.Heat(n=problem.n, steps=problem.steps - m, dt=problem.dt, target=problem.target, scheme=scheme)
    up, down = grad.U[m].copy(), grad.U[m].copy()
    up[j] += h
    down[j] -= h
    fd = (tail.loss(kappa, up) - tail.loss(kappa, down)) / (2 * h)
    assert grad.adjoint[m, j] == pytest.approx(fd, rel=1e-6)


def test_traced_explicit_scheme_backpropagates_to_the_adjoint():
    problem, kappa, u0 = im.heat_example("explicit", n=10, steps=25)
    comp = lad.trace(im.heat_explicit_function(problem), {"kappa": (), "u0": (1, problem.n)})
    g = lad.gradient(comp, {"kappa": kappa, "u0": u0.reshape(1, -1)})
    adj = im.heat_gradient(problem, kappa, u0)
    assert g["kappa"] == pytest.approx(adj.kappa, rel=1e-12)
    np.testing.assert_allclose(g["u0"].ravel(), adj.u0, rtol=1e-10, atol=1e-15)
    with pytest.raises(lad.LagrangeADError, match="explicit"):
        im.heat_explicit_function(im.heat_example("implicit")[0])


@pytest.mark.parametrize("scheme", ["explicit", "implicit"])
def test_symbolic_heat_system_has_the_claimed_blocks_and_solves_to_the_adjoint(scheme):
    n, steps = 3, 4
    s = im.heat_linear_system(n, steps, scheme)
    A = s.A
    kr = s.kappa * sympy.Symbol("r", positive=True)
    second_difference = sympy.Matrix(n, n, lambda i, j: -2 if i == j else (1 if abs(i - j) == 1 else 0))
    for bm in range(steps):
        for bk in range(steps):
            block = A[bm * n:(bm + 1) * n, bk * n:(bk + 1) * n]
            if bk < bm or bk > bm + 1:
                assert block.is_zero_matrix, (bm, bk)
            elif bk == bm:
                # explicit: −I; implicit: −Cᵀ = −(I − κ r T), T the second-difference matrix
                want = -sympy.eye(n) if scheme == "explicit" else -(sympy.eye(n) - kr * second_difference)
                assert sympy.simplify(block - want).is_zero_matrix, (bm, block)
            else:  # the next time step's multiplier: Bᵀ = I + κ r T (explicit), I (implicit)
                want = sympy.eye(n) + kr * second_difference if scheme == "explicit" else sympy.eye(n)
                assert sympy.simplify(block - want).is_zero_matrix, (bm, block)
    # numbers: solve the symbolic system at a small problem and compare with heat_gradient's adjoint
    problem, kappa, u0 = im.heat_example(scheme, n=n, steps=steps, dt=0.01)
    grad = im.heat_gradient(problem, kappa, u0)
    subs = {s.kappa: kappa, sympy.Symbol("r", positive=True): problem.dt / problem.dx**2}
    subs.update({sympy.Symbol(f"y_{j + 1}"): problem.target[j] for j in range(n)})
    subs.update({s.u[steps][j]: grad.U[steps][j] for j in range(n)})
    A_num = np.array(A.xreplace(subs), dtype=float)
    # J here is ½ Σ (u − y)² without the Δx weight: scale to compare
    e_num = np.array(s.e.xreplace(subs), dtype=float).ravel() * problem.dx
    lam = np.linalg.solve(A_num, e_num).reshape(steps, n)  # λ^1 … λ^M
    if scheme == "explicit":
        np.testing.assert_allclose(lam, grad.adjoint[1:], rtol=1e-10)
    else:
        np.testing.assert_allclose(lam, grad.adjoint[:-1], rtol=1e-10)


def test_heat_inputs_are_checked_by_name():
    problem, kappa, u0 = im.heat_example()
    with pytest.raises(lad.InputError, match="u0"):
        problem.run(kappa, u0[:-1])
    with pytest.raises(lad.InputError, match="kappa"):
        problem.run(-1.0, u0)
    with pytest.raises(lad.LagrangeADError, match="scheme"):
        im.Heat(n=3, steps=2, dt=0.1, target=np.zeros(3), scheme="crank")


# --------------------------------------------------------------------------------------------------
# chapter 10: the costates of a discrete control problem are the multipliers


def test_costates_of_a_discrete_control_problem_are_the_multipliers():
    a, h, rho, T = 1.5, 0.1, 0.5, 8
    controls = np.linspace(-1.0, 1.0, T)
    comp = lad.Computation()
    x = [comp.input("x0")]
    u = [comp.input(f"u{t}") for t in range(T)]
    for t in range(T):
        x.append(comp.assign(x[t] + h * (-a * x[t] + u[t])))
    comp.assign(sum(h / 2 * (x[t] * x[t] + rho * u[t] * u[t]) for t in range(T)) + 0.5 * x[T] * x[T])
    values = {"x0": 1.0, **{f"u{t}": float(controls[t]) for t in range(T)}}
    lam = lad.multipliers(comp, values)
    grad = lad.gradient(comp, values)
    # the costate recursion, from the control Hamiltonian H_t = c(x_t, u_t) + p_{t+1} F(x_t, u_t)
    states = [1.0]
    for t in range(T):
        states.append(states[t] + h * (-a * states[t] + controls[t]))
    p = [0.0] * (T + 1)
    p[T] = states[T]
    for t in range(T - 1, -1, -1):
        p[t] = h * states[t] + p[t + 1] * (1 - h * a)
    for t in range(T + 1):
        assert lam[x[t].step.index] == pytest.approx(p[t], rel=1e-12)
    for t in range(T):
        assert grad[f"u{t}"] == pytest.approx(h * rho * controls[t] + h * p[t + 1], rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("scheme", ["explicit", "implicit"])
def test_state_finite_difference_is_the_adjoint_field_and_lambda_follows_the_scheme(scheme):
    problem, kappa, u0 = im.heat_example(scheme, n=8, steps=12)
    field = im.heat_gradient(problem, kappa, u0).adjoint
    m = 5
    slope = im.heat_state_finite_difference(problem, kappa, u0, m)
    assert_relative(slope, field[m], 1e-6)
    lam = im.heat_gradient(problem, kappa, u0).multipliers
    if scheme == "explicit":  # λ^m = ∂J/∂u^m
        assert_relative(lam[m], slope, 1e-6)
    else:  # λ^m = C⁻ᵀ ∂J/∂u^m: not ∂J/∂u^m itself, which is λ^{m+1}
        C = np.eye(problem.n) - problem.dt * kappa * problem.laplacian()
        assert_relative(lam[m], np.linalg.solve(C.T, slope), 1e-6)
        assert_relative(lam[m + 1], slope, 1e-6)
        assert np.max(np.abs(lam[m] - slope)) > 1e-3 * np.max(np.abs(slope))


@pytest.mark.parametrize("m", [-1, 13, 2.0, True])
def test_state_finite_difference_names_a_bad_time_step(m):
    problem, kappa, u0 = im.heat_example("implicit", n=4, steps=12)
    with pytest.raises(InputError, match="m must be a time step from 0 to 12"):
        im.heat_state_finite_difference(problem, kappa, u0, m)
