"""A computation's steps as a JAX function: the bridge from A λ = e to the tools practitioners use.

JAX (https://docs.jax.dev) differentiates Python functions written with ``jax.numpy``. This module
writes a :class:`~lagrange_ad.Computation` as such a function, one ``jax.numpy`` call per node of
each step, so that the book can set JAX's ``grad``, ``vjp`` and ``jvp`` beside the multipliers:

* :func:`to_jax` gives z_n as a function of the inputs (``jax.grad`` of it is the gradient);
* :func:`step_function` gives one step f_k as a function of the z's it reads: ``jax.vjp`` of it with
  the cotangent λ_k gives the terms λ_k ∂f_k/∂z_i, the contributions of step k to the rows i ∈ a(k)
  of back substitution;
* ``to_jax(comp, stop=[(i, k)])`` wraps step k's reads of z_i in ``jax.lax.stop_gradient``, which
  deletes the entry A_ik = ∂f_k/∂z_i from A.

Importing this module switches JAX to float64 (``jax_enable_x64``): the book compares JAX's numbers
with lagrange_ad's to 1e-12, which float32 cannot reach. JAX is not needed by the rest of the package.

>>> import lagrange_ad as lad
>>> comp = lad.trace(lambda x, w: x * lad.tanh(w * x), "x w")
>>> f = to_jax(comp)
>>> g = jax.grad(f, argnums=(0, 1))(0.5, -2.0)
>>> want = lad.gradient(comp, {"x": 0.5, "w": -2.0})
>>> bool(abs(g[0] - want["x"]) < 1e-14 and abs(g[1] - want["w"]) < 1e-14)
True
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import jax
import jax.numpy as jnp

from .computation import Computation
from .errors import InputError, LagrangeADError

jax.config.update("jax_enable_x64", True)


def _softmax(x):
    # lagrange_ad's softmax normalises each row; a scalar's softmax is 1
    return jax.nn.softmax(x, axis=-1) if jnp.ndim(x) else jnp.ones_like(x)


# One jax.numpy function per operation of lagrange_ad.ops (the same names, the same conventions:
# an indicator is 1.0 / 0.0, relu has derivative 0 at 0, where's condition is an indicator value).
JAX_OPS: dict[str, Callable] = {
    "add": jnp.add,
    "sub": jnp.subtract,
    "mul": jnp.multiply,
    "div": jnp.divide,
    "pow": jnp.power,
    "neg": jnp.negative,
    "matmul": jnp.matmul,
    "transpose": jnp.transpose,
    "sum": jnp.sum,
    "mean": jnp.mean,
    "softmax": _softmax,
    "indicator": lambda x: jnp.where(x > 0, 1.0, 0.0),
    "indicator_ge": lambda x: jnp.where(x >= 0, 1.0, 0.0),
    "where": lambda c, a, b: jnp.where(c > 0, a, b),
    "exp": jnp.exp,
    "log": jnp.log,
    "sqrt": jnp.sqrt,
    "sin": jnp.sin,
    "cos": jnp.cos,
    "tanh": jnp.tanh,
    "sigmoid": jax.nn.sigmoid,
    "relu": jax.nn.relu,  # jnp.maximum(x, 0) would give 1/2 at 0
}


def _evaluate(node, read: Callable):
    """The value of one node of a step's expression; ``read(i)`` gives z_i."""
    if node.op == "z":
        return read(node.data)
    if node.op == "const":
        return node.data
    args = [_evaluate(a, read) for a in node.args]
    if node.op == "index":
        return args[0][node.data]
    return JAX_OPS[node.op](*args)


def step_function(comp: Computation, k: int) -> tuple[Callable, tuple[int, ...]]:
    """Step k's f_k as a JAX function of the z's it reads, and those indices a(k) in argument order.

    ``jax.vjp(f, *zs)`` then returns f_k's value and the map λ_k ↦ (λ_k ∂f_k/∂z_i for i in a(k)):
    one step's share of back substitution.

    >>> import lagrange_ad as lad
    >>> comp = lad.trace(lambda x, y: lad.sin(x * y), "x y")
    >>> f3, reads = step_function(comp, 3)
    >>> reads
    (1, 2)
    >>> value, pullback = jax.vjp(f3, 0.5, 2.0)
    >>> [round(float(v), 6) for v in pullback(1.0)]  # λ_3 · (y, x): λ_3 = 1, ∂(xy)/∂x = y
    [2.0, 0.5]
    """
    step = comp._step(k)
    if step.is_input:
        raise InputError(f"step {k} ({step.name}) is an input: it has no f_{k} to differentiate")
    reads = tuple(step.args)

    def f(*zs):
        if len(zs) != len(reads):
            raise InputError(f"f_{k} reads {len(reads)} z's (z_{', z_'.join(map(str, reads))}), got {len(zs)}")
        values = dict(zip(reads, zs, strict=True))
        return _evaluate(step.node, values.__getitem__)

    return f, reads


