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

import keyword
import math

from .arrays import INTEGERS
from .equations import build_from_equations
from .errors import (
    DefinitionError,
    ForeignValueError,
    InputError,
    OutputError,
    ShapeError,
    StepLimitError,
    SymbolicSizeError,
    UnsupportedValueError,
)
from .lean import constant, record, step_nodes
from .ops import Node, domains, step_refs
from .sympy_form import parameter_symbols, symbols, to_sympy
from .tex import steps_markdown, tex_name, to_tex
from .values import Condition, Value

#: Above this many scalar components a computation is too large to show symbolically.
SYMBOLIC_LIMIT = 5_000


def _check_shape(shape, what: str) -> tuple:
    shape = tuple(shape) if isinstance(shape, (tuple, list)) else (shape,)
    if len(shape) not in (0, 2) or not all(isinstance(n, INTEGERS) and n > 0 for n in shape):
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
        return math.prod(self.shape)

    @property
    def symbol(self):
        """z_i as sympy: a Symbol, or an ImmutableMatrix of component symbols ``z_{i,r,c}``."""
        return symbols("z", self.index, self.shape)

    @property
    def parameter(self):
        """For an input, the value p_i it is pinned to (named after the input)."""
        return parameter_symbols(self.name, self.index, self.shape)

    @property
    def formula(self):
        """f_i as a sympy expression (or matrix) in the z's it reads; ``None`` for an input."""
        if self.node is None:
            return None
        if self._formula is None:
            reads = {n.data: n.shape for n in _walk(self.node) if n.op == "z"}
            size = self.size + sum(math.prod(shape) for shape in reads.values())
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
            return tex_name(self.name)
        return to_tex(self.node)

    def __repr__(self):
        kind = "input" if self.is_input else f"f = {self.node!r}"
        return f"Step(z_{self.index} {self.name!r}, shape={self.shape}, {kind})"


def _walk(node: Node):
    """Every node of an expression, each once."""
    stack, seen = [node], set()
    while stack:
        n = stack.pop()
        if id(n) not in seen:
            seen.add(id(n))
            yield n
            stack.extend(n.args)


def check_input_names(inputs: list[Step], values) -> None:
    """Refuse input values that are not a dict naming every one of the input steps ``inputs``, and nothing
    else (the inputs are passed in: a caller that checks often keeps them, comp.inputs looks at every step).

    >>> import lagrange_ad as lad
    >>> check_input_names(lad.trace(lambda x: x, "x").inputs, {"y": 1.0})
    Traceback (most recent call last):
    lagrange_ad.errors.InputError: unknown input name(s) ['y']; the inputs are ['x']
    """
    if not hasattr(values, "keys"):
        raise InputError(f"give the input values as a dict {{name: value}}, not a {type(values).__name__}")
    names = [s.name for s in inputs]
    unknown = [k for k in values if k not in names]
    if unknown:
        raise InputError(f"unknown input name(s) {unknown}; the inputs are {names}")
    missing = [n for n in names if n not in values]
    if missing:
        raise InputError(f"missing value(s) for input(s) {missing}; the inputs are {names}")


def undefined_step(comp, step: Step, what: str) -> InputError:
    """The error for a result that is not a number because step ``step`` is not (``what``: "NaN",
    "infinite"): it names the step, its formula, and what its operations need to be defined."""
    n = comp.output_index()
    named = "" if step.name == f"z{step.index}" else f" ({step.name!r})"
    formula = "the input" if step.is_input else f"z_{step.index} = {step.node!r}"
    needs = domains(step.node) if step.node is not None else []
    hint = (
        "; ".join(needs)
        if needs
        else "log needs a positive argument, sqrt a non-negative one, a division a nonzero divisor"
    )
    return InputError(
        f"at these input values z_{step.index}{named} is {what}: {formula}. So the result z_{n} is not "
        f"a number, nor its gradient. Choose inputs where every step is defined: {hint}"
    )


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
        if not isinstance(i, INTEGERS) or not 1 <= i <= len(self):
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
        if not isinstance(i, INTEGERS) or not 1 <= i <= len(self.steps):
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
        """A Markdown table of the steps: i, name, shape, f_i, a(i), b(i) (as :func:`lagrange_ad.show.steps_table`).

        >>> import lagrange_ad as lad
        >>> print(lad.trace(lambda x: lad.exp(x), "x").table())
        | $i$ | name | shape | $z_i =$ | $a(i)$ | $b(i)$ |
        |---|---|---|---|---|---|
        | 1 | `x` | scalar | input $x$ | ∅ | {2} |
        | 2 | `z2` | scalar | $\\exp\\left(z_{1}\\right)$ | {1} | ∅ |
        """
        return steps_markdown(self)

    def _repr_markdown_(self):
        return self.table()

    def __repr__(self):
        return f"<Computation with {len(self)} steps ({len(self.inputs)} inputs)>"

    # typed-in computations ---------------------------------------------------------------------------
    @classmethod
    def from_equations(cls, text: str, inputs="", shapes=None, max_steps: int | None = 10_000):
        """Build a computation from lines ``name = expression`` (``#`` comments and blank lines allowed).

        Names in ``inputs`` are the inputs; every other name must be assigned before it is used, exactly
        once. The elementary functions (``tanh``, ``exp``, ``where``...) are available by name. The text is
        read by :mod:`lagrange_ad.equations`.

        >>> comp = Computation.from_equations("z3 = z1 * z2\\nz4 = tanh(z3)", inputs="z1 z2")
        >>> [s.tex for s in comp.steps]
        ['z_{1}', 'z_{2}', 'z_{1}\\\\, z_{2}', '\\\\tanh\\\\left(z_{3}\\\\right)']
        """
        return build_from_equations(cls(max_steps=max_steps), text, inputs, shapes)
