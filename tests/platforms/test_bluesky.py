"""BlueskyPlatform over real HTTP (atproto and httpx) to the loopback PDS fake."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import stat
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from publisher.config import BlueskyCredentials
from publisher.errors import (
    PermanentPlatformError,
    PlatformError,
    TransientPlatformError,
    UnknownOutcomeError,
)
from publisher.models import OutgoingPost, PostImage, PublishReceipt
from publisher.platforms.bluesky import BlueskyPlatform, count_graphemes, new_tid
from tests.fakes import LoopbackServer
from tests.fakes.bluesky import FakeBluesky
from tests.platforms.conftest import (
    CLIENT_TIMEOUT,
    WELSH_ALT,
    ImageFactory,
    PostFactory,
)

CREATE = "com.atproto.repo.createRecord"
UPLOAD = "com.atproto.repo.uploadBlob"
SESSION = "com.atproto.server.createSession"
REFRESH = "com.atproto.server.refreshSession"
FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"


@pytest.fixture
def fake() -> FakeBluesky:
    return FakeBluesky()


@pytest.fixture
def server(fake: FakeBluesky) -> Iterator[LoopbackServer]:
    with LoopbackServer(fake.handle) as running:
        yield running
        assert not running.errors, running.errors


@pytest.fixture
def creds(
    fake: FakeBluesky, server: LoopbackServer, tmp_path: Path
) -> BlueskyCredentials:
    return BlueskyCredentials(
        handle=fake.account_handle,
        app_password=fake.password,
        pds_url=server.base_url,
        session_file=tmp_path / "secrets" / "bluesky-session.json",
    )


@pytest.fixture
def bsky(creds: BlueskyCredentials) -> Iterator[BlueskyPlatform]:
    platform = BlueskyPlatform(creds, timeout=CLIENT_TIMEOUT)
    yield platform
    platform.close()


def routes(fake: FakeBluesky) -> list[str | None]:
    return [request.route for request in fake.requests]


def rkey_of(receipt: PublishReceipt) -> str:
    return receipt.remote_id.rsplit("/", 1)[-1]


def assert_no_secrets(error: PlatformError, fake: FakeBluesky) -> None:
    shown = " ".join(str(part) for part in (error, error.code, error.detail))
    assert fake.password not in shown
    for token in [*fake.access_tokens, *fake.refresh_tokens]:
        assert token not in shown


# Publishing ------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 2, 3, 4])
def test_publish_stores_exact_bytes_and_alt_in_order(
    bsky: BlueskyPlatform, fake: FakeBluesky, post_factory: PostFactory, count: int
) -> None:
    post = post_factory(count)

    receipt = bsky.publish(post)

    stored = fake.posts[rkey_of(receipt)]
    assert receipt.remote_id == f"at://{fake.did}/app.bsky.feed.post/{stored.rkey}"
    assert (
        receipt.url
        == f"https://bsky.app/profile/{fake.account_handle}/post/{stored.rkey}"
    )
    assert receipt.extra["cid"] == [stored.cid]
    # The post references exactly the blobs uploaded, in order.
    assert stored.blob_cids == receipt.extra["blobs"] == list(fake.blobs)
    for item, cid in zip(post.images, stored.blob_cids, strict=True):
        blob = fake.blobs[cid]
        assert hashlib.sha256(blob.data).hexdigest() == item.image.sha256
        assert blob.content_type == "image/jpeg"
    assert [image["alt"] for image in stored.images] == [
        f"{WELSH_ALT} {n}" for n in range(1, count + 1)
    ]
    assert [image["aspectRatio"]["width"] for image in stored.images] == [
        item.image.width for item in post.images
    ]
    assert stored.text == post.text
    assert stored.record["langs"] == ["en"]
    assert routes(fake) == [SESSION] + [UPLOAD] * count + [CREATE]


def test_alt_texts_arrive_byte_for_byte(
    bsky: BlueskyPlatform, fake: FakeBluesky, post_factory: PostFactory
) -> None:
    alts = ["ŵyn bach", "Ysgol – diwrnod y plant ✨", "e\u0301 combining"]
    receipt = bsky.publish(post_factory(3, alts=alts))

    create = fake.requests_to(CREATE)[0].json()
    sent = [image["alt"] for image in create["record"]["embed"]["images"]]
    assert [a.encode() for a in sent] == [a.encode() for a in alts]
    assert fake.posts[rkey_of(receipt)].images[0]["alt"] == "ŵyn bach"


def test_links_become_facets_with_byte_offsets(
    bsky: BlueskyPlatform, fake: FakeBluesky, post_factory: PostFactory
) -> None:
    text = "Lluniau ŵyn: https://school.example/lambs"
    receipt = bsky.publish(post_factory(1, text=text))

    facet = fake.posts[rkey_of(receipt)].record["facets"][0]
    start, end = facet["index"]["byteStart"], facet["index"]["byteEnd"]
    assert text.encode()[start:end] == b"https://school.example/lambs"


def test_langs_are_sent_as_configured(
    creds: BlueskyCredentials, fake: FakeBluesky, post_factory: PostFactory
) -> None:
    platform = BlueskyPlatform(creds, timeout=CLIENT_TIMEOUT, langs=("cy", "en"))
    receipt = platform.publish(post_factory(1))
    platform.close()

    assert fake.posts[rkey_of(receipt)].record["langs"] == ["cy", "en"]


def test_record_key_is_generated_before_sending(
    bsky: BlueskyPlatform, fake: FakeBluesky, post_factory: PostFactory
) -> None:
    receipt = bsky.publish(post_factory(1))

    sent = fake.requests_to(CREATE)[0].json()
    assert sent["rkey"] == rkey_of(receipt)
    assert re.fullmatch(r"[2-7a-j][2-7a-z]{12}", sent["rkey"])


def test_tids_are_unique_and_increasing() -> None:
    keys = [new_tid() for _ in range(200)]

    assert keys == sorted(keys)
    assert len(set(keys)) == len(keys)


# Limits ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "graphemes"),
    [
        ("ŵyn bach", 8),
        (FAMILY * 3, 3),
        ("e\u0301" * 5, 5),
        ("\U0001f3f4\U000e0067\U000e0062\U000e0077\U000e006c\U000e0073\U000e007f", 1),
    ],
)
def test_graphemes_are_counted_as_people_see_them(text: str, graphemes: int) -> None:
    assert count_graphemes(text) == graphemes


@pytest.mark.parametrize(
    ("text", "fits"),
    [
        ("a" * 300, True),
        ("a" * 301, False),
        ("ŵ" * 300, True),
        ("e\u0301" * 300, True),
        ("e\u0301" * 301, False),
        (FAMILY * 120, True),
        (FAMILY * 121, False),  # 121 graphemes but 3,025 bytes
        (FAMILY * 301, False),
    ],
)
def test_text_limit_counts_graphemes_and_bytes(
    bsky: BlueskyPlatform,
    fake: FakeBluesky,
    post_factory: PostFactory,
    text: str,
    fits: bool,
) -> None:
    problems = bsky.limit_problems(post_factory(1, text=text))

    assert (problems == []) is fits
    assert fake.requests == []


def refused(bsky: BlueskyPlatform, fake: FakeBluesky, post: OutgoingPost) -> str:
    problems = bsky.limit_problems(post)
    with pytest.raises(PermanentPlatformError) as caught:
        bsky.publish(post)
    assert caught.value.code == "limits"
    assert fake.requests == []
    return " ".join(problems)


def test_fifth_image_is_refused_before_any_call(
    bsky: BlueskyPlatform, fake: FakeBluesky, post_factory: PostFactory
) -> None:
    assert "at most 4 images" in refused(bsky, fake, post_factory(5))


def test_oversized_image_is_refused_before_any_call(
    bsky: BlueskyPlatform,
    fake: FakeBluesky,
    post_factory: PostFactory,
    image_factory: ImageFactory,
) -> None:
    big = image_factory()._replace(byte_size=1_000_001)

    assert "at most 1,000,000" in refused(bsky, fake, post_factory(images=[big]))


@pytest.mark.parametrize("alt", ["", "   "])
def test_missing_alt_is_refused_never_padded(
    bsky: BlueskyPlatform,
    fake: FakeBluesky,
    image_factory: ImageFactory,
    alt: str,
) -> None:
    post = OutgoingPost("p", "text", (PostImage(image_factory(), alt),))

    assert "no alt text" in refused(bsky, fake, post)


# Errors ------------------------------------------------------------------------


def test_rate_limit_gives_the_reset_time(
    bsky: BlueskyPlatform, fake: FakeBluesky, post_factory: PostFactory
) -> None:
    fake.fail_next(CREATE, "rate_limit", reset_in=120)

    with pytest.raises(TransientPlatformError) as caught:
        bsky.publish(post_factory(1))

    expected = datetime.fromtimestamp(int(fake.clock.now() + 120), tz=UTC)
    assert caught.value.retry_at == expected
    assert caught.value.retry_at.tzinfo is not None
    assert caught.value.code == "RateLimitExceeded"
    assert fake.live_posts() == []


def test_rate_limit_without_reset_has_no_retry_time(
    bsky: BlueskyPlatform, fake: FakeBluesky, post_factory: PostFactory
) -> None:
    fake.fail_next(UPLOAD, "rate_limit", skip=1, reset_in=None)

    with pytest.raises(TransientPlatformError) as caught:
        bsky.publish(post_factory(3))

    assert caught.value.retry_at is None
    assert len(fake.requests_to(UPLOAD)) == 2
    assert fake.live_posts() == []


@pytest.mark.parametrize("kind", ["upstream", "html_error", "server_error"])
def test_server_failure_on_upload_is_transient(
    bsky: BlueskyPlatform, fake: FakeBluesky, post_factory: PostFactory, kind: str
) -> None:
    fake.fail_next(UPLOAD, kind)

    with pytest.raises(TransientPlatformError):
        bsky.publish(post_factory(2))

    assert fake.requests_to(CREATE) == []


@pytest.mark.parametrize("kind", ["server_error", "upstream", "html_error", "drop"])
def test_lost_create_that_did_not_land_is_unknown(
    bsky: BlueskyPlatform, fake: FakeBluesky, post_factory: PostFactory, kind: str
) -> None:
    fake.fail_next(CREATE, kind)

    with pytest.raises(UnknownOutcomeError) as caught:
        bsky.publish(post_factory(1))

    sent = fake.requests_to(CREATE)[0].json()
    assert caught.value.detail == f"at://{fake.did}/app.bsky.feed.post/{sent['rkey']}"
    assert len(fake.requests_to("com.atproto.repo.getRecord")) == 1
    assert fake.posts == {}


@pytest.mark.parametrize("kind", ["server_error", "drop_after"])
def test_lost_create_that_landed_is_found_by_its_key(
    bsky: BlueskyPlatform, fake: FakeBluesky, post_factory: PostFactory, kind: str
) -> None:
    fake.fail_next(CREATE, kind, after_store=True)

    receipt = bsky.publish(post_factory(2))

    assert [p.uri for p in fake.live_posts()] == [receipt.remote_id]
    assert len(fake.requests_to(CREATE)) == 1


def test_timeout_after_storing_is_settled_without_a_second_post(
    creds: BlueskyCredentials, fake: FakeBluesky, post_factory: PostFactory
) -> None:
    platform = BlueskyPlatform(creds, timeout=0.5)
    fake.fail_next(CREATE, "timeout_after")

    receipt = platform.publish(post_factory(1))
    platform.close()

    assert [p.uri for p in fake.live_posts()] == [receipt.remote_id]


def test_timeout_before_upload_is_transient(
    creds: BlueskyCredentials, fake: FakeBluesky, post_factory: PostFactory
) -> None:
    platform = BlueskyPlatform(creds, timeout=0.5)
    fake.fail_next(UPLOAD, "timeout_before")

    with pytest.raises(TransientPlatformError) as caught:
        platform.publish(post_factory(1))
    platform.close()

    assert caught.value.code == "InvokeTimeoutError"
    assert fake.posts == {}


def test_expired_token_refreshes_once_then_succeeds(
    bsky: BlueskyPlatform, fake: FakeBluesky, post_factory: PostFactory
) -> None:
    fake.fail_next(CREATE, "expired_token")

    receipt = bsky.publish(post_factory(2))

    assert len(fake.requests_to(REFRESH)) == 1
    assert len(fake.requests_to(CREATE)) == 2
    assert len(fake.requests_to(SESSION)) == 1
    assert [p.uri for p in fake.live_posts()] == [receipt.remote_id]


def test_expired_refresh_token_falls_back_to_the_app_password(
    bsky: BlueskyPlatform, fake: FakeBluesky, post_factory: PostFactory
) -> None:
    bsky.check_credentials()
    fake.expire_all_access_tokens()
    for token in fake.refresh_tokens:
        fake.refresh_tokens[token] = False

    receipt = bsky.publish(post_factory(1))

    assert len(fake.requests_to(SESSION)) == 2
    assert [p.uri for p in fake.live_posts()] == [receipt.remote_id]


def test_revoked_app_password_needs_reauthorisation(
    bsky: BlueskyPlatform, fake: FakeBluesky, post_factory: PostFactory
) -> None:
    fake.fail_next(CREATE, "revoked_token")

    with pytest.raises(PermanentPlatformError) as caught:
        bsky.publish(post_factory(1))

    assert caught.value.reauth is True
    assert caught.value.code == "AuthenticationRequired"
    assert "BSKY_APP_PASSWORD" in str(caught.value)
    assert_no_secrets(caught.value, fake)
    assert fake.posts == {}


def test_missing_permission_is_permanent_after_one_renewal(
    bsky: BlueskyPlatform, fake: FakeBluesky, post_factory: PostFactory
) -> None:
    fake.fail_next(CREATE, "bad_scope")
    fake.fail_next(CREATE, "bad_scope")

    with pytest.raises(PermanentPlatformError) as caught:
        bsky.publish(post_factory(1))

    assert caught.value.reauth is True
    assert caught.value.code == "InvalidToken"
    assert len(fake.requests_to(CREATE)) == 2
    assert fake.posts == {}


def test_wrong_app_password_needs_reauthorisation(
    creds: BlueskyCredentials, fake: FakeBluesky, post_factory: PostFactory
) -> None:
    platform = BlueskyPlatform(
        replace(creds, app_password="wxyz-wxyz-wxyz-wxyz"), timeout=CLIENT_TIMEOUT
    )

    with pytest.raises(PermanentPlatformError) as caught:
        platform.publish(post_factory(1))
    platform.close()

    assert caught.value.reauth is True
    assert "wxyz-wxyz-wxyz-wxyz" not in str(caught.value)
    assert routes(fake) == [SESSION]


def test_create_session_rate_limit_is_transient_with_reset(
    bsky: BlueskyPlatform, fake: FakeBluesky, post_factory: PostFactory
) -> None:
    fake.session_times = [fake.clock.now() - 10] * 30

    with pytest.raises(TransientPlatformError) as caught:
        bsky.publish(post_factory(1))

    assert caught.value.retry_at == datetime.fromtimestamp(
        int(fake.clock.now() - 10 + 300), tz=UTC
    )


def test_blob_too_large_is_permanent(post_factory: PostFactory) -> None:
    small = FakeBluesky(max_blob_bytes=100)
    with LoopbackServer(small.handle) as server:
        small_creds = BlueskyCredentials(
            small.account_handle, small.password, server.base_url
        )
        platform = BlueskyPlatform(small_creds, timeout=CLIENT_TIMEOUT)
        with pytest.raises(PermanentPlatformError) as caught:
            platform.publish(post_factory(1))
        platform.close()

    assert caught.value.code == "BlobTooLarge"
    assert small.posts == {}


# Session cache --------------------------------------------------------------------


def test_session_is_cached_privately_and_reused(
    creds: BlueskyCredentials, fake: FakeBluesky, post_factory: PostFactory
) -> None:
    first = BlueskyPlatform(creds, timeout=CLIENT_TIMEOUT)
    first.publish(post_factory(1))
    first.close()
    assert creds.session_file is not None
    mode = stat.S_IMODE(creds.session_file.stat().st_mode)

    second = BlueskyPlatform(creds, timeout=CLIENT_TIMEOUT)
    second.publish(post_factory(1))
    second.close()

    assert mode == 0o600
    assert len(fake.requests_to(SESSION)) == 1
    assert len(fake.live_posts()) == 2


def test_rotated_refresh_token_is_saved(
    bsky: BlueskyPlatform,
    creds: BlueskyCredentials,
    fake: FakeBluesky,
    post_factory: PostFactory,
) -> None:
    fake.fail_next(CREATE, "expired_token")
    bsky.publish(post_factory(1))

    assert creds.session_file is not None
    saved = json.loads(creds.session_file.read_text())["session"]
    live = [token for token, usable in fake.refresh_tokens.items() if usable]
    assert live == [saved.split(":::")[3]]


def test_session_cached_for_another_account_is_ignored(
    creds: BlueskyCredentials, fake: FakeBluesky, post_factory: PostFactory
) -> None:
    session = fake.issue_session()
    assert creds.session_file is not None
    creds.session_file.parent.mkdir(parents=True)
    stranger = "||other.bsky.social"
    string = ":::".join(
        [
            session["handle"],
            session["did"],
            session["accessJwt"],
            session["refreshJwt"],
            "x",
        ]
    )
    creds.session_file.write_text(json.dumps({"account": stranger, "session": string}))

    platform = BlueskyPlatform(creds, timeout=CLIENT_TIMEOUT)
    platform.publish(post_factory(1))
    platform.close()

    assert len(fake.requests_to(SESSION)) == 1


@pytest.mark.parametrize("content", ["", "not json", '{"session": "a:::b"}'])
def test_unreadable_session_file_means_signing_in(
    creds: BlueskyCredentials,
    fake: FakeBluesky,
    post_factory: PostFactory,
    content: str,
) -> None:
    assert creds.session_file is not None
    creds.session_file.parent.mkdir(parents=True)
    creds.session_file.write_text(content)

    platform = BlueskyPlatform(creds, timeout=CLIENT_TIMEOUT)
    platform.publish(post_factory(1))
    platform.close()

    assert len(fake.requests_to(SESSION)) == 1


# Takedown and account check ------------------------------------------------------


def test_delete_works_and_a_second_delete_also_succeeds(
    bsky: BlueskyPlatform, fake: FakeBluesky, post_factory: PostFactory
) -> None:
    receipt = bsky.publish(post_factory(2))

    bsky.delete(receipt)
    bsky.delete(receipt)

    assert fake.posts[rkey_of(receipt)].deleted is True
    deletes = fake.requests_to("com.atproto.repo.deleteRecord")
    assert [d.json()["rkey"] for d in deletes] == [rkey_of(receipt)] * 2


def test_delete_of_a_foreign_id_is_refused_without_a_call(
    bsky: BlueskyPlatform, fake: FakeBluesky
) -> None:
    with pytest.raises(PermanentPlatformError) as caught:
        bsky.delete(PublishReceipt(remote_id="https://bsky.app/profile/x/post/y"))

    assert caught.value.code == "bad_uri"
    assert fake.requests == []


def test_check_credentials_names_the_account(
    bsky: BlueskyPlatform, fake: FakeBluesky
) -> None:
    assert bsky.check_credentials() == fake.account_handle
    assert routes(fake) == [SESSION, "app.bsky.actor.getProfile"]


# The fake's own rules: a fake that accepts anything proves nothing ---------------


def _blob(fake: FakeBluesky, token: str, data: bytes) -> dict[str, object]:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "*/*"}
    status, _, body = fake.handle("POST", f"http://pds/xrpc/{UPLOAD}", headers, data)
    assert status == 200
    blob: dict[str, object] = json.loads(body)["blob"]
    return blob


def _create(
    fake: FakeBluesky, token: str, record: dict[str, object], rkey: str | None = None
) -> tuple[int, dict[str, str]]:
    payload = {"repo": fake.did, "collection": "app.bsky.feed.post", "record": record}
    if rkey:
        payload["rkey"] = rkey
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    status, _, body = fake.handle(
        "POST", f"http://pds/xrpc/{CREATE}", headers, json.dumps(payload).encode()
    )
    return status, json.loads(body)


def _record(images: list[dict[str, object]], **changes: object) -> dict[str, object]:
    record: dict[str, object] = {
        "$type": "app.bsky.feed.post",
        "text": "Sports day",
        "createdAt": "2026-12-04T12:00:00.000Z",
        "langs": ["en"],
        "embed": {"$type": "app.bsky.embed.images", "images": images},
    }
    record.update(changes)
    return record


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("no_alt", '"alt"'),
        ("five_images", "1 to 4"),
        ("unknown_blob", "Could not find blob"),
        ("long_text", "300 graphemes"),
        ("many_langs", "3 elements"),
        ("bad_date", "createdAt"),
    ],
)
def test_fake_refuses_records_that_break_the_lexicon(
    fake: FakeBluesky, image_factory: ImageFactory, case: str, message: str
) -> None:
    token = fake.issue_session()["accessJwt"]
    blob = _blob(fake, token, image_factory().path.read_bytes())
    image = {"alt": "a", "image": blob}
    records = {
        "no_alt": _record([{"image": blob}]),
        "five_images": _record([image] * 5),
        "unknown_blob": _record(
            [{"alt": "a", "image": {**blob, "ref": {"$link": "x"}}}]
        ),
        "long_text": _record([image], text="e\u0301" * 301),
        "many_langs": _record([image], langs=["en", "cy", "fr", "de"]),
        "bad_date": _record([image], createdAt="yesterday"),
    }

    status, body = _create(fake, token, records[case])

    assert status == 400
    assert message in body["message"]
    assert fake.posts == {}


def test_fake_refuses_a_record_key_used_twice(
    fake: FakeBluesky, image_factory: ImageFactory
) -> None:
    token = fake.issue_session()["accessJwt"]
    blob = _blob(fake, token, image_factory().path.read_bytes())
    record = _record([{"alt": "a", "image": blob}])
    rkey = new_tid()

    assert _create(fake, token, record, rkey)[0] == 200
    assert _create(fake, token, record, rkey)[0] == 400
    assert len(fake.posts) == 1


def test_fake_answers_unknown_methods_like_a_pds(fake: FakeBluesky) -> None:
    status, _, body = fake.handle(
        "GET", "http://pds/xrpc/app.bsky.feed.getTimeline", {}, b""
    )

    assert status == 501
    assert json.loads(body)["error"] == "MethodNotImplemented"


def test_fake_sessions_have_real_looking_jwts_and_no_did_doc(fake: FakeBluesky) -> None:
    session = fake.issue_session()
    payload = session["accessJwt"].split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))

    assert "didDoc" not in session
    assert claims["exp"] > claims["iat"]
    assert claims["sub"] == fake.did
