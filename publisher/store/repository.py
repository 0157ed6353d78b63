"""Posts, their targets and their audit trail, on SQLAlchemy.

Every status change goes through ``_record`` so that the audit trail can never
miss one. Claims are compare-and-set updates, so two workers can never both
win the same post, on SQLite or on PostgreSQL.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from publisher.errors import InvalidTransition, PostNotFound, StoreError
from publisher.models import (
    Acknowledgement,
    PostStatus,
    TargetStatus,
)
from publisher.store import queries
from publisher.store import tables as t
from publisher.store.records import (
    AuditEntry,
    NewPost,
    StoredPost,
    ack_row,
    as_utc,
    post_from_rows,
)
from publisher.store.schema import connect

log = logging.getLogger(__name__)

#: Due posts read per claim attempt; losing a race moves on to the next.
CLAIM_CANDIDATES = 8


def _now() -> datetime:
    return datetime.now(UTC)


class Store:
    """The product's database."""

    def __init__(self, engine: Engine, media_dir: Path | None = None) -> None:
        self.engine = engine
        #: Images in this folder are stored by name, so the data folder can move.
        self.media_dir = media_dir

    @classmethod
    def open(cls, url: str, *, media_dir: Path | None = None) -> Store:
        """Connect to ``url``, creating the tables on first use."""
        return cls(connect(url), media_dir)

    def _stored_path(self, path: Path) -> str:
        """A file name for images in the media folder, else the whole path."""
        if (
            self.media_dir is not None
            and path.parent.resolve() == self.media_dir.resolve()
        ):
            return path.name
        return str(path)

    def close(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    @contextmanager
    def _tx(self) -> Iterator[Connection]:
        try:
            with self.engine.begin() as conn:
                yield conn
        except sa.exc.OperationalError as exc:
            raise StoreError(
                "The database is unreachable or locked. Check "
                "PUBLISHER_DATABASE_URL and that the server is running."
            ) from exc

    # -- writing -------------------------------------------------------------

    def add_post(self, new: NewPost, *, now: datetime | None = None) -> str:
        """Store a scheduled post with its images and targets; return its id."""
        now = now or _now()
        post_id = secrets.token_hex(5)
        with self._tx() as conn:
            conn.execute(
                t.posts.insert().values(
                    id=post_id,
                    school=new.school,
                    author=new.author,
                    caption=new.caption,
                    due_at=new.due_at,
                    timezone=new.timezone,
                    status=new.status.value,
                    policy=new.policy,
                    pictured=list(new.pictured),
                    acknowledged=[ack_row(a) for a in new.acknowledgements],
                    recurrence=new.recurrence,
                    repeat_until=new.repeat_until,
                    series_id=new.series_id or (post_id if new.recurrence else None),
                    created_at=now,
                    updated_at=now,
                )
            )
            self._insert_children(conn, post_id, new, now)
            self._record(conn, post_id, new.author, None, new.status, "queued")
        log.info("post %s: queued with %d images", post_id, len(new.images))
        return post_id

    def _insert_children(
        self, conn: Connection, post_id: str, new: NewPost, now: datetime
    ) -> None:
        for position, item in enumerate(new.images):
            image = item.image
            conn.execute(
                t.images.insert().values(
                    post_id=post_id,
                    position=position,
                    path=self._stored_path(image.path),
                    media_type=image.media_type,
                    width=image.width,
                    height=image.height,
                    byte_size=image.byte_size,
                    sha256=image.sha256,
                    alt_text=item.alt_text,
                )
            )
        for name in new.targets:
            conn.execute(
                t.targets.insert().values(
                    post_id=post_id,
                    target=name,
                    status=TargetStatus.PENDING.value,
                    extra={},
                    attempts=0,
                    updated_at=now,
                )
            )

    def set_status(
        self,
        post_id: str,
        to: PostStatus,
        *,
        actor: str,
        reason: str = "",
        expect: Sequence[PostStatus] | None = None,
    ) -> None:
        """Move a post to ``to``; with ``expect``, only from those states."""
        with self._tx() as conn:
            current = self._status(conn, post_id)
            if expect is not None and current not in expect:
                raise InvalidTransition(
                    f"Post {post_id} is {current.value}; this needs it to be "
                    f"{' or '.join(s.value for s in expect)}."
                )
            self._write_status(conn, post_id, current, to, actor, reason)

    def _write_status(
        self,
        conn: Connection,
        post_id: str,
        current: PostStatus,
        to: PostStatus,
        actor: str,
        reason: str,
    ) -> None:
        if current == to:
            return
        conn.execute(
            t.posts.update()
            .where(t.posts.c.id == post_id)
            .values(status=to.value, updated_at=_now())
        )
        self._record(conn, post_id, actor, current, to, reason)

    def reschedule(
        self,
        post_id: str,
        due_at: datetime,
        *,
        actor: str,
        expect: Sequence[PostStatus],
        to: PostStatus = PostStatus.SCHEDULED,
        reason: str = "new time",
    ) -> None:
        """Give a post in one of ``expect`` a new time and the status ``to``."""
        with self._tx() as conn:
            result = conn.execute(
                t.posts.update()
                .where(
                    t.posts.c.id == post_id,
                    t.posts.c.status.in_([s.value for s in expect]),
                )
                .values(due_at=due_at, retry_at=None, updated_at=_now())
            )
            current = self._status(conn, post_id)
            if result.rowcount != 1:
                raise InvalidTransition(
                    f"Post {post_id} is {current.value}; only a post that is "
                    f"{' or '.join(s.value for s in expect)} can get a new time."
                )
            # A target waiting to retry waits for the new time instead.
            conn.execute(
                t.targets.update()
                .where(
                    t.targets.c.post_id == post_id,
                    t.targets.c.status.in_(
                        [TargetStatus.PENDING.value, TargetStatus.RETRY.value]
                    ),
                )
                .values(next_attempt_at=None)
            )
            conn.execute(
                t.posts.update()
                .where(t.posts.c.id == post_id)
                .values(status=to.value, updated_at=_now())
            )
            when = due_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
            self._record(conn, post_id, actor, current, to, f"{reason}: {when}")

    def update_target(
        self,
        post_id: str,
        target: str,
        status: TargetStatus,
        *,
        actor: str,
        reason: str = "",
        **values: Any,
    ) -> None:
        """Record one target's new state, and the change in the audit trail."""
        with self._tx() as conn:
            row = conn.execute(
                sa.select(t.targets.c.status).where(
                    t.targets.c.post_id == post_id, t.targets.c.target == target
                )
            ).first()
            if row is None:
                raise PostNotFound(f"Post {post_id} has no target {target!r}.")
            conn.execute(
                t.targets.update()
                .where(t.targets.c.post_id == post_id, t.targets.c.target == target)
                .values(status=status.value, updated_at=_now(), **values)
            )
            if row.status != status.value:
                conn.execute(
                    t.audit.insert().values(
                        post_id=post_id,
                        at=_now(),
                        actor=actor,
                        target=target,
                        from_status=row.status,
                        to_status=status.value,
                        reason=reason,
                    )
                )

    def acknowledge(self, post_id: str, ack: Acknowledgement) -> None:
        """Store a person's acknowledgement of one finding on one post."""
        with self._tx() as conn:
            row = conn.execute(
                sa.select(t.posts.c.acknowledged).where(t.posts.c.id == post_id)
            ).first()
            if row is None:
                raise PostNotFound(_not_found(post_id))
            kept = [a for a in row.acknowledged or () if a["key"] != ack.key]
            conn.execute(
                t.posts.update()
                .where(t.posts.c.id == post_id)
                .values(acknowledged=[*kept, ack_row(ack)], updated_at=_now())
            )
            conn.execute(
                t.audit.insert().values(
                    post_id=post_id,
                    at=_now(),
                    actor=ack.by,
                    target=None,
                    from_status=None,
                    to_status="acknowledged",
                    reason=f"finding {ack.key}: {ack.reason}",
                )
            )

    # -- claiming --------------------------------------------------------------

    def due_post_ids(self, now: datetime, *, limit: int = 50) -> list[str]:
        """Posts whose time has come, oldest first."""
        with self._tx() as conn:
            return [row.id for row in conn.execute(queries.due_posts(now, limit))]

    def claim_next(self, worker: str, *, now: datetime, lease: timedelta) -> str | None:
        """Claim the most overdue post, or return None when nothing is due.

        On PostgreSQL the row is locked with SKIP LOCKED, so several workers
        share the queue without waiting on each other; the compare-and-set
        update below keeps SQLite (one writer at a time) just as safe.
        """
        query = queries.due_posts(now, CLAIM_CANDIDATES)
        if self.engine.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        with self._tx() as conn:
            # Another worker may win a candidate between the read and the
            # update; then the next candidate is tried, not the round ended.
            for row in conn.execute(query).all():
                if self._claim(conn, row.id, worker, now, lease):
                    return str(row.id)
        return None

    def claim(
        self, post_id: str, worker: str, *, now: datetime, lease: timedelta
    ) -> bool:
        """Take a scheduled post for publishing; False if another worker has it."""
        with self._tx() as conn:
            return self._claim(conn, post_id, worker, now, lease)

    def _claim(
        self,
        conn: Connection,
        post_id: str,
        worker: str,
        now: datetime,
        lease: timedelta,
    ) -> bool:
        result = conn.execute(
            t.posts.update()
            .where(
                t.posts.c.id == post_id,
                t.posts.c.status == PostStatus.SCHEDULED.value,
            )
            .values(
                status=PostStatus.PUBLISHING.value,
                lease_owner=worker,
                lease_expires=now + lease,
                updated_at=now,
            )
        )
        if result.rowcount != 1:
            return False
        self._record(
            conn,
            post_id,
            worker,
            PostStatus.SCHEDULED,
            PostStatus.PUBLISHING,
            "claimed",
        )
        return True

    def release(
        self,
        post_id: str,
        to: PostStatus,
        *,
        actor: str,
        reason: str = "",
        retry_at: datetime | None = None,
    ) -> None:
        """End a claim, leaving the post in ``to``."""
        with self._tx() as conn:
            current = self._status(conn, post_id)
            conn.execute(
                t.posts.update()
                .where(t.posts.c.id == post_id)
                .values(lease_owner=None, lease_expires=None, retry_at=retry_at)
            )
            self._write_status(conn, post_id, current, to, actor, reason)

    def expire_unapproved(self, now: datetime) -> list[str]:
        """Posts whose time came before anyone approved them: never published."""
        query = sa.select(t.posts.c.id).where(
            t.posts.c.status == PostStatus.AWAITING_APPROVAL.value,
            t.posts.c.due_at <= now,
        )
        with self._tx() as conn:
            expired = [row.id for row in conn.execute(query)]
            for post_id in expired:
                self._write_status(
                    conn,
                    post_id,
                    PostStatus.AWAITING_APPROVAL,
                    PostStatus.EXPIRED,
                    "scheduler",
                    "not approved before its time; approve it with a new time",
                )
        return expired

    def renew_lease(
        self, post_id: str, worker: str, *, now: datetime, lease: timedelta
    ) -> bool:
        """Extend ``worker``'s claim; False if the claim is no longer its own."""
        with self._tx() as conn:
            result = conn.execute(
                t.posts.update()
                .where(
                    t.posts.c.id == post_id,
                    t.posts.c.status == PostStatus.PUBLISHING.value,
                    t.posts.c.lease_owner == worker,
                )
                .values(lease_expires=now + lease)
            )
            return result.rowcount == 1

    def take_over(
        self, post_id: str, worker: str, *, now: datetime, lease: timedelta
    ) -> bool:
        """Claim a post whose owner's lease ran out; only one worker wins."""
        with self._tx() as conn:
            result = conn.execute(
                t.posts.update()
                .where(
                    t.posts.c.id == post_id,
                    t.posts.c.status == PostStatus.PUBLISHING.value,
                    t.posts.c.lease_expires < now,
                )
                .values(lease_owner=worker, lease_expires=now + lease)
            )
            return result.rowcount == 1

    def orphaned_claims(self, now: datetime, quiet_for: timedelta) -> list[str]:
        """Posts in 'publishing' whose worker has sent no heartbeat lately.

        Their lease may not have run out yet, but the worker is probably gone;
        ``publisher status`` reports them instead of saying all is well.
        """
        query = queries.orphaned_claims(now, quiet_for)
        with self._tx() as conn:
            return [row.id for row in conn.execute(query)]

    def stale_claims(self, now: datetime) -> list[str]:
        """Posts left in 'publishing' by a worker whose lease ran out."""
        with self._tx() as conn:
            return [row.id for row in conn.execute(queries.stale_claims(now))]

    # -- reading ---------------------------------------------------------------

    def get_post(self, post_id: str) -> StoredPost:
        with self._tx() as conn:
            row = conn.execute(
                sa.select(t.posts).where(t.posts.c.id == post_id)
            ).first()
            if row is None:
                raise PostNotFound(_not_found(post_id))
            return self._load(conn, row)

    def list_posts(self, *, statuses: Sequence[PostStatus] = ()) -> list[StoredPost]:
        query = sa.select(t.posts).order_by(t.posts.c.due_at)
        if statuses:
            query = query.where(t.posts.c.status.in_([s.value for s in statuses]))
        with self._tx() as conn:
            return [self._load(conn, row) for row in conn.execute(query).all()]

    def history(self, post_id: str) -> list[AuditEntry]:
        query = (
            sa.select(t.audit)
            .where(t.audit.c.post_id == post_id)
            .order_by(t.audit.c.id)
        )
        with self._tx() as conn:
            rows = conn.execute(query).all()
        if not rows:
            self.get_post(post_id)
        return [
            AuditEntry(
                as_utc(r.at) or _now(),
                r.actor,
                r.target,
                r.from_status,
                r.to_status,
                r.reason,
            )
            for r in rows
        ]

    def has_occurrence_after(self, series_id: str, due_at: datetime) -> bool:
        """Whether a recurring series already has a post after ``due_at``."""
        query = sa.select(t.posts.c.id).where(
            t.posts.c.series_id == series_id, t.posts.c.due_at > due_at
        )
        with self._tx() as conn:
            return conn.execute(query.limit(1)).first() is not None

    def broken_accounts(self) -> dict[tuple[str, str], str]:
        """(school, target) pairs whose latest outcome was a dead credential."""
        latest: dict[tuple[str, str], str | None] = {}
        with self._tx() as conn:
            for row in conn.execute(queries.account_outcomes()):
                key = (row.school, row.target)
                if key not in latest:
                    broken = row.error_kind == "reauth"
                    latest[key] = (row.error_message or "") if broken else None
        return {key: why for key, why in latest.items() if why is not None}

    def heartbeat(self, worker: str, now: datetime) -> None:
        with self._tx() as conn:
            updated = conn.execute(
                t.heartbeats.update()
                .where(t.heartbeats.c.worker == worker)
                .values(at=now)
            )
            if updated.rowcount == 0:
                conn.execute(t.heartbeats.insert().values(worker=worker, at=now))

    def last_heartbeat(self) -> datetime | None:
        with self._tx() as conn:
            value = conn.execute(sa.select(sa.func.max(t.heartbeats.c.at))).scalar()
        return as_utc(value)

    def next_due(self) -> datetime | None:
        query = sa.select(sa.func.min(t.posts.c.due_at)).where(
            t.posts.c.status == PostStatus.SCHEDULED.value
        )
        with self._tx() as conn:
            return as_utc(conn.execute(query).scalar())

    # -- helpers ---------------------------------------------------------------

    def _status(self, conn: Connection, post_id: str) -> PostStatus:
        row = conn.execute(
            sa.select(t.posts.c.status).where(t.posts.c.id == post_id)
        ).first()
        if row is None:
            raise PostNotFound(_not_found(post_id))
        return PostStatus(row.status)

    def _record(
        self,
        conn: Connection,
        post_id: str,
        actor: str,
        before: PostStatus | None,
        after: PostStatus,
        reason: str,
    ) -> None:
        conn.execute(
            t.audit.insert().values(
                post_id=post_id,
                at=_now(),
                actor=actor,
                target=None,
                from_status=before.value if before else None,
                to_status=after.value,
                reason=reason,
            )
        )

    def _load(self, conn: Connection, row: Any) -> StoredPost:
        image_rows = conn.execute(
            sa.select(t.images)
            .where(t.images.c.post_id == row.id)
            .order_by(t.images.c.position)
        ).all()
        target_rows = conn.execute(
            sa.select(t.targets)
            .where(t.targets.c.post_id == row.id)
            .order_by(t.targets.c.id)
        ).all()
        return post_from_rows(row, image_rows, target_rows, self.media_dir)


def _not_found(post_id: str) -> str:
    return f"No post has id {post_id!r}. Run 'publisher list' to see the ids."
