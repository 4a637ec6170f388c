"""A tape small enough to write yourself: record z_i = f_i(z_a(i)), then solve A λ = e without forming A.

Each step keeps its value, the steps it reads (a(i)) and the local partials ∂f_i/∂z_k — the
entries of column i of A. The reverse sweep visits the steps newest first and adds each step's
contribution λ_i ∂f_i/∂z_k to λ_k: one pass of back substitution. Indices start at 1, as in the
book (slot 0 of every list is unused).

>>> tape = Tape()
>>> x, y = tape.input(0.5), tape.input(2.0)
>>> out = x * y + tanh(x)
>>> lam = backward(tape)
>>> round(lam[x.i], 6), round(lam[y.i], 6)
(2.786448, 0.5)

The module also holds the three classic mistakes, each a runnable wrong sweep
(:func:`backward_assign`, :func:`backward_recursive`, :func:`backward_creation_order`), and the
right sweep for a graph whose numbering is not an order of evaluation (:func:`backward_graph`).
"""

from __future__ import annotations

import math

from . import values as elementary
from .errors import LagrangeADError
from .usage import note

__all__ = [
    "Tape", "Var", "tanh", "exp", "sin", "backward",
    "backward_assign", "backward_recursive", "backward_creation_order",
    "topological_order", "backward_graph", "as_graph", "renumbered", "run",
]  # fmt: skip


class Tape:
    """The recorded steps: ``values[i]``, ``args[i]`` (a(i)) and ``partials[i]`` (∂f_i/∂z_k, k in a(i)).

    ``ops[i]`` names the operation, for pictures only; the sweep never reads it.
    """

    def __init__(self):
        self.values, self.args, self.partials, self.ops = [None], [()], [()], [""]

    def push(self, value, args=(), partials=(), op=""):
        """Record z_i = value reading ``args`` with local partials ``partials``; return it as a Var."""
        self.values.append(float(value))
        self.args.append(tuple(args))
        self.partials.append(tuple(partials))
        self.ops.append(op)
        return Var(self, len(self.values) - 1)

    def input(self, value):
        """An input: a step with no arguments."""
        return self.push(value, op="input")

    def __len__(self):
        return len(self.values) - 1


class Var:
    """Step ``i`` of a tape; arithmetic on it records new steps."""

    def __init__(self, tape, i):
        self.tape, self.i = tape, i

    @property
    def value(self):
        return self.tape.values[self.i]

    # A number beside a Var is a constant inside the step (as in lad.trace), not a step of its own.
    def __add__(self, other):
        if not isinstance(other, Var):
            return self.tape.push(self.value + other, (self.i,), (1.0,), "+")
        return self.tape.push(self.value + other.value, (self.i, other.i), (1.0, 1.0), "+")

    def __mul__(self, other):
        if not isinstance(other, Var):
            return self.tape.push(self.value * other, (self.i,), (float(other),), "×")
        return self.tape.push(self.value * other.value, (self.i, other.i), (other.value, self.value), "×")

    def __sub__(self, other):
        if not isinstance(other, Var):
            return self.tape.push(self.value - other, (self.i,), (1.0,), "−")
        return self.tape.push(self.value - other.value, (self.i, other.i), (1.0, -1.0), "−")

    def __rsub__(self, other):
        return self.tape.push(other - self.value, (self.i,), (-1.0,), "−")

    def __neg__(self):
        return self.tape.push(-self.value, (self.i,), (-1.0,), "−")

    __radd__, __rmul__ = __add__, __mul__


def _traced(name, v):
    # a traced lad value (or a number): the same program then runs under lad.trace too
    return getattr(elementary, name)(v)


def tanh(v):
    """tanh of a step; on anything but a Var, lagrange_ad's tanh (so programs also trace)."""
    if not isinstance(v, Var):
        return _traced("tanh", v)
    t = math.tanh(v.value)
    return v.tape.push(t, (v.i,), (1.0 - t * t,), "tanh")


def exp(v):
    if not isinstance(v, Var):
        return _traced("exp", v)
    e = math.exp(v.value)
    return v.tape.push(e, (v.i,), (e,), "exp")


def sin(v):
    if not isinstance(v, Var):
        return _traced("sin", v)
    return v.tape.push(math.sin(v.value), (v.i,), (math.cos(v.value),), "sin")


