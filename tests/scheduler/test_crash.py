"""Kill a real worker process at each step of publishing, then restart.

The worker is ``python -m publisher run --once`` talking to loopback fakes of
X and Facebook. A fault makes the fake hold one request open; the test kills
the worker with SIGKILL while it waits, starts a new worker after the lease,
and then counts what each fake holds: every post is there exactly once, or
its target says "needs checking" and the fake shows what a person would find.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from publisher.config import load_settings
from publisher.models import PostStatus, TargetStatus
from publisher.store import Store
from tests.conftest import REPO, SAMPLES
from tests.fakes import (
    FacebookFake,
    RunningFake,
    XFake,
    running_facebook_fake,
    running_x_fake,
)
from tests.scheduler.workers import LEASE_SECONDS, worker_env

Fakes = tuple[RunningFake[XFake], RunningFake[FacebookFake]]


@pytest.fixture
def fakes() -> Iterator[Fakes]:
    with running_x_fake() as x, running_facebook_fake() as fb:
        yield x, fb


def publisher(
    env: dict[str, str], *args: str, stderr: int = subprocess.DEVNULL
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "publisher", *args],
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=stderr,
    )


def wait_for_first_post(x: RunningFake[XFake]) -> None:
    deadline = time.monotonic() + 60
    while not x.fake.live_posts():
        assert time.monotonic() < deadline, "nothing was published"
        time.sleep(0.02)


def queue_notices(env: dict[str, str], count: int) -> None:
    """Queue ``count`` one-photo posts to X, due now."""
    for number in range(count):
        run_to_end(
            env, "add", "--caption", f"Notice {number}", "--image",
            str(SAMPLES / "garden.jpg"), "--alt", "The garden",
            "--to", "x", "--at", "now",
        )  # fmt: skip


def run_to_end(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "publisher", *args],
        env=env, cwd=REPO, capture_output=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout.decode()


def wait_for(fake: XFake | FacebookFake, route: str, deadline: float = 60) -> None:
    stop = time.monotonic() + deadline
    while not fake.requests_to(route):
        if time.monotonic() > stop:
            raise AssertionError(f"the worker never reached {route}")
        time.sleep(0.02)
    time.sleep(0.1)  # let the fake finish storing before the kill


def target_states(env: dict[str, str], post_id: str) -> dict[str, TargetStatus]:
    store = Store.open(load_settings(env).database_url)
    try:
        post = store.get_post(post_id)
        return {t.target: t.status for t in post.targets}
    finally:
        store.close()


# (fake, route, fault kind, posts on X after, posts on Facebook after, states)
STEPS = [
    pytest.param(
        "x", "GET /2/users/me", "timeout", 1, 1,
        {"x": TargetStatus.PUBLISHED, "facebook": TargetStatus.PUBLISHED},
        id="before-any-send",
    ),
    pytest.param(
        "x", "POST /2/media/upload", "timeout", 0, 1,
        {"x": TargetStatus.NEEDS_CHECKING, "facebook": TargetStatus.PUBLISHED},
        id="x-upload",
    ),
    pytest.param(
        "x", "POST /2/media/metadata", "timeout", 0, 1,
        {"x": TargetStatus.NEEDS_CHECKING, "facebook": TargetStatus.PUBLISHED},
        id="x-alt-text",
    ),
    pytest.param(
        "x", "POST /2/tweets", "timeout_before", 0, 1,
        {"x": TargetStatus.NEEDS_CHECKING, "facebook": TargetStatus.PUBLISHED},
        id="x-post-not-stored",
    ),
    pytest.param(
        "x", "POST /2/tweets", "timeout_after", 1, 1,
        {"x": TargetStatus.NEEDS_CHECKING, "facebook": TargetStatus.PUBLISHED},
        id="x-post-stored-answer-lost",
    ),
    pytest.param(
        "facebook", "POST /{page}/photos", "timeout", 1, 0,
        {"x": TargetStatus.PUBLISHED, "facebook": TargetStatus.NEEDS_CHECKING},
        id="facebook-photo",
    ),
    pytest.param(
        "facebook", "POST /{page}/feed", "timeout_after", 1, 1,
        {"x": TargetStatus.PUBLISHED, "facebook": TargetStatus.NEEDS_CHECKING},
        id="facebook-post-stored-answer-lost",
    ),
]  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize(("which", "route", "kind", "on_x", "on_fb", "states"), STEPS)
def test_sigkill_mid_publish_never_duplicates(
    fakes: Fakes,
    tmp_path: Path,
    which: str,
    route: str,
    kind: str,
    on_x: int,
    on_fb: int,
    states: dict[str, TargetStatus],
) -> None:
    x, fb = fakes
    env = worker_env(tmp_path, x, fb)
    post_id = run_to_end(
        env, "add", "--caption", "Sports day!", "--image",
        str(SAMPLES / "garden.jpg"), "--alt", "Flowers in the garden",
        "--to", "x,facebook", "--at", "now",
    ).strip()  # fmt: skip
    fake = x.fake if which == "x" else fb.fake
    fake.fail_next(route, kind)

    worker = publisher(env, "run", "--once")
    try:
        wait_for(fake, route)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)

    time.sleep(LEASE_SECONDS * 1.5)
    run_to_end(env, "run", "--once")
    run_to_end(env, "run", "--once")

    assert len(x.fake.live_posts()) == on_x
    assert len(fb.fake.live_posts()) == on_fb
    assert target_states(env, post_id) == states


@pytest.mark.slow
def test_sigterm_finishes_the_call_and_leaves_nothing_locked(
    fakes: Fakes, tmp_path: Path
) -> None:
    x, _ = fakes
    env = worker_env(tmp_path, x)
    env["PUBLISHER_LEASE_SECONDS"] = "600"
    queue_notices(env, 15)
    worker = publisher(env, "run", "--poll", "0.2")
    try:
        wait_for_first_post(x)
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=60) == 0
    finally:
        worker.kill()

    store = Store.open(load_settings(env).database_url)
    try:
        states = {p.status.value for p in store.list_posts()}
        published = len(store.list_posts(statuses=(PostStatus.PUBLISHED,)))
    finally:
        store.close()
    assert states <= {"published", "scheduled"}
    assert published == len(x.fake.live_posts())


def test_a_second_signal_while_stopping_changes_nothing(
    fakes: Fakes, tmp_path: Path
) -> None:
    """An impatient double Ctrl-C still ends with a clean stop."""
    x, _ = fakes
    env = worker_env(tmp_path, x)
    queue_notices(env, 10)
    worker = publisher(env, "run", "--poll", "0.2", stderr=subprocess.PIPE)
    try:
        wait_for_first_post(x)
        worker.send_signal(signal.SIGINT)
        time.sleep(0.01)
        worker.send_signal(signal.SIGINT)
        _, errors = worker.communicate(timeout=60)
        assert worker.returncode == 0, errors.decode()
        assert b"Traceback" not in errors
    finally:
        worker.kill()
