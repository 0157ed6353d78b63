"""XPlatform over real HTTP to the loopback X fake (tweepy and requests)."""

from __future__ import annotations

import hashlib
import logging
import socket
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
from requests_oauthlib import OAuth1

from publisher.errors import (
    PermanentPlatformError,
    PlatformError,
    TransientPlatformError,
    UnknownOutcomeError,
    UnverifiedImage,
)
from publisher.models import OutgoingPost, PostImage, PublishReceipt
from publisher.platforms.x import XPlatform
from tests.fakes import LoopbackServer, RunningFake, XFake, x_credentials
from tests.platforms.conftest import (
    CLIENT_TIMEOUT,
    WELSH_ALT,
    ImageFactory,
    PostFactory,
)

#: Long enough for loopback work, short enough to wait for in a test.
SHORT_TIMEOUT = 1.0


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def x(x_fake: RunningFake[XFake], sleeps: list[float]) -> Iterator[XPlatform]:
    platform = XPlatform(
        x_credentials(x_fake), timeout=CLIENT_TIMEOUT, sleep=sleeps.append
    )
    yield platform
    platform.close()


def routes(fake: XFake) -> list[str | None]:
    return [request.route for request in fake.requests]


def secrets_of(fake: XFake) -> list[str]:
    return list(fake.credentials().values())


def assert_no_secrets(error: PlatformError, fake: XFake) -> None:
    shown = " ".join(str(part) for part in (error, error.code, error.detail))
    for secret in secrets_of(fake):
        assert secret not in shown


# Publishing ------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 2, 3, 4])
def test_publish_stores_exact_bytes_and_alt_in_order(
    x: XPlatform, x_fake: RunningFake[XFake], post_factory: PostFactory, count: int
) -> None:
    post = post_factory(count)

    receipt = x.publish(post)

    fake = x_fake.fake
    stored = fake.posts[receipt.remote_id]
    assert stored.media_ids == receipt.extra["media_ids"]
    assert len(set(stored.media_ids)) == count
    for item, media_id in zip(post.images, stored.media_ids, strict=True):
        media = fake.media[media_id]
        assert hashlib.sha256(media.data).hexdigest() == item.image.sha256
        assert b"Exif" not in media.data
        assert media.alt_text == item.alt_text
        assert media.category == "tweet_image"
    assert [fake.media[m].alt_text for m in stored.media_ids] == [
        f"{WELSH_ALT} {n}" for n in range(1, count + 1)
    ]
    assert stored.text == post.text
    assert receipt.url == f"https://x.com/i/web/status/{receipt.remote_id}"
    assert routes(fake) == (
        ["POST /2/media/upload"] * count
        + ["POST /2/media/metadata"] * count
        + ["POST /2/tweets"]
    )


def test_ids_are_strings_of_snowflake_size(
    x: XPlatform, post_factory: PostFactory
) -> None:
    receipt = x.publish(post_factory(2))

    for value in [receipt.remote_id, *receipt.extra["media_ids"]]:
        assert isinstance(value, str)
        assert len(value) == 19 and value.isdigit()


def test_tweepy_calls_are_rerouted_to_client_base(
    x_fake: RunningFake[XFake], post_factory: PostFactory
) -> None:
    with LoopbackServer(x_fake.fake.handle) as client_side:
        creds = x_credentials(x_fake, client_base=client_side.base_url)
        platform = XPlatform(creds, timeout=CLIENT_TIMEOUT)
        platform.publish(post_factory(1))
        platform.close()

    by_port = {r.route: r.url.split("/")[2] for r in x_fake.fake.requests}
    assert by_port["POST /2/tweets"] == f"127.0.0.1:{client_side.port}"
    assert by_port["POST /2/media/upload"] == f"127.0.0.1:{x_fake.server.port}"


