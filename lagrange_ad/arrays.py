"""numpy, if it can be imported: the one place that decides, so that the symbolic path runs without it.

The symbolic path (tracing, :class:`~lagrange_ad.Computation`, L, the conditions, A λ = e, back
substitution, the float tape, the LaTeX) needs no numpy, so it also runs where numpy cannot be installed
(Pyodide in the reader's browser, issue 15). The modules of that path that *also* accept arrays (the table
of operations, traced values, computations with matrix steps) import numpy from here: ``np`` is numpy, or
None when it is missing, and the type tuples below let them recognise numpy's numbers without numpy.
Modules that only work on arrays (``numeric``, ``solvers``, ``zoo`` ...) import numpy themselves.

>>> np is None or np.__name__ == "numpy"
True
>>> isinstance(3, INTEGERS), isinstance(True, BOOLS), isinstance(2.0, ARRAYS)
(True, True, False)
"""

from __future__ import annotations

try:
    import numpy as np
except ImportError:  # the browser: no numpy, and nothing on the symbolic path needs it
    np = None

from .errors import LagrangeADError

#: numpy's array and scalar types (empty without numpy: nothing is one)
ARRAYS: tuple = (np.ndarray, np.generic) if np is not None else ()
#: what counts as a bool (numpy's too)
BOOLS: tuple = (bool, np.bool_) if np is not None else (bool,)
#: what counts as an integer index or size (numpy's too)
INTEGERS: tuple = (int, np.integer) if np is not None else (int,)


def is_array(x) -> bool:
    """True for a numpy array of one or more dimensions (a number, or anything without numpy: False)."""
    return np is not None and isinstance(x, np.ndarray) and x.ndim > 0


def needs_numpy(what: str):
    """A function that raises a clear error: ``what`` works on arrays, and numpy is not installed."""

    def refuse(*args, **kwargs):
        raise LagrangeADError(f"{what} works on arrays and needs numpy, which is not installed here")

    refuse.__name__ = f"needs_numpy_{what}"
    return refuse


def numpy_function(name: str):
    """numpy's function ``name`` (``np.add``...), or without numpy one that says numpy is needed."""
    return getattr(np, name) if np is not None else needs_numpy(f"np.{name}")
