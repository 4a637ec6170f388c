"""A whole term on JupyterHub with nbgrader's exchange, in headless Chromium, with real Unix users.

scripts/hub.py sets up the hub (shared environment, proxy from npm, users made by useradd, the
exchange); the test logs in through the hub's login page with the test-only shared password:

1. the instructor generates and releases chapter 10 from the formgrader;
2. three students, at the same time, fetch it from Nbgrader > Assignment List, answer in the
   notebook (right, wrong, blank; the right one first submits without the written answer, then
   again with it), validate and submit;
3. the instructor collects, autogrades each submission, grades the written answers by hand and
   generates and releases the feedback, all in the formgrader;
4. each student fetches the feedback and opens it in JupyterLab: their own score, nobody else's.

Then, from the gradebook and as the students' Unix users: the scores; a student can neither list
the exchange's submissions or feedback nor open another student's home or server, the instructor's
course or the hub's database; the released notebook in the exchange holds no hidden test and no
solution; the resubmission is the one
collected while both stay in the exchange and in the student's history.

Needs root (useradd, servers started as the users), npm, Debian's Chromium. The shared environment
(/opt/lagrange-ad-hub/env, or $LAGRANGE_AD_HUB_PREFIX/env) is built on the first run from
requirements.lock (about a minute) and reused while the lock is unchanged.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, REPO, free_port, wait_until_serving

sys.path.insert(0, str(REPO / "scripts"))
import hub as H  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.browser]

ASSIGNMENT, NOTEBOOK = "ch10", "ch10_history"
PASSWORD = "term-" + secrets.token_hex(8)
STEP_MS = 180_000  # one click's worth of work (a spawn, a validation, an autograde) on a loaded machine

RIGHT = """def costates(states, controls, a, h):
    p = [0.0] * len(states)
    p[-1] = states[-1]
    for t in range(len(states) - 2, -1, -1):
        p[t] = h * states[t] + p[t + 1] * (1 - h * a)
    return p
"""
WRONG = """def costates(states, controls, a, h):
    p = [states[0]]
    for t in range(1, len(states)):
        p.append(h * states[t] + p[-1] * (1 - h * a))
    return p
"""
GOOD_ESSAY = (
    "Both are the Lagrange multiplier of the constraint that computes x_t, so both equal dJ/dx_t; "
    "running backward in time is back substitution in the triangular system A lambda = e."
)
POOR_ESSAY = "They are both derivatives."
# (code, written answer, manual points for it); the blank student leaves both as released.
ANSWERS = {"right": (RIGHT, GOOD_ESSAY, 2), "wrong": (WRONG, POOR_ESSAY, 1), "blank": (None, None, None)}
EXPECTED = {"right": 5.0, "wrong": 1.0, "blank": 0.0}  # of 5: tests 1 + 2 (autograded), essay 2 (by hand)


# ---- the hub --------------------------------------------------------------------------------


def _kill_user_processes(user: str) -> None:
    """Stop what is left running as a test user (the hub stops their servers; kernels may linger)."""
    pids = subprocess.run(["ps", "-u", user, "-o", "pid="], capture_output=True, text=True).stdout.split()
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(int(pid), signal.SIGKILL)


@pytest.fixture(scope="module")
def hub():
    """A running hub with an instructor and three students (new Unix users); removes them all after."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("the hub test creates Unix users and runs servers as them: run it as root")
    for tool in ("useradd", "userdel", "npm"):
        if shutil.which(tool) is None:
            pytest.skip(f"the hub test needs `{tool}`")
    if not CHROMIUM.exists():
        pytest.skip(f"the hub test needs Debian's Chromium at {CHROMIUM}")
    tag = "lt" + secrets.token_hex(2)
    root = Path(f"/srv/lagrange-ad-hub-test-{tag}")
    course = H.Course(
        instructor=f"{tag}-teach",
        students=[f"{tag}-{who}" for who in ANSWERS],
        prefix=Path(os.environ.get("LAGRANGE_AD_HUB_PREFIX", H.DEFAULT_PREFIX)),
        state=root / "hub",
        exchange=root / "exchange",
        ip="127.0.0.1",
        port=free_port(),
        hub_port=free_port(),
        proxy_api_port=free_port(),
        test_password=PASSWORD,
    )
    proc = None
    log = root / "hub.log"
    try:
        root.mkdir(parents=True)
        os.chmod(root, 0o755)
        H.setup(course, create_users=True)
        with open(log, "w") as out:
            proc = subprocess.Popen(
                H.hub_command(course), stdout=out, stderr=subprocess.STDOUT, cwd=course.state, start_new_session=True
            )
        base = f"http://127.0.0.1:{course.port}"
        wait_until_serving(proc, f"{base}/hub/api/", 120, log, "jupyterhub")
        yield course, base, log
    finally:
        if proc is not None:
            # SIGTERM: the hub stops every user's server (cleanup_servers) and its proxy.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
            proxy_pid = course.state / "private" / "jupyterhub-proxy.pid"
            if proxy_pid.exists():
                with contextlib.suppress(ProcessLookupError, ValueError):
                    os.kill(int(proxy_pid.read_text()), signal.SIGTERM)
        for user in course.users:
            _kill_user_processes(user)
            subprocess.run(["userdel", "--remove", user], capture_output=True)
        if log.exists():
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            shutil.copy(log, ARTIFACTS / "hub.log")
        shutil.rmtree(root, ignore_errors=True)


