"""Settings, store and publisher, built once per command when it needs them."""

from __future__ import annotations

import getpass
import os
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from publisher.config import Settings
    from publisher.publishing import Publisher
    from publisher.store import Store


def settings() -> Settings:
    from publisher.config import load_settings

    return load_settings()


def store(config: Settings) -> Store:
    from publisher.store import Store

    return Store.open(config.database_url, media_dir=config.media_dir)


def publisher(config: Settings, worker: str | None = None) -> Publisher:
    from publisher.publishing import Publisher
    from publisher.scheduler import worker_name

    return Publisher(config, store(config), worker=worker or worker_name())


def whoami() -> str:
    """The person at the keyboard, for the audit trail and approval.

    Taken from the operating system's account, never from LOGNAME or USER:
    anyone can set those, and approval by "someone else" must mean another
    account.
    """
    try:
        import pwd

        return pwd.getpwuid(os.getuid()).pw_name
    except (ImportError, KeyError, OSError):
        # No account database (Windows): the login name is all there is.
        try:
            return getpass.getuser()
        except (KeyError, OSError):
            return "unknown"


def local(instant: datetime | None, config: Settings) -> str:
    if instant is None:
        return "-"
    from publisher.timing import describe

    return describe(instant, config.timezone)
