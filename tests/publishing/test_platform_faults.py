"""Each platform fault, end to end: the real clients, the fakes, the store.

For every fault the post must end in the right state on each target, with
exactly as many posts on each fake as there should be.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from publisher.models import TargetStatus
from publisher.platforms import Platform, get_platform
from publisher.platforms.facebook import FacebookPlatform
from publisher.platforms.x import XPlatform
from tests.fakes import (
    FacebookFake,
    RunningFake,
    XFake,
    facebook_credentials,
    running_facebook_fake,
    running_x_fake,
    x_credentials,
)
from tests.publishing.conftest import NOW, Queue

Fakes = tuple[RunningFake[XFake], RunningFake[FacebookFake]]


@pytest.fixture
def fakes(queue: Queue) -> Iterator[Fakes]:
    with running_x_fake() as x, running_facebook_fake() as fb:
        for fake in (x.fake, fb.fake):  # the platforms' clocks read as ours
            fake.clock.advance(NOW.timestamp() - fake.clock.now())
        clients: dict[str, Platform] = {
            "x": XPlatform(x_credentials(x), timeout=2),
            "facebook": FacebookPlatform(facebook_credentials(fb), timeout=2),
        }

        def build(name: str) -> Platform:
            return clients.get(name) or get_platform(name, queue.settings)

        queue.platform = build  # type: ignore[method-assign]
        yield x, fb


X_FAULTS = [
    ("POST /2/tweets", "rate_limit", TargetStatus.RETRY, 0),
    ("POST /2/media/upload", "rate_limit", TargetStatus.RETRY, 0),
    ("POST /2/tweets", "server_error_html", TargetStatus.NEEDS_CHECKING, 0),
    ("POST /2/media/upload", "server_error_json", TargetStatus.RETRY, 0),
    ("POST /2/tweets", "timeout_before", TargetStatus.NEEDS_CHECKING, 0),
    ("POST /2/tweets", "timeout_after", TargetStatus.PUBLISHED, 1),
    ("POST /2/tweets", "duplicate", TargetStatus.FAILED, 0),
    ("POST /2/tweets", "missing_permission", TargetStatus.FAILED, 0),
    ("POST /2/media/upload", "expired_token", TargetStatus.FAILED, 0),
    ("POST /2/tweets", "payment_required", TargetStatus.FAILED, 0),
]


@pytest.mark.parametrize(("route", "kind", "state", "posts"), X_FAULTS)
def test_x_fault_leaves_facebook_published(
    queue: Queue, fakes: Fakes, route: str, kind: str, state: TargetStatus, posts: int
) -> None:
    x, fb = fakes
    x.fake.fail_next(route, kind)
    post_id = queue.add(targets=("x", "facebook"))
    queue.publisher().run_due(NOW)

    post = queue.store.get_post(post_id)
    assert post.target("x").status == state
    assert post.target("facebook").status == TargetStatus.PUBLISHED
    assert len(x.fake.live_posts()) == posts
    assert len(fb.fake.live_posts()) == 1
    if state == TargetStatus.FAILED:
        assert post.target("x").error_code
    x.server.release()  # free a request the fault left hanging


def test_rate_limited_x_resumes_at_reset_once(queue: Queue, fakes: Fakes) -> None:
    x, _ = fakes
    x.fake.fail_next("POST /2/tweets", "rate_limit")
    post_id = queue.add(targets=("x",))
    publisher = queue.publisher()
    publisher.run_due(NOW)
    retry_at = queue.store.get_post(post_id).target("x").next_attempt_at
    assert retry_at is not None
    assert retry_at >= NOW + timedelta(minutes=5)  # the fake's reset, not ours

    publisher.run_due(retry_at - timedelta(seconds=1))
    assert queue.store.get_post(post_id).target("x").status == TargetStatus.RETRY
    publisher.run_due(retry_at)
    assert queue.store.get_post(post_id).target("x").status == TargetStatus.PUBLISHED
    assert len(x.fake.live_posts()) == 1


FB_FAULTS = [
    ("POST /{page}/feed", "rate_limit", TargetStatus.RETRY, 0),
    ("POST /{page}/feed", "server_error_html", TargetStatus.NEEDS_CHECKING, 0),
    ("POST /{page}/photos", "server_error_json", TargetStatus.RETRY, 0),
    ("POST /{page}/feed", "timeout_after", TargetStatus.PUBLISHED, 1),
    ("POST /{page}/feed", "duplicate", TargetStatus.FAILED, 0),
    ("POST /{page}/photos", "expired_token", TargetStatus.FAILED, 0),
    ("POST /{page}/feed", "blocked", TargetStatus.FAILED, 0),
]


@pytest.mark.parametrize(("route", "kind", "state", "posts"), FB_FAULTS)
def test_facebook_fault_leaves_x_published(
    queue: Queue, fakes: Fakes, route: str, kind: str, state: TargetStatus, posts: int
) -> None:
    x, fb = fakes
    fb.fake.fail_next(route, kind)
    post_id = queue.add(targets=("x", "facebook"))
    queue.publisher().run_due(NOW)

    post = queue.store.get_post(post_id)
    assert post.target("facebook").status == state
    assert post.target("x").status == TargetStatus.PUBLISHED
    assert len(fb.fake.live_posts()) == posts
    assert len(x.fake.live_posts()) == 1
    if state == TargetStatus.FAILED:
        unused = [p for p in fb.fake.photos.values() if not p.used_by]
        assert all(p.deleted for p in unused)
    fb.server.release()
