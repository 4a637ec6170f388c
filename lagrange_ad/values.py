"""Traced values and the elementary functions.

A :class:`Value` stands for a quantity inside a :class:`~lagrange_ad.Computation`. Arithmetic on values
builds an expression; :meth:`Computation.assign` turns an expression into a new step ``z_i = f_i(...)``.
While a function is being *traced*, every elementary operation becomes a step of its own, so a Python loop
simply unrolls into the sequence.

The elementary functions also accept plain numbers and numpy arrays, so the very same Python function can
be run untraced (without numpy, on Python floats: the operations' float rules, NaN and ±inf where ``math``
refuses, as numpy gives them):

>>> import lagrange_ad as lad
>>> def f(x, c):
...     for _ in range(3):          # the source post's `loop 1:3: x = x + c`
...         x = x + c
...     return lad.tanh(x)
>>> round(float(f(0.5, 0.1)), 6)
0.664037
>>> comp = lad.trace(f, "x c")
>>> [s.tex for s in comp.steps]
['x', 'c', 'z_{1} + z_{2}', 'z_{3} + z_{2}', 'z_{4} + z_{2}', '\\\\tanh\\\\left(z_{5}\\\\right)']
"""

from __future__ import annotations

import numbers

from .arrays import ARRAYS, BOOLS, is_array, np
from .errors import ForeignValueError, ShapeError, TracingError, UnsupportedValueError
from .floats import FLOAT_OPS, ieee_value
from .ops import Node, op_of, result_shape

IF_HELP = (
    "a Python `if`, `while`, `and`, `or` or `not` needs True or False now, but {what} is a traced value: "
    "its truth depends on the inputs, and a trace records one path only. Write the branch as an indicator "
    "function instead: lad.where(condition, value_if_true, value_if_false), e.g. "
    "lad.where(x > 0, x, 0.1 * x)."
)


def _operator(name: str, reflected: bool = False):
    """The method behind a Python operator (``__add__``, or ``__radd__`` when ``reflected``): ``apply``, with a
    fast path for what tracing scalar code does all the time. A scalar z and a scalar z or Python number go
    straight to :func:`lagrange_ad.lean.record` (nothing to check: the shapes are () and the operands are steps
    already made); anything else (matrices, expressions, numpy values, mistakes to report) takes the general
    path. Written for speed: it runs once per operation of a trace."""
    op = FLOAT_OPS[name]

    def method(self, other):
        comp = self.comp
        if comp.tracing and self._z:
            y = other._z if type(other) is Value and other.comp is comp else _lean_number(other, comp)
            if y:
                return comp._record(op, y, self._z) if reflected else comp._record(op, self._z, y)
        return apply(name, other, self) if reflected else apply(name, self, other)

    method.__name__ = f"__r{name}__" if reflected else f"__{name}__"
    return method


def _function(name: str, doc: str | None = None):
    """The elementary function ``name``: ``apply(name, x)``, with the fast path of :func:`_operator` for a
    scalar z being traced."""
    op = FLOAT_OPS[name]

    def f(x):
        if type(x) is Value and x._z and x.comp.tracing:
            return x.comp._record(op, x._z)
        return apply(name, x)

    f.__name__ = f.__qualname__ = name
    f.__doc__ = doc
    return f


