"""The book builds with execution and warnings as errors, and every toc page becomes an html page."""

from __future__ import annotations

import json
import re

import pytest
from conftest import REPO, TEST_BUILD_COMMAND, toc_files

pytestmark = [pytest.mark.slow, pytest.mark.book]

# Sphinx and myst-nb report problems as "WARNING: ..." / "path: ERROR: ..." (with -W they also fail the
# build). Kernels' own log lines ("[IPKernelApp] WARNING | ...") are not book problems.
PROBLEM = re.compile(r"(^|: |\x1b\[\d+m)(WARNING|ERROR|CRITICAL|SEVERE):")
# Executing kernels sometimes log a ZMQ race while they shut down ("Uncaught exception in ZMQStream
# callback ... Socket operation on non-socket"); that is ipykernel's noise, not a problem of the book.
# A failing cell still fails the build (raise_on_error), and any Sphinx warning makes -W exit non-zero.
KERNEL_NOISE = re.compile(r"^(ERROR|WARNING):(tornado|asyncio)\.")


def test_book_builds_without_warnings(book_build):
    if book_build.reused:
        pytest.skip("LAD_REUSE_BUILD is set: this session did not build the book")
    problems = [
        line for line in book_build.log.splitlines() if PROBLEM.search(line) and not KERNEL_NOISE.search(line)
    ]
    assert book_build.returncode == 0 and not problems, (
        f"`{' '.join(TEST_BUILD_COMMAND)}` exited {book_build.returncode} "
        f"with {len(problems)} warning/error lines:\n" + "\n".join(problems[:30])
        + "\n--- last lines of the log ---\n" + "\n".join(book_build.log.splitlines()[-30:])
    )
    print(f"book build: {book_build.seconds:.1f} s")


def test_toc_lists_existing_sources():
    missing = [f for f in toc_files() if not any((REPO / f"{f}{ext}").exists() for ext in (".md", ".ipynb"))]
    assert not missing, f"_toc.yml lists pages with no .md or .ipynb source: {missing}"


def test_every_toc_page_has_html(book_html):
    missing = [f for f in toc_files() if not (book_html / f"{f}.html").is_file()]
    assert not missing, f"these toc pages have no html in {book_html}: {missing}"


def test_offline_assets_are_in_the_build(book_html):
    # _config.yml points at these paths; a wrong path would silently fall back to nothing
    for rel in ("_static/mathjax/es5/tex-mml-chtml.js", "_static/html-manager/dist/embed.js",
                "_static/marked/marked.min.js", "_static/widget_markdown.js", "_static/widget_icons.js",
                "_static/mathjax_widgets.js", "_static/lagrange_ad.css", "_static/try_it.js",
                "_static/try_it_worker.mjs", "_static/pyodide/pyodide.mjs", "_static/pyodide/pyodide.asm.wasm",
                "_static/python/wheels.json"):
        assert (book_html / rel).is_file(), f"{rel} is missing from the built book"
    # the wheels the "try it" worker loads (scripts/fetch_assets.py lists them in wheels.json)
    for wheel in json.loads((book_html / "_static" / "python" / "wheels.json").read_text())["wheels"]:
        assert (book_html / "_static" / "python" / wheel["file"]).is_file(), f"{wheel['file']} is not in the build"
    for source in (REPO / "book" / "_assets").iterdir():
        built = book_html / "_static" / source.name
        assert built.read_bytes() == source.read_bytes(), f"_static/{source.name} is stale: not {source}"


def test_no_page_shows_an_empty_output(book_html):
    """Every output box on a page shows something: an output made only of blank lines is an empty box
    (with a copy button that cannot copy). A busy kernel splits a print into "text" and "\\n"; the
    build merges such streams (nb_merge_streams in _config.yml)."""
    from bs4 import BeautifulSoup

    empty = []
    for page in toc_files():
        html = book_html / f"{page}.html"
        soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
        for block in soup.select("div.cell_output pre"):
            if not block.get_text().strip():
                cell = block.find_parent("div", class_="cell")
                source = cell.select_one("div.cell_input") if cell else None
                first = (source.get_text().strip().splitlines() or [""])[0] if source else "(no source)"
                empty.append(f"{page}: an empty output after the cell starting {first!r}")
    assert not empty, "\n".join(empty)
