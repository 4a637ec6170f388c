"""Build the student edition of the book (the reader's edition is the ordinary build).

    python scripts/editions.py student       # → _build/student/_build/html/

The student edition is the same book with every exercise as students receive it:
solution cells as the released notebook has them (``# YOUR CODE HERE`` /
``raise NotImplementedError()``) and without outputs, self-checks without
outputs, no model answers of written exercises, no hidden tests. Everything else
(text, figures, widgets) is the reader's edition, from the same execution cache
(``_build/.jupyter_cache`` of the ordinary build, or ``--cache``): build the
reader's edition first (``jupyter-book build . -W -n --keep-going``) and this one
executes nothing new. The work is done by the Sphinx extension book/_ext/editions.py.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def student_config(cache: Path) -> dict:
    """_config.yml with the student edition switched on and the reader's execution cache."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    config["title"] = f"{config.get('title', 'Lagrange AD')} (student edition)"
    config.setdefault("execute", {})["cache"] = str(cache.resolve())
    sphinx = config.setdefault("sphinx", {})
    # --config points at a file outside the book; paths in it are relative to that file
    sphinx["local_extensions"] = {name: str((ROOT / path).resolve())
                                  for name, path in sphinx.get("local_extensions", {}).items()}
    sphinx.setdefault("config", {})["lagrange_edition"] = "student"
    return config


def build_student(out: Path, cache: Path, extra: list[str]) -> int:
    out.mkdir(parents=True, exist_ok=True)
    config_file = out / "_config.yml"
    config_file.write_text(yaml.safe_dump(student_config(cache), sort_keys=False, allow_unicode=True))
    command = ["jupyter-book", "build", str(ROOT), "--config", str(config_file), "--path-output", str(out),
               "-W", "-n", "--keep-going", *extra]
    print("$ " + " ".join(command), flush=True)
    return subprocess.run(command, cwd=ROOT).returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0], epilog=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("edition", choices=["student"])
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "student",
                        help="output folder (the pages land in OUT/_build/html)")
    parser.add_argument("--cache", type=Path, default=ROOT / "_build" / ".jupyter_cache",
                        help="the reader's build's execution cache")
    parser.add_argument("--all", action="store_true", help="rebuild every page (jupyter-book --all)")
    args = parser.parse_args(argv)
    return build_student(args.out, args.cache, ["--all"] if args.all else [])


if __name__ == "__main__":
    sys.exit(main())
