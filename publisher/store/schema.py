"""The store's schema: bring it up to date with Alembic, refuse newer ones."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Connection, Engine

from publisher.errors import StoreError

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def upgrade(engine: Engine) -> None:
    """Bring the schema up to date; migrations only ever add, never drop."""
    from alembic import command
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(config).get_current_head()
    with engine.begin() as conn:
        current = _current_revision(conn)
        if current == head:
            return
        if current is not None and not _known(config, current):
            raise StoreError(
                f"The database is at schema {current}, which this publisher "
                "does not know: it was written by a newer version. Upgrade "
                "publisher before using it."
            )
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
        log.info("store: schema upgraded from %s to %s", current, head)


def _current_revision(conn: Connection) -> str | None:
    from alembic.migration import MigrationContext

    return MigrationContext.configure(conn).get_current_revision()


def _known(config: Any, revision: str) -> bool:
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    try:
        return ScriptDirectory.from_config(config).get_revision(revision) is not None
    except CommandError:
        return False
