"""No dead control on the built book's static pages: every control, used from the keyboard, changes the page.

On every page of the toc, in headless Chromium at 1280 px with every request outside 127.0.0.1 aborted,
every interactive control inside the article (buttons, text boxes, selects, checkboxes and radios,
sliders including ARIA ``role=slider`` handles, tabs, widgets' play buttons, ``details``/``summary``
asides, code copy buttons) is used from the keyboard and must change what the page shows:

- a slider: ArrowRight (ArrowLeft at its maximum) must change something *outside the slider itself*
  (a stepper's frame, a table), not just move its own handle, which a widget tied to a Python
  callback also does on a static page;
- a button, summary or tab: Enter must change the page outside the control (a frame, a tab panel, an
  aside opened); a copy button must say "Copied"; a play widget's play must change the frame, its
  stop must bring the frame back, its loop button must toggle;
- a text box or select: typing / ArrowDown must change something besides the box itself;
- the "try it" component (book/_assets/try_it.js): it is enough that Python gets ready in the page and
  its controls are then enabled (its own tests, tests/test_browser_try_it.py, run programs in it).

A page fails on any control that does nothing, on a control the keyboard cannot reach, and on any
visible "needs a kernel" note (``lad-kernel-note``, or such words in a cell's output).
``test_the_check_finds_dead_controls`` shows the check failing on a page holding a dead explorer.
"""

from __future__ import annotations

import json

import pytest
from conftest import screenshot_on_failure, toc_files
from test_browser_book import TIMEOUT_MS, open_offline, slug, wait_until_settled

pytestmark = [pytest.mark.slow, pytest.mark.browser]

PAGES = toc_files()
# After a key press, how long a control may take to show its effect (a play widget's first step waits
# its interval, up to 1.5 s in the book).
EFFECT_MS = 4_000
# Python in the page: ready in about 8 s cold on 2 idle cores; generous for a loaded machine.
PYTHON_MS = 120_000

# Every control in the article, numbered (data-lad-control) so Python can address each in turn.
CONTROLS_JS = r"""
() => {
  const article = document.querySelector('article.bd-article') || document.querySelector('main');
  const selector = 'button, input:not([type=hidden]), select, textarea, summary, [role=slider], ' +
                   '[role=tab], [role=button], [role=checkbox], [role=radio], [role=switch]';
  const shown = e => e.checkVisibility({visibilityProperty: true}) &&
                     e.getBoundingClientRect().width > 0 && !e.closest('[hidden]');
  const found = [];
  window.ladNextControl = window.ladNextControl || 0;  // numbers are never reused
  for (const e of article.querySelectorAll(selector)) {
    if (!shown(e) || e.dataset.ladControl) continue;
    e.dataset.ladControl = String(window.ladNextControl++);
    const role = e.getAttribute('role') || '';
    const kind = e.closest('.lad-tryit') ? 'tryit'
      : e.classList.contains('copybtn') ? 'copy'
      : role === 'slider' ? 'slider'
      : role === 'tab' ? 'tab'
      : e.closest('.widget-play') ? 'play'
      : e.tagName === 'SUMMARY' ? 'summary'
      : ['TEXTAREA', 'SELECT'].includes(e.tagName) ||
        (e.tagName === 'INPUT' && !['button', 'submit', 'checkbox', 'radio'].includes(e.type)) ? 'field'
      : 'button';
    const name = (e.getAttribute('aria-label') || e.title || e.innerText || e.value || e.className || '')
      .toString().trim().replace(/\s+/g, ' ').slice(0, 40);
    const section = e.closest('section');
    const heading = section && section.querySelector('h1, h2, h3, h4');
    found.push({id: e.dataset.ladControl, kind, tag: e.tagName.toLowerCase(), name,
                where: heading ? heading.textContent.replace('#', '').trim().slice(0, 50) : ''});
  }
  return found;
}
"""

