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
from dataclasses import dataclass, field
from functools import cached_property

import sympy

from .cache import derived
from .computation import Computation, Step, require_computation
from .errors import DefinitionError, UnsupportedValueError
from .sympy_form import symbols
from .usage import note


def multiplier_symbol(step: Step | Computation, i: int | None = None):
    """λ_i as sympy: a Symbol, or an ImmutableMatrix of component symbols ``λ_{i,rc}``.

    Give the step, or the computation and i (numbered from 1, as in the book). The numbers λ_i at given
    inputs are :func:`~lagrange_ad.multiplier_values`. ``multiplier`` is the older name of this function.

    >>> import lagrange_ad as lad
    >>> comp = lad.trace(lambda x: lad.exp(x), "x")
    >>> multiplier_symbol(comp, 2), multiplier_symbol(comp.step(1))
    (lambda_2, lambda_1)
    """
    if isinstance(step, Computation):
        if i is None:
            raise DefinitionError("multiplier_symbol(comp, i) needs the index i of the step (from 1)")
        step = step.step(i)
    elif not isinstance(step, Step):
        raise UnsupportedValueError(
            f"multiplier_symbol needs a step (comp.step(i)) or a Computation and an index, not a "
            f"{type(step).__name__}"
        )
    elif i is not None:
        raise DefinitionError("give a step, or a computation and an index, not a step and an index")
    return symbols("lambda", step.index, step.shape)


multiplier = multiplier_symbol  # the older name, which the chapters use


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
    require_computation(comp, "lagrangian_terms")
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
    require_computation(comp, "lagrangian")
    terms = lagrangian_terms(comp)
    return derived(comp, "lagrangian", lambda: sympy.Add(comp.output.symbol, *[t.expr for t in terms]))


def lagrangian_variables(comp: Computation) -> list[sympy.Symbol]:
    """The variables of L for a computation of scalar steps: λ_1 … λ_n, then z_1 … z_n.

    >>> import lagrange_ad as lad
    >>> lagrangian_variables(lad.trace(lambda x: lad.exp(x), "x"))
    [lambda_1, lambda_2, z_1, z_2]
    """
    require_computation(comp, "lagrangian_variables")
    shaped = [s for s in comp.steps if s.shape]
    if shaped:  # one entry per component would be hundreds
        raise UnsupportedValueError(
            f"z_{shaped[0].index} is a matrix: differentiating L by one variable works for computations of "
            "scalar steps"
        )
    return [multiplier_symbol(s) for s in comp.steps] + [s.symbol for s in comp.steps]


def lagrangian_derivative(comp: Computation, variable) -> sympy.Expr:
    """∂L/∂v for one variable v of L (a λ_i or a z_i, a symbol or its name), by sympy.diff of L.

    The stationarity conditions set these derivatives to zero; this gives one of them on its own.

    >>> import lagrange_ad as lad
    >>> comp = lad.trace(lambda x: lad.exp(x), "x")
    >>> lagrangian_derivative(comp, "z_1")
    -lambda_1 + lambda_2*exp(z_1)
    >>> lagrangian_derivative(comp, "lambda_2")
    -z_2 + exp(z_1)
    """
    variables = {str(v): v for v in lagrangian_variables(comp)}
    v = variables.get(str(variable))
    if v is None:
        n = len(comp)
        raise DefinitionError(
            f"{variable!r} is not a variable of L: they are lambda_1 … lambda_{n} and z_1 … z_{n}"
        )
    return sympy.diff(lagrangian(comp), v)


@dataclass
class StationarityConditions:
    """The conditions ∂L/∂v = 0, grouped as in the source post. Iterating yields every equation."""

    wrt_lambda: list = field(default_factory=list)  # ∂L/∂λ_i = 0: the constraints z_i = f_i
    wrt_output: list = field(default_factory=list)  # ∂L/∂z_n = 0
    wrt_z: list = field(default_factory=list)  # ∂L/∂z_i = 0, i < n
    by_step: dict = field(default_factory=dict)  # step index -> its ∂L/∂z equations
    variables: list = field(default_factory=list)  # the z components, in the order of the rows of A
    lambda_by_step: dict = field(default_factory=dict)  # step index -> its ∂L/∂λ equations

    def dz(self, i: int):
        """∂L/∂z_i = 0 for step i, numbered from 1 as in the book: one equation for a scalar z_i, a list (one
        per component, row by row) for a matrix. ``conds.dz(i)`` is ``conds.wrt_z[i - 1]`` for a scalar i < n.

        >>> import lagrange_ad as lad
        >>> lad.stationarity_conditions(lad.trace(lambda x: lad.exp(x), "x")).dz(1)
        Eq(-lambda_1 + lambda_2*exp(z_1), 0)
        """
        return _one_or_all(self.by_step, i)

    def dlambda(self, i: int):
        """∂L/∂λ_i = 0 for step i (from 1): the constraint z_i = f_i, as :meth:`dz` gives ∂L/∂z_i = 0.

        >>> import lagrange_ad as lad
        >>> lad.stationarity_conditions(lad.trace(lambda x: lad.exp(x), "x")).dlambda(2)
        Eq(-z_2 + exp(z_1), 0)
        """
        return _one_or_all(self.lambda_by_step, i)

    def __iter__(self):
        return iter(self.wrt_lambda + self.wrt_z + self.wrt_output)

    def __len__(self):
        return len(self.wrt_lambda) + len(self.wrt_z) + len(self.wrt_output)


def _one_or_all(by_step: dict, i: int):
    if isinstance(i, bool) or i not in by_step:
        raise DefinitionError(f"there is no step z_{i}: the steps are numbered 1 to {len(by_step)}")
    eqs = by_step[i]
    return eqs[0] if len(eqs) == 1 else list(eqs)


def stationarity_conditions(comp: Computation) -> StationarityConditions:
    """Differentiate L with respect to every λ and every z; return the equations ∂L/∂v = 0.

    Differentiation is linear, so ∂L/∂v is the sum of the derivatives of the terms of L that contain v;
    the other terms contribute zero. Differentiating only those keeps the cost proportional to the
    number of edges of the computation instead of (number of variables) × (size of L).
    """
    note("stationarity_conditions")
    require_computation(comp, "stationarity_conditions")
    comp.output  # noqa: B018 - checks that z_n exists and is a scalar
    conds = derived(comp, "conditions", lambda: _conditions(comp))
    return StationarityConditions(  # a fresh copy of the lists: the caller may change them
        list(conds.wrt_lambda),
        list(conds.wrt_output),
        list(conds.wrt_z),
        {i: list(eqs) for i, eqs in conds.by_step.items()},
        list(conds.variables),
        {i: list(eqs) for i, eqs in conds.lambda_by_step.items()},
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
        eq = sympy.Eq(d_l(t.lam), 0, evaluate=False)
        conds.wrt_lambda.append(eq)
        conds.lambda_by_step.setdefault(t.step, []).append(eq)
    n = comp.output.index
    for step in comp.steps:
        eqs = [sympy.Eq(d_l(z), 0, evaluate=False) for z in _components(step.symbol)]
        conds.by_step[step.index] = eqs
        conds.variables.extend(_components(step.symbol))
        (conds.wrt_output if step.index == n else conds.wrt_z).extend(eqs)
    return conds
