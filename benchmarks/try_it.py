"""``python -m benchmarks.try_it``: the "try it" component in Chromium (issue 15): ready, run, bytes.

The built book's page "Try your own program" is served from 127.0.0.1 (a server that counts the bytes it
sends; no other host resolves) and opened in Debian's Chromium:

- time to ready: from the page's start (navigation) until Python answers, and from the moment Python
  started loading, with an empty cache (a new browser profile) and then warm (the same profile, the page
  opened again: its disk cache holds what the first visit fetched);
- the longest main-thread task while Python loaded (long tasks, PerformanceObserver);
- a 10-step and a 50-step program: from the click on Run to the result typeset on the page (the
  component's data-run-ms), the first run and the median of the following ones, and Python's share;
  the 10-step program's first run is timed on every page load (cold and warm), and the target is
  checked against the median of those first runs (each is printed);
  where the time went (Python's answer back, drawing, MathJax, fitting to the column), first run apart;
- MathJax's warm-up while Python loads (the component typesets samples out of sight), sample by sample;
- "Next λ" pressed right after a 10-step run, to the next frame typeset (a run sends only the opening
  frame; the others are asked for then);
- bytes fetched for Python (Pyodide's files and the wheels) and for the whole page, cold and warm.

Needs a built book (``jupyter-book build . -W -n --keep-going``, or the browser tests' build). Wall clock:
the point is how long a reader waits. Prints Markdown tables and the targets, each met or NOT MET.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
from pathlib import Path
from urllib.parse import urlparse

REPO = Path(__file__).resolve().parent.parent
PAGE = "book/try_it.html"
CANDIDATES = (REPO / "_build" / "html", REPO / "_build" / "test" / "_build" / "html")
TARGETS = {"ready, cold (s)": 8.0, "ready, warm (s)": 5.0, "10-step program (ms)": 300.0, "fetched (MB)": 25.0}
# "10-step program": its first run after the page loads (the median over the loads measured)
LONG_TASKS_INIT = """
window.__ladLongTasks = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) window.__ladLongTasks.push({start: e.startTime, duration: e.duration});
}).observe({type: 'longtask', buffered: true});
"""


def chain(iterations: int) -> str:
    """A program of 2 + 2·iterations steps: x, w, then w·y and tanh, again and again."""
    return f"y = x\nfor k in range({iterations}):\n    y = tanh(w * y)\nreturn y"


PROGRAMS = {10: chain(4), 50: chain(24)}


class CountingServer:
    """A static server for ``root`` on 127.0.0.1 that counts the body bytes it sends, by path."""

    def __init__(self, root: Path):
        self.sent: dict[str, int] = {}
        server = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def log_message(self, format, *args):  # noqa: A002 - the base class's name
                pass

            def copyfile(self, source, outputfile):
                path = urlparse(self.path).path
                while chunk := source.read(64 * 1024):
                    outputfile.write(chunk)
                    server.sent[path] = server.sent.get(path, 0) + len(chunk)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(root)))
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"

    def take(self) -> tuple[int, int]:
        """(bytes sent for Python, bytes sent in all) since the last call."""
        sent, self.sent = self.sent, {}
        python = sum(n for path, n in sent.items() if "/_static/pyodide/" in path or "/_static/python/" in path)
        return python, sum(sent.values())

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def open_page(context, url: str, outside: list[str]):
    page = context.new_page()
    page.on("pageerror", lambda exc: outside.append(f"page error: {exc}"))
    page.goto(url, wait_until="load", timeout=120_000)
    page.wait_for_function("() => ['ready', 'failed'].includes(document.querySelector('.lad-tryit')?.dataset.python)",
                           timeout=180_000)
    state = page.evaluate("() => document.querySelector('.lad-tryit').dataset.python")
    if state != "ready":
        raise SystemExit(f"Python did not load: {page.locator('.lad-tryit-status').inner_text()}")
    timing = page.evaluate("""() => ({start: ladTryIt.python.startedAt, ready: ladTryIt.python.readyAt,
                                      tasks: window.__ladLongTasks})""")
    during = [t["duration"] for t in timing["tasks"]
              if t["start"] + t["duration"] > timing["start"] and t["start"] < timing["ready"]]
    # let the example the component runs by itself finish before anything is timed
    page.wait_for_function("() => ['done', 'error'].includes(document.querySelector('.lad-tryit').dataset.state)",
                           timeout=120_000)
    warm = page.evaluate("() => ladTryIt.python.mathWarmMs || null")  # MathJax's warm-up, if the build has one
    return page, {"ready_s": timing["ready"] / 1000, "python_s": (timing["ready"] - timing["start"]) / 1000,
                  "longest_task_ms": max(during, default=0.0), "math_warm_ms": warm}  # fmt: skip


def run_program(page, text: str) -> dict:
    root = page.locator(".lad-tryit").first
    root.locator("textarea").fill(text)
    root.locator(".lad-tryit-inputs").fill("x w")
    root.locator(".lad-tryit-at").fill("x=0.5, w=0.9")
    root.evaluate("(root) => { delete root.dataset.runMs; }")
    root.locator("button.lad-tryit-run").click()
    page.wait_for_function("() => document.querySelector('.lad-tryit').dataset.runMs !== undefined", timeout=120_000)
    state = root.evaluate("(root) => root.dataset.state")
    if state != "done":
        raise SystemExit(f"the program failed in the page: {root.locator('.lad-tryit-error').inner_text()}")
    steps = int(root.locator(".lad-tryit-summary").inner_text().split()[0])
    split = root.evaluate("""(root) => [root.dataset.answerMs, root.dataset.buildMs, root.dataset.mathMs,
                                        root.dataset.fitMs]""")  # absent in builds before the split existed
    answer, build, math, fit = (float(x) if x is not None else None for x in split)
    return {"steps": steps, "run_ms": float(root.get_attribute("data-run-ms")),
            "python_ms": float(root.get_attribute("data-python-ms")),
            "answer_ms": answer, "draw_ms": build, "math_ms": math, "fit_ms": fit}  # fmt: skip


NEXT_JS = """async (root) => {
  const stepper = root.querySelector('.lad-tryit-stepper'), frame = stepper.querySelector('.lad-tryit-frame');
  const t0 = performance.now();
  stepper.querySelector('.lad-tryit-next').click();
  while (!(stepper.dataset.frame === '1' && frame.querySelector('mjx-container')))
    await new Promise((resolve) => setTimeout(resolve, 2));
  return performance.now() - t0;
}"""


def step_once(page, text: str) -> float:
    """Run ``text``, then press "Next λ" at once: ms from the press to the second frame typeset. (Since the
    run sends only the opening frame, this includes asking Python for the others.)"""
    run_program(page, text)
    return page.locator(".lad-tryit").first.evaluate(NEXT_JS)


def measure(html: Path, warm_loads: int, repeats: int, browser_type=None) -> dict:
    """Serve ``html`` and measure; ``browser_type``: a Playwright BrowserType already running (the tests'),
    else Playwright is started here."""
    if browser_type is None:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            return measure(html, warm_loads, repeats, p.chromium)
    server = CountingServer(html)
    outside: list[str] = []
    url = server.url + PAGE

    def watch(request):
        if urlparse(request.url).hostname != "127.0.0.1" and not request.url.startswith(("data:", "blob:")):
            outside.append(request.url)

    results: dict = {"loads": [], "programs": {}}
    # Offline: every host but 127.0.0.1 fails to resolve. (Not Playwright's request routing, which
    # would turn the HTTP cache off and make every "warm" load a cold one.)
    args = ["--headless", "--no-sandbox", "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"]
    # A profile on disk, new and empty: a real reader's disk cache (a Playwright context without a
    # profile caches in memory only, and drops files as large as Pyodide's wasm and sympy's wheel).
    profile = tempfile.mkdtemp(prefix="lad-try-it-profile-")
    context = browser_type.launch_persistent_context(profile, executable_path="/usr/bin/chromium", args=args,
                                                     viewport={"width": 1280, "height": 900})
    try:
        context.on("request", watch)
        context.add_init_script(LONG_TASKS_INIT)
        page = None
        for k in range(1 + warm_loads):
            if page is not None:
                page.close()
            page, load = open_page(context, url, outside)
            load["python_bytes"], load["all_bytes"] = server.take()
            # the reader's first run on this page (the page's own example has run): one sample per load
            load["first_10"] = run_program(page, PROGRAMS[10])
            results["loads"].append({"cache": "warm" if k else "cold", **load})
        for n, text in PROGRAMS.items():
            runs = [results["loads"][-1]["first_10"]] if n == 10 else []  # this page's first 10-step run
            runs += [run_program(page, text) for _ in range(1 + repeats - len(runs))]
            if runs[0]["steps"] != n:
                raise SystemExit(f"the {n}-step program has {runs[0]['steps']} steps")
            rest = runs[1:]
            results["programs"][n] = {"first": runs[0], "runs": rest,
                                      "median_ms": statistics.median(r["run_ms"] for r in rest),
                                      "median_python_ms": statistics.median(r["python_ms"] for r in rest)}  # fmt: skip
        results["next_ms"] = [step_once(page, PROGRAMS[10]) for _ in range(3)]
    finally:
        context.close()
        shutil.rmtree(profile, ignore_errors=True)
        server.close()
    results["outside_requests"] = outside
    return results


def report(results: dict) -> tuple[str, list]:
    lines = ["### Python in the page: loading", "",
             "| cache | ready after page start | after Python started | longest main-thread task meanwhile "
             "| fetched for Python | fetched in all |", "|---|---|---|---|---|---|"]  # fmt: skip
    for load in results["loads"]:
        lines.append(f"| {load['cache']} | {load['ready_s']:.2f} s | {load['python_s']:.2f} s | "
                     f"{load['longest_task_ms']:.0f} ms | {load['python_bytes'] / 1e6:.2f} MB | "
                     f"{load['all_bytes'] / 1e6:.2f} MB |")  # fmt: skip
    warm = [x["math_warm_ms"] for x in results["loads"] if x.get("math_warm_ms")]
    if warm:
        lines += ["", "MathJax's warm-up while Python loaded (ms a sample, out of sight): "
                  + "; ".join(", ".join(f"{t:.0f}" for t in w) for w in warm)]
    firsts = [x["first_10"]["run_ms"] for x in results["loads"]]
    lines += ["", "### A program, from the click on Run to the typeset result", "",
              "The 10-step program's first run on each page load ("
              + ", ".join(f"{x['cache']} {x['first_10']['run_ms']:.0f} ms" for x in results["loads"])
              + f"): median {statistics.median(firsts):.0f} ms, worst {max(firsts):.0f} ms", "",
              "| steps | first run | median of the next | Python's share (median) |", "|---|---|---|---|"]  # fmt: skip
    for n, r in results["programs"].items():
        lines.append(f"| {n} | {r['first']['run_ms']:.0f} ms | {r['median_ms']:.0f} ms | "
                     f"{r['median_python_ms']:.0f} ms |")
    if results.get("next_ms"):
        lines += ["", "The stepper: \"Next λ\" pressed right after a 10-step run, to the frame typeset: "
                  + ", ".join(f"{t:.0f}" for t in results["next_ms"]) + " ms"]
    lines += ["", "Where the time went (ms): Python's answer back in the page (Python + messages), drawing "
              "the result, MathJax, fitting it to the column (a layout)", "",
              "| steps | run | answer | draw | MathJax | fit | other |", "|---|---|---|---|---|---|---|"]
    for n, r in results["programs"].items():
        for which, runs in (("first", [r["first"]]), ("median of the next", r["runs"])):
            keys = ["run_ms", "answer_ms", "draw_ms", "math_ms", "fit_ms"]
            if any(x[k] is None for x in runs for k in keys):
                continue  # a build without the split
            v = {k: statistics.median(x[k] for x in runs) for k in keys}
            other = statistics.median(x["run_ms"] - sum(x[k] for k in keys[1:]) for x in runs)  # run by run
            lines.append(f"| {n}, {which} | {v['run_ms']:.0f} | {v['answer_ms']:.0f} | {v['draw_ms']:.0f} | "
                         f"{v['math_ms']:.0f} | {v['fit_ms']:.0f} | {other:.0f} |")
    cold = results["loads"][0]
    warm = [x for x in results["loads"] if x["cache"] == "warm"]
    measured = {
        "ready, cold (s)": cold["ready_s"],
        "ready, warm (s)": min(x["ready_s"] for x in warm) if warm else None,
        # the first run counts: a reader's first click is a first run (the median over the page loads)
        "10-step program (ms)": statistics.median(x["first_10"]["run_ms"] for x in results["loads"]),
        "fetched (MB)": cold["python_bytes"] / 1e6,
    }
    targets = []
    lines += ["", "### Targets", ""]
    for name, limit in TARGETS.items():
        value = measured[name]
        met = value is not None and value <= limit
        targets.append([name, value, met])
        shown = "not measured" if value is None else f"{value:.2f}"
        lines.append(f"- {name} ≤ {limit:g}: {shown} — {'met' if met else 'NOT MET'}")
    if results["outside_requests"]:
        lines.append(f"- requests outside 127.0.0.1 (aborted): {results['outside_requests']}")
    return "\n".join(lines), targets


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.try_it", description=__doc__.splitlines()[0])
    parser.add_argument("--html", type=Path, default=None, help="the built book's html folder")
    parser.add_argument("--warm-loads", type=int, default=2, help="reloads with a warm cache (default 2)")
    parser.add_argument("--repeats", type=int, default=5, help="runs of each program after the first")
    parser.add_argument("--json", default=None, help="also write the results to this file")
    args = parser.parse_args(argv)
    html = args.html or next((c for c in CANDIDATES if (c / PAGE).is_file()), None)
    if html is None or not (html / PAGE).is_file():
        print(f"no built {PAGE}: build the book first (jupyter-book build . -W -n --keep-going)", file=sys.stderr)
        return 2
    print(f"book: {html}")
    load_before = os.getloadavg()[0]
    results = measure(html, args.warm_loads, args.repeats)
    # wall clock on a shared machine: say how busy it was
    results["load_average"] = [round(load_before, 2), round(os.getloadavg()[0], 2), os.cpu_count()]
    text, targets = report(results)
    print(text)
    print(f"\nload average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after, on {os.cpu_count()} cores")
    if args.json:
        Path(args.json).write_text(json.dumps({"results": results, "targets": targets}, indent=1))
    return 1 if results["outside_requests"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