# What the page shows around a control, leaving out the control's own widget (a dead slider still
# moves its own handle and readout): the visible text, form values, open asides, the frame each
# stepper shows and the selected tabs of the control's region.
FINGERPRINT_JS = r"""
(e) => {
  const own = e.closest('.lad-tryit') ? e : (e.closest('.jupyter-widgets') || e);
  const region = e.closest('.cell_output, .cell, details, .lad-tryit') ||
                 e.closest('section') || document.body;
  const parts = [];
  const walker = document.createTreeWalker(region, NodeFilter.SHOW_TEXT);
  for (let t = walker.nextNode(); t; t = walker.nextNode()) {
    const p = t.parentElement;
    if (!p || own.contains(p) || !t.textContent.trim()) continue;
    if (!p.checkVisibility({visibilityProperty: true})) continue;
    parts.push(t.textContent.trim());
  }
  for (const f of region.querySelectorAll('input, textarea, select')) {
    if (!own.contains(f)) parts.push(`${f.type}=${f.type === 'radio' || f.type === 'checkbox' ? f.checked : f.value}`);
  }
  for (const d of region.querySelectorAll('details')) parts.push(`details:${d.open}`);
  if (region.tagName === 'DETAILS') parts.push(`this details:${region.open}`);
  for (const s of region.querySelectorAll('.lad-stepper-stack .lad-stepper-frame')) {
    if (s.checkVisibility()) parts.push(`frame:${s.className.match(/lad-stepper-frame-\d+/)}`);
  }
  for (const t of region.querySelectorAll('[role=tab][aria-selected=true]')) parts.push(`tab:${t.textContent}`);
  return parts.join('\n');
}
"""

KERNEL_MARKS_JS = r"""
() => {
  const article = document.querySelector('article.bd-article') || document.querySelector('main');
  const marks = [];
  for (const note of article.querySelectorAll('.lad-kernel-note')) {
    if (note.checkVisibility()) marks.push('kernel note: ' + note.innerText.trim().slice(0, 80));
  }
  const words = /needs? a (running )?(kernel|notebook)|responds only in a running notebook|controls do nothing/i;
  for (const out of article.querySelectorAll('.cell_output')) {
    if (Array.from(out.querySelectorAll('.lad-kernel-note')).some(n => n.checkVisibility())) continue;  // said
    const m = (out.innerText || '').match(words);
    if (m) marks.push(`a cell's output says "${m[0]}": ` + out.innerText.trim().slice(0, 80));
  }
  return [...new Set(marks)];
}
"""


def _control(page, c):
    return page.locator(f'[data-lad-control="{c["id"]}"]')


def _focus(page, loc) -> bool:
    """Focus the control as the keyboard would (it must be in the tab order); False if it cannot be."""
    loc.scroll_into_view_if_needed()
    return loc.evaluate(
        """e => { if (e.disabled || e.tabIndex < 0) return false;
                  e.focus(); return document.activeElement === e; }"""
    )


def _changed_after(page, loc, press: str) -> bool:
    """Press a key on the focused control; True when the page around it changes within EFFECT_MS."""
    before = loc.evaluate(FINGERPRINT_JS)
    page.keyboard.press(press)
    try:
        page.wait_for_function(
            f"([e, before]) => ({FINGERPRINT_JS})(e) !== before", arg=[loc.element_handle(), before], timeout=EFFECT_MS
        )
        return True
    except Exception:  # playwright's TimeoutError: nothing changed
        return False


def _use_tab(page, loc) -> bool:
    """Select a tab from the keyboard: focus the selected tab of its bar, arrow to this one, press Enter."""
    if loc.get_attribute("aria-selected") == "true":
        return True  # the shown tab: its siblings are checked (and they select it back)
    bar = loc.locator("xpath=ancestor::*[@role='tablist'][1]")
    selected = bar.locator("[role=tab][aria-selected=true]").first
    selected.evaluate("e => e.focus()")
    for _ in range(bar.locator("[role=tab]").count()):
        if loc.evaluate("e => document.activeElement === e"):
            break
        page.keyboard.press("ArrowRight")
    if not loc.evaluate("e => document.activeElement === e"):
        return False
    ok = _changed_after(page, loc, "Enter")
    return ok and loc.get_attribute("aria-selected") == "true"


