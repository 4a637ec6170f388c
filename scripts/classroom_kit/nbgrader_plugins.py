"""Preprocessors that nbgrader_config.py installs into nbgrader 0.9.6.

Each makes one hostile or careless submission cost that submission's own cells
only (tests/test_grading.py proves each one):

- ResilientExecute: a cell that kills or hangs the kernel gets an error, the
  kernel restarts, earlier cells are replayed silently, grading goes on.
- ResilientExecute also watches which of lagrange_ad's answer-computing
  functions each cell calls (lagrange_ad.usage): an exercise whose hidden cell
  says ``# Not accepted: lagrange_ad.multipliers`` scores 0 when the student's
  own cells called it, however (alias, getattr, another function calling it).
- CappedOutput: megabytes of printing are cut to a few kilobytes.
- ForgivingOverwriteCells: renamed test cells become ordinary cells; deleted
  test cells come back from the gradebook even when the cells around them
  (the solution, the visible check) were deleted too.
"""

from __future__ import annotations

import ast
import os
import re
import secrets
from pathlib import Path

import nbformat
from jupyter_core.utils import run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.v4 import new_output
from nbgrader import utils
from nbgrader.preprocessors import Execute, LimitOutput, OverwriteCells
from traitlets import Integer

# Installed silently in every grading kernel: an audit hook (which the student's code cannot
# remove) collecting the names lagrange_ad.usage.note reports; the executor takes them after each
# cell with a token the student's code never sees.
_WATCH = """
def _lagrange_ad_watch(token):
    import sys
    seen = set()
    def hook(event, args):
        if event == "lagrange_ad.call":
            seen.add(args[0])
        elif event == "lagrange_ad.take" and len(args) == 2 and args[0] == token:
            args[1].extend(sorted(seen))
            seen.clear()
    sys.addaudithook(hook)
_lagrange_ad_watch({token!r})
del _lagrange_ad_watch
"""
_TAKE = "(lambda box: (__import__('sys').audit('lagrange_ad.take', {token!r}, box), box)[1])([])"
NOT_ACCEPTED = re.compile(r"^# Not accepted: (.+)$", re.M)
_EXERCISE = re.compile(r"^(ch\d+-ex\d+)-(solution|check|hidden|answer)\d*$")


def not_accepted(source: str) -> set[str]:
    """The package functions a hidden-test cell refuses, from its ``# Not accepted:`` line.

    >>> sorted(not_accepted("# Not accepted: lagrange_ad.multipliers, lagrange_ad.gradient (do it by hand)"))
    ['gradient', 'multipliers']
    """
    names = set()
    for line in NOT_ACCEPTED.findall(source):
        names |= set(re.findall(r"lagrange_ad\.(?:\w+\.)*?(\w+)\b(?!\.)", line))
    return names


