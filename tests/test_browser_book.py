"""The built book in headless Chromium, offline: every request outside 127.0.0.1 is blocked.

On every page of the toc: no failed or blocked request, no uncaught JavaScript error, all math
typeset (no raw ``$$`` left, no MathJax error), Markdown inside widgets rendered, every image
loaded, every control either a stepper's or inside an explorer that says it needs a kernel. On
pages with a ``frame_stepper``: the slider and the play button change the visible frame with no kernel.
Screenshots of failures go to tests/artifacts/.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from urllib.parse import urlparse

import pytest
from conftest import screenshot_on_failure, toc_files

pytestmark = [pytest.mark.slow, pytest.mark.browser]

PAGES = toc_files()
# generous: the CI machine has 2 cores and a chapter page can carry hundreds of formulas
TIMEOUT_MS = 60_000

# Text left outside code blocks that MathJax should have replaced.
RAW_MATH_JS = r"""
() => {
  const root = document.querySelector('article') || document.body;
  const clone = root.cloneNode(true);
  clone.querySelectorAll('pre, code, script, style, textarea, mjx-container, .highlight')
       .forEach(e => e.remove());
  const text = clone.textContent;
  const hits = [];
  // $$, \( or \[, or a TeX-looking $...$ pair (no space inside the dollars)
  const re = /\$\$|\\\(|\\\[|\$[^\s$](?:[^$\n]{0,200}[^\s$])?\$/g;
  let m;
  while ((m = re.exec(text)) && hits.length < 5) {
    hits.push(text.slice(Math.max(0, m.index - 40), m.index + 40).replace(/\s+/g, ' '));
  }
  return hits;
}
"""

# Sphinx wraps every formula in .math; each must hold a typeset mjx-container.
UNTYPESET_JS = r"""
() => Array.from(document.querySelectorAll('.math'))
  .filter(e => !e.querySelector('mjx-container'))
  .map(e => e.textContent.slice(0, 80))
"""

WIDGETS_RENDERED_JS = r"""
() => {
  const views = document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]');
  const areas = document.querySelectorAll('.widget-subarea');
  return areas.length >= views.length &&
         Array.from(areas).every(a => a.querySelector('.jupyter-widgets'));
}
"""

# DESIGN.md: no control on a static page is dead without saying so. A control either steps a
# frame_stepper (browser-side links) or sits in a kernel_explorer, whose note says it needs Python.
UNEXPLAINED_CONTROLS_JS = r"""
() => Array.from(document.querySelectorAll(
    '.widget-button, .widget-dropdown, .widget-toggle-buttons, .widget-radio, .widget-text, ' +
    '.widget-textarea, .widget-checkbox, .widget-slider, .widget-play, .widget-select'))
  .filter(e => !e.closest('.lad-stepper') && !e.closest('.lad-explorer'))
  .map(e => (e.className.match(/widget-[a-z-]+/) || ['?'])[0] + ': ' + (e.innerText || '').trim().slice(0, 40))
"""

EXPLORERS_WITHOUT_NOTE_JS = r"""
() => Array.from(document.querySelectorAll('.lad-explorer'))
  .filter(e => !e.querySelector('.lad-kernel-note'))
  .map(e => (e.innerText || '').trim().slice(0, 60))
"""

VISIBLE_FRAME_JS = r"""
(stepper) => {
  const frame = stepper.querySelector('.lad-stepper-stack .lad-stepper-frame');
  if (!frame) return null;
  const m = frame.className.match(/lad-stepper-frame-(\d+)/);
  return {index: m ? Number(m[1]) : -1, text: frame.innerText,
          math: frame.querySelectorAll('mjx-container').length};
}
"""


@dataclass
class Traffic:
    """What a page asked for that did not work."""

    blocked: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    our_console_errors: list[str] = field(default_factory=list)


def open_offline(chromium):
    """A new page whose requests may only go to 127.0.0.1; everything else is blocked and recorded."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    traffic = Traffic()

    def route(route):
        url = urlparse(route.request.url)
        if url.scheme in ("data", "blob") or url.hostname == "127.0.0.1":
            route.continue_()
        else:
            traffic.blocked.append(route.request.url)
            route.abort("blockedbyclient")

    context.route("**/*", route)
    page = context.new_page()
    page.on("pageerror", lambda exc: traffic.errors.append(str(exc)))
    page.on("requestfailed", lambda req: traffic.failed.append(f"{req.url} ({req.failure})"))
    page.on("response", lambda resp: resp.status >= 400 and traffic.failed.append(f"{resp.url} (HTTP {resp.status})"))
    # console errors of our own scripts (the theme logs unrelated noise)
    page.on("console", lambda msg: msg.type == "error" and "mathjax_widgets" in msg.text
            and traffic.our_console_errors.append(msg.text))
    return context, page, traffic


def wait_until_settled(page):
    """Widgets rendered, MathJax started and its queue (and ours) drained, images loaded."""
    page.wait_for_load_state("load", timeout=TIMEOUT_MS)
    try:  # quiet network is a nicety, not a requirement: on a loaded machine it may never be observed
        page.wait_for_load_state("networkidle", timeout=15_000)
    except Exception:  # playwright's TimeoutError; the module is imported lazily by conftest
        pass
    page.wait_for_function(WIDGETS_RENDERED_JS, timeout=TIMEOUT_MS)
    page.evaluate("""async () => {
        const mj = window.MathJax;
        if (mj && mj.startup && mj.startup.promise) await mj.startup.promise;
        if (mj && mj.Hub && mj.Hub.Queue) await mj.Hub.Queue(() => true);
    }""")
    page.evaluate("() => Array.from(document.images).forEach(i => { i.loading = 'eager'; })")
    page.wait_for_function("() => Array.from(document.images).every(i => i.complete)", timeout=TIMEOUT_MS)


def check_math(page, where: str):
    try:
        page.wait_for_function(f"() => ({RAW_MATH_JS})().length === 0", timeout=TIMEOUT_MS)
    except Exception:
        pass  # reported below with the offending text
    raw = page.evaluate(RAW_MATH_JS)
    assert not raw, f"{where}: math left untypeset (raw delimiters in the text): {raw}"
    untypeset = page.evaluate(UNTYPESET_JS)
    assert not untypeset, f"{where}: formulas without a MathJax rendering: {untypeset[:5]}"
    merrors = page.evaluate("() => Array.from(document.querySelectorAll('mjx-merror')).map(e => e.textContent)")
    assert not merrors, f"{where}: MathJax reported TeX errors: {merrors[:5]}"


def check_stepper(page, stepper, where: str):
    """Slider and play button must change the visible frame (browser-side links, no kernel)."""
    stepper.scroll_into_view_if_needed()
    handle = stepper.locator(".lad-stepper-slider .noUi-handle")
    n_frames = round(float(handle.get_attribute("aria-valuemax"))) + 1
    first = stepper.evaluate(VISIBLE_FRAME_JS)
    assert first is not None, f"{where}: no frame is visible"
    assert first["index"] == 0, f"{where}: the stepper should open on frame 0, shows {first['index']}"
    if n_frames == 1:
        return

    handle.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function(f"(s) => ({VISIBLE_FRAME_JS})(s).index === 1", arg=stepper.element_handle(),
                           timeout=TIMEOUT_MS)
    second = stepper.evaluate(VISIBLE_FRAME_JS)
    assert second["text"] != first["text"], f"{where}: the slider changed frames but not the text shown"
    check_math(page, f"{where}, frame 1")

    stepper.locator(".lad-stepper-play button").first.click()
    page.wait_for_function(f"(s) => ({VISIBLE_FRAME_JS})(s).index !== 1", arg=stepper.element_handle(),
                           timeout=TIMEOUT_MS)
    third = stepper.evaluate(VISIBLE_FRAME_JS)
    assert third["text"] != second["text"], f"{where}: play changed frames but not the text shown"
    check_math(page, f"{where}, after play (frame {third['index']})")


def slug(doc: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", doc).strip("-")


def test_some_page_has_a_stepper(book_html):
    """Keeps the stepper checks below from silently testing nothing."""
    assert any("lad-stepper" in (book_html / f"{doc}.html").read_text(encoding="utf-8") for doc in PAGES), (
        "no page of the book shows a frame_stepper, so the browser stepper checks test nothing"
    )


@pytest.mark.parametrize("doc", PAGES)
def test_page_works_offline(doc, chromium, book_server, artifacts):
    context, page, traffic = open_offline(chromium)
    start = time.monotonic()
    try:
        with screenshot_on_failure(page, artifacts / f"book-{slug(doc)}.png"):
            page.goto(f"{book_server}{doc}.html", wait_until="load", timeout=TIMEOUT_MS)
            wait_until_settled(page)
            check_math(page, doc)

            raw_markdown = page.evaluate(
                """() => Array.from(document.querySelectorAll(
                       '.jupyter-widgets [data-mime-type="text/markdown"] > pre:only-child'))
                     .map(e => e.textContent.slice(0, 80))"""
            )
            assert not raw_markdown, f"{doc}: Markdown inside widgets left unrendered: {raw_markdown}"

            broken = page.evaluate(
                "() => Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)"
            )
            assert not broken, f"{doc}: images that did not load: {broken}"

            unexplained = page.evaluate(UNEXPLAINED_CONTROLS_JS)
            assert not unexplained, (f"{doc}: controls that do nothing on a static page and do not say so "
                                     f"(wrap them with lagrange_ad.widgets.kernel_explorer): {unexplained}")
            silent = page.evaluate(EXPLORERS_WITHOUT_NOTE_JS)
            assert not silent, f"{doc}: explorers without their 'needs a running notebook' note: {silent}"

            # steppers a kernel-backed explorer has hidden (display: none) cannot be reached here
            steppers = page.locator(".lad-stepper:visible")
            for k in range(steppers.count()):
                check_stepper(page, steppers.nth(k), f"{doc}, stepper {k}")

            assert not traffic.blocked, f"{doc}: requests to outside hosts (blocked): {traffic.blocked}"
            assert not traffic.failed, f"{doc}: failed requests: {traffic.failed}"
            assert not traffic.errors, f"{doc}: uncaught JavaScript errors: {traffic.errors}"
            assert not traffic.our_console_errors, f"{doc}: errors from our scripts: {traffic.our_console_errors}"
    finally:
        context.close()
    print(f"{doc}: {time.monotonic() - start:.1f} s")
