"""The notebooks in real JupyterLab, driven by headless Chromium, as a student meets them.

1. A chapter: run it all, step its stepper, press a widget's button.
2. Every explorer, typed into as a student would: a good program, each bad input (and each hint the
   explorer gives, typed back in), a switch of kind, differentiating L; the demo's slider.
3. A chapter's Markdown: MyST cross-references and citations rendered, never shown as source.

JupyterLab runs on 127.0.0.1 with a token, on a *copy* of book/ (so autosave never writes outputs
into the repository), with its own settings (no news pop-up, every cell kept in the DOM).
The test waits for the kernel to be idle, runs all cells, checks that no cell shows an error,
steps the stepper (the browser-side links work in Lab too), clicks the explorer's button and
waits for its output to change.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import secrets
import shutil
import signal
import subprocess
import time
import urllib.request

import nbformat
import pytest
from conftest import REPO, free_port, screenshot_on_failure, wait_until_serving, which_or_skip

pytestmark = [pytest.mark.slow, pytest.mark.browser]

# ---- what to test (point these at the chapter that shows the stepper and an explorer) ----------
# (chapter 6's weight explorer became a kernel-free stepper: the demo page has a stepper and the package's
# gradient explorer for z_3 = sin(z_1²) at z_1 = 0.5, whose "gradient step" moves z_1 to about 0.403)
NOTEBOOK = "book/demo_stepper.ipynb"  # relative to the repository
BUTTON = ".lad-gradient-explorer .lad-explorer-step"  # a kernel-backed button (CSS selector)
OUTPUT = ".lad-gradient-explorer .lad-explorer-output"  # the widget whose text the button changes
OUTPUT_PATTERN = r"zn = 0\.1[56]"  # after the click: z_n = sin(0.403²) = 0.16 (it was sin(0.25) = 0.247)
STEPPER = ".lad-stepper"  # a frame_stepper to step, or None
# -------------------------------------------------------------------------------------------------

TIMEOUT_MS = 90_000
START_TIMEOUT_S = 90

NOTIFICATION_SETTINGS = {"fetchNews": "false", "checkForUpdates": False}
# Lab 4 may leave off-screen cells out of the DOM; keep them all so we can read every prompt.
NOTEBOOK_SETTINGS = {"windowingMode": "none"}

ALL_CELLS_RAN_JS = r"""
() => {
  const panel = '.jp-NotebookPanel:not(.lm-mod-hidden)';
  const prompts = Array.from(document.querySelectorAll(panel + ' .jp-CodeCell .jp-InputArea-prompt'))
    .map(p => p.textContent.trim());
  return prompts.length > 0 && prompts.every(t => /^\[\d+\]:$/.test(t));
}
"""

ERROR_OUTPUTS_JS = r"""
() => Array.from(document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output'))
  .filter(o => o.getAttribute('data-mime-type') === 'application/vnd.jupyter.stderr'
               && /Traceback|Error|Exception/.test(o.textContent))
  .map(o => o.textContent.slice(0, 500))
"""


def _write_settings(settings_dir):
    for rel, content in {
        "@jupyterlab/apputils-extension/notification.jupyterlab-settings": NOTIFICATION_SETTINGS,
        "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": NOTEBOOK_SETTINGS,
    }.items():
        path = settings_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(content))


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab serving a copy of book/ (plus the explorers' notebook); yields (base url, token, log path)."""
    jupyter = which_or_skip("jupyter")
    tmp_path = tmp_path_factory.mktemp("lab")
    root = tmp_path / "root"
    shutil.copytree(
        REPO / "book", root / "book", ignore=shutil.ignore_patterns("_vendor", "_build", ".ipynb_checkpoints")
    )
    nbformat.write(EXPLORERS_NOTEBOOK, root / "book" / "explorers_in_lab.ipynb")
    settings = tmp_path / "settings"
    _write_settings(settings)
    token = secrets.token_hex(16)
    port = free_port()
    log_path = tmp_path / "lab.log"
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),  # ignore the user's server/lab config
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
    }
    cmd = [
        jupyter,
        "lab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        "--allow-root",
        f"--ServerApp.root_dir={root}",
        f"--LabApp.user_settings_dir={settings}",
        f"--LabApp.workspaces_dir={tmp_path / 'workspaces'}",
    ]
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            cmd, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=root, start_new_session=True
        )  # its own process group: we stop kernels too
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(proc, f"{base}/api/status?token={token}", START_TIMEOUT_S, log_path, "jupyter lab")
        yield base, token, log_path
    finally:
        # SIGTERM lets the server shut its kernels down; the group kill catches stragglers.
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def test_notebook_runs_and_widgets_respond_in_lab(lab, chromium, artifacts):
    from playwright.sync_api import expect

    base, token, log_path = lab
    assert (REPO / NOTEBOOK).is_file(), f"the notebook under test, {NOTEBOOK}, does not exist"
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page_errors: list[str] = []
    page.on("pageerror", lambda exc: page_errors.append(str(exc)))
    start = time.monotonic()
    try:
        with screenshot_on_failure(page, artifacts / "lab-failure.png"):
            page.goto(_lab_url(base, token, NOTEBOOK), wait_until="domcontentloaded")
            # The status bar names the kernel once one runs; the toolbar's indicator says idle even before.
            statusbar = page.locator("#jp-main-statusbar")
            expect(statusbar.get_by_text(re.compile(r".+ \| Idle"))).to_be_visible(timeout=TIMEOUT_MS)
            ready = time.monotonic()

            page.locator(".lm-MenuBar-item", has_text=re.compile(r"^Run$")).click()
            page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
            page.wait_for_function(ALL_CELLS_RAN_JS, timeout=TIMEOUT_MS)
            expect(statusbar.get_by_text(re.compile(r".+ \| Idle"))).to_be_visible(timeout=TIMEOUT_MS)
            ran = time.monotonic()

            errors = page.evaluate(ERROR_OUTPUTS_JS)
            assert not errors, f"{NOTEBOOK}: cells show errors after Run All:\n" + "\n---\n".join(errors)

            if STEPPER:
                stepper = page.locator(STEPPER).first
                stepper.scroll_into_view_if_needed()
                expect(stepper.locator(".lad-stepper-frame-0")).to_be_visible()
                stepper.locator(".lad-stepper-slider .noUi-handle").focus()
                page.keyboard.press("ArrowRight")
                expect(stepper.locator(".lad-stepper-frame-1")).to_be_visible()

            output = page.locator(OUTPUT).first
            button = page.locator(BUTTON).first
            button.scroll_into_view_if_needed()
            before = output.inner_text()
            button.click()
            expect(output).not_to_have_text(before, timeout=TIMEOUT_MS)
            expect(output).to_have_text(re.compile(OUTPUT_PATTERN), timeout=TIMEOUT_MS)

            assert not page_errors, f"uncaught JavaScript errors in JupyterLab: {page_errors}"
    except BaseException:
        print(f"--- jupyter lab log ---\n{log_path.read_text()[-3000:]}")
        raise
    finally:
        context.close()
    end = time.monotonic()
    print(f"lab: kernel idle after {ready - start:.1f} s, run all {ran - ready:.1f} s, total {end - start:.1f} s")


