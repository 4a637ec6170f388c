"""``python -m benchmarks.try_it_ab --before DIR --after DIR``: two builds of the "try it" page, in turns.

Both html folders are served and opened in one Chromium (a page each); the 10-step program of
:mod:`benchmarks.try_it` then runs on one page and the other in turns (the order swapped every round), so
both see the same load. Prints the median and minimum from the click to the typeset result, and the same
minus Python's share (the page's side: MathJax, layout). Made to compare a change of try_it.js.

``--first N``: the reader's *first* run instead. N rounds; in each, both builds in turns (the order swapped
every round) get a new page (a new browser context: nothing typeset or run before), wait for Python and
the page's own example, then run the 10-step program twice: the first run and the second, each timed
from the click to the typeset result.
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

from benchmarks.try_it import PROGRAMS, CountingServer, run_program


def compare(dirs: dict[str, Path], runs: int) -> dict[str, dict[str, list[float]]]:
    from playwright.sync_api import sync_playwright

    servers = {k: CountingServer(v) for k, v in dirs.items()}
    out = {k: {"total": [], "page": []} for k in dirs}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium")
            pages = {}
            for k in dirs:
                page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
                page.goto(f"{servers[k].url}book/try_it.html", wait_until="load")
                page.wait_for_function("() => document.querySelector('.lad-tryit').dataset.state === 'done'",
                                       timeout=120_000)  # Python ready and the page's example run
                pages[k] = page
            for i in range(runs):
                for k in list(dirs)[:: 1 if i % 2 == 0 else -1]:
                    r = run_program(pages[k], PROGRAMS[10])
                    out[k]["total"].append(r["run_ms"])
                    out[k]["page"].append(r["run_ms"] - r["python_ms"])
            browser.close()
    finally:
        for s in servers.values():
            s.close()
    return out


def compare_first(dirs: dict[str, Path], rounds: int) -> dict[str, dict[str, list[float]]]:
    from playwright.sync_api import sync_playwright

    servers = {k: CountingServer(v) for k, v in dirs.items()}
    out = {k: {"first": [], "second": [], "first_python": [], "second_python": []} for k in dirs}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium")
            for i in range(rounds):
                for k in list(dirs)[:: 1 if i % 2 == 0 else -1]:
                    context = browser.new_context(viewport={"width": 1280, "height": 900})
                    page = context.new_page()
                    page.goto(f"{servers[k].url}book/try_it.html", wait_until="load")
                    page.wait_for_function("() => document.querySelector('.lad-tryit').dataset.state === 'done'",
                                           timeout=120_000)
                    page.wait_for_timeout(500)  # as a reader would: the page settles before the first click
                    for which in ("first", "second"):
                        r = run_program(page, PROGRAMS[10])
                        out[k][which].append(r["run_ms"])
                        out[k][f"{which}_python"].append(r["python_ms"])
                    context.close()
            browser.close()
    finally:
        for s in servers.values():
            s.close()
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, required=True, help="an html folder (the built book)")
    parser.add_argument("--after", type=Path, required=True, help="another html folder")
    parser.add_argument("--runs", type=int, default=16, help="runs of the 10-step program on each")
    parser.add_argument("--first", type=int, default=0, metavar="N",
                        help="instead: N rounds of a new page each, timing the first and second run")
    args = parser.parse_args(argv)
    if args.first:
        results = compare_first({"before": args.before, "after": args.after}, args.first)
        print("| build | first run, median | min | second run, median | Python's share, first / second |")
        print("|---|---|---|---|---|")
        for k, r in results.items():
            print(f"| {k} | {statistics.median(r['first']):.0f} ms | {min(r['first']):.0f} ms "
                  f"| {statistics.median(r['second']):.0f} ms | {statistics.median(r['first_python']):.0f} / "
                  f"{statistics.median(r['second_python']):.0f} ms |")
        return
    results = compare({"before": args.before, "after": args.after}, args.runs)
    print("| build | click → typeset, median | min | minus Python, median |\n|---|---|---|---|")
    for k, r in results.items():
        print(f"| {k} | {statistics.median(r['total']):.0f} ms | {min(r['total']):.0f} ms "
              f"| {statistics.median(r['page']):.0f} ms |")


if __name__ == "__main__":
    main()
