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
import importlib.util
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

# Installed silently in every grading kernel, before any of the student's code runs: an audit hook
# (which the student's code cannot remove) collecting the refused functions the student's code
# called. Two sources: lagrange_ad.usage.note (an audit event the package raises), and, in the
# cells of an exercise that refuses them, a profile function that sees every call of a refused
# function (a library's solve, lad.forward, ...), however it was reached. A call counts only when
# a frame of the student's own code (a solution cell, a cell the student added or changed) is on
# the stack: the teacher's tests may call the same functions to check the answer. The executor
# takes the names after each cell with a token the student's code never sees.
_WATCH = """
def _lagrange_ad_watch(token, student_sources, library):
    import sys, threading
    from ipykernel.compiler import get_file_name
    student = {get_file_name(source) for source in student_sources}
    seen, watched, cache, state = set(), {}, {}, {"on": False, "mine": False, "thread": None}
    set_profile, set_thread_profile = sys.setprofile, threading.setprofile

    def by_student(frame):
        while frame is not None:
            if frame.f_code.co_filename in student:
                return True
            frame = frame.f_back
        return False

    def name_of(code, module):
        if code in watched:
            return watched[code]
        qualname = getattr(code, "co_qualname", getattr(code, "__qualname__", ""))
        for prefix, names in library:
            if (module == prefix or module.startswith(prefix + ".")) and qualname.split(".")[-1] in names:
                return prefix + "." + qualname
        return None

    def profile(frame, event, arg):
        if event == "call":
            code, module = frame.f_code, frame.f_globals.get("__name__") or ""
        elif event == "c_call":
            code, module = arg, getattr(arg, "__module__", None) or ""
        else:
            return
        try:
            name = cache[code]
        except KeyError:
            name = cache[code] = name_of(code, module)
        except TypeError:
            return
        if name and by_student(frame if event == "c_call" else frame.f_back):
            seen.add(name)

    def resolve(names):
        watched.clear()
        cache.clear()
        for dotted in names:
            parts = dotted.split(".")
            obj = sys.modules.get(parts[0])
            for part in parts[1:]:
                obj = getattr(obj, part, None)
            obj = getattr(obj, "__func__", obj)
            while hasattr(obj, "__wrapped__"):
                obj = obj.__wrapped__
            code = getattr(obj, "__code__", None)
            if code is not None:
                watched[code] = dotted

    def hook(event, args):
        if event == "lagrange_ad.call":
            if by_student(sys._getframe(1)):
                seen.add(args[0])
        elif event == "sys.setprofile" and state["on"] and not state["mine"] \
                and threading.get_ident() == state["thread"]:
            seen.add("sys.setprofile")  # the student's code turned the watch off
        elif event == "lagrange_ad.take" and len(args) == 2 and args[0] == token:
            args[1].extend(sorted(seen))
            seen.clear()
        elif event == "lagrange_ad.profile" and len(args) == 2 and args[0] == token:
            state["mine"] = True
            try:
                if args[1]:
                    resolve(args[1])
                set_profile(profile if args[1] else None)
                set_thread_profile(profile if args[1] else None)  # threads the student starts
            finally:
                state["mine"] = False
            state["on"], state["thread"] = bool(args[1]), threading.get_ident()
    sys.addaudithook(hook)
_lagrange_ad_watch(__TOKEN__, __SOURCES__, __LIBRARY__)
del _lagrange_ad_watch
"""
_TAKE = "(lambda box: (__import__('sys').audit('lagrange_ad.take', {token!r}, box), box)[1])([])"
_PROFILE = "__import__('sys').audit('lagrange_ad.profile', {token!r}, {names!r})"


def watch_code(token: str, student_sources: list[str]) -> str:
    """The code that installs the watch in a grading kernel (run silently before the first cell)."""
    return (_WATCH.replace("__TOKEN__", repr(token)).replace("__SOURCES__", repr(student_sources))
            .replace("__LIBRARY__", repr(SOLVERS + AUTODIFF)))
NOT_ACCEPTED = re.compile(r"^# Not accepted: (.+)$", re.M)
_EXERCISE = re.compile(r"^(ch\d+-ex\d+)-(solution|check|hidden|answer)\d*$")

# "# Not accepted: a library solver (...)": the solvers an exercise that asks for back substitution
# refuses, as (module, function or method names) for the profile function above.
LIBRARY_SOLVERS = "a library solver"
SOLVERS = (
    ("numpy.linalg", ("solve", "inv", "lstsq", "pinv", "tensorsolve", "tensorinv")),
    ("scipy.linalg", ("solve", "solve_triangular", "solve_banded", "solveh_banded", "lu_solve", "cho_solve",
                      "inv", "lstsq", "pinv", "pinvh", "lu_factor", "lu")),
    ("scipy.sparse.linalg", ("spsolve", "spsolve_triangular", "inv", "splu", "factorized")),
    ("sympy.solvers", ("solve", "linsolve", "solve_linear_system", "solve_lin_sys")),
    ("sympy.matrices", ("solve", "LUsolve", "inv", "upper_triangular_solve", "lower_triangular_solve",
                        "gauss_jordan_solve", "QRsolve", "cholesky_solve", "LDLsolve", "pinv_solve",
                        "solve_least_squares", "pinv", "inverse_ADJ", "inverse_GE", "inverse_LU",
                        "inverse_CH", "inverse_LDL", "inverse_QR", "inverse_BLOCK", "rref")),
)

