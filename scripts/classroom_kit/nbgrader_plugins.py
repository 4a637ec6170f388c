"""Preprocessors that nbgrader_config.py installs into nbgrader 0.9.6.

Each makes one hostile or careless submission cost that submission's own cells
only (tests/test_grading.py proves each one):

- ResilientExecute: a cell that kills or hangs the kernel gets an error, the
  kernel restarts, earlier cells are replayed silently, grading goes on.
- CappedOutput: megabytes of printing are cut to a few kilobytes.
- ForgivingOverwriteCells: renamed test cells become ordinary cells; deleted
  test cells come back from the gradebook even when the cells around them
  (the solution, the visible check) were deleted too.
"""

from __future__ import annotations

import os

from jupyter_core.utils import run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.v4 import new_output
from nbgrader import utils
from nbgrader.preprocessors import Execute, LimitOutput, OverwriteCells
from traitlets import Integer


class ResilientExecute(Execute):
    """nbgrader's Execute, surviving a cell that kills or hangs the kernel.

    That cell gets an error output (so a test cell scores 0 for it), the kernel
    restarts, the cells before it run again silently, and execution continues.
    """

    def preprocess(self, nb, resources=None, km=None):
        self._fatal = set()  # indices of cells that killed or hung the kernel
        try:
            return super().preprocess(nb, resources, km)
        finally:
            # The student may have deleted the working directory, where nbgrader writes next.
            self._ensure_cwd()

    def _ensure_cwd(self):
        path = self.resources.get("metadata", {}).get("path")
        if path:
            os.makedirs(path, exist_ok=True)

    def preprocess_cell(self, cell, resources, index):
        try:
            return super().preprocess_cell(cell, resources, index)
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