class ResilientExecute(Execute):
    """nbgrader's Execute, surviving a cell that kills or hangs the kernel.

    That cell gets an error output (so a test cell scores 0 for it), the kernel
    restarts, the cells before it run again silently, and execution continues.
    """

    def preprocess(self, nb, resources=None, km=None):
        self._fatal = set()  # indices of cells that killed or hung the kernel
        self._token, self._watching = secrets.token_hex(16), False
        self._calls = {}  # cell index -> lagrange_ad functions it called
        try:
            nb, resources = super().preprocess(nb, resources, km)
        finally:
            # The student may have deleted the working directory, where nbgrader writes next.
            self._ensure_cwd()
        self._refuse_package_answers(nb, resources)
        return nb, resources

    # ------------------------------------------------------------ which package functions ran

    def _silent(self, code: str, **kwargs):
        return run_sync(self.kc.execute_interactive)(code, silent=True, store_history=False, allow_stdin=False,
                                                     timeout=self.timeout, output_hook=lambda msg: None, **kwargs)

    def _watch(self):
        if not self._watching:
            self._silent(_WATCH.format(token=self._token))
            self._watching = True

    def _take(self) -> list[str]:
        try:
            reply = self._silent("", user_expressions={"calls": _TAKE.format(token=self._token)})
            value = reply["content"]["user_expressions"]["calls"]["data"]["text/plain"]
            return list(ast.literal_eval(value))
        except Exception:  # a dead or busy kernel, a student's odd namespace: nothing known
            return []

    def _student_cells(self, nb, resources) -> set[int]:
        """Indices of code cells the student added (not in the released notebook)."""
        try:
            path = Path(resources["metadata"]["path"])  # <course>/autograded/<student>/<assignment>
            name = resources["nbgrader"]["notebook"] + ".ipynb"
            release = nbformat.read(path.parents[2] / "release" / path.name / name, as_version=4)
        except Exception:  # not an nbgrader course layout: only the exercise's own cells count
            return set()
        released = {c.source.strip() for c in release.cells if c.cell_type == "code"}
        return {i for i, c in enumerate(nb.cells) if c.cell_type == "code" and "nbgrader" not in c.metadata
                and c.source.strip() not in released}

    def _refuse_package_answers(self, nb, resources):
        """Zero an exercise whose answer came from a package function its hidden cell does not accept."""
        gids = [c.metadata.get("nbgrader", {}).get("grade_id", "") for c in nb.cells]
        added = self._student_cells(nb, resources)
        for index, cell in enumerate(nb.cells):
            match = _EXERCISE.match(gids[index])
            refused = not_accepted(cell.source) if match and match[2] == "hidden" else set()
            if not refused:
                continue
            own = [i for i, g in enumerate(gids) if g.startswith(match[1] + "-")]
            first, check = own[0], next((i for i in own if gids[i].startswith(match[1] + "-check")), index)
            while first > 0 and nb.cells[first - 1].cell_type == "code" and not gids[first - 1]:
                first -= 1  # cells the student put right before the solution
            window = set(range(first, check)) | {i for i in added if i < check}
            used = sorted(refused & {name for i in window for name in self._calls.get(i, ())})
            if not used:
                continue
            names = ", ".join(f"lagrange_ad.{u}" for u in used)
            self.log.warning("Exercise %s: the student's cells called %s, which it does not accept", match[1], names)
            for i in own:
                if nb.cells[i].cell_type == "code" and nb.cells[i].metadata["nbgrader"].get("grade"):
                    nb.cells[i].outputs.append(new_output(
                        "error", ename="NotAccepted",
                        evalue=f"this exercise asks you to work the answer out; your code called {names}, "
                               "which computes it",
                        traceback=[f"NotAccepted: your code called {names}, which this exercise does not accept"]))

    def _ensure_cwd(self):
        path = self.resources.get("metadata", {}).get("path")
        if path:
            os.makedirs(path, exist_ok=True)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code":
            try:
                self._watch()
            except Exception:  # the kernel is gone: the cell below reports it
                pass
        try:
            cell, resources = super().preprocess_cell(cell, resources, index)
            if cell.cell_type == "code":
                self._calls[index] = self._take()
            return cell, resources
        except (DeadKernelError, CellTimeoutError) as err:
            what = "died" if isinstance(err, DeadKernelError) else "stopped responding"
            self.log.warning("Cell %d: the kernel %s; restarting it and going on", index, what)
            cell.outputs = list(cell.get("outputs", [])) + [new_output(
                "error", ename="KernelDied" if what == "died" else "KernelHung",
                evalue=f"the kernel {what} while running this cell; the cells after it ran in a "
                       "restarted kernel",
                traceback=[f"KernelError: the kernel {what} while running this cell (os._exit, a "
                           "crash, or a loop that ignores interrupts)."],
            )]
            self.nb.cells[index] = cell
            self._fatal.add(index)
            self._restart_and_replay(index)
            return cell, self.resources

    def _restart_and_replay(self, upto):
        self._ensure_cwd()  # the restarted kernel starts there
        self._restart()
        for i in range(upto):
            cell = self.nb.cells[i]
            if cell.cell_type != "code" or i in self._fatal or not cell.source.strip():
                continue
            try:
                run_sync(self.kc.execute_interactive)(
                    cell.source, store_history=False, allow_stdin=False,
                    timeout=self.timeout, output_hook=lambda msg: None)
            except TimeoutError:
                pass
            if not run_sync(self.km.is_alive)():
                # A delayed kill (a timer, a thread): replaying would only kill again. The
                # remaining cells run in a fresh, empty kernel and fail or pass on their own.
                self.log.warning("The kernel died again while replaying cell %d; going on in a "
                                 "fresh kernel without replaying", i)
                self._restart()
                return

    def _restart(self):
        self._watching = False  # a new kernel: the watch is installed again before the next cell
        run_sync(self.km.restart_kernel)(now=True)
        if self.kc is not None:
            self.kc.stop_channels()
        run_sync(self.async_start_new_kernel_client)()


