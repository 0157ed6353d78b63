"""The interface every platform client implements.

A client is built from settings, checks a post against the platform's limits
before anything is sent, publishes it, and can take it down again. Clients
never sleep or retry: they raise ``TransientPlatformError`` (with ``retry_at``
when the platform says when), ``PermanentPlatformError`` or
``UnknownOutcomeError`` and leave the waiting to the scheduler.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import ClassVar

from publisher.errors import (
    PermanentPlatformError,
    PlatformError,
    UnknownOutcomeError,
)
from publisher.models import OutgoingPost, PublishReceipt

logger = logging.getLogger(__name__)


class Platform(ABC):
    """One account on one platform."""

    #: The name used in ``--to`` and in the store.
    name: ClassVar[str]
    max_images: ClassVar[int] = 4
    max_image_bytes: ClassVar[int] = 5_000_000
    max_alt_chars: ClassVar[int] = 1000
    #: Whether this platform can carry alt text at all.
    takes_alt_text: ClassVar[bool] = True

    def limit_problems(self, post: OutgoingPost) -> list[str]:
        """Every way ``post`` breaks this platform's limits, as sentences.

        Subclasses extend this with text-length rules.
        """
        problems: list[str] = []
        if len(post.images) > self.max_images:
            problems.append(
                f"{self.name} takes at most {self.max_images} images; "
                f"this post has {len(post.images)}."
            )
        for number, image in enumerate(post.images, start=1):
            if image.image.byte_size > self.max_image_bytes:
                problems.append(
                    f"Image {number} is {image.image.byte_size:,} bytes; "
                    f"{self.name} takes at most {self.max_image_bytes:,}."
                )
            if not image.alt_text.strip():
                problems.append(f"Image {number} has no alt text; add one.")
            elif len(image.alt_text) > self.max_alt_chars:
                problems.append(
                    f"Alt text of image {number} is {len(image.alt_text)} "
                    f"characters; {self.name} takes at most {self.max_alt_chars}."
                )
        return problems

    def refuse_over_limits(self, post: OutgoingPost) -> None:
        """Raise before any call when ``post`` breaks this platform's limits."""
        problems = self.limit_problems(post)
        if problems:
            raise PermanentPlatformError(
                f"The post breaks {self.name}'s limits, so nothing was sent: "
                + " ".join(problems),
                platform=self.name,
                code="limits",
            )

    def create_or_find(
        self,
        create: Callable[[], str],
        find: Callable[[list[str]], str | None],
        media_ids: list[str],
    ) -> str:
        """Create the post; if its answer is lost, look for it by its media.

        Media uploaded for this attempt belong to no other post, so a recent
        post carrying exactly them is this post. Without media nothing
        identifies it: the lost answer stands and a person must check.
        """
        try:
            return create()
        except UnknownOutcomeError:
            if not media_ids:
                raise
            try:
                found = find(media_ids)
            except PlatformError:
                found = None
            if found is None:
                raise
            logger.warning("%s: lost answer; post %s found again", self.name, found)
            return found

    @abstractmethod
    def publish(self, post: OutgoingPost) -> PublishReceipt:
        """Send ``post``; return the ids a takedown will need."""

    @abstractmethod
    def delete(self, receipt: PublishReceipt) -> None:
        """Remove a published post; a post already gone counts as removed."""

    @abstractmethod
    def check_credentials(self) -> str:
        """Make one read-only call; return who the account is."""