# ---- the browser, one page per person -------------------------------------------------------


class Person:
    """A logged-in browser context of one hub user."""

    def __init__(self, browser, base: str, user: str):
        self.browser, self.base, self.user = browser, base, user

    async def __aenter__(self):
        self.context = await self.browser.new_context(viewport={"width": 1280, "height": 900})
        self.context.set_default_timeout(STEP_MS)
        self.page = await self.context.new_page()
        await self.page.goto(f"{self.base}/hub/login")
        await self.page.fill("#username_input", self.user)
        await self.page.fill("#password_input", PASSWORD)
        await self.page.click("#login_submit")
        await self.page.wait_for_url(re.compile(rf".*/user/{self.user}/lab.*"))
        return self

    async def __aexit__(self, kind, error, trace):
        if error is not None:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            with contextlib.suppress(Exception):
                await self.page.screenshot(path=str(ARTIFACTS / f"hub-{self.user}.png"), full_page=True)
        await self.context.close()


async def formgrader_action(page, row: str, column: str) -> str:
    """Click a formgrader button (release, collect, autograde, ...); return its dialog's text."""
    await page.click(f"{row} td.{column} a")
    dialog = page.locator(".modal-dialog")
    await dialog.wait_for()
    text = await dialog.inner_text()
    await page.click(".modal-footer button")
    await dialog.wait_for(state="detached")
    assert "Success" in text, f"formgrader {column}: {text[:2000]}"
    return text


async def open_assignment_list(page):
    await page.wait_for_selector(".jp-LabShell")
    await page.click(".lm-MenuBar-itemLabel:text-is('Nbgrader')")
    await page.click(".lm-Menu-itemLabel:text-is('Assignment List')")
    await page.wait_for_selector("#assignments")


async def instructor_releases(browser, base, course):
    async with Person(browser, base, course.instructor) as me:
        page = me.page
        # Nbgrader > Formgrader would embed it in an iframe, which JupyterHub >= 4.1 forbids: the
        # formgrader is used in its own browser tab (docs/teacher.md says so).
        await page.goto(f"{base}/user/{me.user}/formgrader")
        row = f"tr:has(td.name[data-order='{ASSIGNMENT}'])"
        await formgrader_action(page, row, "assign")  # "Generate": the student version
        text = await formgrader_action(page, row, "release")
        assert "Released as" in text


