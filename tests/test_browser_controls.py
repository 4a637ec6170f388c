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

import contextlib
import json

import pytest
from conftest import screenshot_on_failure, toc_files
from test_browser_book import TIMEOUT_MS, open_offline, slug, wait_until_settled
from test_browser_layout import AXE

pytestmark = [pytest.mark.slow, pytest.mark.browser]

PAGES = toc_files()
# The theme's controls at a phone's width (its header shows other buttons there), on a few pages: the
# header is the same template on every page, and every page is checked at 1280 px.
PHONE_PAGES = [PAGES[0], "book/ch06_backprop", "book/bibliography"]
# what the static server answered for each link target, fetched once per test session, and the links
# (region, target) already used from the keyboard on an earlier page
FETCHED: dict = {}
USED_LINKS: set = set()
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


# ---------------------------------------------------------------------------------------------
# The theme's own controls: header, sidebars, search, colour mode, prev/next, page contents.

# Every control outside the article, shown at this width, numbered (data-lad-theme). MathJax's formulas
# (tabindex 0, their own context menu) are MathJax's, not the theme's: left out.
THEME_CONTROLS_JS = r"""
() => {
  const article = document.querySelector('article.bd-article') || document.querySelector('main');
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button], ' +
                   '[tabindex]:not([tabindex="-1"])';
  const shown = e => e.checkVisibility({visibilityProperty: true}) && e.getBoundingClientRect().width > 0 &&
                     !e.closest('[hidden], dialog:not([open])');
  const here = location.href.split('#')[0];
  window.ladNextTheme = window.ladNextTheme || 0;
  const found = [];
  for (const e of document.querySelectorAll(selector)) {
    if ((article && article.contains(e)) || e.tagName === 'MJX-CONTAINER' || !shown(e)) continue;
    if (!e.dataset.ladTheme) e.dataset.ladTheme = String(window.ladNextTheme++);
    const href = e.tagName === 'A' ? e.href : '';
    const kind = !href ? 'button'
      : href.split('#')[0] === here ? 'anchor'
      : 'link';
    const name = (e.getAttribute('aria-label') || e.title || e.getAttribute('data-bs-title') || e.innerText || '')
      .toString().trim().replace(/\s+/g, ' ').slice(0, 40);
    const region = e.closest('.bd-header-article, .bd-header, .bd-sidebar-primary, .bd-sidebar-secondary, ' +
                             '.prev-next-footer, footer, dialog');
    found.push({id: e.dataset.ladTheme, kind, tag: e.tagName.toLowerCase(), name, href,
                download: e.hasAttribute('download'),
                region: region ? region.className.split(' ')[0] : 'page'});
  }
  return found;
}
"""

# The state of the page's chrome that a theme button may change.
CHROME_JS = r"""
() => {
  const d = document.documentElement;
  const parts = [location.href, `mode=${d.dataset.mode}`, `theme=${d.dataset.theme}`,
                 `fullscreen=${!!document.fullscreenElement}`, `y=${Math.round(scrollY)}`];
  for (const g of document.querySelectorAll('dialog')) parts.push(`dialog=${g.open}`);
  for (const s of document.querySelectorAll('.bd-sidebar-primary, .bd-sidebar-secondary')) {
    const r = s.getBoundingClientRect();
    parts.push(`${[...s.classList].sort().join('.')}:${s.checkVisibility()}:${Math.round(r.left)}+${Math.round(r.width)}`);
  }
  for (const m of document.querySelectorAll('.dropdown-menu')) parts.push(`menu=${m.classList.contains('show')}`);
  return parts.join('|');
}
"""

# What the focus is on after a control was used: on it, in a dialog it opened, or lost (on the body).
FOCUS_JS = r"""
(e) => {
  const now = document.activeElement;
  if (now === e) return 'kept';
  if (!now || now === document.body || now === document.documentElement) return 'lost';
  const dialog = now.closest('dialog[open]');
  if (dialog) return dialog.querySelector('a[href], input') ? 'dialog' : 'empty dialog';
  return 'moved';
}
"""

