"""Tell an image's format from its first bytes, never from its file name.

Only the formats in ``ACCEPTED`` go on to a decoder. Everything else is refused
here with a message that names what the file is and what to do instead, so a
PDF renamed ``photo.jpg`` never reaches the JPEG decoder.
"""

from __future__ import annotations

import logging
import stat
import struct
from pathlib import Path

from publisher.errors import CorruptImage, ImageTooLarge, MediaError, UnsupportedFormat
from publisher.media.limits import MAX_INPUT_BYTES

logger = logging.getLogger(__name__)

#: Detected format names that a handler in ``publisher.media.registry`` reads.
ACCEPTED = ("jpeg", "png", "gif", "webp", "heif", "avif")

_HEAD_BYTES = 4096
_EXPORT = "Export it as a JPEG photo and add that instead."

_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs"}
_AVIF_BRANDS = {b"avif", b"avis", b"avio"}
_GENERIC_BRANDS = {b"mif1", b"msf1", b"miaf", b"mif2"}
_VIDEO_BRANDS = {
    b"qt  ",
    b"isom",
    b"iso2",
    b"mp41",
    b"mp42",
    b"M4V ",
    b"M4A ",
    b"3gp4",
    b"3gp5",
    b"3gp6",
    b"3g2a",
    b"avc1",
    b"dash",
}

# (prefix, what the file is) for formats refused by their first bytes alone.
_REFUSED_PREFIXES: tuple[tuple[bytes, str], ...] = (
    (b"8BPS", "a Photoshop document (PSD)"),
    (b"%PDF-", "a PDF document"),
    (b"%!PS", "a PostScript or EPS file"),
    (b"\xc5\xd0\xd3\xc6", "an EPS file"),
    (b"\xff\x0a", "a JPEG XL image"),
    (b"\x00\x00\x00\x0cJXL \r\n\x87\n", "a JPEG XL image"),
    (b"\x00\x00\x00\x0cjP  \r\n\x87\n", "a JPEG 2000 image"),
    (b"\xff\x4f\xff\x51", "a JPEG 2000 image"),
    (b"IIRO", "an Olympus camera raw file (ORF)"),
    (b"IIRS", "an Olympus camera raw file (ORF)"),
    (b"MMOR", "an Olympus camera raw file (ORF)"),
    (b"IIU\x00", "a Panasonic camera raw file (RW2)"),
    (b"FUJIFILMCCD-RAW", "a Fujifilm camera raw file (RAF)"),
    (b"FOVb", "a Sigma camera raw file (X3F)"),
    (b"\x00MRM", "a Minolta camera raw file (MRW)"),
    (b"BM", "a BMP bitmap"),
    (b"\x00\x00\x01\x00", "a Windows icon (ICO)"),
    (b"PK\x03\x04", "a ZIP archive (or a Word, PowerPoint or similar document)"),
    (b"\x1f\x8b", "a gzip-compressed file"),
    (b"\x1a\x45\xdf\xa3", "a video (Matroska or WebM)"),
)


def detect_format(path: Path) -> str:
    """Return the format of ``path`` (one of ``ACCEPTED``) or raise a MediaError.

    Raises ``CorruptImage`` for an empty file, ``ImageTooLarge`` for a file over
    the byte limit and ``UnsupportedFormat`` for anything that is not an
    accepted image format.
    """
    head = _read_head(path)
    if not head:
        raise CorruptImage(
            "The file is empty (0 bytes); the copy or upload probably failed. "
            "Add the photo again."
        )
    found = _accepted_format(head)
    if found is not None:
        logger.debug("detected format %s", found)
        return found
    what = _describe_refused(head)
    if what is None:
        raise UnsupportedFormat(
            "The file is not in an image format the sanitiser accepts (JPEG, "
            f"PNG, WebP, GIF, HEIC or AVIF). {_EXPORT}"
        )
    raise UnsupportedFormat(f"The file is {what}, not a photo. {_advice(what)}")