async def student_term(browser, base, user, who):
    """Fetch, answer, validate, submit (the right student twice). Returns the validation texts."""
    code, essay, _ = ANSWERS[who]
    async with Person(browser, base, user) as me:
        page = me.page
        await open_assignment_list(page)
        released = f"#released_assignments_list .list_item:has-text('{ASSIGNMENT}')"
        deadline = time.monotonic() + STEP_MS / 1000
        while True:  # the instructor may still be releasing it
            await page.wait_for_selector("#released_assignments_list_loading", state="hidden")
            if await page.locator(released).count():
                break
            assert time.monotonic() < deadline, f"{ASSIGNMENT} was never released"
            await page.click("#refresh_assignments_list")
            await page.wait_for_timeout(3000)  # a listing takes seconds; never ask again before it answers
        await page.click(f"{released} button:text-is('Fetch')")
        fetched = f"#fetched_assignments_list .list_item:has-text('{ASSIGNMENT}')"
        await page.wait_for_selector(fetched)
        await page.click(f"{fetched} a.assignment-notebooks-link")
        notebooks = f"#nbgrader-{H.COURSE_ID}-{ASSIGNMENT}"
        await page.click(f"{notebooks} a:text-is('{NOTEBOOK}')")
        panel = ".jp-NotebookPanel:not(.lm-mod-hidden)"
        await page.wait_for_selector(f"{panel} .jp-CodeCell:has-text('NotImplementedError')")
        if code is not None:
            await page.click(f"{panel} .jp-CodeCell:has-text('NotImplementedError') .cm-content")
            await page.keyboard.press("Control+a")
            await page.keyboard.insert_text(code)  # as if pasted: no auto-indent
        if who != "right" and essay is not None:
            await write_essay(page, panel, essay)
        await save(page)
        validations = [await validate(page, notebooks)]
        await submit(page, fetched, expected=1)
        if who == "right":  # forgot the essay: write it and submit again
            await page.click(".lm-TabBar-tab:has-text('ch10_history.ipynb')")
            await write_essay(page, panel, essay)
            await save(page)
            await page.click(".lm-TabBar-tab:has-text('Assignments')")
            validations.append(await validate(page, notebooks))
            await submit(page, fetched, expected=2)
        return validations


async def write_essay(page, panel, text):
    await page.keyboard.press("Escape")  # command mode
    await page.click(f"{panel} .jp-MarkdownCell:has-text('YOUR ANSWER HERE')")
    await page.keyboard.press("Enter")  # edit the selected cell
    await page.wait_for_selector(f"{panel} .jp-MarkdownCell.jp-mod-active .cm-editor.cm-focused")
    await page.keyboard.press("Control+a")
    await page.keyboard.insert_text(text)
    await page.keyboard.press("Escape")


async def save(page):
    await page.keyboard.press("Control+s")
    await page.wait_for_selector(".lm-TabBar-tab.jp-mod-dirty", state="detached")


async def validate(page, notebooks) -> str:
    await page.click(".lm-TabBar-tab:has-text('Assignments')")
    if not await page.locator(f"{notebooks}.in").count():  # the notebook list is folded
        await page.click(f"#fetched_assignments_list .list_item:has-text('{ASSIGNMENT}') a.assignment-notebooks-link")
    await page.click(f"{notebooks} button:text-is('Validate')")
    dialog = page.locator(".jp-Dialog")
    await dialog.wait_for()
    text = await dialog.inner_text()
    await page.click(".jp-Dialog-footer button")
    await dialog.wait_for(state="detached")
    return text


async def submit(page, fetched, expected: int):
    await page.click(f"{fetched} button:text-is('Submit')")
    rows = f"#nbgrader-{H.COURSE_ID}-{ASSIGNMENT}-submissions .nested_list_item"
    await page.wait_for_function(f"() => document.querySelectorAll({json.dumps(rows)}).length === {expected}")


async def instructor_grades(browser, base, course, students):
    async with Person(browser, base, course.instructor) as me:
        page = me.page
        row = f"tr:has(td.name[data-order='{ASSIGNMENT}'])"
        await page.goto(f"{base}/user/{me.user}/formgrader")
        await formgrader_action(page, row, "collect")
        await page.wait_for_selector(f"{row} td.num-submissions[data-order='{len(students)}']")
        await page.goto(f"{base}/user/{me.user}/formgrader/manage_submissions/{ASSIGNMENT}")
        for user in students.values():
            await formgrader_action(page, f"tr:has(td.student-id[data-order='{user}'])", "autograde")
        # The written answers, by hand: open each submission from the notebook's list.
        await page.goto(f"{base}/user/{me.user}/formgrader/gradebook/{ASSIGNMENT}/{NOTEBOOK}")
        links = {}
        for who, user in students.items():
            link = page.locator(f"a.name-shown:text-is('{user}')")
            await link.wait_for(state="attached")
            links[who] = await link.get_attribute("href")
        box = "input.score#ch10-ex2-answer"
        for who, points in ((w, a[2]) for w, a in ANSWERS.items()):
            # The page's script fills each score box once the grades have loaded: before that, a
            # typed score would be overwritten, and the box lacks the "needs grading" mark.
            async with page.expect_response(lambda r: "/formgrader/api/grades?" in r.url):
                await page.goto(base + links[who])
            if points is None:  # left blank: nbgrader scored it 0 (the placeholder) and asks for nothing
                await page.wait_for_selector(f"{box}[placeholder='0']")
                assert "needs_manual_grade" not in (await page.get_attribute(box, "class")), who
                continue
            await page.wait_for_selector(f"{box}.needs_manual_grade")
            async with page.expect_response(
                lambda r: "/formgrader/api/grade/" in r.url and r.request.method == "PUT"
            ) as saved:
                await page.fill(box, str(points))
                await page.keyboard.press("Tab")  # the formgrader saves a score when the box loses focus
            assert (await saved.value).ok, who
            await page.wait_for_selector(f"{box}.needs_manual_grade", state="detached")
        await page.goto(f"{base}/user/{me.user}/formgrader")
        await formgrader_action(page, row, "generate-feedback")
        await formgrader_action(page, row, "release-feedback")


