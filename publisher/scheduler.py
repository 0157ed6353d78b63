"""The scheduler service: APScheduler wakes a tick that publishes due posts.

Each tick writes a heartbeat, finishes the claims of dead workers and
publishes what is due. A failing tick is logged and the next one tries again:
the service never stops quietly, and ``publisher status`` sees a stale
heartbeat if ticks keep failing.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from datetime import UTC, datetime

from publisher.errors import PublisherError
from publisher.publishing import PostReport, Publisher

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def worker_name() -> str:
    """A name that tells workers apart in the audit trail."""
    return f"{socket.gethostname()}:{os.getpid()}"


def utc_now() -> datetime:
    return datetime.now(UTC)


def tick(publisher: Publisher, clock: Clock = utc_now) -> list[PostReport]:
    """One round: heartbeat, then publish everything due."""
    now = clock()
    publisher.store.heartbeat(publisher.worker, now)
    reports = publisher.run_due(now)
    if reports:
        log.info("tick: %d posts handled", len(reports))
    return reports


def serve(publisher: Publisher, *, poll_seconds: float, clock: Clock = utc_now) -> None:
    """Run until interrupted, ticking every ``poll_seconds``."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    scheduler = BlockingScheduler(timezone=UTC)
    scheduler.add_job(
        _safe_tick,
        "interval",
        seconds=poll_seconds,
        args=(publisher, clock),
        next_run_time=clock(),
        max_instances=1,
        coalesce=True,
    )
    log.info("scheduler: started as %s, every %ss", publisher.worker, poll_seconds)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        log.info("scheduler: stopped")


def _safe_tick(publisher: Publisher, clock: Clock) -> None:
    try:
        tick(publisher, clock)
    except PublisherError as exc:
        log.error("tick failed: %s", exc)
    except Exception:
        log.exception("tick failed unexpectedly; will try again")
