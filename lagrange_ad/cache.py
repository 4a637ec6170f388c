"""What is derived from a computation, kept once per computation; and the cycle collector paused while
building large structures.

Both serve speed, and neither knows sympy or numpy: the symbolic pipeline (L, the conditions, A) and the
numeric engines (the tape, the plans) keep what they derive here, and tracing builds under
:func:`building`.
"""

from __future__ import annotations

import contextlib
import gc
import weakref

# Results already derived, per computation. A step never changes once it is added, so a result stays valid
# until the computation grows. Keeping them means L's terms, the conditions and A are derived once each,
# although linear_system needs the conditions and back_substitution needs A: deriving them again on every
# call made the pipeline cost several times over, and sympy's own cache (1000 entries) stops hiding that
# once a computation has a few hundred steps.
_DERIVED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def derived(comp, what: str, derive):
    """``derive()``, computed once per computation and number of steps.

    The value must not refer to ``comp`` (no Step: a step refers to its computation), so that what is kept
    here never keeps a computation alive:

    >>> import gc, weakref
    >>> import lagrange_ad as lad
    >>> comp = lad.trace(lambda x, w: lad.tanh(w * x), "x w")
    >>> _ = lad.gradient(comp, {"x": 1.0, "w": 2.0}), list(lad.back_substitution(comp)), lad.lagrangian(comp)
    >>> alive = weakref.ref(comp)
    >>> del comp
    >>> _ = gc.collect()
    >>> alive() is None
    True
    """
    store = _DERIVED.setdefault(comp, {})
    n = len(comp)
    if what not in store or store[what][0] != n:
        with building():
            store[what] = (n, derive())
    return store[what][1]


@contextlib.contextmanager
def building():
    """Python's cycle collector paused while a large structure of objects that all live on is built (a trace,
    L, the conditions, A).

    The collector runs after every 700 new objects and now and then scans every object alive; while
    thousands are made and none become garbage, those scans find nothing and cost more the larger the
    structure: 15–20 % of the symbolic pipeline on a dense block of depth 40 (benchmarks/), up to 2× on a
    trace of 10⁵ steps. Anything left to collect is collected as usual afterwards.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
