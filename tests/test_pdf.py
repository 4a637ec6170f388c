"""The PDF edition (scripts/build_pdf.py): it is produced, offline, and reads as the book.

Its text (pdftotext, Debian's poppler-utils) holds every chapter's title, its pages are numbered,
its contents list every chapter, and no TeX is left untypeset: a TeX-looking line of the PDF must be
one of the book's own code lines (code cells print TeX strings on purpose).
"""

from __future__ import annotations

import re
import subprocess
import sys
import time

import nbformat
import pytest
from conftest import REPO, TEST_OUTPUT, toc_files, which_or_skip

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.book]

sys.path.insert(0, str(REPO / "scripts"))
import build_pdf  # noqa: E402 - the script lives in scripts/

TEX = re.compile(r"\\[A-Za-z]+|\$\$|\\\(|\\\[")


def squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def page_title(doc: str) -> str:
    """The first heading of a toc page's source (what the book shows as its title)."""
    path = next(REPO.glob(f"{doc}.*"))
    if path.suffix == ".ipynb":
        text = "\n".join(c.source for c in nbformat.read(path, 4).cells if c.cell_type == "markdown")
    else:
        text = path.read_text(encoding="utf-8")
    return next(line[2:].strip() for line in text.splitlines() if line.startswith("# "))


def code_text() -> str:
    """Every code cell of the book, whitespace squeezed: the lines a PDF may show TeX in."""
    cells = []
    for path in sorted((REPO / "book").glob("*.ipynb")):
        cells += [c.source for c in nbformat.read(path, 4).cells if c.cell_type == "code"]
    return squeeze("\n".join(cells))


@pytest.fixture(scope="module")
def pdf(book_html, chromium, tmp_path_factory):
    """Build the PDF as scripts/build_pdf.py does, reusing the test build's executed notebooks."""
    which_or_skip("pdftotext")
    out = tmp_path_factory.mktemp("pdf") / "lagrange-ad.pdf"
    start = time.monotonic()
    build_pdf.jupyter_book(TEST_OUTPUT, "--builder", "singlehtml")
    page = build_pdf.print_page(TEST_OUTPUT)
    info = build_pdf.print_pdf(page.parent, out, page.name, browser=chromium)
    seconds = time.monotonic() - start
    pages = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(out)], capture_output=True,
                                                            text=True, check=True).stdout).group(1))
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True).stdout
    print(f"PDF: {pages} pages, {out.stat().st_size / 1e6:.1f} MB, built in {seconds:.0f} s")
    return {"path": out, "pages": pages, "text": text, "info": info}


def test_pdf_is_produced_offline(pdf):
    assert pdf["path"].stat().st_size > 100_000 and pdf["pages"] > len(toc_files())
    assert not pdf["info"]["blocked"], f"the printed page asked outside 127.0.0.1: {pdf['info']['blocked'][:5]}"


def test_pdf_holds_every_chapter_title_and_its_contents(pdf):
    text = squeeze(pdf["text"])
    missing = [page_title(doc) for doc in toc_files() if squeeze(page_title(doc)) not in text]
    assert not missing, f"chapter titles missing from the PDF's text: {missing}"
    # the contents come first: every entry before the intro's text starts
    front = pdf["text"].split("Automatic differentiation as a constrained optimisation problem", 1)[0]
    contents = squeeze(front)
    assert "Contents" in contents and len(front) < len(pdf["text"]) / 5
    listed = [doc for doc in toc_files()[1:] if squeeze(page_title(doc)) not in contents]
    assert not listed, f"chapters missing from the contents at the front: {listed}"


def test_pdf_pages_are_numbered(pdf):
    pages = pdf["text"].split("\f")
    numbered = [k for k, page in enumerate(pages[: pdf["pages"]], 1) if f"{k} / {pdf['pages']}" in page]
    assert len(numbered) == pdf["pages"], f"pages without 'k / {pdf['pages']}' in the footer: " + str(
        sorted(set(range(1, pdf["pages"] + 1)) - set(numbered))[:10]
    )


def test_pdf_has_no_raw_tex_outside_code(pdf):
    code = code_text()
    raw = [
        line.strip()
        for line in pdf["text"].splitlines()
        if TEX.search(line) and squeeze(line) not in code
    ]
    assert not raw, f"{len(raw)} lines of the PDF show TeX that is not the book's code:\n" + "\n".join(raw[:20])


def test_pdf_steppers_are_printed_at_their_last_frame(pdf):
    assert "Printed edition: the final frame of" in pdf["text"]
