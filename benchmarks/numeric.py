"""Part 2: the numeric gradient against the function itself, and against HIPS autograd.

For each program: the plain function (numpy, untraced) once; lad.trace; the first lad.gradient of the new
trace (it builds the tape of a scalar computation) and later ones; autograd's grad of the same code with
respect to every input (as lad.gradient). Every gradient is compared with autograd's, and the number of
calls into sympy during lad.trace and lad.gradient is counted: the numeric path must not touch it.

The source network is also differentiated with respect to its weights alone (``wrt=("w1", "w2")``, what
training needs; no gradient of the data x or the targets y), against its own hand-written floor
(:func:`source_network_by_hand_weights`).
"""

from __future__ import annotations

import importlib.util
import sys
import time
import warnings

import numpy as np

import lagrange_ad as lad

from . import programs
from .timing import cpu_times, fmt_ratio, fmt_seconds, table


def sympy_calls(fn) -> tuple[int, object]:
    """(number of Python-level calls into sympy while ``fn()`` runs, its result)."""
    calls = 0

    def profile(frame, event, arg):
        nonlocal calls
        if event == "call" and "/sympy/" in frame.f_code.co_filename:
            calls += 1

    sys.setprofile(profile)
    try:
        result = fn()
    finally:
        sys.setprofile(None)
    return calls, result


WEIGHTS = ("w1", "w2")  # the source network's parameters: what training differentiates with respect to


def source_network_by_hand_weights(x, y, w1, w2):
    """:func:`programs.source_network_by_hand` for the weights alone: the floor of
    ``lad.gradient(..., wrt=("w1", "w2"))``. No dh w1ᵀ (the gradient of x), no −log p (that of y).
    """
    s, _, do, dh = programs.source_network_deltas(x, y, w1, w2)
    return x.T @ dh, s.T @ do


def _largest_difference(ours: dict, theirs: dict) -> float:
    return max(float(np.max(np.abs(np.asarray(v) - np.asarray(theirs[k])))) for k, v in ours.items())


