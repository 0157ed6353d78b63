"""The explicit map from a detected format to the handler that reads it.

Each entry imports its handler (and so its Pillow plugin) on first use, so a
JPEG never loads the PNG, GIF or HEIF decoders.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from publisher.media.base import ImageHandler


def _jpeg() -> ImageHandler:
    from publisher.media.jpeg import JpegHandler

    return JpegHandler()


def _png() -> ImageHandler:
    from publisher.media.png import PngHandler

    return PngHandler()


def _gif() -> ImageHandler:
    from publisher.media.gif import GifHandler

    return GifHandler()


def _webp() -> ImageHandler:
    from publisher.media.webp import WebpHandler

    return WebpHandler()


def _heif() -> ImageHandler:
    from publisher.media.heif import HeifHandler

    return HeifHandler()


def _avif() -> ImageHandler:
    from publisher.media.heif import AvifHandler

    return AvifHandler()


#: Detected format name (see ``publisher.media.detect.ACCEPTED``) -> handler.
HANDLERS: dict[str, Callable[[], ImageHandler]] = {
    "jpeg": _jpeg,
    "png": _png,
    "gif": _gif,
    "webp": _webp,
    "heif": _heif,
    "avif": _avif,
}


@functools.cache
def handler_for(detected: str) -> ImageHandler:
    """The handler for a format name returned by ``detect_format``."""
    return HANDLERS[detected]()
