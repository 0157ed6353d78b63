"""The first tables: posts, images, targets, audit trail, heartbeats.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None

UTC_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "posts",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("school", sa.String(64), nullable=False),
        sa.Column("author", sa.String(128), nullable=False),
        sa.Column("caption", sa.Text, nullable=False),
        sa.Column("due_at", UTC_TIME, nullable=False),
        sa.Column("retry_at", UTC_TIME),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("policy", sa.String(64), nullable=False),
        sa.Column("pictured", sa.JSON, nullable=False),
        sa.Column("acknowledged", sa.JSON, nullable=False),
        sa.Column("lease_owner", sa.String(128)),
        sa.Column("lease_expires", UTC_TIME),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("updated_at", UTC_TIME, nullable=False),
    )
    op.create_index("ix_posts_status_due", "posts", ["status", "due_at"])
    op.create_table(
        "images",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("post_id", sa.String(32), sa.ForeignKey("posts.id"), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("media_type", sa.String(32), nullable=False),
        sa.Column("width", sa.Integer, nullable=False),
        sa.Column("height", sa.Integer, nullable=False),
        sa.Column("byte_size", sa.Integer, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("alt_text", sa.Text, nullable=False),
    )
    op.create_index("ix_images_post_id", "images", ["post_id"])
    op.create_table(
        "targets",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("post_id", sa.String(32), sa.ForeignKey("posts.id"), nullable=False),
        sa.Column("target", sa.String(32), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("remote_id", sa.Text),
        sa.Column("url", sa.Text),
        sa.Column("extra", sa.JSON, nullable=False),
        sa.Column("error_kind", sa.String(32)),
        sa.Column("error_code", sa.String(64)),
        sa.Column("error_message", sa.Text),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", UTC_TIME),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        sa.UniqueConstraint("post_id", "target"),
    )
    op.create_index("ix_targets_post_id", "targets", ["post_id"])
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("post_id", sa.String(32), nullable=False),
        sa.Column("at", UTC_TIME, nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("target", sa.String(32)),
        sa.Column("from_status", sa.String(32)),
        sa.Column("to_status", sa.String(32), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
    )
    op.create_index("ix_audit_post_id", "audit", ["post_id"])
    op.create_table(
        "heartbeats",
        sa.Column("worker", sa.String(128), primary_key=True),
        sa.Column("at", UTC_TIME, nullable=False),
    )
