"""The names policy never logs text, names or roster contents."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from publisher.policy import NamesChecker, load_roster


def test_nothing_sensitive_reaches_the_log(
    roster_path: Path, checker: NamesChecker, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="publisher")
    load_roster(roster_path)
    checker.judge(
        "Secret caption about Catrin Jones",
        ["Alt text naming Tegan"],
        has_images=True,
        pictured=["T001"],
        targets=["facebook"],
    )
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert caplog.records  # counts are logged
    for word in ("Catrin", "Jones", "Tegan", "Secret", "Alt text"):
        assert word not in logged