# "# Not accepted: library autodiff (...)": another library's derivatives, where an exercise asks for a
# gradient or λ's worked out by hand.
LIBRARY_AUTODIFF = "library autodiff"
AUTODIFF = (
    ("jax", ("grad", "value_and_grad", "vjp", "jvp", "jacrev", "jacfwd", "jacobian", "hessian", "linearize")),
    ("autograd", ("grad", "elementwise_grad", "value_and_grad", "jacobian", "hessian", "make_vjp", "make_jvp",
                  "holomorphic_grad", "grad_named", "multigrad_dict", "hessian_tensor_product")),
    ("torch.autograd", ("grad", "backward", "vjp", "jvp", "jacobian", "hessian")),
)
GROUPS = {LIBRARY_SOLVERS: SOLVERS, LIBRARY_AUTODIFF: AUTODIFF}


def audited_names() -> set[str]:
    """The names lagrange_ad's functions report through ``usage.note`` (read from its source,
    without importing it): refusing only these needs no profile function.

    >>> {"multipliers", "levels"} <= audited_names()
    True
    """
    spec = importlib.util.find_spec("lagrange_ad")
    folders = spec.submodule_search_locations if spec else []
    return {name for folder in folders for path in Path(folder).glob("*.py")
            for name in re.findall(r"\bnote\(\"(\w+)\"\)", path.read_text(encoding="utf-8"))}


def not_accepted(source: str) -> set[str]:
    """What a hidden-test cell refuses, from its ``# Not accepted:`` lines.

    Package functions by their dotted name; ``a library solver`` stands for the
    solvers in :data:`SOLVERS`, ``library autodiff`` for jax's, autograd's and
    torch's derivatives (:data:`AUTODIFF`).

    >>> sorted(not_accepted("# Not accepted: lagrange_ad.multipliers, lagrange_ad.solvers.levels (by hand)"))
    ['lagrange_ad.multipliers', 'lagrange_ad.solvers.levels']
    >>> sorted(not_accepted("# Not accepted: a library solver (numpy.linalg.solve, ...)"))
    ['a library solver']
    >>> sorted(not_accepted("# Not accepted: library autodiff (jax.grad, ...)"))
    ['library autodiff']
    """
    names = set()
    for line in NOT_ACCEPTED.findall(source):
        names |= set(re.findall(r"\blagrange_ad(?:\.\w+)+", line.split("(")[0]))
        names |= {group for group in GROUPS if line.startswith(group)}
    return names


def refused_by(refused: set[str], called: set[str]) -> list[str]:
    """The refused functions among the names the watch reported (audit names are short).

    >>> refused_by({"lagrange_ad.solvers.levels", "a library solver"}, {"levels", "numpy.linalg.solve"})
    ['lagrange_ad.solvers.levels', 'numpy.linalg.solve']
    >>> refused_by({"lagrange_ad.forward"}, {"sys.setprofile"})
    ['sys.setprofile']
    >>> refused_by({"library autodiff"}, {"jax.grad", "numpy.linalg.solve"})
    ['jax.grad']
    """
    used = set()
    for name in called:
        if name in refused or name == "sys.setprofile":
            used.add(name)
        elif "." not in name:  # lagrange_ad.usage.note's short names
            used |= {r for r in refused if r.startswith("lagrange_ad.") and r.rsplit(".", 1)[1] == name}
        elif any(name.startswith(prefix + ".") and name.rsplit(".", 1)[1] in functions
                 for group in refused & set(GROUPS) for prefix, functions in GROUPS[group]):
            used.add(name)
    return sorted(used)


