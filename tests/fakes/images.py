"""Small real image files for platform tests, described as ``SanitisedImage``."""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

from PIL import Image

from publisher.models import SanitisedImage

_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/gif": "GIF"}


def make_image(
    directory: Path,
    name: str,
    *,
    size: tuple[int, int] = (64, 48),
    seed: int = 0,
    media_type: str = "image/jpeg",
) -> SanitisedImage:
    """Write a noisy image (so its bytes cover every value) and describe it.

    Pillow writes no EXIF, XMP or comment unless asked, so the file holds
    pixels only, like the sanitiser's output.
    """
    width, height = size
    noise = random.Random(seed).randbytes(width * height * 3)
    picture = Image.frombytes("RGB", size, noise)
    path = directory / name
    picture.save(path, format=_FORMATS[media_type])
    return describe(path, media_type)


def describe(path: Path, media_type: str) -> SanitisedImage:
    """The ``SanitisedImage`` for an image file already on disk."""
    data = path.read_bytes()
    with Image.open(path) as opened:
        width, height = opened.size
    return SanitisedImage(
        path=path,
        media_type=media_type,
        width=width,
        height=height,
        byte_size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )
