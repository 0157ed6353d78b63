"""Colour profiles, CMYK, bit depth and transparency come out as sRGB pixels."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from publisher.media import sanitise_image
from publisher.media.verify import walk_jpeg
from tests.media import builders


def _centre(path: Path) -> tuple[int, ...]:
    with Image.open(path) as output:
        return builders.pixel(output, (output.width // 2, output.height // 2))


@pytest.mark.parametrize("p3", [(200, 80, 60), (90, 160, 120), (255, 0, 0)])
@pytest.mark.parametrize("container", ["jpeg", "png", "webp"])
def test_display_p3_becomes_srgb(
    p3: tuple[int, int, int], container: str, tmp_path: Path, out_dir: Path
) -> None:
    """Pixels are converted with the profile, then the profile is dropped."""
    source = tmp_path / f"p3.{container}"
    flat = Image.new("RGB", (64, 64), p3)
    options: dict[str, Any] = {"icc_profile": builders.display_p3_profile()}
    if container != "png":
        options["quality"] = 100
    flat.save(source, **options)

    got = _centre(sanitise_image(source, out_dir).path)

    expected = builders.p3_to_srgb(p3)
    assert builders.close(got, expected, tolerance=4), (got, expected)


def test_p3_conversion_changes_the_numbers() -> None:
    """Guard for the test above: the sRGB value differs from the raw one."""
    assert not builders.close(builders.p3_to_srgb((200, 80, 60)), (200, 80, 60), 8)


def test_cmyk_jpeg_becomes_rgb(tmp_path: Path, out_dir: Path) -> None:
    cmyk = Image.new("CMYK", (64, 64))
    inks = [(255, 0, 0, 0), (0, 255, 0, 0), (0, 0, 255, 0), (0, 0, 0, 255)]
    for index, ink in enumerate(inks):
        cmyk.paste(
            ink,
            (
                (index % 2) * 32,
                (index // 2) * 32,
                (index % 2 + 1) * 32,
                (index // 2 + 1) * 32,
            ),
        )
    source = tmp_path / "cmyk.jpg"
    cmyk.save(source, quality=100)

    result = sanitise_image(source, out_dir)

    assert walk_jpeg(result.path.read_bytes()).components == 3
    with Image.open(result.path) as output:
        assert output.mode == "RGB"
        got = builders.quadrants(output)
    wanted = [(0, 255, 255), (255, 0, 255), (255, 255, 0), (0, 0, 0)]
    for colour, want in zip(got, wanted, strict=True):
        assert builders.close(colour, want, tolerance=20), (colour, want)


def test_grey_stays_one_channel(tmp_path: Path, out_dir: Path) -> None:
    source = tmp_path / "grey.jpg"
    Image.new("L", (40, 30), 90).save(source)

    result = sanitise_image(source, out_dir)

    assert walk_jpeg(result.path.read_bytes()).components == 1
    assert builders.close(_centre(result.path), (90, 90, 90), 3)


def test_sixteen_bit_grey_png_is_scaled_not_clipped(
    tmp_path: Path, out_dir: Path
) -> None:
    source = tmp_path / "grey16.png"
    Image.new("I;16", (40, 30), 40000).save(source)

    got = _centre(sanitise_image(source, out_dir).path)

    assert builders.close(got, (156, 156, 156), 3), got


def test_large_sixteen_bit_grey_is_shrunk_before_conversion(
    tmp_path: Path, out_dir: Path
) -> None:
    """Shrunk while still 16-bit (memory), then scaled, not clipped, to 8-bit."""
    source = tmp_path / "grey16-large.png"
    Image.new("I;16", (2400, 1600), 40000).save(source)

    result = sanitise_image(source, out_dir)

    assert (result.width, result.height) == (1080, 720)
    assert builders.close(_centre(result.path), (156, 156, 156), 3)


def test_sixteen_bit_rgb_png(tmp_path: Path, out_dir: Path) -> None:
    """A 16-bit-per-channel RGB PNG keeps its colour (high byte of each sample)."""
    import struct
    import zlib

    width, height, colour = 16, 8, (51400, 12850, 25700)
    row = b"\x00" + struct.pack(">HHH", *colour) * width
    raw = zlib.compress(row * height)
    header = struct.pack(">IIBBBBB", width, height, 16, 2, 0, 0, 0)
    data = b"\x89PNG\r\n\x1a\n" + builders.png_chunk(b"IHDR", header)
    data += builders.png_chunk(b"IDAT", raw) + builders.png_chunk(b"IEND", b"")
    source = tmp_path / "rgb16.png"
    source.write_bytes(data)

    got = _centre(sanitise_image(source, out_dir).path)

    assert builders.close(got, (200, 50, 100), 4), got


HIDDEN = (255, 0, 0)


def _hidden_colour_rgba() -> Image.Image:
    """Left half fully transparent over red; right half opaque blue."""
    image = Image.new("RGBA", (64, 32), HIDDEN + (0,))
    image.paste((0, 0, 255, 255), (32, 0, 64, 32))
    return image


@pytest.mark.parametrize("container", ["png", "webp"])
def test_transparent_pixels_do_not_reveal_hidden_colour(
    container: str, tmp_path: Path, out_dir: Path
) -> None:
    source = tmp_path / f"alpha.{container}"
    options: dict[str, Any] = {"lossless": True} if container == "webp" else {}
    _hidden_colour_rgba().save(source, **options)

    with Image.open(sanitise_image(source, out_dir).path) as output:
        left, right = builders.pixel(output, (8, 16)), builders.pixel(output, (56, 16))
    assert builders.close(left, (255, 255, 255), 3), left
    assert builders.close(right, (0, 0, 255), 6), right


def test_hidden_colour_does_not_bleed_when_downscaled(
    tmp_path: Path, out_dir: Path
) -> None:
    """Resizing uses premultiplied alpha: no pink fringe at the edge."""
    image = Image.new("RGBA", (400, 200), HIDDEN + (0,))
    image.paste((255, 255, 255, 255), (200, 0, 400, 200))
    source = tmp_path / "edge.png"
    image.save(source)

    with Image.open(sanitise_image(source, out_dir, max_edge=100).path) as output:
        for x in range(output.width):
            red, green, blue = builders.pixel(output, (x, output.height // 2))
            assert red - min(green, blue) < 12, (x, red, green, blue)


def test_half_transparent_blends_onto_white(tmp_path: Path, out_dir: Path) -> None:
    source = tmp_path / "half.png"
    Image.new("RGBA", (32, 32), (0, 0, 0, 128)).save(source)

    got = _centre(sanitise_image(source, out_dir).path)

    assert builders.close(got, (127, 127, 127), 4), got


@pytest.mark.parametrize("container", ["png", "gif"])
def test_palette_transparency(container: str, tmp_path: Path, out_dir: Path) -> None:
    palette = Image.new("P", (32, 32), 0)
    palette.putpalette([255, 0, 0, 0, 0, 255] + [0] * 762)
    palette.paste(1, (16, 0, 32, 32))
    source = tmp_path / f"palette.{container}"
    palette.save(source, transparency=0)

    with Image.open(sanitise_image(source, out_dir).path) as output:
        assert builders.close(builders.pixel(output, (4, 16)), (255, 255, 255), 3)
        assert builders.close(builders.pixel(output, (28, 16)), (0, 0, 255), 8)


@pytest.mark.parametrize("mode", ["RGB", "L"])
def test_png_colour_key_is_transparent(
    mode: str, tmp_path: Path, out_dir: Path
) -> None:
    key = (255, 0, 0) if mode == "RGB" else 77
    image = Image.new(mode, (32, 32), key)
    image.paste((0, 0, 255) if mode == "RGB" else 20, (16, 0, 32, 32))
    source = tmp_path / "key.png"
    image.save(source, transparency=key)

    with Image.open(sanitise_image(source, out_dir).path) as output:
        assert builders.close(builders.pixel(output, (4, 16)), (255, 255, 255), 3)
        assert not builders.close(builders.pixel(output, (28, 16)), (255, 255, 255), 60)


def test_grey_with_alpha(tmp_path: Path, out_dir: Path) -> None:
    image = Image.new("LA", (32, 32), (0, 0))
    image.paste((40, 255), (16, 0, 32, 32))
    source = tmp_path / "la.png"
    image.save(source)

    with Image.open(sanitise_image(source, out_dir).path) as output:
        assert output.mode == "L"
        assert builders.close(builders.pixel(output, (4, 16)), (255, 255, 255), 3)
        assert builders.close(builders.pixel(output, (28, 16)), (40, 40, 40), 4)


def test_broken_icc_profile_keeps_pixels(tmp_path: Path, out_dir: Path) -> None:
    source = tmp_path / "broken-icc.jpg"
    Image.new("RGB", (32, 32), (10, 120, 200)).save(
        source, quality=100, icc_profile=b"MARK-not-a-profile" * 10
    )

    got = _centre(sanitise_image(source, out_dir).path)

    assert builders.close(got, (10, 120, 200), 4)