# Links to other pages are followed as far as the click: a listener registered after the theme's sees
# whether the theme's handlers cancelled it, records where it goes, and keeps the page here (the target
# is then fetched from the server, once per URL).
HOLD_LINKS_JS = r"""
() => {
  if (window.ladHolding) return;
  window.ladHolding = true;
  window.addEventListener('click', ev => {
    const a = ev.target.closest && ev.target.closest('a[href]');
    if (!a || !window.ladHoldLinks) return;
    window.ladFollowed = {href: a.href, cancelled: ev.defaultPrevented};
    ev.preventDefault();
  });
}
"""

FETCH_JS = r"""
async (url) => {
  try {
    const r = await fetch(url, {cache: 'no-store'});
    const body = await r.text();
    return {status: r.status, type: r.headers.get('content-type') || '', size: body.length,
            ids: url.includes('#') ? body.includes(`id="${decodeURIComponent(url.split('#')[1])}"`) : true};
  } catch (err) { return {status: 0, type: '', size: 0, ids: false, error: String(err)}; }
}
"""

# a file to download, not a page: ends in one of these (or carries the download attribute)
FILE_SUFFIXES = (".ipynb", ".md", ".pdf", ".zip", ".py", ".txt", ".tex", ".bib", ".csv")


def _theme(page, c):
    return page.locator(f'[data-lad-theme="{c["id"]}"]')


def _target_problem(page, c, fetched: dict) -> str | None:
    """Where a link leads: a page or file the static server serves, or nothing (why)."""
    href = c["href"]
    origin = page.evaluate("() => location.origin")
    if not href.startswith(origin + "/"):
        return f"leads outside the book ({href[:80]}): nothing there on this offline machine"
    if href not in fetched:
        fetched[href] = page.evaluate(FETCH_JS, href)
    got = fetched[href]
    if got["status"] != 200 or not got["size"]:
        return f"leads to {href[len(origin):]}, which the static server does not serve (HTTP {got['status']})"
    is_file = c["download"] or href.split("#")[0].split("?")[0].endswith(FILE_SUFFIXES)
    if is_file and "text/html" in got["type"]:
        return f"download {href[len(origin):]} delivers an HTML page, not the file"
    if not got["ids"]:
        return f"leads to {href[len(origin):]}, whose page has no such anchor"
    return None


def _use_link(page, loc, c, fetched: dict) -> str | None:
    page.evaluate("() => { window.ladHoldLinks = true; window.ladFollowed = null; }")
    page.keyboard.press("Enter")
    try:
        page.wait_for_function("() => window.ladFollowed", timeout=EFFECT_MS)
    except Exception:
        return "Enter does not follow it"
    finally:
        page.evaluate("() => { window.ladHoldLinks = false; }")
    followed = page.evaluate("() => window.ladFollowed")
    if followed["cancelled"]:
        return "a script cancels it: following it does nothing"
    return _target_problem(page, c, fetched)


def _use_anchor(page, loc, c) -> str | None:
    """A link into this page: from the page's end, Enter must bring its target into view."""
    fragment = c["href"].split("#", 1)[1] if "#" in c["href"] else ""
    if fragment and not page.evaluate("f => !!document.getElementById(decodeURIComponent(f))", fragment):
        return f"points to #{fragment}, which is not on the page"
    page.evaluate("() => window.scrollTo(0, document.documentElement.scrollHeight)")
    page.wait_for_timeout(50)
    page.keyboard.press("Enter")
    check = ("f => { const t = f ? document.getElementById(decodeURIComponent(f)) : null;"
             "       if (!f) return scrollY < 5;"
             "       const r = t.getBoundingClientRect(); return r.top >= -5 && r.top < innerHeight; }")
    try:
        page.wait_for_function(check, arg=fragment, timeout=EFFECT_MS)
    except Exception:
        return "Enter does not bring its target into view"
    return None


