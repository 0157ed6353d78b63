"""Prove that a sanitised file holds a plain JPEG picture and nothing else.

This walk is independent of the encoder: it does not use Pillow, it reads the
file's own structure. Only the segments a plain picture needs are allowed
(SOI, at most one minimal JFIF APP0 right after it, DQT, one SOF0 or SOF2, DHT,
DRI, SOS with its entropy-coded data and RSTn markers, EOI) and nothing may
follow EOI. Anything else, such as an APPn, COM or a JFIF thumbnail, fails the
check. Messages say what kind of part was found, never what it contains.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import NoReturn

from publisher.errors import UnverifiedImage

logger = logging.getLogger(__name__)

_SOI = 0xD8
_EOI = 0xD9
_SOS = 0xDA
_DQT = 0xDB
_DHT = 0xC4
_DRI = 0xDD
_APP0 = 0xE0
_FRAMES = {0xC0: "baseline", 0xC2: "progressive"}

# The whole APP0 payload the encoder writes: JFIF 1.01 or 1.02, no density
# unit, 1:1 pixel aspect, no thumbnail.
_JFIF_PAYLOADS = {
    b"JFIF\x00\x01" + bytes([minor]) + b"\x00\x00\x01\x00\x01\x00\x00"
    for minor in (1, 2)
}


class JpegLayout:
    """What the walk learnt about a verified JPEG."""

    __slots__ = ("width", "height", "components", "progressive")

    def __init__(self, width: int, height: int, components: int, progressive: bool):
        self.width = width
        self.height = height
        self.components = components
        self.progressive = progressive


def verify_clean(path: Path) -> None:
    """Raise ``UnverifiedImage`` unless ``path`` holds only a plain JPEG picture.

    The publisher calls this on each stored file just before every upload.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnverifiedImage(
            f"The sanitised image could not be read back ({exc.strerror}); "
            "sanitise the photo again."
        ) from exc
    walk_jpeg(data)


def walk_jpeg(data: bytes) -> JpegLayout:
    """Walk every segment of ``data``; return the layout or raise UnverifiedImage."""
    if not data.startswith(b"\xff\xd8"):
        _fail("does not start with a JPEG start-of-image marker")
    walker = _Walker(data)
    return walker.run()


def _fail(what: str) -> NoReturn:
    raise UnverifiedImage(
        f"The sanitised image {what}, so it cannot be proven clean and was not "
        "used. Sanitise the original photo again; if this repeats, report it."
    )


def _marker_name(marker: int) -> str:
    if 0xE0 <= marker <= 0xEF:
        return (
            f"an application segment (APP{marker - 0xE0}), which can carry EXIF, "
            "XMP, ICC or other metadata"
        )
    if marker == 0xFE:
        return "a comment segment (COM)"
    if 0xC0 <= marker <= 0xCF:
        return f"a frame or table segment (0xFF{marker:02X}) this encoder never writes"
    return f"a segment with marker 0xFF{marker:02X} that a plain picture does not need"


