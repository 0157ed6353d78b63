"""Four worker processes share one PostgreSQL queue of 2,000 due posts.

Every post must reach the X fake exactly once, even when one worker is
killed halfway. The killed worker's post in flight may instead be marked
"needs checking", and then the fake holds it at most once.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from publisher.config import load_settings
from publisher.media import sanitise_image
from publisher.models import PostImage, PostStatus
from publisher.store import NewPost, Store
from tests.conftest import SAMPLES
from tests.fakes import running_x_fake
from tests.scheduler.workers import worker_env

POSTS = 2000
WORKERS = 4


def queue_posts(store: Store, image: PostImage) -> None:
    now = datetime.now(UTC)
    for number in range(POSTS):
        store.add_post(
            NewPost(
                author="bulk",
                caption=f"Newsletter item {number}",
                due_at=now,
                timezone="Europe/London",
                policy="images-no-names",
                images=[image],
                targets=["x"],
            )
        )


def wait_until(condition: Callable[[], bool], deadline: float) -> None:
    stop = time.monotonic() + deadline
    while not condition():
        if time.monotonic() > stop:
            raise AssertionError("the workers did not finish in time")
        time.sleep(0.25)


@pytest.mark.slow
@pytest.mark.postgres
def test_four_workers_publish_each_post_once(postgres_url: str, tmp_path: Path) -> None:
    with running_x_fake() as x:
        x.fake.default_rate_limit = 10**6
        env = worker_env(tmp_path, x)
        env["PUBLISHER_DATABASE_URL"] = postgres_url
        env["PUBLISHER_POLL_SECONDS"] = "0.2"
        env["PUBLISHER_LOG_LEVEL"] = "INFO"
        settings = load_settings(env)
        store = Store.open(postgres_url)
        cleaned = sanitise_image(SAMPLES / "garden.jpg", settings.media_dir)
        queue_posts(store, PostImage(cleaned, "Flowers in the school garden"))

        workers = [_start(env, tmp_path / f"w{n}.log") for n in range(WORKERS)]
        try:
            wait_until(lambda: len(x.fake.posts) >= POSTS // 4, 300)
            workers[0].send_signal(signal.SIGKILL)
            wait_until(lambda: _settled(store), 600)
        finally:
            for worker in workers:
                worker.kill()
                worker.wait(timeout=30)

        statuses = Counter(p.status for p in store.list_posts())
        texts = Counter(post.text for post in x.fake.posts.values())
        store.close()

    assert max(texts.values()) == 1, "a post reached X twice"
    assert statuses[PostStatus.PUBLISHED] >= POSTS - 1, statuses
    assert statuses[PostStatus.PUBLISHED] + statuses[PostStatus.NEEDS_CHECKING] == POSTS
    assert statuses[PostStatus.PUBLISHED] <= len(texts) <= POSTS


def _settled(store: Store) -> bool:
    busy = (PostStatus.SCHEDULED, PostStatus.PUBLISHING)
    return not store.list_posts(statuses=busy)


def _start(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as sink:
        return subprocess.Popen(
            [sys.executable, "-m", "publisher", "run"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=sink,
        )
