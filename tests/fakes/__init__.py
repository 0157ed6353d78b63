"""Faithful local fakes of the platforms, served over real loopback HTTP.

Typical use in a test or an end-to-end script::

    with running_x_fake() as running:
        creds = x_credentials(running)          # XCredentials aimed at the fake
        XPlatform(creds, timeout=5).publish(post)
        assert running.fake.live_posts()

or, without a ``with`` block, ``running = start_x_fake()`` and later
``running.stop()``. ``running`` unpacks as ``fake, base_url, stop``.
Call ``running.check()`` before stopping to fail on any crash inside the
fake. ``LoopbackGuard`` refuses every non-loopback connection during a test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any, Generic, NamedTuple, TypeVar

from publisher.config import FacebookCredentials, XCredentials
from tests.fakes.core import (
    FakeClock,
    FakePlatform,
    NoAnswer,
    RecordedRequest,
    Ticker,
)
from tests.fakes.facebook import FacebookFake
from tests.fakes.guard import LoopbackGuard, NonLoopbackConnection
from tests.fakes.images import describe, make_image
from tests.fakes.server import LoopbackServer
from tests.fakes.x import XFake

__all__ = [
    "FacebookFake",
    "FakeClock",
    "FakePlatform",
    "LoopbackGuard",
    "LoopbackServer",
    "NoAnswer",
    "NonLoopbackConnection",
    "RecordedRequest",
    "RunningFake",
    "Ticker",
    "XFake",
    "describe",
    "facebook_credentials",
    "make_image",
    "running_facebook_fake",
    "running_x_fake",
    "start_facebook_fake",
    "start_x_fake",
    "x_credentials",
]

F = TypeVar("F", bound=FakePlatform)


class RunningFake(NamedTuple, Generic[F]):
    """A fake being served; unpacks as ``(fake, base_url, stop)``."""

    fake: F
    base_url: str
    stop: Callable[[], None]
    server: LoopbackServer

    def check(self) -> None:
        """Fail if the fake crashed while answering any request."""
        if self.server.errors:
            raise AssertionError(f"the fake crashed: {self.server.errors!r}")


def serve(fake: F) -> RunningFake[F]:
    """Serve ``fake`` on a free loopback port until ``stop`` is called."""
    server = LoopbackServer(fake.handle).start()
    return RunningFake(fake, server.base_url, server.stop, server)


def start_x_fake(fake: XFake | None = None) -> RunningFake[XFake]:
    return serve(fake or XFake())


def start_facebook_fake(fake: FacebookFake | None = None) -> RunningFake[FacebookFake]:
    return serve(fake or FacebookFake())


@contextmanager
def running_x_fake(fake: XFake | None = None) -> Iterator[RunningFake[XFake]]:
    running = start_x_fake(fake)
    try:
        yield running
        running.check()
    finally:
        running.stop()


@contextmanager
def running_facebook_fake(
    fake: FacebookFake | None = None,
) -> Iterator[RunningFake[FacebookFake]]:
    running = start_facebook_fake(fake)
    try:
        yield running
        running.check()
    finally:
        running.stop()


def x_credentials(running: RunningFake[XFake], **overrides: Any) -> XCredentials:
    """Credentials whose uploads and tweepy calls both reach the fake."""
    creds = XCredentials(
        **running.fake.credentials(),
        api_base=running.base_url,
        client_base=running.base_url,
    )
    return replace(creds, **overrides)


def facebook_credentials(
    running: RunningFake[FacebookFake], **overrides: Any
) -> FacebookCredentials:
    """Credentials for the fake's Page, with the Graph base at the fake."""
    fake = running.fake
    creds = FacebookCredentials(
        page_id=fake.page_id,
        page_access_token=fake.page_token,
        graph_base=running.base_url + "/",
        app_secret=fake.app_secret,
    )
    return replace(creds, **overrides)