def _use_play(page, loc, name: str) -> bool:
    """A play widget's buttons: play steps the frame, stop brings it back, loop toggles."""
    if "loop" in name.lower() or "repeat" in name.lower():
        before = loc.evaluate("e => e.className + (e.getAttribute('aria-pressed') || '')")
        page.keyboard.press("Enter")
        page.wait_for_timeout(200)
        after = loc.evaluate("e => e.className + (e.getAttribute('aria-pressed') || '')")
        page.keyboard.press("Enter")  # back as it was
        return after != before
    if "stop" in name.lower():
        # stop matters once the stepper has moved: step it with its slider first
        if loc.evaluate("""e => { const box = e.closest('.lad-stepper') || e.closest('.cell_output');
                                   const handle = box && box.querySelector('[role=slider]');
                                   if (handle) handle.focus();
                                   return !!handle; }"""):
            page.keyboard.press("ArrowRight")
            page.wait_for_timeout(300)
        loc.evaluate("e => e.focus()")
        return _changed_after(page, loc, "Enter")
    ok = _changed_after(page, loc, "Enter")
    # stop playing, so that the page holds still for the next control
    loc.evaluate("""e => { const stop = Array.from(e.parentElement.querySelectorAll('button'))
                              .find(b => /stop/i.test(b.title || b.getAttribute('aria-label') || ''));
                            if (stop) stop.click(); }""")
    return ok


def dead_controls(page, doc: str, controls: list[dict]) -> list[str]:
    """Use each control from the keyboard; describe each that changed nothing. Controls that a tab or an
    aside brings into view are checked while it shows them."""
    problems = []
    for c in controls:
        loc = _control(page, c)
        where = f"{doc}: {c['tag']} {c['name']!r} ({c['kind']}, under {c['where']!r})"
        if c["kind"] == "tryit":
            continue  # checked as a whole in tryit_problems
        if not loc.evaluate("e => e.checkVisibility()"):
            continue  # hidden by an earlier control (another tab's panel): checked when it is shown
        if c["kind"] == "tab":
            if not _use_tab(page, loc):
                problems.append(f"{where}: the keyboard does not select it, or selecting it changes nothing")
            else:
                problems += dead_controls(page, doc, page.evaluate(CONTROLS_JS))
            continue
        if not _focus(page, loc):
            problems.append(f"{where}: cannot be reached with the keyboard (disabled or out of the tab order)")
            continue
        if c["kind"] == "slider":
            at_max = loc.get_attribute("aria-valuenow") == loc.get_attribute("aria-valuemax")
            key, back = ("ArrowLeft", "ArrowRight") if at_max else ("ArrowRight", "ArrowLeft")
            ok = _changed_after(page, loc, key)
            page.keyboard.press(back)
        elif c["kind"] == "copy":
            page.keyboard.press("Enter")
            try:
                page.wait_for_function("e => /copied/i.test(e.dataset.tooltip || e.getAttribute('aria-label') || '')",
                                       arg=loc.element_handle(), timeout=EFFECT_MS)
                ok = True
            except Exception:
                ok = False
        elif c["kind"] == "play":
            ok = _use_play(page, loc, c["name"])
        elif c["kind"] == "field":
            tag = c["tag"]
            ok = _changed_after(page, loc, "ArrowDown" if tag == "select" else "Space")
            if tag != "select":
                page.keyboard.press("Backspace")
        else:  # buttons, summaries, checkboxes
            ok = _changed_after(page, loc, "Space" if c["tag"] == "input" else "Enter")
            if c["kind"] == "summary":
                problems += dead_controls(page, doc, page.evaluate(CONTROLS_JS))
                loc.evaluate("e => e.focus()")
                page.keyboard.press("Enter")  # close the aside again
        if not ok:
            problems.append(f"{where}: using it from the keyboard changes nothing on the page")
    return problems


TRYIT_JS = r"""
(root) => ({
  python: root.dataset.python, state: root.dataset.state,
  disabled: Array.from(root.querySelectorAll('button, input, textarea, select'))
    .filter(e => e.disabled && !e.matches('.lad-tryit-prev, .lad-tryit-next'))
    .map(e => (e.innerText || e.className).trim().slice(0, 40)),
})
"""