def _dark_mode_problems(page) -> list[str]:
    """In the dark colour mode, the page's text must still be legible (axe's colour-contrast rule)."""
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    found = page.evaluate("""async () => (await axe.run(document, {runOnly: {type: 'rule', values: ['color-contrast']},
                                                                 resultTypes: ['violations']}))
        .violations.flatMap(v => v.nodes.map(n => n.target.join(' ') + ' :: ' +
                                                  (n.failureSummary || '').split('\\n')[1]))""")
    return [f"in dark mode, text too faint: {f[:220]}" for f in found[:10]]


def _restore(page, loc, before: str) -> None:
    """Undo a button's effect from the keyboard (a dialog: Escape; a toggle: press again, up to 3 times)."""
    back = f"before => ({CHROME_JS})() === before"
    if page.evaluate("() => !!document.querySelector('dialog[open]')"):
        page.keyboard.press("Escape")
        page.wait_for_function("() => !document.querySelector('dialog[open]')", timeout=EFFECT_MS)
        return  # closed (the theme moves a sidebar into its dialog and back: its classes may be reordered)
    for _ in range(3):
        if page.evaluate(CHROME_JS) == before or not loc.is_visible():
            break
        loc.evaluate("e => e.focus()")
        page.keyboard.press("Enter")
        with contextlib.suppress(Exception):  # playwright's TimeoutError: one more press
            page.wait_for_function(back, arg=before, timeout=1_000)
    if page.evaluate("() => !!document.fullscreenElement"):
        page.evaluate("() => document.exitFullscreen()")


def _use_button(page, loc, c, dark_check: bool) -> tuple[str | None, list[str]]:
    """(why the button is dead or not keyboard-usable, or None; problems seen in dark mode)."""
    before = page.evaluate(CHROME_JS)
    page.keyboard.press("Enter")
    try:
        page.wait_for_function(f"before => ({CHROME_JS})() !== before", arg=before, timeout=EFFECT_MS)
    except Exception:
        return "using it from the keyboard changes nothing", []
    page.wait_for_timeout(300)  # dialogs and their focus settle
    focus = loc.evaluate(FOCUS_JS)
    dark = []
    if dark_check and page.evaluate("() => document.documentElement.dataset.theme === 'dark'"):
        dark = _dark_mode_problems(page)
    _restore(page, loc, before)
    if focus == "lost":
        return "after using it the keyboard focus is lost (back to the top of the page)", dark
    if focus == "empty dialog":
        return "it opens a dialog with nothing to use in it", dark
    return None, dark


def _back_to_top(page, doc: str) -> list[str]:
    """The theme's "Back to top" button shows after scrolling down and up: Enter must scroll to the top."""
    button = page.locator("#pst-back-to-top")
    if not button.count():
        return []
    page.evaluate("() => window.scrollTo(0, Math.min(3000, document.documentElement.scrollHeight))")
    page.wait_for_timeout(200)
    page.evaluate("() => window.scrollBy(0, -200)")
    try:  # (pydata-sphinx-theme 0.17's script never shows it: then it is no control at all)
        button.wait_for(state="visible", timeout=1_000)
    except Exception:
        return []  # never shown, so not a control a reader can use
    if not button.evaluate("e => { e.focus(); return document.activeElement === e; }"):
        return [f"{doc}: theme button 'Back to top': cannot be reached with the keyboard"]
    page.keyboard.press("Enter")
    try:
        page.wait_for_function("() => scrollY < 5", timeout=EFFECT_MS)
    except Exception:
        return [f"{doc}: theme button 'Back to top': Enter does not scroll to the top"]
    return []


