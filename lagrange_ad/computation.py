"""A computation: the sequence of steps ``z_i = f_i(z_a(i))``.

>>> import lagrange_ad as lad
>>> comp = lad.Computation()
>>> x = comp.input("x")
>>> w = comp.input("w")
>>> h = comp.assign(w * x)
>>> y = comp.assign(lad.tanh(h))
>>> len(comp), comp.a(3), comp.b(1), comp.b(3)
(4, (1, 2), (3,), (4,))
>>> comp.steps[3].formula
tanh(z_3)
"""

from __future__ import annotations

import ast
import keyword
import re

import numpy as np
import sympy

from . import values
from .errors import (
    DefinitionError,
    ForeignValueError,
    LagrangeADError,
    OutputError,
    ShapeError,
    StepLimitError,
    SymbolicSizeError,
    UnsupportedValueError,
)
from .lean import constant, record, step_nodes
from .ops import Node, op_of, step_refs
from .values import Condition, Value

#: Above this many scalar components a computation is too large to show symbolically.
SYMBOLIC_LIMIT = 5_000

_RESERVED = re.compile(r"^(z|p|lambda|lam)_?\d+$")


def _check_shape(shape, what: str) -> tuple:
    shape = tuple(shape) if isinstance(shape, (tuple, list)) else (shape,)
    if len(shape) not in (0, 2) or not all(isinstance(n, (int, np.integer)) and n > 0 for n in shape):
        raise ShapeError(
            f"{what} has shape {shape}: lagrange_ad works with scalars () and matrices (rows, cols) of "
            "positive sizes (write a vector as a 1×k row)"
        )
    return tuple(int(n) for n in shape)


class Step:
    """Step ``z_i``: an input (pinned by ``z_i = p_i``) or ``z_i = f_i(z_a(i))``.

    Plain data: its index, name, shape and expression (``node``, a tree of :class:`~lagrange_ad.ops.Node`
    whose z's carry their shapes), and a(i) as ``args``. It does not refer to its computation, so a step kept
    anywhere (a cache, a list of inputs) never keeps a computation alive. The sympy and LaTeX forms are
    made from it on demand.
    """

    __slots__ = ("index", "name", "shape", "node", "args", "_formula")

    def __init__(self, index: int, name: str, shape: tuple, node: Node | None):
        self.index = index
        self.name = name
        self.shape = shape
        self.node = node
        self.args: tuple[int, ...] = tuple(sorted(step_refs(node))) if node is not None else ()
        self._formula = None

    @property
    def is_input(self) -> bool:
        """True for an input: a step with no f_i, pinned to a given value p_i."""
        return self.node is None

    @property
    def size(self) -> int:
        """The number of scalar components of z_i."""
        return int(np.prod(self.shape)) if self.shape else 1

    @property
    def symbol(self):
        """z_i as sympy: a Symbol, or an ImmutableMatrix of component symbols ``z_{i,r,c}``."""
        return _symbols("z", self.index, self.shape)

    @property
    def parameter(self) -> sympy.Symbol | sympy.ImmutableMatrix:
        """For an input, the value p_i it is pinned to (named after the input)."""
        base = self.name if not _RESERVED.match(self.name) else f"p_{self.index}"
        if not self.shape:
            return sympy.Symbol(base)
        rows, cols = self.shape
        return sympy.ImmutableMatrix(rows, cols, lambda r, c: sympy.Symbol(f"{base}_{{{r + 1},{c + 1}}}"))

    @property
    def formula(self):
        """f_i as a sympy expression (or matrix) in the z's it reads; ``None`` for an input."""
        if self.node is None:
            return None
        if self._formula is None:
            reads = {n.data: n.shape for n in _walk(self.node) if n.op == "z"}
            size = self.size + sum(int(np.prod(shape)) if shape else 1 for shape in reads.values())
            if size > SYMBOLIC_LIMIT:
                raise SymbolicSizeError(
                    f"z_{self.index} and the z's it reads have {size} scalar components, more than the "
                    f"{SYMBOLIC_LIMIT} the symbolic view handles; numbers (lad.gradient, lad.multipliers) still work"
                )
            self._formula = to_sympy(self.node)
        return self._formula

    @property
    def tex(self) -> str:
        """f_i as LaTeX, written with whole z's (``z_{1} z_{3}`` for a matrix product); inputs: the name."""
        if self.node is None:
            return _tex_name(self.name)
        return to_tex(self.node)

    def __repr__(self):
        kind = "input" if self.is_input else f"f = {self.node!r}"
        return f"Step(z_{self.index} {self.name!r}, shape={self.shape}, {kind})"


