"""The elementary operations: one table row per operation.

Each operation knows everything about itself in one row, kept side by side so a reader can check one
part against the others, and adding an operation is adding a row:

* ``numeric``: how to compute it with numpy (numpy is optional, :mod:`lagrange_ad.arrays`: without it this
  column and ``vjp`` say that numpy is needed, and everything else in the row works, which is what the
  symbolic path and the float tape use);
* ``symbolic``: how to write it with sympy (this is what the Lagrangian is built from);
* ``vjp``: the product of its Jacobian's transpose with a vector, used by the fast numeric gradient;
* ``tex`` and ``precedence``: how the book prints it (``delimited``: no parentheses around its arguments);
* ``scalar`` and ``tape``: the function on Python floats and the branch of the float tape that runs it
  (:mod:`lagrange_ad.floats` makes the tape's operations from these, derivatives derived by sympy);
* ``shape``: the shape of its result, or an error that names it;
* ``cost``: operations per entry, forward and backward (:func:`lagrange_ad.solvers.operation_counts`);
* ``domain``: where it is defined, for the error at a point where it is not.

For the elementwise functions (``tanh``, ``exp``...) the derivative used by ``vjp`` is *derived* by sympy
from the symbolic definition, not written by hand. The linear-algebra rules (``+``, ``*``, ``@``, ``softmax``)
are the textbook Jacobian-transpose products; ``tests/`` checks every one of them against sympy's
derivative of the symbolic form and against HIPS autograd.

>>> float(OPS["tanh"].numeric(0.0))
0.0
>>> float(OPS["tanh"].vjp(1.0, (0.0,), 0.0, (True,))[0])
1.0
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from dataclasses import dataclass

import sympy

from .arrays import needs_numpy, np
from .arrays import numpy_function as _np_fn  # numpy's function, or one that says numpy is needed
from .errors import ShapeError

# --------------------------------------------------------------------------------------------------
# sympy functions that sympy does not have in the form the book wants
# --------------------------------------------------------------------------------------------------


class Indicator(sympy.Function):
    r"""The indicator :math:`\mathbb{1}[x > 0]` of a branch condition.

    Its derivative is a Dirac delta at the switching point: zero everywhere else.

    >>> x = sympy.Symbol("x")
    >>> Indicator(x).diff(x)
    DiracDelta(x)
    >>> Indicator(sympy.Float(2.0)), Indicator(sympy.Float(-1.0)), Indicator(sympy.S.Zero)
    (1, 0, 0)
    """

    nargs = 1
    relation = ">"  # how the condition is printed; the subclass differs only in this and at x = 0

    @classmethod
    def _holds(cls, x):
        """True or False where sympy can decide ``x > 0``, else None."""
        return x.is_extended_positive

    @classmethod
    def eval(cls, x):
        holds = cls._holds(x)
        if holds is None:
            return None
        return sympy.S.One if holds else sympy.S.Zero

    def fdiff(self, argindex=1):
        return sympy.DiracDelta(self.args[0])

    def _latex(self, printer):
        return rf"\mathbb{{1}}\left[{printer._print(self.args[0])} {self.relation} 0\right]"


class IndicatorGE(Indicator):
    r"""The indicator :math:`\mathbb{1}[x \ge 0]`.

    >>> IndicatorGE(sympy.S.Zero), IndicatorGE(sympy.Float(-1.0))
    (1, 0)
    """

    relation = r"\ge"

    @classmethod
    def _holds(cls, x):
        return x.is_extended_nonnegative


class sigmoid(sympy.Function):  # noqa: N801 - printed as a function name
    r"""The logistic function :math:`\sigma(x) = 1 / (1 + e^{-x})`.

    >>> x = sympy.Symbol("x")
    >>> sigmoid(x).diff(x)
    (1 - sigmoid(x))*sigmoid(x)
    """

    nargs = 1

    def fdiff(self, argindex=1):
        s = sigmoid(self.args[0])
        return s * (1 - s)

    def _eval_rewrite_as_exp(self, x, **kwargs):
        return 1 / (1 + sympy.exp(-x))

    def _eval_evalf(self, prec):
        x = self.args[0]
        if x.is_number:
            return (1 / (1 + sympy.exp(-x)))._eval_evalf(prec)
        return None

    @classmethod
    def eval(cls, x):
        if x.is_Float:
            t = -float(x)
            return sympy.Float(0.0 if t > 709.0 else 1 / (1 + math.exp(t)))  # numpy's value, exp(t) = inf
        return None

    def _latex(self, printer):
        return rf"\sigma\left({printer._print(self.args[0])}\right)"


class relu(sympy.Function):  # noqa: N801 - printed as a function name
    r"""The rectifier :math:`\max(x, 0)`; its derivative is :math:`\mathbb{1}[x > 0]` (0 at 0, as in PyTorch).

    >>> x = sympy.Symbol("x")
    >>> relu(x).diff(x)
    Indicator(x)
    """

    nargs = 1

    def fdiff(self, argindex=1):
        return Indicator(self.args[0])

    @classmethod
    def eval(cls, x):
        if x.is_extended_nonnegative:
            return x
        if x.is_extended_negative:
            return sympy.S.Zero
        return None

    def _latex(self, printer):
        return rf"\operatorname{{relu}}\left({printer._print(self.args[0])}\right)"


class absolute(sympy.Function):  # noqa: N801 - printed as a function name, numpy's
    r"""The absolute value :math:`|x|`; its derivative is :math:`\mathbb{1}[x > 0] - \mathbb{1}[-x > 0]`
    (0 at 0, as in PyTorch and autograd).

    sympy's own ``Abs`` of a symbol that may be complex differentiates into real and imaginary parts; the
    book's z's are real, and its derivatives of branches are indicators.

    >>> x = sympy.Symbol("x")
    >>> absolute(x).diff(x)
    -Indicator(-x) + Indicator(x)
    >>> absolute(sympy.Float(-2.0)), absolute(sympy.S.Zero)
    (2.00000000000000, 0)
    """

    nargs = 1

    def fdiff(self, argindex=1):
        return Indicator(self.args[0]) - Indicator(-self.args[0])

    @classmethod
    def eval(cls, x):
        if x.is_extended_nonnegative:
            return x
        if x.is_extended_negative:
            return -x
        return None

    def _latex(self, printer):
        return rf"\left|{printer._print(self.args[0])}\right|"


def _float_sigmoid(x):
    return 0.5 * (math.tanh(0.5 * x) + 1.0)  # as the numpy sigmoid, so both give the same numbers


def _float_relu(x):
    return max(x, 0.0)  # NaN stays NaN, as with np.maximum


def _float_indicator(x):
    return 1.0 if x > 0 else 0.0


def _float_indicator_ge(x):
    return 1.0 if x >= 0 else 0.0


def _float_softmax(x):
    return math.exp(x - x)  # softmax of one number: 1, or NaN for NaN and ±inf as numpy gives


def _float_log_softmax(x):
    return x - x  # log softmax of one number: 0, or NaN for NaN and ±inf as numpy gives


def _np_sigmoid(x):
    return 0.5 * (np.tanh(0.5 * np.asarray(x, dtype=float)) + 1.0)


def _np_indicator(x):
    return (np.asarray(x) > 0).astype(float)


def _np_indicator_ge(x):
    return (np.asarray(x) >= 0).astype(float)


# What lambdify uses for our own functions. The Dirac delta (the derivative of an indicator) is taken as
# zero: it vanishes everywhere but at the switching point, where no derivative exists, and every AD system
# makes this same choice.
NUMPY_NAMES = {
    "sigmoid": _np_sigmoid,
    "relu": lambda x: np.maximum(x, 0.0),
    "Indicator": _np_indicator,
    "IndicatorGE": _np_indicator_ge,
    "absolute": _np_fn("abs"),
    "DiracDelta": lambda x: np.zeros_like(np.asarray(x, dtype=float)),
}


# --------------------------------------------------------------------------------------------------
# expression nodes
# --------------------------------------------------------------------------------------------------


class Node:
    """One node of an expression inside a step: an operation applied to child nodes.

    ``op`` is ``"z"`` (a reference to step ``data``), ``"const"`` (the number or array ``data``), or a key
    of :data:`OPS`. ``shape`` is ``()`` or ``(rows, cols)``.
    """

    __slots__ = ("op", "args", "shape", "data")

    def __init__(self, op: str, args: tuple = (), shape: tuple = (), data=None):
        self.op = op
        self.args = args
        self.shape = shape
        self.data = data

    def __repr__(self):
        if self.op == "z":
            return f"z_{self.data}"  # as the book and every error message write a step
        if self.op == "const":
            return repr(self.data)
        return f"{self.op}({', '.join(map(repr, self.args))})"


def postorder(root: Node) -> list[Node]:
    """The nodes of an expression, each once, arguments before the node that reads them.

    Iterative (an expression typed in may be deeper than Python's recursion limit); nodes are hashed by
    identity, and a leaf goes straight to the order.
    """
    order, seen, stack = [], set(), [(root, False)]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
        elif node not in seen:
            seen.add(node)
            if node.args:
                stack.append((node, True))
                stack.extend([(child, False) for child in reversed(node.args)])
            else:
                order.append(node)
    return order


def domains(node: Node) -> list[str]:
    """What the operations of an expression need to be defined ("log needs a positive argument"), each once.

    >>> domains(Node("log", (Node("z", data=1),)))
    ['log needs a positive argument']
    """
    found = []
    for inner in postorder(node):
        if inner.op not in ("z", "const"):
            op = op_of(inner)
            text = f"{op.name} needs {op.domain}" if op.domain else ""
            if text and text not in found:
                found.append(text)
    return found


def step_refs(node: Node) -> set[int]:
    """The step indices an expression reads, i.e. a(i) for a step whose formula is ``node``."""
    found, stack, seen = set(), [node], set()
    while stack:
        n = stack.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        if n.op == "z":
            found.add(n.data)
        stack.extend(n.args)
    return found


# --------------------------------------------------------------------------------------------------
# shapes
# --------------------------------------------------------------------------------------------------


def broadcast_shapes(*shapes: tuple) -> tuple | None:
    """numpy's broadcasting rule, in plain Python (no numpy needed, and faster on these short tuples):
    the shape of the result, or None if the shapes do not broadcast.

    >>> broadcast_shapes((), (1, 4), (3, 1)), broadcast_shapes((2, 3), (3, 2))
    ((3, 4), None)
    """
    ndim = max(len(s) for s in shapes)
    out = []
    for axis in range(ndim):
        sizes = {s[axis - ndim + len(s)] for s in shapes if axis - ndim + len(s) >= 0} - {1}
        if len(sizes) > 1:
            return None
        out.append(sizes.pop() if sizes else 1)
    return tuple(out)


def broadcast_shape(op: str, a: tuple, b: tuple) -> tuple:
    """numpy's broadcasting rule for two shapes, with an error that names the operation."""
    shape = broadcast_shapes(a, b)
    if shape is None:
        raise ShapeError(f"cannot combine shapes {a} and {b} in `{op}`: they do not broadcast")
    return shape


def unbroadcast(g, shape: tuple):
    """Sum a gradient over the axes that broadcasting added, so it has ``shape`` again."""
    g = np.asarray(g, dtype=float)
    shape = tuple(shape)
    if g.shape == shape:
        return g if shape else float(g)
    if shape == ():
        return float(g.sum())
    for axis, size in enumerate(shape):
        if size == 1 and g.shape[axis] != 1:
            g = g.sum(axis=axis, keepdims=True)
    return g


def _sym_entries(x):
    """(shape, getter) for a sympy scalar or matrix, so elementwise code can treat both alike."""
    if isinstance(x, sympy.MatrixBase):
        return x.shape, lambda r, c: x[r if x.shape[0] > 1 else 0, c if x.shape[1] > 1 else 0]
    return (), lambda r, c: x


def sym_elementwise(fn: Callable, *xs):
    """Apply ``fn`` entry by entry to sympy scalars/matrices, broadcasting like numpy."""
    entries = [_sym_entries(x) for x in xs]
    shape = broadcast_shapes(*[s for s, _ in entries])
    if shape is None:
        raise ShapeError(f"cannot combine shapes {[s for s, _ in entries]}: they do not broadcast")
    if shape == ():
        return fn(*xs)
    rows, cols = shape
    return sympy.ImmutableMatrix(rows, cols, lambda r, c: fn(*[get(r, c) for _, get in entries]))


# --------------------------------------------------------------------------------------------------
# the table
# --------------------------------------------------------------------------------------------------


def _first_shape(shapes: list[tuple]) -> tuple:
    return shapes[0]


def _scalar_shape(shapes: list[tuple]) -> tuple:
    return ()


def _broadcasting(name: str):
    """The shape rule of a binary elementwise operation: numpy's broadcasting."""
    return lambda shapes: broadcast_shape(name, shapes[0], shapes[1])


def _matmul_shape(shapes: list[tuple]) -> tuple:
    a, b = shapes
    if len(a) != 2 or len(b) != 2:
        raise ShapeError(f"`@` needs two matrices; got shapes {a} and {b} (use * for a scalar)")
    if a[1] != b[0]:
        raise ShapeError(f"cannot multiply shapes {a} @ {b}: the left has {a[1]} columns, the right {b[0]} rows")
    return (a[0], b[1])


def _where_shape(shapes: list[tuple]) -> tuple:
    return broadcast_shape("where", broadcast_shape("where", shapes[0], shapes[1]), shapes[2])


#: Which branch of the tape's loops runs an operation on floats (:mod:`lagrange_ad.tape`): a binary
#: operation by name, "unary" (f, and f' for the backward pass), "neg", "constant" (of a scalar it is a
#: constant: its derivative is 0), "where", "copy" (of a scalar it is the scalar itself).
TAPE_KINDS = ("add", "mul", "sub", "div", "pow", "unary", "neg", "constant", "where", "copy")


@dataclass(frozen=True)
class Op:
    """One elementary operation: one row of the table (see the module docstring)."""

    name: str
    numeric: Callable
    symbolic: Callable
    vjp: Callable  # (g, arg values, output value, needs) -> one gradient (or None) per argument
    tex: Callable  # (child tex strings, node) -> tex
    precedence: int  # for parentheses when printing: higher binds tighter
    domain: str = ""  # where it is defined, for an error at a point where it is not ("a positive argument")
    scalar: Callable | None = None  # the function on Python floats (None: the tape copies, or it needs matrices)
    tape: str | None = None  # its branch of the tape's loops (TAPE_KINDS); None: only on matrices (@, index)
    shape: Callable = _first_shape  # argument shapes -> result shape, or a ShapeError that names the operation
    # operations per entry for solvers.operation_counts: forward, and backward per argument that needs a
    # gradient; None: a matrix product's r·k·c
    cost: tuple[int, int] | None = (1, 2)
    delimited: bool = False  # its LaTeX delimits its arguments (\tanh\left(…\right), \frac): no parentheses


def _unary(name, sym_fn, np_fn, float_fn, tex_fmt, domain=""):
    """An elementwise function whose vjp, g f'(t), sympy derives from ``sym_fn``.

    Where sympy's derivative contains the function itself it is written with the function's value u, which
    the forward pass has already computed: g σ'(t) = g (1 − σ(t)) σ(t) becomes g u (1 − u), g tanh'(t) =
    g (1 − u²), g exp'(t) = g u. Evaluated as sympy writes it, σ' computed σ(t) twice more, the most
    expensive part of the source network's backward pass. Taking the product with g into the expression
    lets sympy print g/t for log (one array pass, not two), and ``cse=True`` computes a subexpression that
    is still repeated only once.
    """
    if np is None:  # no numpy, no array gradient (the float tape derives its own, in floats.py)
        g_times_derivative = needs_numpy(f"the vjp of {name}")
    else:
        g, t, u = sympy.symbols("g t u")
        f = sym_fn(t)
        product = (g * sympy.diff(f, t)).subs(f, u)
        g_times_derivative = sympy.lambdify((g, t, u), product, modules=[NUMPY_NAMES, "numpy"], cse=True)

    def vjp(g, args, out, needs):
        return (g_times_derivative(g, args[0], out),)

    return Op(
        name,
        numeric=np_fn,
        symbolic=lambda a: sym_elementwise(sym_fn, a),
        vjp=vjp,
        tex=lambda c, node: tex_fmt % c[0],
        precedence=9,
        domain=domain,
        scalar=float_fn,
        tape="unary",  # cost: the value, then f' times the gradient: (1, 2), the default
        delimited=True,
    )


def _binary_vjp(rule):
    """The vjp of a broadcasting binary operation from ``rule``, which computes only the gradients ``needs``
    asks for (None for the others): a constant, or an input nobody asked about, costs no array pass."""

    def vjp(g, args, out, needs):
        da, db = rule(g, *args, out, needs)
        a, b = args
        return (
            None if da is None else unbroadcast(da, np.shape(a)),
            None if db is None else unbroadcast(db, np.shape(b)),
        )

    return vjp


def _pow_rule(g, a, b, out, needs):
    da = g * b * np.power(a, b - 1) if needs[0] else None
    db = g * out * np.log(a) if needs[1] else None
    return da, db


def _softmax(x):
    x = np.asarray(x, dtype=float)
    e = np.exp(x - x.max(axis=-1, keepdims=True)) if x.ndim else np.exp(x - x)
    return e / e.sum(axis=-1, keepdims=True) if x.ndim else float(e)


def _sym_softmax(m):
    if not isinstance(m, sympy.MatrixBase):
        return sympy.S.One
    rows = []
    for r in range(m.shape[0]):
        exps = [sympy.exp(m[r, c]) for c in range(m.shape[1])]
        total = sympy.Add(*exps)
        rows.append([v / total for v in exps])
    return sympy.ImmutableMatrix(rows)


def _softmax_vjp(g, args, out, needs):
    s = np.asarray(out, dtype=float)
    if s.ndim == 0:
        return (0.0 * g,)
    gs = g * s
    gs -= s * gs.sum(axis=-1, keepdims=True)  # s ⊙ (g − Σ_row g ⊙ s), in the one new array
    return (gs,)


def _log_softmax(x):
    """log softmax of each row, without ever forming softmax: x − max − log Σ exp(x − max) (the largest
    entry contributes exp(0) = 1, so the logarithm's argument is at least 1 and never underflows to 0)."""
    x = np.asarray(x, dtype=float)
    if not x.ndim:
        return float(x - x)  # the softmax of one number is 1 (NaN for NaN and ±inf, as numpy gives)
    shifted = x - x.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def _sym_log_softmax(m):
    if not isinstance(m, sympy.MatrixBase):
        return sympy.S.Zero
    rows = []
    for r in range(m.shape[0]):
        total = sympy.log(sympy.Add(*[sympy.exp(m[r, c]) for c in range(m.shape[1])]))
        rows.append([m[r, c] - total for c in range(m.shape[1])])
    return sympy.ImmutableMatrix(rows)


def _log_softmax_vjp(g, args, out, needs):
    s = np.exp(np.asarray(out, dtype=float))  # softmax, from the value the forward pass computed
    if s.ndim == 0:
        return (0.0 * g,)
    return (g - s * np.sum(g, axis=-1, keepdims=True),)  # ∂(x_j − lse)/∂x_k = δ_jk − softmax_k


def _sym_sum(m):
    return sympy.Add(*m) if isinstance(m, sympy.MatrixBase) else m


def _size(shape):
    return math.prod(shape)


def _index_vjp(g, args, out, needs, idx):
    grad = np.zeros(np.shape(args[0]))
    grad[idx] = g
    return (grad,)


def _where(c, a, b):
    # np.where broadcasts all three operands, also when the condition is a scalar
    out = np.where(np.asarray(c) > 0, a, b)
    return float(out) if out.ndim == 0 else out


def _where_vjp(g, args, out, needs):
    c, a, b = args
    # The indicator's own derivative is a Dirac delta at the switch: zero wherever it is defined.
    return (
        None,
        unbroadcast(g * c, np.shape(a)) if needs[1] else None,
        unbroadcast(g * (1.0 - c), np.shape(b)) if needs[2] else None,
    )


OPS: dict[str, Op] = {
    "add": Op(
        "add",
        _np_fn("add"),
        lambda a, b: sym_elementwise(sympy.Add, a, b),
        _binary_vjp(lambda g, a, b, out, needs: (g if needs[0] else None, g if needs[1] else None)),
        lambda c, node: f"{c[0]} + {c[1]}",
        1,
        scalar=operator.add, tape="add", shape=_broadcasting("add"), cost=(1, 0),
    ),
    "sub": Op(
        "sub",
        _np_fn("subtract"),
        lambda a, b: sym_elementwise(lambda x, y: x - y, a, b),
        _binary_vjp(lambda g, a, b, out, needs: (g if needs[0] else None, -g if needs[1] else None)),
        lambda c, node: f"{c[0]} - {c[1]}",
        1,
        scalar=operator.sub, tape="sub", shape=_broadcasting("sub"), cost=(1, 1),
    ),
    "mul": Op(
        "mul",
        _np_fn("multiply"),
        lambda a, b: sym_elementwise(sympy.Mul, a, b),
        _binary_vjp(lambda g, a, b, out, needs: (g * b if needs[0] else None, g * a if needs[1] else None)),
        lambda c, node: rf"{c[0]} \odot {c[1]}" if node.args[0].shape and node.args[1].shape else rf"{c[0]}\, {c[1]}",
        3,
        scalar=operator.mul, tape="mul", shape=_broadcasting("mul"), cost=(1, 1),
    ),
    "div": Op(
        "div",
        _np_fn("divide"),
        lambda a, b: sym_elementwise(lambda x, y: x / y, a, b),
        _binary_vjp(lambda g, a, b, out, needs: (g / b if needs[0] else None, -g * a / (b * b) if needs[1] else None)),
        lambda c, node: rf"\frac{{{c[0]}}}{{{c[1]}}}",
        3,
        "a nonzero divisor",
        scalar=operator.truediv, tape="div", shape=_broadcasting("div"), cost=(1, 3), delimited=True,
    ),
    "pow": Op(
        "pow",
        _np_fn("power"),
        lambda a, b: sym_elementwise(sympy.Pow, a, b),
        _binary_vjp(_pow_rule),
        lambda c, node: f"{{{c[0]}}}^{{{c[1]}}}",
        8,
        "a positive base (or an integer exponent), and no 0 to a negative power",
        scalar=math.pow, tape="pow", shape=_broadcasting("pow"), cost=(1, 3),
    ),
    "neg": Op(
        "neg",
        _np_fn("negative"),
        lambda a: sym_elementwise(lambda x: -x, a),
        lambda g, args, out, needs: (-g,),
        lambda c, node: f"-{c[0]}",
        2,
        scalar=operator.neg, tape="neg", cost=(1, 1),
    ),
    "matmul": Op(
        "matmul",
        _np_fn("matmul"),
        lambda a, b: sympy.ImmutableMatrix(a * b),
        lambda g, args, out, needs: (
            g @ args[1].T if needs[0] else None,  # the arguments of @ are always arrays: .T is a view
            args[0].T @ g if needs[1] else None,
        ),
        lambda c, node: f"{c[0]} {c[1]}",
        4,
        shape=_matmul_shape, cost=None,
    ),
    "transpose": Op(
        "transpose",
        _np_fn("transpose"),
        lambda a: a.T,
        lambda g, args, out, needs: (np.transpose(g),),
        lambda c, node: f"{{{c[0]}}}^\\top",
        8,
        tape="copy", shape=lambda shapes: tuple(reversed(shapes[0])), cost=(0, 0),
    ),
    "sum": Op(
        "sum",
        lambda a: float(np.sum(a)),
        _sym_sum,
        lambda g, args, out, needs: (np.full(np.shape(args[0]), g) if np.shape(args[0]) else g,),
        lambda c, node: rf"\textstyle\sum {c[0]}",
        5,
        tape="copy", shape=_scalar_shape, cost=(1, 1),
    ),
    "mean": Op(
        "mean",
        lambda a: float(np.mean(a)),
        lambda m: _sym_sum(m) / _size(m.shape if isinstance(m, sympy.MatrixBase) else ()),
        lambda g, args, out, needs: (
            np.full(np.shape(args[0]), g / _size(np.shape(args[0]))) if np.shape(args[0]) else g,
        ),
        lambda c, node: rf"\operatorname{{mean}}\left({c[0]}\right)",
        9,
        tape="copy", shape=_scalar_shape, cost=(1, 1), delimited=True,
    ),
    "softmax": Op(
        "softmax",
        _softmax,
        _sym_softmax,
        _softmax_vjp,
        lambda c, node: rf"\operatorname{{softmax}}\left({c[0]}\right)",
        9,
        scalar=_float_softmax, tape="constant", cost=(4, 3), delimited=True,
    ),
    "indicator": Op(
        "indicator",
        _np_indicator,
        lambda a: sym_elementwise(Indicator, a),
        lambda g, args, out, needs: (None,),
        lambda c, node: rf"\mathbb{{1}}\left[{c[0]} > 0\right]",
        9,
        scalar=_float_indicator, tape="constant", cost=(1, 0),
    ),
    "indicator_ge": Op(
        "indicator_ge",
        _np_indicator_ge,
        lambda a: sym_elementwise(IndicatorGE, a),
        lambda g, args, out, needs: (None,),
        lambda c, node: rf"\mathbb{{1}}\left[{c[0]} \ge 0\right]",
        9,
        scalar=_float_indicator_ge, tape="constant", cost=(1, 0),
    ),
    "log_softmax": Op(
        "log_softmax",
        _log_softmax,
        _sym_log_softmax,
        _log_softmax_vjp,
        lambda c, node: rf"\log\operatorname{{softmax}}\left({c[0]}\right)",
        9,
        scalar=_float_log_softmax, tape="constant", cost=(4, 3), delimited=True,
    ),
    "where": Op(
        "where",
        _where,
        lambda c, a, b: sym_elementwise(lambda ci, ai, bi: ci * ai + (1 - ci) * bi, c, a, b),
        _where_vjp,
        lambda c, node: rf"{c[0]}\, {c[1]} + \left(1 - {c[0]}\right) {c[2]}",
        1,
        tape="where", shape=_where_shape, cost=(1, 1),
    ),
}

# the elementwise functions: sympy, numpy, Python floats, LaTeX, where they are defined
_UNARY = {
    "exp": (sympy.exp, _np_fn("exp"), math.exp, r"\exp\left(%s\right)", "a moderate argument (below about 709)"),
    "log": (sympy.log, _np_fn("log"), math.log, r"\log\left(%s\right)", "a positive argument"),
    "sqrt": (sympy.sqrt, _np_fn("sqrt"), math.sqrt, r"\sqrt{%s}", "a non-negative argument"),
    "sin": (sympy.sin, _np_fn("sin"), math.sin, r"\sin\left(%s\right)", "a finite argument"),
    "cos": (sympy.cos, _np_fn("cos"), math.cos, r"\cos\left(%s\right)", "a finite argument"),
    "tan": (sympy.tan, _np_fn("tan"), math.tan, r"\tan\left(%s\right)", "an argument away from odd multiples of π/2"),
    "tanh": (sympy.tanh, _np_fn("tanh"), math.tanh, r"\tanh\left(%s\right)", ""),
    "sigmoid": (sigmoid, _np_sigmoid, _float_sigmoid, r"\sigma\left(%s\right)", ""),
    "relu": (relu, NUMPY_NAMES["relu"], _float_relu, r"\operatorname{relu}\left(%s\right)", ""),
    "abs": (absolute, _np_fn("abs"), abs, r"\left|%s\right|", ""),
}
for _name, (_sym, _numpy_fn, _float_fn, _fmt, _domain) in _UNARY.items():
    OPS[_name] = _unary(_name, _sym, _numpy_fn, _float_fn, _fmt, _domain)


def index_op(idx: tuple) -> Op:
    """The operation ``x[r, c]`` (one entry of a matrix) for a fixed index."""
    return Op(
        "index",
        lambda a: float(np.asarray(a)[idx]),
        lambda m: m[idx],
        lambda g, args, out, needs: _index_vjp(g, args, out, needs, idx),
        lambda c, node: f"{{{c[0]}}}_{{{idx[0] + 1},{idx[1] + 1}}}",
        9,
        shape=_scalar_shape,
        cost=(1, 1),
    )


def result_shape(name: str, shapes: list[tuple]) -> tuple:
    """The shape of operation ``name`` on arguments of ``shapes``, or a ShapeError that names it.

    >>> result_shape("matmul", [(2, 3), (3, 1)]), result_shape("add", [(), (1, 4)])
    ((2, 1), (1, 4))
    """
    return _scalar_shape(shapes) if name == "index" else OPS[name].shape(shapes)


def op_of(node: Node) -> Op:
    """The :class:`Op` that evaluates ``node`` (indexing carries its index in ``node.data``)."""
    if node.op == "index":
        return index_op(node.data)
    return OPS[node.op]