# ---- the explorers, as a student uses them ------------------------------------------------------

EXPLORERS_NOTEBOOK = nbformat.v4.new_notebook(
    cells=[
        nbformat.v4.new_code_cell("import lagrange_ad as lad\nfrom lagrange_ad import explorers"),
        nbformat.v4.new_code_cell(
            'explorers.sequence_explorer("h = tanh(w * x)\\nreturn x * h", "x w", kind="python")'
        ),
        nbformat.v4.new_code_cell("explorers.lagrangian_explorer()"),
        nbformat.v4.new_code_cell(
            'explorers.gradient_explorer(lad.trace(lambda x, w: lad.tanh(w * x), "x w"), {"x": 0.5, "w": -2.0})'
        ),
    ],
    metadata={"kernelspec": {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}},
)
RAW_MYST = re.compile(r"\{(?:doc|ref|numref|eq|cite:p|cite:t|cite)\}`[^`]*`")


def _lab_url(base, token, notebook):
    """The notebook in a workspace of its own.

    JupyterLab restores a workspace's open tabs on every load: in the shared default workspace the
    notebook an earlier test opened came back beside this one and could take the focus, hiding this
    notebook's widgets (a CI failure: "element is not visible").
    """
    return f"{base}/lab/workspaces/t{secrets.token_hex(4)}/tree/{notebook}?token={token}"


def _open_and_run_all(page, base, token, notebook):
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)  # a loaded 2-core machine: kernels answer in seconds, not ms

    page.goto(_lab_url(base, token, notebook), wait_until="domcontentloaded")
    statusbar = page.locator("#jp-main-statusbar")
    # With other notebooks open in this server, the status bar may say Idle for *their* kernel: wait until
    # the server has a session for this notebook whose kernel is idle, then for the status bar.
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while not _kernel_idle(base, token, notebook):
        assert time.monotonic() < deadline, f"no idle kernel for {notebook}"
        time.sleep(0.5)
    expect(statusbar.get_by_text(re.compile(r".+ \| Idle"))).to_be_visible(timeout=TIMEOUT_MS)
    page.locator(".lm-MenuBar-item", has_text=re.compile(r"^Run$")).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    page.wait_for_function(ALL_CELLS_RAN_JS, timeout=TIMEOUT_MS)
    expect(statusbar.get_by_text(re.compile(r".+ \| Idle"))).to_be_visible(timeout=TIMEOUT_MS)
    errors = page.evaluate(ERROR_OUTPUTS_JS)
    assert not errors, f"{notebook}: cells show errors after Run All:\n" + "\n---\n".join(errors)


