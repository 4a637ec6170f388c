"""The Lagrangian of a computation and its stationarity conditions.

For steps ``z_i = f_i(z_a(i))`` with result ``z_n``, and inputs pinned by ``z_i = p_i``,

    L(z, λ) = z_n − Σ_i λ_i (z_i − f_i(z_a(i))).

The stationarity conditions are obtained by *differentiating L* with sympy, never from a formula written
in advance; they come in the three groups of the source post: ∂L/∂λ_i = 0 (the constraints), ∂L/∂z_n = 0
(the result) and ∂L/∂z_i = 0 for i < n.

>>> import lagrange_ad as lad
>>> comp = lad.trace(lambda x, w: lad.tanh(w * x), "x w")
>>> lad.lagrangian(comp)
-lambda_1*(-x + z_1) - lambda_2*(-w + z_2) - lambda_3*(-z_1*z_2 + z_3) - lambda_4*(z_4 - tanh(z_3)) + z_4
>>> conds = lad.stationarity_conditions(comp)
>>> conds.wrt_output
[Eq(1 - lambda_4, 0)]
>>> conds.wrt_z[2]
Eq(-lambda_3 - lambda_4*(tanh(z_3)**2 - 1), 0)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy

from .computation import Computation, Step, _symbols


def multiplier(step: Step):
    """λ_i as sympy: a Symbol, or an ImmutableMatrix of component symbols ``λ_{i,rc}``."""
    return _symbols("lambda", step.index, step.shape)


def _components(x) -> list:
    return list(x) if isinstance(x, sympy.MatrixBase) else [x]


@dataclass
class Term:
    """One constraint term ``−λ (z − f)`` of L, for one scalar component of one step."""

    step: int
    lam: sympy.Symbol
    z: sympy.Symbol
    residual: sympy.Expr  # z − f (or z − p for an input)

    @property
    def expr(self) -> sympy.Expr:
        return -self.lam * self.residual


def lagrangian_terms(comp: Computation) -> list[Term]:
    """The constraint terms of L, component by component (L = z_n + Σ term.expr)."""
    comp.output  # noqa: B018 - checks that z_n exists and is a scalar
    comp._check_symbolic_size()  # before building any symbol: a large computation fails fast
    terms = []
    for step in comp.steps:
        target = step.parameter if step.is_input else step.formula
        parts = zip(_components(multiplier(step)), _components(step.symbol), _components(target), strict=True)
        for lam, z, f in parts:
            terms.append(Term(step.index, lam, z, z - f))
    return terms


def lagrangian(comp: Computation) -> sympy.Expr:
    """L(z, λ) = z_n − Σ_i λ_i (z_i − f_i(z_a(i))), with inputs pinned by z_i = p_i.

    For matrix-valued steps the product λ_i (z_i − f_i) is the sum over components.
    """
    return sympy.Add(comp.output.symbol, *[t.expr for t in lagrangian_terms(comp)])


@dataclass
class StationarityConditions:
    """The conditions ∂L/∂v = 0, grouped as in the source post. Iterating yields every equation."""

    wrt_lambda: list = field(default_factory=list)  # ∂L/∂λ_i = 0: the constraints z_i = f_i
    wrt_output: list = field(default_factory=list)  # ∂L/∂z_n = 0
    wrt_z: list = field(default_factory=list)  # ∂L/∂z_i = 0, i < n
    by_step: dict = field(default_factory=dict)  # step index -> its ∂L/∂z equations
    variables: list = field(default_factory=list)  # the z components, in the order of the rows of A

    def __iter__(self):
        return iter(self.wrt_lambda + self.wrt_z + self.wrt_output)

    def __len__(self):
        return len(self.wrt_lambda) + len(self.wrt_z) + len(self.wrt_output)


def stationarity_conditions(comp: Computation) -> StationarityConditions:
    """Differentiate L with respect to every λ and every z; return the equations ∂L/∂v = 0.

    Differentiation is linear, so ∂L/∂v is the sum of the derivatives of the terms of L that contain v;
    the other terms contribute zero. Differentiating only those keeps the cost proportional to the
    number of edges of the computation instead of (number of variables) × (size of L).
    """
    terms = lagrangian_terms(comp)
    output = comp.output.symbol
    whole = [output] + [t.expr for t in terms]
    containing: dict[sympy.Symbol, list[int]] = {}
    for k, term in enumerate(whole):
        for sym in term.free_symbols:
            containing.setdefault(sym, []).append(k)

    def d_l(v):
        return sympy.Add(*[sympy.diff(whole[k], v) for k in containing.get(v, [])])

    conds = StationarityConditions()
    for t in terms:
        conds.wrt_lambda.append(sympy.Eq(d_l(t.lam), 0, evaluate=False))
    n = comp.output.index
    for step in comp.steps:
        eqs = [sympy.Eq(d_l(z), 0, evaluate=False) for z in _components(step.symbol)]
        conds.by_step[step.index] = eqs
        conds.variables.extend(_components(step.symbol))
        (conds.wrt_output if step.index == n else conds.wrt_z).extend(eqs)
    return conds
