"""Turning what a person types into an instant, honestly across clock changes."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from publisher.errors import ScheduleError


def parse_when(
    text: str, zone: ZoneInfo, *, now: datetime, fold: int | None = None
) -> datetime:
    """Return the UTC instant meant by ``text``.

    ``text`` is ``now``, an ISO 8601 time with an offset, or an ISO 8601 local
    time in ``zone``. A local time that the clocks skip is refused; one that
    happens twice needs ``fold`` (0 = the first, 1 = the second) or an offset.
    """
    if text.strip().lower() == "now":
        return now.astimezone(UTC)
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise ScheduleError(
            f"Cannot read the time {text!r}. Use 'now' or ISO 8601, such as "
            "2027-03-29T09:00 (school time) or 2027-03-29T09:00+01:00."
        ) from exc
    if len(text.strip()) <= len("2027-03-29"):
        raise ScheduleError(
            f"{text!r} is a date without a time; add one, as in {text.strip()}T09:00."
        )
    if parsed.tzinfo is not None:
        instant = parsed.astimezone(UTC)
    else:
        instant = _local_to_utc(parsed, zone, fold)
    if instant < now - PAST_TOLERANCE:
        raise ScheduleError(
            f"{text} is in the past. Give a time to come, or 'now' to post at once."
        )
    return instant


#: How far in the past a typed time may be (a minute of typing) and still count.
PAST_TOLERANCE = timedelta(minutes=1)


def _local_to_utc(naive: datetime, zone: ZoneInfo, fold: int | None) -> datetime:
    first = naive.replace(tzinfo=zone, fold=0)
    second = naive.replace(tzinfo=zone, fold=1)
    if _round_trip(first) != naive or _round_trip(second) != naive:
        raise ScheduleError(
            f"{naive:%Y-%m-%d %H:%M} does not exist in {zone.key}: the clocks "
            "go forward then. Choose a time outside the skipped hour."
        )
    if first.utcoffset() != second.utcoffset():
        if fold is None:
            raise ScheduleError(
                f"{naive:%Y-%m-%d %H:%M} happens twice in {zone.key} because the "
                "clocks go back. Say which with --fold 0 (the first, "
                f"{first:%Z}) or --fold 1 (the second, {second:%Z}), or give "
                "an offset."
            )
        return (second if fold else first).astimezone(UTC)
    return first.astimezone(UTC)


def _round_trip(local: datetime) -> datetime:
    zone = local.tzinfo
    return local.astimezone(UTC).astimezone(zone).replace(tzinfo=None)


def describe(instant: datetime, zone: ZoneInfo) -> str:
    """A time as a person at the school reads it."""
    return instant.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")


#: How far apart the occurrences of a recurring post are, in local days.
RECURRENCES = {"day": 1, "week": 7, "fortnight": 14}


def next_occurrence(
    previous: datetime, zone: ZoneInfo, every: str, *, at: time | None = None
) -> datetime:
    """The next instant of a recurring post, at the series' local wall-clock time.

    ``at`` is the series' own time of day (default: that of ``previous``), so
    a weekly 09:00 post stays at 09:00 across clock changes. If that time
    falls in the hour the clocks skip, this occurrence moves to the same
    minutes past the hour after the change (the next one returns to ``at``);
    in the repeated hour it takes the first.
    """
    local = previous.astimezone(zone).replace(tzinfo=None)
    day = local.date() + timedelta(days=RECURRENCES[every])
    target = datetime.combine(day, at or local.time())
    candidate = target.replace(tzinfo=zone, fold=0)
    if _round_trip(candidate) != target:
        candidate = (target + timedelta(hours=1)).replace(tzinfo=zone, fold=0)
    return candidate.astimezone(UTC)
