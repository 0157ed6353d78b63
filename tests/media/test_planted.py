"""Metadata planted in every container never reaches the output."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from publisher.media import sanitise_image
from tests.media import builders
from tests.media.conftest import EXIFTOOL, exiftool_tags

Builder = Callable[[Path], Path]

PLANTED: dict[str, tuple[Builder, set[str]]] = {
    # name: (builder, exiftool groups that must be present in the INPUT)
    "jpeg": (
        lambda d: builders.planted_jpeg(d / "in.jpg"),
        {"IFD0", "ExifIFD", "GPS", "IFD1", "XMP-iptcExt", "IPTC", "Photoshop"},
    ),
    "jpeg-icc": (
        lambda d: builders.planted_jpeg(
            d / "in.jpg", icc=builders.display_p3_profile()
        ),
        {"ICC_Profile", "Ducky", "JUMBF", "GPS"},
    ),
    "jpeg-progressive": (
        lambda d: builders.planted_jpeg(d / "in.jpg", progressive=True),
        {"GPS", "XMP-exif"},
    ),
    "mpo": (lambda d: builders.planted_mpo(d / "in.mpo"), {"MPF0", "MPImage2"}),
    "png": (
        lambda d: builders.planted_png(d / "in.png"),
        {"PNG", "GPS", "ICC_Profile", "XMP-iptcExt"},
    ),
    "webp": (
        lambda d: builders.planted_webp(d / "in.webp"),
        {"RIFF", "GPS", "ICC_Profile", "XMP-iptcExt"},
    ),
    "gif": (lambda d: builders.planted_gif(d / "in.gif"), {"GIF", "XMP-iptcExt"}),
    "heic": (
        lambda d: builders.planted_heic(d / "in.heic"),
        {"GPS", "XMP-iptcExt", "IFD0"},
    ),
    "avif": (
        lambda d: builders.planted_avif(d / "in.avif"),
        {"GPS", "XMP-iptcExt", "ICC_Profile"},
    ),
}


@pytest.mark.parametrize("kind", sorted(PLANTED))
def test_planted_metadata_is_gone(
    kind: str, tmp_path: Path, out_dir: Path, assert_clean: Callable[[Path], None]
) -> None:
    build, _groups = PLANTED[kind]
    source = build(tmp_path)
    assert builders.MARK in source.read_bytes()

    result = sanitise_image(source, out_dir)

    assert result.path.parent == out_dir
    assert result.media_type == "image/jpeg"
    assert_clean(result.path)


@pytest.mark.skipif(EXIFTOOL is None, reason="exiftool is not installed")
@pytest.mark.parametrize("kind", sorted(PLANTED))
def test_fixture_really_carries_metadata(kind: str, tmp_path: Path) -> None:
    """The planted inputs must show the metadata, or the test above proves nothing."""
    build, groups = PLANTED[kind]
    found = {tag.split(":", 1)[0] for tag in exiftool_tags(build(tmp_path))}
    assert groups <= found


@pytest.mark.parametrize("kind", ["jpeg", "jpeg-progressive", "gif", "heic"])
def test_output_shows_the_primary_picture(
    kind: str, tmp_path: Path, out_dir: Path
) -> None:
    result = sanitise_image(PLANTED[kind][0](tmp_path), out_dir)

    with Image.open(result.path) as output:
        assert output.size == (96, 64)
        expected = (
            builders.TOP_LEFT,
            builders.TOP_RIGHT,
            builders.BOTTOM_LEFT,
            builders.BOTTOM_RIGHT,
        )
        for got, want in zip(builders.quadrants(output), expected, strict=True):
            assert builders.close(got, want, tolerance=24)


def test_mpo_second_picture_is_dropped(tmp_path: Path, out_dir: Path) -> None:
    result = sanitise_image(builders.planted_mpo(tmp_path / "in.mpo"), out_dir)

    with Image.open(result.path) as output:
        assert output.format == "JPEG"
        assert getattr(output, "n_frames", 1) == 1
        magenta = (255, 0, 255)
        assert not any(builders.close(q, magenta) for q in builders.quadrants(output))


def test_exif_thumbnail_is_not_what_comes_out(tmp_path: Path, out_dir: Path) -> None:
    """The embedded magenta thumbnail must never replace the real picture."""
    source = builders.planted_jpeg(tmp_path / "in.jpg")

    result = sanitise_image(source, out_dir)

    with Image.open(result.path) as output:
        assert output.size == (96, 64)
        assert builders.close(builders.quadrants(output)[0], builders.TOP_LEFT, 24)