class Value:
    """A quantity inside a computation: an expression over its steps.

    You get values from :meth:`Computation.input`, :meth:`Computation.assign` and from arithmetic on
    other values. Python numbers and numpy arrays mix in freely as constants. The functions of one
    argument are also methods, as in micrograd and PyTorch: ``x.relu()`` is ``lad.relu(x)``, ``x.tanh()``,
    ``x.exp()``, ``W.sum()``... and ``abs(x)`` is ``lad.abs(x)``.
    """

    __slots__ = ("comp", "_node", "_z")

    def __init__(self, comp, node: Node | None, z: int = 0):
        """The value of the expression ``node``; or, with ``node=None``, of the scalar step ``z_z``."""
        self.comp = comp
        self._node = node
        # the index of the scalar step this value is, else 0: all that the fast path of tracing reads
        self._z = z if node is None else (node.data if node.op == "z" and not node.shape else 0)

    @property
    def node(self) -> Node:
        """The expression this value stands for (for a step, a reference to it)."""
        if self._node is None:  # made by the fast path of tracing, which needs no node
            self._node = Node("z", (), (), self._z)
        return self._node

    @property
    def shape(self) -> tuple:
        """``()`` for a scalar, ``(rows, cols)`` for a matrix."""
        return () if self._node is None else self._node.shape

    @property
    def step(self):
        """The step this value is, or ``None`` if it is an expression not yet assigned."""
        return self.comp.steps[self.node.data - 1] if self.node.op == "z" else None

    def _label(self) -> str:
        return f"z_{self.node.data}" if self.node.op == "z" else f"the expression {self.node!r}"

    def __repr__(self):
        return f"Value({self.node!r}, shape={self.shape})"

    # arithmetic ------------------------------------------------------------------------------------
    __add__ = _operator("add")
    __radd__ = _operator("add", reflected=True)

    __sub__ = _operator("sub")
    __rsub__ = _operator("sub", reflected=True)

    __mul__ = _operator("mul")
    __rmul__ = _operator("mul", reflected=True)

    __truediv__ = _operator("div")
    __rtruediv__ = _operator("div", reflected=True)

    __pow__ = _operator("pow")
    __rpow__ = _operator("pow", reflected=True)

    def __matmul__(self, other):
        return apply("matmul", self, other)

    def __rmatmul__(self, other):
        return apply("matmul", other, self)

    __neg__ = _function("neg")

    def __pos__(self):
        return self

    @property
    def T(self):  # noqa: N802 - numpy's name
        """The transpose of a matrix value."""
        return apply("transpose", self)

    def __getitem__(self, idx):
        if not self.shape:
            raise ShapeError(f"{self._label()} is a scalar and cannot be indexed")
        whole = (numbers.Integral,)  # Python's and numpy's integers (loops over np.arange), but not bools
        if not (isinstance(idx, tuple) and len(idx) == 2 and all(_is_a(i, whole) for i in idx)):
            raise ShapeError(f"index a matrix value with two integers, as in v[0, 1]; got {idx!r}")
        rows, cols = self.shape
        r, c = (int(i) for i in idx)
        if not (-rows <= r < rows and -cols <= c < cols):
            raise ShapeError(f"index {idx} is outside the shape {self.shape} of {self._label()}")
        return apply("index", self, data=(r % rows, c % cols))

    # comparisons make conditions for `where` ---------------------------------------------------------
    def __gt__(self, other):
        return Condition(self, other, strict=True)

    def __ge__(self, other):
        return Condition(self, other, strict=False)

    def __lt__(self, other):
        return Condition(other, self, strict=True)

    def __le__(self, other):
        return Condition(other, self, strict=False)

    def __eq__(self, other):
        raise TracingError(
            f"`==` or `!=` on the traced value {self._label()} cannot be traced: a branch on equality has no "
            "derivative to follow. Compare with >, >=, < or <= inside lad.where (`is` tests identity)"
        )

    __ne__ = __eq__
    __hash__ = object.__hash__

    # what cannot be traced -------------------------------------------------------------------------
    def __bool__(self):
        raise TracingError(IF_HELP.format(what=self._label()))

    def __float__(self):
        raise TracingError(
            f"{self._label()} is a traced value, not a number: it has no value until the computation "
            "is evaluated (use lad.forward or lad.gradient for numbers). To branch on it, use "
            "lad.where(condition, a, b); instead of math.exp and friends, use lad.exp, lad.sin..."
        )

    __int__ = __float__
    __index__ = __float__
    __complex__ = __float__

    def __iter__(self):
        raise TracingError(f"cannot iterate over the traced value {self._label()}; index its entries as v[r, c]")

    def __abs__(self):
        return abs(self)  # lagrange_ad's abs, defined below: |x|, whose derivative is an indicator

    # numpy ---------------------------------------------------------------------------------------
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        # numpy calls this for `array * value` (hand it to our operators) and for np.sin(value) (refuse:
        # numpy would need numbers now)
        rule = _NUMPY_OPERATORS.get(ufunc)
        if method == "__call__" and not kwargs and rule is not None:
            return rule(*inputs)
        raise TracingError(_numpy_help(f"np.{ufunc.__name__}", self))

    def __array_function__(self, func, types, args, kwargs):
        raise TracingError(_numpy_help(f"np.{func.__name__}", self))


_NUMPY_HINTS = {
    "dot": "use the operator @ instead",
    "matmul": "use the operator @ instead",
    "absolute": "use lad.abs (or Python's abs) instead",
    "fabs": "use lad.abs (or Python's abs) instead",
    "maximum": "use lad.maximum (lad.relu(x) for max(x, 0)) instead",
    "minimum": "use lad.minimum instead",
}


def _is_a(x, kinds) -> bool:
    return isinstance(x, kinds) and not isinstance(x, BOOLS)


