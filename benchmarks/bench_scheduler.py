"""Scheduler figures: idle cost, lateness of a due post, and worker scaling.

Run from the repository root::

    .venv/bin/python benchmarks/bench_scheduler.py [--postgres URL] [--quick]

1. Idle: ``publisher run`` with 10,000 future posts in SQLite; its CPU use
   over 20 seconds.
2. Lateness: a post due a few seconds ahead; how long after its time the X
   fake sees the worker's first request for it.
3. Scaling (needs PostgreSQL): the same batch of due posts published by one
   worker, then by four, against the X fake answering each request after
   a platform-like delay; the ratio of their rates.

The X fake is the one the tests use, served on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import sqlalchemy as sa  # noqa: E402

from publisher.config import load_settings  # noqa: E402
from publisher.media import sanitise_image  # noqa: E402
from publisher.models import PostImage, PostStatus  # noqa: E402
from publisher.store import NewPost, Store  # noqa: E402
from tests.fakes import LoopbackServer, RunningFake, XFake  # noqa: E402
from tests.scheduler.workers import worker_env  # noqa: E402

SAMPLE = REPO / "samples" / "garden.jpg"


class Hooked:
    """The X fake's entry point, timing each request and adding latency."""

    def __init__(self, fake: XFake) -> None:
        self.fake = fake
        self.delay = 0.0
        self.seen: list[float] = []

    def __call__(
        self, method: str, url: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        self.seen.append(time.time())
        if self.delay:
            time.sleep(self.delay)
        return self.fake.handle(method, url, headers, body)


def queue(store: Store, image: PostImage, count: int, due: datetime) -> None:
    for number in range(count):
        store.add_post(
            NewPost(
                author="bench",
                caption=f"Benchmark post {number} {secrets.token_hex(3)}",
                due_at=due,
                timezone="Europe/London",
                policy="images-no-names",
                images=[image],
                targets=["x"],
            )
        )


def start_worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "publisher", "run"],
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def idle_and_lateness(
    x: RunningFake[XFake], hook: Hooked, work: Path, quick: bool
) -> None:
    env = worker_env(work, x)
    store = Store.open(load_settings(env).database_url)
    image = PostImage(sanitise_image(SAMPLE, load_settings(env).media_dir), "Garden")
    queue(store, image, 10_000, datetime.now(UTC) + timedelta(days=2))

    worker = start_worker(env)
    try:
        time.sleep(3)
        before, started = cpu_seconds(worker.pid), time.monotonic()
        time.sleep(5 if quick else 20)
        used = cpu_seconds(worker.pid) - before
        elapsed = time.monotonic() - started
        print(
            f"idle: 10,000 queued posts, {used:.2f} s CPU in {elapsed:.0f} s "
            f"({100 * used / elapsed:.1f}% of one core)"
        )
        lateness(hook, store, image)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
        store.close()


def lateness(hook: Hooked, store: Store, image: PostImage) -> None:
    delays = []
    for _ in range(5):
        hook.seen.clear()
        due = datetime.now(UTC) + timedelta(seconds=3)
        queue(store, image, 1, due)
        deadline = time.time() + 30
        while not hook.seen and time.time() < deadline:
            time.sleep(0.01)
        delays.append(hook.seen[0] - due.timestamp() if hook.seen else float("inf"))
        time.sleep(1)
    delays.sort()
    print(
        f"lateness: first platform call after the due time: median "
        f"{delays[len(delays) // 2]:.2f} s, worst {delays[-1]:.2f} s (5 posts)"
    )


def scaling(
    x: RunningFake[XFake], hook: Hooked, work: Path, url: str, posts: int
) -> None:
    hook.delay = 0.08  # a platform's own latency per request
    x.fake.default_rate_limit = 10**7
    rates = {}
    for workers in (1, 4):
        database = f"bench_{secrets.token_hex(4)}"
        _admin(url, f"CREATE DATABASE {database}")
        db_url = sa.engine.make_url(url).set(database=database).render_as_string(False)
        try:
            rates[workers] = _publish_batch(x, work, db_url, posts, workers)
        finally:
            _admin(url, f"DROP DATABASE {database} WITH (FORCE)")
        print(f"scaling: {workers} worker(s): {rates[workers]:.1f} posts/s")
    hook.delay = 0.0
    print(f"scaling: 4 workers / 1 worker = {rates[4] / rates[1]:.2f}x")


def _publish_batch(
    x: RunningFake[XFake], work: Path, db_url: str, posts: int, workers: int
) -> float:
    env = worker_env(work, x)
    env["PUBLISHER_DATABASE_URL"] = db_url
    env["PUBLISHER_POLL_SECONDS"] = "0.2"
    store = Store.open(db_url)
    image = PostImage(sanitise_image(SAMPLE, load_settings(env).media_dir), "Garden")
    queue(store, image, posts, datetime.now(UTC))
    started = time.monotonic()
    procs = [start_worker(env) for _ in range(workers)]
    try:
        _wait(lambda: not store.list_posts(statuses=(PostStatus.SCHEDULED,
              PostStatus.PUBLISHING)))  # fmt: skip
        return posts / (time.monotonic() - started)
    finally:
        for proc in procs:
            proc.kill()
            proc.wait(timeout=30)
        store.close()


def _wait(done: Callable[[], bool]) -> None:
    while not done():
        time.sleep(0.1)


def _admin(url: str, statement: str) -> None:
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(statement))
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postgres", default=os.environ.get(
        "PUBLISHER_TEST_POSTGRES_URL",
        "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"))  # fmt: skip
    parser.add_argument("--posts", type=int, default=300)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    fake = XFake()
    hook = Hooked(fake)
    server = LoopbackServer(hook).start()
    x = RunningFake(fake, server.base_url, server.stop, server)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            idle_and_lateness(x, hook, Path(tmp) / "idle", args.quick)
            try:
                scaling(x, hook, Path(tmp) / "scale", args.postgres, args.posts)
            except sa.exc.OperationalError as exc:
                name = type(exc).__name__
                print(f"scaling: skipped, PostgreSQL unreachable ({name})")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
