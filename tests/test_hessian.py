"""Hessian-vector products from the perturbed system A λ̇ = −Ȧ λ: against sympy's Hessian of independently
written expressions, against autograd (and JAX when installed) on the source network, and Newton's method."""

import autograd
import autograd.numpy as anp
import numpy as np
import pytest
import sympy

import lagrange_ad as lad
from lagrange_ad import hessian as hs
from lagrange_ad import zoo

x, y, w = sympy.symbols("x y w")
# (program, the same function written directly in sympy, inputs, point)
SMALL = [
    (lambda x, y: lad.tanh(x * y) + x * x, sympy.tanh(x * y) + x**2, "x y", {"x": 0.5, "y": 2.0}),
    (lambda x, y: lad.exp(lad.sin(x) * y) * x, sympy.exp(sympy.sin(x) * y) * x, "x y", {"x": 0.3, "y": 1.1}),
    (lambda x, y, w: lad.sigmoid(w * x + y) / (1 + x * x), 1 / (1 + sympy.exp(-(w * x + y))) / (1 + x**2),
     "x y w", {"x": -0.4, "y": 0.9, "w": 1.7}),
    (lambda x, y: lad.log(x * x + y) * lad.sqrt(y), sympy.log(x**2 + y) * sympy.sqrt(y), "x y", {"x": 0.8, "y": 1.3}),
]  # fmt: skip


@pytest.mark.parametrize("program, expr, names, point", SMALL)
def test_hessian_matches_sympy(program, expr, names, point):
    comp = lad.trace(program, names)
    symbols = [sympy.Symbol(n) for n in names.split()]
    want = np.array(sympy.hessian(expr, symbols).subs(point).evalf(), dtype=float)
    got = hs.hessian(comp, point)
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("program, expr, names, point", SMALL)
def test_hvp_is_the_derivative_of_the_gradient(program, expr, names, point):
    # (∇f(p + h v) − ∇f(p − h v)) / 2h with lad.gradient: an independent finite-difference check
    comp = lad.trace(program, names)
    rng = np.random.default_rng(3)
    v = {n: float(rng.normal()) for n in names.split()}
    h = 1e-5
    up = lad.gradient(comp, {n: point[n] + h * v[n] for n in point})
    down = lad.gradient(comp, {n: point[n] - h * v[n] for n in point})
    got = hs.hvp(comp, point, v)
    for n in point:
        assert got[n] == pytest.approx((up[n] - down[n]) / (2 * h), rel=1e-6, abs=1e-8)


def _source_loss(x, y, w1, w2):
    h = 1 / (1 + anp.exp(-(x @ w1)))
    o = anp.exp(h @ w2)
    o = o / anp.sum(o)
    return -anp.sum(y * anp.log(o))


def _direction(values, seed=1):
    rng = np.random.default_rng(seed)
    return {k: rng.normal(size=np.shape(v)) for k, v in values.items()}


NAMES = ("x", "y", "w1", "w2")


def test_source_network_hvp_matches_autograd():
    comp, values = zoo.source_network()
    v = _direction(values)
    got = hs.hvp(comp, values, v)
    args = [values[k] for k in NAMES]
    for k, name in enumerate(NAMES):
        # H v, block `name`: the derivative along v of ∂loss/∂name = grad of (∇ · v) with respect to name
        def directional(*a, k=k):
            return sum(anp.sum(autograd.grad(_source_loss, j)(*a) * v[n]) for j, n in enumerate(NAMES))

        want = autograd.grad(directional, k)(*args)
        np.testing.assert_allclose(got[name], want, rtol=1e-9, atol=1e-12)


@pytest.mark.slow
def test_source_network_hvp_matches_jax():
    jax = pytest.importorskip("jax")
    jnp = pytest.importorskip("jax.numpy")

    def loss(x, y, w1, w2):
        o = jax.nn.softmax(jax.nn.sigmoid(x @ w1) @ w2)
        return -jnp.sum(y * jnp.log(o))

    def unflat(p):
        return p[:3].reshape(1, 3), p[3:5].reshape(1, 2), p[5:17].reshape(3, 4), p[17:].reshape(4, 2)

    comp, values = zoo.source_network()
    v = _direction(values, seed=2)
    got = hs.hvp(comp, values, v)
    # float64, as in the book: lagrange_ad.jax_bridge switches JAX to it when imported
    pytest.importorskip("lagrange_ad.jax_bridge")
    _, want = jax.jvp(jax.grad(loss, argnums=(0, 1, 2, 3)), [values[k] for k in NAMES], [v[k] for k in NAMES])
    full = jax.hessian(lambda p: loss(*unflat(p)))(np.concatenate([np.ravel(values[k]) for k in NAMES]))
    want = [np.asarray(block) for block in want]
    full = np.asarray(full)
    assert full.dtype == np.float64
    for name, block in zip(NAMES, want, strict=True):
        np.testing.assert_allclose(got[name], block, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(hs.hessian(comp, values), full, rtol=1e-9, atol=1e-12)


def test_second_system_uses_the_same_A():
    comp = lad.trace(lambda x, y: lad.tanh(x * y) + x * x, "x y")
    A, Adot, lam, zdot, rhs, lam_dot = hs.SecondOrder(comp).system({"x": 0.5, "y": 2.0}, {"x": 1.0})
    e = np.zeros(len(lam))
    e[-1] = -1
    np.testing.assert_allclose(A @ lam, e, atol=1e-14)
    np.testing.assert_allclose(A @ lam_dot, -Adot @ lam, atol=1e-14)
    assert np.allclose(np.diag(Adot), 0)  # the diagonal −1 does not move


def test_newton_on_rosenbrock():
    comp = lad.trace(lambda x, y: (1 - x) * (1 - x) + 10 * (y - x * x) * (y - x * x), "x y")
    path = hs.newton(comp, {"x": -0.5, "y": 0.5}, iterations=20)
    assert path[-1]["x"] == pytest.approx(1.0, abs=1e-10) and path[-1]["y"] == pytest.approx(1.0, abs=1e-10)
    assert len(path) < 15


def test_cost_is_a_small_multiple_of_a_gradient():
    comp, values = zoo.source_network()
    cost = hs.hvp_cost(comp, values, _direction(values), repeats=5)
    assert 1.0 < cost.ratio < 6.0  # forward substitution + Ȧ + one more back substitution
    assert cost.hessian_seconds > 3 * cost.hvp_seconds  # 25 second halves (ż, Ȧ, back substitution)


def test_bad_direction_is_named():
    comp = lad.trace(lambda x, y: x * y, "x y")
    with pytest.raises(lad.InputError, match="unknown input"):
        hs.hvp(comp, {"x": 1.0, "y": 2.0}, {"z": 1.0})
    with pytest.raises(lad.InputError, match="dict"):
        hs.hvp(comp, {"x": 1.0, "y": 2.0}, [1.0, 0.0])


def test_second_sweep_frames_end_on_h_v():
    from lagrange_ad import hessian_figures

    comp = lad.trace(lambda x, y: lad.tanh(x * y) + x * x, "x y")
    so = hs.SecondOrder(comp)
    point, v = {"x": 0.5, "y": 2.0}, {"x": 1.0, "y": -0.5}
    frames, labels = hessian_figures.second_sweep_frames(so, point, v, digits=6)
    assert len(frames) == len(comp) + 1
    hv = so.hvp(point, v)
    # the last two frames solve rows 2 and 1: λ̇ at the inputs, which is H v
    assert labels[-1].endswith(f"{hv['x']:.6g}") and labels[-2].endswith(f"{hv['y']:.6g}")