def _numpy_help(what: str, value: Value) -> str:
    name = what.removeprefix("np.")
    if name in _NUMPY_HINTS:
        use = _NUMPY_HINTS[name]
    elif name in FUNCTIONS:
        use = f"use lad.{name} instead"
    else:
        use = (
            "use lagrange_ad's elementary functions instead ("
            + ", ".join(f"lad.{f}" for f in FUNCTIONS)
            + ") and + - * / ** @"
        )
    return f"{what} cannot work on the traced value {value._label()}: numpy needs numbers, a trace has none; {use}"


class Condition:
    """``a > b`` (or ``>=``) between traced values: usable only inside :func:`where`.

    It stands for the indicator function 1[a - b > 0] (or ≥ 0).
    """

    def __init__(self, greater, smaller, strict: bool):
        self.comp = _owner([greater, smaller], "comparison")
        self.difference = _expression("sub", greater, smaller)
        self.strict = strict

    def __bool__(self):
        raise TracingError(IF_HELP.format(what="this comparison"))

    def _not_a_number(self, *other):
        raise TracingError(
            "a comparison is not a number: use it only as the condition of lad.where(condition, a, b), "
            "which turns it into the indicator function 1[condition]"
        )

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _not_a_number
    __truediv__ = __rtruediv__ = __pow__ = __rpow__ = __matmul__ = __rmatmul__ = __neg__ = _not_a_number
    __float__ = __int__ = _not_a_number


_NUMPY_OPERATORS = {} if np is None else {
    np.add: lambda a, b: apply("add", a, b),
    np.subtract: lambda a, b: apply("sub", a, b),
    np.multiply: lambda a, b: apply("mul", a, b),
    np.true_divide: lambda a, b: apply("div", a, b),
    np.power: lambda a, b: apply("pow", a, b),
    np.matmul: lambda a, b: apply("matmul", a, b),
    np.negative: lambda a: apply("neg", a),
    np.positive: lambda a: a,
    np.greater: lambda a, b: Condition(a, b, strict=True),
    np.greater_equal: lambda a, b: Condition(a, b, strict=False),
    np.less: lambda a, b: Condition(b, a, strict=True),
    np.less_equal: lambda a, b: Condition(b, a, strict=False),
}


# --------------------------------------------------------------------------------------------------
# building expressions
# --------------------------------------------------------------------------------------------------


def _constant(x, op: str) -> Node:
    """A Python number or numpy array as a constant node; anything else is refused by name."""
    if isinstance(x, Condition):
        raise TracingError(f"a comparison can only be used as the condition of lad.where, not in `{op}`")
    if isinstance(x, BOOLS) or not isinstance(x, (numbers.Real, *ARRAYS)):
        kind = type(x).__name__
        hint = " (wrap lists in np.array)" if isinstance(x, (list, tuple)) else ""
        raise UnsupportedValueError(
            f"a {kind} cannot take part in a computation (operand of `{op}`): use numbers, numpy arrays "
            f"or values of the computation{hint}"
        )
    if not is_array(x):
        return Node("const", shape=(), data=float(x))
    arr = np.asarray(x, dtype=float)
    if arr.ndim != 2:
        raise ShapeError(
            f"constant of shape {arr.shape} in `{op}`: lagrange_ad works with scalars and 2-D arrays "
            "(write a vector as a 1×k row)"
        )
    return Node("const", shape=arr.shape, data=arr)


def _owner(operands, op: str):
    comps = {id(v.comp): v.comp for v in operands if isinstance(v, Value)}
    if len(comps) > 1:
        raise ForeignValueError(
            f"`{op}` mixes values from {len(comps)} different computations; a value belongs to the "
            "computation that made it (build everything in one Computation, or one trace)"
        )
    return next(iter(comps.values()), None)


def _node_of(x, op: str) -> Node:
    if isinstance(x, Value):
        return x.node
    if isinstance(x, Condition):
        raise TracingError(f"a comparison can only be used as the condition of lad.where, not in `{op}`")
    return _constant(x, op)


def _expression(op: str, *operands, data=None) -> Node:
    _owner(operands, op)
    args = tuple(_node_of(x, op) for x in operands)
    return Node(op, args, result_shape(op, [a.shape for a in args]), data)


def _lean_number(v, comp) -> int:
    """A Python number as a constant of lean steps (:mod:`lagrange_ad.lean`), else 0."""
    if type(v) is float or type(v) is int:  # exactly: bools and numpy numbers take the general path
        return comp._constant(float(v))
    return 0


