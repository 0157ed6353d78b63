from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from publisher.errors import InvalidTransition
from publisher.models import PostStatus
from tests.conftest import REPO
from tests.publishing.conftest import NOW, Queue


@pytest.fixture
def gated(queue: Queue, tmp_path: Path) -> Queue:
    policies = tmp_path / "policies"
    policies.mkdir()
    text = (REPO / "policies" / "images-no-names.toml").read_text(encoding="utf-8")
    gated_text = text.replace("approval_required = false", "approval_required = true")
    assert gated_text != text
    (policies / "images-no-names.toml").write_text(gated_text, encoding="utf-8")
    queue.settings = replace(queue.settings, policies_dir=policies)
    return queue


def test_post_waits_for_approval(gated: Queue) -> None:
    post_id = gated.add(targets=("alpha",), due=NOW + timedelta(hours=1))
    assert gated.store.get_post(post_id).status == PostStatus.AWAITING_APPROVAL
    assert gated.publisher().run_due(NOW + timedelta(hours=1)) == []
    assert gated.platforms["alpha"].sent == []


def test_author_cannot_approve_own_post(gated: Queue) -> None:
    post_id = gated.add(targets=("alpha",), due=NOW + timedelta(hours=1))
    with pytest.raises(InvalidTransition, match="someone else"):
        gated.publisher().approve(post_id, actor="tester", now=NOW, due_at=None)


def test_approved_post_goes_out_at_its_time(gated: Queue) -> None:
    post_id = gated.add(targets=("alpha",), due=NOW + timedelta(hours=1))
    gated.publisher().approve(post_id, actor="head", now=NOW, due_at=None)
    gated.publisher().run_due(NOW + timedelta(hours=1))
    assert gated.store.get_post(post_id).status == PostStatus.PUBLISHED
    assert gated.store.history(post_id)[1].reason.startswith("approved")


def test_unapproved_at_its_time_expires_and_needs_a_new_time(gated: Queue) -> None:
    post_id = gated.add(targets=("alpha",), due=NOW)
    gated.publisher().run_due(NOW + timedelta(minutes=1))
    assert gated.store.get_post(post_id).status == PostStatus.EXPIRED
    with pytest.raises(InvalidTransition, match="new time"):
        gated.publisher().approve(post_id, actor="head", now=NOW, due_at=None)

    later = NOW + timedelta(hours=2)
    gated.publisher().approve(post_id, actor="head", now=NOW, due_at=later)
    gated.publisher().run_due(later)
    assert gated.store.get_post(post_id).status == PostStatus.PUBLISHED
    assert len(gated.platforms["alpha"].sent) == 1


def test_draft_waits_then_goes_to_approval(gated: Queue) -> None:
    from publisher.intake import Draft, queue_post
    from tests.conftest import SAMPLES

    draft = Draft(
        caption="Harvest festival",
        images=[(SAMPLES / "garden.jpg", "Vegetables on a table")],
        targets=["alpha"],
        due_at=NOW,
        author="tester",
        draft=True,
    )
    post_id = queue_post(draft, gated.settings, gated.store, platforms=gated.platform)
    assert gated.store.get_post(post_id).status == PostStatus.DRAFT
    assert gated.publisher().run_due(NOW + timedelta(days=1)) == []

    status = gated.publisher().reschedule(post_id, NOW, actor="tester")
    assert status == PostStatus.AWAITING_APPROVAL


def test_publishing_post_cannot_be_rescheduled(gated: Queue) -> None:
    post_id = gated.add(targets=("alpha",), due=NOW)
    gated.publisher().approve(post_id, actor="head", now=NOW, due_at=None)
    gated.store.claim(post_id, "w9", now=NOW, lease=timedelta(minutes=5))
    with pytest.raises(InvalidTransition, match="publishing"):
        gated.publisher().reschedule(post_id, NOW, actor="tester")
