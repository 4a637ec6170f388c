"""The benchmarks still run: ``python -m benchmarks --tiny`` (tiny sizes, no book build) in this process.

Timings on tiny sizes say nothing, so only what must hold at any size is checked: every part printed its
table, lad's gradients agree with HIPS autograd's, and tracing and the numeric gradient never called sympy.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository root holds benchmarks/

benchmarks_main = pytest.importorskip("benchmarks.__main__")


@pytest.mark.filterwarnings("ignore:Output seems independent of input")
def test_the_tiny_benchmark_runs_and_its_checks_hold(tmp_path, capsys):
    out = tmp_path / "results.json"
    assert benchmarks_main.main(["--tiny", "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    for heading in ("### 1. Symbolic pipeline", "### 2. Numeric gradient", "### 3. Stepper frames", "### Targets"):
        assert heading in printed
    results = json.loads(out.read_text())
    targets = {target: met for target, _, met in results["targets"]}
    assert targets["gradients agree with autograd"]
    assert targets["trace and gradient never call sympy"]
    rows = results["results"]["numeric"]["rows"]
    assert {r["program"] for r in rows} >= {"chain 100", "random DAG 100", "source network 4"}
    assert all(r["sympy_calls"] == 0 and r["difference"] < 1e-8 for r in rows)


def test_the_sympy_call_counter_sees_sympy():
    """The "0 sympy calls" above means something only if the counter does count."""
    import sympy

    from benchmarks.numeric import sympy_calls

    calls, _ = sympy_calls(lambda: sympy.diff(sympy.tanh(sympy.Symbol("x")), sympy.Symbol("x")))
    assert calls > 0
