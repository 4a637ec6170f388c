r"""The reader's typed program: text read as equations or as a Python function, and its errors as messages.

The kernel explorers (:mod:`lagrange_ad.explorers`) and the page's "try it" component
(:mod:`lagrange_ad.try_it`, in the reader's browser) read the reader's text the same way, here:
:func:`computation_from_text` (equations ``z3 = x * w``, or a function body or a ``def``; the elementary
functions by name or with ``lad.`` in front; a step limit, so a loop that never ends stops), and
:func:`message`, the one short sentence a reader sees for any failure, with the line of *their* text.
Needs neither numpy nor ipywidgets.

>>> comp = computation_from_text("h = tanh(w * x)\nreturn h * h", "x w", kind="python")
>>> len(comp)
5
>>> try:
...     computation_from_text("if x > 0:\n    return x\nreturn -x", "x", kind="python")
... except Exception as err:
...     print(message(err)[:60])
line 1: a Python `if`, `while`, `and`, `or` or `not` needs T
"""

from __future__ import annotations

import inspect
import math
import textwrap
import types

from . import tracing
from . import values as elementary
from .computation import Computation
from .errors import DefinitionError, LagrangeADError, StepLimitError
from .frames import MAX_ENTRY_SIZE, MAX_FULL_STEPS, _size
from .linear_system import linear_system
from .typeset import block_system_latex, system_latex
from .values import FUNCTIONS

__all__ = [
    "parse_inputs", "computation_from_text", "message", "ReaderError", "system_tex",
    "EXAMPLE_EQUATIONS", "EXAMPLE_FUNCTION", "MAX_TYPED_STEPS", "HELP",
]  # fmt: skip

EXAMPLE_EQUATIONS = "z3 = w * x\nz4 = tanh(z3)\nz5 = z4 * z4"
EXAMPLE_FUNCTION = "h = tanh(w * x)\nreturn h * h"
#: Above this many steps the sequence explorer shows only the table of steps.
MAX_SHOWN_STEPS = 40
#: A typed-in computation may not have more steps than this (a loop that never ends stops here).
MAX_TYPED_STEPS = 2_000
HELP = (
    '<div class="lad-explorer-help"><i>Equations</i>: one step a line, <code>name = expression</code>, reading '
    "the inputs and the names assigned above it. <i>Python function</i>: a body ending in <code>return</code> "
    "(its parameters are the inputs), or a whole <code>def</code>. Available: <code>+ - * / ** @</code>, "
    f"<code>{' '.join(elementary.FUNCTIONS)}</code>. "
    "Inputs: names, and <code>W:3x4</code> for a matrix.</div>"
)


def message(err: BaseException, max_steps: int = MAX_TYPED_STEPS, where: str = "this explorer") -> str:
    """A short message a reader can act on: what went wrong and where in their text, never a traceback.

    ``max_steps`` and ``where``: the step limit of the program that failed, and what follows it.

    >>> message(ReaderError(3, "oops")), message(SyntaxError("invalid syntax", ("<f>", 2, 1, "x =")))
    ('line 3: oops', 'Python cannot read this: line 2: invalid syntax')
    """
    if isinstance(err, SyntaxError):
        where = f"line {err.lineno}: " if err.lineno else ""
        return f"Python cannot read this: {where}{err.msg}"
    if isinstance(err, ReaderError):
        return f"line {err.line}: {err.message}" if err.line else err.message
    if isinstance(err, StepLimitError):
        return (
            f"your program went past {max_steps:,} steps, the most {where} follows. A loop that "
            "never ends has no result and so no gradient; if the loop is only long, make it shorter here."
        )
    if isinstance(err, LagrangeADError):
        return str(err)
    return f"{type(err).__name__}: {err}"


class ReaderError(Exception):
    """An error in the reader's function, with the line of *their* text it happened on (or None), and the
    error it stands for (``cause``: a TracingError for an ``if`` on a traced value, a NameError...)."""

    def __init__(self, line: int | None, message: str, cause: BaseException | None = None):
        super().__init__(message)
        self.line, self.message, self.cause = line, message, cause


def parse_inputs(text: str) -> dict:
    """Input names with optional shapes: ``"x w"`` or ``"x, W:3x4"`` → ``{name: shape}``.

    >>> parse_inputs("x, W:3x4  b:1x4")
    {'x': (), 'W': (3, 4), 'b': (1, 4)}
    >>> parse_inputs("W:3")
    Traceback (most recent call last):
    ...
    lagrange_ad.errors.DefinitionError: input 'W:3': write a matrix input as name:ROWSxCOLS, e.g. W:3x4
    """
    table = {}
    for item in text.replace(",", " ").split():
        name, _, shape = item.partition(":")
        if shape:
            rows, x, cols = shape.lower().partition("x")
            if not (x and rows.strip().isdigit() and cols.strip().isdigit()):
                raise DefinitionError(f"input {item!r}: write a matrix input as name:ROWSxCOLS, e.g. W:3x4")
            table[name] = (int(rows), int(cols))
        else:
            table[name] = ()
    return table


