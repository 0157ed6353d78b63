"""Sanitise one image: detect, decode, re-encode, store atomically, verify."""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import threading
from pathlib import Path

from publisher.errors import ImageTooLarge, MediaError, UnverifiedImage
from publisher.media.detect import detect_format
from publisher.media.encode import encode_jpeg, prepare
from publisher.media.limits import (
    DEFAULT_MAX_EDGE,
    MAX_EDGE,
    MIN_EDGE,
    OUTPUT_MEDIA_TYPE,
    OUTPUT_MODE,
    OUTPUT_SUFFIX,
)
from publisher.media.registry import handler_for
from publisher.media.verify import walk_jpeg
from publisher.sanitised import SanitisedImage

logger = logging.getLogger(__name__)

# O_TRUNC, not O_EXCL: a batch worker killed mid-write leaves this file, and
# the retry of the same output name must reuse it rather than fail.
_OPEN_FLAGS = (
    os.O_WRONLY
    | os.O_CREAT
    | os.O_TRUNC
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_CLOEXEC", 0)
)


def sanitise_image(
    source: Path,
    out_dir: Path,
    *,
    max_edge: int = DEFAULT_MAX_EDGE,
    max_bytes: int | None = None,
    output_name: str | None = None,
) -> SanitisedImage:
    """Write a metadata-free, upright sRGB JPEG copy of ``source`` into ``out_dir``.

    The copy gets a random name (or ``output_name``, from ``new_output_name``)
    and mode 0600; the original is only read. Raises a ``MediaError``
    subclass when the file is refused.
    """
    check_options(max_edge, max_bytes)
    source, out_dir = Path(source), Path(out_dir)
    try:
        detected = detect_format(source)
        handler = handler_for(detected)
        _load_later_steps_while_decoding()
        decoded = handler.decode(source, max_edge)
        picture = prepare(decoded, max_edge)
        del decoded
        data, size = encode_jpeg(picture, max_bytes)
        path = _store(data, size, out_dir / (output_name or new_output_name()))
    except MediaError as exc:
        logger.info("image refused: %s", type(exc).__name__)
        raise
    except MemoryError:
        logger.info("image refused: out of memory")
        raise ImageTooLarge(
            "There was not enough memory to process this image. Export a "
            "smaller copy of the photo as JPEG, or sanitise fewer at once."
        ) from None
    logger.info(
        "image %s sanitised from %s: %dx%d, %d bytes",
        path.name,
        detected,
        size[0],
        size[1],
        len(data),
    )
    return _describe(path, data, size)


def _describe(path: Path, data: bytes, size: tuple[int, int]) -> SanitisedImage:
    import hashlib

    return SanitisedImage(
        path=path,
        media_type=OUTPUT_MEDIA_TYPE,
        width=size[0],
        height=size[1],
        byte_size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )


@functools.cache
def _load_later_steps_while_decoding() -> None:
    """Once per process, load on a helper thread what is needed after decoding.

    Pillow's decoders run without holding the GIL, so while the first picture
    decodes, a second core loads hashing and the plugins Pillow's save()
    insists on (several milliseconds) instead of the process loading them
    afterwards. The main thread imports the same modules where it uses them,
    so this only ever saves time, never changes behaviour.
    """
    threading.Thread(
        target=_load_later_steps, name="sanitiser-preload", daemon=True
    ).start()


def _load_later_steps() -> None:
    try:
        import hashlib  # noqa: F401

        from PIL import Image

        Image.preinit()
    except Exception:
        # Whatever failed here fails again, with its real error, where the
        # main thread imports it.
        logger.debug("preloading the later sanitiser steps failed")


def check_options(max_edge: int, max_bytes: int | None) -> None:
    """Raise ValueError for option values no caller should pass."""
    if not MIN_EDGE <= max_edge <= MAX_EDGE:
        raise ValueError(f"max_edge must be {MIN_EDGE} to {MAX_EDGE}, not {max_edge}.")
    if max_bytes is not None and max_bytes < 1:
        raise ValueError(f"max_bytes must be positive, not {max_bytes}.")


def new_output_name() -> str:
    """A random file name for a sanitised image; it tells nothing of the source."""
    # 128 random bits from the OS, as secrets.token_hex gives, without
    # loading the secrets module (and random) on the start-up path.
    return os.urandom(16).hex() + OUTPUT_SUFFIX


def _store(data: bytes, size: tuple[int, int], final: Path) -> Path:
    """Write under a temporary name, prove it clean, then rename into place."""
    out_dir = final.parent
    temporary = out_dir / f".{final.name}.part"
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        _write_private(temporary, data)
        _verify_written(temporary, data, size)
        os.replace(temporary, final)
    except OSError as exc:
        _discard(temporary)
        raise MediaError(
            f"The sanitised image could not be written to {out_dir} "
            f"({exc.strerror or type(exc).__name__}). Check the folder exists "
            "and is writable."
        ) from exc
    except BaseException:
        _discard(temporary)
        raise
    return final


def _discard(path: Path) -> None:
    # Best effort while another error is on its way up; it must not mask it.
    with contextlib.suppress(OSError):
        path.unlink()


def _write_private(path: Path, data: bytes) -> None:
    descriptor = os.open(path, _OPEN_FLAGS, OUTPUT_MODE)
    with os.fdopen(descriptor, "wb") as handle:
        # The umask may only have narrowed the mode; make it exactly 0600.
        os.fchmod(handle.fileno(), OUTPUT_MODE)
        handle.write(data)


def _verify_written(path: Path, data: bytes, size: tuple[int, int]) -> None:
    """Walk the bytes on disk; they must be what was encoded, and clean."""
    written = path.read_bytes()
    if written != data:
        raise UnverifiedImage(
            "The sanitised image on disk differs from what was encoded, so it "
            "cannot be proven clean. Check the disk and sanitise again."
        )
    layout = walk_jpeg(written)
    if (layout.width, layout.height) != size:
        raise UnverifiedImage(
            "The sanitised image's frame size differs from the encoded picture, "
            "so it cannot be proven clean. Sanitise the photo again."
        )