def _symbols(letter: str, index: int, shape: tuple):
    # Plain symbols (no real=True, though it would make sympy faster on tanh): a reader who types
    # sympy.Symbol("z_3") in an exercise must get the very symbol the package uses.
    if not shape:
        return sympy.Symbol(f"{letter}_{index}")
    rows, cols = shape
    # z_{i,rc} reads well for small blocks; past 9 rows or columns "111" could be (1, 11) or (11, 1)
    sep = "," if max(rows, cols) > 9 else ""
    return sympy.ImmutableMatrix(rows, cols, lambda r, c: sympy.Symbol(f"{letter}_{{{index},{r + 1}{sep}{c + 1}}}"))


def _tex_name(name: str) -> str:
    m = re.match(r"^([A-Za-z]+)_?(\d+)$", name)
    if m:
        return f"{m.group(1)}_{{{m.group(2)}}}"
    return name if len(name) == 1 else rf"\mathrm{{{name}}}"


def _walk(node: Node):
    """Every node of an expression, each once."""
    stack, seen = [node], set()
    while stack:
        n = stack.pop()
        if id(n) not in seen:
            seen.add(id(n))
            yield n
            stack.extend(n.args)


def to_sympy(node: Node, memo=None):
    """The sympy form of an expression node, written in the components of the steps it reads."""
    memo = {} if memo is None else memo
    key = id(node)
    if key in memo:
        return memo[key]
    if node.op == "z":
        out = _symbols("z", node.data, node.shape)
    elif node.op == "const":
        out = sympy.ImmutableMatrix(node.data) if node.shape else sympy.Float(node.data)
        if not node.shape and float(node.data).is_integer():
            out = sympy.Integer(int(node.data))
    else:
        out = op_of(node).symbolic(*[to_sympy(a, memo) for a in node.args])
    memo[key] = out
    return out


# Operations whose LaTeX already delimits their arguments (\tanh\left(…\right), \frac{…}{…}, \sqrt{…}).
_DELIMITED = {
    "exp", "log", "sqrt", "sin", "cos", "tan", "tanh", "sigmoid", "relu", "abs", "softmax", "log_softmax",
    "mean", "div",
}  # fmt: skip


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
        if op.name not in _DELIMITED and not (op.name == "pow" and i == 1):
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


def require_computation(comp, caller: str):
    """Raise an error that says how to get a Computation if ``comp`` is something else (a function, a string).

    ``caller`` is the public function's name, for the message.

    >>> require_computation(lambda x: x, "gradient")
    Traceback (most recent call last):
    ...
    lagrange_ad.errors.UnsupportedValueError: lad.gradient needs a Computation, not the function <lambda>. ...
    """
    if isinstance(comp, Computation):
        return
    if callable(comp):
        kind = f"the function {getattr(comp, '__name__', type(comp).__name__)}"
    else:
        shown = repr(comp)
        kind = f"a {type(comp).__name__} ({shown if len(shown) <= 40 else shown[:37] + '...'})"
    raise UnsupportedValueError(
        f"lad.{caller} needs a Computation, not {kind}. Get one by tracing a Python function, "
        f'comp = lad.trace(f, "x w") (naming its inputs), or by building one with lad.Computation(); '
        f"then call lad.{caller}(comp, ...)"
    )


