"""The page's Python (scripts/fetch_assets.py) is pinned: the same sympy and mpmath as CPython's lock.

The "try it" component (book/_assets/try_it.js) runs lagrange_ad in the page with Pyodide; its sympy and
mpmath wheels are pinned by version and sha256 in fetch_assets.WHEELS. These must be the wheels the lock
installs for CPython, so that the page derives what the book derives. The browser tests
(tests/test_browser_try_it.py) run the result.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys

import pytest
from conftest import REPO

spec = importlib.util.spec_from_file_location("fetch_assets", REPO / "scripts" / "fetch_assets.py")
fetch_assets = importlib.util.module_from_spec(spec)
sys.modules["fetch_assets"] = fetch_assets  # dataclasses look their module up while the class is made
spec.loader.exec_module(fetch_assets)


def test_the_pages_wheels_are_the_locked_ones():
    lock = (REPO / "requirements.lock").read_text()
    for wheel in fetch_assets.WHEELS:
        entry = re.search(rf"^{wheel.name}=={re.escape(wheel.version)} \\\n((?:\s+--hash=\S+\s*\\?\n?)+)", lock, re.M)
        assert entry, f"{wheel.name}=={wheel.version} (fetch_assets.WHEELS) is not what requirements.lock pins"
        assert f"sha256:{wheel.sha256}" in entry.group(1), f"{wheel.filename}: not one of the lock's hashes"


def test_the_page_loads_five_pyodide_files():
    assert sorted(fetch_assets.PYODIDE_LOADED) == sorted(
        ["pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json"]
    )
    # the worker imports the core from the folder fetch_assets fills
    worker = (REPO / "book" / "_assets" / "try_it_worker.mjs").read_text()
    assert f'from "./{fetch_assets.PYODIDE.folder}/pyodide.mjs"' in worker
    assert f"{fetch_assets.PYTHON_FOLDER}/{fetch_assets.MANIFEST}" in worker


def test_the_fetched_python_fits_the_budget():
    """When the assets were fetched here: what a page downloads for Python stays within 25 MB."""
    manifest = fetch_assets.VENDOR / fetch_assets.PYTHON_FOLDER / fetch_assets.MANIFEST
    if not manifest.is_file():
        pytest.skip("book/_vendor/python has not been fetched (python scripts/fetch_assets.py)")
    files = [w["file"] for w in json.loads(manifest.read_text())["wheels"]]
    assert [f.split("-")[0] for f in files] == ["mpmath", "sympy", "lagrange_ad"]
    assert fetch_assets.python_bytes() <= fetch_assets.MAX_PYTHON_BYTES
