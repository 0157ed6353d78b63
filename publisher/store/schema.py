"""Opening the database: check the URL, connect, bring the schema up to date.

Migrations run with Alembic and only ever add; a schema written by a newer
publisher is refused.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from publisher.errors import StoreError

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

_UNKNOWN_DATABASE = (
    "PUBLISHER_DATABASE_URL names a database or driver publisher does not know. "
    "Use sqlite:///path/to/file.db or postgresql+psycopg://user@host:5432/database."
)


def connect(url: str) -> Engine:
    """An engine for ``url`` with an up-to-date schema; ``StoreError`` if not."""
    if url.rstrip("/") in ("sqlite:", "sqlite:/", "sqlite://") or ":memory:" in url:
        # Everything queued would vanish when the command ends.
        raise StoreError(
            "PUBLISHER_DATABASE_URL names an in-memory SQLite database, which "
            "keeps nothing. Give a file, as sqlite:///data/publisher.db."
        )
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    try:
        # hide_parameters: a failed statement's message must never carry a
        # caption, an alt text or a name into a log or a terminal.
        engine = sa.create_engine(
            url, future=True, pool_pre_ping=True, hide_parameters=True
        )
        upgrade(engine)
    except ModuleNotFoundError as exc:
        if exc.name != "psycopg":
            raise StoreError(_UNKNOWN_DATABASE) from exc
        raise StoreError(
            f"The database driver {exc.name!r} is not installed. For "
            "PostgreSQL run: .venv/bin/pip install -e '.[postgres]'"
        ) from exc
    except (ValueError, sa.exc.ArgumentError) as exc:
        if isinstance(exc, sa.exc.NoSuchModuleError):
            raise StoreError(_UNKNOWN_DATABASE) from exc
        raise StoreError(
            "PUBLISHER_DATABASE_URL is not a database URL publisher can read. "
            "Use sqlite:///path/to/file.db or "
            "postgresql+psycopg://user@host:5432/database."
        ) from exc
    except sa.exc.SQLAlchemyError as exc:
        raise StoreError(
            f"Cannot open the database ({type(exc).__name__}). Check "
            "PUBLISHER_DATABASE_URL and that the database server is running."
        ) from exc
    return engine


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