def test_gif_goes_through_chunked_upload_and_waits_for_processing(
    x: XPlatform,
    x_fake: RunningFake[XFake],
    post_factory: PostFactory,
    image_factory: ImageFactory,
    sleeps: list[float],
) -> None:
    gif = image_factory("image/gif")
    post = post_factory(images=[gif])

    receipt = x.publish(post)

    media = x_fake.fake.media[receipt.extra["media_ids"][0]]
    assert media.category == "tweet_gif"
    assert hashlib.sha256(media.data).hexdigest() == gif.sha256
    assert media.alt_text == post.images[0].alt_text
    assert sleeps == [1.0, 1.0]
    assert routes(x_fake.fake) == [
        "POST /2/media/upload/initialize",
        "POST /2/media/upload/{id}/append",
        "POST /2/media/upload/{id}/finalize",
        "GET /2/media/upload",
        "GET /2/media/upload",
        "POST /2/media/metadata",
        "POST /2/tweets",
    ]


def test_failed_processing_is_permanent_and_posts_nothing(
    x: XPlatform,
    x_fake: RunningFake[XFake],
    post_factory: PostFactory,
    image_factory: ImageFactory,
) -> None:
    x_fake.fake.fail_next("POST /2/media/upload/{id}/finalize", "media_failed", polls=1)

    with pytest.raises(PermanentPlatformError) as caught:
        x.publish(post_factory(images=[image_factory("image/gif")]))

    assert caught.value.code == "processing:1"
    assert not x_fake.fake.posts


def test_processing_wait_has_a_deadline(
    x_fake: RunningFake[XFake],
    post_factory: PostFactory,
    image_factory: ImageFactory,
    sleeps: list[float],
) -> None:
    x_fake.fake.gif_processing_polls = 50
    platform = XPlatform(
        x_credentials(x_fake),
        timeout=CLIENT_TIMEOUT,
        sleep=sleeps.append,
        max_processing_wait=3,
    )

    with pytest.raises(TransientPlatformError) as caught:
        platform.publish(post_factory(images=[image_factory("image/gif")]))
    platform.close()

    assert caught.value.code == "processing-timeout"
    assert sum(sleeps) <= 3
    assert not x_fake.fake.posts


def test_still_image_processing_is_polled_when_x_asks(
    x: XPlatform,
    x_fake: RunningFake[XFake],
    post_factory: PostFactory,
    sleeps: list[float],
) -> None:
    x_fake.fake.fail_next("POST /2/media/upload", "media_not_ready", polls=2)

    receipt = x.publish(post_factory(1))

    assert receipt.remote_id in x_fake.fake.posts
    assert routes(x_fake.fake).count("GET /2/media/upload") == 2
    assert sleeps == [1.0, 1.0]


def test_empty_text_with_images_is_sent_without_text(
    x: XPlatform, x_fake: RunningFake[XFake], post_factory: PostFactory
) -> None:
    receipt = x.publish(post_factory(1, text="   "))

    assert x_fake.fake.posts[receipt.remote_id].text is None


def test_image_changed_after_sanitising_is_not_uploaded(
    x: XPlatform, x_fake: RunningFake[XFake], post_factory: PostFactory
) -> None:
    post = post_factory(1)
    post.images[0].image.path.write_bytes(b"\xff\xd8\xff" + b"\x00" * 100)

    with pytest.raises(UnverifiedImage):
        x.publish(post)

    assert x_fake.fake.requests == []


# Limits ----------------------------------------------------------------------


def test_fifth_image_is_refused_before_sending(
    x: XPlatform, x_fake: RunningFake[XFake], post_factory: PostFactory
) -> None:
    post = post_factory(5)

    problems = x.limit_problems(post)
    with pytest.raises(PermanentPlatformError, match="limits"):
        x.publish(post)

    assert len(problems) == 1 and "at most 4 images" in problems[0]
    assert x_fake.fake.requests == []


@pytest.mark.parametrize(
    ("text", "fits"),
    [
        ("a" * 280, True),
        ("a" * 281, False),
        ("字" * 140, True),
        ("字" * 141, False),
        ("👨‍👩‍👧‍👦" * 140, True),
        ("😀" * 141, False),
        ("ŵ" * 280, True),
        # 7 + a 325-character link counted as 23 + 1 + 249 = 280
        ("Gweler " + "https://www.ysgol.sch.uk/" + "a" * 300 + " " + "b" * 249, True),
        ("Gweler " + "https://www.ysgol.sch.uk/" + "a" * 300 + " " + "b" * 250, False),
        ("a\ufffe", False),
    ],
)
def test_text_is_measured_with_x_weights(
    x: XPlatform,
    x_fake: RunningFake[XFake],
    post_factory: PostFactory,
    text: str,
    fits: bool,
) -> None:
    post = post_factory(1, text=text)

    problems = x.limit_problems(post)

    assert (problems == []) is fits
    if not fits:
        with pytest.raises(PermanentPlatformError, match="limits"):
            x.publish(post)
        assert x_fake.fake.requests == []