def apply(op: str, *operands, data=None):
    """Apply an elementary operation: numerically to plain numbers, as an expression to values.

    While tracing, the expression immediately becomes a step of its own.

    >>> apply("mul", 2.0, 3.0)
    6.0
    """
    comp = _owner(operands, op)
    if comp is None:
        return _numeric(op, operands, data)
    node = _expression(op, *operands, data=data)
    value = Value(comp, node)
    return comp.assign(value) if comp.tracing else value


def _numeric(op: str, operands, data):
    for x in operands:
        _constant(x, op)  # same checks, same messages, as for traced operands
    node = Node(op, data=data)
    if np is None:  # plain numbers (no array can exist without numpy): the operation on floats
        return _on_floats(op_of(node), [float(x) for x in operands])
    result = op_of(node).numeric(*[np.asarray(x, dtype=float) if np.ndim(x) else float(x) for x in operands])
    return float(result) if np.ndim(result) == 0 else result


def _on_floats(op, xs: list) -> float:
    """``op`` on Python floats, giving NaN or ±inf where ``math`` refuses, as numpy would."""
    if op.name == "where":
        return xs[1] if xs[0] > 0 else xs[2]
    if op.scalar is None:  # sum, mean, transpose of a number: the number
        return xs[0]
    try:
        return float(op.scalar(*xs))
    except (ArithmeticError, ValueError) as error:
        return ieee_value(op.name, xs, error)


# --------------------------------------------------------------------------------------------------
# the elementary functions
# --------------------------------------------------------------------------------------------------


exp = _function("exp", "Elementwise exponential.\n\n>>> exp(0.0)\n1.0")
log = _function("log", "Elementwise natural logarithm.\n\n>>> log(1.0)\n0.0")
sqrt = _function("sqrt", "Elementwise square root.\n\n>>> sqrt(4.0)\n2.0")
sin = _function("sin", "Elementwise sine.\n\n>>> sin(0.0)\n0.0")
cos = _function("cos", "Elementwise cosine.\n\n>>> cos(0.0)\n1.0")
tan = _function("tan", "Elementwise tangent.\n\n>>> tan(0.0)\n0.0")
tanh = _function("tanh", "Elementwise hyperbolic tangent.\n\n>>> tanh(0.0)\n0.0")
sigmoid = _function("sigmoid", "Elementwise logistic function 1 / (1 + exp(-x)).\n\n>>> sigmoid(0.0)\n0.5")
relu = _function("relu", "Elementwise max(x, 0); its derivative at 0 is taken as 0.\n\n>>> relu(-2.0)\n0.0")
softmax = _function(
    "softmax",
    "Softmax of each row of a matrix (of a 1×k row vector, its k entries).\n\n"
    ">>> softmax(np.array([[0.0, 0.0]])).tolist()\n[[0.5, 0.5]]",
)
log_softmax = _function(
    "log_softmax",
    "The logarithm of the softmax of each row, computed without forming the softmax (so it never takes\n"
    "log of 0): x − max(x) − log Σ exp(x − max(x)). Its derivative is 1 − softmax, row by row.\n\n"
    ">>> log_softmax(np.array([[800.0, -800.0, 0.0]])).tolist()\n[[0.0, -1600.0, -800.0]]",
)
abs = _function(  # noqa: A001 - the natural name, as Python's and numpy's
    "abs",
    "Elementwise absolute value |x|. Its derivative is an indicator, 1[x > 0] − 1[x < 0] (0 at 0, as in\n"
    "PyTorch and autograd); Python's abs() of a traced value calls it.\n\n>>> abs(-2.0)\n2.0",
)


def sum(x):  # noqa: A001 - the natural name, as in numpy
    """The sum of all entries of a matrix, a scalar.

    >>> sum(np.ones((2, 3)))
    6.0
    """
    return apply("sum", x)


def mean(x):
    """The mean of all entries of a matrix, a scalar.

    >>> mean(np.array([[1.0, 3.0]]))
    2.0
    """
    return apply("mean", x)


def cross_entropy(p, y):
    """Cross-entropy ``-Σ y log p`` of predicted probabilities ``p`` against targets ``y``.

    >>> round(cross_entropy(np.array([[0.25, 0.75]]), np.array([[0.0, 1.0]])), 6)
    0.287682
    """
    return -sum(y * log(p))


