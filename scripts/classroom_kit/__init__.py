"""The classroom kit behind scripts/classroom.py: collect, grade, report, feedback.

Modules, one job each:

- ``course``: where things are (course folder, chapters, released notebooks).
- ``intake``: read students' downloads (LMS names, checkpoints, copies) and
  tell a gradeable notebook from one that is not (empty, another chapter's).
- ``grading``: autograde with nbgrader's own Autograde app, in parallel,
  one log per submission, a status per submission.
- ``report``: the status of every student and chapter; the gradebook CSV.
- ``feedback``: the feedback page a student receives.
- ``nbgrader_plugins``: the preprocessors nbgrader_config.py installs.
- ``forkserver`` (with ``forklaunch.py``): grading kernels forked from a process that
  has imported the heavy modules once.
"""
