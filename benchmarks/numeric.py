"""Part 2: the numeric gradient against the function itself, and against HIPS autograd.

For each program: the plain function (numpy, untraced) once; lad.trace; the first lad.gradient of the new
trace (it builds the tape of a scalar computation) and later ones; autograd's grad of the same code with
respect to every input (as lad.gradient). Every gradient is compared with autograd's, and the number of
calls into sympy during lad.trace and lad.gradient is counted: the numeric path must not touch it.
"""

from __future__ import annotations

import importlib.util
import sys
import time
import warnings

import numpy as np

import lagrange_ad as lad

from . import programs
from .timing import cpu_time, cpu_times, fmt_ratio, fmt_seconds, table


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


def _largest_difference(ours: dict, theirs) -> float:
    return max(float(np.max(np.abs(np.asarray(ours[k]) - np.asarray(v)))) for k, v in zip(ours, theirs, strict=True))


def measure(program: programs.Program, repeat: int, autograd_repeat: int) -> dict:
    import autograd

    args = list(program.inputs.values())
    plain = program.bind(programs.NUMPY)

    # a fresh trace each time, so that the first gradient is really the first (it builds the tape)
    traces, firsts = [], []
    for _ in range(repeat):
        start = time.process_time()
        comp = program.trace()
        traces.append(time.process_time() - start)
        start = time.process_time()
        lad.gradient(comp, program.inputs)
        firsts.append(time.process_time() - start)
    ours = lad.gradient(comp, program.inputs)
    # the function and its gradient in turns: their ratio is the point
    timed = {"function": lambda: plain(*args), "gradient": lambda: lad.gradient(comp, program.inputs)}
    if program.name.startswith("source network"):  # and the floor: backprop written out by hand
        timed["by hand"] = lambda: programs.source_network_by_hand(*args)
    best = cpu_times(timed, runs=repeat, budget=2.0)
    function, gradient = best["function"], best["gradient"]
    by_hand = best.get("by hand")

    traced = program.bind(programs.autograd_namespace())
    grad = autograd.grad(lambda a: traced(*a))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Output seems independent of input" for an unused input
        autograd_seconds, theirs = cpu_time(lambda: grad(args), runs=autograd_repeat, budget=1.0)

    if by_hand is not None:
        hand = dict(zip(program.names, programs.source_network_by_hand(*args), strict=True))
        assert _largest_difference(hand, theirs) < 1e-8, "the hand-written gradient disagrees with autograd"
    calls_trace, comp = sympy_calls(program.trace)
    calls_gradient, _ = sympy_calls(lambda: lad.gradient(comp, program.inputs))
    trace_and_first = min(traces) + min(firsts)
    return {
        "program": program.name, "steps": len(comp), "function": function, "trace": min(traces),
        "first": min(firsts), "gradient": gradient, "ratio": gradient / function,
        "by_hand_ratio": None if by_hand is None else by_hand / function,
        "autograd": autograd_seconds, "autograd_ratio": autograd_seconds / function,
        "speedup": autograd_seconds / trace_and_first, "difference": _largest_difference(ours, theirs),
        "sympy_calls": calls_trace + calls_gradient,
    }  # fmt: skip


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
               "by hand ÷ function", "autograd", "÷ function", "autograd ÷ (trace + 1st)", "|lad − autograd|",
               "sympy calls"]  # fmt: skip
    body = [
        [r["program"], r["steps"], fmt_seconds(r["function"]), fmt_seconds(r["trace"]), fmt_seconds(r["first"]),
         fmt_seconds(r["gradient"]), fmt_ratio(r["ratio"]), fmt_ratio(r["by_hand_ratio"]),
         fmt_seconds(r["autograd"]), fmt_ratio(r["autograd_ratio"], 1), fmt_ratio(r["speedup"], 1),
         f"{r['difference']:.1e}", r["sympy_calls"]]
        for r in rows
    ]  # fmt: skip
    threads = os.environ.get("OPENBLAS_NUM_THREADS", "the default number of")
    report = [
        f"### 2. Numeric gradient (CPU time, best of {repeat}; BLAS on {threads} thread(s); batch {batch})", "",
        table(headers, body), "",
        "function: the same Python code on plain numpy, untraced. gradient: lad.gradient on the traced "
        "computation (1st: right after tracing, building the tape). ÷ function: target ≤ 3. by hand: the "
        "source network's backprop written out in numpy, the floor for any reverse mode. "
        "autograd ÷ (trace + 1st): target ≥ 10 on the scalar graphs. sympy calls during trace and gradient: "
        "must be 0.", "", other_frameworks(), "",
    ]  # fmt: skip
    return "\n".join(report), {"rows": rows}
