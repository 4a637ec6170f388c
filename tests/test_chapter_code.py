"""The code a reader sees in the book narrates and calls the public API (issue 11, point 7).

Every code cell of every page (book/*.ipynb) and every fenced Python block of the Markdown pages and
docs is scanned for what the package already does for it:

- the presentation module is imported one way, ``from lagrange_ad import show`` (``display`` would
  collide with IPython's, and two aliases for one module confuse a reader);
- steps, conditions and blocks are numbered from 1 as in the book: ``comp.step(i)``, ``conds.dz(i)``,
  ``conds.dlambda(i)``, ``pattern.block(i, k)``, ``lad.multiplier_symbol``, ``lad.entry(A, i, k)`` and
  ``system.without((i, k))`` — never ``comp.steps[i - 1]``, ``A[i - 1, k - 1]`` or ``A[0, 4]`` (text in
  quotes may still name A[1,5] in the book's numbering);
- widget plumbing, CSS hooks and test hooks live in the package (``lagrange_ad.widgets``,
  ``steppers``, ``explorers``): no ``ipywidgets``, ``.observe(``, ``add_class(``, ``jslink`` or
  ``data-*`` attributes in a chapter.

A reader's own array in an exercise's solution (``pattern[i - 1, k - 1] = True`` for a pattern they
build) is their code, not a use of the API, and is not flagged by the numbering rule.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO / "book").glob("*.ipynb"))
MARKDOWN = sorted((REPO / "book").glob("*.md")) + sorted((REPO / "docs").glob("*.md")) + [REPO / "README.md"]

# Pages exempt from the widget rules (none: even "How the widgets work" calls the package's widgets).
WIDGET_PAGES: set[str] = set()


class _OutsideQuotes:
    """A pattern searched in a line whose quoted text is blanked: a message may say "A[1,5]" as the book
    does, while code that indexes A from 0 is flagged. (An f-string's code is blanked too, so rules that
    must see inside f-strings, such as the ``- 1`` rule, use a plain pattern.)"""

    def __init__(self, pattern: str):
        self.pattern = re.compile(pattern)

    def search(self, line: str):
        return self.pattern.search(re.sub(r"\"[^\"]*\"|'[^']*'", '""', line))


_ENTRY = "use `lad.entry(A, i, k)` or `system.without((i, k))` (numbered from 1)"
IMPORT_RULES = [
    (re.compile(r"\bimport\s+display\b"), "import the presentation module as `from lagrange_ad import show`"),
    (re.compile(r"lagrange_ad\.display\s+import\b"), "import the module: `from lagrange_ad import show`"),
    (re.compile(r"\blad\.display\."), "write `show.` (`from lagrange_ad import show`), not `lad.display.`"),
    (re.compile(r"\blad_display\b"), "the presentation module is `show` (`from lagrange_ad import show`)"),
    (re.compile(r"\blagrange_ad\.display\.\w"), "write `show.` (`from lagrange_ad import show`)"),
]
NUMBERING_RULES = [
    (re.compile(r"\.steps\[[^\]:]*[-+]\s*1\s*\]"), "use `comp.step(i)` (numbered from 1), not `comp.steps[i - 1]`"),
    (re.compile(r"\.steps\[\s*\d+\s*\]"), "use `comp.step(i)` (numbered from 1), not `comp.steps[0-based]`"),
    (re.compile(r"\.wrt_z\["), "use `conds.dz(i)` (numbered from 1), not `conds.wrt_z[i - 1]`"),
    (re.compile(r"\.wrt_lambda\["), "use `conds.dlambda(i)` (numbered from 1), not `conds.wrt_lambda[i - 1]`"),
    (re.compile(r"\.by_step\["), "use `conds.dz(i)`, not `conds.by_step[i]`"),
    (re.compile(r"\b\w*pattern\w*\[[^\]]*[-+]\s*1\b"), "use `pattern.block(i, k)` (numbered from 1)"),
    (re.compile(r"\b[Ae](?:_\w+)?\[[^\]]*\w\s*-\s*1\b"), f"{_ENTRY}, not `A[i - 1, k - 1]`"),
    (_OutsideQuotes(r"\b[Ae](?:_\w+)?\[\s*\d+\s*,\s*\d+\s*\]"), f"{_ENTRY}, not `A[0, 4]`"),
    (re.compile(r"\blad\.multiplier\("), "use `lad.multiplier_symbol` (λ_i as a symbol), not `lad.multiplier`"),
]
WIDGET_RULES = [
    (re.compile(r"\bimport\s+ipywidgets\b|\bfrom\s+ipywidgets\b"), "widgets come from lagrange_ad's widget modules"),
    (re.compile(r"\.observe\("), "callbacks belong in lagrange_ad.explorers"),
    (re.compile(r"\.add_class\("), "CSS hooks belong in the package"),
    (re.compile(r"\bjslink\b"), "browser links belong in lagrange_ad.widgets"),
    (re.compile(r"""\bdata-[a-z-]+=["'{]"""), "data-* test hooks belong in the package"),
]


def _is_solution(cell: dict) -> bool:
    """An exercise cell whose code the reader writes (nbgrader solution or hidden test)."""
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return bool(meta.get("solution") or (meta.get("grade") and meta.get("locked")))


