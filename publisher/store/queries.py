"""The store's read-only SELECT statements that need more than a lookup by id.

They are built here and run by ``Store`` inside its transactions, so the
repository reads as steps and each query can be read on its own.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from publisher.models import PostStatus, TargetStatus
from publisher.store import tables as t

#: When a scheduled post is next due: its retry time if it has one.
DUE = sa.func.coalesce(t.posts.c.retry_at, t.posts.c.due_at)


def due_posts(now: datetime, limit: int) -> sa.Select[tuple[str]]:
    """Ids of scheduled posts whose time has come, most overdue first."""
    return (
        sa.select(t.posts.c.id)
        .where(t.posts.c.status == PostStatus.SCHEDULED.value, now >= DUE)
        .order_by(DUE)
        .limit(limit)
    )


def orphaned_claims(now: datetime, quiet_for: timedelta) -> sa.Select[tuple[str]]:
    """Posts in 'publishing' whose worker has sent no heartbeat for a while."""
    beats = t.heartbeats
    return (
        sa.select(t.posts.c.id)
        .select_from(t.posts.outerjoin(beats, beats.c.worker == t.posts.c.lease_owner))
        .where(
            t.posts.c.status == PostStatus.PUBLISHING.value,
            sa.or_(beats.c.at.is_(None), beats.c.at < now - quiet_for),
        )
    )


def stale_claims(now: datetime) -> sa.Select[tuple[str]]:
    """Posts in 'publishing' whose lease ran out."""
    return sa.select(t.posts.c.id).where(
        t.posts.c.status == PostStatus.PUBLISHING.value,
        t.posts.c.lease_expires < now,
    )


def account_outcomes() -> sa.Select[tuple[str, str, str | None, str | None]]:
    """Each target's dead-credential failures and successes, newest first."""
    return (
        sa.select(
            t.posts.c.school,
            t.targets.c.target,
            t.targets.c.error_kind,
            t.targets.c.error_message,
        )
        .join(t.posts, t.posts.c.id == t.targets.c.post_id)
        .where(
            sa.or_(
                t.targets.c.error_kind == "reauth",
                t.targets.c.status == TargetStatus.PUBLISHED.value,
            )
        )
        .order_by(t.targets.c.updated_at.desc(), t.targets.c.id.desc())
    )