def test_long_alt_text_and_big_image_are_refused(
    x: XPlatform, x_fake: RunningFake[XFake], post_factory: PostFactory
) -> None:
    post = post_factory(2, alts=["a" * 1000, "b" * 1001])
    big = post.images[0].image._replace(byte_size=5_000_001)
    post = replace(post, images=(replace(post.images[0], image=big), post.images[1]))

    problems = x.limit_problems(post)
    with pytest.raises(PermanentPlatformError, match="limits"):
        x.publish(post)

    assert len(problems) == 2
    assert "Image 1 is 5,000,001 bytes" in problems[0]
    assert "Alt text of image 2 is 1001 characters" in problems[1]
    assert x_fake.fake.requests == []


def test_gif_format_and_size_rules(x: XPlatform, image_factory: ImageFactory) -> None:
    gif = image_factory("image/gif")
    jpeg = image_factory()

    def post(*items: Any) -> OutgoingPost:
        return OutgoingPost("p", "Hi", tuple(PostImage(i, "alt") for i in items))

    assert x.limit_problems(post(gif._replace(byte_size=15_000_000))) == []
    too_big = x.limit_problems(post(gif._replace(byte_size=15_000_001)))
    mixed = x.limit_problems(post(gif, jpeg))
    small = x.limit_problems(post(jpeg._replace(width=3)))
    heic = x.limit_problems(post(jpeg._replace(media_type="image/heic")))

    assert len(too_big) == 1 and "GIFs of at most 15,000,000" in too_big[0]
    assert len(mixed) == 1 and "GIF only on its own" in mixed[0]
    assert len(small) == 1 and "3×48 pixels" in small[0]
    assert len(heic) == 1 and "X takes JPEG, PNG, WebP or GIF" in heic[0]


# Faults ----------------------------------------------------------------------

FAULTS = [
    # route, kind, options, error class, code, posts left on the fake
    (
        "POST /2/media/upload",
        "rate_limit",
        {"reset_in": 120},
        TransientPlatformError,
        "429",
        0,
    ),
    (
        "POST /2/tweets",
        "rate_limit",
        {"reset_in": 900},
        TransientPlatformError,
        "429",
        0,
    ),
    ("POST /2/media/upload", "server_error_html", {}, TransientPlatformError, "503", 0),
    (
        "POST /2/media/metadata",
        "server_error_json",
        {},
        TransientPlatformError,
        "500",
        0,
    ),
    ("POST /2/tweets", "server_error_html", {}, UnknownOutcomeError, "503", 0),
    ("POST /2/tweets", "server_error_json", {}, UnknownOutcomeError, "500", 0),
    (
        "POST /2/tweets",
        "missing_permission",
        {},
        PermanentPlatformError,
        "403:oauth1-permissions",
        0,
    ),
    (
        "POST /2/tweets",
        "client_forbidden",
        {},
        PermanentPlatformError,
        "403:client-forbidden",
        0,
    ),
    ("POST /2/tweets", "duplicate", {}, PermanentPlatformError, "403:duplicate", 0),
    ("POST /2/tweets", "payment_required", {}, PermanentPlatformError, "402", 0),
    (
        "POST /2/tweets",
        "media_not_ready",
        {},
        PermanentPlatformError,
        "400:invalid-request",
        0,
    ),
]


@pytest.mark.parametrize(("route", "kind", "options", "error", "code", "posts"), FAULTS)
def test_fault_is_sorted_into_the_right_class(
    x: XPlatform,
    x_fake: RunningFake[XFake],
    post_factory: PostFactory,
    route: str,
    kind: str,
    options: dict[str, Any],
    error: type[PlatformError],
    code: str,
    posts: int,
) -> None:
    fake = x_fake.fake
    fake.fail_next(route, kind, **options)

    with pytest.raises(PlatformError) as caught:
        x.publish(post_factory(2))

    assert type(caught.value) is error
    assert caught.value.code == code
    assert caught.value.platform == "x"
    assert len(fake.posts) == posts
    assert_no_secrets(caught.value, fake)
    if "reset_in" in options:
        assert isinstance(caught.value, TransientPlatformError)
        expected = fake.clock.now() + options["reset_in"]
        assert caught.value.retry_at == datetime.fromtimestamp(expected, tz=UTC)


