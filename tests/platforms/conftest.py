"""Fixtures for platform-client tests: loopback fakes, clients and images."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from publisher.models import OutgoingPost, PostImage, SanitisedImage
from tests.fakes import (
    FacebookFake,
    LoopbackGuard,
    RunningFake,
    XFake,
    make_image,
    start_facebook_fake,
    start_x_fake,
)

#: Generous for loopback; tests that wait for a timeout use their own.
CLIENT_TIMEOUT = 10.0
WELSH_ALT = "Plant yn chwarae — ŵyn bach"


@pytest.fixture(autouse=True)
def loopback_guard(monkeypatch: pytest.MonkeyPatch) -> Iterator[LoopbackGuard]:
    """Fail the test if anything tried to reach a non-loopback host."""
    guard = LoopbackGuard()
    guard.install(monkeypatch)
    yield guard
    guard.check()


@pytest.fixture
def x_fake() -> Iterator[RunningFake[XFake]]:
    running = start_x_fake()
    try:
        yield running
        running.check()
    finally:
        running.stop()


@pytest.fixture
def fb_fake() -> Iterator[RunningFake[FacebookFake]]:
    running = start_facebook_fake()
    try:
        yield running
        running.check()
    finally:
        running.stop()


ImageFactory = Callable[..., SanitisedImage]
PostFactory = Callable[..., OutgoingPost]


@pytest.fixture
def image_factory(tmp_path: Path) -> ImageFactory:
    """Make a distinct noisy JPEG (or PNG, GIF) under ``tmp_path``."""
    counter = iter(range(1, 1000))

    def make(
        media_type: str = "image/jpeg", size: tuple[int, int] = (64, 48)
    ) -> SanitisedImage:
        number = next(counter)
        extension = media_type.rsplit("/", 1)[-1]
        return make_image(
            tmp_path,
            f"image-{number}.{extension}",
            size=size,
            seed=number,
            media_type=media_type,
        )

    return make


@pytest.fixture
def post_factory(image_factory: ImageFactory) -> PostFactory:
    """Build an ``OutgoingPost`` with ``count`` images and numbered alt texts."""

    def make(
        count: int = 1,
        *,
        text: str = "Diwrnod chwaraeon / Sports day at school",
        alts: list[str] | None = None,
        images: list[SanitisedImage] | None = None,
    ) -> OutgoingPost:
        pictures = images or [image_factory() for _ in range(count)]
        alt_texts = alts or [f"{WELSH_ALT} {n}" for n in range(1, len(pictures) + 1)]
        return OutgoingPost(
            post_id="post-1",
            text=text,
            images=tuple(
                PostImage(image=picture, alt_text=alt)
                for picture, alt in zip(pictures, alt_texts, strict=True)
            ),
        )

    return make
