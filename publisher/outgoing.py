"""What leaves the machine for one post, and what its targets add up to.

Shared by the publish step and the dry run, so that the preview shows exactly
what publishing would send and checks exactly what publishing would check.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from publisher.errors import MediaError
from publisher.intake import PostParts
from publisher.models import OutgoingPost, PostStatus, TargetStatus
from publisher.store import StoredPost, StoredTarget

#: Target states that still expect a platform call.
WAITING = (TargetStatus.PENDING, TargetStatus.RETRY)


@dataclass
class TargetReport:
    """What happened to one post on one target in this run."""

    target: str
    status: TargetStatus
    detail: str = ""
    url: str | None = None


@dataclass
class PostReport:
    """What happened to one post in this run."""

    post_id: str
    status: PostStatus
    targets: list[TargetReport] = field(default_factory=list)
    detail: str = ""


def parts_of(post: StoredPost) -> PostParts:
    return PostParts(
        caption=post.caption,
        alt_texts=[image.alt_text for image in post.images],
        pictured=post.pictured,
        targets=[t.target for t in post.targets],
        acknowledged_keys=post.acknowledged_keys,
    )


def outgoing(post: StoredPost) -> OutgoingPost:
    """Exactly what every target receives for ``post``."""
    return OutgoingPost(post_id=post.id, text=post.caption, images=post.images)


def image_problems(post: StoredPost) -> list[str]:
    """Why a stored image may not be sent, if it may not."""
    from publisher.media import verify_clean

    problems = []
    for number, item in enumerate(post.images, start=1):
        path = item.image.path
        if not path.is_file():
            problems.append(f"Image {number} is missing from the media folder.")
            continue
        if _sha256(path) != item.image.sha256:
            problems.append(f"Image {number} changed on disk after it was cleaned.")
            continue
        try:
            verify_clean(path)
        except MediaError as exc:
            problems.append(f"Image {number}: {exc}")
    return problems


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def settle(targets: Sequence[StoredTarget]) -> tuple[PostStatus, datetime | None]:
    """A post's status, and its next attempt time, from its targets' states."""
    waiting = [t for t in targets if t.status in WAITING]
    if waiting:
        times = [t.next_attempt_at for t in waiting if t.next_attempt_at]
        return PostStatus.SCHEDULED, min(times) if len(times) == len(waiting) else None
    states = {t.status for t in targets}
    if TargetStatus.NEEDS_CHECKING in states or TargetStatus.SENDING in states:
        return PostStatus.NEEDS_CHECKING, None
    if states == {TargetStatus.PUBLISHED}:
        return PostStatus.PUBLISHED, None
    if TargetStatus.PUBLISHED in states:
        return PostStatus.PARTLY_PUBLISHED, None
    return PostStatus.FAILED, None
