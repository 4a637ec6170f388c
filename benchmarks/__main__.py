"""``python -m benchmarks [--quick | --tiny] [--parts symbolic,numeric,widgets,book] [--json FILE]``

Runs the benchmarks side by side in one process and prints Markdown tables, the ratios and a summary of
the targets (see benchmarks/README.md). The full run takes several minutes (most of it sympy.diff of the
8-layer dense block and the book build); ``--quick`` takes one or two and skips the book build;
``--tiny`` is the smoke test's run of a few seconds.
"""

from __future__ import annotations

import os

# One BLAS thread, set before numpy loads: the timings are CPU time, and idle BLAS threads spinning on a
# shared machine would count as work. The function, lad.gradient and autograd all run under the same rule.
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

SIZES = {
    "full": {
        "chains": [25, 50, 100, 200, 400], "depths": [5, 10, 20, 40], "sympy_depth": 8,
        "scalar": [1_000, 10_000, 100_000], "widths": [64, 128, 256, 512], "batch": 64,
        "stepper_depth": 20, "repeat": 3,
    },
    "quick": {
        "chains": [25, 50, 100, 200], "depths": [5, 10, 20], "sympy_depth": 6,
        "scalar": [1_000, 10_000], "widths": [64, 256], "batch": 64, "stepper_depth": 20, "repeat": 2,
    },
    "tiny": {
        "chains": [10, 20], "depths": [2, 4], "sympy_depth": 3,
        "scalar": [100, 200], "widths": [4], "batch": 4, "stepper_depth": 3, "repeat": 1,
    },
}  # fmt: skip
PARTS = ["symbolic", "numeric", "widgets", "book"]


def machine() -> str:
    import numpy
    import sympy

    load = " ".join(Path("/proc/loadavg").read_text().split()[:3]) if Path("/proc/loadavg").exists() else "?"
    return (
        f"Python {platform.python_version()}, numpy {numpy.__version__}, sympy {sympy.__version__}; "
        f"{os.cpu_count()} CPUs, load average {load}; OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')}"
    )


def summary(results: dict, sympy_depth: int) -> list[tuple[str, str, bool]]:
    """(target, what was measured, met) for every target that was measured."""
    out = []
    if "symbolic" in results:
        rows = [r for r in results["symbolic"]["rows"] if "within" in r]
        worst = max(rows, key=lambda r: abs(r["within"] - 1.0))
        out.append(
            (
                "symbolic pipeline: T(2n)/T(n) within 20% of the edge ratio",
                f"÷ from {min(r['within'] for r in rows):.2f} to {max(r['within'] for r in rows):.2f} "
                f"(worst: {worst['program']}); fitted T ∝ edges^k: k = "
                f"{results['symbolic']['exponents']['chain']:.2f} (chains), "
                f"{results['symbolic']['exponents']['dense']:.2f} (dense)",
                all(0.8 <= r["within"] <= 1.2 for r in rows),
            )
        )
        s = results["symbolic"]["sympy"]
        out.append((f"pipeline ≥ 100× faster than sympy.diff (dense block, depth {sympy_depth})",
                    f"{s['speedup']:.0f}× ({s['pipeline_seconds']:.3f} s against {s['sympy_seconds']:.1f} s)",
                    s["speedup"] >= 100))  # fmt: skip
    if "numeric" in results:
        rows = results["numeric"]["rows"]
        scalar = [r for r in rows if not r["program"].startswith("source")]
        from .numeric import gradient_target

        out.append(gradient_target(rows))  # with respect to every input, and to the weights alone
        if scalar:
            least = min(scalar, key=lambda r: r["speedup"])
            out.append(
                (
                    "trace + gradient ≥ 10× faster than autograd (scalar graphs)",
                    f"at least {least['speedup']:.1f}× ({least['program']})",
                    least["speedup"] >= 10,
                )
            )
        agree = max(r["difference"] for r in rows)
        out.append(("gradients agree with autograd", f"largest difference {agree:.1e}", agree < 1e-8))
        calls = sum(r["sympy_calls"] for r in rows)
        out.append(("trace and gradient never call sympy", f"{calls} calls", calls == 0))
    if "widgets" in results:
        for r in results["widgets"]["rows"]:
            out.append(
                (
                    f"stepper frames, {r['case']} < {r['target']:.0f} s",
                    f"{r['seconds']:.2f} s",
                    r["seconds"] < r["target"],
                )
            )
    if "book" in results:
        from .book import TARGETS

        for name, b in results["book"]["builds"].items():
            ok = b["returncode"] == 0
            out.append((f"book build {name} < {TARGETS[name]:.0f} s",
                        f"{b['wall']:.1f} s" + ("" if ok else f", build FAILED (exit {b['returncode']})"),
                        ok and b["wall"] < TARGETS[name]))  # fmt: skip
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[1])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="smaller sizes, no book build (a minute or two)")
    size.add_argument("--tiny", action="store_true", help="tiny sizes, no book build (the smoke test)")
    parser.add_argument("--parts", default=None, help=f"comma-separated, from {','.join(PARTS)}")
    parser.add_argument("--book-output", default="/tmp/lagrange-ad-benchmark-book", help="private build folder")
    parser.add_argument("--json", default=None, help="also write the results to this file")
    args = parser.parse_args(argv)

    mode = "tiny" if args.tiny else "quick" if args.quick else "full"
    sizes = SIZES[mode]
    parts = args.parts.split(",") if args.parts else [p for p in PARTS if mode == "full" or p != "book"]
    unknown = set(parts) - set(PARTS)
    if unknown:
        parser.error(f"unknown part(s) {sorted(unknown)}; choose from {PARTS}")

    from . import book, numeric, symbolic, widgets

    print(f"## Lagrange AD benchmarks ({mode})\n\n{machine()}\n", flush=True)
    results = {}
    if "symbolic" in parts:
        text, results["symbolic"] = symbolic.run(sizes["chains"], sizes["depths"], sizes["sympy_depth"],
                                                 sizes["repeat"])  # fmt: skip
        print(text, flush=True)
    if "numeric" in parts:
        text, results["numeric"] = numeric.run(sizes["scalar"], sizes["widths"], sizes["batch"], sizes["repeat"])
        print(text, flush=True)
    if "widgets" in parts:
        text, results["widgets"] = widgets.run(sizes["stepper_depth"], sizes["repeat"])
        print(text, flush=True)
    if "book" in parts:
        text, results["book"] = book.run(args.book_output)
        print(text, flush=True)

    targets = summary(results, sizes["sympy_depth"])
    print("### Targets\n")
    for target, measured, met in targets:
        print(f"- {'met' if met else 'NOT MET'}: {target}: {measured}")
    if args.json:
        Path(args.json).write_text(json.dumps({"mode": mode, "machine": machine(), "results": results,
                                               "targets": targets}, indent=1, default=str))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
