"""How the book prints a computation: LaTeX of an expression with whole steps as symbols, and the Markdown
table of the steps (the one table, which :func:`lagrange_ad.show.steps_table` also gives as HTML).

>>> import lagrange_ad as lad
>>> print(to_tex(lad.tanh(lad.Computation().input("x") * 0.5).node))
\\tanh\\left(0.5\\, z_{1}\\right)
"""

from __future__ import annotations

import re

import sympy

from .ops import Node, op_of


def tex_name(name: str) -> str:
    """An input's name as LaTeX: ``x1`` as x_{1}, a longer name upright."""
    m = re.match(r"^([A-Za-z]+)_?(\d+)$", name)
    if m:
        return f"{m.group(1)}_{{{m.group(2)}}}"
    return name if len(name) == 1 else rf"\mathrm{{{name}}}"


def to_tex(node: Node) -> str:
    r"""LaTeX of an expression node with whole steps as symbols.

    >>> import lagrange_ad as lad
    >>> comp = lad.Computation()
    >>> x = comp.input("x")
    >>> print(to_tex(lad.tanh(x * 0.5 - 1).node), to_tex((x * -2.0).node), to_tex((2 * (x + 1)).node))
    \tanh\left(0.5\, z_{1} - 1\right) -2\, z_{1} 2\, \left(z_{1} + 1\right)
    """
    if node.op == "z":
        return f"z_{{{node.data}}}"
    if node.op == "const":
        if node.shape:
            return r"C" if node.data.size > 12 else sympy.latex(sympy.Matrix(node.data))
        v = node.data
        return str(int(v)) if float(v).is_integer() else f"{v:g}"
    op = op_of(node)
    args = list(node.args)
    if op.name == "mul" and _is_scalar_const(args[1]) and not _is_scalar_const(args[0]):
        args.reverse()  # write a number before what it multiplies: 0.5 z_1, not z_1 0.5
    children = []
    for i, child in enumerate(args):
        t = to_tex(child)
        if not op.delimited and not (op.name == "pow" and i == 1):
            cprec = _precedence(child)
            if _is_scalar_const(child) and child.data < 0:  # -2 z_1 reads fine; z_1 + (-2) needs them
                wrap = i > 0 or op.name in ("pow", "transpose")
            else:
                wrap = cprec < op.precedence or (op.name in ("sub", "pow") and i == 1 and cprec <= op.precedence)
            if wrap:
                t = rf"\left({t}\right)"
        children.append(t)
    return op.tex(children, node)


def _is_scalar_const(node: Node) -> bool:
    return node.op == "const" and not node.shape


def _precedence(node: Node) -> int:
    if node.op in ("z",) or (node.op == "const" and (node.shape or node.data >= 0)):
        return 10
    if node.op == "const":
        return 2
    return op_of(node).precedence


def set_text(items) -> str:
    """a(i) or b(i) as text: {1, 3}, or ∅."""
    return "{" + ", ".join(map(str, items)) + "}" if items else "∅"


STEPS_HEAD = ["$i$", "name", "shape", "$z_i =$", "$a(i)$", "$b(i)$"]


def step_rows(comp) -> list[list[str]]:
    """The rows of the table of steps: i, name, shape, z_i = f_i (LaTeX in $…$), a(i), b(i)."""
    rows = []
    for s in comp.steps:
        shape = f"{s.shape[0]}×{s.shape[1]}" if s.shape else "scalar"
        tex = s.tex.replace("|", "\\vert ")  # a bare | would end the Markdown cell
        f = f"input ${tex}$" if s.is_input else f"${tex}$"
        rows.append([str(s.index), f"`{s.name}`", shape, f, set_text(comp.a(s.index)), set_text(comp.b(s.index))])
    return rows


def steps_markdown(comp) -> str:
    """The table of steps in Markdown."""
    md = ["| " + " | ".join(STEPS_HEAD) + " |", "|" + "---|" * len(STEPS_HEAD)]
    return "\n".join(md + ["| " + " | ".join(r) + " |" for r in step_rows(comp)])