def to_jax(comp: Computation, stop: Iterable[tuple[int, int]] = ()) -> Callable:
    """z_n as a JAX function of the inputs, in the order of ``comp.inputs`` (scalars or 2-D arrays).

    ``stop``: pairs (i, k) meaning "step k reads z_i through ``jax.lax.stop_gradient``": the value is
    unchanged, but JAX differentiates as if the entry A_ik = ∂f_k/∂z_i of A were zero.

    >>> import lagrange_ad as lad
    >>> comp = lad.trace(lambda x: x * x, "x")     # z_2 = z_1 z_1: one node read twice
    >>> float(jax.grad(to_jax(comp))(3.0)), float(jax.grad(to_jax(comp, stop=[(1, 2)]))(3.0))
    (6.0, 0.0)
    """
    stopped = set()
    for pair in stop:
        i, k = pair
        if k not in comp.b(i):
            raise InputError(f"step {k} does not read z_{i} (b({i}) = {set(comp.b(i)) or '∅'}): no entry A[{i},{k}]")
        stopped.add((i, k))
    inputs = [s.index for s in comp.inputs]
    n = comp.output_index()

    def f(*args):
        if len(args) != len(inputs):
            names = ", ".join(s.name for s in comp.inputs)
            raise InputError(f"the function takes the inputs ({names}): {len(inputs)} arguments, got {len(args)}")
        zs = dict(zip(inputs, (jnp.asarray(a, dtype=jnp.float64) for a in args), strict=True))
        for step in comp.steps:
            if step.is_input:
                continue
            k = step.index

            def read(i, k=k):
                return jax.lax.stop_gradient(zs[i]) if (i, k) in stopped else zs[i]

            zs[k] = _evaluate(step.node, read)
        return zs[n]

    return f


def gradient(comp: Computation, values: dict) -> dict:
    """``jax.grad`` of :func:`to_jax` at ``values`` ({input name: number or array}), as numpy numbers.

    >>> import lagrange_ad as lad
    >>> comp = lad.trace(lambda x, w: lad.exp(w * x), "x w")
    >>> grads = gradient(comp, {"x": 1.0, "w": 0.0})
    >>> float(grads["x"]), float(grads["w"])
    (0.0, 1.0)
    """
    names = [s.name for s in comp.inputs]
    missing = [name for name in names if name not in values]
    if missing:
        raise InputError(f"no value for the input(s) {', '.join(missing)}")
    grads = jax.grad(to_jax(comp), argnums=tuple(range(len(names))))(*(values[name] for name in names))
    return {name: jax.device_get(g) for name, g in zip(names, grads, strict=True)}


def equilibrium_layer(problem, tol: float = 1e-15, max_iter: int = 10_000) -> Callable:
    """Chapter 9's equilibrium z* = tanh(z* W + x U + b) as a JAX function of (W, b), with ``jax.custom_vjp``.

    The forward pass iterates z ← g(z) to a fixed point; nothing of the iteration is recorded. The
    backward pass is chapter 9's adjoint: it solves (I − ∂g/∂z)ᵀ λ = z̄, which is A λ = e with
    A = −I + (∂g/∂z)ᵀ and e = −z̄, and returns λᵀ ∂g/∂θ. (``problem`` is an
    :class:`~lagrange_ad.implicit.Equilibrium`; its x, U are fixed.)

    >>> from lagrange_ad import implicit
    >>> problem = implicit.equilibrium_example()
    >>> layer = equilibrium_layer(problem)
    >>> loss = lambda W, b: 0.5 * jnp.sum((layer(W, b) - problem.y) ** 2)
    >>> dW, db = jax.grad(loss, argnums=(0, 1))(problem.W, problem.b)
    >>> want = implicit.adjoint_gradient(problem)
    >>> bool(jnp.allclose(dW, want["W"], rtol=1e-12) and jnp.allclose(db, want["b"], rtol=1e-12))
    True
    """
    xU = jnp.asarray(problem.x @ problem.U)
    m = problem.m

    def g(z, W, b):
        return jnp.tanh(z @ W + xU + b)

    @jax.custom_vjp
    def layer(W, b):  # the forward pass: iterate to the fixed point
        z = jnp.zeros((1, m))
        for _ in range(max_iter):
            new = g(z, W, b)
            if jnp.max(jnp.abs(new - z)) <= tol:
                return new
            z = new
        raise LagrangeADError(
            f"the fixed-point iteration did not settle within {max_iter} "
            "iterations (is ‖W‖ < 1?)"
        )

    def forward(W, b):  # keep the equilibrium only, not the iterations
        z = layer(W, b)
        return z, (z, W, b)

    def backward(saved, z_bar):  # chapter 9's adjoint: one linear solve
        z, W, b = saved
        dg_dz = jax.jacobian(g)(z, W, b).reshape(m, m)  # [k, j] = ∂g_k/∂z_j
        # (I − ∂g/∂z)ᵀ λ = z̄, i.e. A λ = e with A = −I + (∂g/∂z)ᵀ, e = −z̄
        lam = jnp.linalg.solve(jnp.eye(m) - dg_dz.T, z_bar.ravel())
        _, pullback = jax.vjp(lambda W_, b_: g(z, W_, b_), W, b)
        return pullback(lam.reshape(1, m))  # λᵀ ∂g/∂θ for θ = W, b

    layer.defvjp(forward, backward)
    return layer