def softmax_cross_entropy(logits, y):
    """Cross-entropy ``-Σ y log softmax(logits)`` of targets ``y`` against the softmax of ``logits``, fused.

    ``cross_entropy(softmax(logits), y)`` takes the logarithm of a probability, which underflows to 0 for a
    logit far below the largest one (at logits [800, −800, 0] the third probability is e⁻⁸⁰⁰ = 0 in floats,
    and log 0 is −∞). The fused form takes :func:`log_softmax` instead, which never forms the probability:
    the same number wherever both are defined, and a finite loss (here 800) where the unfused one is not.
    Its gradient with respect to the logits is ``softmax(logits) − y`` per row (for rows of y summing to 1).

    >>> float(softmax_cross_entropy(np.array([[800.0, -800.0, 0.0]]), np.array([[0.0, 0.0, 1.0]])))
    800.0
    """
    return -sum(y * log_softmax(logits))


def maximum(a, b):
    """The larger of ``a`` and ``b`` (entrywise), written as the branch ``where(a > b, a, b)``.

    Its derivatives are indicators, as for every branch: ∂/∂a = 1[a > b], ∂/∂b = 1 − 1[a > b]. At a tie
    the derivative goes to ``b`` (so ``maximum(x, 0)`` has relu's derivative, 0 at 0); HIPS autograd and
    JAX split it half and half there instead.

    >>> maximum(2.0, 3.0), maximum(np.array([[1.0, 5.0]]), 2.0).tolist()
    (3.0, [[2.0, 5.0]])
    """
    return where(a > b, a, b)


def minimum(a, b):
    """The smaller of ``a`` and ``b`` (entrywise), written as the branch ``where(a < b, a, b)``.

    ∂/∂a = 1[a < b], ∂/∂b = 1 − 1[a < b]; at a tie the derivative goes to ``b``, as for :func:`maximum`.

    >>> minimum(2.0, 3.0)
    2.0
    """
    return where(a < b, a, b)


def where(condition, if_true, if_false):
    """A branch as an indicator function: ``1[c]·if_true + (1 − 1[c])·if_false``.

    ``condition`` is a comparison such as ``x > 0``. The derivative of the indicator itself is zero
    everywhere except at the switching point, where it does not exist; like every AD system, lagrange_ad
    takes it as zero there too, so the gradient is that of the branch taken.

    In the sympy forms (L, the conditions, A) ``a > b`` is :class:`lad.Indicator` ``(a - b)``, 1[d > 0],
    which is 0 at d = 0, and ``a >= b`` is :class:`lad.IndicatorGE` ``(a - b)``, 1[d ≥ 0], which is 1 at
    d = 0; their derivative is sympy's ``DiracDelta``, taken as zero.

    >>> where(2.0 > 1.0, 10.0, 20.0)
    10.0
    """
    if isinstance(condition, Condition):
        ind = "indicator" if condition.strict else "indicator_ge"
        indicator = Value(condition.comp, Node(ind, (condition.difference,), condition.difference.shape))
        return apply("where", indicator, if_true, if_false)
    if isinstance(condition, (Value,)):
        raise TracingError("the condition of lad.where must be a comparison such as x > 0")
    if is_array(condition):
        return apply("where", np.asarray(condition, dtype=float), if_true, if_false)
    if not isinstance(condition, BOOLS):
        raise UnsupportedValueError(
            f"the condition of lad.where must be a comparison or a bool, not {type(condition).__name__}"
        )
    chosen, other = (if_true, if_false) if condition else (if_false, if_true)
    shape = result_shape("where", [(), _shape_of(chosen), _shape_of(other)])
    if _shape_of(chosen) != shape:  # broadcast like np.where, whichever branch is taken
        chosen = apply("mul", chosen, np.ones(shape))
    return chosen if isinstance(chosen, Value) else apply("add", chosen, 0.0)


#: The elementary functions by name: what typed-in equations and functions may call
#: (:meth:`Computation.from_equations`, the explorers), and what a Value has as methods (``x.tanh()``).
FUNCTIONS = (
    "exp", "log", "sqrt", "sin", "cos", "tan", "tanh", "sigmoid", "relu", "abs", "softmax", "log_softmax",
    "where", "maximum", "minimum", "sum", "mean", "cross_entropy", "softmax_cross_entropy",
)  # fmt: skip

# micrograd's and PyTorch's spelling, x.relu() for relu(x): the functions of one argument as methods.
for _name in ("exp", "log", "sqrt", "sin", "cos", "tan", "tanh", "sigmoid", "relu", "abs", "softmax",
              "log_softmax", "sum", "mean"):  # fmt: skip
    setattr(Value, _name, globals()[_name])


def _shape_of(x) -> tuple:
    return x.shape if isinstance(x, Value) else _node_of(x, "where").shape
