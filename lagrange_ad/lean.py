"""Lean steps: how a trace keeps its scalar steps until someone asks for Steps (private to lagrange_ad).

Tracing scalar code makes one step per operation, and most traced computations are only ever differentiated
numerically. So a traced step ``z_i = op(z_a, z_b)`` of scalars is kept as the plain tuple

    ``(op, i, a, b, flags)``

a line of a Wengert list (the oldest form of an AD trace) and, nearly, an instruction of the float tape
(:mod:`lagrange_ad.tape`):

* ``op``: the operation on floats, a :data:`~lagrange_ad.floats.FloatOp` ``(code, f, df, name)``;
* ``i``: the index of the step;
* ``a``, ``b``: the arguments, each a step index (> 0) or a constant of the trace (< 0: ``-k`` is the k-th
  number of the computation's ``_constants``); ``b = 0`` for an operation of one argument;
* ``flags``: 0 here; in a tape instruction, which arguments are constants (1: ``a``, 2: ``b``).

This module is the only one that writes or reads that layout. A :class:`~lagrange_ad.Computation` keeps
its lean steps in the plain list ``_lean`` and their numbers in ``_constants`` (plain lists: a list
subclass made tracing 12 % slower), and turns them into :class:`~lagrange_ad.Step` s (:func:`step_nodes`)
the first time anyone looks at its steps; the tape takes :func:`instructions` without making a Step.
Tracing costs about a microsecond a step this way, instead of twenty. A plain tuple, not a NamedTuple:
the tape unpacks one per instruction, and CPython unpacks exact tuples fastest.

>>> import lagrange_ad as lad
>>> comp = lad.trace(lambda x: 3.0 * x, "x")
>>> [ins[1:] for ins in comp._lean], comp._constants
([(2, -1, 1, 0)], [3.0])
>>> comp.steps[1].formula
3*z_1
"""

from __future__ import annotations

from .ops import Node
from .values import Value

_new = object.__new__


def constant(comp, number: float) -> int:
    """Number a constant of ``comp``'s lean steps: -1 for the first, -2 for the second..."""
    comp._constants.append(number)
    return -len(comp._constants)


def _node(a: int, constants: list) -> Node:
    return Node("z", (), (), a) if a > 0 else Node("const", (), (), constants[-a - 1])


def step_nodes(lean: list, constants: list):
    """``(i, the expression f_i as a Node)`` for each lean step, in order."""
    for (_, _, _, name), index, a, b, _ in lean:
        x = _node(a, constants)  # b is 0 for an operation of one argument
        # x * x reads one node twice, as the general path builds it (numbers then add up in the same order)
        yield index, Node(name, (x, x if b == a else _node(b, constants)) if b else (x,), ())


def instructions(lean: list, base: int):
    """The lean steps as tape instructions, constant -k read from slot ``base + k``.

    Not left at -k (Python would read it from the end of the list): CPython's fast path for list[i] takes
    only i >= 0, and the tape's loops ran 17 % slower without it. ``flags`` says which arguments are
    constants, whose derivative must not be asked for (x ** 2 at x < 0 has no log(x)).
    """
    for ins in lean:
        op, out, a, b, _ = ins
        if a > 0 and b >= 0:
            yield ins
        else:
            yield op, out, a if a >= 0 else base - a, b if b >= 0 else base - b, (a < 0) | (b < 0) << 1


def record(comp, op, a: int, b: int = 0) -> Value:
    """Add the traced step ``z_i = op(a, b)`` (or ``op(a)``) of scalars to ``comp``, kept lean; return z_i.

    The fast path of tracing (:class:`~lagrange_ad.Computation` has it as its method ``_record``). ``op`` is
    the operation on floats; ``a`` and ``b`` are step indices of scalar z's, or constants numbered by
    :func:`constant`. The caller has checked them, so nothing is validated here.
    """
    lean = comp._lean
    index = len(comp._steps) + len(lean) + 1
    if comp.max_steps is not None and index > comp.max_steps:
        comp._check_limit(index)
    lean.append((op, index, a, b, 0))
    value = _new(Value)  # Value(comp, None, index), a third cheaper: this runs once per operation
    value.comp, value._node, value._z = comp, None, index
    return value
