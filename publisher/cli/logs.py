"""Logging set-up shared by the click group and the sanitise fast path."""

from __future__ import annotations

import logging
import os
import sys

#: Libraries whose DEBUG logs carry tokens, URLs with tokens, post text or
#: photo metadata (Pillow prints EXIF values and colour-profile names); they
#: stay at INFO or above whatever -v says.
LEAKY_LIBRARY_LOGGERS = (
    "PIL",
    "pillow_heif",
    "urllib3",
    "tweepy",
    "oauthlib",
    "requests_oauthlib",
    "httpx",
    "httpcore",
    "atproto",
    "atproto_client",
    "mastodon",
    "facebook",
)


def configure_logging(verbose: int) -> None:
    """Log to stderr: WARNING, or INFO/DEBUG with -v/-vv, or PUBLISHER_LOG_LEVEL."""
    level = (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    named = getattr(logging, os.environ.get("PUBLISHER_LOG_LEVEL", "").upper(), None)
    if isinstance(named, int):
        level = named
    if sys.stderr is None:
        # Started with stderr closed: there is nowhere to log to.
        logging.basicConfig(level=level, handlers=[logging.NullHandler()])
    else:
        logging.basicConfig(
            level=level,
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
            stream=sys.stderr,
        )
    for name in LEAKY_LIBRARY_LOGGERS:
        logging.getLogger(name).setLevel(max(level, logging.INFO))
