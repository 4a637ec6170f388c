"""Build the student edition of the book, or the reader's notebooks (the reader's pages are the ordinary build).

    python scripts/editions.py student       # → _build/student/_build/html/
    python scripts/editions.py notebooks     # → notebooks/: the chapters to open in JupyterLab

The reader's notebooks are what a reader opens to run the chapters (README, "Read the book as
notebooks"): the book's notebooks with the solutions kept but without nbgrader's marker lines, the
hidden tests left out, and no nbgrader metadata (so JupyterLab shows no assignment cells). The
sources in book/ are the teacher's: they hold the hidden tests.

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
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
HIDDEN = re.compile(r"-hidden\d*$")


MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")


def without_markers(code: str) -> str:
    """A solution as the reader sees it: nbgrader's marker lines dropped (book/_ext/editions.py does
    the same on the rendered page; this script runs where Sphinx is not installed)."""
    return "\n".join(line for line in code.split("\n") if line.strip() not in MARKERS)


def toc_notebooks() -> list[Path]:
    """Every notebook the table of contents lists, in its order."""
    found = re.findall(r"file:\s*(\S+)", (ROOT / "_toc.yml").read_text())
    return [ROOT / f"{name}.ipynb" for name in found if (ROOT / f"{name}.ipynb").is_file()]


def reader_notebook(nb):
    """The reader's copy of a chapter: hidden tests out, solution markers and nbgrader metadata gone.

    >>> cell = nbformat.v4.new_code_cell("x = None\\n### BEGIN SOLUTION\\nx = 1\\n### END SOLUTION")
    >>> cell.metadata["nbgrader"] = {"grade_id": "ch1-ex1-solution", "solution": True}
    >>> hidden = nbformat.v4.new_code_cell("### BEGIN HIDDEN TESTS\\nassert x == 1\\n### END HIDDEN TESTS")
    >>> hidden.metadata["nbgrader"] = {"grade_id": "ch1-ex1-hidden", "grade": True}
    >>> out = reader_notebook(nbformat.v4.new_notebook(cells=[cell, hidden]))
    >>> [c.source for c in out.cells], "nbgrader" in out.cells[0].metadata
    (['x = None\\nx = 1'], False)
    """
    cells = []
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        if HIDDEN.search(grade_id) or "BEGIN HIDDEN TESTS" in cell.source:
            continue
        cell.metadata.pop("nbgrader", None)
        if cell.cell_type == "code":
            cell.source = without_markers(cell.source)
        cells.append(cell)
    nb.cells = cells
    return nb


def build_notebooks(out: Path) -> int:
    """Write the reader's notebooks (and what they read beside them) into ``out``."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for path in toc_notebooks():
        nb = reader_notebook(nbformat.read(path, as_version=4))
        nbformat.validate(nb)
        nbformat.write(nb, out / path.name)
    for extra in ("references.bib", "intro.md", "notation.md", "bibliography.md"):
        if (ROOT / "book" / extra).is_file():
            shutil.copy(ROOT / "book" / extra, out / extra)
    print(f"{len(toc_notebooks())} notebooks in {out}: open them with `jupyter lab {out.name}/`")
    return 0


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
    parser.add_argument("edition", choices=["student", "notebooks"])
    parser.add_argument("--out", type=Path, default=None,
                        help="output folder (student: _build/student, the pages in OUT/_build/html; "
                             "notebooks: notebooks/)")
    parser.add_argument("--cache", type=Path, default=ROOT / "_build" / ".jupyter_cache",
                        help="the reader's build's execution cache")
    parser.add_argument("--all", action="store_true", help="rebuild every page (jupyter-book --all)")
    args = parser.parse_args(argv)
    if args.edition == "notebooks":
        return build_notebooks(args.out or ROOT / "notebooks")
    return build_student(args.out or ROOT / "_build" / "student", args.cache, ["--all"] if args.all else [])


if __name__ == "__main__":
    sys.exit(main())