class _Walker:
    """One pass over the segments of a JPEG byte string."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 2
        self.frame: JpegLayout | None = None
        self.scans = 0
        self.segments = 0

    def run(self) -> JpegLayout:
        while True:
            marker = self._next_marker()
            if marker == _EOI:
                return self._finish()
            payload = self._segment_payload(marker)
            self._check_segment(marker, payload)
            self.segments += 1
            if marker == _SOS:
                self._skip_entropy_data()

    def _next_marker(self) -> int:
        data, pos = self.data, self.pos
        if pos + 2 > len(data):
            _fail("ends before its end-of-image marker")
        if data[pos] != 0xFF:
            _fail(f"has a stray byte where a segment should start (offset {pos})")
        self.pos = pos + 2
        return data[pos + 1]

    def _segment_payload(self, marker: int) -> bytes:
        if marker == _SOI or 0xD0 <= marker <= 0xD7 or marker in (0x01, 0xFF):
            _fail(f"holds {_marker_name(marker)} outside the picture data")
        data, pos = self.data, self.pos
        if pos + 2 > len(data):
            _fail("ends inside a segment header")
        length = int.from_bytes(data[pos : pos + 2], "big")
        if length < 2 or pos + length > len(data):
            _fail("has a segment whose length runs past the end of the file")
        self.pos = pos + length
        return data[pos + 2 : pos + length]

    def _check_segment(self, marker: int, payload: bytes) -> None:
        if marker == _APP0 and self.segments == 0:
            if payload not in _JFIF_PAYLOADS:
                _fail("has a JFIF header with more than the minimal fields")
        elif marker in _FRAMES:
            self._check_frame(marker, payload)
        elif marker == _DQT:
            _check_dqt(payload)
        elif marker == _DHT:
            _check_dht(payload)
        elif marker == _DRI:
            if len(payload) != 2:
                _fail("has a restart-interval segment of the wrong length")
        elif marker == _SOS:
            self._check_scan_header(payload)
        else:
            _fail(f"holds {_marker_name(marker)}")

    def _check_frame(self, marker: int, payload: bytes) -> None:
        if self.frame is not None:
            _fail("has more than one frame header (a second picture)")
        if len(payload) < 6:
            _fail("has a frame header that is too short")
        precision = payload[0]
        height = int.from_bytes(payload[1:3], "big")
        width = int.from_bytes(payload[3:5], "big")
        components = payload[5]
        if precision != 8 or components not in (1, 3):
            _fail("has a frame header this encoder never writes")
        if len(payload) != 6 + 3 * components or not width or not height:
            _fail("has a malformed frame header")
        self.frame = JpegLayout(
            width, height, components, _FRAMES[marker] == "progressive"
        )

    def _check_scan_header(self, payload: bytes) -> None:
        if self.frame is None:
            _fail("has picture data before its frame header")
        count = payload[0] if payload else 0
        if not 1 <= count <= self.frame.components or len(payload) != 4 + 2 * count:
            _fail("has a malformed scan header")

    def _skip_entropy_data(self) -> None:
        """Move past entropy-coded data: stuffed 0xFF00 bytes and RSTn markers."""
        data, pos = self.data, self.pos
        while True:
            found = data.find(b"\xff", pos)
            if found < 0 or found + 1 >= len(data):
                _fail("ends inside its picture data")
            following = data[found + 1]
            if following == 0x00 or 0xD0 <= following <= 0xD7:
                pos = found + 2
                continue
            self.pos = found
            self.scans += 1
            return

    def _finish(self) -> JpegLayout:
        if self.frame is None or not self.scans:
            _fail("has no picture data")
        trailing = len(self.data) - self.pos
        if trailing:
            _fail(f"has {trailing} bytes after its end-of-image marker")
        logger.debug("verified jpeg: %d segments, %d scans", self.segments, self.scans)
        return self.frame


def _check_dqt(payload: bytes) -> None:
    pos = 0
    while pos < len(payload):
        precision, table = payload[pos] >> 4, payload[pos] & 0x0F
        if precision > 1 or table > 3:
            _fail("has a malformed quantisation table")
        pos += 1 + 64 * (precision + 1)
    if pos != len(payload) or not payload:
        _fail("has a quantisation table segment of the wrong length")


def _check_dht(payload: bytes) -> None:
    pos = 0
    while pos < len(payload):
        kind, table = payload[pos] >> 4, payload[pos] & 0x0F
        if kind > 1 or table > 3 or pos + 17 > len(payload):
            _fail("has a malformed Huffman table")
        codes = sum(payload[pos + 1 : pos + 17])
        if codes > 256:
            _fail("has a malformed Huffman table")
        pos += 17 + codes
    if pos != len(payload) or not payload:
        _fail("has a Huffman table segment of the wrong length")
