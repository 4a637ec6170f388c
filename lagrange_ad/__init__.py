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
from .lagrangian import lagrangian, multiplier, stationarity_conditions
from .linear_system import back_substitution, block_pattern, linear_system
from .numeric import finite_difference, forward, gradient, multipliers, perturbed_result
from .tracing import (
    Value,
    cos,
    cross_entropy,
    exp,
    log,
    mean,
    relu,
    sigmoid,
    sin,
    softmax,
    sqrt,
    sum,
    tanh,
    trace,
    where,
)

__all__ = [
    "display", "explorers", "steppers", "zoo",
    "Computation", "Step", "Value", "trace",
    "lagrangian", "multiplier", "stationarity_conditions",
    "linear_system", "block_pattern", "back_substitution",
    "forward", "multipliers", "gradient", "finite_difference", "perturbed_result",
    "exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "relu", "softmax", "where",
    "sum", "mean", "cross_entropy",
    "LagrangeADError", "TracingError", "StepLimitError", "ShapeError", "ForeignValueError",
    "DefinitionError", "UnsupportedValueError", "InputError", "OutputError", "SymbolicSizeError",
]  # fmt: skip

# The presentation modules pull in IPython, ipywidgets and matplotlib; load them on first use
# (lad.display, lad.steppers, lad.explorers) so that computing a gradient does not pay for them.
_LAZY = ("display", "explorers", "steppers")


def __getattr__(name):
    if name in _LAZY:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'lagrange_ad' has no attribute {name!r}")
