"""When A is not triangular: an equilibrium z = g(z, θ), and the heat equation's adjoint.

**The equilibrium.** A step that needs its own future, ``z = g(z, θ)`` with ``g(z, W, b) = tanh(z W + x U + b)``
(a one-layer "deep equilibrium" model; x, U fixed), is solved by fixed-point iteration. Its Lagrangian is
the book's, L = ℓ(z) − Σ_j λ_j (z_j − g_j(z, θ)); differentiating it gives

    ∂L/∂z_j = 0:   −λ_j + Σ_k (∂g_k/∂z_j) λ_k = −∂ℓ/∂z_j,

a linear system A λ = e whose A = −I + (∂g/∂z)ᵀ is full, not triangular, and dℓ/dθ = ∂L/∂θ = λᵀ ∂g/∂θ.
:func:`equilibrium_system` derives it with sympy from g written once with lagrange_ad's functions;
:func:`adjoint_gradient` solves it; :func:`implicit_function_gradient` takes the implicit function theorem's
route (one solve per parameter); :func:`unrolled_computation` traces K iterations as an ordinary computation.

**The heat equation** u_t = κ u_xx on (0, 1), u = 0 at both ends, n interior points, explicit or implicit
Euler in time, loss J = ½ Δx Σ_j (u^M_j − target_j)². :func:`heat_gradient` returns dJ/dκ and dJ/du⁰ from the
adjoint equations (the stationarity conditions of the Lagrangian, which run backward in time) and the adjoint
field ∂J/∂u^m for every time m; :func:`heat_linear_system` builds that Lagrangian symbolically on a tiny grid.

>>> problem = equilibrium_example()
>>> z, iterations = problem.solve(problem.W, problem.b)
>>> bool(np.allclose(z, problem.g(z, problem.W, problem.b), atol=1e-14))
True
>>> grad = adjoint_gradient(problem)
>>> sorted(grad)
['W', 'b']
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import scipy.linalg
import sympy

from . import values as t
from .computation import Computation
from .errors import InputError, LagrangeADError
from .lagrangian import _components
from .ops import NUMPY_NAMES
from .tracing import trace

# --------------------------------------------------------------------------------------------------
# the equilibrium z = g(z, θ)
# --------------------------------------------------------------------------------------------------


@dataclass
class Equilibrium:
    """The model ``z = tanh(z W + x U + b)`` (rows 1×m), with loss ℓ(z) = ½ Σ (z − y)².

    θ = (W, b) are the parameters; x, U and y are fixed. With ‖W‖₂ < 1 the map is a contraction
    (|tanh'| ≤ 1), so fixed-point iteration converges from any start.
    """

    W: np.ndarray  # m×m
    b: np.ndarray  # 1×m
    x: np.ndarray  # 1×k
    U: np.ndarray  # k×m
    y: np.ndarray  # 1×m

    @property
    def m(self) -> int:
        return self.W.shape[0]

    def g(self, z, W, b):
        """One application of the map; works on numbers and on traced values alike."""
        return t.tanh(z @ W + self.x @ self.U + b)

    def loss(self, z):
        """ℓ(z) = ½ Σ (z − y)²."""
        d = z - self.y
        return 0.5 * t.sum(d * d)

    def solve(self, W, b, tol: float = 1e-15, max_iter: int = 10_000):
        """Fixed-point iteration z ← g(z) from z = 0 until the change is below ``tol``; (z, iterations)."""
        z = np.zeros((1, self.m))
        for k in range(1, max_iter + 1):
            new = self.g(z, W, b)
            if np.max(np.abs(new - z)) <= tol:
                return new, k
            z = new
        raise LagrangeADError(f"the fixed-point iteration did not settle within {max_iter} iterations (is ‖W‖ < 1?)")

    def objective(self, W, b) -> float:
        """ℓ(z*(W, b)): the loss at the equilibrium."""
        return float(self.loss(self.solve(W, b)[0]))


def equilibrium_example(m: int = 3, k: int = 2, contraction: float = 0.6, seed: int = 0) -> Equilibrium:
    """A small equilibrium model with ‖W‖₂ = ``contraction`` (< 1).

    >>> p = equilibrium_example()
    >>> p.W.shape, round(float(np.linalg.norm(p.W, 2)), 6)
    ((3, 3), 0.6)
    """
    if not 0 < contraction < 1:
        raise LagrangeADError(f"contraction must lie in (0, 1) for the iteration to converge, got {contraction}")
    rng = np.random.default_rng(seed)
    W = rng.normal(size=(m, m))
    W *= contraction / np.linalg.norm(W, 2)
    return Equilibrium(
        W=W,
        b=rng.normal(0, 0.5, (1, m)),
        x=rng.normal(size=(1, k)),
        U=rng.normal(0, 0.5, (k, m)),
        y=rng.normal(0, 0.5, (1, m)),
    )


@dataclass
class EquilibriumSystem:
    """The equilibrium's Lagrangian and what differentiating it gives, in sympy.

    ``z``, ``lam``: the m symbols z_j and λ_j; ``W``, ``b``: the parameter symbols; ``L`` the Lagrangian;
    ``conditions`` the equations ∂L/∂z_j = 0; ``A``, ``e`` the linear system they form (A λ = e);
    ``dL_dtheta`` ∂L/∂θ for every parameter symbol, in the order ``params``.
    """

    z: list
    lam: list
    W: sympy.Matrix
    b: sympy.Matrix
    L: sympy.Expr
    conditions: list
    A: sympy.Matrix
    e: sympy.Matrix
    params: list
    dL_dtheta: list


def equilibrium_system(problem: Equilibrium) -> EquilibriumSystem:
    """Build L = ℓ(z) − Σ_j λ_j (z_j − g_j(z, θ)) and read A λ = e off ∂L/∂z = 0.

    g and ℓ are the problem's own functions, traced once into a :class:`~lagrange_ad.Computation` whose
    step formulas give them in sympy.
    """
    m = problem.m
    comp = Computation()
    zin = comp.input("z", (1, m))
    win = comp.input("W", (m, m))
    bin_ = comp.input("b", (1, m))
    g_step = comp.assign(problem.g(zin, win, bin_)).step
    loss_step = comp.assign(problem.loss(zin)).step
    z = sympy.symbols(f"z_1:{m + 1}")
    lam = sympy.symbols(f"lambda_1:{m + 1}")
    W = sympy.Matrix(m, m, lambda r, c: sympy.Symbol(f"W_{{{r + 1}{c + 1}}}"))
    b = sympy.Matrix(1, m, lambda r, c: sympy.Symbol(f"b_{c + 1}"))
    rename = dict(zip(_components(comp.steps[0].symbol), z, strict=True))
    rename.update(zip(_components(comp.steps[1].symbol), list(W), strict=True))
    rename.update(zip(_components(comp.steps[2].symbol), list(b), strict=True))
    g = [gj.xreplace(rename) for gj in _components(g_step.formula)]
    loss = loss_step.formula.xreplace(rename)
    L = loss - sympy.Add(*[lam[j] * (z[j] - g[j]) for j in range(m)])
    conditions = [sympy.Eq(sympy.diff(L, zj), 0) for zj in z]
    A, e = sympy.linear_eq_to_matrix([c.lhs for c in conditions], lam)
    params = list(W) + list(b)
    return EquilibriumSystem(list(z), list(lam), W, b, L, conditions, A, e, params, [sympy.diff(L, p) for p in params])


def _evaluator(system: EquilibriumSystem):
    args = system.z + system.lam + system.params
    modules = [NUMPY_NAMES, "numpy"]
    return (
        sympy.lambdify(args, system.A, modules=modules),
        sympy.lambdify(args, system.e, modules=modules),
        sympy.lambdify(args, system.dL_dtheta, modules=modules),
    )


def _pack(problem, grads):
    m = problem.m
    grads = np.asarray(grads, dtype=float)
    return {"W": grads[: m * m].reshape(m, m), "b": grads[m * m :].reshape(1, m)}


def adjoint_gradient(
    problem: Equilibrium, W=None, b=None, system: EquilibriumSystem | None = None, details: bool = False
):
    """dℓ/dθ at the equilibrium by the adjoint method: one solve of the full system A λ = e.

    With ``details=True`` returns ``(gradient, z*, λ, A at numbers)``.
    """
    W = problem.W if W is None else np.asarray(W, dtype=float)
    b = problem.b if b is None else np.asarray(b, dtype=float)
    system = system or equilibrium_system(problem)
    a_fn, e_fn, d_fn = _evaluator(system)
    z, _ = problem.solve(W, b)
    zeros = [0.0] * problem.m
    theta = list(W.ravel()) + list(b.ravel())
    A = np.array(a_fn(*z.ravel(), *zeros, *theta), dtype=float)
    e = np.array(e_fn(*z.ravel(), *zeros, *theta), dtype=float).ravel()
    lam = np.linalg.solve(A, e)
    grad = _pack(problem, d_fn(*z.ravel(), *lam, *theta))
    return (grad, z, lam, A) if details else grad


def implicit_function_gradient(problem: Equilibrium, W=None, b=None):
    """dℓ/dθ by the implicit function theorem: dz/dθ = (I − ∂g/∂z)⁻¹ ∂g/∂θ, then ∇ℓ · dz/dθ.

    This is forward mode for the equilibrium: one linear solve per parameter (m² + m of them) instead of
    the adjoint's one. Returns ``(gradient, number of right-hand sides solved for)``.

    >>> problem = equilibrium_example()
    >>> grad, solves = implicit_function_gradient(problem)
    >>> solves, bool(np.allclose(grad["W"], adjoint_gradient(problem)["W"], rtol=1e-12))
    (12, True)
    """
    W = problem.W if W is None else np.asarray(W, dtype=float)
    b = problem.b if b is None else np.asarray(b, dtype=float)
    m = problem.m
    z, _ = problem.solve(W, b)
    s = 1.0 - np.tanh(z @ W + problem.x @ problem.U + b) ** 2  # tanh' at the equilibrium, 1×m
    g_z = (W * s).T  # ∂g_k/∂z_j = s_k W_jk: rows k, columns j
    g_theta = np.zeros((m, m * m + m))
    for j in range(m):
        for k in range(m):
            g_theta[k, j * m + k] = s[0, k] * z[0, j]  # ∂g_k/∂W_jk
        g_theta[j, m * m + j] = s[0, j]  # ∂g_j/∂b_j
    dz_dtheta = np.linalg.solve(np.eye(m) - g_z, g_theta)
    grad = (z - problem.y) @ dz_dtheta
    return _pack(problem, grad.ravel()), g_theta.shape[1]


def unrolled_computation(problem: Equilibrium, iterations: int) -> Computation:
    """K iterations of z ← g(z, θ) from z = 0, then ℓ: an ordinary (triangular) computation of W and b."""
    if isinstance(iterations, bool) or not isinstance(iterations, int) or iterations < 1:
        raise LagrangeADError(f"iterations must be a positive integer, got {iterations!r}")

    def unrolled(W, b):
        z = np.zeros((1, problem.m))
        for _ in range(iterations):
            z = problem.g(z, W, b)
        return problem.loss(z)

    m = problem.m
    return trace(unrolled, {"W": (m, m), "b": (1, m)}, max_steps=20 * iterations + 100)


def equilibrium_finite_difference(problem: Equilibrium, h: float = 1e-6) -> dict:
    """Central differences of ℓ(z*(θ)) for every parameter (each solve converged to 1e-15)."""
    out = {}
    for name in ("W", "b"):
        base = getattr(problem, name)
        grad = np.zeros_like(base)
        for idx in np.ndindex(base.shape):
            up, down = base.copy(), base.copy()
            up[idx] += h
            down[idx] -= h
            args_up = {"W": problem.W, "b": problem.b, name: up}
            args_down = {"W": problem.W, "b": problem.b, name: down}
            grad[idx] = (problem.objective(**args_up) - problem.objective(**args_down)) / (2 * h)
        out[name] = grad
    return out


# --------------------------------------------------------------------------------------------------
# the heat equation
# --------------------------------------------------------------------------------------------------


@dataclass
class Heat:
    """u_t = κ u_xx on (0, 1) with u = 0 at both ends, n interior points, M steps of size dt.

    ``scheme`` is ``"explicit"`` (u^{m+1} = (I + dt κ D) u^m; stable for dt κ / Δx² ≤ ½) or ``"implicit"``
    ((I − dt κ D) u^{m+1} = u^m; stable for any dt). D is the second-difference matrix divided by Δx².
    """

    n: int
    steps: int
    dt: float
    target: np.ndarray
    scheme: str = "explicit"

    def __post_init__(self):
        if self.scheme not in ("explicit", "implicit"):
            raise LagrangeADError(f"scheme must be 'explicit' or 'implicit', not {self.scheme!r}")
        self.target = np.asarray(self.target, dtype=float)
        if self.target.shape != (self.n,):
            raise InputError(f"target must have shape ({self.n},), got {self.target.shape}")

    @property
    def dx(self) -> float:
        return 1.0 / (self.n + 1)

    @property
    def grid(self) -> np.ndarray:
        """The interior points x_j = j Δx."""
        return self.dx * np.arange(1, self.n + 1)

    def laplacian(self) -> np.ndarray:
        """D: (u_{j−1} − 2 u_j + u_{j+1}) / Δx², with u_0 = u_{n+1} = 0 (a symmetric matrix)."""
        return (np.eye(self.n, k=-1) - 2 * np.eye(self.n) + np.eye(self.n, k=1)) / self.dx**2

    def _banded(self, kappa):
        # I − dt κ D as a banded matrix for scipy.linalg.solve_banded (symmetric: its own transpose)
        r = self.dt * kappa / self.dx**2
        ab = np.zeros((3, self.n))
        ab[0, 1:] = -r
        ab[1, :] = 1 + 2 * r
        ab[2, :-1] = -r
        return ab

    def _check(self, kappa, u0):
        u0 = np.asarray(u0, dtype=float)
        if u0.shape != (self.n,):
            raise InputError(f"the initial temperature u0 must have shape ({self.n},), got {u0.shape}")
        if not np.isfinite(kappa) or kappa <= 0:
            raise InputError(f"the diffusion coefficient kappa must be positive, got {kappa!r}")
        return float(kappa), u0

    def run(self, kappa, u0) -> np.ndarray:
        """The temperatures u^0 … u^M as an (M+1) × n array."""
        kappa, u0 = self._check(kappa, u0)
        U = np.zeros((self.steps + 1, self.n))
        U[0] = u0
        D = self.laplacian()
        for m in range(self.steps):
            if self.scheme == "explicit":
                U[m + 1] = U[m] + self.dt * kappa * (D @ U[m])
            else:
                U[m + 1] = scipy.linalg.solve_banded((1, 1), self._banded(kappa), U[m])
        return U

    def loss(self, kappa, u0) -> float:
        """J = ½ Δx Σ_j (u^M_j − target_j)²."""
        d = self.run(kappa, u0)[-1] - self.target
        return float(0.5 * self.dx * d @ d)


def heat_example(scheme: str = "explicit", n: int = 30, steps: int = 200, dt: float | None = None) -> tuple:
    """A heat problem and its inputs: ``(problem, kappa, u0)``.

    u0 is a bump plus a little of the second sine mode; the target is a flatter bump. For the explicit
    scheme dt defaults to 0.4 Δx² / κ_max with κ_max = 0.2, inside the stability limit.

    >>> problem, kappa, u0 = heat_example()
    >>> problem.n, problem.steps, kappa
    (30, 200, 0.1)
    """
    x = np.arange(1, n + 1) / (n + 1)
    if dt is None:
        dt = 0.4 * (1.0 / (n + 1)) ** 2 / 0.2
    target = 0.6 * np.sin(np.pi * x)
    u0 = np.sin(np.pi * x) + 0.5 * np.sin(2 * np.pi * x) + 0.3 * np.exp(-100 * (x - 0.3) ** 2)
    return Heat(n=n, steps=steps, dt=dt, target=target, scheme=scheme), 0.1, u0


@dataclass
class HeatGradient:
    """dJ/dκ, dJ/du⁰, and the fields, each (M+1)×n: ``U`` (temperatures), ``adjoint`` (∂J/∂u^m for each
    m) and ``multipliers`` (row m ≥ 1: λ^m of the constraint of step m; row 0: the multiplier of u⁰'s
    pin, dJ/du⁰). Explicit Euler: the two fields are equal. Implicit: λ^m = C⁻ᵀ ∂J/∂u^m."""

    kappa: float
    u0: np.ndarray
    U: np.ndarray
    adjoint: np.ndarray
    loss: float
    multipliers: np.ndarray | None = None


def heat_gradient(problem: Heat, kappa, u0) -> HeatGradient:
    """dJ/dκ and dJ/du⁰ from the Lagrangian's stationarity conditions (the adjoint runs backward in time).

    Explicit, L = J(u^M) − Σ_m λ^{m+1}·(u^{m+1} − B u^m), B = I + dt κ D:
        λ^M = ∇J,   λ^m = Bᵀ λ^{m+1},   dJ/dκ = Σ_m λ^{m+1}·(dt D u^m),   dJ/du⁰ = λ⁰.
    Implicit, L = J(u^M) − Σ_m λ^{m+1}·(C u^{m+1} − u^m), C = I − dt κ D:
        Cᵀ λ^M = ∇J,   Cᵀ λ^m = λ^{m+1},   dJ/dκ = Σ_m λ^{m+1}·(dt D u^{m+1}),   dJ/du⁰ = λ¹.
    The adjoint field returned is ∂J/∂u^m: λ^m (explicit), λ^{m+1} for m < M and ∇J for m = M (implicit).

    >>> problem, kappa, u0 = heat_example("implicit", n=10, steps=20)
    >>> grad = heat_gradient(problem, kappa, u0)
    >>> dkappa, du0 = heat_finite_difference(problem, kappa, u0)
    >>> abs(grad.kappa - dkappa) < 1e-6 * abs(dkappa), grad.adjoint.shape
    (True, (21, 10))
    """
    kappa, u0 = problem._check(kappa, u0)
    U = problem.run(kappa, u0)
    D = problem.laplacian()
    M, dt = problem.steps, problem.dt
    grad_J = problem.dx * (U[-1] - problem.target)
    adjoint = np.zeros_like(U)
    dkappa = 0.0
    if problem.scheme == "explicit":
        lam = grad_J
        adjoint[M] = lam
        for m in range(M - 1, -1, -1):  # backward in time
            dkappa += lam @ (dt * (D @ U[m]))  # λ^{m+1}·(dt D u^m)
            lam = lam + dt * kappa * (D.T @ lam)  # λ^m = Bᵀ λ^{m+1}
            adjoint[m] = lam
        du0 = lam
        multipliers = adjoint.copy()
    else:
        ab = problem._banded(kappa)
        adjoint[M] = grad_J
        multipliers = np.zeros_like(U)
        lam_next = scipy.linalg.solve_banded((1, 1), ab, grad_J)  # λ^M: Cᵀ λ^M = ∇J
        for m in range(M - 1, -1, -1):
            multipliers[m + 1] = lam_next
            dkappa += lam_next @ (dt * (D @ U[m + 1]))  # λ^{m+1}·(dt D u^{m+1})
            adjoint[m] = lam_next  # ∂J/∂u^m = λ^{m+1}
            if m > 0:
                lam_next = scipy.linalg.solve_banded((1, 1), ab, lam_next)  # Cᵀ λ^m = λ^{m+1}
        du0 = adjoint[0]
        multipliers[0] = du0  # u⁰'s pin: its multiplier is dJ/du⁰
    d = U[-1] - problem.target
    loss = float(0.5 * problem.dx * d @ d)
    return HeatGradient(float(dkappa), du0.copy(), U, adjoint, loss, multipliers)


def heat_finite_difference(problem: Heat, kappa, u0, h: float = 1e-6) -> tuple[float, np.ndarray]:
    """Central differences of J with respect to κ and to every u⁰_j (relative step for κ)."""
    kappa, u0 = problem._check(kappa, u0)
    hk = h * kappa
    dkappa = (problem.loss(kappa + hk, u0) - problem.loss(kappa - hk, u0)) / (2 * hk)
    return dkappa, _central_differences(lambda u: problem.loss(kappa, u), u0, h)


def heat_state_finite_difference(problem: Heat, kappa, u0, m: int, h: float = 1e-6) -> np.ndarray:
    """∂J/∂u^m by central differences: nudge one component of the state at time m, rerun the rest.

    An independent check of the adjoint field: the states before m are computed once, then the last
    M − m steps are rerun from u^m ± h e_j for every j. For explicit Euler it equals the multiplier
    λ^m; for implicit Euler it equals λ^{m+1} (and λ^m = C⁻ᵀ ∂J/∂u^m).

    >>> problem, kappa, u0 = heat_example("implicit", n=6, steps=10)
    >>> field = heat_gradient(problem, kappa, u0).adjoint
    >>> bool(np.allclose(heat_state_finite_difference(problem, kappa, u0, 4), field[4], rtol=1e-6))
    True
    """
    kappa, u0 = problem._check(kappa, u0)
    if isinstance(m, bool) or not isinstance(m, int) or not 0 <= m <= problem.steps:
        raise InputError(f"m must be a time step from 0 to {problem.steps}, got {m!r}")
    state = problem.run(kappa, u0)[m]
    rest = replace(problem, steps=problem.steps - m)
    return _central_differences(lambda u: rest.loss(kappa, u), state, h)


def _central_differences(f, x: np.ndarray, h: float) -> np.ndarray:
    """(f(x + h e_j) − f(x − h e_j)) / 2h for every component j of the vector x."""
    slope = np.zeros(x.size)
    for j in range(x.size):
        up, down = x.copy(), x.copy()
        up[j] += h
        down[j] -= h
        slope[j] = (f(up) - f(down)) / (2 * h)
    return slope


def heat_explicit_function(problem: Heat):
    """The explicit scheme as a Python function of (kappa, u0) with lagrange_ad's operations (u0 a 1×n row).

    Traced with :func:`~lagrange_ad.trace` it is an ordinary triangular computation, and its back substitution
    is the explicit adjoint.
    """
    if problem.scheme != "explicit":
        raise LagrangeADError("only the explicit scheme is a plain sequence of steps z_i = f_i(z_a(i))")
    D = problem.laplacian()

    def explicit(kappa, u0):
        u = u0
        for _ in range(problem.steps):
            u = u + (problem.dt * kappa) * (u @ D)  # D is symmetric: (D u)ᵀ = uᵀ D
        d = u - problem.target.reshape(1, -1)
        return 0.5 * problem.dx * t.sum(d * d)

    return explicit


@dataclass
class HeatSystem:
    """The heat Lagrangian on a tiny grid: the conditions ∂L/∂u = 0 as A λ = e (sympy), by time blocks."""

    L: sympy.Expr
    A: sympy.Matrix
    e: sympy.Matrix
    u: list  # u[m][j]
    lam: list  # lam[m][j], m = 1 … M (the constraint that makes u^m)
    kappa: sympy.Symbol


def heat_linear_system(n: int = 3, steps: int = 3, scheme: str = "explicit") -> HeatSystem:
    """Write L for the heat scheme with symbols, differentiate it, read A λ = e off ∂L/∂u^m = 0, m ≥ 1.

    Rows and columns are ordered by time (block m holds the n components at time m), so A's block
    structure shows how time steps couple. (u⁰ is pinned to the given initial condition.)

    >>> system = heat_linear_system(2, 2, "implicit")
    >>> system.A.shape
    (4, 4)
    """
    if scheme not in ("explicit", "implicit"):
        raise LagrangeADError(f"scheme must be 'explicit' or 'implicit', not {scheme!r}")
    kappa, r = sympy.symbols("kappa r", positive=True)  # r = dt / Δx²
    u = [[sympy.Symbol(f"u^{m}_{j + 1}") for j in range(n)] for m in range(steps + 1)]
    lam = [None] + [[sympy.Symbol(f"lambda^{m}_{j + 1}") for j in range(n)] for m in range(1, steps + 1)]
    target = [sympy.Symbol(f"y_{j + 1}") for j in range(n)]

    def second_difference(v, j):
        left = v[j - 1] if j > 0 else 0
        right = v[j + 1] if j < n - 1 else 0
        return left - 2 * v[j] + right

    J = sympy.Rational(1, 2) * sympy.Add(*[(u[steps][j] - target[j]) ** 2 for j in range(n)])
    terms = []
    for m in range(steps):
        for j in range(n):
            if scheme == "explicit":
                residual = u[m + 1][j] - (u[m][j] + r * kappa * second_difference(u[m], j))
            else:
                residual = (u[m + 1][j] - r * kappa * second_difference(u[m + 1], j)) - u[m][j]
            terms.append(lam[m + 1][j] * residual)
    L = J - sympy.Add(*terms)
    unknowns = [s for m in range(1, steps + 1) for s in lam[m]]
    conditions = [sympy.diff(L, u[m][j]) for m in range(1, steps + 1) for j in range(n)]
    A, e = sympy.linear_eq_to_matrix(conditions, unknowns)
    return HeatSystem(L, A, e, u, lam, kappa)