def problems(cells, widget_page: bool = False, numbering: bool = True) -> list[str]:
    """What breaks the rules in ``cells`` (dicts with ``source``, and ``id``/``metadata`` if any).

    >>> for line in problems([{"id": "c1", "source": "import lagrange_ad as lad\\nz = comp.steps[i - 1]"}]):
    ...     print(line)
    cell c1, line 2: use `comp.step(i)` (numbered from 1), not `comp.steps[i - 1]`: z = comp.steps[i - 1]
    """
    found = []
    for cell in cells:
        rules = IMPORT_RULES + ([] if _is_solution(cell) or not numbering else NUMBERING_RULES)
        rules += [] if widget_page else WIDGET_RULES
        source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        for number, line in enumerate(source.splitlines(), 1):
            for pattern, advice in rules:
                if pattern.search(line):
                    found.append(f"cell {cell.get('id', '?')}, line {number}: {advice}: {line.strip():.80}")
    return found


def _code_cells(path: Path) -> list[dict]:
    return [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]


def _inline_code(path: Path) -> list[dict]:
    """The `code` spans of the Markdown cells: what the prose tells the reader to call."""
    cells = [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "markdown"]
    return [{"id": c.get("id"), "source": "\n".join(re.findall(r"`([^`\n]+)`", "".join(c["source"])))} for c in cells]


def _fenced_python(path: Path) -> list[dict]:
    blocks = re.findall(r"```(?:python|py|\{code-cell\}[^\n]*)\n(.*?)```", path.read_text(), flags=re.S)
    return [{"id": f"block {k + 1}", "source": block} for k, block in enumerate(blocks)]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_code_calls_the_public_api(path):
    found = problems(_code_cells(path), widget_page=path.name in WIDGET_PAGES)
    # prose names modules as the reader imports them; it may describe the reader's own 0-based arrays
    found += problems(_inline_code(path), widget_page=True, numbering=False)
    assert not found, f"{path.name}:\n" + "\n".join(found)


@pytest.mark.parametrize("path", MARKDOWN, ids=lambda p: str(p.relative_to(REPO)))
def test_markdown_code_calls_the_public_api(path):
    found = problems(_fenced_python(path))
    assert not found, f"{path.relative_to(REPO)}:\n" + "\n".join(found)


def test_every_rule_catches_what_it_is_for():
    """Each rule flags the chapter code this test was written against, and leaves its replacement alone."""
    old = [
        "from lagrange_ad import display as lad_display",
        "from lagrange_ad import display as show",
        "from lagrange_ad.display import latex, matrix_latex",
        "lad.display.use_book_figures()",
        "(`lagrange_ad.display.system_latex`):",
        "at = {comp.steps[j - 1].symbol: z[j] for j in last.args}",
        "c_symbol = comp.steps[1].symbol",
        "assert sympy.simplify(derivative - conds.wrt_z[i - 1].lhs) == 0",
        "assert sympy.simplify(derivative - conds.wrt_lambda[i - 1].lhs) == 0",
        "condition = conds.by_step[i][0].lhs",
        "inception_pattern[: merge.index - 1, merge.index - 1]",
        "lam = sympy.Matrix([lad.multiplier(s) for s in comp.steps])",
        "assert sympy.simplify(A[i - 1, k - 1] - rule) == 0, (i, k)",
        'entries = ", ".join(f"${show.latex(A[i - 1, k - 1])}$"',
        "A_small[k - 1, i - 1] == 0,",
        "A[i - 1, k - 1] = 0.0",
        "A[0, 4] = 0.0  # delete ∂f_5/∂z_1 (row 1, column 5)",
        'display(Math("A_{21} = " + sympy.latex(system.A[1, 0].xreplace(short))))',
        "import ipywidgets as widgets",
        'z1_slider.observe(evaluate, names="value")',
        'out.add_class("lad-demo-output")',
        "widgets.jslink((a, 'value'), (b, 'value'))",
        """f'<span class="lad-lambda-value" data-index="3" '""",
    ]
    for line in old:
        assert problems([{"source": line}]), f"not flagged: {line}"
    new = [
        "from lagrange_ad import show",
        "show.use_book_figures()",
        "at = {comp.step(j).symbol: z[j] for j in last.args}",
        "assert sympy.simplify(derivative - conds.dz(i).lhs) == 0",
        "[i for i in range(1, merge.index) if inception_pattern.block(i, merge.index)]",
        "lam = sympy.Matrix([lad.multiplier_symbol(s) for s in comp.steps])",
        "assert sympy.simplify(lad.entry(A, i, k) - rule) == 0, (i, k)",
        'entries = ", ".join(f"${show.latex(lad.entry(A, i, k))}$"',
        "A = system.without((1, 5)).dense()  # delete ∂f_5/∂z_1 (row 1, column 5)",
        'print("A with A[1,5] deleted:\\n", np.round(A, 4) + 0.0)',
        'print("A =", A_sq.tolist(), "  the = sweep acted as if A[1, 2] were z_1")',
        "e[-1] = -1",
        "x[r] = A[r, r + 1:] @ x[r + 1:] - rhs[r]",
        "for step in comp.steps[2:]:",
        "redraws = steppers.redraw_stepper(net, values, 'w1', step=3)",
    ]
    for line in new:
        assert not problems([{"source": line}]), f"flagged: {line}"
    solution = {"source": "pattern[i - 1, k - 1] = True", "metadata": {"nbgrader": {"solution": True}}}
    assert not problems([solution]), "a reader's own array in a solution is theirs to index"
    assert problems([{**solution, "source": "from lagrange_ad import display"}]), "imports are checked everywhere"
