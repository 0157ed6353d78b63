"""From a camera photo to the platforms' fakes, through the command line.

The real tweepy and facebook-sdk talk HTTP to loopback fakes; the tests then
read what reached each fake, byte for byte.
"""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from PIL import Image

from publisher.cli.app import cli
from tests.conftest import REPO, SAMPLES
from tests.fakes import (
    FacebookFake,
    RunningFake,
    XFake,
    running_facebook_fake,
    running_x_fake,
)
from tests.media.builders import (
    BOTTOM_LEFT,
    BOTTOM_RIGHT,
    MARK,
    TOP_LEFT,
    TOP_RIGHT,
    close,
    planted_jpeg,
    quadrants,
    stored_for,
)

ALT = "Plant yn rhedeg ar y cae — children racing on the field"


@pytest.fixture
def fakes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[RunningFake[XFake], RunningFake[FacebookFake]]]:
    roster = tmp_path / "roster.csv"
    shutil.copyfile(SAMPLES / "roster.csv", roster)
    with running_x_fake() as x, running_facebook_fake() as fb:
        creds = x.fake.credentials()
        env = {
            "PUBLISHER_DATA_DIR": str(tmp_path / "data"),
            "PUBLISHER_ROSTER": str(roster),
            "PUBLISHER_POLICIES_DIR": str(REPO / "policies"),
            "PUBLISHER_HTTP_TIMEOUT": "5",
            "X_API_KEY": creds["api_key"],
            "X_API_SECRET": creds["api_secret"],
            "X_ACCESS_TOKEN": creds["access_token"],
            "X_ACCESS_TOKEN_SECRET": creds["access_token_secret"],
            "X_API_BASE": x.base_url,
            "X_CLIENT_BASE": x.base_url,
            "FB_PAGE_ID": fb.fake.page_id,
            "FB_PAGE_ACCESS_TOKEN": fb.fake.page_token,
            "FB_GRAPH_BASE": fb.base_url + "/",
        }
        if fb.fake.app_secret:
            env["FB_APP_SECRET"] = fb.fake.app_secret
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        yield x, fb


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def camera_photo(path: Path) -> Path:
    """A 2400x1600 picture stored sideways with orientation 6 and every tag."""
    return planted_jpeg(path, stored_for(6, (2400, 1600)), orientation=6)


def assert_clean_upright_small(data: bytes) -> None:
    assert MARK not in data
    for marker in (b"Exif", b"http://ns.adobe.com", b"ICC_PROFILE", b"Photoshop"):
        assert marker not in data
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG"
        assert not image.getexif()
        assert not {"icc_profile", "comment", "xmp", "exif"} & set(image.info)
        assert (image.width, image.height) == (1080, 720)
        colours = quadrants(image)
    expected = (TOP_LEFT, TOP_RIGHT, BOTTOM_LEFT, BOTTOM_RIGHT)
    assert all(close(got, want) for got, want in zip(colours, expected, strict=True))


def test_photo_reaches_both_platforms_clean(
    fakes: tuple[RunningFake[XFake], RunningFake[FacebookFake]], tmp_path: Path
) -> None:
    x, fb = fakes
    photo = camera_photo(tmp_path / "IMG_0001.jpg")
    added = invoke(
        "add", "--caption", "Diwrnod mabolgampau! Sports day!",
        "--image", str(photo), "--alt", ALT, "--to", "x,facebook", "--at", "now",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    ran = invoke("run", "--once")
    assert ran.exit_code == 0, ran.output

    [tweet] = x.fake.live_posts()
    assert tweet.text == "Diwrnod mabolgampau! Sports day!"
    [media] = [x.fake.media[m] for m in tweet.media_ids]
    assert media.alt_text == ALT
    assert_clean_upright_small(media.data)

    [post] = fb.fake.live_posts()
    assert post.message == "Diwrnod mabolgampau! Sports day!"
    [photo_on_fb] = [fb.fake.photos[p] for p in post.photo_ids]
    assert photo_on_fb.alt_text == ALT
    assert_clean_upright_small(photo_on_fb.data)
    assert photo_on_fb.data == media.data

    assert not list((tmp_path / "data").rglob("IMG_0001*"))


def test_learner_in_alt_text_never_reaches_a_platform(
    fakes: tuple[RunningFake[XFake], RunningFake[FacebookFake]], tmp_path: Path
) -> None:
    x, fb = fakes
    result = invoke(
        "add", "--caption", "Sports day!",
        "--image", str(camera_photo(tmp_path / "a.jpg")),
        "--alt", "Nia Bevan crossing the line", "--to", "x,facebook", "--at", "now",
    )  # fmt: skip
    assert result.exit_code == 3
    invoke("run", "--once")
    assert x.fake.requests == [] and fb.fake.requests == []


def test_roster_change_stops_a_queued_post(
    fakes: tuple[RunningFake[XFake], RunningFake[FacebookFake]], tmp_path: Path
) -> None:
    x, fb = fakes
    added = invoke(
        "add", "--caption", "Congratulations to Ffion on her county call-up!",
        "--image", str(camera_photo(tmp_path / "a.jpg")),
        "--alt", "A netball match", "--to", "x,facebook", "--at", "now",
        "--ack", "caption:19-24:offroster=checked: not a learner here",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    roster = tmp_path / "roster.csv"
    with roster.open("a", encoding="utf-8") as handle:
        handle.write("S3001,Ffion,Haddad,,Year 5\n")

    invoke("run", "--once")
    listed = invoke("list").output
    assert "blocked" in listed
    assert x.fake.live_posts() == [] and fb.fake.live_posts() == []


def test_one_platform_down_other_published_then_retry(
    fakes: tuple[RunningFake[XFake], RunningFake[FacebookFake]], tmp_path: Path
) -> None:
    x, fb = fakes
    fb.fake.revoke_token()
    post_id = invoke(
        "add", "--caption", "Sports day!",
        "--image", str(camera_photo(tmp_path / "a.jpg")), "--alt", ALT,
        "--to", "x,facebook", "--at", "now",
    ).output.strip()  # fmt: skip
    invoke("run", "--once")
    listed = invoke("list").output
    assert "partly_published" in listed
    assert "ALERT: the facebook account is broken" in listed
    assert len(x.fake.live_posts()) == 1 and fb.fake.live_posts() == []

    fb.fake.tokens[fb.fake.page_token].state = "valid"
    assert invoke("retry", post_id).exit_code == 0
    invoke("run", "--once")
    assert len(x.fake.live_posts()) == 1 and len(fb.fake.live_posts()) == 1

    taken = invoke("takedown", post_id, "--reason", "consent withdrawn")
    assert taken.exit_code == 0, taken.output
    assert x.fake.live_posts() == [] and fb.fake.live_posts() == []
    assert all(p.deleted for p in fb.fake.photos.values())
