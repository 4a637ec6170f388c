"""What reverse mode must keep, and how to keep less: storage counts, checkpoint schedules, revolve.

Back substitution reads, in row i of A, the entries ∂f_k/∂z_i; each is a formula in some z's. Every z that
such an entry needs must still be there when row i is solved: that is the memory of reverse mode
(:func:`storage`). On a chain of n steps x_i = F_i(x_{i−1}) one may keep fewer states (checkpoints) and
recompute the rest from the nearest one. A *schedule* says when to advance, store, restore and reverse;
:func:`sqrt_schedule` keeps every ⌈√n⌉-th state, :func:`revolve_schedule` is Griewank's binomial schedule,
which does the fewest forward steps possible with a given number of slots (:func:`revolve_formula`).

>>> s = revolve_schedule(10, slots=3)
>>> s.advances, revolve_formula(10, 3), s.peak_slots
(15, 15, 3)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from math import comb, isqrt

import sympy

from .errors import LagrangeADError
from .numeric import forward as _forward
from .numeric import gradient as _gradient
from .tracing import trace
from .usage import note
from .values import tanh

__all__ = [
    "Storage", "storage", "needed_by_backward",
    "Schedule", "store_all_schedule", "sqrt_schedule", "revolve_schedule", "revolve_formula",
    "revolve_minimum", "beta", "run_schedule", "chain_gradient", "reversible_gradient",
]  # fmt: skip


# ---- what back substitution reads ---------------------------------------------------------------------


def needed_by_backward(comp) -> dict[int, set[int]]:
    """For each step k, the steps whose values its entries ∂f_k/∂z_i (i in a(k)) are formulas of.

    >>> import lagrange_ad as lad
    >>> comp = lad.trace(lambda x, y: lad.tanh(x * y) + 3 * x, "x y")
    >>> needed_by_backward(comp)
    {3: {1, 2}, 4: {3}, 5: set(), 6: set()}
    """
    note("needed_by_backward")  # exercises ask for these counts; grading can refuse the call
    index = {}
    for step in comp.steps:
        symbol = step.symbol
        for s in symbol if step.shape else [symbol]:
            index[s] = step.index
    needs = {}
    for step in comp.steps:
        if step.is_input:
            continue
        found: set[int] = set()
        formula = sympy.Matrix(step.formula) if step.shape else sympy.Matrix([step.formula])
        for i in comp.a(step.index):
            arg = comp.steps[i - 1].symbol
            for s in arg if comp.steps[i - 1].shape else [arg]:
                for entry in formula.diff(s):
                    found |= {index[f] for f in entry.free_symbols if f in index}
        needs[step.index] = found
    return needs


@dataclass
class Storage:
    """Scalars reverse mode keeps (``kept``) against all the forward pass computed (``total``)."""

    kept: int
    total: int
    kept_steps: list[int]


def storage(comp) -> Storage:
    """Count the scalars back substitution needs from the forward pass (inputs included, z_n not).

    >>> import lagrange_ad as lad
    >>> storage(lad.trace(lambda x, y: lad.tanh(x * y) + 3 * x, "x y"))
    Storage(kept=3, total=6, kept_steps=[1, 2, 3])
    """
    note("storage")
    kept = sorted(set().union(*needs.values())) if (needs := needed_by_backward(comp)) else []
    size = {s.index: s.size for s in comp.steps}
    return Storage(sum(size[i] for i in kept), sum(size.values()), kept)


# ---- schedules for a chain ----------------------------------------------------------------------------


@dataclass
class Schedule:
    """A checkpoint schedule for a chain of ``n`` steps: a list of actions

    ``("advance", i)`` run F_i on the current state (x_{i−1} → x_i) without recording;
    ``("store", i)`` keep x_i in a slot; ``("restore", i)`` make the kept x_i current;
    ``("reverse", i)`` run F_i recording its local derivatives and pass λ_i back to x_{i−1};
    ``("free", i)`` release x_i's slot.
    x_0 sits in a slot from the start. ``advances`` counts the advance actions (forward steps beyond the
    recording ones), ``peak_slots`` the most states held at once, x_0 included.
    """

    n: int
    actions: list[tuple[str, int]]

    @property
    def advances(self) -> int:
        return sum(1 for a, _ in self.actions if a == "advance")

    @property
    def recomputations(self) -> int:
        """Advances beyond the n − 1 a schedule that keeps every state needs."""
        return self.advances - (self.n - 1)

    @property
    def peak_slots(self) -> int:
        held, peak = 1, 1
        for action, _ in self.actions:
            held += {"store": 1, "free": -1}.get(action, 0)
            peak = max(peak, held)
        return peak


def _check_n(n, slots=None):
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise LagrangeADError(f"a chain needs n ≥ 1 steps, got {n!r}")
    if slots is not None and (isinstance(slots, bool) or not isinstance(slots, int) or slots < 1):
        raise LagrangeADError(f"slots counts the states kept (x_0 included): an integer ≥ 1, got {slots!r}")


def store_all_schedule(n: int) -> Schedule:
    """Keep every state: n − 1 advances, n slots (ordinary reverse mode)."""
    _check_n(n)
    actions = []
    for i in range(1, n):
        actions += [("advance", i), ("store", i)]
    for i in range(n, 0, -1):
        actions += [("restore", i - 1), ("reverse", i)] + ([("free", i - 1)] if i > 1 else [])
    return Schedule(n, actions)


def sqrt_schedule(n: int, every: int | None = None) -> Schedule:
    """Keep every ``every``-th state (default ⌈√n⌉) on the way forward; reverse each segment by keeping
    all of its states, recomputed from the segment's checkpoint."""
    _check_n(n)
    k = every or max(1, isqrt(n - 1) + 1 if n > 1 else 1)
    starts = list(range(0, n, k))
    actions = []
    for s in starts[1:]:
        actions += [("advance", i) for i in range(s - k + 1, s + 1)] + [("store", s)]
    for s in reversed(starts):
        end = min(s + k, n)
        actions.append(("restore", s))
        for i in range(s + 1, end):
            actions += [("advance", i), ("store", i)]
        for i in range(end, s, -1):
            actions += [("restore", i - 1), ("reverse", i)]
            if i - 1 > 0:
                actions.append(("free", i - 1))
    return Schedule(n, actions)


