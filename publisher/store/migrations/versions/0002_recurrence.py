"""Recurring posts: a rule, an end, and the series each occurrence belongs to.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    with op.batch_alter_table("posts") as batch:
        batch.add_column(sa.Column("recurrence", sa.String(16)))
        batch.add_column(sa.Column("repeat_until", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("series_id", sa.String(32)))