async def student_reads_feedback(browser, base, user, others) -> str:
    """Fetch the feedback, open it in JupyterLab; try another student's server. Returns its text."""
    async with Person(browser, base, user) as me:
        page = me.page
        await open_assignment_list(page)
        submitted = f"#submitted_assignments_list .list_item:has-text('{ASSIGNMENT}')"
        await page.click(f"{submitted} button:text-is('Fetch Feedback')")
        await page.click(f"{submitted} a:text('view feedback')")  # the file browser goes there
        await page.dblclick(f".jp-DirListing-item:has-text('{NOTEBOOK}.html')")
        frame = page.frame_locator(".jp-HTMLViewer iframe")
        # The viewer's iframe has a body before the feedback loads into it (an empty text under load):
        # wait for the feedback's own title line, then read the whole of it.
        await frame.locator("body", has_text=f"{NOTEBOOK} (Score:").wait_for()
        text = await frame.locator("body").inner_text()
        for other in others:  # JupyterHub lets nobody into another user's server
            resp = await page.request.get(f"{base}/user/{other}/api/contents/{ASSIGNMENT}")
            assert resp.status == 403, (user, other, resp.status, (await resp.text())[:300])
        return text


class Clock:
    """Prints the seconds each phase took (pytest -s shows them; CI's log keeps them)."""

    def __init__(self):
        self.last = time.monotonic()

    def __call__(self, what: str):
        now = time.monotonic()
        print(f"[hub test] {what} in {now - self.last:.0f} s", flush=True)
        self.last = now


async def whole_term(hub_course, base, students):
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        clock = Clock()
        try:
            # The students log in while the instructor releases, and wait for the chapter.
            _, *validations = await asyncio.gather(
                instructor_releases(browser, base, hub_course),
                *(student_term(browser, base, user, who) for who, user in students.items()),
            )
            clock("the instructor released, the students submitted")
            await instructor_grades(browser, base, hub_course, students)
            clock("the instructor graded and released feedback")
            feedback = await asyncio.gather(
                *(
                    student_reads_feedback(browser, base, user, [u for u in students.values() if u != user])
                    for user in students.values()
                )
            )
            clock("the students read their feedback")
        finally:
            await browser.close()
    return dict(zip(students, validations, strict=True)), dict(zip(students, feedback, strict=True))


# ---- the test -------------------------------------------------------------------------------