class CappedOutput(LimitOutput):
    """nbgrader's LimitOutput (lines), plus at most ``max_chars`` characters per text output."""

    max_chars = Integer(20_000, help="maximum characters of one text output (-1: no limit)").tag(config=True)

    def preprocess_cell(self, cell, resources, cell_index):
        cell, resources = super().preprocess_cell(cell, resources, cell_index)
        if cell.cell_type != "code" or self.max_chars < 0:
            return cell, resources
        for output in cell.outputs:
            if output.output_type == "stream":
                output.text = self._cap(output.text)
            for mime, value in output.get("data", {}).items():
                if mime.startswith("text/") and isinstance(value, str):
                    output.data[mime] = self._cap(value)
        return cell, resources

    def _cap(self, text):
        if len(text) <= self.max_chars:
            return text
        return text[: self.max_chars] + f"\n... Output truncated ({len(text):,} characters) ..."


class ForgivingOverwriteCells(OverwriteCells):
    """nbgrader's OverwriteCells, forgiving what careless students do to the cells.

    A cell whose grade_id the gradebook does not know (a student renamed it) becomes
    an ordinary cell instead of failing the whole submission. A deleted test cell comes
    back after the nearest earlier exercise cell that is still there: nbgrader 0.9.6
    puts it after the cell just before it in the teacher's notebook, and raises
    ``KeyError`` (dropping the whole submission) when that one was deleted too.
    """

    def add_missing_grade_cells(self, nb, resources):
        source_nb = self.gradebook.find_notebook(self.notebook_id, self.assignment_id)
        source_cells = {cell.name: cell for cell in source_nb.source_cells}
        order = list(source_cells)  # the teacher's order of every nbgrader cell
        grade_cells = {cell.name: cell for cell in source_nb.grade_cells}
        solutions = {cell.name for cell in source_nb.solution_cells}
        for position, gid in enumerate(order):
            if gid not in grade_cells:
                continue
            present = {cell["metadata"]["nbgrader"]["grade_id"]: i for i, cell in enumerate(nb.cells)
                       if (utils.is_grade(cell) or utils.is_solution(cell))
                       and "grade_id" in cell["metadata"]["nbgrader"]}
            if gid in present:
                continue
            self.log.warning("Cell %s was deleted by the student; it is graded as the teacher wrote it", gid)
            cell = self.missing_cell_transform(source_cells[gid], grade_cells[gid].max_score,
                                               is_solution=gid in solutions)
            cell["id"] = f"restored-{gid}"[:64]  # nbformat 4.5 wants an id on every cell
            earlier = [present[g] for g in reversed(order[:position]) if g in present]
            later = [present[g] for g in order[position + 1:] if g in present]
            index = earlier[0] + 1 if earlier else (later[0] if later else len(nb.cells))
            nb.cells.insert(index, cell)
        return nb, resources

    def preprocess_cell(self, cell, resources, cell_index):
        cell, resources = super().preprocess_cell(cell, resources, cell_index)
        meta = cell.metadata.get("nbgrader")
        if meta is not None and "grade_id" not in meta:
            del cell.metadata["nbgrader"]
        return cell, resources


