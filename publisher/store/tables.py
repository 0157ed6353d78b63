"""The database tables. Times are stored as UTC instants."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

posts = sa.Table(
    "posts",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("school", sa.String(64), nullable=False, default="default"),
    sa.Column("author", sa.String(128), nullable=False),
    sa.Column("caption", sa.Text, nullable=False),
    sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
    #: When set, the next attempt at targets that asked to be retried.
    sa.Column("retry_at", sa.DateTime(timezone=True)),
    sa.Column("timezone", sa.String(64), nullable=False),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("policy", sa.String(64), nullable=False),
    sa.Column("pictured", sa.JSON, nullable=False, default=list),
    sa.Column("acknowledged", sa.JSON, nullable=False, default=list),
    #: "day", "week" or "fortnight": the next occurrence keeps the local time.
    sa.Column("recurrence", sa.String(16)),
    sa.Column("repeat_until", sa.DateTime(timezone=True)),
    sa.Column("series_id", sa.String(32)),
    sa.Column("lease_owner", sa.String(128)),
    sa.Column("lease_expires", sa.DateTime(timezone=True)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_posts_status_due", "status", "due_at"),
)

images = sa.Table(
    "images",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("post_id", sa.ForeignKey("posts.id"), nullable=False, index=True),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("path", sa.Text, nullable=False),
    sa.Column("media_type", sa.String(32), nullable=False),
    sa.Column("width", sa.Integer, nullable=False),
    sa.Column("height", sa.Integer, nullable=False),
    sa.Column("byte_size", sa.Integer, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("alt_text", sa.Text, nullable=False),
)

targets = sa.Table(
    "targets",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("post_id", sa.ForeignKey("posts.id"), nullable=False, index=True),
    sa.Column("target", sa.String(32), nullable=False),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("remote_id", sa.Text),
    sa.Column("url", sa.Text),
    sa.Column("extra", sa.JSON, nullable=False, default=dict),
    sa.Column("error_kind", sa.String(32)),
    sa.Column("error_code", sa.String(64)),
    sa.Column("error_message", sa.Text),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("next_attempt_at", sa.DateTime(timezone=True)),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("post_id", "target"),
)

audit = sa.Table(
    "audit",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("post_id", sa.String(32), nullable=False, index=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor", sa.String(128), nullable=False),
    sa.Column("target", sa.String(32)),
    sa.Column("from_status", sa.String(32)),
    sa.Column("to_status", sa.String(32), nullable=False),
    sa.Column("reason", sa.Text, nullable=False, default=""),
)

heartbeats = sa.Table(
    "heartbeats",
    metadata,
    sa.Column("worker", sa.String(128), primary_key=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
)
