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

from packaging.markers import Marker, default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parent.parent
# one entry of the lock: "name==version [ ; marker] \" then its "--hash=sha256:..." lines
PIN = re.compile(r"^([A-Za-z0-9_.\-\[\]]+)==(\S+?)(?: ; (.+?))?\s*\\\n((?:\s+--hash=\S+\s*\\?\n?)+)", re.M)
INSTALL = "pip install -r requirements.lock && pip install --no-deps --no-build-isolation -e ."
READER_INSTALL = 'pip install ".[reader]" && jupyter lab book/'


def ranges() -> list[Requirement]:
    """Every top-level requirement: requirements.txt's lines and pyproject's dependencies."""
    lines = (REPO / "requirements.txt").read_text().splitlines()
    wanted = [Requirement(line.split("#")[0].strip()) for line in lines if line.split("#")[0].strip()]
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    return wanted + [Requirement(text) for text in project["dependencies"]]


def locked() -> dict[str, tuple[str, str, list[str]]]:
    """name -> (version, marker text, hashes) for every pin in requirements.lock."""
    text = (REPO / "requirements.lock").read_text()
    pins = {}
    for match in PIN.finditer(text):
        name, version, marker, hashes = match.groups()
        pins.setdefault(canonicalize_name(name.split("[")[0]), []).append(
            (version, marker or "", re.findall(r"--hash=(\S+)", hashes))
        )
    return pins


def test_every_range_is_pinned_by_a_version_inside_it():
    pins = locked()
    environment = default_environment()  # this Python's markers: 3.11 in CI, the newest in its second run
    problems = []
    for requirement in ranges():
        name = canonicalize_name(requirement.name)
        candidates = [(v, m) for v, m, _ in pins.get(name, []) if not m or _applies(m, environment)]
        if not candidates:
            problems.append(f"{requirement}: not in requirements.lock")
        for version, _ in candidates:
            if not requirement.specifier.contains(version, prereleases=True):
                problems.append(f"{requirement}: the lock pins {version}")
    assert not problems, "regenerate the lock (python scripts/update_lock.py):\n" + "\n".join(problems)


def _applies(marker: str, environment: dict) -> bool:
    return Marker(marker).evaluate(environment)


def test_every_pin_carries_hashes():
    pins = locked()
    assert len(pins) > 100  # the whole book + test toolchain, not a handful of lines
    unhashed = [name for name, entries in pins.items() for _, _, hashes in entries if not hashes]
    assert not unhashed
    assert all(h.startswith("sha256:") for entries in pins.values() for *_, hashes in entries for h in hashes)


def test_readme_and_ci_install_from_the_lock():
    readme = (REPO / "README.md").read_text()
    commands = re.findall(r"```bash\n(.*?)\n\s*```", readme, re.S)
    setup = [c.strip() for c in commands if c.strip().startswith("pip install")]
    assert setup == [
        READER_INSTALL,  # a reader's small install, from pyproject's ranges (test_reader_extra_...)
        f"{INSTALL} && python scripts/fetch_assets.py && jupyter-book build . -W -n --keep-going",
        f"{INSTALL} && pytest",
    ]
    ci = (REPO / ".ci" / "run").read_text()
    assert INSTALL in ci and "-m venv" in ci
    assert "-r requirements.txt" not in ci  # never installs the unpinned ranges


def test_reader_extra_uses_the_same_ranges_as_the_lock():
    """The reader's install (README) takes pyproject's ``reader`` extra from PyPI, not the lock: its ranges
    must be requirements.txt's own, so that what a reader gets is what the lock's ranges allow."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    reader = [Requirement(text) for text in project["optional-dependencies"]["reader"]]
    full = {canonicalize_name(r.name): r.specifier for r in ranges()}
    assert reader, "pyproject.toml has no reader extra"
    for requirement in reader:
        name = canonicalize_name(requirement.name)
        assert name in full, f"{name} is in the reader extra but not in requirements.txt"
        assert requirement.specifier == full[name], f"{name}: reader {requirement.specifier}, lock {full[name]}"
