"""Shared fixtures: the book built once per test session, a local web server for it, and Chromium.

The book is built as the README says (fetch the offline assets, then
``jupyter-book build . -W -n --keep-going``) but into ``_build/test/_build/``, away from manual
builds in ``_build/html`` (a build running there while the browser tests read the pages made
them flaky). Its execution cache persists between sessions. With LAD_REUSE_BUILD=1 a session tests
the last build as it is (quick looks while editing a page; never in CI). A file lock lets one session build
at a time and keeps the pages unchanged while a session reads them.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, settings

# Every property test: the same draws on every run and machine (derandomized), no deadline (a trace or a
# sympy derivation may take a second), no complaint about slow or filtered draws. Tests set max_examples.
settings.register_profile(
    "lagrange_ad",
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
settings.load_profile("lagrange_ad")

REPO = Path(__file__).resolve().parent.parent
TEST_OUTPUT = REPO / "_build" / "test"
HTML_DIR = TEST_OUTPUT / "_build" / "html"
ARTIFACTS = REPO / "tests" / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BUILD_COMMAND = ["jupyter-book", "build", ".", "-W", "-n", "--keep-going"]
# --all: a fresh Sphinx environment (executed notebooks still come from the cache). Without it Sphinx
# skips copying book/_assets when no page changed, and the browser tests would run stale JS/CSS.
TEST_BUILD_COMMAND = BUILD_COMMAND + ["--all", "--path-output", str(TEST_OUTPUT)]


# ---------------------------------------------------------------------------------------------
# The table of contents


def toc_files(toc_path: Path = REPO / "_toc.yml") -> list[str]:
    """Every page the toc lists (root first), as paths without extension relative to the repo."""
    toc = yaml.safe_load(toc_path.read_text())
    found = [toc["root"]]

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                found.append(node["file"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk({k: v for k, v in toc.items() if k != "root"})
    # strip a file extension if someone wrote one; keep order, drop repeats
    return list(
        dict.fromkeys(str(Path(f).with_suffix("")) if Path(f).suffix in {".md", ".ipynb"} else f for f in found)
    )


# ---------------------------------------------------------------------------------------------
# The book build (once per session)


@dataclass
class BookBuild:
    returncode: int
    log: str
    seconds: float
    html_dir: Path
    reused: bool = False  # LAD_REUSE_BUILD: the last build, not built by this session


def _build() -> BookBuild:
    start = time.monotonic()
    if os.environ.get("LAD_REUSE_BUILD") and (HTML_DIR / "index.html").is_file():
        # for a quick look at the pages while working on them: test the last build as it is
        return BookBuild(0, "LAD_REUSE_BUILD: the previous build, not rebuilt", 0.0, HTML_DIR, reused=True)
    # Sphinx never deletes output it no longer writes (a page dropped from the toc, _sources/ after
    # html_copy_source was turned off); start from an empty html folder. The execution cache stays.
    shutil.rmtree(HTML_DIR, ignore_errors=True)
    fetch = subprocess.run([sys.executable, "scripts/fetch_assets.py"], cwd=REPO, capture_output=True, text=True)
    if fetch.returncode != 0:
        return BookBuild(
            fetch.returncode, "fetch_assets failed:\n" + fetch.stdout + fetch.stderr, time.monotonic() - start, HTML_DIR
        )
    build = subprocess.run(TEST_BUILD_COMMAND, cwd=REPO, capture_output=True, text=True)
    return BookBuild(build.returncode, build.stdout + build.stderr, time.monotonic() - start, HTML_DIR)


@pytest.fixture(scope="session")
def book_build():
    """Fetch the offline assets and build the book once; the result (log included) for all tests."""
    TEST_OUTPUT.mkdir(parents=True, exist_ok=True)
    with open(TEST_OUTPUT / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one builder at a time, and none while a session reads
        try:
            result = _build()
        finally:
            fcntl.flock(lock, fcntl.LOCK_SH)  # other sessions may read, but not rebuild, until we end
        yield result


@pytest.fixture(scope="session")
def book_html(book_build) -> Path:
    """The html folder of a successful build (fails, naming the build, if the build failed)."""
    if book_build.returncode != 0:
        tail = "\n".join(book_build.log.splitlines()[-40:])
        pytest.fail(
            f"the book build failed (exit {book_build.returncode}); test_book_build shows why. Last lines:\n{tail}"
        )
    return book_build.html_dir


# ---------------------------------------------------------------------------------------------
# Serving the built book on 127.0.0.1


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


@pytest.fixture(scope="session")
def book_server(book_html) -> str:
    """Base URL (``http://127.0.0.1:<port>/``) of a static server for the built html."""
    handler = functools.partial(_QuietHandler, directory=str(book_html))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


# ---------------------------------------------------------------------------------------------
# Headless Chromium (Debian's, never Playwright's own download)


@pytest.fixture(scope="session")
def chromium():
    """A Playwright Browser running /usr/bin/chromium; skips when that browser is not installed."""
    if not CHROMIUM.exists():
        pytest.skip(
            f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium); it is not installed here"
        )
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright Python package is missing")
    playwright = sync_api.sync_playwright().start()
    try:
        # launch() gives every run a fresh temporary profile
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    except Exception:
        playwright.stop()
        raise
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def artifacts() -> Path:
    """Folder for failure screenshots (gitignored)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@contextlib.contextmanager
def screenshot_on_failure(page, path: Path):
    """Save a full-page screenshot to ``path`` when the block raises, then re-raise."""
    try:
        yield
    except BaseException:
        with contextlib.suppress(Exception):
            page.screenshot(path=str(path), full_page=True)
        raise


def wait_until_serving(proc, url: str, timeout: float, log: Path, name: str) -> None:
    """Poll ``url`` until it answers 200; fail with the end of ``log`` if ``proc`` exits or time runs out."""
    import urllib.request

    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            pytest.fail(f"{name} exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2) as resp:
            if resp.status == 200:
                return
        if time.monotonic() > deadline:
            pytest.fail(f"{name} did not answer within {timeout:g} s:\n{log.read_text()[-3000:]}")
        time.sleep(0.5)


def free_port() -> int:
    """A TCP port that was free a moment ago on 127.0.0.1."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def which_or_skip(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"`{name}` is not on PATH")
    return path