def theme_problems(page, doc: str, fetched: dict, dark_check: bool = True,
                   used: set | None = None) -> tuple[list[str], int]:
    """(problems with the theme's controls outside the article, how many were used). Each is used from
    the keyboard: a button must change the page's chrome and keep the focus (or move it into the dialog
    it opened, which must hold something to use); a link into the page must bring its target into view;
    a link to another page or file must lead to one the static server serves (a download, a real file).
    ``used``: links (region, target) already used on an earlier page (the sidebar's chapter list is the
    same on every page), skipped here and added to as links are used."""
    page.evaluate(HOLD_LINKS_JS)
    problems: list[str] = []
    controls = page.evaluate(THEME_CONTROLS_JS)
    for c in controls:
        loc = _theme(page, c)
        where = f"{doc}: theme {c['kind']} {c['name']!r} ({c['region']})"
        if not loc.count():
            continue  # a sidebar's content that the theme moved into its dialog and back (new elements)
        if c["kind"] == "link" and used is not None and (c["region"], c["href"]) in used:
            continue
        if not loc.evaluate("e => e.checkVisibility() && !e.closest('dialog:not([open])')"):
            continue  # hidden by an earlier control
        if not _focus(page, loc):
            problems.append(f"{where}: cannot be reached with the keyboard")
            continue
        if c["kind"] == "link":
            why = _use_link(page, loc, c, fetched)
            if used is not None and not why:
                used.add((c["region"], c["href"]))
        elif c["kind"] == "anchor":
            why = _use_anchor(page, loc, c)
        else:
            why, dark = _use_button(page, loc, c, dark_check)
            problems += [f"{where}: {d}" for d in dark]
        if why:
            problems.append(f"{where}: {why}")
    problems += _back_to_top(page, doc)
    return problems, len(controls)


def follow_next_page(page, doc: str) -> list[str]:
    """One real navigation: Enter on the "next page" link loads the next page of the book."""
    nxt = page.locator(".prev-next-footer a.right-next")
    if not nxt.count():
        return []
    href = nxt.evaluate("e => e.href")
    nxt.focus()
    page.keyboard.press("Enter")
    try:
        page.wait_for_url(href, timeout=TIMEOUT_MS)
        page.wait_for_selector("article.bd-article h1", timeout=TIMEOUT_MS)
    except Exception:
        return [f"{doc}: the next-page link did not load {href}"]
    return []


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
            theme, used_theme = theme_problems(page, doc, FETCHED, used=USED_LINKS)
            problems += theme + follow_next_page(page, doc)
            report.update(controls=used, theme_controls=used_theme, problems=problems)
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


@pytest.mark.parametrize("doc", PHONE_PAGES)
def test_theme_controls_work_on_a_phone(doc, chromium, book_server, artifacts):
    """At 390 px the header shows the sidebar toggles: each opens its sidebar, and every other theme
    control works as at 1280 px."""
    context, page, traffic = open_offline(chromium)
    try:
        page.set_viewport_size({"width": 390, "height": 844})
        with screenshot_on_failure(page, artifacts / f"theme-phone-{slug(doc)}.png"):
            page.goto(f"{book_server}{doc}.html", wait_until="load", timeout=TIMEOUT_MS)
            wait_until_settled(page)
            problems, used = theme_problems(page, doc, FETCHED, dark_check=False)
            toggles = [c for c in page.evaluate(THEME_CONTROLS_JS) if "sidebar" in c["name"].lower()]
            assert toggles, f"{doc}: at 390 px no sidebar toggle is shown (found {used} theme controls)"
            assert not problems, f"{doc} at 390 px: theme controls that do nothing:\n" + "\n".join(problems)
            assert not traffic.blocked, f"{doc}: requests to outside hosts (blocked): {traffic.blocked}"
            assert not traffic.errors, f"{doc}: uncaught JavaScript errors: {traffic.errors}"
    finally:
        context.close()


