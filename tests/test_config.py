"""Settings from the environment: numbers are checked, with the setting named."""

from __future__ import annotations

import pytest

from publisher.config import load_settings
from publisher.errors import ConfigError

BASE = {"PUBLISHER_DATA_DIR": "data"}


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [
        ("PUBLISHER_POLL_SECONDS", "abc", "is not a number"),
        ("PUBLISHER_POLL_SECONDS", "0.1", "at least 0.2"),
        ("PUBLISHER_LEASE_SECONDS", "nan", "is not a number"),
        ("PUBLISHER_LEASE_SECONDS", "inf", "is not a number"),
        ("PUBLISHER_HTTP_TIMEOUT", "-3", "at least 1"),
        ("PUBLISHER_GRACE_MINUTES", "0.5", "is not a whole number"),
        ("PUBLISHER_GRACE_MINUTES", "0", "greater than zero"),
        ("PUBLISHER_GRACE_MINUTES", "99999999999999", "at most 10080"),
        ("PUBLISHER_LEASE_SECONDS", "1e300", "at most 86400"),
        ("PUBLISHER_LEASE_SECONDS", "1e-300", "at least 1"),
        ("PUBLISHER_POLL_SECONDS", "1e300", "at most 3600"),
        ("PUBLISHER_HTTP_TIMEOUT", "1e12", "at most 600"),
    ],
)
def test_bad_numbers_are_refused_by_name(key: str, value: str, words: str) -> None:
    with pytest.raises(ConfigError, match=words) as caught:
        load_settings({**BASE, key: value})

    assert key in str(caught.value)


def test_good_numbers_are_read() -> None:
    settings = load_settings(
        {
            **BASE,
            "PUBLISHER_POLL_SECONDS": "0.5",
            "PUBLISHER_GRACE_MINUTES": "45",
            "PUBLISHER_LEASE_SECONDS": "120",
        }
    )

    assert settings.poll_seconds == 0.5
    assert settings.grace_minutes == 45
    assert settings.lease_seconds == 120
