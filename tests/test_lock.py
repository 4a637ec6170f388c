"""The lock is what gets installed, and it still matches the ranges it was made from.

A fresh machine installs requirements.lock (README, .ci/run). These tests fail when a range in
requirements.txt or pyproject.toml was changed without regenerating the lock
(``python scripts/update_lock.py``), when a pin lost its hashes, or when the README's commands and
.ci/run stop installing from the lock.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.markers import Marker, default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parent.parent
# one entry of the lock: "name==version [ ; marker] \" then its "--hash=sha256:..." lines
PIN = re.compile(r"^([A-Za-z0-9_.\-\[\]]+)==(\S+?)(?: ; (.+?))?\s*\\\n((?:\s+--hash=\S+\s*\\?\n?)+)", re.M)
INSTALL = "pip install -r requirements.lock && pip install --no-deps --no-build-isolation -e ."
READER_INSTALL = (
    "pip install -r requirements-reader.lock && pip install --no-deps . && "
    "python scripts/editions.py notebooks && jupyter lab notebooks/"
)


def ranges() -> list[Requirement]:
    """Every top-level requirement: requirements.txt's lines and pyproject's dependencies."""
    lines = (REPO / "requirements.txt").read_text().splitlines()
    wanted = [Requirement(line.split("#")[0].strip()) for line in lines if line.split("#")[0].strip()]
    return wanted + [Requirement(text) for text in _project()["dependencies"]]


def reader_ranges() -> list[Requirement]:
    """What a reader installs: the package's dependencies and its ``reader`` extra."""
    project = _project()
    return [Requirement(text) for text in project["dependencies"] + project["optional-dependencies"]["reader"]]


def _project() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text())["project"]


def locked(lock: str = "requirements.lock") -> dict[str, tuple[str, str, list[str]]]:
    """name -> (version, marker text, hashes) for every pin in a lock."""
    text = (REPO / lock).read_text()
    pins = {}
    for match in PIN.finditer(text):
        name, version, marker, hashes = match.groups()
        pins.setdefault(canonicalize_name(name.split("[")[0]), []).append(
            (version, marker or "", re.findall(r"--hash=(\S+)", hashes))
        )
    return pins


@pytest.mark.parametrize("lock, wanted", [("requirements.lock", ranges), ("requirements-reader.lock", reader_ranges)])
def test_every_range_is_pinned_by_a_version_inside_it(lock, wanted):
    pins = locked(lock)
    environment = default_environment()  # this Python's markers: 3.11 in CI, the newest in its second run
    problems = []
    for requirement in wanted():
        name = canonicalize_name(requirement.name)
        if name == "lagrange-ad":
            continue  # the extra names the package itself
        candidates = [(v, m) for v, m, _ in pins.get(name, []) if not m or _applies(m, environment)]
        if not candidates:
            problems.append(f"{requirement}: not in {lock}")
        for version, _ in candidates:
            if not requirement.specifier.contains(version, prereleases=True):
                problems.append(f"{requirement}: {lock} pins {version}")
    assert not problems, "regenerate the locks (python scripts/update_lock.py):\n" + "\n".join(problems)


def test_the_reader_gets_the_versions_the_tests_ran():
    """Every package both locks pin is pinned to the same version: a reader runs what CI tested."""
    full, reader = locked(), locked("requirements-reader.lock")
    differ = {
        name: (sorted(v for v, *_ in full[name]), sorted(v for v, *_ in entries))
        for name, entries in reader.items()
        if name in full and sorted(v for v, *_ in full[name]) != sorted(v for v, *_ in entries)
    }
    assert not differ, f"the reader's lock drifts from the tested one: {differ}"


def _applies(marker: str, environment: dict) -> bool:
    return Marker(marker).evaluate(environment)


@pytest.mark.parametrize("lock", ["requirements.lock", "requirements-reader.lock"])
def test_every_pin_carries_hashes(lock):
    pins = locked(lock)
    assert len(pins) > 100  # the whole toolchain (or JupyterLab and JAX), not a handful of lines
    unhashed = [name for name, entries in pins.items() for _, _, hashes in entries if not hashes]
    assert not unhashed
    assert all(h.startswith("sha256:") for entries in pins.values() for *_, hashes in entries for h in hashes)


def test_readme_and_ci_install_from_the_lock():
    readme = (REPO / "README.md").read_text()
    commands = re.findall(r"```bash\n(.*?)\n\s*```", readme, re.S)
    setup = [c.strip() for c in commands if c.strip().startswith("pip install")]
    assert setup == [
        READER_INSTALL,  # a reader's install: the reader's lock, then the reader's notebooks
        f"{INSTALL} && python scripts/fetch_assets.py && jupyter-book build . -W -n --keep-going",
        f"{INSTALL} && pytest",
    ]
    ci = (REPO / ".ci" / "run").read_text()
    assert INSTALL in ci and "-m venv" in ci
    assert "-r requirements.txt" not in ci  # never installs the unpinned ranges


def test_reader_extra_uses_the_same_ranges_as_the_lock():
    """The ``reader`` extra's ranges are requirements.txt's own (a student installing the package with
    its extra from a wheel, docs/students.md, gets what the tested ranges allow)."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    reader = [Requirement(text) for text in project["optional-dependencies"]["reader"]]
    full = {canonicalize_name(r.name): r.specifier for r in ranges()}
    assert reader, "pyproject.toml has no reader extra"
    for requirement in reader:
        name = canonicalize_name(requirement.name)
        assert name in full, f"{name} is in the reader extra but not in requirements.txt"
        assert requirement.specifier == full[name], f"{name}: reader {requirement.specifier}, lock {full[name]}"
