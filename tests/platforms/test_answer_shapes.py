"""Platform answers of the wrong shape or size are read safely, never crash."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from publisher.platforms._http import MAX_WAIT, wait_until
from publisher.platforms.instagram import _number, _usage_minutes

NOW = datetime(2027, 6, 12, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (90, NOW + timedelta(seconds=90)),
        (99_999_999_999_999, NOW + MAX_WAIT),
        (float("inf"), NOW + MAX_WAIT),
        (-5, None),
        (float("nan"), None),
        (None, None),
    ],
)
def test_a_wait_asked_for_is_capped_at_a_day(
    seconds: float | None, expected: datetime | None
) -> None:
    assert wait_until(NOW, seconds) == expected


@pytest.mark.parametrize(
    ("header", "minutes"),
    [
        ('{"1": [{"estimated_time_to_regain_access": 7}]}', 7),
        ('{"1": [{"estimated_time_to_regain_access": "soon"}]}', 0),
        ('{"1": [{"estimated_time_to_regain_access": {"m": 3}}]}', 0),
        ("[1, 2]", 0),
        ("not json", 0),
    ],
)
def test_usage_header_of_any_shape(header: str, minutes: int) -> None:
    assert _usage_minutes(header) == minutes


@pytest.mark.parametrize(
    ("value", "number"), [(190, 190), ("190", None), ({"a": 1}, None), (True, None)]
)
def test_error_codes_must_be_numbers(value: object, number: int | None) -> None:
    assert _number(value) == number
