"""InstagramPlatform over real HTTP (requests) to the loopback Graph fake.

The fake fetches every image from the public URL it is given, over real
HTTP, from a tiny loopback web server that serves the test's public media
folder, so the tests see exactly what Meta would have fetched.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests

from publisher.config import InstagramCredentials
from publisher.errors import (
    PermanentPlatformError,
    TransientPlatformError,
    UnknownOutcomeError,
)
from publisher.models import OutgoingPost, PostImage, PublishReceipt
from publisher.platforms.instagram import InstagramPlatform, caption_length
from tests.fakes import LoopbackServer, Ticker
from tests.fakes.instagram import FakeInstagram, StaticFiles
from tests.platforms.conftest import (
    CLIENT_TIMEOUT,
    WELSH_ALT,
    ImageFactory,
)

CREATE = "POST /{ig}/media"
PUBLISH = "POST /{ig}/media_publish"
NODE = "GET /{id}"
QUOTA = "GET /{ig}/content_publishing_limit"
NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
PUBLIC_NAME = re.compile(r"ig-[A-Za-z0-9_-]{32}\.jpg")


@pytest.fixture
def fake() -> FakeInstagram:
    return FakeInstagram()


@pytest.fixture
def graph(fake: FakeInstagram) -> Iterator[LoopbackServer]:
    with LoopbackServer(fake.handle) as running:
        yield running
        assert not running.errors, running.errors


@pytest.fixture
def public_dir(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "public"
    yield folder
    # Whatever a test did, no public copy of a pupil's image may remain.
    leftovers = list(folder.iterdir()) if folder.exists() else []
    assert leftovers == []


@pytest.fixture
def files(public_dir: Path) -> Iterator[tuple[StaticFiles, LoopbackServer]]:
    static = StaticFiles(public_dir)
    with LoopbackServer(static.handle) as running:
        yield static, running


@pytest.fixture
def creds(
    fake: FakeInstagram,
    graph: LoopbackServer,
    files: tuple[StaticFiles, LoopbackServer],
    public_dir: Path,
) -> InstagramCredentials:
    return InstagramCredentials(
        user_id=fake.user_id,
        access_token=fake.token,
        public_media_dir=public_dir,
        public_media_base_url=files[1].base_url + "/media",
        graph_base=graph.base_url + "/",
    )


@pytest.fixture
def ticker() -> Ticker:
    return Ticker()


Maker = Callable[..., InstagramPlatform]


@pytest.fixture
def make(creds: InstagramCredentials, ticker: Ticker) -> Iterator[Maker]:
    made: list[InstagramPlatform] = []

    def build(**options: object) -> InstagramPlatform:
        settings = {
            "timeout": CLIENT_TIMEOUT,
            "sleep": ticker.sleep,
            "monotonic": ticker.monotonic,
            "now": lambda: NOW,
            **options,
        }
        given = settings.pop("creds", creds)
        platform = InstagramPlatform(given, **settings)  # type: ignore[arg-type]
        made.append(platform)
        return platform

    yield build
    for platform in made:
        platform.close()


@pytest.fixture
def insta(make: Maker) -> InstagramPlatform:
    return make()


def routes(fake: FakeInstagram) -> list[str | None]:
    return [request.route for request in fake.requests]


def square_post(
    image_factory: ImageFactory, count: int, *, text: str = "Diwrnod chwaraeon #ysgol"
) -> OutgoingPost:
    images = tuple(
        PostImage(image_factory(size=(60, 60)), f"{WELSH_ALT} {n}")
        for n in range(1, count + 1)
    )
    return OutgoingPost("post-1", text, images)


# Publishing ------------------------------------------------------------------


def test_one_image_makes_one_container_with_alt_text(
    insta: InstagramPlatform,
    fake: FakeInstagram,
    files: tuple[StaticFiles, LoopbackServer],
    image_factory: ImageFactory,
) -> None:
    post = square_post(image_factory, 1)

    receipt = insta.publish(post)

    media = fake.media[receipt.remote_id]
    (container,) = fake.containers.values()
    assert media.container == container.id == receipt.extra["containers"][0]
    assert container.kind == "IMAGE"
    assert container.fetched is not None
    assert hashlib.sha256(container.fetched).hexdigest() == post.images[0].image.sha256
    assert container.alt_text == post.images[0].alt_text
    assert container.caption == media.caption == post.text
    assert receipt.url == media.permalink
    assert files[0].served == [container.image_url.rsplit("/", 1)[-1]]  # type: ignore[union-attr]
    assert routes(fake) == [QUOTA, CREATE, NODE, NODE, PUBLISH, NODE]


@pytest.mark.parametrize("count", [2, 3, 4])
def test_carousel_carries_each_image_and_alt_in_order(
    insta: InstagramPlatform,
    fake: FakeInstagram,
    image_factory: ImageFactory,
    count: int,
) -> None:
    post = square_post(image_factory, count)

    receipt = insta.publish(post)

    media = fake.media[receipt.remote_id]
    carousel = fake.containers[media.container]
    children = [fake.containers[c] for c in carousel.children]
    assert carousel.kind == "CAROUSEL" and carousel.caption == post.text
    assert media.children == carousel.children == receipt.extra["containers"][:-1]
    assert [c.kind for c in children] == ["CAROUSEL_ITEM"] * count
    assert [c.caption for c in children] == [None] * count
    for item, child in zip(post.images, children, strict=True):
        assert child.fetched is not None
        assert hashlib.sha256(child.fetched).hexdigest() == item.image.sha256
    assert [c.alt_text for c in children] == [
        f"{WELSH_ALT} {n}" for n in range(1, count + 1)
    ]
    assert len(fake.containers) == count + 1


def test_alt_texts_arrive_byte_for_byte(
    insta: InstagramPlatform, fake: FakeInstagram, image_factory: ImageFactory
) -> None:
    alts = ["ŵyn bach", "Ysgol – diwrnod y plant ✨"]
    images = tuple(PostImage(image_factory(size=(50, 50)), alt) for alt in alts)

    insta.publish(OutgoingPost("p", "Caption", images))

    sent = [c.alt_text for c in fake.containers.values() if c.kind == "CAROUSEL_ITEM"]
    assert [(a or "").encode() for a in sent] == [a.encode() for a in alts]


def test_public_copies_are_random_and_gone_after_publishing(
    insta: InstagramPlatform,
    fake: FakeInstagram,
    files: tuple[StaticFiles, LoopbackServer],
    public_dir: Path,
    image_factory: ImageFactory,
) -> None:
    post = square_post(image_factory, 3)

    insta.publish(post)

    names = [
        c.image_url.rsplit("/", 1)[-1] for c in fake.containers.values() if c.image_url
    ]
    assert len(names) == 3 and len(set(names)) == 3
    assert all(PUBLIC_NAME.fullmatch(name) for name in names)
    assert files[0].served == names
    assert list(public_dir.iterdir()) == []


def test_public_copies_are_removed_before_publishing(
    insta: InstagramPlatform,
    fake: FakeInstagram,
    public_dir: Path,
    image_factory: ImageFactory,
) -> None:
    fake.fail_next(PUBLISH, "server_error")

    with pytest.raises((TransientPlatformError, UnknownOutcomeError)):
        insta.publish(square_post(image_factory, 2))

    assert list(public_dir.iterdir()) == []


def test_in_progress_then_finished_then_publish(
    make: Maker, fake: FakeInstagram, ticker: Ticker, image_factory: ImageFactory
) -> None:
    fake.processing_polls = 3
    platform = make(poll_interval=10.0)

    receipt = platform.publish(square_post(image_factory, 1))

    assert ticker.sleeps == [10.0] * 3
    assert routes(fake) == [QUOTA, CREATE] + [NODE] * 4 + [PUBLISH, NODE]
    assert [m.id for m in fake.live_media()] == [receipt.remote_id]


def test_processing_past_the_deadline_is_transient(
    make: Maker,
    fake: FakeInstagram,
    ticker: Ticker,
    public_dir: Path,
    image_factory: ImageFactory,
) -> None:
    fake.processing_polls = 1000
    platform = make(poll_interval=30.0, poll_deadline=120.0)

    with pytest.raises(TransientPlatformError) as caught:
        platform.publish(square_post(image_factory, 1))

    assert caught.value.code == "container_in_progress"
    assert sum(ticker.sleeps) <= 150
    assert fake.media == {}


def test_publishing_too_early_gives_9007(
    fake: FakeInstagram, graph: LoopbackServer, image_factory: ImageFactory
) -> None:
    # Straight at the fake: the client itself never publishes early.
    base = f"{graph.base_url}/v26.0"
    auth = {"Authorization": f"Bearer {fake.token}"}
    made = requests.post(
        f"{base}/{fake.user_id}/media",
        data={"image_url": "http://127.0.0.1:9/none.jpg", "caption": "x"},
        headers=auth,
        timeout=5,
    ).json()
    fake.containers[made["id"]].error = None
    fake.containers[made["id"]].polls_left = 2

    answer = requests.post(
        f"{base}/{fake.user_id}/media_publish",
        data={"creation_id": made["id"]},
        headers=auth,
        timeout=5,
    )

    error = answer.json()["error"]
    assert (error["code"], error["error_subcode"]) == (9007, 2207027)
    assert fake.media == {}


def test_not_ready_answer_is_transient(
    insta: InstagramPlatform, fake: FakeInstagram, image_factory: ImageFactory
) -> None:
    fake.fail_next(PUBLISH, "not_ready")

    with pytest.raises(TransientPlatformError) as caught:
        insta.publish(square_post(image_factory, 1))

    assert caught.value.code == "9007/2207027"
    assert fake.media == {}


def test_unreachable_image_url_gives_error_status(
    make: Maker,
    creds: InstagramCredentials,
    fake: FakeInstagram,
    tmp_path: Path,
    image_factory: ImageFactory,
) -> None:
    empty = StaticFiles(tmp_path / "elsewhere")
    with LoopbackServer(empty.handle) as wrong:
        platform = make(creds=replace(creds, public_media_base_url=wrong.base_url))
        with pytest.raises(PermanentPlatformError) as caught:
            platform.publish(square_post(image_factory, 1))

    assert caught.value.code == "container_error"
    assert "2207052" in (caught.value.detail or "")
    assert fake.media == {}


@pytest.mark.parametrize(
    ("size", "accepted"),
    [((80, 100), True), ((191, 100), True), ((60, 100), False), ((200, 100), False)],
)
def test_fake_checks_the_aspect_ratio_it_fetched(
    make: Maker,
    fake: FakeInstagram,
    image_factory: ImageFactory,
    size: tuple[int, int],
    accepted: bool,
) -> None:
    # Claim a square so the client's own check lets the real file through.
    real = image_factory(size=size)
    post = OutgoingPost("p", "x", (PostImage(real._replace(width=9, height=9), "alt"),))

    if accepted:
        make().publish(post)
    else:
        with pytest.raises(PermanentPlatformError) as caught:
            make().publish(post)
        assert "2207009" in (caught.value.detail or "")
    assert len(fake.live_media()) == int(accepted)


# Limits ------------------------------------------------------------------------


def refused(insta: InstagramPlatform, fake: FakeInstagram, post: OutgoingPost) -> str:
    problems = " ".join(insta.limit_problems(post))
    with pytest.raises(PermanentPlatformError) as caught:
        insta.publish(post)
    assert caught.value.code == "limits"
    assert fake.requests == []
    return problems


@pytest.mark.parametrize(
    ("size", "fits"),
    [
        ((80, 100), True),
        ((79, 100), False),
        ((191, 100), True),
        ((192, 100), False),
        ((100, 100), True),
    ],
)
def test_aspect_ratio_from_4_5_to_1_91(
    insta: InstagramPlatform,
    image_factory: ImageFactory,
    size: tuple[int, int],
    fits: bool,
) -> None:
    width, height = size
    image = image_factory()._replace(width=width, height=height)
    post = OutgoingPost("p", "x", (PostImage(image, "alt"),))

    assert (insta.limit_problems(post) == []) is fits


def test_png_is_refused(
    insta: InstagramPlatform, fake: FakeInstagram, image_factory: ImageFactory
) -> None:
    png = image_factory("image/png", size=(50, 50))
    post = OutgoingPost("p", "x", (PostImage(png, "alt"),))

    assert "JPEG only" in refused(insta, fake, post)


def test_fifth_image_and_no_image_are_refused(
    insta: InstagramPlatform, fake: FakeInstagram, image_factory: ImageFactory
) -> None:
    assert "at most 4 images" in refused(insta, fake, square_post(image_factory, 5))
    assert "at least one image" in refused(insta, fake, OutgoingPost("p", "x", ()))


def test_oversized_image_is_refused(
    insta: InstagramPlatform, fake: FakeInstagram, image_factory: ImageFactory
) -> None:
    big = image_factory(size=(50, 50))._replace(byte_size=8_000_001)
    post = OutgoingPost("p", "x", (PostImage(big, "alt"),))

    assert "at most 8,000,000" in refused(insta, fake, post)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a" * 2201, "at most 2,200"),
        ("\U0001f411" * 1101, "at most 2,200"),  # each sheep is 2 UTF-16 units
        (" ".join(f"#tag{n}" for n in range(31)), "at most 30"),
        (" ".join(f"@user{n}" for n in range(21)), "at most 20"),
    ],
)
def test_caption_limits(
    insta: InstagramPlatform,
    fake: FakeInstagram,
    image_factory: ImageFactory,
    text: str,
    message: str,
) -> None:
    assert message in refused(insta, fake, square_post(image_factory, 1, text=text))


def test_caption_at_the_limits_fits(
    insta: InstagramPlatform, image_factory: ImageFactory
) -> None:
    text = " ".join([f"#t{n}" for n in range(30)] + [f"@u{n}" for n in range(20)])

    assert insta.limit_problems(square_post(image_factory, 1, text=text)) == []
    assert caption_length("ŵyn") == 3


def test_missing_alt_is_refused(
    insta: InstagramPlatform, fake: FakeInstagram, image_factory: ImageFactory
) -> None:
    post = OutgoingPost("p", "x", (PostImage(image_factory(size=(50, 50)), " "),))

    assert "no alt text" in refused(insta, fake, post)


# Errors ------------------------------------------------------------------------


def test_rate_limit_gives_the_time_access_returns(
    insta: InstagramPlatform, fake: FakeInstagram, image_factory: ImageFactory
) -> None:
    fake.fail_next(CREATE, "rate_limit", skip=1, reset_minutes=15)

    with pytest.raises(TransientPlatformError) as caught:
        insta.publish(square_post(image_factory, 3))

    assert caught.value.retry_at == NOW + timedelta(minutes=15)
    assert caught.value.code == "80002"
    assert fake.media == {}


def test_rate_limit_without_reset(
    insta: InstagramPlatform, fake: FakeInstagram, image_factory: ImageFactory
) -> None:
    fake.fail_next(PUBLISH, "rate_limit")

    with pytest.raises(TransientPlatformError) as caught:
        insta.publish(square_post(image_factory, 1))

    assert caught.value.retry_at is None
    assert fake.media == {}


@pytest.mark.parametrize("kind", ["server_error", "html_error"])
def test_server_failure_on_a_container_is_transient(
    insta: InstagramPlatform,
    fake: FakeInstagram,
    image_factory: ImageFactory,
    kind: str,
) -> None:
    fake.fail_next(CREATE, kind)

    with pytest.raises(TransientPlatformError):
        insta.publish(square_post(image_factory, 2))

    assert fake.media == {}


@pytest.mark.parametrize("kind", ["server_error", "html_error", "drop"])
def test_lost_publish_that_did_not_happen_is_safe_to_retry(
    insta: InstagramPlatform,
    fake: FakeInstagram,
    image_factory: ImageFactory,
    kind: str,
) -> None:
    fake.fail_next(PUBLISH, kind)

    with pytest.raises(TransientPlatformError) as caught:
        insta.publish(square_post(image_factory, 1))

    assert caught.value.code == "not_published"
    assert fake.media == {}


@pytest.mark.parametrize("kind", ["server_error", "drop_after"])
def test_lost_publish_that_happened_is_found(
    insta: InstagramPlatform,
    fake: FakeInstagram,
    image_factory: ImageFactory,
    kind: str,
) -> None:
    fake.fail_next(PUBLISH, kind, after_store=True)

    receipt = insta.publish(square_post(image_factory, 2))

    assert [m.id for m in fake.live_media()] == [receipt.remote_id]
    assert len(fake.requests_to(PUBLISH)) == 1


def test_timeout_after_publishing_is_found_without_a_second_post(
    make: Maker, fake: FakeInstagram, image_factory: ImageFactory
) -> None:
    fake.fail_next(PUBLISH, "timeout_after")

    receipt = make(timeout=0.5).publish(square_post(image_factory, 1))

    assert [m.id for m in fake.live_media()] == [receipt.remote_id]


def test_published_post_with_an_ambiguous_caption_is_unknown(
    insta: InstagramPlatform, fake: FakeInstagram, image_factory: ImageFactory
) -> None:
    insta.publish(square_post(image_factory, 1))
    fake.fail_next(PUBLISH, "drop_after")

    with pytest.raises(UnknownOutcomeError) as caught:
        insta.publish(square_post(image_factory, 1))

    assert caught.value.code == "published_id_unknown"
    assert len(fake.live_media()) == 2


@pytest.mark.parametrize(
    ("kind", "code"), [("expired_token", "190/463"), ("revoked_token", "190/458")]
)
def test_dead_token_needs_reauthorisation(
    insta: InstagramPlatform,
    fake: FakeInstagram,
    image_factory: ImageFactory,
    kind: str,
    code: str,
) -> None:
    fake.fail_next(CREATE, kind)

    with pytest.raises(PermanentPlatformError) as caught:
        insta.publish(square_post(image_factory, 1))

    assert caught.value.reauth is True
    assert caught.value.code == code
    assert fake.token not in str(caught.value)
    assert fake.media == {}


def test_missing_permission_is_permanent(
    insta: InstagramPlatform, fake: FakeInstagram, image_factory: ImageFactory
) -> None:
    fake.fail_next(PUBLISH, "missing_permission")

    with pytest.raises(PermanentPlatformError) as caught:
        insta.publish(square_post(image_factory, 1))

    assert caught.value.reauth is False
    assert caught.value.code == "10"
    assert "instagram_content_publish" in str(caught.value)
    assert fake.media == {}


def test_used_up_quota_stops_before_any_container(
    insta: InstagramPlatform, fake: FakeInstagram, image_factory: ImageFactory
) -> None:
    fake.seed_published(100)

    with pytest.raises(TransientPlatformError) as caught:
        insta.publish(square_post(image_factory, 1))

    assert caught.value.code == "quota"
    assert routes(fake) == [QUOTA]


def test_stale_public_copies_are_swept(
    insta: InstagramPlatform, public_dir: Path, image_factory: ImageFactory
) -> None:
    public_dir.mkdir()
    stale = public_dir / "ig-left-over-from-a-crash.jpg"
    stale.write_bytes(b"\xff\xd8\xff")
    old = time.time() - 2 * 3600
    os.utime(stale, (old, old))

    insta.publish(square_post(image_factory, 1))

    assert not stale.exists()


def test_token_travels_in_a_header_never_in_a_url(
    insta: InstagramPlatform, fake: FakeInstagram, image_factory: ImageFactory
) -> None:
    insta.publish(square_post(image_factory, 2))

    assert all(fake.token not in request.url for request in fake.requests)
    assert all(fake.token not in request.body.decode() for request in fake.requests)
    assert set(fake.versions_seen) == {"v26.0"}


# Takedown and account check ------------------------------------------------------


def test_delete_works_and_a_second_delete_also_succeeds(
    insta: InstagramPlatform, fake: FakeInstagram, image_factory: ImageFactory
) -> None:
    receipt = insta.publish(square_post(image_factory, 2))

    insta.delete(receipt)
    insta.delete(receipt)

    assert fake.media[receipt.remote_id].deleted is True
    assert routes(fake)[-2:] == ["DELETE /{id}", "DELETE /{id}"]


def test_delete_without_permission_says_to_delete_by_hand(
    insta: InstagramPlatform, fake: FakeInstagram, image_factory: ImageFactory
) -> None:
    receipt = insta.publish(square_post(image_factory, 1))
    fake.can_delete = False

    with pytest.raises(PermanentPlatformError) as caught:
        insta.delete(receipt)

    assert "by hand in the Instagram app" in str(caught.value)
    assert fake.media[receipt.remote_id].deleted is False


def test_delete_of_an_unknown_id_counts_as_gone(
    insta: InstagramPlatform, fake: FakeInstagram
) -> None:
    insta.delete(PublishReceipt(remote_id="17999999999999999"))

    assert routes(fake) == ["DELETE /{id}"]


def test_check_credentials_names_the_account(
    insta: InstagramPlatform, fake: FakeInstagram
) -> None:
    assert insta.check_credentials() == "@ysgol.example"
    assert routes(fake) == [NODE]


# The fake's own rules: a fake that accepts anything proves nothing ---------------


def _graph(
    fake: FakeInstagram, method: str, path: str, **form: str
) -> tuple[int, dict[str, object]]:
    body = "&".join(f"{k}={requests.utils.quote(v)}" for k, v in form.items())
    headers = {
        "Authorization": f"Bearer {fake.token}",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    status, _, answer = fake.handle(
        method, f"http://graph{path}", headers, body.encode()
    )
    return status, json.loads(answer)


def _container(fake: FakeInstagram, url: str, **extra: str) -> str:
    status, body = _graph(
        fake, "POST", f"/v26.0/{fake.user_id}/media", image_url=url, **extra
    )
    assert status == 200, body
    return str(body["id"])


def _state(fake: FakeInstagram, container: str) -> str:
    return str(_graph(fake, "GET", f"/v26.0/{container}")[1]["status_code"])


def test_fake_fetches_only_from_loopback(fake: FakeInstagram) -> None:
    container = _container(fake, "http://198.51.100.7/m/photo.jpg")

    assert _state(fake, container) == "ERROR"
    assert fake.containers[container].fetched is None


def test_fake_refuses_what_is_not_a_jpeg(
    fake: FakeInstagram,
    files: tuple[StaticFiles, LoopbackServer],
    public_dir: Path,
    image_factory: ImageFactory,
) -> None:
    png = image_factory("image/png", size=(50, 50))
    public_dir.mkdir()
    (public_dir / "ig-test.png").write_bytes(png.path.read_bytes())

    container = _container(fake, files[1].base_url + "/ig-test.png")
    (public_dir / "ig-test.png").unlink()

    assert _state(fake, container) == "ERROR"
    assert "2207026" in str(fake.containers[container].error)


def test_fake_enforces_carousel_rules(fake: FakeInstagram) -> None:
    child = _container(fake, "http://127.0.0.1:9/x.jpg", is_carousel_item="true")
    captioned = _graph(
        fake,
        "POST",
        f"/v26.0/{fake.user_id}/media",
        image_url="http://127.0.0.1:9/x.jpg",
        is_carousel_item="true",
        caption="no",
    )
    lonely = _graph(
        fake,
        "POST",
        f"/v26.0/{fake.user_id}/media",
        media_type="CAROUSEL",
        children=child,
    )

    assert captioned[0] == lonely[0] == 400
    assert "caption" in str(captioned[1]["error"])
    assert "2 to 10" in str(lonely[1]["error"])


def test_fake_expires_containers_after_a_day(fake: FakeInstagram) -> None:
    container = _container(fake, "http://127.0.0.1:9/x.jpg")
    fake.containers[container].error = None
    fake.containers[container].polls_left = 0

    fake.clock.advance(24 * 3600 + 1)

    assert _state(fake, container) == "EXPIRED"


def test_fake_answers_in_graph_shapes(fake: FakeInstagram) -> None:
    unknown = _graph(fake, "GET", "/v26.0/12345")
    unversioned = _graph(fake, "GET", f"/{fake.user_id}")

    assert unknown[0] == 400
    assert unknown[1]["error"]["code"] == 100  # type: ignore[index]
    assert unversioned[1]["error"]["code"] == 2500  # type: ignore[index]


def test_public_copies_are_world_readable_under_a_private_umask(
    tmp_path: Path,
) -> None:
    """The command line sets umask 077; the web server is another account."""
    from publisher.platforms.instagram import _write_public

    old = os.umask(0o077)
    try:
        _write_public(tmp_path / "copy.jpg", b"\xff\xd8\xff\xd9")
    finally:
        os.umask(old)

    assert (tmp_path / "copy.jpg").stat().st_mode & 0o777 == 0o644
