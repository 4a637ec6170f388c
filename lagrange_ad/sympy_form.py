"""The sympy form of a computation's pieces: the symbols z_i, λ_i and p_i, and an expression's formula.

>>> symbols("z", 3, ()), symbols("lambda", 2, (1, 2))
(z_3, Matrix([[lambda_{2,11}, lambda_{2,12}]]))
>>> import lagrange_ad as lad
>>> to_sympy(lad.tanh(lad.Computation().input("x") * 2).node)
tanh(2*z_1)
"""

from __future__ import annotations

import re

import sympy

from .ops import Node, op_of

_RESERVED = re.compile(r"^(z|p|lambda|lam)_?\d+$")


def symbols(letter: str, index: int, shape: tuple):
    """z_i (or λ_i, with ``letter``) as sympy: a Symbol, or an ImmutableMatrix of component symbols."""
    # Plain symbols (no real=True, though it would make sympy faster on tanh): a reader who types
    # sympy.Symbol("z_3") in an exercise must get the very symbol the package uses.
    if not shape:
        return sympy.Symbol(f"{letter}_{index}")
    rows, cols = shape
    # z_{i,rc} reads well for small blocks; past 9 rows or columns "111" could be (1, 11) or (11, 1)
    sep = "," if max(rows, cols) > 9 else ""
    return sympy.ImmutableMatrix(rows, cols, lambda r, c: sympy.Symbol(f"{letter}_{{{index},{r + 1}{sep}{c + 1}}}"))


def parameter_symbols(name: str, index: int, shape: tuple):
    """The value p_i an input is pinned to, named after the input (``p_i`` if its name looks like a z or λ)."""
    base = name if not _RESERVED.match(name) else f"p_{index}"
    if not shape:
        return sympy.Symbol(base)
    rows, cols = shape
    return sympy.ImmutableMatrix(rows, cols, lambda r, c: sympy.Symbol(f"{base}_{{{r + 1},{c + 1}}}"))


def to_sympy(node: Node, memo=None):
    """The sympy form of an expression node, written in the components of the steps it reads."""
    memo = {} if memo is None else memo
    key = id(node)
    if key in memo:
        return memo[key]
    if node.op == "z":
        out = symbols("z", node.data, node.shape)
    elif node.op == "const":
        out = sympy.ImmutableMatrix(node.data) if node.shape else sympy.Float(node.data)
        if not node.shape and float(node.data).is_integer():
            out = sympy.Integer(int(node.data))
    else:
        out = op_of(node).symbolic(*[to_sympy(a, memo) for a in node.args])
    memo[key] = out
    return out