def _kernel_idle(base, token, notebook) -> bool:
    with urllib.request.urlopen(f"{base}/api/sessions?token={token}", timeout=5) as resp:
        sessions = json.load(resp)
    return any(s.get("path") == notebook and (s.get("kernel") or {}).get("execution_state") == "idle" for s in sessions)


def _type_and_run(explorer, text, inputs=None):
    explorer.locator(".lad-explorer-text textarea").fill(text)
    if inputs is not None:
        explorer.locator(".lad-explorer-inputs input").fill(inputs)
    output = explorer.locator(".lad-explorer-output")
    before = output.inner_text()
    explorer.locator(".lad-explorer-run").click()
    # every run replaces the output (a heading or an error): wait for it to change
    explorer.page.wait_for_function(
        "([el, before]) => el.innerText !== before", arg=[output.element_handle(), before], timeout=TIMEOUT_MS
    )
    return output


@contextlib.contextmanager
def _lab_page(chromium, artifacts, name, log_path):
    """A fresh page on the lab server: page errors collected, a screenshot and the server log on failure."""
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    try:
        with screenshot_on_failure(page, artifacts / f"lab-{name}-failure.png"):
            yield page
            assert not page.errors, f"uncaught JavaScript errors in JupyterLab: {page.errors}"
    except BaseException:
        print(f"--- jupyter lab log ---\n{log_path.read_text()[-3000:]}")
        raise
    finally:
        context.close()


def test_explorers_give_advice_that_works_in_lab(lab, chromium, artifacts):
    from playwright.sync_api import expect

    base, token, log_path = lab
    with _lab_page(chromium, artifacts, "explorers", log_path) as page:
        _open_and_run_all(page, base, token, "book/explorers_in_lab.ipynb")
        notebook = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
        # the "does nothing on the static page" note is false here, and is not shown
        expect(notebook.locator(".lad-explorer").first).to_be_visible()
        assert notebook.locator(".lad-kernel-note:visible").count() == 0

        seq = notebook.locator(".lad-sequence-explorer")
        out = _type_and_run(seq, "h = tanh(w * x)\nreturn h * h")
        expect(out).to_contain_text("5 steps, 2 inputs")
        error = seq.locator(".lad-explorer-error")

        # an `if` on a traced value: the message's advice, typed back in, works
        _type_and_run(seq, "if x > 0:\n    return x\nreturn 0.1 * x", inputs="x")
        hint = re.search(r"lad\.where\(x > 0, x, 0\.1 \* x\)", error.inner_text())
        assert hint, error.inner_text()
        expect(_type_and_run(seq, f"return {hint.group(0)}")).to_contain_text("steps, 1 inputs")
        # a vector result: reduce it, as advised
        _type_and_run(seq, "return W * 2", inputs="W:2x2")
        assert "lad.sum" in error.inner_text()
        expect(_type_and_run(seq, "return lad.sum(W * 2)")).to_contain_text("3 steps, 1 inputs")
        # line numbers count the student's own text
        _type_and_run(seq, "return x *", inputs="x")
        expect(error).to_contain_text("line 1:")
        # a name missing from the inputs, and the fix it suggests
        _type_and_run(seq, "return x * q")
        expect(error).to_contain_text("add q to the inputs box")
        expect(_type_and_run(seq, "return x * q", inputs="x q")).to_contain_text("3 steps, 2 inputs")
        # a loop that never ends: advice for the explorer, not for code it cannot run
        _type_and_run(seq, "while True:\n    x = x + 1\nreturn x", inputs="x")
        expect(error).to_contain_text("make it shorter here")
        # switching the kind switches the text too
        seq.get_by_role("button", name="equations", exact=True).click()
        expect(seq.locator(".lad-explorer-text textarea")).to_have_value(re.compile(r"^z3 = w \* x"))
        expect(
            _type_and_run(seq, "z3 = w * x\nz4 = z3 if z3 > 0 else 0.1 * z3", "x w").locator(".lad-explorer-error")
        ).to_contain_text("where(")
        expect(_type_and_run(seq, "z3 = w * x\nz4 = lad.where(z3 > 0, z3, 0.1 * z3)")).to_contain_text(
            "4 steps, 2 inputs"
        )
        # errors look like errors without the book's CSS (inline style)
        _type_and_run(seq, "z3 = x *")
        assert seq.locator(".lad-explorer-error").evaluate("e => getComputedStyle(e).backgroundColor") == (
            "rgb(253, 236, 234)"
        )

        lag = notebook.locator(".lad-lagrangian-explorer")
        diff = lag.locator(".lad-explorer-diff")
        expect(diff).to_be_enabled()
        # a typo: the old results go, and differentiate cannot show them again
        _type_and_run(lag, "z3 = w * x\nz4 = tanh(z3")
        expect(lag.locator(".lad-explorer-error")).to_contain_text("cannot read")
        expect(diff).to_be_disabled()
        assert "Lagrangian" not in lag.locator(".lad-explorer-output").inner_text()
        # fixed: pick z₃ (as the book writes it) and differentiate; the result is where the student looks
        _type_and_run(lag, "z3 = w * x\nz4 = tanh(z3)")
        lag.locator(".lad-explorer-variable select").select_option(label="z₃")
        diff.click()
        heading = lag.get_by_text("Differentiating L by z₃")
        expect(heading).to_be_visible()
        expect(heading).to_be_in_viewport()
        assert "\\lambda" not in heading.inner_text() and "\\" not in heading.inner_text()
        # matrix inputs: nothing to pick, so nothing to press
        _type_and_run(lag, "z2 = W @ W\nz3 = sum(z2)", inputs="W:2x2")
        expect(diff).to_be_disabled()

        grad = notebook.locator(".lad-gradient-explorer")
        value = grad.locator('.lad-lambda-value[data-index="1"]')
        before = value.inner_text()
        grad.locator(".lad-explorer-step").click()
        expect(value).not_to_have_text(before)


