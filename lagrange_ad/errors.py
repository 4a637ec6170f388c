"""The errors lagrange_ad raises.

Every error is a :class:`LagrangeADError` (itself a ``ValueError``), and its message names what went wrong:
the step, the symbol, the input or the line. A reader should never have to decode a bare sympy or numpy
traceback.
"""


class LagrangeADError(ValueError):
    """Base class of every error raised by lagrange_ad."""


class TracingError(LagrangeADError, TypeError):
    """A traced value was used where Python needs a plain answer (``if``, ``while``, ``float()``...)."""


class StepLimitError(LagrangeADError):
    """A computation grew beyond its step bound (usually a loop that never ends)."""


class ShapeError(LagrangeADError):
    """Operands whose shapes do not fit together, or an unsupported shape."""


class ForeignValueError(LagrangeADError):
    """A value that belongs to another computation."""


class DefinitionError(LagrangeADError):
    """A step used before it is defined, assigned twice, or assigned to an input."""


class UnsupportedValueError(LagrangeADError, TypeError):
    """A Python object that cannot take part in a computation (a string, a list, ``None``...)."""


class InputError(LagrangeADError):
    """Unknown, missing, mis-shaped or non-finite input values given to a numeric function."""


class OutputError(LagrangeADError):
    """The result z_n of a computation is missing or not a scalar."""


class SymbolicSizeError(LagrangeADError):
    """A computation too large to show symbolically (numbers still work)."""
