"""lagrange_ad: gradients as the solution of the Lagrangian's stationarity conditions (LeCun 1988).

>>> import lagrange_ad as lad
>>> comp = lad.trace(lambda x, w: lad.sigmoid(w * x), "x w")
>>> {k: round(v, 4) for k, v in lad.gradient(comp, {"x": 1.0, "w": 0.0}).items()}
{'x': 0.0, 'w': 0.25}

The modules, in the book's order and in layers: each imports only from the layers above it in this list,
with no cycle (``tests/test_imports.py`` checks) and no import inside a function outside layer 7.

1. Operations. ``errors`` (every error is a :class:`LagrangeADError`); ``arrays`` (numpy if it can be
   imported, else None: the one place that decides); ``ops`` (the table of elementary operations: numpy,
   sympy, vector-Jacobian product, LaTeX, precedence, and the expression ``Node``); ``floats`` (the same
   operations on Python floats, derivatives derived by sympy from ``ops``); ``usage`` (an audit event each
   time the package computes what an exercise may ask for).
2. Values. ``values`` (:class:`Value`, the comparisons for ``where``, the elementary functions ``exp`` …
   ``softmax_cross_entropy``); ``lean`` (the private tuple a trace keeps a scalar step in); ``cache``
   (what is derived from a computation, kept once, and the paused garbage collector while building).
3. The computation. ``computation`` (:class:`Computation`, plain-data :class:`Step`, a(i), b(i)), with
   ``sympy_form`` (the symbols z_i, λ_i, p_i and f_i's formula), ``tex`` (LaTeX and the table of steps)
   and ``equations`` (typed-in ``name = expression`` lines); ``tracing`` (:func:`trace`). ``plan`` (each
   step's expression lowered once into flat entries) and ``tape`` (a computation of scalars as
   instructions on Python floats, lowered from those entries: z and λ at numbers, without numpy).
4. The argument (sympy). ``lagrangian`` (L and the stationarity conditions); ``linear_system`` (A λ = e,
   ``entry`` (A_ik numbered from 1), its nonzero blocks, back substitution; at numbers, the z's come from the
   tape, or for matrix-valued steps from sympy: this layer never imports numpy).
5. Numbers on arrays (numpy). ``numeric`` (the numpy engine over a plan: forward, backward from any seed;
   forward, multipliers, gradient, finite differences; the tape first where every value is a scalar);
   ``patterns`` (A's block pattern as a boolean array, :func:`block_pattern`). Without numpy: ``scalar``
   (forward, multipliers, gradient and central differences of a computation of scalars, on the tape).
6. Beyond backprop (chapters 7–13). ``solvers`` (A at numbers, forward and reverse mode, levels),
   ``implicit``, ``architectures``, ``zoo``; ``minitape`` (a tape small enough to write yourself, ch. 11),
   ``checkpointing`` (what reverse mode keeps, and revolve, ch. 12), ``hessian`` (Hessian-vector
   products, ch. 13); ``jax_bridge`` (a computation as a JAX function, for the page that sets JAX's grad,
   vjp, jvp, stop_gradient and custom_vjp beside A λ = e; needs JAX, and is imported only by that page
   and its tests).
7. Presentation. Without numpy: ``typeset`` (LaTeX of A λ = e, L, the conditions; the table of steps),
   ``graph_svg`` (the graph's layout, and the graph as SVG), ``frames`` (back substitution as
   precomputed frames), ``reader`` (the reader's typed program and its errors as messages), ``try_it``
   (all of these for the page's "try it" component, in the reader's browser). Loaded on first use: ``display`` (alias
   ``show``: ``typeset``'s names and the matplotlib plots), ``figures`` (the book's figure standard),
   ``widgets``, ``steppers``, ``explorers``, ``exercises``; ``tape_stepper``, ``checkpoint_figures``,
   ``hessian_figures`` (chapters 11–13).

Without numpy (the reader's browser, issue 15) ``import lagrange_ad`` still works, and so does everything in
layers 1–4 and ``typeset``/``graph_svg``; ``lad.gradient``, ``lad.forward``, ``lad.multipliers`` and
``lad.finite_difference`` are then ``scalar``'s (the float tape, for a computation of scalars). The names
that need numpy (``lad.zoo``, ``lad.block_pattern``, ``lad.display``…) are imported only when numpy is there
(``if np is not None`` below), and otherwise ``lad.<name>`` says what it needs. With numpy every name is
there at import, as before.
"""