class ResilientExecute(Execute):
    """nbgrader's Execute, surviving a cell that kills or hangs the kernel.

    That cell gets an error output (so a test cell scores 0 for it), the kernel
    restarts, the cells before it run again silently, and execution continues.
    """

    student_timeout = Integer(
        20, help="seconds per cell for the student's cells and the test cells (the chapter's own cells "
                 "get Execute.timeout); never more than Execute.timeout").tag(config=True)

    def _get_timeout(self, cell):
        timeout = super()._get_timeout(cell)
        if cell is not None and id(cell) in getattr(self, "_short", ()) and self.student_timeout > 0:
            return min(timeout, self.student_timeout) if timeout else self.student_timeout
        return timeout

    def preprocess(self, nb, resources=None, km=None):
        self._fatal = set()  # indices of cells that killed or hung the kernel
        self._token, self._watching, self._profiling = secrets.token_hex(16), False, []
        self._calls = {}  # cell index -> refused functions the student's code called in it
        self._plan(nb, resources or {})
        try:
            nb, resources = super().preprocess(nb, resources, km)
        finally:
            # The student may have deleted the working directory, where nbgrader writes next.
            self._ensure_cwd()
        self._refuse_package_answers(nb)
        return nb, resources

    # ------------------------------------------------------------ which refused functions ran

    def _silent(self, code: str, **kwargs):
        return run_sync(self.kc.execute_interactive)(code, silent=True, store_history=False, allow_stdin=False,
                                                     timeout=self.timeout, output_hook=lambda msg: None, **kwargs)

    def _watch(self, index):
        if not self._watching:
            self._silent(watch_code(self._token, self._student_sources))
            self._watching, self._profiling = True, []
        names = self._profiled.get(index, [])
        if names != self._profiling:
            self._silent(_PROFILE.format(token=self._token, names=names))
            self._profiling = names

    def _take(self) -> list[str]:
        try:
            reply = self._silent("", user_expressions={"calls": _TAKE.format(token=self._token)})
            value = reply["content"]["user_expressions"]["calls"]["data"]["text/plain"]
            return list(ast.literal_eval(value))
        except Exception:  # a dead or busy kernel, a student's odd namespace: nothing known
            return []

    def _student_cells(self, nb, resources) -> set[int]:
        """Indices of code cells the student added or changed (not in the released notebook)."""
        try:
            path = Path(resources["metadata"]["path"])  # <course>/autograded/<student>/<assignment>
            name = resources["nbgrader"]["notebook"] + ".ipynb"
            release = nbformat.read(path.parents[2] / "release" / path.name / name, as_version=4)
        except Exception:  # not an nbgrader course layout: only the exercise's own cells count
            return set()
        released = {c.source.strip() for c in release.cells if c.cell_type == "code"}
        return {i for i, c in enumerate(nb.cells) if c.cell_type == "code" and "nbgrader" not in c.metadata
                and c.source.strip() not in released}

    def _plan(self, nb, resources):
        """Before running: the student's cells, and each refusing exercise's cells and refusals.

        An exercise's window runs from the cells the student put before its solution to its
        last test cell, plus any cell the student added before that; the profile function is on
        in a window whose exercise refuses something lagrange_ad.usage does not report.
        """
        gids = [c.metadata.get("nbgrader", {}).get("grade_id", "") for c in nb.cells]
        added = self._student_cells(nb, resources)
        solutions = {i for i, g in enumerate(gids) if (m := _EXERCISE.match(g)) and m[2] == "solution"}
        self._student_sources = [nb.cells[i].source for i in sorted(added | solutions)]
        # The student's cells and the tests (which run the student's functions) get the shorter
        # timeout: an exercise's code takes milliseconds; the chapter's own cells may take seconds.
        tests = {i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade")}
        self._short = {id(nb.cells[i]) for i in added | solutions | tests}
        self._windows, self._profiled = [], {}
        audited = audited_names()
        for index, cell in enumerate(nb.cells):
            match = _EXERCISE.match(gids[index])
            refused = not_accepted(cell.source) if match and match[2] == "hidden" else set()
            if not refused:
                continue
            own = [i for i, g in enumerate(gids) if g.startswith(match[1] + "-")]
            first, last = own[0], own[-1]
            while first > 0 and nb.cells[first - 1].cell_type == "code" and not gids[first - 1]:
                first -= 1  # cells the student put right before the solution
            window = set(range(first, last + 1)) | {i for i in added if i < last}
            self._windows.append((match[1], refused, window, own))
            profiled = sorted(n for n in refused if n in GROUPS or n.rsplit(".", 1)[1] not in audited)
            for i in window if profiled else ():
                self._profiled[i] = sorted(set(self._profiled.get(i, [])) | set(profiled))
        # The calls are taken after each cell of a window, and after the cell before a window
        # (which clears what came earlier): one kernel round trip each, not one per cell.
        inside = {i for _, _, window, _ in self._windows for i in window}
        self._taken = inside | {i - 1 for i in inside}

    def _refuse_package_answers(self, nb):
        """Zero an exercise whose answer came from a function its hidden cell does not accept."""
        for exercise, refused, window, own in self._windows:
            used = refused_by(refused, {name for i in window for name in self._calls.get(i, ())})
            if not used:
                continue
            names = ", ".join(used)
            self.log.warning("Exercise %s: the student's code called %s, which it does not accept", exercise, names)
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
                self._watch(index)
            except Exception:  # the kernel is gone: the cell below reports it
                pass
        try:
            cell, resources = super().preprocess_cell(cell, resources, index)
            if cell.cell_type == "code" and index in self._taken:
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