def beta(s: int, r: int) -> int:
    """β(s, r) = C(s + r, s): the most steps s slots can reverse with each step advanced at most r times."""
    return comb(s + r, s)


def revolve_formula(n: int, slots: int) -> int:
    """Griewank's minimal number of advances to reverse n steps with ``slots`` states kept (x_0 included):
    t = r n − β(slots + 1, r − 1), with r the smallest integer such that β(slots, r) ≥ n
    (Griewank 1992; Griewank & Walther 2008, Prop. 12.2)."""
    _check_n(n, slots)
    note("revolve_formula")
    r = 0
    while beta(slots, r) < n:
        r += 1
    return r * n - beta(slots + 1, r - 1) if r > 0 else 0


@cache
def _best(n: int, slots: int) -> tuple[int, int]:
    """(fewest advances, where to put the next checkpoint) for n steps from a stored start."""
    if n == 1:
        return 0, 0
    if slots == 1:
        return n * (n - 1) // 2, 0
    return min((m + _best(n - m, slots - 1)[0] + _best(m, slots)[0], m) for m in range(1, n))


def revolve_minimum(n: int, slots: int) -> int:
    """The fewest advances by searching every split (dynamic programming), independent of the formula."""
    _check_n(n, slots)
    note("revolve_minimum")
    return _best(n, slots)[0]


def revolve_schedule(n: int, slots: int) -> Schedule:
    """The binomial (revolve) schedule: advance m steps, keep that state, reverse the rest with one slot
    fewer, then the first m steps; m chosen to make the total advances as small as possible."""
    _check_n(n, slots)
    note("revolve_schedule")
    actions: list[tuple[str, int]] = []

    def reverse(start: int, length: int, free: int):
        # x_start is current-able (held in a slot); reverse steps start+1 … start+length
        if length == 1:
            actions.extend([("restore", start), ("reverse", start + 1)])
            return
        if free == 1:
            for last in range(start + length, start, -1):
                actions.append(("restore", start))
                actions.extend(("advance", i) for i in range(start + 1, last))
                actions.append(("reverse", last))
            return
        m = _best(length, free)[1]
        actions.append(("restore", start))
        actions.extend(("advance", i) for i in range(start + 1, start + m + 1))
        actions.append(("store", start + m))
        reverse(start + m, length - m, free - 1)
        actions.append(("free", start + m))
        reverse(start, m, free)

    reverse(0, n, slots)
    return Schedule(n, actions)


# ---- running a schedule on a real chain ---------------------------------------------------------------


