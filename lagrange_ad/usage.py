"""An audit event each time the package computes something an exercise may ask for.

``multipliers``, ``gradient``, ``back_substitution``, ``linear_system``,
``block_pattern``, ``stationarity_conditions`` and the solvers' modes each call
:func:`note` with their name, which raises the audit event ``lagrange_ad.call``
(:func:`sys.audit`). Nothing listens unless an audit hook is installed; the
grading kernels install one (scripts/classroom_kit/nbgrader_plugins.py), so that
an exercise that asks for λ_5 "by hand" can refuse an answer computed by
``lad.multipliers`` however it was called (an alias, ``getattr``, another
function that calls it). Without a hook a call costs well under a microsecond.

>>> note("multipliers")  # no hook here: nothing happens
"""

import sys

EVENT = "lagrange_ad.call"


def note(name: str) -> None:
    """Raise the audit event ``lagrange_ad.call`` with ``name`` (a public function's name)."""
    sys.audit(EVENT, name)
