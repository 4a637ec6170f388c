"""Typed-in computations: lines ``name = expression`` read into steps (:meth:`Computation.from_equations`).

Each line is parsed with Python's ``ast``, checked against a short list of what may appear (numbers, names,
+ - * / ** @, calls of the elementary functions, comparisons inside ``where``) and only then evaluated on
the computation's values, with no builtins: the text is the reader's, so nothing else may run.

>>> import lagrange_ad as lad
>>> comp = build_from_equations(lad.Computation(), "h = w * x\\nout = tanh(h)", "x w")
>>> [s.name for s in comp.steps]
['x', 'w', 'h', 'out']
>>> build_from_equations(lad.Computation(), "z2 = lad.where(x > 0, x, 0)", "x").output.name
'z2'
"""

from __future__ import annotations

import ast
import keyword

from . import values
from .errors import DefinitionError, LagrangeADError, OutputError
from .values import Value


def build_from_equations(comp, text: str, inputs="", shapes=None):
    """Add the inputs and then the steps of ``text`` to the empty computation ``comp``; return it."""
    if not isinstance(text, str):
        raise DefinitionError(f"give the equations as text, one `name = expression` a line, not {text!r}")
    names = inputs.replace(",", " ").split() if isinstance(inputs, str) else list(inputs)
    shapes = dict(shapes or {})
    if set(shapes) - set(names):
        raise DefinitionError(f"shapes names {sorted(set(shapes) - set(names))}, not among the inputs {names}")
    functions = {f: getattr(values, f) for f in values.FUNCTIONS}
    for n in names:
        if n in functions:
            raise DefinitionError(f"{n!r} is the name of an elementary function; give the input another name")
    scope = {n: comp.input(n, shapes.get(n, ())) for n in names}
    lines = [(k, ln.split("#")[0].strip()) for k, ln in enumerate(text.splitlines(), 1)]
    lines = [(k, ln) for k, ln in lines if ln]
    assigned_later = {}
    for k, ln in lines:
        target = ln.split("=")[0].strip()
        assigned_later.setdefault(target, k)
    for k, ln in lines:
        target, expr = _split_equation(ln, k)
        if target in names:
            raise DefinitionError(
                f"line {k}: {target!r} is an input; an input is pinned to its given value and cannot "
                "be assigned (choose a new name)"
            )
        if target in functions:
            raise DefinitionError(f"line {k}: {target!r} is the name of an elementary function; choose another name")
        if target in scope:
            raise DefinitionError(
                f"line {k}: {target!r} is assigned a second time; each z is assigned exactly once (choose a new name)"
            )
        try:
            value = _evaluate(expr, k, scope, functions, assigned_later)
        except LagrangeADError as err:
            if str(err).startswith(f"line {k}:"):
                raise
            raise type(err)(f"line {k}: {err}") from None
        if not isinstance(value, Value):
            raise DefinitionError(f"line {k}: {target} = {expr} does not depend on any input or step")
        scope[target] = comp.assign(value, name=target)
    if len(comp) == 0:
        raise OutputError("no steps: write lines such as `z3 = z1 * z2`")
    return comp


def _split_equation(line: str, k: int):
    if "==" in line:
        raise DefinitionError(
            f"line {k}: `==` cannot be a condition (a branch on equality has no derivative to follow); "
            "use >, >=, < or <= inside where"
        )
    if line.count("=") - line.count(">=") - line.count("<=") != 1:
        raise DefinitionError(f"line {k}: expected one assignment `name = expression`, got {line!r}")
    target, expr = (part.strip() for part in line.split("=", 1))
    if not target.isidentifier() or keyword.iskeyword(target):
        raise DefinitionError(f"line {k}: {target!r} is not a name that can be assigned")
    return target, expr


_ALLOWED = (
    ast.Expression, ast.BinOp, ast.UnaryOp, ast.Call, ast.Name, ast.Load, ast.Constant, ast.Compare,
    ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow, ast.MatMult, ast.USub, ast.UAdd,
    ast.Gt, ast.GtE, ast.Lt, ast.LtE,
)  # fmt: skip


