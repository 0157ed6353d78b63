"""Sanitise many images on every core, in input order, past bad files."""

from __future__ import annotations

import functools
import logging
import os
import threading
from collections.abc import Callable, Generator, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from publisher.errors import CorruptImage, MediaError
from publisher.media.limits import DEFAULT_MAX_EDGE
from publisher.media.sanitise import check_options, new_output_name, sanitise_image

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

    from publisher.sanitised import SanitisedImage

    Outcome = SanitisedImage | MediaError

logger = logging.getLogger(__name__)


def sanitise_many(
    sources: Sequence[Path],
    out_dir: Path,
    *,
    max_edge: int = DEFAULT_MAX_EDGE,
    max_bytes: int | None = None,
    workers: int | None = None,
) -> Generator[tuple[Path, Outcome], None, None]:
    """Yield ``(source, SanitisedImage or MediaError)`` for each source, in order.

    Uses a pool of ``workers`` processes (default: one per core); a single
    file, or ``workers=1``, runs in this process. A file that crashes its
    worker is retried alone and, if it crashes again, reported as
    ``CorruptImage``; the other files carry on. Output names are chosen here,
    so a file re-run after a crash overwrites, never duplicates, its output.
    """
    check_options(max_edge, max_bytes)
    paths = [Path(source) for source in sources]
    names = [new_output_name() for _ in paths]
    run = functools.partial(
        _attempt, out_dir=Path(out_dir), max_edge=max_edge, max_bytes=max_bytes
    )
    count = min(workers or os.cpu_count() or 1, len(paths))
    if count <= 1:
        for path, name in zip(paths, names, strict=True):
            yield path, run(path, name)
        return
    yield from _in_pool(list(zip(paths, names, strict=True)), run, count)


def _attempt(
    path: Path, name: str, *, out_dir: Path, max_edge: int, max_bytes: int | None
) -> Outcome:
    try:
        return sanitise_image(
            path, out_dir, max_edge=max_edge, max_bytes=max_bytes, output_name=name
        )
    except MediaError as exc:
        return exc


Job = tuple[Path, str]


def _in_pool(
    jobs: list[Job], run: Callable[[Path, str], Outcome], workers: int
) -> Iterator[tuple[Path, Outcome]]:
    from concurrent.futures.process import BrokenProcessPool

    finished: dict[int, Outcome] = {}
    start = 0
    while start < len(jobs):
        broken_at: int | None = None
        pool = _new_pool(workers)
        futures = {
            index: pool.submit(run, *jobs[index])
            for index in range(start, len(jobs))
            if index not in finished
        }
        try:
            for index in range(start, len(jobs)):
                if index not in finished:
                    try:
                        finished[index] = futures[index].result()
                    except BrokenProcessPool:
                        broken_at = index
                        break
                yield jobs[index][0], finished.pop(index)
                start = index + 1
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        if broken_at is not None:
            _keep_finished(futures, broken_at, finished)
            logger.warning("image worker crashed; retrying one file alone")
            yield jobs[broken_at][0], _run_alone(run, jobs[broken_at])
            start = broken_at + 1


def _keep_finished(
    futures: dict[int, Future[Outcome]], broken_at: int, finished: dict[int, Outcome]
) -> None:
    """Keep results that completed before the pool broke, so none runs twice."""
    for index, future in futures.items():
        usable = future.done() and not future.cancelled()
        if index > broken_at and usable and future.exception() is None:
            finished[index] = future.result()


def _run_alone(run: Callable[[Path, str], Outcome], job: Job) -> Outcome:
    from concurrent.futures.process import BrokenProcessPool

    pool = _new_pool(1)
    try:
        return pool.submit(run, *job).result()
    except BrokenProcessPool:
        logger.warning("image worker crashed twice on the same file; refused")
        return CorruptImage(
            "The image decoder stopped unexpectedly on this file, which may be "
            "malformed on purpose. Export the photo again as JPEG."
        )
    finally:
        pool.shutdown(wait=True)


def _new_pool(workers: int) -> ProcessPoolExecutor:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # Forking is the fastest start, but only safe while this process has a
    # single thread; otherwise start workers from a clean server process.
    method = "fork" if threading.active_count() == 1 else "forkserver"
    context = multiprocessing.get_context(method)
    return ProcessPoolExecutor(max_workers=workers, mp_context=context)
