"""Plain value types shared by every part of the pipeline."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from publisher.sanitised import SanitisedImage

__all__ = [
    "Acknowledgement",
    "Finding",
    "OutgoingPost",
    "PostImage",
    "PostStatus",
    "PublishReceipt",
    "SanitisedImage",
    "TargetStatus",
    "Verdict",
]


class PostStatus(StrEnum):
    """Where a post is in its life."""

    DRAFT = "draft"
    AWAITING_APPROVAL = "awaiting_approval"
    SCHEDULED = "scheduled"
    MISSED = "missed"
    EXPIRED = "expired"
    PUBLISHING = "publishing"
    PUBLISHED = "published"
    PARTLY_PUBLISHED = "partly_published"
    FAILED = "failed"
    NEEDS_CHECKING = "needs_checking"
    BLOCKED = "blocked"
    TAKEN_DOWN = "taken_down"


class TargetStatus(StrEnum):
    """Where one post is on one target."""

    PENDING = "pending"
    #: The platform call is under way; after a crash this means "unknown".
    SENDING = "sending"
    PUBLISHED = "published"
    RETRY = "retry"
    FAILED = "failed"
    NEEDS_CHECKING = "needs_checking"
    TAKEN_DOWN = "taken_down"
    STILL_LIVE = "still_live"


@dataclass(frozen=True)
class PostImage:
    """A sanitised image with the alt text that goes with it."""

    image: SanitisedImage
    alt_text: str


@dataclass(frozen=True)
class Finding:
    """One likely learner name found in one field of a post.

    ``field`` is ``caption`` or ``alt_text[N]`` (N counts from 1).
    ``learner_ids`` is empty for a likely person who is not on the roster.
    """

    field: str
    start: int
    end: int
    matched: str
    learner_ids: tuple[str, ...]
    rule: str
    reason: str
    advice: str
    blocking: bool = True

    @property
    def key(self) -> str:
        """A stable id for acknowledging this finding on one post.

        It names the learners matched, so that an acknowledgement never
        covers a different learner who matches the same words later (the
        roster changed after the post was queued).
        """
        who = "+".join(self.learner_ids) or "offroster"
        return f"{self.field}:{self.start}-{self.end}:{who}"


@dataclass(frozen=True)
class Acknowledgement:
    """A person's statement that one finding on one post is a false alarm."""

    key: str
    reason: str
    by: str


@dataclass(frozen=True)
class Verdict:
    """The names policy's judgement on a whole post."""

    policy: str
    findings: tuple[Finding, ...] = ()
    acknowledged: tuple[str, ...] = ()

    @property
    def blocking(self) -> tuple[Finding, ...]:
        return tuple(
            f for f in self.findings if f.blocking and f.key not in self.acknowledged
        )

    @property
    def blocked(self) -> bool:
        return bool(self.blocking)


@dataclass(frozen=True)
class OutgoingPost:
    """Exactly what one target receives."""

    post_id: str
    text: str
    images: tuple[PostImage, ...]


@dataclass(frozen=True)
class PublishReceipt:
    """What a platform gave back for a published post.

    ``extra`` keeps the ids a takedown needs besides the post id, such as
    Facebook's photo ids.
    """

    remote_id: str
    url: str | None = None
    extra: dict[str, list[str]] = field(default_factory=dict)