def test_search_finds_the_books_pages(chromium, book_server, artifacts):
    """The theme's search, from the keyboard on the static server: the results name pages of the book."""
    context, page, traffic = open_offline(chromium)
    try:
        with screenshot_on_failure(page, artifacts / "theme-search.png"):
            page.goto(f"{book_server}{PAGES[0]}.html", wait_until="load", timeout=TIMEOUT_MS)
            button = page.locator(".bd-sidebar-primary .search-button__button")
            assert _focus(page, button), "the sidebar's search button cannot be reached with the keyboard"
            page.keyboard.press("Enter")
            page.wait_for_function("() => document.activeElement && document.activeElement.name === 'q'",
                                   timeout=EFFECT_MS)
            page.keyboard.type("back substitution")
            page.keyboard.press("Enter")
            page.wait_for_url("**/search.html?q=*", timeout=TIMEOUT_MS)
            page.wait_for_function("() => /Search finished/.test(document.body.innerText)", timeout=TIMEOUT_MS)
            found = page.evaluate("""() => Array.from(document.querySelectorAll('#search-results li a'))
                                       .map(a => a.href)""")
            assert len(found) >= 3, f"the search for 'back substitution' found {found}"
            for href in found[:3]:
                got = page.evaluate(FETCH_JS, href)
                assert got["status"] == 200 and "text/html" in got["type"], f"search result {href}: {got}"
            assert not traffic.blocked, f"requests to outside hosts (blocked): {traffic.blocked}"
    finally:
        context.close()


THEME_DEAD_PAGE = """<!doctype html><html data-mode="light"><body>
<div class="bd-header-article">
  <button id="dead" title="Download this page">dl</button>
  <button id="blurs" title="Colour mode"
          onclick="document.documentElement.dataset.mode = 'dark'; this.blur()">mode</button>
  <button id="works" title="Fullscreen"
          onclick="const d = document.documentElement; d.dataset.mode = d.dataset.mode === 'x' ? 'light' : 'x'">
    toggle</button>
  <a href="https://mybinder.org/v2/gh/owner/repo/main">Launch Binder</a>
  <a href="/missing.ipynb" download>.ipynb</a>
  <a href="/fake.pdf">.pdf</a>
  <a href="/real.ipynb" download>real .ipynb</a>
  <a href="#nowhere">to nowhere</a>
  <a href="#sec">to the section</a>
</div>
<main><article class="bd-article"><div style="height: 3000px">text</div>
<section id="sec"><h2>A section</h2></section><div style="height: 3000px">more</div></article></main>
</body></html>"""


def test_the_theme_check_finds_dead_controls(chromium):
    """The theme check can fail: a button that changes nothing, one that throws the keyboard focus away,
    a link to Binder (outside), downloads that the server does not have or that are an HTML page, and a
    link to a missing anchor are found; a working toggle, a real download and a real anchor are not."""
    files = {"/page.html": ("text/html", THEME_DEAD_PAGE), "/real.ipynb": ("application/json", '{"cells": []}'),
             "/fake.pdf": ("text/html", "<html>not the file</html>")}
    outside = []

    def route(route):
        url = route.request.url
        path = url.split("lad.test", 1)[1] if "://lad.test/" in url else None
        if path is None:
            outside.append(url)
            route.abort("blockedbyclient")
        elif path in files:
            route.fulfill(status=200, content_type=files[path][0], body=files[path][1])
        else:
            route.fulfill(status=404, content_type="text/html", body="not found")

    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.route("**/*", route)
    page = context.new_page()
    try:
        page.goto("http://lad.test/page.html")
        problems, used = theme_problems(page, "dead", {}, dark_check=False)
        text = "\n".join(problems)
        assert used == 9, f"the check should find the 9 controls of the header, found {used}: {problems}"
        assert "'dl'" in text or "'Download this page'" in text, problems
        assert "focus is lost" in text and "'Colour mode'" in text, problems
        assert "mybinder.org" in text and "outside the book" in text, problems
        assert "/missing.ipynb" in text and "HTTP 404" in text, problems
        assert "/fake.pdf delivers an HTML page" in text, problems
        assert "#nowhere" in text, problems
        for fine in ("'Fullscreen'", "real .ipynb", "to the section"):
            assert fine not in text, problems
        assert len(problems) == 6, problems
        assert not outside, f"the check itself asked an outside host: {outside}"
    finally:
        context.close()
