"""MastodonPlatform over real HTTP (Mastodon.py and requests) to the loopback fake."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from datetime import UTC, timedelta
from pathlib import Path

import pytest
import requests

from publisher.config import MastodonCredentials
from publisher.errors import (
    PermanentPlatformError,
    TransientPlatformError,
    UnknownOutcomeError,
)
from publisher.models import OutgoingPost, PostImage, PublishReceipt
from publisher.platforms.mastodon import (
    MastodonLimits,
    MastodonPlatform,
    idempotency_key,
    text_length,
)
from tests.fakes import LoopbackServer, Ticker, make_image
from tests.fakes.mastodon import NOT_PROCESSED, FakeMastodon
from tests.platforms.conftest import (
    CLIENT_TIMEOUT,
    WELSH_ALT,
    ImageFactory,
    PostFactory,
)

MEDIA = "POST /api/v2/media"
POLL = "GET /api/v1/media/:id"
STATUS = "POST /api/v1/statuses"
INSTANCE = "GET /api/v2/instance"
DELETE = "DELETE /api/v1/statuses/:id"


@pytest.fixture
def fake() -> FakeMastodon:
    return FakeMastodon()


@pytest.fixture
def server(fake: FakeMastodon) -> Iterator[LoopbackServer]:
    with LoopbackServer(fake.handle) as running:
        yield running
        assert not running.errors, running.errors


@pytest.fixture
def creds(fake: FakeMastodon, server: LoopbackServer) -> MastodonCredentials:
    return MastodonCredentials(api_base_url=server.base_url, access_token=fake.token)


@pytest.fixture
def ticker() -> Ticker:
    return Ticker()


Maker = Callable[..., MastodonPlatform]


@pytest.fixture
def make(creds: MastodonCredentials, ticker: Ticker) -> Iterator[Maker]:
    made: list[MastodonPlatform] = []

    def build(**options: object) -> MastodonPlatform:
        settings = {
            "timeout": CLIENT_TIMEOUT,
            "sleep": ticker.sleep,
            "monotonic": ticker.monotonic,
            **options,
        }
        platform = MastodonPlatform(creds, **settings)  # type: ignore[arg-type]
        made.append(platform)
        return platform

    yield build
    for platform in made:
        platform.close()


@pytest.fixture
def masto(make: Maker) -> MastodonPlatform:
    return make()


def routes(fake: FakeMastodon) -> list[str | None]:
    return [request.route for request in fake.requests]


# Publishing ------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 2, 3, 4])
def test_publish_stores_exact_bytes_and_alt_in_order(
    masto: MastodonPlatform, fake: FakeMastodon, post_factory: PostFactory, count: int
) -> None:
    post = post_factory(count)

    receipt = masto.publish(post)

    status = fake.statuses[receipt.remote_id]
    assert status.media_ids == receipt.extra["media"]
    assert len(set(status.media_ids)) == count
    for item, media_id in zip(post.images, status.media_ids, strict=True):
        media = fake.media[media_id]
        assert hashlib.sha256(media.data).hexdigest() == item.image.sha256
        assert media.content_type == "image/jpeg"
    assert [fake.media[m].description for m in status.media_ids] == [
        f"{WELSH_ALT} {n}" for n in range(1, count + 1)
    ]
    # The status references exactly the uploaded media, nothing else.
    assert sorted(status.media_ids) == sorted(fake.media)
    assert status.text == post.text
    assert status.visibility == "public"
    assert status.language == "en"
    assert receipt.url == f"https://mastodon.fake/@{fake.username}/{status.id}"
    assert routes(fake) == [INSTANCE] + [MEDIA] * count + [POLL, POLL] * count + [
        STATUS
    ]


def test_alt_texts_arrive_byte_for_byte(
    masto: MastodonPlatform, fake: FakeMastodon, post_factory: PostFactory
) -> None:
    alts = ["ŵyn bach", "Ysgol – diwrnod y plant ✨"]

    receipt = masto.publish(post_factory(2, alts=alts))

    stored = [
        fake.media[m].description for m in fake.statuses[receipt.remote_id].media_ids
    ]
    assert [(a or "").encode() for a in stored] == [a.encode() for a in alts]


def test_upload_names_never_carry_the_original_file_name(
    masto: MastodonPlatform,
    fake: FakeMastodon,
    post_factory: PostFactory,
    tmp_path: Path,
) -> None:
    named = make_image(tmp_path, "Megan Jones at sports day.jpg")

    masto.publish(post_factory(images=[named]))

    assert [m.file_name for m in fake.media.values()] == ["image-1.jpg"]
    assert b"Megan" not in fake.requests_to(MEDIA)[0].body


def test_no_version_discovery_and_no_v1_media(
    masto: MastodonPlatform, fake: FakeMastodon, post_factory: PostFactory
) -> None:
    masto.publish(post_factory(1))

    paths = [request.path for request in fake.requests]
    assert "/api/v1/instance/" not in paths
    assert "/api/v1/media" not in paths
    assert paths.count("/api/v2/instance/") == 1


def test_status_carries_an_idempotency_key_from_the_post_id(
    masto: MastodonPlatform, fake: FakeMastodon, post_factory: PostFactory
) -> None:
    masto.publish(post_factory(1))

    sent = fake.requests_to(STATUS)[0]
    assert sent.header("idempotency-key") == idempotency_key("post-1")
    assert idempotency_key("post-1") != idempotency_key("post-2")


def test_processing_is_polled_with_the_injected_sleep(
    make: Maker, fake: FakeMastodon, ticker: Ticker, post_factory: PostFactory
) -> None:
    fake.processing_polls = 3
    platform = make(poll_interval=1.5)

    platform.publish(post_factory(1))

    assert ticker.sleeps == [1.5] * 4
    assert routes(fake).count(POLL) == 4


def test_media_ready_at_once_needs_no_poll(
    masto: MastodonPlatform, fake: FakeMastodon, post_factory: PostFactory
) -> None:
    fake.processing_polls = 0

    masto.publish(post_factory(2))

    assert POLL not in routes(fake)


def test_processing_that_never_ends_hits_the_deadline(
    make: Maker, fake: FakeMastodon, ticker: Ticker, post_factory: PostFactory
) -> None:
    fake.processing_polls = 1000
    platform = make(poll_interval=2.0, poll_deadline=10.0)

    with pytest.raises(TransientPlatformError) as caught:
        platform.publish(post_factory(1))

    assert caught.value.code == "media_processing"
    assert sum(ticker.sleeps) <= 12
    assert fake.statuses == {}


def test_posting_unprocessed_media_is_transient(
    masto: MastodonPlatform, fake: FakeMastodon, post_factory: PostFactory
) -> None:
    fake.fail_next(STATUS, "not_processed")

    with pytest.raises(TransientPlatformError) as caught:
        masto.publish(post_factory(1))

    assert caught.value.detail == NOT_PROCESSED
    assert fake.statuses == {}


# Limits ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "length"),
    [
        ("ŵyn bach", 8),
        ("see https://school.example/a/very/long/path/that/goes/on", 27),
        ("short http://a.b", 29),
        ("(https://school.example/x).", 26),
        ("e\u0301", 2),
    ],
)
def test_text_length_counts_links_as_23(text: str, length: int) -> None:
    assert text_length(text) == length


def refused(masto: MastodonPlatform, fake: FakeMastodon, post: OutgoingPost) -> str:
    problems = " ".join(masto.limit_problems(post))
    with pytest.raises(PermanentPlatformError) as caught:
        masto.publish(post)
    assert caught.value.code == "limits"
    assert routes(fake) == [INSTANCE]
    return problems


def test_long_text_is_refused_before_any_upload(
    masto: MastodonPlatform, fake: FakeMastodon, post_factory: PostFactory
) -> None:
    assert "at most 500" in refused(masto, fake, post_factory(1, text="ŵ" * 501))


def test_limits_come_from_the_server(
    make: Maker, fake: FakeMastodon, post_factory: PostFactory
) -> None:
    fake.max_characters = 100
    fake.max_media = 2
    fake.description_limit = 20
    masto = make()

    problems = " ".join(masto.limit_problems(post_factory(3, text="x" * 101)))

    assert "at most 100" in problems
    assert "at most 2 images" in problems
    assert "at most 20" in problems
    assert masto.limit_problems(post_factory(2, text="x" * 100, alts=["a", "b"])) == []


def test_text_with_links_fits_when_links_count_23(
    masto: MastodonPlatform, post_factory: PostFactory
) -> None:
    text = "x" * 470 + " https://school.example/" + "a" * 200

    assert masto.limit_problems(post_factory(1, text=text)) == []


def test_fifth_image_is_refused(
    masto: MastodonPlatform, fake: FakeMastodon, post_factory: PostFactory
) -> None:
    assert "at most 4 images" in refused(masto, fake, post_factory(5))


def test_oversized_image_is_refused(
    make: Maker,
    fake: FakeMastodon,
    post_factory: PostFactory,
    image_factory: ImageFactory,
) -> None:
    fake.image_size_limit = 10 * 1024 * 1024
    big = image_factory()._replace(byte_size=10 * 1024 * 1024 + 1)

    assert "at most 10,485,760" in refused(make(), fake, post_factory(images=[big]))


def test_missing_alt_is_refused(
    masto: MastodonPlatform, fake: FakeMastodon, image_factory: ImageFactory
) -> None:
    post = OutgoingPost("p", "text", (PostImage(image_factory(), ""),))

    assert "no alt text" in refused(masto, fake, post)


def test_unreadable_instance_falls_back_to_defaults(
    masto: MastodonPlatform, fake: FakeMastodon, post_factory: PostFactory
) -> None:
    fake.max_characters = 5000
    fake.fail_next(INSTANCE, "unavailable")

    problems = masto.limit_problems(post_factory(1, text="x" * 501))

    assert "at most 500" in problems[0]


# Errors ------------------------------------------------------------------------


def test_rate_limit_gives_the_iso_reset_time(
    masto: MastodonPlatform, fake: FakeMastodon, post_factory: PostFactory
) -> None:
    fake.fail_next(MEDIA, "rate_limit", skip=1, reset_in=600)

    with pytest.raises(TransientPlatformError) as caught:
        masto.publish(post_factory(3))

    expected = fake.clock.datetime() + timedelta(seconds=600)
    assert caught.value.retry_at == expected
    assert caught.value.retry_at is not None and caught.value.retry_at.tzinfo == UTC
    assert len(fake.requests_to(MEDIA)) == 2
    assert fake.statuses == {}


def test_rate_limit_without_reset(
    masto: MastodonPlatform, fake: FakeMastodon, post_factory: PostFactory
) -> None:
    fake.fail_next(STATUS, "rate_limit", reset_in=None)

    with pytest.raises(TransientPlatformError) as caught:
        masto.publish(post_factory(1))

    assert caught.value.retry_at is None
    assert fake.statuses == {}


@pytest.mark.parametrize(
    ("route", "kind"), [(STATUS, "server_error"), (MEDIA, "unavailable")]
)
def test_server_errors_are_transient(
    masto: MastodonPlatform,
    fake: FakeMastodon,
    post_factory: PostFactory,
    route: str,
    kind: str,
) -> None:
    fake.fail_next(route, kind)

    with pytest.raises(TransientPlatformError):
        masto.publish(post_factory(1))

    assert fake.statuses == {}


@pytest.mark.parametrize("kind", ["invalid_token", "revoked_token"])
def test_bad_token_needs_reauthorisation(
    masto: MastodonPlatform, fake: FakeMastodon, post_factory: PostFactory, kind: str
) -> None:
    fake.fail_next(MEDIA, kind)

    with pytest.raises(PermanentPlatformError) as caught:
        masto.publish(post_factory(1))

    assert caught.value.reauth is True
    assert caught.value.code == "401"
    assert fake.token not in str(caught.value)
    assert fake.statuses == {}


def test_missing_scope_is_permanent_configuration(
    masto: MastodonPlatform, fake: FakeMastodon, post_factory: PostFactory
) -> None:
    fake.fail_next(STATUS, "missing_scope")

    with pytest.raises(PermanentPlatformError) as caught:
        masto.publish(post_factory(1))

    assert caught.value.reauth is False
    assert caught.value.code == "403"
    assert "write:statuses" in str(caught.value)
    assert fake.statuses == {}


def test_validation_refusal_is_permanent(
    masto: MastodonPlatform, fake: FakeMastodon, post_factory: PostFactory
) -> None:
    masto.limits()
    fake.description_limit = 5  # the server changed after limits were read

    with pytest.raises(PermanentPlatformError) as caught:
        masto.publish(post_factory(1, alts=["a" * 6]))

    assert caught.value.code == "422"
    assert "Description is too long" in (caught.value.detail or "")
    assert fake.statuses == {}


@pytest.mark.parametrize("kind", ["drop_after", "drop_before"])
def test_lost_answer_is_unknown_and_a_retry_makes_one_status(
    masto: MastodonPlatform, fake: FakeMastodon, post_factory: PostFactory, kind: str
) -> None:
    post = post_factory(2)
    fake.fail_next(STATUS, kind)

    with pytest.raises(UnknownOutcomeError) as caught:
        masto.publish(post)
    receipt = masto.publish(post)

    assert "Idempotency-Key" in str(caught.value)
    assert [s.id for s in fake.live_statuses()] == [receipt.remote_id]
    keys = {r.header("idempotency-key") for r in fake.requests_to(STATUS)}
    assert keys == {idempotency_key(post.post_id)}
    # The retry's uploads that no status uses are removed at once.
    used = set(fake.statuses[receipt.remote_id].media_ids)
    assert receipt.extra["media"] == fake.statuses[receipt.remote_id].media_ids
    retry_uploads = list(fake.media)[-2:]
    assert [fake.media[m].deleted for m in retry_uploads] == [
        m not in used for m in retry_uploads
    ]


def test_timeout_after_storing_then_retry_makes_no_duplicate(
    make: Maker, fake: FakeMastodon, post_factory: PostFactory
) -> None:
    platform = make(timeout=0.5)
    post = post_factory(1)
    fake.fail_next(STATUS, "timeout_after")

    with pytest.raises(UnknownOutcomeError):
        platform.publish(post)
    first = fake.live_statuses()
    receipt = platform.publish(post)

    assert [s.id for s in first] == [receipt.remote_id]
    assert len(fake.live_statuses()) == 1


def test_timeout_on_upload_is_transient(
    make: Maker, fake: FakeMastodon, post_factory: PostFactory
) -> None:
    fake.fail_next(MEDIA, "timeout_before")

    with pytest.raises(TransientPlatformError) as caught:
        make(timeout=0.5).publish(post_factory(1))

    assert caught.value.code == "ReadTimeout"
    assert fake.statuses == {}


def test_unreachable_server_is_transient_and_sent_nothing(
    fake: FakeMastodon, post_factory: PostFactory
) -> None:
    with LoopbackServer(fake.handle) as gone:
        base = gone.base_url
    platform = MastodonPlatform(
        MastodonCredentials(api_base_url=base, access_token=fake.token), timeout=2
    )

    with pytest.raises(TransientPlatformError) as caught:
        platform.publish(post_factory(1))
    platform.close()

    assert "nothing was sent" in str(caught.value)


# Takedown and account check ------------------------------------------------------


def test_delete_sends_delete_media_and_a_second_delete_succeeds(
    masto: MastodonPlatform, fake: FakeMastodon, post_factory: PostFactory
) -> None:
    receipt = masto.publish(post_factory(2))

    masto.delete(receipt)
    masto.delete(receipt)

    status = fake.statuses[receipt.remote_id]
    assert status.deleted is True
    assert status.delete_media == "1"
    assert all(fake.media[m].deleted for m in status.media_ids)
    assert routes(fake)[-2:] == [DELETE, DELETE]


def test_delete_with_a_dead_token_is_refused(
    masto: MastodonPlatform, fake: FakeMastodon
) -> None:
    fake.revoked = True

    with pytest.raises(PermanentPlatformError) as caught:
        masto.delete(PublishReceipt(remote_id="113468277425131299"))

    assert caught.value.reauth is True


def test_check_credentials_names_the_account(
    masto: MastodonPlatform, fake: FakeMastodon
) -> None:
    assert masto.check_credentials() == "@ysgol"
    assert routes(fake) == ["GET /api/v1/accounts/verify_credentials"]


# The fake's own rules: a fake that accepts anything proves nothing ---------------


def _call(
    fake: FakeMastodon,
    method: str,
    path: str,
    *,
    data: dict[str, object] | None = None,
    files: dict[str, tuple[str, bytes, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, object]]:
    prepared = requests.Request(
        method,
        f"http://mastodon.fake{path}",
        data=data,
        files=files,
        headers={"Authorization": f"Bearer {fake.token}", **(headers or {})},
    ).prepare()
    body = prepared.body if isinstance(prepared.body, bytes) else (prepared.body or "")
    raw = body if isinstance(body, bytes) else body.encode()
    status, _, answer = fake.handle(
        method, prepared.url or "", dict(prepared.headers), raw
    )
    return status, json.loads(answer)


def _upload(fake: FakeMastodon, data: bytes, description: str = "alt") -> str:
    status, body = _call(
        fake,
        "POST",
        "/api/v2/media",
        data={"description": description},
        files={"file": ("x.jpg", data, "image/jpeg")},
    )
    assert status in (200, 202), body
    return str(body["id"])


def test_fake_refuses_unprocessed_media_then_accepts_it(
    fake: FakeMastodon, image_factory: ImageFactory
) -> None:
    media_id = _upload(fake, image_factory().path.read_bytes())
    post = {"status": "hi", "media_ids[]": [media_id]}

    refused = _call(fake, "POST", "/api/v1/statuses", data=post)
    assert _call(fake, "GET", f"/api/v1/media/{media_id}")[0] == 206
    accepted = _call(fake, "POST", "/api/v1/statuses", data=post)

    assert refused == (422, {"error": NOT_PROCESSED})
    assert accepted[0] == 200


def test_fake_enforces_counts_lengths_and_keys(
    fake: FakeMastodon, image_factory: ImageFactory
) -> None:
    fake.processing_polls = 0
    data = image_factory().path.read_bytes()
    five = [_upload(fake, data) for _ in range(5)]
    key = {"Idempotency-Key": "k1"}

    too_many = _call(fake, "POST", "/api/v1/statuses", data={"media_ids[]": five})
    too_long = _call(fake, "POST", "/api/v1/statuses", data={"status": "ŵ" * 501})
    long_alt = _call(
        fake,
        "POST",
        "/api/v2/media",
        data={"description": "a" * 1501},
        files={"file": ("x.jpg", data, "image/jpeg")},
    )
    first = _call(fake, "POST", "/api/v1/statuses", data={"status": "a"}, headers=key)
    again = _call(fake, "POST", "/api/v1/statuses", data={"status": "b"}, headers=key)

    assert too_many[0] == too_long[0] == long_alt[0] == 422
    assert "character limit of 500" in str(too_long[1]["error"])
    assert first[1]["id"] == again[1]["id"]
    assert len(fake.statuses) == 1


@pytest.mark.parametrize(
    "path",
    ["/api/v1/instance", "/api/v1/instance/", "/api/v2/instance", "/api/v2/instance/"],
)
def test_fake_serves_instance_with_and_without_slash(
    fake: FakeMastodon, path: str
) -> None:
    status, body = _call(fake, "GET", path)

    assert status == 200
    assert body["version"] == "4.3.0"


def test_fake_answers_unknown_routes_like_mastodon(fake: FakeMastodon) -> None:
    assert _call(fake, "GET", "/api/v1/timelines/home") == (
        404,
        {"error": "Record not found"},
    )


def test_an_error_sent_as_an_object_reads_as_a_sentence() -> None:
    from mastodon import MastodonUnauthorizedError

    from publisher.platforms.mastodon import _status_and_message

    error = MastodonUnauthorizedError(
        "Mastodon API returned error", 401, "Unauthorized", {"message": "Revoked."}
    )

    assert _status_and_message(error) == (401, "Revoked.")


def test_an_accepted_post_with_an_unreadable_answer_is_checked_not_resent(
    masto: MastodonPlatform, fake: FakeMastodon, post_factory: PostFactory
) -> None:
    """A retry after the idempotency window would post it a second time."""
    fake.fail_next(STATUS, "unreadable_reset", after_store=True)

    with pytest.raises(UnknownOutcomeError, match="accepted the post"):
        masto.publish(post_factory(1))

    assert len(fake.requests_to(STATUS)) == 1


@pytest.mark.parametrize(
    "answer", [[1], {"configuration": {"statuses": "abc"}}, "text"], ids=repr
)
def test_an_instance_answer_of_the_wrong_shape_falls_back_to_defaults(
    masto: MastodonPlatform, monkeypatch: pytest.MonkeyPatch, answer: object
) -> None:
    monkeypatch.setattr(masto._api, "instance_v2", lambda: answer)

    assert masto.limits() == MastodonLimits()
