"""A computation lowered once into flat lists of operations: what the numeric engines run.

Each step's expression is lowered to its nodes in postorder (:func:`step_entries`), each node an entry
``(op, ref, argument positions, needs, shape)``; a whole computation, with which λ's must be passed back,
is a :class:`Plan`. The numpy engine (:mod:`lagrange_ad.numeric`) runs a plan forward and backward from any
seed; the float tape (:mod:`lagrange_ad.tape`) is lowered from the same entries (a traced step kept lean
already is a tape instruction); :func:`lagrange_ad.solvers.operation_counts` counts a plan's entries.

>>> import lagrange_ad as lad
>>> comp = lad.trace(lambda x: lad.exp(2.0 * x), "x")
>>> [(e[0] if isinstance(e[0], str) else e[0].name, e[1], e[2]) for e in plan_of(comp).steps[3]]
[('z', 2, ()), ('exp', None, (0,))]
"""

from __future__ import annotations

from typing import NamedTuple

from .arrays import np
from .cache import derived
from .ops import Node, op_of, postorder

# a constant of the numpy engine is a numpy number, not a Python float: 1/0 must give inf there, not raise
# (without numpy only the float tape runs, and it takes a float)
_CONSTANT = np.float64 if np is not None else float

# What a plan's entry is, besides an operation: a z read by the step, or a constant.
Z, CONST = "z", "const"


def step_entries(node: Node, live: list | None = None) -> list[tuple]:
    """The entries of one step's expression, in postorder; the last one is f_i itself.

    An entry is ``(op, ref, argument positions, needs, shape)``: ``op`` is an :class:`~lagrange_ad.ops.Op`,
    ``Z`` (``ref``: the step index read) or ``CONST`` (``ref``: the number); ``needs[j]`` says whether
    argument j must receive a gradient: whether it reads a z whose ``live`` flag is set (every z, for
    ``live=None``); a constant never needs one.
    """
    position: dict = {}
    reaches: dict = {}  # node -> it reads a live z: children come first in postorder, so one pass
    entries = []
    for p, n in enumerate(postorder(node)):
        key = n  # hashed by identity
        position[key] = p
        if n.op == "z":
            reaches[key] = live is None or live[n.data]
            entries.append((Z, n.data, (), (), n.shape))
        elif n.op == "const":
            reaches[key] = False
            entries.append((CONST, n.data if n.shape else _CONSTANT(n.data), (), (), n.shape))
        else:
            args = tuple([position[a] for a in n.args])
            needs = tuple([reaches[a] for a in n.args])
            reaches[key] = any(needs)
            entries.append((op_of(n), None, args, needs, n.shape))
    return entries


class Plan(NamedTuple):
    """How to run a computation on numpy, worked out once per computation and ``wrt``.

    ``steps[i]`` is None for an input; for z_i = f_i(...) it is :func:`step_entries` of f_i. ``live[i]``:
    λ_i must be computed and passed on. The forward pass (:func:`lagrange_ad.numeric.run_forward`), the
    backward pass from any seed (:func:`lagrange_ad.numeric.pull_back`), the Jacobian blocks of A
    (:func:`lagrange_ad.solvers.jacobian_blocks`: unit seeds) and the operation counts all walk a plan.
    """

    inputs: list  # the input Steps
    steps: list
    shapes: list
    live: list


def inputs_of(comp) -> list:
    """The input Steps of ``comp`` (kept: comp.inputs looks at every step, too slow for every gradient)."""
    return derived(comp, "inputs", lambda: comp.inputs)


def _plan(comp, wanted: set | None) -> Plan:
    """The plan for λ's reaching the inputs named in ``wanted`` (None: every λ, as multipliers needs).

    λ_k is passed on only to z_a(k); so it can reach a wanted input only if z_k depends on one, through
    a(k) and the a's of those steps: ``live[k]``, found in one pass over the steps in order. An argument
    of an operation needs a gradient only if it depends on a live z (a constant never does).
    """
    n = len(comp)
    live = [False] * (n + 1)
    steps: list = [None] * (n + 1)
    shapes: list = [()] * (n + 1)
    for step in comp.steps:
        i = step.index
        shapes[i] = step.shape
        if step.is_input:
            live[i] = wanted is None or step.name in wanted
            continue
        live[i] = wanted is None or any(live[j] for j in comp.a(i))
        steps[i] = step_entries(step.node, live)
    return Plan(inputs_of(comp), steps, shapes, live)


def plan_of(comp, wrt: list | None = None) -> Plan:
    """The plan of ``comp`` (every λ; or those reaching the input Steps ``wrt``), made once and kept."""
    if wrt is None:
        return derived(comp, "numeric plan", lambda: _plan(comp, None))
    names = sorted(s.name for s in wrt)
    return derived(comp, f"numeric plan wrt={names}", lambda: _plan(comp, set(names)))
