"""Taking a post in: check the words, clean the images, store it.

The original images are read once and never copied: only the sanitised
output, under a random name, is kept. A post that the names policy refuses is
not stored at all, and any image already cleaned for it is removed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from publisher.config import Settings
from publisher.errors import ConfigError, LimitError, MediaError, PostBlocked
from publisher.models import (
    Acknowledgement,
    OutgoingPost,
    PostImage,
    PostStatus,
    Verdict,
)
from publisher.platforms import Platform, get_platform
from publisher.store import NewPost, Store

if TYPE_CHECKING:
    from publisher.policy import NamesChecker, Policy

log = logging.getLogger(__name__)

MAX_IMAGES = 4


@dataclass(frozen=True)
class Draft:
    """A post as a person asks for it."""

    caption: str
    images: Sequence[tuple[Path, str]]
    targets: Sequence[str]
    due_at: datetime
    author: str
    pictured: Sequence[str] = ()
    acknowledgements: Sequence[Acknowledgement] = field(default_factory=tuple)
    recurrence: str | None = None
    repeat_until: datetime | None = None
    #: Checked and cleaned like any post, but not scheduled until rescheduled.
    draft: bool = False


def load_checker(settings: Settings) -> tuple[NamesChecker, Policy]:
    """Read the policy file and the roster afresh; refuse to work without them."""
    from publisher.policy import NamesChecker, load_policy, load_roster

    if settings.roster is None:
        raise ConfigError(
            "No roster is configured, so learner names cannot be checked. Set "
            "PUBLISHER_ROSTER to the school's roster CSV (see .env.example)."
        )
    policy = load_policy(settings.policy, settings.policies_dir)
    roster = load_roster(settings.roster)
    return NamesChecker(roster, policy), policy


@dataclass(frozen=True)
class PostParts:
    """The policy-relevant parts of a post, stored or not."""

    caption: str
    alt_texts: Sequence[str]
    pictured: Sequence[str]
    targets: Sequence[str]
    acknowledged_keys: Sequence[str]


def judge(checker: NamesChecker, parts: PostParts) -> Verdict:
    """Apply the names policy to a caption and its alt texts."""
    return checker.judge(
        parts.caption,
        parts.alt_texts,
        has_images=bool(parts.alt_texts),
        pictured=parts.pictured,
        targets=parts.targets,
        acknowledged=parts.acknowledged_keys,
    )


def queue_post(
    draft: Draft,
    settings: Settings,
    store: Store,
    *,
    platforms: Callable[[str], Platform] | None = None,
) -> str:
    """Check, sanitise and store ``draft``; return the new post's id."""
    _check_shape(draft)
    build = platforms or (lambda name: get_platform(name, settings))
    clients = [build(name) for name in draft.targets]
    checker, policy = load_checker(settings)

    verdict = judge(checker, _parts(draft))
    if verdict.blocked:
        raise PostBlocked(blocked_message(verdict), verdict.blocking)
    _warn_unmatched(draft, verdict)

    images = _sanitise_all(draft, settings, policy.max_edge, clients)
    try:
        _check_limits(draft, images, clients)
        new = NewPost(
            author=draft.author,
            caption=draft.caption,
            due_at=draft.due_at,
            timezone=settings.timezone.key,
            policy=policy.name,
            images=images,
            targets=draft.targets,
            pictured=draft.pictured,
            acknowledgements=draft.acknowledgements,
            school=settings.school,
            recurrence=draft.recurrence,
            repeat_until=draft.repeat_until,
            status=_first_status(draft.draft, policy.approval_required),
        )
        return store.add_post(new)
    except BaseException:
        _remove(images)
        raise


def _warn_unmatched(draft: Draft, verdict: Verdict) -> None:
    """Say so when an acknowledgement matches nothing: most likely a typo."""
    found = {finding.key for finding in verdict.findings}
    for ack in draft.acknowledgements:
        if ack.key not in found:
            log.warning(
                "acknowledgement %s matches no finding of this post; it has no "
                "effect (keys are printed when a post is blocked)",
                ack.key,
            )


def _first_status(draft: bool, approval_required: bool) -> PostStatus:
    if draft:
        return PostStatus.DRAFT
    if approval_required:
        return PostStatus.AWAITING_APPROVAL
    return PostStatus.SCHEDULED


def _parts(draft: Draft) -> PostParts:
    return PostParts(
        caption=draft.caption,
        alt_texts=[alt for _, alt in draft.images],
        pictured=draft.pictured,
        targets=draft.targets,
        acknowledged_keys=[a.key for a in draft.acknowledgements],
    )


def _check_shape(draft: Draft) -> None:
    if not draft.targets:
        raise ConfigError("Say where to post with --to, for example --to outbox.")
    if len(set(draft.targets)) != len(draft.targets):
        raise ConfigError("A target is named twice in --to; name each once.")
    if len(draft.images) > MAX_IMAGES:
        raise LimitError(
            f"A post carries at most {MAX_IMAGES} images; this one has "
            f"{len(draft.images)}. Split it into two posts."
        )
    for number, (_, alt) in enumerate(draft.images, start=1):
        if not alt.strip():
            raise LimitError(
                f"Image {number} has no alt text. Describe the picture with "
                "--alt so that people using screen readers can follow the post."
            )
    if not draft.caption.strip() and not draft.images:
        raise LimitError("The post has neither a caption nor images.")


def _sanitise_all(
    draft: Draft, settings: Settings, max_edge: int, platforms: Sequence[Platform]
) -> list[PostImage]:
    from publisher.media import sanitise_image

    max_bytes = min((p.max_image_bytes for p in platforms), default=None)
    done: list[PostImage] = []
    try:
        for number, (source, alt) in enumerate(draft.images, start=1):
            try:
                image = sanitise_image(
                    source, settings.media_dir, max_edge=max_edge, max_bytes=max_bytes
                )
            except MediaError as exc:
                # Say which image, without repeating its file name.
                raise type(exc)(f"Image {number}: {exc}") from exc
            done.append(PostImage(image, alt))
    except BaseException:
        _remove(done)
        raise
    return done


def _check_limits(
    draft: Draft, images: Sequence[PostImage], platforms: Sequence[Platform]
) -> None:
    outgoing = OutgoingPost(post_id="new", text=draft.caption, images=tuple(images))
    problems = [
        f"{platform.name}: {problem}"
        for platform in platforms
        for problem in platform.limit_problems(outgoing)
    ]
    if problems:
        raise LimitError(
            "The post breaks its targets' limits; nothing was queued.\n  "
            + "\n  ".join(problems)
        )


def _remove(images: Sequence[PostImage]) -> None:
    for item in images:
        item.image.path.unlink(missing_ok=True)


def blocked_message(verdict: Verdict) -> str:
    count = len(verdict.blocking)
    return (
        f"The {verdict.policy} policy blocked this post: {count} finding"
        f"{'s' if count != 1 else ''}. Nothing was queued or sent."
    )
