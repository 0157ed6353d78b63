"""Every way a file can say "turn me" ends with upright pixels."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from publisher.media import sanitise_image
from tests.media import builders

UPRIGHT = (
    builders.TOP_LEFT,
    builders.TOP_RIGHT,
    builders.BOTTOM_LEFT,
    builders.BOTTOM_RIGHT,
)


def assert_upright(path: Path) -> None:
    with Image.open(path) as output:
        assert output.size == (96, 64), "turned the wrong way"
        for got, want in zip(builders.quadrants(output), UPRIGHT, strict=True):
            assert builders.close(got, want, tolerance=24), (got, want)


def _exif(orientation: int) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    return exif.tobytes()


@pytest.mark.parametrize("orientation", range(1, 9))
def test_jpeg_exif_orientations(
    orientation: int, tmp_path: Path, out_dir: Path
) -> None:
    source = tmp_path / "in.jpg"
    builders.stored_for(orientation).save(
        source, quality=95, exif=builders.exif_block(orientation)
    )

    assert_upright(sanitise_image(source, out_dir).path)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_jpeg_orientation_after_downscale(
    orientation: int, tmp_path: Path, out_dir: Path
) -> None:
    """Orientation is applied after the reduced-scale decode, not lost by it."""
    source = tmp_path / "in.jpg"
    builders.stored_for(orientation, (960, 640)).save(
        source, quality=95, exif=_exif(orientation)
    )

    result = sanitise_image(source, out_dir, max_edge=96)

    assert_upright(result.path)


@pytest.mark.parametrize("orientation", [3, 6, 8])
def test_jpeg_xmp_orientation_without_exif(
    orientation: int, tmp_path: Path, out_dir: Path
) -> None:
    buffer = io.BytesIO()
    builders.stored_for(orientation).save(buffer, "JPEG", quality=95)
    xmp = builders.segment(
        0xE1,
        b"http://ns.adobe.com/xap/1.0/\x00" + builders.xmp_packet(orientation),
    )
    source = tmp_path / "in.jpg"
    source.write_bytes(builders.splice_after_soi(buffer.getvalue(), xmp))

    assert_upright(sanitise_image(source, out_dir).path)


def test_exif_wins_over_xmp(tmp_path: Path, out_dir: Path) -> None:
    buffer = io.BytesIO()
    builders.stored_for(6).save(buffer, "JPEG", quality=95, exif=_exif(6))
    xmp = builders.segment(
        0xE1, b"http://ns.adobe.com/xap/1.0/\x00" + builders.xmp_packet(3)
    )
    source = tmp_path / "in.jpg"
    source.write_bytes(builders.splice_after_soi(buffer.getvalue(), xmp))

    assert_upright(sanitise_image(source, out_dir).path)


@pytest.mark.parametrize("orientation", [2, 6, 8])
def test_png_exif_orientation(orientation: int, tmp_path: Path, out_dir: Path) -> None:
    source = tmp_path / "in.png"
    builders.stored_for(orientation).save(source, exif=_exif(orientation))

    assert_upright(sanitise_image(source, out_dir).path)


def test_png_xmp_orientation(tmp_path: Path, out_dir: Path) -> None:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_itxt("XML:com.adobe.xmp", builders.xmp_packet(8).decode())
    source = tmp_path / "in.png"
    builders.stored_for(8).save(source, pnginfo=info)

    assert_upright(sanitise_image(source, out_dir).path)


@pytest.mark.parametrize("orientation", [3, 5, 6])
def test_webp_exif_orientation(orientation: int, tmp_path: Path, out_dir: Path) -> None:
    source = tmp_path / "in.webp"
    builders.stored_for(orientation).save(
        source, lossless=True, exif=_exif(orientation)
    )

    assert_upright(sanitise_image(source, out_dir).path)


@pytest.mark.parametrize("orientation", [3, 6, 8])
def test_heic_transform_boxes(orientation: int, tmp_path: Path, out_dir: Path) -> None:
    """pillow-heif writes irot from the EXIF value; the decode applies it once."""
    source = builders.planted_heic(
        tmp_path / "in.heic", builders.stored_for(orientation), orientation
    )

    assert_upright(sanitise_image(source, out_dir).path)


@pytest.mark.parametrize("orientation", [2, 6, 7])
def test_avif_transform_boxes(orientation: int, tmp_path: Path, out_dir: Path) -> None:
    """Pillow turns EXIF orientation into irot/imir boxes when saving AVIF."""
    source = tmp_path / "in.avif"
    builders.stored_for(orientation).save(source, quality=100, exif=_exif(orientation))

    assert_upright(sanitise_image(source, out_dir).path)


@pytest.mark.parametrize(
    "exif",
    [
        b"Exif\x00\x00II*\x00\xff\xff\xff\xff",
        b"Exif\x00\x00MM\x00*\x00\x00\x00\x08\xff",
    ],
    ids=["offset-out-of-range", "cut-short"],
)
def test_broken_exif_keeps_pixels_as_stored(
    exif: bytes, tmp_path: Path, out_dir: Path
) -> None:
    buffer = io.BytesIO()
    builders.scene().save(buffer, "JPEG", quality=95)
    source = tmp_path / "in.jpg"
    source.write_bytes(
        builders.splice_after_soi(buffer.getvalue(), builders.segment(0xE1, exif))
    )

    assert_upright(sanitise_image(source, out_dir).path)
