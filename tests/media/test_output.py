"""Output size, byte limits, naming, permissions and what is returned."""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path

import pytest
from PIL import Image

from publisher.errors import MediaError
from publisher.media import sanitise_image
from publisher.media.jpeg import JpegHandler
from tests.media import builders


def _photo(path: Path, size: tuple[int, int], noise: bool = False) -> Path:
    if noise:
        image = Image.merge(
            "RGB", [Image.effect_noise(size, 60 + 20 * band) for band in range(3)]
        )
    else:
        image = builders.scene(size)
    image.save(path, quality=92)
    return path


@pytest.mark.parametrize(
    ("size", "max_edge", "expected"),
    [
        ((3000, 2000), 1080, (1080, 720)),
        ((2000, 3000), 1080, (720, 1080)),
        ((4000, 1000), 1080, (1080, 270)),
        ((800, 600), 1080, (800, 600)),
        ((3000, 2000), 500, (500, 333)),
    ],
)
def test_long_edge_is_limited_never_upscaled(
    size: tuple[int, int],
    max_edge: int,
    expected: tuple[int, int],
    tmp_path: Path,
    out_dir: Path,
) -> None:
    source = _photo(tmp_path / "in.jpg", size)

    result = sanitise_image(source, out_dir, max_edge=max_edge)

    assert (result.width, result.height) == expected
    with Image.open(result.path) as output:
        assert output.size == expected


def test_jpeg_decodes_at_reduced_scale(tmp_path: Path) -> None:
    """DCT scaling gives at most twice the target, never less than it."""
    source = _photo(tmp_path / "in.jpg", (4000, 3000))

    decoded = JpegHandler().decode(source, 1080)

    assert decoded.image.size == (2000, 1500)


def test_downscale_keeps_the_picture(tmp_path: Path, out_dir: Path) -> None:
    source = _photo(tmp_path / "in.jpg", (2400, 1600))

    result = sanitise_image(source, out_dir, max_edge=240)

    with Image.open(result.path) as output:
        wanted = (
            builders.TOP_LEFT,
            builders.TOP_RIGHT,
            builders.BOTTOM_LEFT,
            builders.BOTTOM_RIGHT,
        )
        for got, want in zip(builders.quadrants(output), wanted, strict=True):
            assert builders.close(got, want, tolerance=10)


def test_byte_limit_steps_quality_down(tmp_path: Path, out_dir: Path) -> None:
    source = _photo(tmp_path / "in.jpg", (1080, 1080), noise=True)
    unlimited = sanitise_image(source, out_dir)
    limit = unlimited.byte_size * 2 // 3

    result = sanitise_image(source, out_dir, max_bytes=limit)

    assert result.byte_size <= limit
    assert result.path.stat().st_size == result.byte_size
    assert (result.width, result.height) == (1080, 1080)


def test_byte_limit_shrinks_when_quality_is_not_enough(
    tmp_path: Path, out_dir: Path
) -> None:
    source = _photo(tmp_path / "in.jpg", (1080, 1080), noise=True)

    result = sanitise_image(source, out_dir, max_bytes=60_000)

    assert result.byte_size <= 60_000
    assert result.width < 1080


def test_impossible_byte_limit_is_refused(tmp_path: Path, out_dir: Path) -> None:
    source = _photo(tmp_path / "in.jpg", (1080, 1080), noise=True)

    with pytest.raises(MediaError, match="smaller than 500 bytes"):
        sanitise_image(source, out_dir, max_bytes=500)

    assert not out_dir.exists() or list(out_dir.iterdir()) == []


def test_result_describes_the_file(tmp_path: Path, out_dir: Path) -> None:
    source = builders.planted_jpeg(tmp_path / "IMG_0001.jpg")

    result = sanitise_image(source, out_dir)

    data = result.path.read_bytes()
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    assert result.byte_size == len(data)
    assert re.fullmatch(r"[0-9a-f]{32}\.jpg", result.path.name)
    assert "IMG_0001" not in str(result.path)


def test_original_is_untouched_and_not_copied(tmp_path: Path, out_dir: Path) -> None:
    source = builders.planted_jpeg(tmp_path / "in.jpg")
    before = source.read_bytes()

    sanitise_image(source, out_dir)
    sanitise_image(source, out_dir)

    assert source.read_bytes() == before
    outputs = sorted(out_dir.iterdir())
    assert len(outputs) == 2, "one file per call, no temporary files left"
    assert all(path.read_bytes() != before for path in outputs)
    assert outputs[0].name != outputs[1].name


def test_output_mode_ignores_umask(tmp_path: Path, out_dir: Path) -> None:
    import os

    source = builders.planted_jpeg(tmp_path / "in.jpg")
    old = os.umask(0)
    try:
        result = sanitise_image(source, out_dir)
    finally:
        os.umask(old)

    assert result.path.stat().st_mode & 0o777 == 0o600


def test_unwritable_folder_is_a_media_error(tmp_path: Path) -> None:
    source = builders.planted_jpeg(tmp_path / "in.jpg")
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")

    with pytest.raises(MediaError, match="could not be written"):
        sanitise_image(source, blocker / "out")


def test_decoder_receives_only_its_own_format(tmp_path: Path, out_dir: Path) -> None:
    """A PNG named .jpg is read as PNG; a JPEG named .png as JPEG."""
    png_named_jpeg = tmp_path / "really-png.jpg"
    builders.scene().save(png_named_jpeg, "PNG")
    jpeg_named_png = tmp_path / "really-jpeg.png"
    buffer = io.BytesIO()
    builders.scene().save(buffer, "JPEG")
    jpeg_named_png.write_bytes(buffer.getvalue())

    for source in (png_named_jpeg, jpeg_named_png):
        assert sanitise_image(source, out_dir).width == 96