def measure(program: programs.Program, repeat: int, autograd_repeat: int) -> dict:
    import autograd

    args = list(program.inputs.values())
    plain = program.bind(programs.NUMPY)
    traced = program.bind(programs.autograd_namespace())
    grad = autograd.grad(lambda a: traced(*a))
    # lad's trace and first gradient (a fresh trace each time, so that the first gradient is really the first:
    # it builds the tape) and autograd's grad in turns, so that a drift in the machine's speed (up to 2× here
    # within a minute) hits both alike; more rounds while they are quick
    traces, firsts, autograds = [], [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Output seems independent of input" for an unused input
        while len(traces) < autograd_repeat or (sum(autograds) < 2.0 and len(traces) < 20):
            start = time.process_time()
            comp = program.trace()
            traces.append(time.process_time() - start)
            start = time.process_time()
            lad.gradient(comp, program.inputs)
            firsts.append(time.process_time() - start)
            start = time.process_time()
            theirs = grad(args)
            autograds.append(time.process_time() - start)
    autograd_seconds = min(autograds)
    ours = lad.gradient(comp, program.inputs)
    network = program.name.startswith("source network")
    # the function and its gradients in turns: their ratio is the point
    timed = {"function": lambda: plain(*args), "gradient": lambda: lad.gradient(comp, program.inputs)}
    if network:  # with respect to the weights alone, and the floors: backprop written out by hand
        weights = lad.gradient(comp, program.inputs, wrt=WEIGHTS)
        timed["by hand"] = lambda: programs.source_network_by_hand(*args)
        timed["weights"] = lambda: lad.gradient(comp, program.inputs, wrt=WEIGHTS)
        timed["by hand, weights"] = lambda: source_network_by_hand_weights(*args)
    best = cpu_times(timed, runs=repeat, budget=4.0 if network else 2.0)
    function, gradient = best["function"], best["gradient"]
    by_hand, by_hand_weights = best.get("by hand"), best.get("by hand, weights")

    theirs = dict(zip(program.names, theirs, strict=True))
    difference = _largest_difference(ours, theirs)
    if network:
        difference = max(difference, _largest_difference(weights, theirs))
        assert list(weights) == list(WEIGHTS)
        hand = dict(zip(program.names, programs.source_network_by_hand(*args), strict=True))
        assert _largest_difference(hand, theirs) < 1e-8, "the hand-written gradient disagrees with autograd"
        hand = dict(zip(WEIGHTS, source_network_by_hand_weights(*args), strict=True))
        assert _largest_difference(hand, theirs) < 1e-8, "the hand-written weights' gradient disagrees with autograd"
    calls_trace, comp = sympy_calls(program.trace)
    calls_gradient, _ = sympy_calls(lambda: lad.gradient(comp, program.inputs))
    if network:
        calls_gradient += sympy_calls(lambda: lad.gradient(comp, program.inputs, wrt=WEIGHTS))[0]
    trace_and_first = min(traces) + min(firsts)
    ratio = lambda t: None if t is None else t / function  # noqa: E731
    return {
        "program": program.name, "steps": len(comp), "function": function, "trace": min(traces),
        "first": min(firsts), "gradient": gradient, "ratio": gradient / function,
        "by_hand_ratio": ratio(by_hand), "weights": best.get("weights"), "weights_ratio": ratio(best.get("weights")),
        "by_hand_weights_ratio": ratio(by_hand_weights),
        "autograd": autograd_seconds, "autograd_ratio": autograd_seconds / function,
        "speedup": autograd_seconds / trace_and_first, "difference": difference,
        "sympy_calls": calls_trace + calls_gradient,
    }  # fmt: skip


def gradient_target(rows: list[dict]) -> tuple[str, str, bool]:
    """The "gradient ≤ 3 × function" target, with both measurements: with respect to every input (every
    program; what the target has always meant, so it decides "met"), and with respect to the weights
    alone (the source network)."""
    every = max(rows, key=lambda r: r["ratio"])
    parts = [f"every input: at most {every['ratio']:.2f} ({every['program']}; {_met(every['ratio'])})"]
    network = [r for r in rows if r["weights_ratio"] is not None]
    if network:
        weights = max(network, key=lambda r: r["weights_ratio"])
        parts.append(
            f'weights only, wrt=("w1", "w2"): at most {weights["weights_ratio"]:.2f} '
            f"({weights['program']}; {_met(weights['weights_ratio'])})"
        )
    return "gradient ≤ 3 × function", "; ".join(parts), every["ratio"] <= 3


def _met(ratio: float) -> str:
    return "met" if ratio <= 3 else "not met"


def other_frameworks() -> str:
    found = [name for name in ("torch", "jax") if importlib.util.find_spec(name) is not None]
    missing = [name for name in ("PyTorch", "JAX") if name.lower().replace("pytorch", "torch") not in found]
    if missing:
        return (
            f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not installed here (no network to "
            "install them), so only HIPS autograd is compared."
        )
    return "PyTorch and JAX are installed but not yet compared."


def run(scalar_sizes, widths, batch: int = 64, repeat: int = 3) -> tuple[str, dict]:
    """Part 2 as (printable report, results)."""
    import os

    rows = []
    for n in scalar_sizes:
        few = 1 if n >= 100_000 else repeat
        rows.append(measure(programs.chain(n), few, autograd_repeat=few))
        rows.append(measure(programs.random_dag(n), few, autograd_repeat=few))
    for width in widths:
        rows.append(measure(programs.source_network(width, batch), repeat, autograd_repeat=repeat))
    headers = ["program", "steps", "function", "trace", "1st gradient", "gradient", "÷ function",
               "by hand ÷ function", "weights only", "weights ÷ function", "by hand (weights) ÷ function",
               "autograd", "÷ function", "autograd ÷ (trace + 1st)", "|lad − autograd|", "sympy calls"]  # fmt: skip
    body = [
        [r["program"], r["steps"], fmt_seconds(r["function"]), fmt_seconds(r["trace"]), fmt_seconds(r["first"]),
         fmt_seconds(r["gradient"]), fmt_ratio(r["ratio"]), fmt_ratio(r["by_hand_ratio"]),
         fmt_seconds(r["weights"]), fmt_ratio(r["weights_ratio"]), fmt_ratio(r["by_hand_weights_ratio"]),
         fmt_seconds(r["autograd"]), fmt_ratio(r["autograd_ratio"], 1), fmt_ratio(r["speedup"], 1),
         f"{r['difference']:.1e}", r["sympy_calls"]]
        for r in rows
    ]  # fmt: skip
    threads = os.environ.get("OPENBLAS_NUM_THREADS", "the default number of")
    report = [
        f"### 2. Numeric gradient (CPU time, best of {repeat}; BLAS on {threads} thread(s); batch {batch})", "",
        table(headers, body), "",
        "function: the same Python code on plain numpy, untraced. gradient: lad.gradient on the traced "
        "computation, with respect to every input (1st: right after tracing, building the tape). weights: "
        'lad.gradient(..., wrt=("w1", "w2")), the source network\'s weights alone, as training needs. '
        "÷ function: target ≤ 3. by hand: the source network's backprop written out in numpy (for every "
        "input, and for the weights alone), the floor for any reverse mode. autograd: with respect to every "
        "input. "
        "autograd ÷ (trace + 1st): target ≥ 10 on the scalar graphs. sympy calls during trace and gradient: "
        "must be 0.", "", other_frameworks(), "",
    ]  # fmt: skip
    return "\n".join(report), {"rows": rows}
