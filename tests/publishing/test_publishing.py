from __future__ import annotations

import json
from datetime import timedelta

import pytest
from PIL import Image

from publisher.errors import (
    PermanentPlatformError,
    PostBlocked,
    TransientPlatformError,
    UnknownOutcomeError,
)
from publisher.models import PostStatus, TargetStatus
from tests.publishing.conftest import NOW, Queue


def test_due_post_is_published_and_future_left(queue: Queue) -> None:
    due = queue.add()
    later = queue.add(due=NOW + timedelta(hours=1))

    reports = queue.publisher().run_due(NOW)

    assert [r.post_id for r in reports] == [due]
    assert queue.store.get_post(due).status == PostStatus.PUBLISHED
    assert queue.store.get_post(later).status == PostStatus.SCHEDULED
    assert len(queue.platforms["alpha"].sent) == 1
    record = json.loads((queue.settings.outbox_dir / due / "record.json").read_text())
    assert record["images"][0]["alt_text"] == "Photo sports-day.jpg"


def test_outbox_image_is_upright_clean_and_small(queue: Queue) -> None:
    post_id = queue.add()
    queue.publisher().run_due(NOW)

    written = queue.settings.outbox_dir / post_id / "image-1.jpg"
    with Image.open(written) as image:
        # The sample is stored sideways with orientation 6: landscape when upright.
        assert image.width > image.height
        assert max(image.size) <= 1080
        assert not image.getexif()
        assert "comment" not in image.info and "icc_profile" not in image.info
    assert b"ExampleCam" not in written.read_bytes()


def test_roster_change_blocks_at_publish_time(queue: Queue) -> None:
    caption = "Well done Zara Quinlan-Price on the long jump!"
    with pytest.raises(PostBlocked) as caught:  # a likely name, not on the roster
        queue.add(caption)
    acks = [f.key for f in caught.value.findings]
    assert all(key.endswith(":offroster") for key in acks)
    post_id = queue.add(caption, acks=acks)
    with queue.settings.roster.open("a", encoding="utf-8") as roster:  # type: ignore[union-attr]
        roster.write("S2001,Zara,Quinlan-Price,,Year 6\n")

    queue.publisher().run_due(NOW)

    assert queue.store.get_post(post_id).status == PostStatus.BLOCKED
    assert queue.platforms["alpha"].sent == []
    assert not (queue.settings.outbox_dir / post_id).exists()


def test_naming_a_learner_is_refused_at_intake(queue: Queue) -> None:
    with pytest.raises(PostBlocked) as caught:
        queue.add("Congratulations Elin Pritchard!")
    assert any("S1001" in f.learner_ids for f in caught.value.findings)
    assert queue.store.list_posts() == []
    assert list(queue.settings.media_dir.glob("*")) == []


def test_one_failure_leaves_the_other_published(queue: Queue) -> None:
    queue.platforms["beta"].failures.append(
        PermanentPlatformError("No permission.", platform="beta", code="10")
    )
    post_id = queue.add(targets=("alpha", "beta"))
    queue.publisher().run_due(NOW)

    post = queue.store.get_post(post_id)
    assert post.status == PostStatus.PARTLY_PUBLISHED
    assert post.target("alpha").status == TargetStatus.PUBLISHED
    assert post.target("beta").status == TargetStatus.FAILED
    assert post.target("beta").error_code == "10"

    assert queue.publisher().retry(post_id, actor="me", now=NOW) == ["beta"]
    queue.publisher().run_due(NOW + timedelta(seconds=1))
    assert queue.store.get_post(post_id).status == PostStatus.PUBLISHED
    assert len(queue.platforms["alpha"].sent) == 1
    assert len(queue.platforms["beta"].sent) == 1


def test_rate_limit_waits_for_the_reset(queue: Queue) -> None:
    reset = NOW + timedelta(minutes=15)
    queue.platforms["alpha"].failures.append(
        TransientPlatformError("Slow down.", platform="alpha", retry_at=reset)
    )
    post_id = queue.add(targets=("alpha",))
    publisher = queue.publisher()

    publisher.run_due(NOW)
    assert queue.store.get_post(post_id).target("alpha").status == TargetStatus.RETRY
    assert publisher.run_due(NOW + timedelta(minutes=14)) == []
    publisher.run_due(reset)

    assert queue.store.get_post(post_id).status == PostStatus.PUBLISHED
    assert len(queue.platforms["alpha"].sent) == 1


