"""A chapter in real JupyterLab, driven by headless Chromium: run it all, press a widget's button.

JupyterLab runs on 127.0.0.1 with a token, on a *copy* of book/ (so autosave never writes outputs
into the repository), with its own settings (no news pop-up, every cell kept in the DOM).
The test waits for the kernel to be idle, runs all cells, checks that no cell shows an error,
steps the stepper (the browser-side links work in Lab too), clicks the explorer's button and
waits for its output to change.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import time
import urllib.request

import pytest
from conftest import REPO, free_port, screenshot_on_failure, which_or_skip

pytestmark = [pytest.mark.slow, pytest.mark.browser]

# ---- what to test (point these at the chapter that shows the stepper and an explorer) ----------
# (book/demo_stepper.ipynb works too: ".lad-demo-button", ".lad-demo-output", r"evaluation [2-9]")
NOTEBOOK = "book/ch06_backprop.ipynb"  # relative to the repository
BUTTON = ".lad-redraw"  # a kernel-backed button (CSS selector): explorers.redraw_explorer
OUTPUT = ".lad-redraw-lambda"  # the widget whose text the button changes
OUTPUT_PATTERN = r"Draw [1-9]"  # what that text must match after the click (draw 0 = the chapter's weights)
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


@pytest.fixture
def lab(tmp_path):
    """JupyterLab serving a copy of book/; yields (base url, token, log path). Stops it afterwards."""
    jupyter = which_or_skip("jupyter")
    root = tmp_path / "root"
    shutil.copytree(REPO / "book", root / "book",
                    ignore=shutil.ignore_patterns("_vendor", "_build", ".ipynb_checkpoints"))
    settings = tmp_path / "settings"
    _write_settings(settings)
    token = secrets.token_hex(16)
    port = free_port()
    log_path = tmp_path / "lab.log"
    env = {**os.environ,
           "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),  # ignore the user's server/lab config
           "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    cmd = [jupyter, "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}", "--ServerApp.port_retries=0",
           f"--IdentityProvider.token={token}", "--allow-root", f"--ServerApp.root_dir={root}",
           f"--LabApp.user_settings_dir={settings}", f"--LabApp.workspaces_dir={tmp_path / 'workspaces'}"]
    with open(log_path, "w") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=root,
                                start_new_session=True)  # its own process group: we stop kernels too
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if proc.poll() is not None:
                pytest.fail(f"jupyter lab exited with {proc.returncode}:\n{log_path.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"jupyter lab did not answer within {START_TIMEOUT_S} s:\n"
                            f"{log_path.read_text()[-3000:]}")
            time.sleep(0.5)
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
            page.goto(f"{base}/lab/tree/{NOTEBOOK}?token={token}", wait_until="domcontentloaded")
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