def test_demo_slider_updates_the_table_at_once(lab, chromium, artifacts):
    from playwright.sync_api import expect

    base, token, log_path = lab
    with _lab_page(chromium, artifacts, "demo", log_path) as page:
        _open_and_run_all(page, base, token, "book/demo_stepper.ipynb")
        output = page.locator(OUTPUT).first
        before = output.inner_text()
        handle = page.locator(".lad-gradient-explorer .widget-slider .noUi-handle").first
        handle.scroll_into_view_if_needed()
        handle.focus()
        page.keyboard.press("ArrowRight")  # no button pressed: z_1 = 0.5 + 0.01
        expect(output).not_to_have_text(before)
        # the table is the new z_1's, never an old table beside a new z_1
        expect(output.locator("tbody tr").first).to_contain_text("0.5100")
        expect(output.locator('.lad-lambda-value[data-index="1"]')).to_have_text(f"{2 * 0.51 * math.cos(0.51**2):.4f}")


def test_myst_is_rendered_in_lab(lab, chromium, artifacts):
    """A chapter's Markdown cells show MyST roles rendered (jupyterlab-myst), never as source text."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import expect

    base, token, log_path = lab
    with _lab_page(chromium, artifacts, "myst", log_path) as page:
        source = (REPO / "book" / "ch04_lagrange.ipynb").read_text()
        assert RAW_MYST.search(source), "the test needs a chapter that uses MyST roles"
        page.goto(_lab_url(base, token, "book/ch04_lagrange.ipynb"), wait_until="domcontentloaded")
        panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")  # this notebook's tab, not the others
        rendered = panel.locator(".jp-MarkdownCell .jp-RenderedMarkdown, .jp-MarkdownCell .myst")
        expect(rendered.first).to_be_visible(timeout=TIMEOUT_MS)
        read = "p => Array.from(p.querySelectorAll('.jp-MarkdownCell')).map(c => c.innerText).join('\\n')"
        # the rest of the cells render after the first, later on a loaded machine: wait for them
        # (a fixed 2 s wait failed in CI-like runs at load 5), then read what is shown
        try:
            page.wait_for_function(
                f"() => ({read})(document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)')).length > 2000",
                timeout=TIMEOUT_MS,
            )
        except PlaywrightTimeout:
            pass  # the assertion below says what was shown
        text = panel.evaluate(read)
        assert len(text) > 2000, f"the chapter's Markdown did not render: {text[:300]!r}"
        raw = RAW_MYST.findall(text)
        assert not raw, f"MyST shown as source in JupyterLab: {raw[:5]}"
        # a cross-reference became a link
        assert panel.locator(".jp-MarkdownCell a", has_text="Chapter 3").count() >= 1, "no link for {doc}"
