"""Part 3: precomputing the back-substitution stepper's frames (lagrange_ad.steppers).

A stepper on a static page shows frames computed in advance, one per λ; the book builds them while it
executes its notebooks. Timed from a fresh computation and a clean sympy cache, as a notebook cell runs.
"""

from __future__ import annotations

import importlib.util
import time

from sympy.core.cache import clear_cache

from .timing import fmt_seconds, table

TARGETS = {"source network": 1.0, "dense block": 5.0}


def _cases(depth: int):
    from lagrange_ad import architectures, zoo

    comp, values = zoo.source_network()
    yield "source network", "zoo.source_network()", comp, values
    arch = architectures.dense(depth)
    yield "dense block", f"architectures.dense({depth})", arch.comp, arch.values


def run(depth: int = 20, repeat: int = 3) -> tuple[str, dict]:
    """Part 3 as (printable report, results)."""
    if importlib.util.find_spec("lagrange_ad.steppers") is None:
        return "### 3. Stepper frames\n\nlagrange_ad.steppers is not there yet: not measured.\n", {"rows": []}
    from lagrange_ad.steppers import back_substitution_frames

    rows = []
    for label, source, _, _ in _cases(depth):
        best, size, frames = float("inf"), 0, 0
        for _ in range(repeat):
            comp, values = next((c, v) for name, _, c, v in _cases(depth) if name == label)  # a fresh one
            clear_cache()
            start = time.process_time()
            html = back_substitution_frames(comp, values)
            best = min(best, time.process_time() - start)
            size, frames = sum(len(f) for f in html), len(html)
        rows.append({"case": label, "source": source, "steps": len(comp), "frames": frames, "seconds": best,
                     "html_bytes": size, "target": TARGETS[label]})  # fmt: skip
    body = [[r["case"], r["source"], r["steps"], r["frames"], f"{r['html_bytes'] / 1e3:.0f} kB",
             fmt_seconds(r["seconds"]), f"< {r['target']:.0f} s", "yes" if r["seconds"] < r["target"] else "NO"]
            for r in rows]  # fmt: skip
    report = [f"### 3. Stepper frames (CPU time, best of {repeat}, clean sympy cache)", "",
              table(["case", "built by", "steps", "frames", "HTML", "time", "target", "met"], body), ""]  # fmt: skip
    return "\n".join(report), {"rows": rows}