def test_lost_answer_is_never_resent(queue: Queue) -> None:
    queue.platforms["alpha"].failures.append(
        UnknownOutcomeError("Timed out after sending.", platform="alpha")
    )
    post_id = queue.add(targets=("alpha",))
    publisher = queue.publisher()
    publisher.run_due(NOW)
    publisher.run_due(NOW + timedelta(hours=2))

    assert queue.store.get_post(post_id).status == PostStatus.NEEDS_CHECKING
    assert queue.platforms["alpha"].sent == []


def test_worker_death_mid_call_needs_checking(queue: Queue) -> None:
    post_id = queue.add(targets=("alpha", "beta"))
    store = queue.store
    store.claim(post_id, "dead", now=NOW, lease=timedelta(minutes=1))
    store.update_target(post_id, "alpha", TargetStatus.SENDING, actor="dead")

    queue.publisher("w2").run_due(NOW + timedelta(minutes=2))

    post = store.get_post(post_id)
    assert post.target("alpha").status == TargetStatus.NEEDS_CHECKING
    assert post.target("beta").status == TargetStatus.PUBLISHED
    assert queue.platforms["alpha"].sent == []


def test_image_changed_after_queueing_is_refused(queue: Queue) -> None:
    post_id = queue.add(targets=("alpha",))
    stored = queue.store.get_post(post_id).images[0].image.path
    with Image.open(stored) as image:
        image.save(stored, "JPEG", comment=b"added later")

    queue.publisher().run_due(NOW)

    post = queue.store.get_post(post_id)
    assert post.status == PostStatus.FAILED
    assert post.target("alpha").error_kind == "media"
    assert queue.platforms["alpha"].sent == []


def test_late_post_is_held_as_missed(queue: Queue) -> None:
    post_id = queue.add(targets=("alpha",))
    queue.publisher().run_due(NOW + timedelta(hours=3))
    assert queue.store.get_post(post_id).status == PostStatus.MISSED
    assert queue.platforms["alpha"].sent == []


def test_takedown_reports_each_target(queue: Queue) -> None:
    post_id = queue.add(targets=("outbox", "alpha", "beta"))
    queue.publisher().run_due(NOW)
    queue.platforms["beta"].delete_failures.append(
        TransientPlatformError("Server error.", platform="beta", code="500")
    )

    reports = queue.publisher().takedown(post_id, actor="dsl", reason="consent")

    states = {r.target: r.status for r in reports}
    assert states == {
        "outbox": TargetStatus.TAKEN_DOWN,
        "alpha": TargetStatus.TAKEN_DOWN,
        "beta": TargetStatus.STILL_LIVE,
    }
    assert not (queue.settings.outbox_dir / post_id).exists()
    assert queue.store.get_post(post_id).status != PostStatus.TAKEN_DOWN

    queue.publisher().takedown(post_id, actor="dsl", reason="consent")
    assert queue.store.get_post(post_id).status == PostStatus.TAKEN_DOWN


def test_weekly_post_queues_its_next_occurrence_once(queue: Queue) -> None:
    first = queue.add("Newsletter out today!", targets=("alpha",), every="week")
    queue.publisher().run_due(NOW)
    queue.publisher().recover(NOW + timedelta(hours=1))

    posts = queue.store.list_posts()
    assert [p.status for p in posts] == [PostStatus.PUBLISHED, PostStatus.SCHEDULED]
    nxt = posts[1]
    assert nxt.due_at == NOW + timedelta(days=7)
    assert nxt.series_id == first
    assert nxt.images[0].image.path != posts[0].images[0].image.path
    assert nxt.images[0].image.path.is_file()


def test_taking_down_the_next_occurrence_ends_the_series(queue: Queue) -> None:
    queue.add("Newsletter out today!", targets=("alpha",), every="week")
    queue.publisher().run_due(NOW)
    nxt = queue.store.list_posts()[1]

    queue.publisher().takedown(nxt.id, actor="tester", reason="series over")
    queue.publisher().run_due(NOW + timedelta(days=7, minutes=1))

    assert len(queue.platforms["alpha"].sent) == 1
    statuses = [p.status for p in queue.store.list_posts()]
    assert statuses == [PostStatus.PUBLISHED, PostStatus.TAKEN_DOWN]


