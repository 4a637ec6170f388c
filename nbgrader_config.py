"""nbgrader configuration for teaching with the Lagrange AD book.

nbgrader reads this file when a command runs in the repository root. The course
directory (source/, release/, submitted/, autograded/, feedback/, gradebook.db)
is ./classroom unless LAGRANGE_AD_COURSE names another folder. The teacher's
workflow is in docs/teacher.md; scripts/classroom.py wraps it in one command per step.

Changes to nbgrader 0.9.6's grading, each so that one hostile or unlucky cell
costs that cell only (tests/test_grading.py proves each one):

- ResilientExecute: a cell that kills the kernel (``os._exit``, a crash) or
  hangs it so that an interrupt does not help would make nbgrader drop the whole
  submission. Instead that cell gets an error, the kernel restarts, the earlier
  cells are replayed silently and grading goes on.
- ``exit()`` / ``quit()`` print a note instead of shutting the kernel down.
- CappedOutput: megabytes of printing are cut to a few kilobytes.
- ForgivingOverwriteCells + ``add_missing_cells``: deleted or renamed test
  cells come back from the gradebook instead of failing the submission.
"""

import os
from pathlib import Path

from jupyter_core.utils import run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbconvert.preprocessors import ClearMetadataPreprocessor
from nbformat.v4 import new_output
from nbgrader.preprocessors import (
    AssignLatePenalties,
    CheckCellMetadata,
    ClearOutput,
    DeduplicateIds,
    Execute,
    IgnorePattern,
    LimitOutput,
    OverwriteCells,
    OverwriteKernelspec,
    SaveAutoGrades,
)
from traitlets import Integer

c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)

HERE = Path(__file__).resolve().parent
c.CourseDirectory.course_id = "lagrange-ad"
c.CourseDirectory.root = os.environ.get("LAGRANGE_AD_COURSE", str(HERE / "classroom"))

# Students' notebooks are graded against the same Python that builds the book.
c.Execute.kernel_name = "python3"
# Per cell, in seconds: the slowest chapter cell takes a few seconds; a student's infinite
# loop is interrupted after this and costs only that cell.
c.Execute.timeout = 60
# Megabytes of printing must not bloat the graded notebook and the feedback page
# (nbgrader limits lines; CappedOutput below also limits the characters of each output).
c.LimitOutput.max_lines = 200
c.LimitOutput.max_traceback = 60
c.CappedOutput.max_chars = 20_000

# A student's exit() or quit() would shut the kernel down a moment later, in some later cell;
# in grading kernels it only prints a note. (os._exit and crashes are handled below.)
c.Execute.extra_arguments = [
    "--HistoryManager.hist_file=:memory:",
    "--InteractiveShellApp.exec_lines=get_ipython().ask_exit = lambda: print('exit() is ignored while grading')",
]

c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"


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
    """nbgrader's OverwriteCells, but a cell whose grade_id the gradebook does not know (a
    student renamed it) becomes an ordinary cell instead of failing the whole submission."""

    def preprocess_cell(self, cell, resources, cell_index):
        cell, resources = super().preprocess_cell(cell, resources, cell_index)
        meta = cell.metadata.get("nbgrader")
        if meta is not None and "grade_id" not in meta:
            del cell.metadata["nbgrader"]
        return cell, resources


# Deleted or renamed test cells come back from the gradebook (and are graded).
c.OverwriteCells.add_missing_cells = True
c.Autograde.sanitize_preprocessors = [
    ClearOutput,
    DeduplicateIds,
    OverwriteKernelspec,
    ForgivingOverwriteCells,
    CheckCellMetadata,
]

# nbgrader 0.9.6's list, with ResilientExecute in place of Execute and CappedOutput in place of
# LimitOutput.
c.Autograde.autograde_preprocessors = [
    ResilientExecute,
    IgnorePattern,
    ClearMetadataPreprocessor,
    CappedOutput,
    SaveAutoGrades,
    AssignLatePenalties,
    CheckCellMetadata,
]
