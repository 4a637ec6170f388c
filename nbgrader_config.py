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
  cells come back from the gradebook instead of failing the submission, even
  when the cells around them were deleted too.
- ResilientExecute also zeroes an exercise whose answer came from a package
  function its hidden cell does not accept (``# Not accepted: ...``).
- Feedback (``nbgrader generate_feedback``): the student's exercises only,
  hidden tests as one line each, math as MathML, no teacher's paths, no CDN.

The preprocessors live in scripts/classroom_kit/ (nbgrader_plugins.py, feedback.py).
"""

import os
import sys
from pathlib import Path

from nbconvert.preprocessors import ClearMetadataPreprocessor
from nbgrader.preprocessors import (
    AssignLatePenalties,
    CheckCellMetadata,
    ClearOutput,
    DeduplicateIds,
    IgnorePattern,
    OverwriteKernelspec,
    SaveAutoGrades,
)

c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "scripts"))
from classroom_kit.nbgrader_plugins import CappedOutput, ForgivingOverwriteCells, ResilientExecute  # noqa: E402

c.CourseDirectory.course_id = "lagrange-ad"
c.CourseDirectory.root = os.environ.get("LAGRANGE_AD_COURSE", str(HERE / "classroom"))

# Students' notebooks are graded against the same Python that builds the book.
c.Execute.kernel_name = "python3"
# Per cell, in seconds: the slowest chapter cell takes about 10 s (ch. 7, on a loaded machine); a
# student's infinite loop is interrupted after the timeout and costs only that cell.
c.Execute.timeout = 60
# The student's own cells and the test cells (an exercise's code takes milliseconds; a loop there is a
# mistake, and it burns a core until interrupted): 20 s.
c.ResilientExecute.student_timeout = 20
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

# Feedback (nbgrader generate_feedback): the student's exercises only, hidden tests as one line each
# (passed / failed with a hint, never their code), math as MathML, no teacher's paths, no CDN.
from classroom_kit.feedback import TEMPLATES, StudentFeedback  # noqa: E402
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor  # noqa: E402
from nbgrader.preprocessors import GetGrades  # noqa: E402

c.GenerateFeedback.preprocessors = [GetGrades, StudentFeedback, CSSHTMLHeaderPreprocessor]
c.HTMLExporter.template_name = "lagrange_feedback"
c.HTMLExporter.extra_template_basedirs = [
    str(Path(__import__("nbgrader").__file__).parent / "server_extensions" / "formgrader" / "templates"),
    str(TEMPLATES),
]
