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

import functools
import operator
import weakref
from dataclasses import dataclass, field
from functools import cached_property

import sympy

from .computation import Computation, Step, _symbols
from .tracing import building
from .usage import note

# Results already derived, per computation. A step never changes once it is added, so a result stays valid
# until the computation grows. Keeping them means L's terms, the conditions and A are derived once each,
# although linear_system needs the conditions and back_substitution needs A: deriving them again on every
# call made the pipeline cost several times over, and sympy's own cache (1000 entries) stops hiding that
# once a computation has a few hundred steps.
_DERIVED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def derived(comp: Computation, what: str, derive):
    """``derive()``, computed once per computation and number of steps.

    The value must not refer to ``comp`` (no Step: a step refers to its computation), so that what is kept
    here never keeps a computation alive:

    >>> import gc, weakref
    >>> import lagrange_ad as lad
    >>> comp = lad.trace(lambda x, w: lad.tanh(w * x), "x w")
    >>> _ = lad.gradient(comp, {"x": 1.0, "w": 2.0}), list(lad.back_substitution(comp)), lad.lagrangian(comp)
    >>> alive = weakref.ref(comp)
    >>> del comp
    >>> _ = gc.collect()
    >>> alive() is None
    True
    """
    store = _DERIVED.setdefault(comp, {})
    n = len(comp)
    if what not in store or store[what][0] != n:
        with building():
            store[what] = (n, derive())
    return store[what][1]


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
    f: sympy.Expr = None  # f (or p); None: read it off the residual

    @cached_property
    def expr(self) -> sympy.Expr:
        return -self.lam * self.residual

    def diff(self, v: sympy.Symbol) -> sympy.Expr:
        """∂(term)/∂v, for a v the term contains: the product rule, then the sum rule, then sympy.

        The term is −λ·(z − f) and λ occurs only as that factor, so ∂/∂λ = −(z − f) and, for any other v,
        ∂/∂v = −λ·∂(z − f)/∂v, where ∂z/∂v is 1 or 0 (f never contains its own z: a step cannot read
        itself) and ∂f/∂v comes from sympy. These are the expressions sympy.diff of the whole term gives.
        """
        if v == self.lam:
            return -self.residual
        if v == self.z:
            return -self.lam
        f = self.z - self.residual if self.f is None else self.f
        return -self.lam * -_derivative(f, v)


def _derivative(f: sympy.Expr, v: sympy.Symbol) -> sympy.Expr:
    """∂f/∂v by sympy's own rules: for a sum and a product as sympy writes them, else the rule of f's
    outermost operation (``_eval_derivative``: the chain rule for tanh, exp...).

    This is what sympy.diff(f, v) computes, without one step it takes at every level: asking sympy's
    assumption system whether the piece just found is zero. For tanh, exp, sin... of a new expression
    that question took 5–15 ms in sympy 1.14 (a second for tanh of a 20-term sum), most of the pipeline's
    time; the answer never changes the result.
    """
    if f.is_Add:
        return sympy.Add(*[_derivative(a, v) for a in f.args])
    if f.is_Mul:  # the product rule, as sympy's Mul._eval_derivative
        args = list(f.args)
        terms = []
        for i, a in enumerate(args):
            d = _derivative(a, v)
            if d != 0:
                terms.append(functools.reduce(operator.mul, args[:i] + [d] + args[i + 1 :], sympy.S.One))
        return sympy.Add(*terms)
    d = f._eval_derivative(v)
    return sympy.diff(f, v) if d is None else d


def lagrangian_terms(comp: Computation) -> list[Term]:
    """The constraint terms of L, component by component (L = z_n + Σ term.expr)."""
    comp.output  # noqa: B018 - checks that z_n exists and is a scalar
    return list(derived(comp, "terms", lambda: _terms(comp)))


def _terms(comp: Computation) -> list[Term]:
    comp._check_symbolic_size()  # before building any symbol: a large computation fails fast
    terms = []
    for step in comp.steps:
        target = step.parameter if step.is_input else step.formula
        parts = zip(_components(multiplier(step)), _components(step.symbol), _components(target), strict=True)
        for lam, z, f in parts:
            terms.append(Term(step.index, lam, z, z - f, f))
    return terms


def lagrangian(comp: Computation) -> sympy.Expr:
    """L(z, λ) = z_n − Σ_i λ_i (z_i − f_i(z_a(i))), with inputs pinned by z_i = p_i.

    For matrix-valued steps the product λ_i (z_i − f_i) is the sum over components.
    """
    terms = lagrangian_terms(comp)
    return derived(comp, "lagrangian", lambda: sympy.Add(comp.output.symbol, *[t.expr for t in terms]))


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
    note("stationarity_conditions")
    comp.output  # noqa: B018 - checks that z_n exists and is a scalar
    conds = derived(comp, "conditions", lambda: _conditions(comp))
    return StationarityConditions(  # a fresh copy of the lists: the caller may change them
        list(conds.wrt_lambda),
        list(conds.wrt_output),
        list(conds.wrt_z),
        {i: list(eqs) for i, eqs in conds.by_step.items()},
        list(conds.variables),
    )


def _conditions(comp: Computation) -> StationarityConditions:
    terms = lagrangian_terms(comp)
    output = comp.output.symbol
    containing: dict[sympy.Symbol, list[Term]] = {}
    for t in terms:
        for sym in t.expr.free_symbols:
            containing.setdefault(sym, []).append(t)

    def d_l(v):
        parts = [t.diff(v) for t in containing.get(v, [])]
        if v == output:
            parts.append(_derivative(output, v))  # L's first term, z_n (sympy.diff: a millisecond for 1)
        return sympy.Add(*parts)

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
