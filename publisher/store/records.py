"""The values the store hands out and takes in, and how rows become them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from publisher.errors import PostNotFound
from publisher.models import (
    Acknowledgement,
    PostImage,
    PostStatus,
    PublishReceipt,
    SanitisedImage,
    TargetStatus,
)


@dataclass(frozen=True)
class StoredTarget:
    """One post's state on one target."""

    target: str
    status: TargetStatus
    remote_id: str | None = None
    url: str | None = None
    extra: dict[str, list[str]] = field(default_factory=dict)
    error_kind: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    attempts: int = 0
    next_attempt_at: datetime | None = None

    @property
    def receipt(self) -> PublishReceipt | None:
        if self.remote_id is None:
            return None
        return PublishReceipt(self.remote_id, self.url, dict(self.extra))


@dataclass(frozen=True)
class StoredPost:
    """A queued post as the store holds it."""

    id: str
    school: str
    author: str
    caption: str
    due_at: datetime
    timezone: str
    status: PostStatus
    policy: str
    retry_at: datetime | None
    pictured: tuple[str, ...]
    acknowledgements: tuple[Acknowledgement, ...]
    images: tuple[PostImage, ...]
    targets: tuple[StoredTarget, ...]
    created_at: datetime
    recurrence: str | None = None
    repeat_until: datetime | None = None
    series_id: str | None = None

    @property
    def acknowledged_keys(self) -> tuple[str, ...]:
        return tuple(a.key for a in self.acknowledgements)

    def target(self, name: str) -> StoredTarget:
        for target in self.targets:
            if target.target == name:
                return target
        raise PostNotFound(f"Post {self.id} has no target {name!r}.")


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    actor: str
    target: str | None
    from_status: str | None
    to_status: str
    reason: str


@dataclass(frozen=True)
class NewPost:
    """What intake hands the store."""

    author: str
    caption: str
    due_at: datetime
    timezone: str
    policy: str
    images: Sequence[PostImage]
    targets: Sequence[str]
    pictured: Sequence[str] = ()
    acknowledgements: Sequence[Acknowledgement] = ()
    school: str = "default"
    status: PostStatus = PostStatus.SCHEDULED
    recurrence: str | None = None
    repeat_until: datetime | None = None
    series_id: str | None = None


def as_utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def image_from_row(row: Any, media_dir: Path | None) -> PostImage:
    path = Path(row.path)
    if media_dir is not None and path.name == row.path:
        path = media_dir / path
    return PostImage(
        SanitisedImage(
            path=path,
            media_type=row.media_type,
            width=row.width,
            height=row.height,
            byte_size=row.byte_size,
            sha256=row.sha256,
        ),
        row.alt_text,
    )


def target_from_row(row: Any) -> StoredTarget:
    return StoredTarget(
        target=row.target,
        status=TargetStatus(row.status),
        remote_id=row.remote_id,
        url=row.url,
        extra=dict(row.extra or {}),
        error_kind=row.error_kind,
        error_code=row.error_code,
        error_message=row.error_message,
        attempts=row.attempts,
        next_attempt_at=as_utc(row.next_attempt_at),
    )


def post_from_rows(
    row: Any,
    image_rows: Sequence[Any],
    target_rows: Sequence[Any],
    media_dir: Path | None,
) -> StoredPost:
    """A stored post from its row and its image and target rows, in order."""
    now = datetime.now(UTC)
    return StoredPost(
        id=row.id,
        school=row.school,
        author=row.author,
        caption=row.caption,
        due_at=as_utc(row.due_at) or now,
        retry_at=as_utc(row.retry_at),
        timezone=row.timezone,
        status=PostStatus(row.status),
        policy=row.policy,
        pictured=tuple(row.pictured or ()),
        acknowledgements=tuple(
            Acknowledgement(a["key"], a["reason"], a["by"])
            for a in row.acknowledged or ()
        ),
        images=tuple(image_from_row(r, media_dir) for r in image_rows),
        targets=tuple(target_from_row(r) for r in target_rows),
        created_at=as_utc(row.created_at) or now,
        recurrence=row.recurrence,
        repeat_until=as_utc(row.repeat_until),
        series_id=row.series_id,
    )


def ack_row(ack: Acknowledgement) -> dict[str, str]:
    return {"key": ack.key, "reason": ack.reason, "by": ack.by}