def test_a_term_on_the_hub(hub):
    course, base, _log = hub
    students = dict(zip(ANSWERS, course.students, strict=True))
    started = time.monotonic()
    # In a thread of its own: when other browser tests ran first, their session-wide Playwright (the
    # sync API) owns this thread's event loop, and asyncio.run() would refuse to start here.
    with ThreadPoolExecutor(max_workers=1) as thread:
        validations, feedback = thread.submit(asyncio.run, whole_term(course, base, students)).result()
    print(f"the term in the browser took {time.monotonic() - started:.0f} s")
    for user in course.users:  # for the sizing in docs/teacher.md: each user's server (and kernels)
        rss = subprocess.run(["ps", "-u", user, "-o", "rss="], capture_output=True, text=True).stdout.split()
        print(f"[hub test] {user}: {len(rss)} processes, {sum(map(int, rss)) // 1024} MB resident")

    # Validation told each student the truth before they submitted.
    first, second = validations["right"]  # without, then with the written answer
    assert "You did not provide a response" in first and "NotImplementedError" not in first, first
    assert "Success! Your notebook passes all the tests." in second, second
    for who in ("wrong", "blank"):
        assert "Success" not in validations[who][0], (who, validations[who][0])

    # The gradebook (read as root, as the instructor's formgrader wrote it) and each student's page.
    from nbgrader.api import Gradebook

    root = course.course_root()
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        scores = {who: gb.find_submission(ASSIGNMENT, user).score for who, user in students.items()}
        waiting = {who: gb.find_submission(ASSIGNMENT, user).needs_manual_grade for who, user in students.items()}
    assert waiting == dict.fromkeys(students, False), waiting
    assert scores == EXPECTED
    for who, text in feedback.items():
        assert f"{NOTEBOOK} (Score: {EXPECTED[who]:.1f} / 5.0)" in text, (who, text[:500])
        assert not any(user in text for user in students.values()), f"{who}'s feedback names a student"

    # The resubmission is what was graded; both submissions stay in the exchange and the history.
    right = students["right"]
    inbound = course.exchange / H.COURSE_ID / "inbound"
    mine = sorted(p for p in inbound.iterdir() if p.name.startswith(f"{right}+{ASSIGNMENT}+"))
    assert len(mine) == 2, mine
    stamps = sorted((p / "timestamp.txt").read_text() for p in mine)
    collected = root / "submitted" / right / ASSIGNMENT
    assert (collected / "timestamp.txt").read_text() == stamps[1]
    graded = json.loads((collected / f"{NOTEBOOK}.ipynb").read_text())
    assert any(GOOD_ESSAY in "".join(c["source"]) for c in graded["cells"])
    by_stamp = {(p / "timestamp.txt").read_text(): p for p in mine}
    first = json.loads((by_stamp[stamps[0]] / f"{NOTEBOOK}.ipynb").read_text())
    assert not any(GOOD_ESSAY in "".join(c["source"]) for c in first["cells"])
    history = H.as_user(
        course,
        right,
        [
            course.python,
            "-c",
            (
                "import glob, os; print(len(glob.glob(os.path.expanduser("
                f"'~/.local/share/jupyter/nbgrader_cache/{H.COURSE_ID}/{right}+{ASSIGNMENT}+*'))))"
            ),
        ],
        capture_output=True,
        text=True,
    )
    assert history.stdout.strip() == "2", history

    # What a student can reach as their Unix user.
    wrong = students["wrong"]
    probe = H.as_user(
        course,
        wrong,
        [
            course.python,
            "-c",
            PROBE,
            str(course.exchange / H.COURSE_ID),
            str(pwd.getpwnam(right).pw_dir),
            str(root),
            ASSIGNMENT,
            NOTEBOOK,
            str(course.state / "private"),
        ],
        capture_output=True,
        text=True,
    )
    assert probe.returncode == 0, probe.stderr
    seen = json.loads(probe.stdout)
    assert seen == {
        "list inbound": "denied",
        "list feedback": "denied",
        "other's home": "denied",
        "instructor's course": "denied",
        "hub's database": "denied",
        "released notebook": "readable",
        "hidden tests in release": False,
        "solution in release": False,
    }, seen


# Run as a student: what can they see? (json on stdout)
PROBE = r"""
import json, os, sys
course, other_home, instructor_course, assignment, notebook, hub_private = sys.argv[1:]
def attempt(f):
    try:
        f()
        return "readable"
    except PermissionError:
        return "denied"
released = os.path.join(course, "outbound", assignment, notebook + ".ipynb")
text = open(released).read()
print(json.dumps({
    "list inbound": attempt(lambda: os.listdir(os.path.join(course, "inbound"))),
    "list feedback": attempt(lambda: os.listdir(os.path.join(course, "feedback"))),
    "other's home": attempt(lambda: os.listdir(other_home)),
    "instructor's course": attempt(lambda: os.listdir(instructor_course)),
    "hub's database": attempt(lambda: open(os.path.join(hub_private, "jupyterhub.sqlite")).read(1)),
    "released notebook": attempt(lambda: open(released).read()),
    "hidden tests in release": "BEGIN HIDDEN TESTS" in text or "_p[5] = _x[5]" in text,
    "solution in release": "p_[T_] = states[T_]" in text,
}))
"""
