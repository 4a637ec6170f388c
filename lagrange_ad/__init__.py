"""lagrange_ad: gradients as the solution of the Lagrangian's stationarity conditions (LeCun 1988).

>>> import lagrange_ad as lad
>>> comp = lad.trace(lambda x, w: lad.sigmoid(w * x), "x w")
>>> {k: round(v, 4) for k, v in lad.gradient(comp, {"x": 1.0, "w": 0.0}).items()}
{'x': 0.0, 'w': 0.25}
"""

import importlib

from . import zoo
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
from .linear_system import BlockPattern, back_substitution, block_pattern, linear_system
from .numeric import finite_difference, forward, gradient, multiplier_values, multipliers, perturbed_result
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
    "linear_system", "block_pattern", "BlockPattern", "back_substitution",
    "forward", "multiplier_values", "multipliers", "gradient", "finite_difference", "perturbed_result",
    "exp", "log", "sqrt", "sin", "cos", "tan", "tanh", "sigmoid", "relu", "abs", "softmax", "log_softmax",
    "where", "maximum", "minimum", "Indicator", "IndicatorGE",
    "sum", "mean", "cross_entropy", "softmax_cross_entropy",
    "LagrangeADError", "TracingError", "StepLimitError", "ShapeError", "ForeignValueError",
    "DefinitionError", "UnsupportedValueError", "InputError", "OutputError", "SymbolicSizeError",
]  # fmt: skip

# The presentation modules pull in IPython, ipywidgets and matplotlib; load them on first use
# (lad.display or its alias lad.show, lad.steppers, lad.explorers) so that computing a gradient does not
# pay for them.
_LAZY = ("display", "show", "explorers", "steppers")


def __getattr__(name):
    if name in _LAZY:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'lagrange_ad' has no attribute {name!r}")
