"""The scheduler service: APScheduler wakes a tick that publishes due posts.

Each tick writes a heartbeat, finishes the claims of dead workers and
publishes what is due. A failing tick is logged and the next one tries again:
the service never stops quietly, and ``publisher status`` sees a stale
heartbeat if ticks keep failing.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from publisher.config import Settings
from publisher.errors import PublisherError, StoreError
from publisher.outgoing import PostReport
from publisher.publishing import Publisher

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def worker_name() -> str:
    """A name that tells workers apart in the audit trail."""
    return f"{socket.gethostname()}:{os.getpid()}"


def utc_now() -> datetime:
    return datetime.now(UTC)


#: Waits between attempts to reach a database that is down at start-up.
CONNECT_BACKOFF = (1.0, 2.0, 5.0, 10.0, 30.0)


def connect(
    settings: Settings, *, sleep: Callable[[float], None] = time.sleep
) -> Publisher:
    """Open the store, waiting for it if it is down, and build the publisher.

    The service keeps trying rather than exiting, and says so at error level
    each time, so a database that comes back later is picked up and an
    outage is never silent.
    """
    from publisher.store import Store

    attempt = 0
    while True:
        try:
            store = Store.open(settings.database_url, media_dir=settings.media_dir)
            return Publisher(settings, store, worker=worker_name())
        except StoreError as exc:
            wait = CONNECT_BACKOFF[min(attempt, len(CONNECT_BACKOFF) - 1)]
            log.error("scheduler: %s Trying again in %ss.", exc, wait)
            attempt += 1
            sleep(wait)


def tick(publisher: Publisher, clock: Clock = utc_now) -> list[PostReport]:
    """One round: heartbeat, then publish everything due."""
    now = clock()
    publisher.store.heartbeat(publisher.worker, now)
    reports = publisher.run_due(now)
    if reports:
        log.info("tick: %d posts handled", len(reports))
    return reports


def serve(publisher: Publisher, *, poll_seconds: float, clock: Clock = utc_now) -> None:
    """Run until interrupted: a tick, then the next one ``poll_seconds`` later.

    Each tick schedules its successor when it ends, so a long tick (a backlog
    of due posts) never overlaps the next and never piles up missed runs.
    """
    from apscheduler.schedulers import SchedulerNotRunningError
    from apscheduler.schedulers.blocking import BlockingScheduler

    scheduler = BlockingScheduler(timezone=UTC)

    def run_and_reschedule() -> None:
        _safe_tick(publisher, clock)
        if publisher.stopping.is_set():
            return
        scheduler.add_job(
            run_and_reschedule,
            "date",
            run_date=datetime.now(UTC) + timedelta(seconds=poll_seconds),
            misfire_grace_time=None,
        )

    def shut_down() -> None:
        with contextlib.suppress(SchedulerNotRunningError):
            scheduler.shutdown(wait=True)

    stop_on_signals(publisher, shut_down)
    scheduler.add_job(run_and_reschedule, "date", run_date=datetime.now(UTC))
    log.info("scheduler: started as %s, every %ss", publisher.worker, poll_seconds)
    scheduler.start()
    ignore_signals()
    log.info("scheduler: stopped")


def stop_on_signals(
    publisher: Publisher, then: Callable[[], None] | None = None
) -> None:
    """Make SIGTERM and Ctrl-C finish the call under way, then stop.

    Cutting a platform call short would leave its post needing a check, so
    the first signal only asks the publisher to stop between calls (and runs
    ``then``); later ones (an impatient second Ctrl-C) are noted and ignored.
    ``kill -9`` still ends the process at once.
    """

    def already_stopping(signum: int, frame: object) -> None:
        log.warning("still stopping after the current call (signal %d)", signum)

    def stop(signum: int, frame: object) -> None:
        for number in (signal.SIGTERM, signal.SIGINT):
            signal.signal(number, already_stopping)
        log.warning("stopping after the current call (signal %d)", signum)
        publisher.stopping.set()
        if then is not None:
            then()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)


def ignore_signals() -> None:
    """Once the work is done, a late signal must not kill the exit half-way."""
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, signal.SIG_IGN)


def _safe_tick(publisher: Publisher, clock: Clock) -> None:
    try:
        tick(publisher, clock)
    except PublisherError as exc:
        log.error("tick failed: %s", exc)
    except Exception:
        log.exception("tick failed unexpectedly; will try again")
