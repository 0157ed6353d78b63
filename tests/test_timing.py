from __future__ import annotations

import time
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from publisher.errors import ScheduleError
from publisher.timing import describe, parse_when

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2027, 1, 10, 12, 0, tzinfo=UTC)


def test_now_is_the_given_instant() -> None:
    assert parse_when("now", LONDON, now=NOW) == NOW


def test_local_winter_time_is_utc() -> None:
    assert parse_when("2027-01-11T09:00", LONDON, now=NOW) == datetime(
        2027, 1, 11, 9, 0, tzinfo=UTC
    )


def test_local_summer_time_is_an_hour_ahead() -> None:
    assert parse_when("2027-06-11T09:00", LONDON, now=NOW) == datetime(
        2027, 6, 11, 8, 0, tzinfo=UTC
    )


def test_explicit_offset_wins_over_zone() -> None:
    assert parse_when("2027-06-11T09:00+02:00", LONDON, now=NOW) == datetime(
        2027, 6, 11, 7, 0, tzinfo=UTC
    )


def test_skipped_hour_is_refused() -> None:
    with pytest.raises(ScheduleError, match="does not exist"):
        parse_when("2027-03-28T01:30", LONDON, now=NOW)


def test_repeated_hour_needs_a_choice() -> None:
    with pytest.raises(ScheduleError, match="happens twice"):
        parse_when("2027-10-31T01:30", LONDON, now=NOW)


@pytest.mark.parametrize(("fold", "hour"), [(0, 0), (1, 1)])
def test_repeated_hour_with_fold(fold: int, hour: int) -> None:
    instant = parse_when("2027-10-31T01:30", LONDON, now=NOW, fold=fold)
    assert instant == datetime(2027, 10, 31, hour, 30, tzinfo=UTC)


def test_unreadable_time_explains_the_format() -> None:
    with pytest.raises(ScheduleError, match="ISO 8601"):
        parse_when("next tuesday", LONDON, now=NOW)


@pytest.mark.parametrize("tz", ["UTC", "America/New_York", "Asia/Tokyo", ""])
def test_process_zone_changes_nothing(tz: str, monkeypatch: pytest.MonkeyPatch) -> None:
    if tz:
        monkeypatch.setenv("TZ", tz)
    else:
        monkeypatch.delenv("TZ", raising=False)
    time.tzset()
    try:
        instant = parse_when("2027-06-11T09:00", LONDON, now=NOW)
        assert instant == datetime(2027, 6, 11, 8, 0, tzinfo=UTC)
        assert describe(instant, LONDON) == "2027-06-11 09:00 BST"
    finally:
        monkeypatch.undo()
        time.tzset()


def test_weekly_nine_oclock_survives_both_clock_changes() -> None:
    from publisher.timing import next_occurrence

    instant = parse_when("2027-03-22T09:00", LONDON, now=NOW)
    seen = []
    for _ in range(32):
        instant = next_occurrence(instant, LONDON, "week")
        seen.append(instant.astimezone(LONDON).strftime("%H:%M %Z"))
    assert seen[0] == "09:00 GMT" or seen[0] == "09:00 BST"
    assert {s[:5] for s in seen} == {"09:00"}
    assert "09:00 BST" in seen and "09:00 GMT" in seen


def test_repeat_in_the_skipped_hour_moves_past_it() -> None:
    from publisher.timing import next_occurrence

    before = parse_when("2027-03-21T01:30", LONDON, now=NOW)
    after = next_occurrence(before, LONDON, "week")
    assert after.astimezone(LONDON).strftime("%Y-%m-%d %H:%M") == "2027-03-28 02:30"


def test_series_returns_to_its_time_after_the_skipped_hour() -> None:
    from datetime import time as clock

    from publisher.timing import next_occurrence

    instant = parse_when("2027-03-21T01:30", LONDON, now=NOW)
    seen = []
    for _ in range(3):
        instant = next_occurrence(instant, LONDON, "week", at=clock(1, 30))
        seen.append(instant.astimezone(LONDON).strftime("%m-%d %H:%M"))
    assert seen == ["03-28 02:30", "04-04 01:30", "04-11 01:30"]


def test_time_in_the_past_is_refused() -> None:
    with pytest.raises(ScheduleError, match="in the past"):
        parse_when("2026-12-01T09:00", LONDON, now=NOW)


def test_date_without_time_is_refused() -> None:
    with pytest.raises(ScheduleError, match="without a time"):
        parse_when("2027-06-01", LONDON, now=NOW)
