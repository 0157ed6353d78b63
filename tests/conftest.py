"""Test-wide guards and fixtures.

No test may reach the internet: every socket connection to a non-loopback
address fails loudly. Platform fakes run on 127.0.0.1.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
SAMPLES = REPO / "samples"

_real_connect = socket.socket.connect


def _loopback_only(self: socket.socket, address: Any) -> Any:
    if self.family in (socket.AF_INET, socket.AF_INET6):
        host = address[0]
        try:
            loopback = ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = host == "localhost"
        if not loopback:
            raise ConnectionRefusedError(f"tests may not connect to {host!r}")
    return _real_connect(self, address)


@pytest.fixture(autouse=True, scope="session")
def _no_internet() -> Iterator[None]:
    socket.socket.connect = _loopback_only  # type: ignore[method-assign]
    yield
    socket.socket.connect = _real_connect  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep a developer's own .env and settings out of the tests."""
    prefixes = ("PUBLISHER_", "X_", "FB_", "IG_", "BSKY_", "MASTODON_")
    keep = ("PUBLISHER_TEST_POSTGRES_URL", "PUBLISHER_REQUIRE_POSTGRES")
    for key in list(os.environ):
        if key.startswith(prefixes) and key not in keep:
            monkeypatch.delenv(key)
    monkeypatch.setenv("PUBLISHER_ENV_FILE", os.devnull)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database, or a skip where there is no server."""
    url = os.environ.get("PUBLISHER_TEST_POSTGRES_URL")
    required = os.environ.get("PUBLISHER_REQUIRE_POSTGRES") == "1"
    if not url:
        pytest.skip("PUBLISHER_TEST_POSTGRES_URL is not set")
    import secrets

    import sqlalchemy as sa

    name = "publisher_test_" + secrets.token_hex(4)
    try:
        admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f"CREATE DATABASE {name}"))
    except Exception as exc:
        if required:
            raise
        pytest.skip(f"PostgreSQL is not reachable: {type(exc).__name__}")
    base = sa.engine.make_url(url)
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()
