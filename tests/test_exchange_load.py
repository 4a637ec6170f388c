"""nbgrader's exchange under a small rush: ``benchmarks/exchange.py`` with 5 students in 5 seconds.

The benchmark (50 students in a minute: ``sudo python -m benchmarks.exchange``) creates the students
as Unix users, has each submit as themselves, collects and autogrades as the instructor, and counts
what was lost or mixed up. Here at a small size, so that it runs in CI: nothing may be lost, mixed up
or scored wrongly, and every user and folder it made must be gone afterwards.
"""

from __future__ import annotations

import os
import pwd
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository root holds benchmarks/

pytestmark = pytest.mark.slow


def test_five_students_submit_at_once_and_nothing_is_lost():
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("the exchange benchmark creates Unix users: run it as root")
    if shutil.which("useradd") is None:
        pytest.skip("the exchange benchmark needs useradd")
    from benchmarks import exchange

    result = exchange.run(students=5, window=5.0, prefix=os.environ.get("LAGRANGE_AD_HUB_PREFIX"))
    print(result)
    assert result["submit_failed"] == 0, result["submit_failures"]
    assert result["in_exchange"] == 5 and result["collected"] == 5 and result["graded"] == 5
    assert result["lost"] == 0 and result["mixed_up"] == 0, result["mixed_up_students"]
    assert result["wrong_scores"] == 0, result["wrong_score_list"]
    assert result["autograde_exit"] == 0
    assert not {p.pw_name for p in pwd.getpwall()} & set(result["users"]), "users were left behind"
    assert not Path(result["root"]).exists(), "folders were left behind"