def tryit_problems(page, doc: str) -> list[str]:
    """Each "try it" component: Python gets ready in the page, and its controls are then enabled."""
    problems = []
    components = page.locator(".lad-tryit")
    for k in range(components.count()):
        root = components.nth(k)
        root.scroll_into_view_if_needed()  # Python loads when a component comes near the screen
        try:
            page.wait_for_function(
                "e => ['ready', 'failed'].includes(e.dataset.python) && e.dataset.state !== 'running'",
                arg=root.element_handle(), timeout=PYTHON_MS,
            )
        except Exception:
            problems.append(f"{doc}: try-it {k + 1}: Python was not ready within {PYTHON_MS / 1000:g} s "
                            f"({root.evaluate(TRYIT_JS)})")
            continue
        state = root.evaluate(TRYIT_JS)
        if state["python"] != "ready":
            problems.append(f"{doc}: try-it {k + 1}: Python failed to load: {root.inner_text()[:200]}")
        elif state["disabled"]:
            problems.append(f"{doc}: try-it {k + 1}: controls still disabled with Python ready: {state['disabled']}")
    return problems


def check_page(page, doc: str) -> tuple[list[str], int]:
    """(every problem found on the loaded page, how many controls were found)."""
    problems = [f"{doc}: {m}" for m in page.evaluate(KERNEL_MARKS_JS)]
    problems += tryit_problems(page, doc)
    controls = page.evaluate(CONTROLS_JS)
    problems += dead_controls(page, doc, controls)
    return problems, page.evaluate("() => window.ladNextControl")


@pytest.mark.parametrize("doc", PAGES)
def test_every_control_does_something(doc, chromium, book_server, artifacts):
    context, page, traffic = open_offline(chromium)
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    report: dict = {"page": doc}
    try:
        with screenshot_on_failure(page, artifacts / f"controls-{slug(doc)}.png"):
            page.goto(f"{book_server}{doc}.html", wait_until="load", timeout=TIMEOUT_MS)
            wait_until_settled(page)
            problems, used = check_page(page, doc)
            report.update(controls=used, problems=problems)
            assert not problems, f"{doc}: {len(problems)} controls that do nothing on the static page:\n" + "\n".join(
                problems
            )
            assert not traffic.blocked, f"{doc}: requests to outside hosts (blocked): {traffic.blocked}"
            assert not traffic.errors, f"{doc}: uncaught JavaScript errors: {traffic.errors}"
    finally:
        out = artifacts / "controls"
        out.mkdir(parents=True, exist_ok=True)
        (out / f"{slug(doc)}.json").write_text(json.dumps(report, indent=1))
        context.close()


DEAD_PAGE = """<!doctype html><html><body><main><article class="bd-article">
<section><h2>A dead explorer</h2>
<div class="cell"><div class="cell_output">
  <div class="jupyter-widgets"><button>gradient step</button></div>
  <div class="lad-kernel-note" style="display:block">This explorer runs Python code: it responds only in a
    running notebook.</div>
  <table><tr><td>z1</td><td>0.5000</td></tr></table>
</div></div>
<div class="cell"><div class="cell_output">
  <details><summary>an aside that works</summary><p>its text</p></details>
</div></div>
</section></article></main></body></html>"""


def test_the_check_finds_dead_controls(chromium):
    """The check can fail: a button that changes nothing and a kernel note are found; a working aside is not."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.route("**/*", lambda route: route.abort("blockedbyclient"))
    page = context.new_page()
    try:
        page.set_content(DEAD_PAGE)
        problems, used = check_page(page, "dead")
        assert used == 2, f"the check should find the button and the summary, found {used}"
        text = "\n".join(problems)
        assert "'gradient step'" in text and "changes nothing" in text, problems
        assert "kernel note" in text, problems
        assert "an aside that works" not in text, problems
        assert len(problems) == 2, problems
    finally:
        context.close()
