"""The built book on the page, in headless Chromium at 1280 px: it fits, it is legible, it is accessible.

On every page of the toc:
- no element is wider than the text column (or hides/scrolls content that is wider than itself),
  at load and at every frame of every stepper;
- axe-core (WCAG 2 A and AA rules) finds no serious or critical violation;
- every figure carries the book's figure standard (lagrange_ad.display.figure_html): alt text, and
  text that renders at ≥ 10 CSS px at the width the browser actually draws it;
- every stepper announces its frame as text in an aria-live region, and steps from the keyboard;
- every stepper keeps one height while it steps (a11y.js gives it its tallest frame's), so the page
  below it does not jump; but no frame sits above more than 70% of a window of empty space: a stepper
  whose frames are much taller than a screen reserves less, and a frame cut off at its foot must be a
  named scroll region in the tab order that its End key scrolls.

Each page's measurements go to tests/artifacts/layout/<page>.json (the figures quoted in reports).
axe-core is fetched by scripts/fetch_assets.py into tests/_vendor/axe-core/.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import REPO, screenshot_on_failure, toc_files
from test_browser_book import TIMEOUT_MS, VISIBLE_FRAME_JS, open_offline, slug, wait_until_settled

pytestmark = [pytest.mark.slow, pytest.mark.browser]

PAGES = toc_files()
AXE = REPO / "tests" / "_vendor" / "axe-core" / "axe.min.js"
MIN_FIGURE_TEXT_PX = 10.0

# Elements of `root` that stick out of the text column, or that clip/scroll content wider than
# themselves (overflow other than visible): only the outermost offender of a subtree is reported.
OVERFLOW_JS = r"""
(root) => {
  const article = document.querySelector('article.bd-article') || document.querySelector('main');
  const cs = getComputedStyle(article);
  const box = article.getBoundingClientRect();
  const left = box.left + parseFloat(cs.paddingLeft), right = box.right - parseFloat(cs.paddingRight);
  const scope = root || article;
  const found = [];
  // MathJax's hidden MathML copy for screen readers (absolutely placed, clipped to 1 px) still counts
  // in scrollWidth; take it out of the layout while measuring what a reader sees.
  const hide = document.createElement('style');
  hide.textContent = 'mjx-assistive-mml { display: none !important; }';
  document.head.appendChild(hide);
  const describe = (e, why) => {
    const cls = (typeof e.className === 'string' ? e.className : '').trim().split(/\s+/).slice(0, 3).join('.');
    // (a formula's text is in MathJax's hidden MathML copy)
    const mml = e.querySelector('mjx-assistive-mml');
    const text = ((mml ? mml.textContent : '') || e.innerText || e.textContent || '')
      .trim().replace(/\s+/g, ' ').slice(0, 60);
    return `${e.tagName.toLowerCase()}${cls ? '.' + cls : ''} [${why}] ${text}`;
  };
  for (const e of scope.querySelectorAll('*')) {
    const b = e.getBoundingClientRect();
    if (b.width === 0 || b.height === 0) continue;           // not rendered (hidden frames, display:none)
    if (e.closest('.visually-hidden, .sr-only')) continue;   // for screen readers only (clipped to 1 px)
    const st = getComputedStyle(e);
    if (st.visibility === 'hidden') continue;
    const why = [];
    if (b.right > right + 1 || b.left < left - 1)
      why.push(`${Math.round(b.left - left)}..${Math.round(b.right - left)} px` +
               ` of a ${Math.round(right - left)} px column`);
    // (overflow does not apply to inline boxes, whose clientWidth is 0)
    if (st.overflowX !== 'visible' && st.display !== 'inline' && e.scrollWidth > e.clientWidth + 1)
      why.push(`hides or scrolls ${e.scrollWidth - e.clientWidth} px`);
    if (why.length) found.push({el: e, text: describe(e, why.join('; '))});
  }
  hide.remove();
  return found.filter(f => !found.some(g => g !== f && g.el.contains(f.el))).map(f => f.text);
}
"""

# Every figure image: its alt text, the figure standard's data (smallest text in pt, width in pt) and
# the size the browser draws it at, so the smallest text in CSS px = text_pt * drawn_width / width_pt.
FIGURES_JS = r"""
(root) => Array.from((root || document.querySelector('article.bd-article') || document).querySelectorAll('img'))
  .filter(i => i.getBoundingClientRect().width > 0)   // shown (figures in hidden frames: when shown)
  .map(i => ({
    src: (i.getAttribute('src') || '').slice(0, 60),
    alt: i.getAttribute('alt'),
    text_pt: i.dataset.ladTextPt ? parseFloat(i.dataset.ladTextPt) : null,
    width_pt: i.dataset.ladWidthPt ? parseFloat(i.dataset.ladWidthPt) : null,
    drawn: i.getBoundingClientRect().width,
    natural: i.naturalWidth,
  }))
