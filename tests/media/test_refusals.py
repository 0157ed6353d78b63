"""Files that cannot be proven clean are refused with a message that helps."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from publisher.errors import (
    CorruptImage,
    ImageTooLarge,
    MediaError,
    UnsupportedFormat,
)
from publisher.media import sanitise_image
from tests.media import builders


def _noise_jpeg(progressive: bool = False) -> bytes:
    buffer = io.BytesIO()
    Image.effect_noise((256, 256), 64).convert("RGB").save(
        buffer, "JPEG", quality=90, progressive=progressive
    )
    return buffer.getvalue()


def _noise_png() -> bytes:
    buffer = io.BytesIO()
    Image.effect_noise((256, 256), 64).convert("RGB").save(buffer, "PNG")
    return buffer.getvalue()


def _png_with_broken_pixels() -> bytes:
    """Scrambled compressed pixels whose chunk CRC is still right."""
    data = bytearray(_noise_png())
    start = data.index(b"IDAT") + 4
    length = struct.unpack(">I", data[start - 8 : start - 4])[0]
    middle = start + length // 2
    for index in range(middle, middle + 64):
        data[index] ^= 0x5A
    crc = zlib.crc32(bytes(data[start - 4 : start + length]))
    data[start + length : start + length + 4] = struct.pack(">I", crc)
    return bytes(data)


def _png_declaring(width: int, height: int) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return (
        b"\x89PNG\r\n\x1a\n"
        + builders.png_chunk(b"IHDR", header)
        + builders.png_chunk(b"IDAT", idat)
        + builders.png_chunk(b"IEND", b"")
    )


def _jpeg_declaring(width: int, height: int) -> bytes:
    data = bytearray(_noise_jpeg())
    sof = data.index(b"\xff\xc0")
    struct.pack_into(">HH", data, sof + 5, height, width)
    return bytes(data)


def _jpeg_cut_then_closed() -> bytes:
    """Half the picture data, then an end marker put back: decodes 'fine'."""
    data = _noise_jpeg()
    return data[: len(data) // 2] + b"\xff\xd9"


def _cmyk_jpeg_cut_then_closed() -> bytes:
    buffer = io.BytesIO()
    Image.effect_noise((256, 256), 64).convert("RGB").convert("CMYK").save(
        buffer, "JPEG", quality=90
    )
    data = buffer.getvalue()
    return data[: len(data) // 2] + b"\xff\xd9"


def _plain_grey_jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (96, 64), (128, 128, 128)).save(buffer, "JPEG")
    return buffer.getvalue()


def _many_scans_jpeg() -> bytes:
    """A progressive JPEG whose last scan is repeated hundreds of times."""
    data = _noise_jpeg(progressive=True)
    last = data.rindex(b"\xff\xda")
    scan = data[last:-2]
    return data[:last] + scan * 300 + b"\xff\xd9"


def _webp_declaring(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 200, 30)).save(buffer, "WEBP", quality=80)
    data = bytearray(buffer.getvalue())
    frame = data.index(b"\x9d\x01\x2a") + 3
    struct.pack_into("<HH", data, frame, width, height)
    return bytes(data)


def _grey16_png_with_transparent_colour() -> bytes:
    header = struct.pack(">IIBBBBB", 8, 8, 16, 0, 0, 0, 0)
    rows = (b"\x00" + struct.pack(">H", 300) * 4 + struct.pack(">H", 40000) * 4) * 8
    return (
        b"\x89PNG\r\n\x1a\n"
        + builders.png_chunk(b"IHDR", header)
        + builders.png_chunk(b"tRNS", struct.pack(">H", 300))
        + builders.png_chunk(b"IDAT", zlib.compress(rows))
        + builders.png_chunk(b"IEND", b"")
    )


def _tiff(extra_tag: int | None = None) -> bytes:
    entries = [(256, 3, 1, 8), (257, 3, 1, 8)]
    if extra_tag is not None:
        entries.append((extra_tag, 1, 4, 0x01040000))
    body = struct.pack("<H", len(entries))
    for tag, kind, count, value in entries:
        body += struct.pack("<HHII", tag, kind, count, value)
    return b"II*\x00" + struct.pack("<I", 8) + body + b"\x00\x00\x00\x00"


def _animated(kind: str) -> bytes:
    frames = [Image.new("RGB", (16, 16), colour) for colour in ("red", "blue")]
    buffer = io.BytesIO()
    frames[0].save(buffer, kind, save_all=True, append_images=frames[1:])
    return buffer.getvalue()


def _ftyp(brand: bytes, compatible: bytes = b"") -> bytes:
    body = brand + b"\x00\x00\x00\x00" + compatible
    return struct.pack(">I", 8 + len(body)) + b"ftyp" + body + b"\x00" * 64


Case = tuple[Callable[[], bytes], type[MediaError], tuple[str, ...]]

CASES: dict[str, Case] = {
    "svg": (
        lambda: b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>',
        UnsupportedFormat,
        ("SVG", "JPEG"),
    ),
    "psd": (lambda: b"8BPS\x00\x01" + b"\x00" * 64, UnsupportedFormat, ("PSD",)),
    "pdf": (lambda: b"%PDF-1.7\n%\xe2\xe3\n1 0 obj", UnsupportedFormat, ("PDF",)),
    "zero bytes": (lambda: b"", CorruptImage, ("empty",)),
    "text": (
        lambda: "Diwrnod mabolgampau – lluniau’r plant\n".encode() * 20,
        UnsupportedFormat,
        ("text file",),
    ),
    "html": (lambda: b"<!DOCTYPE html><html>", UnsupportedFormat, ("HTML",)),
    "unknown binary": (lambda: bytes(range(256)) * 4, UnsupportedFormat, ("JPEG",)),
    "tiff": (_tiff, UnsupportedFormat, ("TIFF",)),
    "dng": (lambda: _tiff(0xC612), UnsupportedFormat, ("DNG",)),
    "cr2": (
        lambda: b"II*\x00\x10\x00\x00\x00CR\x02\x00" + b"\x00" * 64,
        UnsupportedFormat,
        ("CR2",),
    ),
    "cr3": (lambda: _ftyp(b"crx ", b"crx isom"), UnsupportedFormat, ("CR3",)),
    "jpeg xl": (
        lambda: b"\xff\x0a\xfa\x7f" + b"\x00" * 64,
        UnsupportedFormat,
        ("JPEG XL",),
    ),
    "jpeg xl box": (
        lambda: b"\x00\x00\x00\x0cJXL \r\n\x87\n" + b"\x00" * 64,
        UnsupportedFormat,
        ("JPEG XL",),
    ),
    "mp4": (lambda: _ftyp(b"isom", b"isomiso2mp41"), UnsupportedFormat, ("video",)),
    "bmp": (lambda: b"BM" + b"\x00" * 64, UnsupportedFormat, ("BMP",)),
    "truncated jpeg": (
        lambda: _noise_jpeg()[:20000],
        CorruptImage,
        ("JPEG", "cut short"),
    ),
    "truncated progressive jpeg": (
        lambda: _noise_jpeg(progressive=True)[:30000],
        CorruptImage,
        ("JPEG",),
    ),
    "truncated png": (lambda: _noise_png()[:30000], CorruptImage, ("PNG",)),
    "png broken pixels": (_png_with_broken_pixels, CorruptImage, ("PNG",)),
    "png header only": (lambda: _noise_png()[:33], CorruptImage, ("PNG",)),
    "jpeg header only": (
        lambda: b"\xff\xd8\xff\xe0\x00\x10JFIF",
        CorruptImage,
        ("JPEG",),
    ),
    "png bomb": (lambda: _png_declaring(30000, 30000), ImageTooLarge, ("MP", "limit")),
    "png over the full-decode limit": (
        lambda: _png_declaring(8001, 8000),
        ImageTooLarge,
        ("8001x8000", "64 MP"),
    ),
    "cmyk jpeg cut short, end marker added back": (
        _cmyk_jpeg_cut_then_closed,
        CorruptImage,
        ("blank mid-grey", "cut short"),
    ),
    "jpeg that is plain mid-grey to its last row": (
        _plain_grey_jpeg,
        CorruptImage,
        ("blank mid-grey", "PNG"),
    ),
    "progressive jpeg with hundreds of scans": (
        _many_scans_jpeg,
        CorruptImage,
        ("scans", "limit is 100"),
    ),
    "webp over its own limit": (
        lambda: _webp_declaring(6000, 6000),
        ImageTooLarge,
        ("6000x6000", "32 MP"),
    ),
    "16-bit png with a transparent colour": (
        _grey16_png_with_transparent_colour,
        UnsupportedFormat,
        ("16-bit colour as transparent", "8-bit PNG"),
    ),
    "jpeg cut short, end marker added back": (
        _jpeg_cut_then_closed,
        CorruptImage,
        ("JPEG", "cut short"),
    ),
    # Under the JPEG limit, so it decodes: into grey rows it has no data for.
    "jpeg declaring more rows than it holds": (
        lambda: _jpeg_declaring(256, 4096),
        CorruptImage,
        ("JPEG",),
    ),
    "jpeg bomb": (lambda: _jpeg_declaring(60000, 60000), ImageTooLarge, ("MP",)),
    "just over limit": (
        lambda: _png_declaring(10001, 10000),
        ImageTooLarge,
        ("10001x10000",),
    ),
    "animated gif": (lambda: _animated("GIF"), UnsupportedFormat, ("animated GIF",)),
    "animated webp": (lambda: _animated("WEBP"), UnsupportedFormat, ("animated WebP",)),
    "animated png": (lambda: _animated("PNG"), UnsupportedFormat, ("animated PNG",)),
    "broken heic": (
        lambda: _ftyp(b"heic", b"mif1heic") + b"\x00" * 256,
        CorruptImage,
        ("HEIC",),
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_refused_with_clear_message(case: str, tmp_path: Path, out_dir: Path) -> None:
    make, error, words = CASES[case]
    # The name claims a photo: detection must go by content, not extension.
    source = tmp_path / "photo.jpg"
    source.write_bytes(make())

    with pytest.raises(error) as caught:
        sanitise_image(source, out_dir)

    message = str(caught.value)
    for word in words:
        assert word in message
    assert message.endswith("."), "messages are full sentences"
    assert "photo.jpg" not in message, "file names may hold a learner's name"
    assert not out_dir.exists() or list(out_dir.iterdir()) == []


def test_missing_file(tmp_path: Path, out_dir: Path) -> None:
    with pytest.raises(MediaError, match="could not be read"):
        sanitise_image(tmp_path / "nowhere.jpg", out_dir)


def test_folder_is_not_an_image(tmp_path: Path, out_dir: Path) -> None:
    with pytest.raises(MediaError, match="not a regular file"):
        sanitise_image(tmp_path, out_dir)


def test_oversized_file_refused_before_reading(
    tmp_path: Path, out_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from publisher.media import detect

    monkeypatch.setattr(detect, "MAX_INPUT_BYTES", 1000)
    source = tmp_path / "big.jpg"
    source.write_bytes(_noise_jpeg())

    with pytest.raises(ImageTooLarge, match="MiB"):
        sanitise_image(source, out_dir)


def test_truncated_images_are_never_padded() -> None:
    """The grey-padding switch stays off, whatever ran before."""
    from PIL import ImageFile

    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


@pytest.mark.parametrize("bad", [0, 15, 8193])
def test_bad_max_edge_is_a_programming_error(
    bad: int, tmp_path: Path, out_dir: Path
) -> None:
    source = tmp_path / "in.png"
    builders.scene().save(source)

    with pytest.raises(ValueError, match="max_edge"):
        sanitise_image(source, out_dir, max_edge=bad)


def test_running_out_of_memory_is_a_refusal(
    tmp_path: Path, out_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from publisher.media import sanitise as pipeline

    def exhausted(*args: object) -> None:
        raise MemoryError

    monkeypatch.setattr(pipeline, "prepare", exhausted)
    source = tmp_path / "photo.jpg"
    source.write_bytes(_noise_jpeg())

    with pytest.raises(ImageTooLarge, match="not enough memory"):
        sanitise_image(source, out_dir)
