"""Build and check exercise cells that follow docs/exercises.md.

Chapter writers use this instead of hand-writing nbgrader JSON::

    import sys; sys.path.insert(0, "scripts")
    import nbcells

    nb.cells += nbcells.exercise(
        chapter=3, number=1,
        prompt="**Exercise 3.1** Compute λ_2 for ...",
        solution='''lam2 = None  # replace None by your number
    ### BEGIN SOLUTION
    lam2 = 0.42
    ### END SOLUTION''',
        check='check_value("lam2", lam2, 0.42, hint="...")',
        check_points=1,
        hidden='assert abs(float(lam2) - 0.42) < 1e-9',
        hidden_points=2,
    )

and check a notebook from the command line::

    python scripts/nbcells.py check book/ch03_lagrangian.ipynb
    python scripts/nbcells.py example        # print a complete example exercise as JSON

Every function returns plain ``nbformat`` cells; nothing here runs nbgrader.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell

SCHEMA_VERSION = 3
BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
# Shown to students in the released notebook, where the hidden block is gone.
HIDDEN_NOTE = "# Hidden tests: they run when your notebook is graded."

# grade_id = ch<chapter>-ex<number>-<role>[<n>], e.g. ch3-ex1-solution, ch3-ex1-hidden2
GRADE_ID = re.compile(r"^ch(?P<chapter>\d+)-ex(?P<number>\d+)-(?P<role>solution|check|hidden|answer)(?P<n>\d*)$")
# Which nbgrader flags and tags each role must carry.
ROLES = {
    "solution": {"cell_type": "code", "grade": False, "solution": True, "locked": False, "tags": {"hide-input"}},
    "check": {"cell_type": "code", "grade": True, "solution": False, "locked": True, "tags": set()},
    "hidden": {"cell_type": "code", "grade": True, "solution": False, "locked": True, "tags": {"remove-cell"}},
    "answer": {"cell_type": "markdown", "grade": True, "solution": True, "locked": False, "tags": set()},
}


def grade_id(chapter: int, number: int, role: str, n: int | None = None) -> str:
    """The grade_id of one cell of exercise ``number`` of chapter ``chapter``.

    >>> grade_id(3, 1, "solution")
    'ch3-ex1-solution'
    >>> grade_id(3, 1, "hidden", 2)
    'ch3-ex1-hidden2'
    """
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; use one of {sorted(ROLES)}")
    return f"ch{int(chapter)}-ex{int(number)}-{role}{'' if n is None else int(n)}"


def _metadata(gid: str, *, grade: bool, solution: bool, locked: bool, points: float | None) -> dict:
    meta = {
        "schema_version": SCHEMA_VERSION,
        "grade": grade,
        "solution": solution,
        "locked": locked,
        "task": False,
        "grade_id": gid,
    }
    if grade:
        meta["points"] = points
    return meta


def _role_of(gid: str) -> str:
    match = GRADE_ID.match(gid)
    if not match:
        raise ValueError(f"grade_id {gid!r} does not follow ch<N>-ex<K>-<solution|check|hidden|answer>[n]")
    return match["role"]


def _require_points(gid: str, points) -> float:
    if not isinstance(points, (int, float)) or isinstance(points, bool) or points <= 0:
        raise ValueError(f"{gid}: points must be a positive number, got {points!r}")
    return points


def solution_cell(gid: str, source: str) -> nbformat.NotebookNode:
    """A code cell with the reference solution between ### BEGIN/END SOLUTION.

    Put the answer's name before the block (``lam2 = None``) so an unanswered
    notebook gets a friendly "not answered yet" from the check, not a NameError.

    >>> cell = solution_cell("ch3-ex1-solution", "x = None\\n### BEGIN SOLUTION\\nx = 1\\n### END SOLUTION")
    >>> cell.metadata.tags, cell.metadata.nbgrader["solution"]
    (['hide-input'], True)
    """
    if _role_of(gid) != "solution":
        raise ValueError(f"{gid}: a solution cell's grade_id must end in -solution")
    if BEGIN_SOLUTION not in source or END_SOLUTION not in source:
        raise ValueError(f"{gid}: the solution must sit between '{BEGIN_SOLUTION}' and '{END_SOLUTION}'")
    cell = new_code_cell(source.strip("\n"))
    cell.metadata["nbgrader"] = _metadata(gid, grade=False, solution=True, locked=False, points=None)
    cell.metadata["tags"] = ["hide-input"]
    return cell


def check_cell(gid: str, source: str, points: float) -> nbformat.NotebookNode:
    """A visible, locked, autograded self-check (all or nothing: ``points``).

    >>> cell = check_cell("ch3-ex1-check", 'check_value("x", x, 1)', 1)
    >>> cell.metadata.nbgrader["points"], cell.metadata.nbgrader["locked"]
    (1, True)
    """
    if _role_of(gid) != "check":
        raise ValueError(f"{gid}: a visible check's grade_id must end in -check")
    if BEGIN_HIDDEN in source or BEGIN_SOLUTION in source:
        raise ValueError(f"{gid}: a visible check holds no hidden tests and no solution; use hidden_cell")
    cell = new_code_cell(source.strip("\n"))
    cell.metadata["nbgrader"] = _metadata(
        gid, grade=True, solution=False, locked=True, points=_require_points(gid, points))
    return cell


# What a hidden cell says when it refuses every library solver (scripts/classroom_kit reads the
# words "a library solver" and watches the functions it lists in SOLVERS).
LIBRARY_SOLVER_LINE = ("# Not accepted: a library solver (numpy.linalg's solve, inv, lstsq, pinv;\n"
                       "# scipy.linalg's solvers; sympy's solve, LUsolve, inv): write the loop.")
# ... and when it refuses another library's derivatives (the words "library autodiff").
LIBRARY_AUTODIFF_LINE = ("# Not accepted: library autodiff (jax.grad, vjp, jacrev...; autograd.grad...;\n"
                         "# torch.autograd): work the derivatives out yourself.")


def _refusal(name: str) -> str:
    """The ``# Not accepted:`` line for one package function, within the 80-character lines.

    >>> _refusal("implicit.equilibrium_finite_difference")
    '# Not accepted: lagrange_ad.implicit.equilibrium_finite_difference'
    """
    line = f"# Not accepted: lagrange_ad.{name}"
    return line + " (work it out yourself)" if len(line) <= 58 else line


def hidden_cell(gid: str, source: str, points: float, not_accepted: tuple[str, ...] = ()) -> nbformat.NotebookNode:
    """A locked, autograded cell of hidden tests; the book removes it (``remove-cell``).

    ``source`` is the test code alone; the delimiters are added here. ``not_accepted``
    names package functions (``"multipliers"``, ``"solvers.levels"``) that compute the
    answer, or ``"library solvers"`` (numpy's, scipy's and sympy's solve, inv, lstsq...)
    where the exercise asks for back substitution, or ``"library autodiff"`` (jax's,
    autograd's, torch's derivatives): a submission whose own code calls one
    scores 0 on the exercise's tests (grading watches the calls; students see the list in
    their notebook).

    >>> print(hidden_cell("ch3-ex1-hidden", "assert x == 1", 2, not_accepted=("gradient",)).source)
    # Hidden tests: they run when your notebook is graded.
    # Not accepted: lagrange_ad.gradient (work it out yourself)
    ### BEGIN HIDDEN TESTS
    assert x == 1
    ### END HIDDEN TESTS

    >>> cell = hidden_cell("ch3-ex1-hidden", "assert x == 1", 2)
    >>> print(cell.source)
    # Hidden tests: they run when your notebook is graded.
    ### BEGIN HIDDEN TESTS
    assert x == 1
    ### END HIDDEN TESTS
    >>> cell.metadata.tags
    ['remove-cell']
    """
    if _role_of(gid) != "hidden":
        raise ValueError(f"{gid}: a hidden-test cell's grade_id must end in -hidden")
    if BEGIN_HIDDEN in source:
        raise ValueError(f"{gid}: give the test code alone, hidden_cell adds the delimiters")
    lines = {"library solvers": LIBRARY_SOLVER_LINE, "library autodiff": LIBRARY_AUTODIFF_LINE}
    refused = [lines.get(name) or _refusal(name) for name in not_accepted]
    body = "\n".join([HIDDEN_NOTE, *refused, BEGIN_HIDDEN, source.strip("\n"), END_HIDDEN])
    cell = new_code_cell(body)
    cell.metadata["nbgrader"] = _metadata(
        gid, grade=True, solution=False, locked=True, points=_require_points(gid, points))
    cell.metadata["tags"] = ["remove-cell"]
    return cell


def answer_cell(gid: str, model_answer: str, points: float) -> nbformat.NotebookNode:
    """A manually graded written answer (markdown). The model answer shows in the
    book inside a collapsed dropdown; the released notebook has "YOUR ANSWER HERE".

    The question itself goes in the markdown cell before this one (nbgrader
    replaces this whole cell for students).

    >>> cell = answer_cell("ch3-ex2-answer", "Because A is upper triangular.", 2)
    >>> print(cell.source)
    ```{admonition} Model answer
    :class: dropdown
    Because A is upper triangular.
    ```
    """
    if _role_of(gid) != "answer":
        raise ValueError(f"{gid}: a written answer's grade_id must end in -answer")
    body = "\n".join(["```{admonition} Model answer", ":class: dropdown", model_answer.strip("\n"), "```"])
    cell = new_markdown_cell(body)
    cell.metadata["nbgrader"] = _metadata(
        gid, grade=True, solution=True, locked=False, points=_require_points(gid, points))
    return cell


def exercise(chapter: int, number: int, *, prompt: str, solution: str, check: str, check_points: float,
             hidden: str | None = None, hidden_points: float | None = None,
             not_accepted: tuple[str, ...] = ()) -> list:
    """The cells of one coded exercise: prompt, solution, visible check, hidden tests.

    >>> cells = exercise(3, 1, prompt="Set x to 1.",
    ...                  solution="x = None\\n### BEGIN SOLUTION\\nx = 1\\n### END SOLUTION",
    ...                  check='check_value("x", x, 1)', check_points=1,
    ...                  hidden="assert x == 1", hidden_points=1)
    >>> [c.metadata.get("nbgrader", {}).get("grade_id") for c in cells]
    [None, 'ch3-ex1-solution', 'ch3-ex1-check', 'ch3-ex1-hidden']
    """
    cells = [
        new_markdown_cell(prompt.strip("\n")),
        solution_cell(grade_id(chapter, number, "solution"), solution),
        check_cell(grade_id(chapter, number, "check"), check, check_points),
    ]
    if hidden is not None:
        cells.append(hidden_cell(grade_id(chapter, number, "hidden"), hidden, hidden_points, not_accepted))
    return cells


def written_exercise(chapter: int, number: int, *, question: str, model_answer: str, points: float) -> list:
    """The cells of one written (manually graded) exercise: question, answer.

    >>> [c.cell_type for c in written_exercise(3, 2, question="Why?", model_answer="Because.", points=1)]
    ['markdown', 'markdown']
    """
    return [new_markdown_cell(question.strip("\n")),
            answer_cell(grade_id(chapter, number, "answer"), model_answer, points)]


def problems(nb: nbformat.NotebookNode, chapter: int | None = None) -> list[str]:
    """Everything in ``nb`` that breaks the convention (an empty list when all is well).

    >>> nb = nbformat.v4.new_notebook(cells=written_exercise(3, 2, question="Why?", model_answer="B.", points=1))
    >>> problems(nb, chapter=3)
    []
    >>> nb.cells[1].metadata.nbgrader["grade_id"] = "ex2"
    >>> problems(nb)
    ["cell 1: grade_id 'ex2' does not follow ch<N>-ex<K>-<solution|check|hidden|answer>[n]"]
    """
    from nbgrader.nbgraderformat import MetadataValidator, ValidationError

    found = []
    try:
        MetadataValidator().validate_nb(nb)
    except ValidationError as err:
        found.append(f"nbgrader metadata invalid: {err}")
    seen = set()
    for index, cell in enumerate(nb.cells):
        text = cell.source
        meta = cell.metadata.get("nbgrader")
        has_markers = any(m in text for m in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS",
                                              "END HIDDEN TESTS"))
        if not meta or not (meta.get("grade") or meta.get("solution") or meta.get("locked")):
            if has_markers:
                # nbgrader matches these words anywhere, even in prose.
                found.append(f"cell {index}: mentions a BEGIN/END SOLUTION or HIDDEN TESTS marker "
                             "outside an exercise cell")
            continue
        gid = meta.get("grade_id", "")
        match = GRADE_ID.match(gid)
        if not match:
            if meta.get("grade") or meta.get("solution"):
                found.append(f"cell {index}: grade_id {gid!r} does not follow "
                             "ch<N>-ex<K>-<solution|check|hidden|answer>[n]")
            continue  # a locked read-only cell may use any id
        if gid in seen:
            found.append(f"cell {index}: grade_id {gid!r} is used twice")
        seen.add(gid)
        if chapter is not None and int(match["chapter"]) != int(chapter):
            found.append(f"cell {index}: grade_id {gid!r} belongs to chapter {match['chapter']}, "
                         f"not {chapter}")
        want = ROLES[match["role"]]
        for flag in ("grade", "solution", "locked"):
            if bool(meta.get(flag)) != want[flag]:
                found.append(f"cell {index} ({gid}): nbgrader '{flag}' should be {want[flag]}")
        if cell.cell_type != want["cell_type"]:
            found.append(f"cell {index} ({gid}): should be a {want['cell_type']} cell")
        missing = want["tags"] - set(cell.metadata.get("tags", []))
        if missing:
            found.append(f"cell {index} ({gid}): missing tag(s) {sorted(missing)}")
        role = match["role"]
        if role == "solution" and (BEGIN_SOLUTION not in text or END_SOLUTION not in text):
            found.append(f"cell {index} ({gid}): no '{BEGIN_SOLUTION}' ... '{END_SOLUTION}' block")
        if role == "hidden" and (BEGIN_HIDDEN not in text or END_HIDDEN not in text):
            found.append(f"cell {index} ({gid}): no '{BEGIN_HIDDEN}' ... '{END_HIDDEN}' block")
        if role in ("check", "solution", "answer") and "HIDDEN TESTS" in text:
            found.append(f"cell {index} ({gid}): hidden tests belong in a -hidden cell tagged remove-cell")
        if role == "hidden" and re.search(r"(?<![\w.])check_\w+\(", text):
            # the student may have redefined these names; see docs/exercises.md, rule 3
            found.append(f"cell {index} ({gid}): hidden tests call a check helper by its bare name; "
                         "reload lagrange_ad.exercises and call it through the module")
        if role in ("check", "hidden") and not meta.get("points"):
            found.append(f"cell {index} ({gid}): an autograded test needs points > 0")
    return found


def chapter_of(path: Path) -> int | None:
    """The chapter number in a file name like ``ch03_lagrangian.ipynb``.

    >>> chapter_of(Path("book/ch03_lagrangian.ipynb"))
    3
    """
    match = re.match(r"ch(\d+)", Path(path).name)
    return int(match[1]) if match else None


def _example_cells() -> list:
    return exercise(
        3, 1,
        prompt=("**Exercise 3.1.** For $z_2 = \\tanh(2 z_1)$ at $z_1 = 0.5$, compute "
                "$\\lambda_1 = \\partial z_2 / \\partial z_1$ and store it in `lam1`."),
        solution="lam1 = None  # replace None by your number\n" + BEGIN_SOLUTION + "\nimport math\n"
                 "lam1 = 2 * (1 - math.tanh(2 * 0.5) ** 2)\n" + END_SOLUTION,
        check=("from lagrange_ad.exercises import check_value\n"
               "import math\n"
               'check_value("lam1", lam1, 2 * (1 - math.tanh(1.0) ** 2),\n'
               '            hint="λ_1 = λ_2 · ∂f_2/∂z_1 with λ_2 = 1; the chain rule brings out the 2.")'),
        check_points=1,
        hidden=("import math\n"
                "assert lam1 is not None and abs(float(lam1) - 2 * (1 - math.tanh(1.0) ** 2)) < 1e-9"),
        hidden_points=1,
    ) + written_exercise(
        3, 2,
        question="**Exercise 3.2.** Why can back substitution solve $A\\lambda = e$ one $\\lambda$ at a time?",
        model_answer="A is upper triangular with −1 on its diagonal, so the last equation holds only λ_n, "
                     "and each earlier one only λ_i and already known λ_k with k > i.",
        points=1,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="check notebooks against docs/exercises.md")
    check.add_argument("notebooks", nargs="+", type=Path)
    sub.add_parser("example", help="print the cells of a complete example exercise as JSON")
    args = parser.parse_args(argv)

    if args.command == "example":
        print(json.dumps(_example_cells(), indent=1, ensure_ascii=False))
        return 0
    status = 0
    for path in args.notebooks:
        nb = nbformat.read(path, as_version=4)
        found = problems(nb, chapter=chapter_of(path))
        for problem in found:
            print(f"{path}: {problem}")
        if not found:
            print(f"{path}: ok")
        status = status or bool(found)
    return status


if __name__ == "__main__":
    sys.exit(main())