def test_24_hour_cap_gives_its_own_reset(
    x: XPlatform, x_fake: RunningFake[XFake], post_factory: PostFactory
) -> None:
    fake = x_fake.fake
    fake.fail_next("POST /2/tweets", "rate_limit_24h", reset_in=86_400)

    with pytest.raises(TransientPlatformError) as caught:
        x.publish(post_factory(1))

    reset = datetime.fromtimestamp(fake.clock.now() + 86_400, tz=UTC)
    assert caught.value.retry_at == reset
    assert caught.value.retry_at.tzinfo is not None


def test_429_without_reset_is_raised_once_without_retry_at(
    x: XPlatform, x_fake: RunningFake[XFake], post_factory: PostFactory
) -> None:
    fake = x_fake.fake
    fake.fail_next("POST /2/tweets", "rate_limit_no_reset")

    with pytest.raises(TransientPlatformError) as caught:
        x.publish(post_factory(1))

    assert caught.value.retry_at is None
    assert routes(fake).count("POST /2/tweets") == 1


def test_fake_window_limit_answers_429_with_reset(
    x: XPlatform, x_fake: RunningFake[XFake], post_factory: PostFactory
) -> None:
    fake = x_fake.fake
    fake.rate_limits["POST /2/tweets"] = 1
    x.publish(post_factory(1, text="First"))

    with pytest.raises(TransientPlatformError) as caught:
        x.publish(post_factory(1, text="Second"))

    assert caught.value.retry_at == datetime.fromtimestamp(
        fake.clock.now() + 900, tz=UTC
    )
    assert len(fake.posts) == 1


@pytest.mark.parametrize(
    ("route", "kind", "error", "posts"),
    [
        ("POST /2/tweets", "timeout_before", UnknownOutcomeError, 0),
        ("POST /2/tweets", "timeout_after", None, 1),
        ("POST /2/tweets", "drop_before", UnknownOutcomeError, 0),
        ("POST /2/tweets", "drop_after", None, 1),
        ("POST /2/media/upload", "timeout", TransientPlatformError, 0),
        ("POST /2/media/metadata", "drop", TransientPlatformError, 0),
    ],
)
def test_lost_answers(
    x_fake: RunningFake[XFake],
    post_factory: PostFactory,
    route: str,
    kind: str,
    error: type[PlatformError] | None,
    posts: int,
) -> None:
    fake = x_fake.fake
    fake.fail_next(route, kind)
    platform = XPlatform(x_credentials(x_fake), timeout=SHORT_TIMEOUT)

    if error is None:
        # Stored, answer lost: found on the timeline by its media, not re-sent.
        receipt = platform.publish(post_factory(1))
        platform.close()
        assert [receipt.remote_id] == [post.id for post in fake.live_posts()]
        return
    with pytest.raises(PlatformError) as caught:
        platform.publish(post_factory(1))
    platform.close()

    assert type(caught.value) is error
    assert len(fake.posts) == posts
    assert_no_secrets(caught.value, fake)