"""

AXE_JS = r"""
async () => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']},
                                          resultTypes: ['violations']});
  return result.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(' ') + ' :: ' + (n.failureSummary || '').split('\n')[1])}));
}
"""

# A stepper's live region: its text must say which frame is shown (screen readers hear it).
LIVE_TEXT_JS = r"""
(stepper) => {
  const live = stepper.querySelector('[aria-live]');
  return live ? live.textContent.trim() : null;
}
"""


def wait_for_math(page):
    """Let MathJax (and the widget math queue of mathjax_widgets.js) finish typesetting."""
    page.evaluate("""async () => {
        const mj = window.MathJax;
        if (mj && mj.startup && mj.startup.promise) await mj.startup.promise;
        if (mj && mj.Hub && mj.Hub.Queue) await mj.Hub.Queue(() => true);
        await new Promise(r => setTimeout(r, 60));
        if (mj && mj.Hub && mj.Hub.Queue) await mj.Hub.Queue(() => true);
    }""")


# How much a stepper's height may change between frames (px): rounding, not a jump.
MAX_HEIGHT_CHANGE_PX = 4
# The most empty space a frame may sit above, as a share of the window's height: a stepper keeps one
# height, but one with frames much taller than a screen reserves at most this much (a11y.js) and lets
# the taller frames scroll in their own box.
MAX_EMPTY_OF_SCREEN = 0.7

# The frame shown: is content cut off at its foot (then it must be a scroll box the keyboard reaches,
# with a name), how much empty space sits below its content, its scroll offset.
FRAME_BOX_JS = r"""
(stepper) => {
  const frame = Array.from(stepper.querySelectorAll('.lad-stepper-stack > .lad-stepper-frame'))
    .find(f => f.checkVisibility());
  if (!frame) return null;
  const content = frame.querySelector('.widget-htmlmath-content') || frame;
  const last = content.lastElementChild || content;
  const bottom = frame.getBoundingClientRect().bottom, end = last.getBoundingClientRect().bottom;
  return {cut: frame.scrollHeight > frame.clientHeight + 1 && end > bottom + 1,
          empty: Math.max(0, bottom - end), tabindex: frame.tabIndex,
          name: frame.getAttribute('aria-label') || '', role: frame.getAttribute('role') || '',
          top: frame.scrollTop};
}
"""


def frame_box_problems(page, stepper, handle, where: str) -> tuple[list[str], float]:
    """(problems with the shown frame's box, the empty space below its content in px). A frame cut off
    at its foot must be a named region in the tab order whose End key scrolls it."""
    box = stepper.evaluate(FRAME_BOX_JS)
    if box is None:
        return [f"{where}: no frame is shown"], 0.0
    problems = []
    if box["cut"]:
        if box["tabindex"] < 0 or not box["name"] or box["role"] != "region":
            problems.append(f"{where}: its content is cut off, but the frame is not a named scroll region in "
                            f"the tab order (tabindex {box['tabindex']}, role {box['role']!r}, name {box['name']!r})")
        else:
            frame = stepper.locator(".lad-stepper-stack > .lad-stepper-frame[tabindex='0']")
            frame.focus()
            page.keyboard.press("End")
            try:
                page.wait_for_function("f => f.scrollTop > 0", arg=frame.element_handle(), timeout=TIMEOUT_MS)
            except Exception:
                problems.append(f"{where}: its scroll box does not scroll with the End key")
            page.keyboard.press("Home")
            handle.focus()
    return problems, box["empty"]


def walk_frames(page, stepper, where: str):
    """Step through every frame from the keyboard (after a11y.js has measured them). Yields (k, where,
    problems of frame k's scroll box) with frame k shown and typeset, then (None, where, the stepper's
    problems: its height changed, or a frame sat above too much empty space)."""
    stepper.scroll_into_view_if_needed()
    # a11y.js measures every frame and gives the stepper one height; let it finish
    page.wait_for_function(
        "(s) => ['done', 'unknown'].includes(s.querySelector('.lad-stepper-stack').dataset.ladSteady)",
        arg=stepper.element_handle(), timeout=TIMEOUT_MS,
    )
    handle = stepper.locator(".lad-stepper-slider .noUi-handle")
    n_frames = round(float(handle.get_attribute("aria-valuemax"))) + 1
    heights, empty = [], []
    handle.focus()
    for k in range(n_frames):
        if k:
            page.keyboard.press("ArrowRight")
            page.wait_for_function(f"(s) => ({VISIBLE_FRAME_JS})(s).index === {k}",
                                   arg=stepper.element_handle(), timeout=TIMEOUT_MS)
        wait_for_math(page)
        heights.append(stepper.evaluate("s => s.getBoundingClientRect().height"))
        at = f"{where}, frame {k + 1}/{n_frames}"
        boxed, below = frame_box_problems(page, stepper, handle, at)
        empty.append(below)
        yield k, at, boxed
    problems = []
    if max(heights) - min(heights) > MAX_HEIGHT_CHANGE_PX:
        problems.append(f"{where}: its height changes while stepping: {[round(h) for h in heights]} px")
    screen = page.evaluate("() => innerHeight")
    if max(empty) > MAX_EMPTY_OF_SCREEN * screen:
        problems.append(f"{where}: a frame sits above {max(empty):.0f} px of empty space (more than "
                        f"{MAX_EMPTY_OF_SCREEN:.0%} of the {screen} px window); empty space per frame: "
                        f"{[round(e) for e in empty]} px")
    yield None, where, problems


def stepper_frames(page, stepper, where: str) -> tuple[list[str], list[str], list[dict], list[str]]:
    """Step through every frame from the keyboard: (overflow found on any frame, problems with the live
    text or a cut-off frame's scroll box, the figures each frame shows, a jump in the stepper's height or
    a frame above too much empty space)."""
    wide, live_problems, figures, seen, jumps = [], [], [], set(), []
    for k, at, boxed in walk_frames(page, stepper, where):
        if k is None:
            jumps = boxed
            break
        live_problems += boxed
        wide += [f"{at}: {w}" for w in stepper.evaluate(OVERFLOW_JS)]
        figures += stepper.evaluate(FIGURES_JS)
        live = stepper.evaluate(LIVE_TEXT_JS)
        if live is None:
            if not k:
                live_problems.append(f"{where}: no aria-live region announces the frame")
            continue
        if live in seen or f"{k + 1}" not in live:
            live_problems.append(f"{where}, frame {k + 1}: the live region says {live!r}")
        seen.add(live)
    return wide, live_problems, figures, jumps


def stepper_heights_on_a_phone(page, stepper, where: str) -> list[str]:
    """At a phone's width: the stepper keeps one height, no frame sits above more than
    MAX_EMPTY_OF_SCREEN of empty space, and a cut-off frame scrolls from the keyboard."""
    problems = []
    for _, _, found in walk_frames(page, stepper, where):
        problems += found
    return problems


# Give every stepper now shown that has no number yet the next number; return the new numbers.
NUMBER_STEPPERS_JS = r"""
() => {
  const fresh = Array.from(document.querySelectorAll('.lad-stepper'))
    .filter(s => !s.dataset.ladId && s.getBoundingClientRect().width > 0);
  let next = document.querySelectorAll('.lad-stepper[data-lad-id]').length;
  return fresh.map(s => (s.dataset.ladId = String(next++)));
}
"""


def every_stepper(page, doc: str):
    """Yield (stepper locator, name) for every stepper shown at load, then for those inside each tab of
    an ipywidgets.Tab (which shows one panel at a time): clicking each tab brings its steppers in."""
    for number in page.evaluate(NUMBER_STEPPERS_JS):
        yield page.locator(f'.lad-stepper[data-lad-id="{number}"]'), f"{doc}, stepper {number}"
    tabs = page.locator(".widget-tab .lm-TabBar-tab")
    for t in range(tabs.count()):
        tabs.nth(t).click()
        page.wait_for_timeout(300)
        for number in page.evaluate(NUMBER_STEPPERS_JS):
            yield page.locator(f'.lad-stepper[data-lad-id="{number}"]'), f"{doc}, stepper {number} (tab {t + 1})"


def figure_problems(figures: list[dict]) -> tuple[list[str], float | None]:
    """(figures breaking the standard, smallest figure text in CSS px among measured figures)."""
    problems, smallest, checked = [], None, set()
    for f in figures:
        if (f["src"], f["alt"]) in checked:  # the same figure seen again on another frame
            continue
        checked.add((f["src"], f["alt"]))
        name = f["src"]
        if not (f["alt"] or "").strip():
            problems.append(f"{name}: no alt text")
        if f["text_pt"] is None or not f["width_pt"]:
            problems.append(f"{name}: not made by lagrange_ad.display's figure standard (no text size recorded)")
            continue
        px = f["text_pt"] * f["drawn"] / f["width_pt"]
        smallest = px if smallest is None else min(smallest, px)
        if px < MIN_FIGURE_TEXT_PX:
            problems.append(
                f"{name}: smallest text {px:.1f} px (< {MIN_FIGURE_TEXT_PX:g} px) at {f['drawn']:.0f} px wide"
            )
    return problems, smallest


@pytest.mark.parametrize("doc", PAGES)
def test_page_fits_the_column_and_is_accessible(doc, chromium, book_server, artifacts):
    # checked here, not at collection: the book build (book_server) runs fetch_assets.py first
    assert AXE.is_file(), f"axe-core is missing at {AXE}: scripts/fetch_assets.py should have fetched it"
    context, page, _ = open_offline(chromium)
    report: dict = {"page": doc}
    try:
        with screenshot_on_failure(page, artifacts / f"layout-{slug(doc)}.png"):
            page.goto(f"{book_server}{doc}.html", wait_until="load", timeout=TIMEOUT_MS)
            wait_until_settled(page)
            wait_for_math(page)
            wide = [f"{doc}, at load: {w}" for w in page.evaluate(OVERFLOW_JS, None)]
            report["wide_at_load"] = len(wide)

            page.add_script_tag(path=str(AXE))
            violations = page.evaluate(AXE_JS)
            report["axe"] = {v["id"]: len(v["nodes"]) for v in violations}

            figures = page.evaluate(FIGURES_JS, None)

            live_problems, jumps = [], []
            for stepper, name in every_stepper(page, doc):
                frames_wide, live, shown, jumped = stepper_frames(page, stepper, name)
                wide += frames_wide
                live_problems += live
                figures += shown
                jumps += jumped
            bad_figures, smallest = figure_problems(figures)
            report["figures"] = figures
            report["smallest_figure_text_px"] = smallest
            report["wide_total"] = len(wide)
            report["wide"] = wide
            report["live_problems"] = live_problems
            report["stepper_jumps"] = jumps

            assert not wide, f"{doc}: {len(wide)} elements wider than the text column:\n" + "\n".join(wide[:40])
            assert not violations, f"{doc}: serious/critical axe violations:\n" + json.dumps(violations)[:5000]
            assert not bad_figures, f"{doc}: figures off the standard:\n" + "\n".join(bad_figures)
            assert not live_problems, (f"{doc}: steppers that do not announce their frames, or whose cut-off frames "
                                       "the keyboard cannot scroll:\n" + "\n".join(live_problems))
            assert not jumps, f"{doc}: steppers that make the page jump:\n" + "\n".join(jumps)
    finally:
        out = Path(artifacts) / "layout"
        out.mkdir(parents=True, exist_ok=True)
        (out / f"{slug(doc)}.json").write_text(json.dumps(report, indent=1))
        context.close()


@pytest.mark.parametrize("doc", PAGES)
def test_page_does_not_scroll_sideways_on_a_phone(doc, chromium, book_server, artifacts):
    """At a phone's 390 px, wide content may scroll inside its own box, but the page itself never does;
    and every stepper keeps one height while it steps, as at 1280 px."""
    context, page, _ = open_offline(chromium)
    try:
        page.set_viewport_size({"width": 390, "height": 844})
        with screenshot_on_failure(page, artifacts / f"phone-{slug(doc)}.png"):
            page.goto(f"{book_server}{doc}.html", wait_until="load", timeout=TIMEOUT_MS)
            wait_until_settled(page)
            wait_for_math(page)
            width, client = page.evaluate(
                "() => [document.scrollingElement.scrollWidth, document.documentElement.clientWidth]"
            )
            assert width <= client + 1, f"{doc}: at 390 px the page is {width} px wide: it scrolls sideways"
            problems = []
            for stepper, name in every_stepper(page, doc):
                problems += stepper_heights_on_a_phone(page, stepper, f"{name} at 390 px")
            assert not problems, f"{doc}: steppers on a phone:\n" + "\n".join(problems)
    finally:
        context.close()