# What a reader typed that a step cannot hold, said in the reader's words rather than the syntax tree's.
_NOT_ALLOWED = {
    ast.IfExp: "`a if condition else b` is a Python branch, which has no derivative to follow: "
    "write where(condition, a, b)",
    ast.BoolOp: "`and` / `or` are not allowed: a condition is one comparison, inside where(condition, a, b)",
    ast.Not: "`not` is not allowed: flip the comparison instead (x <= 0 rather than not x > 0)",
    ast.Attribute: "`name.attribute` is not allowed: call the elementary functions as tanh(…) or lad.tanh(…)",
    ast.Subscript: "indexing (`a[i]`) is not allowed in a step",
    ast.Lambda: "`lambda` is not allowed: write each step on its own line",
    ast.List: "a list is not a step: each line computes one value",
    ast.Tuple: "a tuple is not a step: each line computes one value",
    ast.Eq: "`==` cannot be a condition: use >, >=, < or <= inside where",
    ast.NotEq: "`!=` cannot be a condition: use >, >=, < or <= inside where",
    ast.Mod: "`%` is not one of the operations (+ - * / ** @)",
    ast.FloorDiv: "`//` is not one of the operations (+ - * / ** @)",
}


class _PackagePrefix(ast.NodeTransformer):
    """``lad.tanh`` → ``tanh``, for the elementary functions (as written in a notebook or a hint)."""

    def __init__(self, functions, k: int):
        self.functions, self.k = functions, k

    def visit_Attribute(self, node):
        if not (isinstance(node.value, ast.Name) and node.value.id == "lad"):
            return self.generic_visit(node)
        if node.attr not in self.functions:
            raise DefinitionError(
                f"line {self.k}: lad.{node.attr} is not one of the elementary functions ({', '.join(self.functions)})"
            )
        return ast.copy_location(ast.Name(node.attr, ast.Load()), node)


def _evaluate(expr: str, k: int, scope, functions, assigned_later):
    try:
        tree = ast.parse(expr, mode="eval")
    except SyntaxError as err:
        raise DefinitionError(f"line {k}: cannot read {expr!r}: {err.msg}") from None
    if "lad" not in scope:  # the package's messages advise `lad.where(...)`: read it as `where(...)`
        tree = _PackagePrefix(functions, k).visit(tree)
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED):
            what = _NOT_ALLOWED.get(type(node), f"{type(node).__name__} is not allowed")
            raise DefinitionError(f"line {k}: {what} (in {expr!r})")
        if isinstance(node, ast.Name) and node.id not in scope and node.id not in functions:
            if node.id in assigned_later:
                raise DefinitionError(
                    f"line {k}: {node.id!r} is used before it is defined (it is assigned on line "
                    f"{assigned_later[node.id]}); a step can only read z's computed before it"
                )
            raise DefinitionError(
                f"line {k}: unknown name {node.id!r} in {expr!r}: if it is an input, add it to the inputs; "
                "otherwise assign it on an earlier line"
            )
        if isinstance(node, ast.Constant) and not isinstance(node.value, (int, float)):
            raise DefinitionError(f"line {k}: {node.value!r} is not a number")
        if isinstance(node, ast.Constant) and type(node.value) is int:
            node.value = float(node.value)  # so `10 ** 10 ** 10` overflows at once instead of computing for ever
    try:
        return eval(compile(tree, f"<line {k}>", "eval"), {"__builtins__": {}}, {**functions, **scope})  # noqa: S307
    except LagrangeADError:
        raise
    except (TypeError, ArithmeticError) as err:  # a wrong number of arguments, calling a z, 1 / 0...
        reason = "a number too large for a float" if isinstance(err, OverflowError) else err
        raise DefinitionError(f"line {k}: cannot evaluate {expr!r}: {reason}") from None