def _read_head(path: Path) -> bytes:
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise MediaError(
                "The path is not a regular file (perhaps a folder or a device). "
                "Give the path of a photo file."
            )
        size = info.st_size
        if size > MAX_INPUT_BYTES:
            raise ImageTooLarge(
                f"The file is {size // (1024 * 1024)} MiB; the limit is "
                f"{MAX_INPUT_BYTES // (1024 * 1024)} MiB. Export a smaller JPEG."
            )
        with path.open("rb") as fh:
            return fh.read(_HEAD_BYTES)
    except OSError as exc:
        raise MediaError(
            f"The image file could not be read ({exc.strerror or type(exc).__name__}). "
            "Check that the path is right and the file is readable."
        ) from exc


def _accepted_format(head: bytes) -> str | None:
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    brands = _ftyp_brands(head)
    major = brands[0] if brands else None
    if major in _HEIF_BRANDS or (
        major in _GENERIC_BRANDS and _HEIF_BRANDS & set(brands)
    ):
        return "heif"
    if major in _AVIF_BRANDS or (
        major in _GENERIC_BRANDS and _AVIF_BRANDS & set(brands)
    ):
        return "avif"
    if major in _GENERIC_BRANDS:
        # A bare HEIF container: libheif decides whether it can read the codec.
        return "heif"
    return None


def _ftyp_brands(head: bytes) -> list[bytes]:
    """The major brand then the compatible brands of an ISO BMFF file, or []."""
    if len(head) < 16 or head[4:8] != b"ftyp":
        return []
    box_size = struct.unpack(">I", head[:4])[0]
    end = min(box_size, len(head)) if box_size >= 16 else 16
    brands = [head[8:12]]
    brands.extend(head[i : i + 4] for i in range(16, end - 3, 4))
    return brands


def _describe_refused(head: bytes) -> str | None:
    for prefix, what in _REFUSED_PREFIXES:
        if head.startswith(prefix):
            return what
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return _describe_tiff(head)
    brands = _ftyp_brands(head)
    if brands:
        return _describe_iso(brands)
    if head[:4] == b"RIFF":
        return "a RIFF file that is not a WebP image (perhaps a video or sound)"
    return _describe_text_or_unknown(head)


def _describe_tiff(head: bytes) -> str:
    if head[8:10] == b"CR":
        return "a Canon camera raw file (CR2)"
    if _tiff_has_tag(head, 0xC612):
        return "a DNG camera raw file"
    return "a TIFF image (a format camera raw files such as NEF and ARW also use)"


def _tiff_has_tag(head: bytes, tag: int) -> bool:
    """True when the first IFD (within the bytes read) holds ``tag``."""
    endian = "<" if head[:2] == b"II" else ">"
    if head[2:4] not in (b"*\x00", b"\x00*"):
        return False
    (offset,) = struct.unpack(endian + "I", head[4:8])
    if offset + 2 > len(head):
        return False
    (count,) = struct.unpack(endian + "H", head[offset : offset + 2])
    for index in range(count):
        start = offset + 2 + 12 * index
        if start + 2 > len(head):
            return False
        if struct.unpack(endian + "H", head[start : start + 2])[0] == tag:
            return True
    return False


def _describe_iso(brands: list[bytes]) -> str:
    major = brands[0]
    if major == b"crx ":
        return "a Canon camera raw file (CR3)"
    if major == b"jxl ":
        return "a JPEG XL image"
    if major in _VIDEO_BRANDS or major.startswith((b"mp4", b"3g")):
        return "a video (MP4 or QuickTime)"
    return "an ISO media file that holds no HEIC or AVIF picture"


def _describe_text_or_unknown(head: bytes) -> str | None:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(b"<") and b"<svg" in text:
        return "an SVG drawing"
    if text.startswith((b"<!doctype html", b"<html")):
        return "a web page (HTML)"
    if _looks_like_text(head):
        return "a text file"
    return None


def _looks_like_text(head: bytes) -> bool:
    """UTF-8 without control characters (a character cut at the end is fine)."""
    try:
        decoded = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:
            return False
        decoded = head[: exc.start].decode("utf-8")
    return all(ch.isprintable() or ch in "\t\r\n\f" for ch in decoded)


def _advice(what: str) -> str:
    if what.startswith("a PDF"):
        return "Export the page as a JPEG image and add that instead."
    if what.startswith("a video"):
        return "Videos are not supported; add a still photo as JPEG instead."
    return _EXPORT