def backward(tape):
    """λ_1 … λ_n in one sweep, newest step first.

    λ_n = 1; then step i passes λ_i ∂f_i/∂z_k to each argument k.
    """
    note("backward")  # grading can refuse this sweep in an exercise
    n = len(tape)
    lam = [0.0] * (n + 1)
    lam[n] = 1.0
    for i in range(n, 0, -1):
        for k, d in zip(tape.args[i], tape.partials[i], strict=True):
            lam[k] += lam[i] * d  # += : z_k may be read by several steps
    return lam


# ---- the classic mistakes: each runs, each returns a wrong λ on some program -------------------------


def backward_assign(tape):
    """Mistake 1: ``=`` instead of ``+=``. A z read by two steps keeps only the last contribution."""
    n = len(tape)
    lam = [0.0] * (n + 1)
    lam[n] = 1.0
    for i in range(n, 0, -1):
        for k, d in zip(tape.args[i], tape.partials[i], strict=True):
            lam[k] = lam[i] * d
    return lam


def backward_recursive(tape):
    """Mistake 2: a recursive walk from the output that pushes a node's λ
    down every time it arrives.

    A node reached along two paths passes its λ on twice, the first time
    before it is complete, so everything below it counts the first path twice.
    """
    lam = [0.0] * (len(tape) + 1)
    lam[len(tape)] = 1.0

    def walk(i):
        for k, d in zip(tape.args[i], tape.partials[i], strict=True):
            lam[k] += lam[i] * d
            walk(k)

    walk(len(tape))
    return lam


def backward_creation_order(graph, output):
    """Mistake 3: sweep a graph in the reverse of its numbering, which is an order of evaluation only
    when steps were created after what they read. ``graph`` maps step → (args, partials)."""
    lam = dict.fromkeys(graph, 0.0)
    lam[output] = 1.0
    for i in sorted(graph, reverse=True):
        for k, d in zip(*graph[i], strict=True):
            lam[k] += lam[i] * d
    return lam


# ---- the right sweep for any numbering --------------------------------------------------------------


def topological_order(graph, output):
    """The steps the output depends on, each after every step it reads (depth first, each visited once)."""
    note("topological_order")
    order, seen = [], set()

    def visit(i):
        if i in seen:
            return
        seen.add(i)
        for k in graph[i][0]:
            visit(k)
        order.append(i)

    visit(output)
    return order


def backward_graph(graph, output):
    """λ for a graph numbered in any order: sweep the reverse of a topological order.

    >>> graph = {1: ((), ()), 3: ((1,), (2.0,)), 2: ((3, 1), (1.0, 1.0))}   # z3 = 2 z1, z2 = z3 + z1
    >>> backward_graph(graph, 2)[1], backward_creation_order(graph, 2)[1]
    (3.0, 1.0)
    """
    note("backward_graph")
    lam = dict.fromkeys(graph, 0.0)
    lam[output] = 1.0
    for i in reversed(topological_order(graph, output)):
        for k, d in zip(*graph[i], strict=True):
            lam[k] += lam[i] * d
    return lam


def as_graph(tape):
    """The tape as a graph ``{i: (args, partials)}`` (its own numbering)."""
    return {i: (tape.args[i], tape.partials[i]) for i in range(1, len(tape) + 1)}


def renumbered(graph, new_number):
    """The same graph with step i called ``new_number[i]``: what a graph built out of order looks like."""
    if sorted(new_number) != sorted(graph) or len(set(new_number.values())) != len(graph):
        raise LagrangeADError("new_number must give every step of the graph a different number")
    return {new_number[i]: (tuple(new_number[k] for k in args), d) for i, (args, d) in graph.items()}


def run(program, values, sweep=backward):
    """Record ``program`` (a function of Vars that uses ``+ - *`` and this module's tanh, exp, sin)
    at ``values`` and return the input λ's as ``{name: λ}`` computed by ``sweep``.

    >>> run(lambda x, y: x * y, {"x": 3.0, "y": 4.0})
    {'x': 4.0, 'y': 3.0}
    """
    tape = Tape()
    inputs = {name: tape.input(v) for name, v in values.items()}
    out = program(*inputs.values())
    if not isinstance(out, Var) or out.i != len(tape):
        raise LagrangeADError("the program must return the last step it recorded (a Var of the tape)")
    lam = sweep(tape)
    return {name: lam[v.i] for name, v in inputs.items()}