class Computation:
    """A sequence of steps ``z_1 … z_n``; inputs have no f; z_n (the last step) is the result.

    ``max_steps`` bounds the number of steps (``None``: no bound); :func:`~lagrange_ad.trace` sets it.
    """

    def __init__(self, max_steps: int | None = None):
        self._steps: list[Step] = []
        self._lean: list[tuple] = []  # traced steps of scalars not yet made into Steps (lagrange_ad.lean)
        self._constants: list[float] = []  # the numbers they read
        self.max_steps = max_steps
        self.tracing = False
        self._users: list[list[int]] = []
        self._names: dict[str, int] = {}
        self._size = 0  # running total: summing over all steps at every formula made n steps cost n²

    @property
    def steps(self) -> list[Step]:
        """The steps z_1 … z_n, in order (``steps[i - 1]`` is z_i)."""
        if self._lean:
            self._make_steps()
        return self._steps

    # building ----------------------------------------------------------------------------------------
    def input(self, name: str, shape=()) -> Value:
        """Add an input ``z_i``, pinned by the constraint ``z_i = p_i``; returns its value."""
        if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
            raise DefinitionError(f"an input needs a Python identifier as its name, not {name!r}")
        self._make_steps()  # lean steps have names too
        if name in self._names:
            raise DefinitionError(f"the name {name!r} is already z_{self._names[name]}: each name is assigned once")
        shape = _check_shape(shape, f"input {name!r}")
        return self._add(name, shape, None)

    def assign(self, value, name: str | None = None) -> Value:
        """Add the step ``z_i = f_i(z_a(i))`` whose formula is ``value``; returns the new z_i.

        >>> import lagrange_ad as lad
        >>> comp = lad.Computation()
        >>> x = comp.input("x")
        >>> comp.assign(x * x + 1).step.formula
        z_1**2 + 1
        """
        if isinstance(value, Condition):
            raise UnsupportedValueError("a comparison is not a value; use it inside lad.where")
        if not isinstance(value, Value):
            raise UnsupportedValueError(
                f"assign needs a value computed from this computation's inputs, not a "
                f"{type(value).__name__} ({value!r})"
            )
        if value.comp is not self:
            raise ForeignValueError(
                f"this value belongs to another computation ({value!r}); a step can only read z's "
                "of its own computation"
            )
        self._make_steps()  # lean steps have names too
        if name is not None:
            if not isinstance(name, str) or not name.isidentifier():
                raise DefinitionError(f"a step name must be a Python identifier, not {name!r}")
            if name in self._names:
                i = self._names[name]
                what = "an input" if self.steps[i - 1].is_input else "a step"
                raise DefinitionError(
                    f"{name!r} is already z_{i} ({what}): each z is assigned exactly once, so give the "
                    "new step a new name"
                )
        index = len(self) + 1
        return self._add(name or f"z{index}", value.shape, value.node)

    def _add(self, name, shape, node) -> Value:
        index = len(self.steps) + 1
        self._check_limit(index)
        self._append(Step(index, name, shape, node))
        return Value(self, Node("z", shape=shape, data=index))

    def _check_limit(self, index: int):
        if self.max_steps is not None and index > self.max_steps:
            raise StepLimitError(
                f"the computation exceeded its bound of {self.max_steps} steps. A loop that never ends "
                "describes no result, so it has no gradient; if the loop is just long, raise the bound "
                "(lad.trace(..., max_steps=N))."
            )

    def _append(self, step: Step):
        index = step.index
        for j in step.args:
            if not 1 <= j < index:
                raise DefinitionError(f"z_{index} reads z_{j}, which is not defined before it")
            self._users[j - 1].append(index)
        self._steps.append(step)
        self._size += step.size
        self._users.append([])
        self._names[step.name] = index

    # the fast path of tracing: a scalar step kept lean, and a number it reads (see lagrange_ad.lean)
    _record = record
    _constant = constant

    def _make_steps(self):
        """Turn the lean steps into Steps (in place: a list of steps already handed out grows)."""
        if not self._lean:
            return
        made = list(step_nodes(self._lean, self._constants))
        self._lean = []  # the constants stay: lean steps traced later number theirs after them
        for index, node in made:
            self._append(Step(index, f"z{index}", (), node))

    def _lean_steps(self) -> tuple[list[Step], list[tuple], list[float]]:
        """``(the steps made so far, the lean steps after them, their constants)``: for the tape, which needs
        no Steps."""
        return self._steps, self._lean, self._constants

    def z(self, i: int) -> Value:
        """The value of step ``z_i`` (1-based)."""
        if not isinstance(i, (int, np.integer)) or not 1 <= i <= len(self):
            raise DefinitionError(f"z_{i} is used before it is defined: the computation has {len(self)} steps so far")
        shape = self._steps[i - 1].shape if i <= len(self._steps) else ()  # a lean step is a scalar
        return Value(self, Node("z", shape=shape, data=int(i)))

    # structure ---------------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._steps) + len(self._lean)

    def __iter__(self):
        return iter(self.steps)

    def a(self, i: int) -> tuple[int, ...]:
        """a(i): the steps that f_i reads."""
        return self._step(i).args

    def b(self, i: int) -> tuple[int, ...]:
        """b(i): the steps that read z_i (the inverse relation of a)."""
        self._step(i)
        return tuple(self._users[i - 1])

    def _step(self, i: int) -> Step:
        if not isinstance(i, (int, np.integer)) or not 1 <= i <= len(self.steps):
            raise DefinitionError(f"there is no step z_{i}: the computation has {len(self.steps)} steps")
        return self.steps[i - 1]

    def step(self, i: int) -> Step:
        """Step z_i, numbered from 1 as in the book (``comp.step(i)`` is ``comp.steps[i - 1]``).

        >>> import lagrange_ad as lad
        >>> lad.trace(lambda x: lad.exp(x), "x").step(2).formula
        exp(z_1)
        """
        return self._step(i)

    @property
    def output(self) -> Step:
        """z_n, the last step: the result, which must be a scalar."""
        if not self.steps:
            raise OutputError("the computation has no steps yet")
        last = self.steps[-1]
        if last.shape != ():
            raise OutputError(
                f"the result z_{last.index} ({last.name!r}) has shape {last.shape}, but z_n must be a "
                "scalar: add a step that reduces it (lad.sum, lad.mean, a loss)"
            )
        return last

    @property
    def inputs(self) -> list[Step]:
        """The input steps, in order."""
        return [s for s in self._steps if s.is_input]  # a lean step is never an input

    @property
    def size(self) -> int:
        """The total number of scalar components of all z's."""
        return self._size + len(self._lean)  # a lean step is a scalar

    def output_index(self) -> int:
        """n, after checking that z_n exists and is a scalar, as :attr:`output` does (without making Steps)."""
        return len(self) if self._lean else self.output.index

    def _check_symbolic_size(self):
        if self.size > SYMBOLIC_LIMIT:
            raise SymbolicSizeError(
                f"this computation has {self.size} scalar components, more than the {SYMBOLIC_LIMIT} the "
                "symbolic view handles; numbers (lad.gradient, lad.multipliers) still work"
            )

    def table(self) -> str:
        """A Markdown table of the steps: i, name, f_i, a(i), b(i)."""
        lines = ["| $i$ | name | $z_i =$ | $a(i)$ | $b(i)$ |", "|---|---|---|---|---|"]
        for s in self.steps:
            f = f"${_tex_name(s.name)}$ (input)" if s.is_input else f"${s.tex}$"
            shape = f" ({s.shape[0]}×{s.shape[1]})" if s.shape else ""
            lines.append(f"| {s.index} | `{s.name}`{shape} | {f} | {_set(self.a(s.index))} | {_set(self.b(s.index))} |")
        return "\n".join(lines)

    def _repr_markdown_(self):
        return self.table()

    def __repr__(self):
        return f"<Computation with {len(self)} steps ({len(self.inputs)} inputs)>"

    # typed-in computations ---------------------------------------------------------------------------
    @classmethod
    def from_equations(cls, text: str, inputs="", shapes=None, max_steps: int | None = 10_000):
        """Build a computation from lines ``name = expression`` (``#`` comments and blank lines allowed).

        Names in ``inputs`` are the inputs; every other name must be assigned before it is used, exactly
        once. The elementary functions (``tanh``, ``exp``, ``where``...) are available by name.

        >>> comp = Computation.from_equations("z3 = z1 * z2\\nz4 = tanh(z3)", inputs="z1 z2")
        >>> [s.tex for s in comp.steps]
        ['z_{1}', 'z_{2}', 'z_{1}\\\\, z_{2}', '\\\\tanh\\\\left(z_{3}\\\\right)']
        """
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
        comp = cls(max_steps=max_steps)
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
                raise DefinitionError(
                    f"line {k}: {target!r} is the name of an elementary function; choose another name"
                )
            if target in scope:
                raise DefinitionError(
                    f"line {k}: {target!r} is assigned a second time; each z is assigned exactly once "
                    "(choose a new name)"
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


def _set(items) -> str:
    return "{" + ", ".join(map(str, items)) + "}" if items else "∅"


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


def _evaluate(expr: str, k: int, scope, functions, assigned_later):
    try:
        tree = ast.parse(expr, mode="eval")
    except SyntaxError as err:
        raise DefinitionError(f"line {k}: cannot read {expr!r}: {err.msg}") from None
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED):
            raise DefinitionError(f"line {k}: {type(node).__name__} is not allowed in {expr!r}")
        if isinstance(node, ast.Name) and node.id not in scope and node.id not in functions:
            if node.id in assigned_later:
                raise DefinitionError(
                    f"line {k}: {node.id!r} is used before it is defined (it is assigned on line "
                    f"{assigned_later[node.id]}); a step can only read z's computed before it"
                )
            raise DefinitionError(f"line {k}: unknown name {node.id!r} in {expr!r}")
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