def run_schedule(schedule: Schedule, forward, vjp, x0, seed=1.0):
    """Reverse a chain by following ``schedule``; return (λ_0, the per-step results of ``vjp``, peak slots).

    ``forward(i, x)`` is F_i; ``vjp(i, x, lam)`` returns (λ for x_{i−1}, anything else to collect, e.g. the
    gradient of F_i's own parameters). ``seed`` is λ_n. Only the states in slots and the current one exist:
    a schedule that reads a state it does not hold raises an error naming the action.
    """
    slots = {0: x0}
    current_index, current = 0, x0
    lam, collected, peak = seed, {}, 1
    for k, (action, i) in enumerate(schedule.actions):
        if action == "advance":
            if current_index != i - 1:
                raise LagrangeADError(f"action {k} advances step {i} from x_{current_index}, not x_{i - 1}")
            current, current_index = forward(i, current), i
        elif action == "store":
            if current_index != i:
                raise LagrangeADError(f"action {k} stores x_{i} but the current state is x_{current_index}")
            slots[i] = current
            peak = max(peak, len(slots))
        elif action == "restore":
            if i not in slots:
                raise LagrangeADError(f"action {k} restores x_{i}, which no slot holds")
            current, current_index = slots[i], i
        elif action == "free":
            slots.pop(i, None)
        elif action == "reverse":
            if current_index != i - 1:
                raise LagrangeADError(f"action {k} reverses step {i} from x_{current_index}, not x_{i - 1}")
            lam, collected[i] = vjp(i, current, lam)
        else:
            raise LagrangeADError(f"action {k} is {action!r}: not advance, store, restore, free or reverse")
    return lam, collected, peak


def chain_gradient(weights, x0: float, slots: int | None = None):
    """The gradient of the chain x_i = tanh(w_i x_{i−1}), loss x_n, with respect to x_0 and every w_i.

    Each step is a lagrange_ad computation (traced once), reversed with ``lad.gradient``; with ``slots``
    the revolve schedule keeps at most that many states, else every state is kept.
    Returns ``({"x0": …, "w1": …, …}, schedule)``.
    """
    n = len(weights)
    step = trace(lambda x, w: tanh(w * x), "x w")
    schedule = store_all_schedule(n) if slots is None else revolve_schedule(n, slots)

    def forward(i, x):
        return _forward(step, {"x": x, "w": weights[i - 1]})[len(step)]

    def vjp(i, x, lam):
        g = _gradient(step, {"x": x, "w": weights[i - 1]})
        return lam * g["x"], lam * g["w"]

    lam0, per_step, _ = run_schedule(schedule, forward, vjp, x0)
    grads = {"x0": lam0} | {f"w{i}": per_step[i] for i in range(1, n + 1)}
    return grads, schedule


# ---- reversible steps: recompute the past from the present -------------------------------------------


def _coupling_vjp():
    """The vector-Jacobian product of one additive coupling step (u, v) → (v, u + tanh(w v)), as a
    lagrange_ad computation: the gradient of a·v' + b·u' for the seed (a, b)."""
    return trace(lambda u, v, w, a, b: a * v + b * (u + tanh(w * v)), "u v w a b")


def reversible_gradient(weights, u0: float, v0: float):
    """Gradient of u_n · v_n through the coupling steps (u, v) → (v, u + tanh(w_i v)), keeping no state but
    the current one: each x_{i−1} is recomputed from x_i by the step's inverse (p, q) → (q − tanh(w_i p), p).

    Returns ``(gradient {"u0", "v0", "w1", …}, largest difference between a recomputed state and the one
    the forward pass had)``; the forward states are kept aside only to measure that difference.
    """
    vjp = _coupling_vjp()
    states = [(u0, v0)]
    for w in weights:
        u, v = states[-1]
        states.append((v, u + math.tanh(w * v)))
    u, v = states[-1]
    a, b = v, u  # the seed: ∂(u v)/∂u = v, ∂(u v)/∂v = u
    grads, drift = {}, 0.0
    for i in range(len(weights), 0, -1):
        w = weights[i - 1]
        u, v = v - math.tanh(w * u), u  # the inverse step: x_{i−1} from x_i
        drift = max(drift, abs(u - states[i - 1][0]), abs(v - states[i - 1][1]))
        g = _gradient(vjp, {"u": u, "v": v, "w": w, "a": a, "b": b})
        a, b, grads[f"w{i}"] = g["u"], g["v"], g["w"]
    return {"u0": a, "v0": b} | dict(sorted(grads.items(), key=lambda kv: int(kv[0][1:]))), drift