def test_broken_account_fails_before_sending_and_alerts(queue: Queue) -> None:
    alpha = queue.platforms["alpha"]

    def expired() -> str:
        raise PermanentPlatformError(
            "The token expired.", platform="alpha", code="190", reauth=True
        )

    alpha.check_credentials = expired  # type: ignore[method-assign]
    post_id = queue.add(targets=("alpha", "beta"))
    queue.publisher().run_due(NOW)

    post = queue.store.get_post(post_id)
    assert post.target("alpha").error_kind == "reauth"
    assert post.target("beta").status == TargetStatus.PUBLISHED
    assert alpha.sent == []
    assert queue.store.broken_accounts() == {("default", "alpha"): "The token expired."}


def test_reschedule_overrides_a_pending_retry(queue: Queue) -> None:
    queue.platforms["alpha"].failures.append(
        TransientPlatformError("Server error.", platform="alpha", code="503")
    )
    post_id = queue.add(targets=("alpha",))
    publisher = queue.publisher()
    publisher.run_due(NOW)
    later = NOW + timedelta(days=30)
    publisher.reschedule(post_id, later, actor="comms")

    assert publisher.run_due(NOW + timedelta(hours=1)) == []
    assert queue.platforms["alpha"].sent == []
    publisher.run_due(later)
    assert queue.store.get_post(post_id).status == PostStatus.PUBLISHED
    reasons = [entry.reason for entry in queue.store.history(post_id)]
    assert any(reason.startswith("new time") for reason in reasons)


def test_platform_error_codes_of_any_type_are_stored(queue: Queue) -> None:
    """Platforms answer with codes that are numbers or objects, not only text."""
    queue.platforms["beta"].failures.append(
        PermanentPlatformError(
            "Unauthorised.",
            platform="beta",
            code={"message": "bad"},  # type: ignore[arg-type]
        )
    )
    post_id = queue.add(targets=("alpha", "beta"))

    queue.publisher().run_due(NOW)

    beta = next(t for t in queue.store.get_post(post_id).targets if t.target == "beta")
    assert beta.status == TargetStatus.FAILED
    assert beta.error_code == "{'message': 'bad'}"


def test_a_fault_of_ours_cannot_leave_a_post_stuck(
    queue: Queue, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unexpected error fails what was not tried, and rounds go on.

    Otherwise the post would stay 'publishing' and crash every round once its
    lease ran out.
    """
    post_id = queue.add(targets=("alpha", "beta"))
    beta = queue.platforms["beta"]

    def broken(post: object) -> list[str]:
        raise TypeError("a bug")

    monkeypatch.setattr(beta, "limit_problems", broken)
    publisher = queue.publisher()
    reports = publisher.run_due(NOW)

    post = queue.store.get_post(post_id)
    states = {t.target: t.status for t in post.targets}
    assert states == {"alpha": TargetStatus.PUBLISHED, "beta": TargetStatus.FAILED}
    assert post.status == PostStatus.PARTLY_PUBLISHED
    assert [r.post_id for r in reports] == [post_id]
    assert publisher.run_due(NOW + timedelta(minutes=1)) == []
    assert len(queue.platforms["alpha"].sent) == 1


def test_an_account_check_that_keeps_failing_ends_in_failure(queue: Queue) -> None:
    """Each failed check counts as an attempt, so the target fails in the end."""
    alpha = queue.platforms["alpha"]

    def down() -> str:
        raise TransientPlatformError("Service unavailable.", platform="alpha")

    alpha.check_credentials = down  # type: ignore[method-assign]
    post_id = queue.add(targets=("alpha",))

    moment = NOW
    for _ in range(6):
        queue.publisher().run_due(moment)
        moment += timedelta(hours=2)

    (target,) = queue.store.get_post(post_id).targets
    assert target.status == TargetStatus.FAILED
    assert "Gave up after 5 attempts" in (target.error_message or "")
    assert alpha.sent == []
