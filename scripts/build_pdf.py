"""Build the PDF edition of the book: one command, offline.

    python scripts/fetch_assets.py      # once: MathJax and the widget manager, served locally
    python scripts/build_pdf.py         # -> _build/pdf/lagrange-ad.pdf

How: Jupyter Book builds the book's HTML pages and the whole book as a single page (``--builder
singlehtml``; both take the executed notebooks from the same cache). The single page lacks what
myst-nb adds to widget pages only (the widget manager, each page's widget state) and is written one
folder too deep for its relative links, so it is copied to the site's top as ``lagrange-ad.html``
with the widget manager and the widget states of all HTML pages merged in. Debian's Chromium opens it from a local web
server (every other request blocked), waits until MathJax has typeset every formula and the widgets
are drawn, and prints it (``page.pdf``) with page numbers in the footer. Before printing, the page
gets a table of contents (every chapter and section, linked), each stepper is moved to its final
frame with a note saying how many frames it has (the web edition steps through them), and each
explorer keeps the output it had at build time with its "needs a running notebook" note.

Options: ``--path-output DIR`` is Jupyter Book's (the book is built into DIR/_build/singlehtml;
``_build/test`` reuses the test build's execution cache), ``--out FILE`` the PDF, ``--no-build``
prints an existing single-page build. Needs /usr/bin/chromium (``apt-get install chromium``) and the
``playwright`` Python package (never ``playwright install``).
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip
TIMEOUT_MS = 180_000

# Runs in the page before printing: a table of contents, steppers on their last frame with a note.
PREPARE_JS = r"""
async () => {
  const article = document.querySelector('article.bd-article') || document.querySelector('main');
  // 1. steppers: the last frame (it holds every result found so far), with a note
  for (const stepper of document.querySelectorAll('.lad-stepper')) {
    const handle = stepper.querySelector('.lad-stepper-slider .noUi-handle');
    if (!handle) continue;
    const last = Math.round(parseFloat(handle.getAttribute('aria-valuemax')));
    handle.focus();
    for (let k = 0; k < last; k++) {
      handle.dispatchEvent(new KeyboardEvent('keydown', {key: 'ArrowRight', keyCode: 39, bubbles: true}));
    }
    const note = document.createElement('p');
    note.className = 'lad-print-note';
    note.textContent = `Printed edition: the final frame of ${last + 1} (the web edition steps through them all).`;
    stepper.parentElement.insertBefore(note, stepper);
  }
  // 2. a table of contents from the chapters' and sections' headings
  const toc = document.createElement('nav');
  toc.className = 'lad-print-toc';
  toc.innerHTML = '<p class="lad-print-toc-title">Lagrange AD — Contents</p>';
  const list = document.createElement('ol');
  // in the single page, chapters are h2 and their sections h3
  for (const h of article.querySelectorAll('h2, h3')) {
    const section = h.closest('section[id]');
    if (!section || section.closest('.cell_output, .lad-stepper')) continue;
    const item = document.createElement('li');
    item.className = h.tagName === 'H2' ? 'lad-toc-chapter' : 'lad-toc-section';
    const link = document.createElement('a');
    link.href = '#' + section.id;
    const clone = h.cloneNode(true);
    clone.querySelectorAll('.headerlink').forEach(e => e.remove());
    // a formula in a heading: its text from MathJax's MathML copy
    clone.querySelectorAll('mjx-container').forEach(m => m.replaceWith(
      (m.querySelector('mjx-assistive-mml') || {}).textContent || ''));
    link.textContent = clone.textContent.trim();
    item.appendChild(link);
    list.appendChild(item);
  }
  toc.appendChild(list);
  article.insertBefore(toc, article.firstChild);
  return list.children.length;
}
"""

PRINT_CSS = """
@page { size: A4; margin: 16mm 14mm 18mm 14mm; }
html { font-size: 14px; }
.bd-article { padding: 0 !important; }
/* nothing may be cut at the page's edge: long code lines wrap on paper */
pre { white-space: pre-wrap !important; overflow-wrap: anywhere; }
div.math, mjx-container { overflow: visible !important; }
.lad-print-toc { break-after: page; }
.lad-print-toc-title { font-size: 2rem; margin-bottom: 0.5em; }
.lad-print-toc ol { list-style: none; padding-left: 0; }
.lad-print-toc .lad-toc-chapter { font-weight: 600; margin-top: 0.5em; }
.lad-print-toc .lad-toc-section { padding-left: 1.5em; font-size: 0.9em; }
.lad-print-note { font-style: italic; color: #424242; }
#jb-print-docs-body { display: none !important; }  /* the theme's print contents: ours has sections */
.bd-header, .bd-sidebar-primary, .bd-sidebar-secondary, .bd-header-article, .bd-footer,
.bd-footer-article, .prev-next-area, #pst-back-to-top, .skip-link { display: none !important; }
.bd-main .bd-content .bd-article-container { max-width: 100% !important; }
.toctree-wrapper > section { break-before: page; }
.lad-stepper-controls, .lad-explorer-controls, .lad-stepper-live { display: none !important; }
pre, .highlight, mjx-container, img, table, .lad-stepper-frame { break-inside: avoid; }
.lad-stepper-frame { overflow: visible !important; }
"""

FOOTER = (
    '<div style="font-size: 9px; width: 100%; text-align: center; color: #555;">'
    '<span class="title"></span> — <span class="pageNumber"></span> / <span class="totalPages"></span></div>'
)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


STATE_RE = re.compile(r'<script type="application/vnd\.jupyter\.widget-state\+json">(.*?)</script>', re.S)


def jupyter_book(path_output: Path, *builder: str):
    cmd = ["jupyter-book", "build", ".", *builder, "--path-output", str(path_output)]
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-30:])
        raise SystemExit(f"build_pdf: `{' '.join(cmd)}` failed (exit {proc.returncode}):\n{tail}")


def print_page(path_output: Path) -> Path:
    """The single page, at the top of its site, with the widget manager and every page's widget state."""
    site = path_output / "_build" / "singlehtml"
    html_pages = sorted((path_output / "_build" / "html").rglob("*.html"))
    single = (site / "book" / "intro.html").read_text(encoding="utf-8")
    state: dict = {}
    for page in html_pages:
        for found in STATE_RE.findall(page.read_text(encoding="utf-8")):
            state.update(json.loads(found)["state"])
    views = single.count("application/vnd.jupyter.widget-view+json")
    if views and not state:
        raise SystemExit(
            f"build_pdf: the single page shows {views} widgets but no HTML page in "
            f"{path_output / '_build' / 'html'} holds widget state; build the HTML book first"
        )
    bundle = json.dumps({"version_major": 2, "version_minor": 0, "state": state})
    extra = (
        f'<script type="application/vnd.jupyter.widget-state+json">{bundle}</script>\n'
        '<script src="_static/html-manager/dist/embed.js"></script>\n'
    )
    out = site / "lagrange-ad.html"
    out.write_text(single.replace("</body>", extra + "</body>", 1), encoding="utf-8")
    return out


def print_pdf(site: Path, out: Path, page_path: str = "lagrange-ad.html", browser=None) -> dict:
    """Serve ``site`` on 127.0.0.1, open ``page_path`` in Chromium (offline), print it to ``out``.

    ``browser``: a Playwright Browser to use (the tests pass theirs); by default Debian's Chromium.
    """
    if not (site / page_path).is_file():
        raise SystemExit(f"build_pdf: {site / page_path} does not exist; build the single page first")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/{page_path}"
    try:
        if browser is not None:
            return _print(browser, url, out)
        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            own = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            try:
                return _print(own, url, out)
            finally:
                own.close()
    finally:
        server.shutdown()
        server.server_close()


def _print(browser, url: str, out: Path) -> dict:
    blocked = []
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()

        def route(r):
            host = urlparse(r.request.url).hostname
            if host == "127.0.0.1" or r.request.url.startswith(("data:", "blob:")):
                r.continue_()
            else:
                blocked.append(r.request.url)
                r.abort("blockedbyclient")

        page.route("**/*", route)
        page.goto(url, wait_until="load", timeout=TIMEOUT_MS)
        wait_typeset(page)
        entries = page.evaluate(PREPARE_JS)
        page.wait_for_timeout(500)
        wait_typeset(page)
        page.add_style_tag(content=PRINT_CSS)
        page.emulate_media(media="print")
        page.pdf(
            path=str(out), format="A4", print_background=True, prefer_css_page_size=True,
            display_header_footer=True, header_template="<span></span>", footer_template=FOOTER,
        )  # fmt: skip
    finally:
        context.close()
    return {"toc_entries": entries, "blocked": blocked}


def wait_typeset(page):
    """Widgets drawn, MathJax done (with the widget math queue of mathjax_widgets.js), images loaded."""
    page.wait_for_function(
        """() => document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]').length
                 <= document.querySelectorAll('.widget-subarea .jupyter-widgets').length""",
        timeout=TIMEOUT_MS,
    )
    page.evaluate("""async () => {
        const mj = window.MathJax;
        if (mj && mj.startup && mj.startup.promise) await mj.startup.promise;
        for (let k = 0; k < 3; k++) {
          if (mj && mj.Hub && mj.Hub.Queue) await mj.Hub.Queue(() => true);
          await new Promise(r => setTimeout(r, 200));
        }
    }""")
    page.evaluate("() => Array.from(document.images).forEach(i => { i.loading = 'eager'; })")
    page.wait_for_function("() => Array.from(document.images).every(i => i.complete)", timeout=TIMEOUT_MS)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path-output", type=Path, default=REPO, help="Jupyter Book's --path-output")
    parser.add_argument("--out", type=Path, default=REPO / "_build" / "pdf" / "lagrange-ad.pdf")
    parser.add_argument("--no-build", action="store_true", help="print an existing single-page build")
    args = parser.parse_args(argv)
    start = time.monotonic()
    path_output = args.path_output if args.path_output.is_absolute() else REPO / args.path_output
    if not args.no_build:
        jupyter_book(path_output)  # the HTML pages: their widget state goes into the single page
        jupyter_book(path_output, "--builder", "singlehtml")
    page = print_page(path_output)
    built = time.monotonic()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    info = print_pdf(page.parent, args.out, page.name)
    if info["blocked"]:
        print(f"build_pdf: warning: requests outside 127.0.0.1 were blocked: {info['blocked'][:5]}", file=sys.stderr)
    print(
        f"{args.out}: {args.out.stat().st_size / 1e6:.1f} MB, {info['toc_entries']} contents entries; "
        f"single page {built - start:.0f} s, printing {time.monotonic() - built:.0f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
