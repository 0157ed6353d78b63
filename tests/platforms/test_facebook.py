"""FacebookPlatform over real HTTP to the loopback Graph fake (facebook-sdk)."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import facebook
import pytest
import requests

from publisher.errors import (
    ConfigError,
    PermanentPlatformError,
    PlatformError,
    TransientPlatformError,
    UnknownOutcomeError,
)
from publisher.models import PublishReceipt
from publisher.platforms.facebook import FacebookPlatform
from tests.fakes import (
    FacebookFake,
    RunningFake,
    facebook_credentials,
    running_facebook_fake,
)
from tests.platforms.conftest import CLIENT_TIMEOUT, WELSH_ALT, PostFactory

SHORT_TIMEOUT = 1.0
NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


@pytest.fixture
def fb(fb_fake: RunningFake[FacebookFake]) -> Iterator[FacebookPlatform]:
    platform = FacebookPlatform(
        facebook_credentials(fb_fake), timeout=CLIENT_TIMEOUT, now=lambda: NOW
    )
    yield platform
    platform.close()


def routes(fake: FacebookFake) -> list[str | None]:
    return [request.route for request in fake.requests]


def assert_no_token(error: PlatformError, fake: FacebookFake) -> None:
    shown = " ".join(str(part) for part in (error, error.code, error.detail))
    assert fake.page_token not in shown


# Publishing ------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 2, 3, 4])
def test_publish_stores_exact_bytes_and_alt_in_order(
    fb: FacebookPlatform,
    fb_fake: RunningFake[FacebookFake],
    post_factory: PostFactory,
    count: int,
) -> None:
    post = post_factory(count)

    receipt = fb.publish(post)

    fake = fb_fake.fake
    stored = fake.posts[receipt.remote_id]
    assert stored.photo_ids == receipt.extra["photo_ids"]
    assert stored.message == post.text
    for item, photo_id in zip(post.images, stored.photo_ids, strict=True):
        photo = fake.photos[photo_id]
        assert hashlib.sha256(photo.data).hexdigest() == item.image.sha256
        assert b"Exif" not in photo.data
        assert photo.alt_text == item.alt_text
        assert photo.published is False
        assert photo.content_type == "image/jpeg"
    assert [fake.photos[p].alt_text for p in stored.photo_ids] == [
        f"{WELSH_ALT} {n}" for n in range(1, count + 1)
    ]
    assert receipt.remote_id.startswith(fake.page_id + "_")
    assert receipt.url == f"https://www.facebook.com/{receipt.remote_id}"
    assert routes(fake) == ["POST /{page}/photos"] * count + ["POST /{page}/feed"]


def test_every_request_uses_the_pinned_version(
    fb: FacebookPlatform, fb_fake: RunningFake[FacebookFake], post_factory: PostFactory
) -> None:
    receipt = fb.publish(post_factory(3))
    fb.check_credentials()
    fb.delete(receipt)

    fake = fb_fake.fake
    assert len(fake.requests) == 3 + 1 + 1 + 1 + 3
    assert fake.versions_used() == {"v26.0"}
    assert all(r.path.startswith("/v26.0/") for r in fake.requests)


def test_global_graph_url_is_left_alone(
    fb: FacebookPlatform, post_factory: PostFactory
) -> None:
    before = facebook.FACEBOOK_GRAPH_URL

    fb.publish(post_factory(1))

    assert facebook.FACEBOOK_GRAPH_URL == before == "https://graph.facebook.com/"


def test_two_pages_on_two_hosts_do_not_mix(
    fb: FacebookPlatform, fb_fake: RunningFake[FacebookFake], post_factory: PostFactory
) -> None:
    with running_facebook_fake() as second:
        other = FacebookPlatform(facebook_credentials(second), timeout=CLIENT_TIMEOUT)
        other.publish(post_factory(1, text="Second Page"))
        fb.publish(post_factory(1, text="First Page"))
        other.close()
        second_messages = [p.message for p in second.fake.posts.values()]

    assert second_messages == ["Second Page"]
    assert [p.message for p in fb_fake.fake.posts.values()] == ["First Page"]


def test_appsecret_proof_is_sent_when_configured(post_factory: PostFactory) -> None:
    with running_facebook_fake(FacebookFake(app_secret="s3cret-app")) as running:
        good = FacebookPlatform(facebook_credentials(running), timeout=CLIENT_TIMEOUT)
        bad = FacebookPlatform(
            facebook_credentials(running, app_secret="wrong"), timeout=CLIENT_TIMEOUT
        )
        receipt = good.publish(post_factory(1))
        with pytest.raises(PermanentPlatformError) as caught:
            bad.check_credentials()
        good.close()
        bad.close()

    assert receipt.remote_id in running.fake.posts
    assert caught.value.code == "100"
    assert "appsecret_proof" in (caught.value.detail or "")


def test_bad_version_setting_is_a_config_error(
    fb_fake: RunningFake[FacebookFake],
) -> None:
    with pytest.raises(ConfigError):
        FacebookPlatform(
            facebook_credentials(fb_fake, graph_version="26.0"), timeout=CLIENT_TIMEOUT
        )


def test_retired_version_is_refused_by_the_fake(
    fb_fake: RunningFake[FacebookFake],
) -> None:
    platform = FacebookPlatform(
        facebook_credentials(fb_fake, graph_version="v2.8"), timeout=CLIENT_TIMEOUT
    )

    with pytest.raises(PermanentPlatformError) as caught:
        platform.check_credentials()
    platform.close()

    assert caught.value.code == "2635"
    assert fb_fake.fake.versions_used() == {"v2.8"}


# Limits ----------------------------------------------------------------------


def test_limits_are_checked_before_anything_is_sent(
    fb: FacebookPlatform, fb_fake: RunningFake[FacebookFake], post_factory: PostFactory
) -> None:
    five = post_factory(5)
    long_text = post_factory(1, text="a" * 63_207)
    long_alt = post_factory(1, alts=["a" * 1001])
    base = post_factory(1)
    big = base.images[0].image._replace(byte_size=10_000_000)
    oversized = replace(base, images=(replace(base.images[0], image=big),))
    webp = base.images[0].image._replace(media_type="image/webp")
    webp_post = replace(base, images=(replace(base.images[0], image=webp),))

    for post in (five, long_text, long_alt, oversized, webp_post):
        assert len(fb.limit_problems(post)) == 1
        with pytest.raises(PermanentPlatformError, match="limits"):
            fb.publish(post)

    assert fb.limit_problems(post_factory(1, text="a" * 63_206)) == []
    assert fb_fake.fake.requests == []


# Faults ----------------------------------------------------------------------

FEED = "POST /{page}/feed"
PHOTOS = "POST /{page}/photos"

FAULTS = [
    # route, kind, options, error class, code
    (FEED, "rate_limit", {"reset_in": 600}, TransientPlatformError, "80001"),
    (PHOTOS, "rate_limit_no_reset", {}, TransientPlatformError, "4"),
    (PHOTOS, "rate_limit_no_reset", {"code": 32}, TransientPlatformError, "32"),
    (PHOTOS, "server_error_html", {}, TransientPlatformError, "http-502"),
    (PHOTOS, "server_error_json", {}, TransientPlatformError, "2"),
    (PHOTOS, "no_content_type", {}, TransientPlatformError, "2"),
    (PHOTOS, "no_content_type", {"empty": True}, TransientPlatformError, "http-500"),
    (FEED, "missing_permission", {}, PermanentPlatformError, "200"),
    (FEED, "duplicate", {}, PermanentPlatformError, "506"),
    (FEED, "blocked", {}, PermanentPlatformError, "368/1390008"),
    (FEED, "media_not_ready", {}, TransientPlatformError, "9007/2207027"),
]


@pytest.mark.parametrize(("route", "kind", "options", "error", "code"), FAULTS)
def test_fault_is_sorted_and_unused_photos_are_deleted(
    fb: FacebookPlatform,
    fb_fake: RunningFake[FacebookFake],
    post_factory: PostFactory,
    route: str,
    kind: str,
    options: dict[str, Any],
    error: type[PlatformError],
    code: str,
) -> None:
    fake = fb_fake.fake
    fake.fail_next(route, kind, skip=1 if route == PHOTOS else 0, **options)

    with pytest.raises(PlatformError) as caught:
        fb.publish(post_factory(3))

    assert type(caught.value) is error
    assert caught.value.code == code
    if isinstance(caught.value, PermanentPlatformError):
        assert caught.value.reauth is False
    assert not fake.posts
    uploaded = list(fake.photos.values())
    assert uploaded, "at least one photo was uploaded before the failure"
    assert all(photo.deleted for photo in uploaded)
    assert_no_token(caught.value, fake)


def test_rate_limit_retry_at_comes_from_business_usage(
    fb: FacebookPlatform, fb_fake: RunningFake[FacebookFake], post_factory: PostFactory
) -> None:
    fb_fake.fake.fail_next(FEED, "rate_limit", reset_in=600)

    with pytest.raises(TransientPlatformError) as caught:
        fb.publish(post_factory(1))

    assert caught.value.retry_at == NOW + timedelta(minutes=10)


@pytest.mark.parametrize(
    ("kind", "options", "posts"),
    [
        ("server_error_html", {}, 0),
        ("server_error_json", {"after_store": True}, 1),
        ("no_content_type", {"after_store": True}, 1),
        ("no_content_type", {"empty": True}, 0),
    ],
)
def test_unreadable_answer_to_the_post_is_looked_up(
    fb: FacebookPlatform,
    fb_fake: RunningFake[FacebookFake],
    post_factory: PostFactory,
    kind: str,
    options: dict[str, Any],
    posts: int,
) -> None:
    fake = fb_fake.fake
    fake.fail_next(FEED, kind, **options)

    if posts:
        # Stored despite the bad answer: found on the Page by its photos.
        receipt = fb.publish(post_factory(2))
        [stored] = fake.posts.values()
        assert receipt.remote_id == stored.id
        assert receipt.extra["photo_ids"] == stored.photo_ids
    else:
        with pytest.raises(UnknownOutcomeError):
            fb.publish(post_factory(2))

    assert len(fake.posts) == posts
    # The post may use the photos, so they stay.
    assert not any(photo.deleted for photo in fake.photos.values())


@pytest.mark.parametrize(
    ("route", "kind", "error", "posts"),
    [
        (FEED, "timeout_before", UnknownOutcomeError, 0),
        (FEED, "timeout_after", None, 1),
        (FEED, "drop_after", None, 1),
        (PHOTOS, "timeout", TransientPlatformError, 0),
    ],
)
def test_lost_answers(
    fb_fake: RunningFake[FacebookFake],
    post_factory: PostFactory,
    route: str,
    kind: str,
    error: type[PlatformError] | None,
    posts: int,
) -> None:
    fake = fb_fake.fake
    fake.fail_next(route, kind, skip=1 if route == PHOTOS else 0)
    platform = FacebookPlatform(facebook_credentials(fb_fake), timeout=SHORT_TIMEOUT)

    if error is None:
        # The post was stored and its answer lost: the client finds it.
        receipt = platform.publish(post_factory(2))
        platform.close()
        assert [receipt.remote_id] == [post.id for post in fake.live_posts()]
        return
    with pytest.raises(PlatformError) as caught:
        platform.publish(post_factory(2))
    platform.close()

    assert type(caught.value) is error
    assert len(fake.posts) == posts
    assert_no_token(caught.value, fake)


def test_photo_failure_midway_deletes_the_earlier_photos(
    fb: FacebookPlatform, fb_fake: RunningFake[FacebookFake], post_factory: PostFactory
) -> None:
    fake = fb_fake.fake
    fake.fail_next(PHOTOS, "duplicate", skip=2)

    with pytest.raises(PermanentPlatformError):
        fb.publish(post_factory(4))

    assert len(fake.photos) == 2
    assert all(photo.deleted for photo in fake.photos.values())
    assert routes(fake)[-2:] == ["DELETE /{id}", "DELETE /{id}"]


@pytest.mark.parametrize(
    ("route", "kind", "code"),
    [(FEED, "expired_token", "190/463"), (PHOTOS, "revoked_token", "190/460")],
)
def test_dead_token_needs_reauth(
    fb: FacebookPlatform,
    fb_fake: RunningFake[FacebookFake],
    post_factory: PostFactory,
    route: str,
    kind: str,
    code: str,
) -> None:
    fb_fake.fake.fail_next(route, kind)

    with pytest.raises(PermanentPlatformError) as caught:
        fb.publish(post_factory(1))

    assert caught.value.reauth is True
    assert caught.value.code == code
    assert_no_token(caught.value, fb_fake.fake)


def test_same_message_twice_is_a_duplicate_and_cleans_up(
    fb: FacebookPlatform, fb_fake: RunningFake[FacebookFake], post_factory: PostFactory
) -> None:
    first = fb.publish(post_factory(1))

    with pytest.raises(PermanentPlatformError) as caught:
        fb.publish(post_factory(1))

    fake = fb_fake.fake
    assert caught.value.code == "506"
    assert list(fake.posts) == [first.remote_id]
    kept = fake.photos[first.extra["photo_ids"][0]]
    assert not kept.deleted
    assert sum(photo.deleted for photo in fake.photos.values()) == 1


# Takedown and health check ----------------------------------------------------


def test_delete_removes_post_and_each_photo_and_repeats_safely(
    fb: FacebookPlatform, fb_fake: RunningFake[FacebookFake], post_factory: PostFactory
) -> None:
    receipt = fb.publish(post_factory(3))

    fb.delete(receipt)
    fb.delete(receipt)

    fake = fb_fake.fake
    assert fake.posts[receipt.remote_id].deleted
    assert all(fake.photos[p].deleted for p in receipt.extra["photo_ids"])
    assert routes(fake).count("DELETE /{id}") == 8


def test_delete_goes_on_after_a_failure_then_raises(
    fb: FacebookPlatform, fb_fake: RunningFake[FacebookFake], post_factory: PostFactory
) -> None:
    receipt = fb.publish(post_factory(2))
    fb_fake.fake.fail_next("DELETE /{id}", "server_error_html")

    with pytest.raises(TransientPlatformError):
        fb.delete(receipt)

    fake = fb_fake.fake
    assert not fake.posts[receipt.remote_id].deleted
    assert all(fake.photos[p].deleted for p in receipt.extra["photo_ids"])


def test_delete_with_wrong_app_secret_is_not_counted_as_done(
    post_factory: PostFactory,
) -> None:
    with running_facebook_fake(FacebookFake(app_secret="s3cret-app")) as running:
        good = FacebookPlatform(facebook_credentials(running), timeout=CLIENT_TIMEOUT)
        receipt = good.publish(post_factory(1))
        bad = FacebookPlatform(
            facebook_credentials(running, app_secret="wrong"), timeout=CLIENT_TIMEOUT
        )
        with pytest.raises(PermanentPlatformError) as caught:
            bad.delete(receipt)
        good.close()
        bad.close()

    assert caught.value.code == "100"
    assert not running.fake.posts[receipt.remote_id].deleted


def test_delete_with_expired_token_needs_reauth(
    fb: FacebookPlatform, fb_fake: RunningFake[FacebookFake]
) -> None:
    fb_fake.fake.expire_token()

    with pytest.raises(PermanentPlatformError) as caught:
        fb.delete(PublishReceipt(remote_id="104857600000001_1"))

    assert caught.value.reauth is True


def test_check_credentials_names_the_page(fb: FacebookPlatform) -> None:
    assert fb.check_credentials() == "Ysgol Enghraifft (104857600000001)"


@pytest.mark.parametrize("token_fault", ["expire_token", "revoke_token"])
def test_check_credentials_with_dead_token_needs_reauth(
    fb: FacebookPlatform, fb_fake: RunningFake[FacebookFake], token_fault: str
) -> None:
    getattr(fb_fake.fake, token_fault)()

    with pytest.raises(PermanentPlatformError) as caught:
        fb.check_credentials()

    assert caught.value.reauth is True
    assert_no_token(caught.value, fb_fake.fake)


def test_unknown_token_needs_reauth(fb_fake: RunningFake[FacebookFake]) -> None:
    platform = FacebookPlatform(
        facebook_credentials(fb_fake, page_access_token="EAAnotreal"),
        timeout=CLIENT_TIMEOUT,
    )

    with pytest.raises(PermanentPlatformError) as caught:
        platform.check_credentials()
    platform.close()

    assert caught.value.reauth is True
    assert caught.value.code == "190"


# Logging -----------------------------------------------------------------------


def test_logs_hold_ids_but_no_text_alt_or_token(
    fb: FacebookPlatform,
    fb_fake: RunningFake[FacebookFake],
    post_factory: PostFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    post = post_factory(2, text="Llongyfarchiadau i Flwyddyn 6")
    fb_fake.fake.fail_next("DELETE /{id}", "server_error_json")
    with caplog.at_level(logging.DEBUG, logger="publisher"):
        receipt = fb.publish(post)
        with pytest.raises(TransientPlatformError):
            fb.delete(receipt)

    assert receipt.remote_id in caplog.text
    assert post.text not in caplog.text
    assert WELSH_ALT not in caplog.text
    assert fb_fake.fake.page_token not in caplog.text


# The fake itself ---------------------------------------------------------------


def test_fake_refuses_unversioned_and_unknown_paths(
    fb_fake: RunningFake[FacebookFake],
) -> None:
    token = {"access_token": fb_fake.fake.page_token}
    unversioned = requests.get(f"{fb_fake.base_url}/me", params=token, timeout=5)
    unknown = requests.get(
        f"{fb_fake.base_url}/v26.0/me/nothing", params=token, timeout=5
    )

    assert unversioned.json()["error"]["code"] == 100
    assert unknown.json()["error"]["code"] == 2500
    assert unknown.headers["Content-Type"].startswith("application/json")


def test_fake_refuses_photos_of_another_page_or_used_twice(
    fb: FacebookPlatform, fb_fake: RunningFake[FacebookFake], post_factory: PostFactory
) -> None:
    fake = fb_fake.fake
    receipt = fb.publish(post_factory(1))
    photo_id = receipt.extra["photo_ids"][0]
    url = f"{fb_fake.base_url}/v26.0/{fake.page_id}/feed"
    form = {
        "access_token": fake.page_token,
        "message": "Again",
        "attached_media[0]": json.dumps({"media_fbid": photo_id}),
    }

    reused = requests.post(url, data=form, timeout=5)
    other_page = requests.post(
        f"{fb_fake.base_url}/v26.0/999999999999999/feed", data=form, timeout=5
    )

    assert reused.json()["error"]["code"] == 100
    assert other_page.json()["error"]["code"] == 200
    assert len(fake.posts) == 1
