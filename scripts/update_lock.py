"""Regenerate the locks: every package the README's commands install, pinned, with hashes.

- requirements.lock: the book build, the tests and the tools (README, "Set up on a fresh machine"; CI);
- requirements-reader.lock: a reader's or a student's install, the package with its ``reader`` extra
  (README, "Read the book as notebooks"; docs/students.md).

    python scripts/update_lock.py            # resolve the ranges again, keeping current pins where they fit
    python scripts/update_lock.py --upgrade  # move every pin to the newest release the ranges allow

The ranges live in requirements.txt (the book, the tests, the tools) and pyproject.toml (what
``import lagrange_ad`` needs). The lock is *universal*: one file with environment markers, valid for
every Python the package supports (>= 3.11) and every platform, so the same pins are tested on
Python 3.11 and on the newest Python this machine has. It is made by uv (a resolver on PyPI; pinned
below so that the lock's format does not drift); pip installs it (``pip install -r requirements.lock``
checks every hash). Commit the new lock: CI installs exactly what it names.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

UV = "uv==0.13.9"
REPO = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upgrade", action="store_true", help="newest releases the ranges allow")
    args = parser.parse_args()
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", UV], check=True)
    for sources, output in (
        (["requirements.txt", "pyproject.toml"], "requirements.lock"),
        (["pyproject.toml", "--extra", "reader"], "requirements-reader.lock"),
    ):
        command = [
            sys.executable, "-m", "uv", "pip", "compile", *sources,
            "--universal", "--python-version", "3.11", "--generate-hashes",
            "--custom-compile-command", "python scripts/update_lock.py",
            "--output-file", output,
        ]  # fmt: skip
        if args.upgrade:
            command.append("--upgrade")
        if subprocess.run(command, cwd=REPO).returncode:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
