"""The feedback page a student receives: their exercises, scores and hints, nothing more.

``nbgrader generate_feedback`` (nbgrader's own command) renders each autograded
notebook with the ``StudentFeedback`` preprocessor and the ``lagrange_feedback``
template (both installed by nbgrader_config.py). What the page shows:

- a table of every test with its exercise, its points and whether it passed;
- per exercise only: the prompt, the student's own cells with their outputs,
  the visible check with its message;
- a hidden test as one line: passed, or failed with its message or the
  exercise's hint, never its code, its expected values or its traceback;
- no file path of the teacher's machine (paths are cut to the file name);
- math as MathML, which browsers draw without MathJax or any network.

>>> tex_to_mathml("Let $p_1 = 2$.").startswith("Let <math")
True
>>> scrub_paths('File "/home/teacher/course/autograded/x/ch03/a.py", line 3')
'File "a.py", line 3'
>>> plain_roles("as {cite:t}`lecun1988` showed")
'as lecun1988 showed'
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from nbconvert.preprocessors import Preprocessor
from nbformat.v4 import new_markdown_cell, new_output
from traitlets import Bool

from .course import nbgrader

TEMPLATES = Path(__file__).with_name("templates")
_ROLE = re.compile(r"\{[a-z:]+\}`([^`]*)`")
_PATH = re.compile(r"(?<![\w/.])(?:/[\w.@+~-]+)+/([\w.@+~-]+)")
_MATH = re.compile(r"\$\$(.+?)\$\$|(?<![\\$])\$([^$\n]+?)\$", re.S)
_TOC = re.compile(r'<div id="toc">.*?</div>', re.S)
_GRADE_ID = re.compile(r"^ch(\d+)-ex(\d+)-(solution|check|hidden|answer)\d*$")


def scrub_paths(text: str) -> str:
    """Absolute paths cut to their last part (the teacher's folders are nobody's business)."""
    return _PATH.sub(r"\1", text)


def plain_roles(text: str) -> str:
    """MyST roles such as {cite:t}`key` or {numref}`fig` as their plain text."""
    return _ROLE.sub(r"\1", text)


def tex_to_mathml(text: str) -> str:
    """``$…$`` and ``$$…$$`` as MathML; a formula the converter cannot read stays as code."""
    from latex2mathml.converter import convert

    def one(match):
        tex, display = (match[1], "block") if match[1] is not None else (match[2], "inline")
        try:
            return convert(tex.strip(), display=display)
        except Exception:  # an unusual macro: show the TeX rather than nothing
            return f"<code>{tex}</code>"

    return _MATH.sub(one, text)


def _exercise(gid: str) -> str | None:
    match = _GRADE_ID.match(gid or "")
    return f"{match[1]}.{match[2]}" if match else None


def _hint_of(check_source: str) -> str | None:
    """The ``hint=`` text of a visible check (a string literal), if it has one."""
    try:
        tree = ast.parse(check_source)
    except SyntaxError:
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg == "hint" and isinstance(node.value, ast.Constant):
            return str(node.value.value)
    return None


def _error_line(output) -> str:
    message = scrub_paths(f"{output.get('ename', 'Error')}: {output.get('evalue', '')}".strip())
    return message.rstrip(": ")


class StudentFeedback(Preprocessor):
    """Reduce an autograded notebook to what its student may see (see the module docstring)."""

    enabled = Bool(True).tag(config=True)  # nbconvert's preprocessors are off unless enabled

    def preprocess(self, nb, resources):
        cells = nb.cells
        meta = [c.metadata.get("nbgrader", {}) for c in cells]
        gids = [m.get("grade_id", "") for m in meta]
        hints = {_exercise(g): _hint_of(c.source) for c, g in zip(cells, gids, strict=True) if g.endswith("check")}
        keep = set()
        for ex in dict.fromkeys(filter(None, map(_exercise, gids))):
            where = [i for i, g in enumerate(gids) if _exercise(g) == ex]
            first = where[0]
            prompt = next((i for i in range(first - 1, -1, -1) if cells[i].cell_type == "markdown"
                           and not meta[i]), first)
            keep.update(range(prompt, where[-1] + 1))
        rows = ["| exercise | test | points | result |", "|---|---|---|---|"]
        kept = []
        for i in sorted(keep):
            cell, gid = cells[i], gids[i]
            if cell.cell_type == "markdown":
                cell.source = tex_to_mathml(plain_roles(cell.source))
            for output in cell.get("outputs", []):
                if "text" in output:
                    output.text = scrub_paths(output.text)
                if output.get("output_type") == "error":
                    output.traceback = [_error_line(output)]
                    output.evalue = scrub_paths(output.get("evalue", ""))
            m = meta[i]
            if m.get("grade") and cell.cell_type == "markdown":
                score, points = m.get("score"), m.get("points", 0)
                shown = "waits for the teacher" if score is None else f"{score:g} / {points:g}"
                rows.append(f"| {_exercise(gid)} | [written answer](#{gid}) | {shown} | graded by hand |")
            if m.get("grade") and cell.cell_type == "code":
                ex, score, points = _exercise(gid), m.get("score", 0) or 0, m.get("points", 0)
                failed = any(o.get("output_type") == "error" for o in cell.get("outputs", []))
                kind = "hidden tests" if re.search(r"-hidden\d*$", gid) else "self-check"
                rows.append(f"| {ex} | [{kind}](#{gid}) | {score:g} / {points:g} | "
                            f"{'failed' if failed else 'passed'} |")
                if kind == "hidden tests":
                    self._hide(cell, ex, failed, hints.get(ex))
            kept.append(cell)
        summary = new_markdown_cell("## Your scores\n\n" + "\n".join(rows) + "\n\nEach test is all or "
                                    "nothing. Hidden tests check your answer on other cases than the "
                                    "self-check; their code is not shown.")
        nb.cells = [summary, *kept]
        return nb, resources

    @staticmethod
    def _hide(cell, ex, failed, hint):
        """A hidden-test cell as one line: which test, passed or failed, and a hint."""
        cell.source = f"# Hidden tests of exercise {ex}"
        message = "passed"
        if failed:
            error = next(o for o in cell.outputs if o.get("output_type") == "error")
            said = scrub_paths(str(error.get("evalue", "")).strip())
            if error.get("ename") in ("AssertionError", "CheckFailed"):
                message = "failed" + (f": {said}" if said else "")  # the test's own message, if any
            else:  # the student's code raised (NameError, TypeError, a dead kernel): theirs to see
                message = "failed: " + _error_line(error)
            if hint and hint not in message:
                message += f"\nHint: {hint}"
        cell.outputs = [new_output("stream", name="stderr" if failed else "stdout",
                                   text=f"Hidden tests of exercise {ex}: {message}\n")]


def generate(course: Path, aid: str, log=None) -> list[Path]:
    """Run ``nbgrader generate_feedback`` for a chapter; the feedback pages written."""
    nbgrader(course, "generate_feedback", aid, "--force", log=log)
    pages = sorted((course / "feedback").glob(f"*/{aid}/*.html"))
    for page in pages:  # nbgrader's list of "Test cell" links (hidden by the template's CSS): gone
        page.write_text(_TOC.sub("", page.read_text()))
    return pages
