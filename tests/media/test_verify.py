"""The independent structure walk accepts plain pictures and nothing else."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from publisher.errors import UnverifiedImage
from publisher.media import sanitise_image, verify_clean
from publisher.media.verify import walk_jpeg
from tests.media import builders


def _jpeg(**options: object) -> bytes:
    buffer = io.BytesIO()
    mode = str(options.pop("mode", "RGB"))
    image = builders.scene((64, 48)).convert(mode)
    image.save(buffer, "JPEG", quality=85, **options)
    return buffer.getvalue()


def _write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "check.jpg"
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"optimize": True},
        {"progressive": True},
        {"mode": "L"},
        {"restart_marker_blocks": 1},
        {"subsampling": 0},
    ],
    ids=["baseline", "optimized", "progressive", "grey", "restarts", "444"],
)
def test_plain_pictures_pass(tmp_path: Path, options: dict[str, object]) -> None:
    verify_clean(_write(tmp_path, _jpeg(**options)))


def test_layout_reports_frame() -> None:
    layout = walk_jpeg(_jpeg(progressive=True))

    assert (layout.width, layout.height, layout.components) == (64, 48, 3)
    assert layout.progressive


def _insert_before_first(data: bytes, marker: bytes, extra: bytes) -> bytes:
    index = data.index(marker)
    return data[:index] + extra + data[index:]


def _second_scan(data: bytes) -> int:
    return data.index(b"\xff\xda", data.index(b"\xff\xda") + 2)


SECRET = b"MARK-SECRET-VALUE"
BAD: dict[str, tuple[bytes, str]] = {
    "exif app1": (
        builders.splice_after_soi(
            _jpeg(), builders.segment(0xE1, b"Exif\0\0" + SECRET)
        ),
        "APP1",
    ),
    "xmp app1": (
        _insert_before_first(_jpeg(), b"\xff\xdb", builders.segment(0xE1, SECRET)),
        "APP1",
    ),
    "icc app2": (
        _insert_before_first(_jpeg(), b"\xff\xc4", builders.segment(0xE2, SECRET)),
        "APP2",
    ),
    "comment": (
        _insert_before_first(_jpeg(), b"\xff\xda", builders.segment(0xFE, SECRET)),
        "COM",
    ),
    "jumbf app11": (
        builders.splice_after_soi(_jpeg(), builders.segment(0xEB, SECRET)),
        "APP11",
    ),
    "after eoi": (_jpeg() + SECRET, "after its end-of-image"),
    "truncated": (_jpeg()[:-40], "ends"),
    "not jpeg": (b"\x89PNG\r\n\x1a\n" + SECRET, "start-of-image"),
    "second jfif": (
        _insert_before_first(
            _jpeg(), b"\xff\xdb", builders.segment(0xE0, b"JFIF\x00\x01\x01" + SECRET)
        ),
        "APP0",
    ),
    "jfif thumbnail": (
        b"\xff\xd8"
        + builders.segment(
            0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x01\x01" + SECRET[:3]
        )
        + _jpeg()[20:],
        "JFIF header",
    ),
    "second frame": (
        _insert_before_first(
            _jpeg(), b"\xff\xda", _jpeg()[_jpeg().index(b"\xff\xc0") :][:19]
        ),
        "more than one frame",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_anything_else_fails_closed(tmp_path: Path, case: str) -> None:
    data, expected = BAD[case]

    with pytest.raises(UnverifiedImage) as caught:
        verify_clean(_write(tmp_path, data))

    message = str(caught.value)
    assert expected in message
    assert "MARK" not in message, "the message must not quote the metadata"


def test_comment_between_progressive_scans_fails(tmp_path: Path) -> None:
    data = _jpeg(progressive=True)
    at = _second_scan(data)
    spliced = data[:at] + builders.segment(0xFE, SECRET) + data[at:]

    with pytest.raises(UnverifiedImage, match="COM"):
        verify_clean(_write(tmp_path, spliced))


def test_app_segment_between_progressive_scans_fails(tmp_path: Path) -> None:
    data = _jpeg(progressive=True)
    at = _second_scan(data)
    spliced = data[:at] + builders.segment(0xE1, SECRET) + data[at:]

    with pytest.raises(UnverifiedImage, match="APP1"):
        verify_clean(_write(tmp_path, spliced))


def test_missing_file_is_unverified(tmp_path: Path) -> None:
    with pytest.raises(UnverifiedImage, match="could not be read back"):
        verify_clean(tmp_path / "gone.jpg")


def test_sanitiser_output_passes_after_pillow_round_trip(tmp_path: Path) -> None:
    """Pillow's own JPEG writer, re-encoding with a comment, is caught."""
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, "JPEG", comment=b"MARK-COMMENT")

    with pytest.raises(UnverifiedImage, match="COM"):
        walk_jpeg(buffer.getvalue())


def test_unverified_output_is_deleted(
    tmp_path: Path, out_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from publisher.media.encode import encode_jpeg

    def leaky(
        image: Image.Image, max_bytes: int | None = None
    ) -> tuple[bytes, tuple[int, int]]:
        data, size = encode_jpeg(image, max_bytes)
        return builders.splice_after_soi(data, builders.segment(0xFE, SECRET)), size

    monkeypatch.setattr("publisher.media.sanitise.encode_jpeg", leaky)
    source = tmp_path / "in.png"
    builders.scene().save(source)

    with pytest.raises(UnverifiedImage):
        sanitise_image(source, out_dir)

    assert list(out_dir.iterdir()) == []