def computation_from_text(
    text: str, inputs: str = "", kind: str = "equations", max_steps: int = MAX_TYPED_STEPS
) -> Computation:
    """A computation from typed text: equations (``z3 = x * w``) or a Python function (a body, or a def).

    A function body (``return`` included) uses the names in ``inputs`` as its parameters; a full
    ``def f(x, w): ...`` names its own (``inputs`` may still give shapes). The elementary functions
    (``tanh``, ``where``, ...) are available by name. More than ``max_steps`` steps raise StepLimitError.

    >>> comp = computation_from_text("return tanh(w * x)", "x w", kind="python")
    >>> len(comp), comp.output.tex
    (4, '\\\\tanh\\\\left(z_{3}\\\\right)')
    >>> len(computation_from_text(EXAMPLE_EQUATIONS, "x w"))
    5
    """
    table = parse_inputs(inputs)
    if not text.strip():
        raise LagrangeADError("the text box is empty: type some steps first")
    if kind == "equations":
        shapes = {k: v for k, v in table.items() if v}
        return Computation.from_equations(text, inputs=list(table), shapes=shapes, max_steps=max_steps)
    if kind != "python":
        raise LagrangeADError(f"kind must be 'equations' or 'python', not {kind!r}")
    functions = {name: getattr(elementary, name) for name in FUNCTIONS}
    # the package's own messages advise `lad.where(...)`: typing that advice here must work too
    namespace = {**functions, "lad": types.SimpleNamespace(**functions), "math": math}
    source, offset = textwrap.dedent(text), 0
    if "def " not in source:
        if "return" not in source:
            raise LagrangeADError("a function body needs a `return` line giving the result z_n")
        source = f"def f({', '.join(table)}):\n" + textwrap.indent(source, "    ")
        offset = 1  # the line we added: report line numbers of the reader's own text
    before = set(namespace)
    try:
        exec(compile(source, _SOURCE_NAME, "exec"), namespace)  # noqa: S102 - the reader's own code
    except SyntaxError as err:
        if err.lineno:
            err.lineno -= offset
        raise
    fn = [v for k, v in namespace.items() if k not in before and callable(v)]
    if not fn:
        raise LagrangeADError("no function was defined: write `def f(x, w): ...` or just a body with `return`")
    names = [p.name for p in inspect.signature(fn[-1]).parameters.values()]
    shapes = {k: table.get(k, ()) for k in names if table.get(k)}
    try:
        return tracing.trace(fn[-1], names, shapes=shapes, max_steps=max_steps)
    except StepLimitError:
        raise
    except NameError as err:
        raise ReaderError(_reader_line(err, offset), _name_advice(err, names), err) from None
    except AttributeError as err:
        if not isinstance(getattr(err, "obj", None), types.SimpleNamespace):  # not `lad.<unknown>`
            raise
        raise ReaderError(
            _reader_line(err, offset), f"{err.name!r} is not one of the functions here: {', '.join(FUNCTIONS)}", err
        ) from None
    except Exception as err:
        line = _reader_line(err, offset)
        if line is None:
            raise
        raise ReaderError(line, message(err, max_steps), err) from None


_SOURCE_NAME = "<your function>"


def _reader_line(err: BaseException, offset: int) -> int | None:
    """The line of the reader's text where ``err`` was raised (the innermost frame of their code)."""
    line = None
    tb = err.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == _SOURCE_NAME:
            line = tb.tb_lineno - offset
        tb = tb.tb_next
    return line


def _name_advice(err: NameError, inputs: list[str]) -> str:
    name = getattr(err, "name", None) or str(err)
    if name == "lad":
        return "write the functions by their bare names here (tanh, where, ...) or with lad. in front"
    return (
        f"{name!r} is not defined: if it is an input, add {name} to the inputs box "
        f"(now: {' '.join(inputs) or 'none'}); otherwise assign it before this line"
    )


def system_tex(comp: Computation):
    """A λ = e as LaTeX: real entries if A is small and scalar, else in blocks of ∂f_k/∂z_i (as the
    back-substitution frames choose)."""
    A, _ = linear_system(comp)
    small = len(comp) <= MAX_FULL_STEPS and not any(s.shape for s in comp.steps)
    if small and all(_size(v) <= MAX_ENTRY_SIZE for v in A.todok().values()):
        return system_latex(comp, A=A)
    return block_system_latex(comp)
