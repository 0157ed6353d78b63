"""Read an orientation value (1 to 8) straight from EXIF or XMP bytes.

A few lines of TIFF walking instead of Pillow's full EXIF parser: this is on
the start-up path of every JPEG, and a malformed block must simply mean
"no orientation", never an exception.
"""

from __future__ import annotations

import re
import struct

_ORIENTATION_TAG = 0x0112
_SHORT, _LONG = 3, 4
_XMP_ORIENTATION = re.compile(rb"tiff:Orientation(?:=[\"']|>)\s*([1-8])\b")


def from_exif(raw: object) -> int | None:
    """The Orientation tag of IFD0 in a TIFF-structured EXIF block, if valid."""
    if not isinstance(raw, bytes):
        return None
    tiff = raw[6:] if raw.startswith(b"Exif\x00\x00") else raw
    if tiff[:4] == b"II*\x00":
        endian = "<"
    elif tiff[:4] == b"MM\x00*":
        endian = ">"
    else:
        return None
    try:
        return _ifd0_orientation(tiff, endian)
    except struct.error:
        return None


def _ifd0_orientation(tiff: bytes, endian: str) -> int | None:
    (offset,) = struct.unpack_from(endian + "I", tiff, 4)
    (count,) = struct.unpack_from(endian + "H", tiff, offset)
    for index in range(count):
        entry = offset + 2 + 12 * index
        tag, kind, number = struct.unpack_from(endian + "HHI", tiff, entry)
        if tag != _ORIENTATION_TAG or number < 1:
            continue
        if kind == _SHORT:
            (value,) = struct.unpack_from(endian + "H", tiff, entry + 8)
        elif kind == _LONG:
            (value,) = struct.unpack_from(endian + "I", tiff, entry + 8)
        else:
            return None
        return value if 1 <= value <= 8 else None
    return None


def from_xmp(raw: object) -> int | None:
    """The tiff:Orientation property of an XMP packet, if present and valid."""
    if isinstance(raw, str):
        raw = raw.encode("utf-8", "replace")
    if not isinstance(raw, bytes):
        return None
    match = _XMP_ORIENTATION.search(raw)
    return int(match[1]) if match else None