def test_unreachable_client_host_is_transient(
    x_fake: RunningFake[XFake], post_factory: PostFactory
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    creds = x_credentials(x_fake, client_base=f"http://127.0.0.1:{closed_port}")
    platform = XPlatform(creds, timeout=CLIENT_TIMEOUT)

    with pytest.raises(TransientPlatformError) as caught:
        platform.publish(post_factory(1))
    platform.close()

    assert caught.value.code == "ConnectionError"
    assert not x_fake.fake.posts


@pytest.mark.parametrize(
    ("route", "kind"),
    [("POST /2/tweets", "expired_token"), ("POST /2/media/upload", "revoked_token")],
)
def test_dead_token_needs_reauth(
    x: XPlatform,
    x_fake: RunningFake[XFake],
    post_factory: PostFactory,
    route: str,
    kind: str,
) -> None:
    x_fake.fake.fail_next(route, kind)

    with pytest.raises(PermanentPlatformError) as caught:
        x.publish(post_factory(1))

    assert caught.value.reauth is True
    assert caught.value.code == "401"
    assert_no_secrets(caught.value, x_fake.fake)


def test_identical_text_twice_is_a_duplicate(
    x: XPlatform, x_fake: RunningFake[XFake], post_factory: PostFactory
) -> None:
    x.publish(post_factory(1))

    with pytest.raises(PermanentPlatformError) as caught:
        x.publish(post_factory(1))

    assert caught.value.code == "403:duplicate"
    assert caught.value.reauth is False
    assert len(x_fake.fake.live_posts()) == 1


def test_wrong_secret_fails_the_signature_check(
    x_fake: RunningFake[XFake], post_factory: PostFactory
) -> None:
    creds = x_credentials(x_fake, api_secret="not-the-secret")
    platform = XPlatform(creds, timeout=CLIENT_TIMEOUT)

    with pytest.raises(PermanentPlatformError) as caught:
        platform.publish(post_factory(1))
    platform.close()

    assert caught.value.reauth is True
    assert x_fake.fake.signature_failures == 1
    assert not x_fake.fake.media


# Takedown and health check ----------------------------------------------------


def test_delete_then_delete_again_both_succeed(
    x: XPlatform, x_fake: RunningFake[XFake], post_factory: PostFactory
) -> None:
    receipt = x.publish(post_factory(2))

    x.delete(receipt)
    x.delete(receipt)

    assert x_fake.fake.posts[receipt.remote_id].deleted
    assert routes(x_fake.fake).count("DELETE /2/tweets/{id}") == 2


def test_delete_of_unknown_post_counts_as_done(
    x: XPlatform, x_fake: RunningFake[XFake]
) -> None:
    x.delete(PublishReceipt(remote_id="1880028106020599999"))

    assert routes(x_fake.fake) == ["DELETE /2/tweets/{id}"]


def test_delete_against_a_wrong_host_is_not_counted_as_done(
    x_fake: RunningFake[XFake],
) -> None:
    creds = x_credentials(x_fake, client_base=x_fake.base_url + "/wrong")
    platform = XPlatform(creds, timeout=CLIENT_TIMEOUT)

    with pytest.raises(PermanentPlatformError) as caught:
        platform.delete(PublishReceipt(remote_id="1880028106020599999"))
    platform.close()

    assert caught.value.code == "404"


@pytest.mark.parametrize(
    ("kind", "error"),
    [
        ("revoked_token", PermanentPlatformError),
        ("server_error_html", TransientPlatformError),
    ],
)
def test_delete_failures_are_sorted(
    x: XPlatform,
    x_fake: RunningFake[XFake],
    post_factory: PostFactory,
    kind: str,
    error: type[PlatformError],
) -> None:
    receipt = x.publish(post_factory(1))
    x_fake.fake.fail_next("DELETE /2/tweets/{id}", kind)

    with pytest.raises(error):
        x.delete(receipt)

    assert not x_fake.fake.posts[receipt.remote_id].deleted


def test_check_credentials_names_the_account(
    x: XPlatform, x_fake: RunningFake[XFake]
) -> None:
    assert x.check_credentials() == "@ysgol_enghraifft"
    assert routes(x_fake.fake) == ["GET /2/users/me"]


def test_check_credentials_with_revoked_token_needs_reauth(
    x: XPlatform, x_fake: RunningFake[XFake]
) -> None:
    x_fake.fake.revoke()

    with pytest.raises(PermanentPlatformError) as caught:
        x.check_credentials()

    assert caught.value.reauth is True


# Logging -----------------------------------------------------------------------


def test_logs_hold_ids_but_no_text_alt_or_secrets(
    x: XPlatform,
    x_fake: RunningFake[XFake],
    post_factory: PostFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    post = post_factory(2, text="Llongyfarchiadau i Flwyddyn 6")
    with caplog.at_level(logging.DEBUG, logger="publisher"):
        receipt = x.publish(post)

    assert receipt.remote_id in caplog.text
    assert post.text not in caplog.text
    assert WELSH_ALT not in caplog.text
    for secret in secrets_of(x_fake.fake):
        assert secret not in caplog.text


# The fake itself ---------------------------------------------------------------


def signed(fake: XFake, account: Any = None) -> OAuth1:
    creds = fake.credentials(account)
    return OAuth1(
        creds["api_key"],
        client_secret=creds["api_secret"],
        resource_owner_key=creds["access_token"],
        resource_owner_secret=creds["access_token_secret"],
    )


@pytest.mark.parametrize(
    "path",
    [
        "/1.1/media/upload.json",
        "/2/media/upload?command=INIT",
        "/2/media/metadata/create",
    ],
)
def test_fake_refuses_retired_routes(x_fake: RunningFake[XFake], path: str) -> None:
    response = requests.post(
        x_fake.base_url + path, auth=signed(x_fake.fake), timeout=CLIENT_TIMEOUT
    )

    assert response.status_code == 404
    assert response.json()["detail"] == "Sorry, that page does not exist."


def test_fake_refuses_bearer_and_unsigned_requests(x_fake: RunningFake[XFake]) -> None:
    url = x_fake.base_url + "/2/users/me"
    bearer = requests.get(url, headers={"Authorization": "Bearer app"}, timeout=5)
    unsigned = requests.get(url, timeout=5)

    assert bearer.status_code == 403
    assert unsigned.status_code == 401


def test_fake_keeps_media_private_to_its_owner(
    x_fake: RunningFake[XFake], image_factory: ImageFactory
) -> None:
    fake = x_fake.fake
    other = fake.add_account("someone_else", "Someone Else")
    data = image_factory().path.read_bytes()
    uploaded = requests.post(
        x_fake.base_url + "/2/media/upload",
        auth=signed(fake),
        data={"media_category": "tweet_image"},
        files={"media": ("a.jpg", data, "image/jpeg")},
        timeout=CLIENT_TIMEOUT,
    )
    media_id = uploaded.json()["data"]["id"]

    stolen = requests.post(
        x_fake.base_url + "/2/tweets",
        auth=signed(fake, other),
        json={"text": "Not mine", "media": {"media_ids": [media_id]}},
        timeout=CLIENT_TIMEOUT,
    )

    assert uploaded.status_code == 200
    assert stolen.status_code == 400
    assert not fake.posts


def test_fake_refuses_oversized_image_and_alt(x_fake: RunningFake[XFake]) -> None:
    fake = x_fake.fake
    huge = b"\xff\xd8\xff" + b"\x00" * (5 * 1024 * 1024)
    too_big = requests.post(
        x_fake.base_url + "/2/media/upload",
        auth=signed(fake),
        data={"media_category": "tweet_image"},
        files={"media": ("a.jpg", huge, "image/jpeg")},
        timeout=CLIENT_TIMEOUT,
    )
    small = requests.post(
        x_fake.base_url + "/2/media/upload",
        auth=signed(fake),
        data={"media_category": "tweet_image"},
        files={"media": ("a.jpg", b"\xff\xd8\xff\xe0tiny", "image/jpeg")},
        timeout=CLIENT_TIMEOUT,
    )
    media_id = small.json()["data"]["id"]
    long_alt = requests.post(
        x_fake.base_url + "/2/media/metadata",
        auth=signed(fake),
        json={"id": media_id, "metadata": {"alt_text": {"text": "a" * 1001}}},
        timeout=CLIENT_TIMEOUT,
    )

    assert too_big.status_code == 400
    assert long_alt.status_code == 400
    assert fake.media[media_id].alt_text is None


def test_stored_post_with_a_5xx_answer_is_found_not_resent(
    x: XPlatform, x_fake: RunningFake[XFake], post_factory: PostFactory
) -> None:
    fake = x_fake.fake
    fake.fail_next("POST /2/tweets", "server_error_json", after_store=True)

    receipt = x.publish(post_factory(2))

    [stored] = fake.live_posts()
    assert receipt.remote_id == stored.id
    assert receipt.extra["media_ids"] == stored.media_ids
    assert len(fake.requests_to("POST /2/tweets")) == 1


def test_text_only_post_with_lost_answer_needs_a_person(
    x: XPlatform, x_fake: RunningFake[XFake], post_factory: PostFactory
) -> None:
    fake = x_fake.fake
    fake.fail_next("POST /2/tweets", "server_error_json", after_store=True)

    with pytest.raises(UnknownOutcomeError):
        x.publish(post_factory(0))
    assert len(fake.posts) == 1
