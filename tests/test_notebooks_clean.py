"""Notebooks are committed without outputs: the book build executes them (as d2l-ai/d2l-en checks)."""

from __future__ import annotations

import json

import pytest
from conftest import REPO

NOTEBOOKS = sorted(p for p in (REPO / "book").rglob("*.ipynb")
                   if "_build" not in p.parts and ".ipynb_checkpoints" not in p.parts)


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebooks found under book/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(REPO)))
def test_notebook_has_no_outputs(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    dirty = []
    for number, cell in enumerate(nb.get("cells", []), start=1):
        if cell.get("cell_type") != "code":
            continue
        if cell.get("outputs"):
            dirty.append(f"cell {number}: {len(cell['outputs'])} output(s)")
        if cell.get("execution_count") is not None:
            dirty.append(f"cell {number}: execution_count {cell['execution_count']}")
    if "widgets" in nb.get("metadata", {}):
        dirty.append("notebook metadata: saved widget state ('widgets')")
    assert not dirty, (
        f"{path.relative_to(REPO)} was committed with outputs: {'; '.join(dirty)}. Clear them "
        f"(JupyterLab: Edit > Clear Outputs of All Cells, then save; or "
        f"`jupyter nbconvert --clear-output --inplace {path.relative_to(REPO)}`)."
    )