import importlib

from .arrays import np
from .computation import Computation, Step
from .errors import (
    DefinitionError,
    ForeignValueError,
    InputError,
    LagrangeADError,
    OutputError,
    ShapeError,
    StepLimitError,
    SymbolicSizeError,
    TracingError,
    UnsupportedValueError,
)
from .lagrangian import lagrangian, multiplier, multiplier_symbol, stationarity_conditions
from .linear_system import back_substitution, entry, linear_system
from .ops import Indicator, IndicatorGE
from .tracing import trace
from .values import (
    Value,
    abs,
    cos,
    cross_entropy,
    exp,
    log,
    log_softmax,
    maximum,
    mean,
    minimum,
    relu,
    sigmoid,
    sin,
    softmax,
    softmax_cross_entropy,
    sqrt,
    sum,
    tan,
    tanh,
    where,
)

__all__ = [
    "display", "show", "explorers", "steppers", "zoo",
    "Computation", "Step", "Value", "trace",
    "lagrangian", "multiplier_symbol", "multiplier", "stationarity_conditions",
    "linear_system", "entry", "block_pattern", "BlockPattern", "back_substitution",
    "forward", "multiplier_values", "multipliers", "gradient", "finite_difference", "perturbed_result",
    "exp", "log", "sqrt", "sin", "cos", "tan", "tanh", "sigmoid", "relu", "abs", "softmax", "log_softmax",
    "where", "maximum", "minimum", "Indicator", "IndicatorGE",
    "sum", "mean", "cross_entropy", "softmax_cross_entropy",
    "LagrangeADError", "TracingError", "StepLimitError", "ShapeError", "ForeignValueError",
    "DefinitionError", "UnsupportedValueError", "InputError", "OutputError", "SymbolicSizeError",
]  # fmt: skip

# The numbers (the numpy engine), A's pattern as an array and the zoo of examples need numpy. Without it
# (the reader's browser) the symbolic path above still works, the numbers of a computation of scalars come
# from the float tape (lagrange_ad.scalar), and the other names say what they need.
if np is not None:
    from . import zoo
    from .numeric import finite_difference, forward, gradient, multiplier_values, multipliers, perturbed_result
    from .patterns import BlockPattern, block_pattern
else:  # the same numbers for a computation of scalars, on the float tape
    from .scalar import finite_difference, forward, gradient, multiplier_values, multipliers
_NEED_NUMPY = (
    "zoo", "perturbed_result", "BlockPattern", "block_pattern", "display", "show", "explorers", "steppers",
)  # fmt: skip
if np is None:  # `from lagrange_ad import *` takes what is there
    __all__ = [name for name in __all__ if name not in _NEED_NUMPY]

# The presentation modules pull in IPython, ipywidgets and matplotlib; load them on first use
# (lad.display or its alias lad.show, lad.steppers, lad.explorers) so that computing a gradient does not
# pay for them.
_LAZY = ("display", "show", "explorers", "steppers")


def __getattr__(name):
    if name in _LAZY and np is not None:
        return importlib.import_module(f".{name}", __name__)
    if name in _NEED_NUMPY:
        raise AttributeError(
            f"lagrange_ad.{name} needs numpy, which is not installed here; the symbolic path (trace, "
            "lagrangian, linear_system, back_substitution) works without it, and lagrange_ad.typeset and "
            "lagrange_ad.graph_svg print and draw it"
        )
    raise AttributeError(f"module 'lagrange_ad' has no attribute {name!r}")
