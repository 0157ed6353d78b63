"""The image sanitiser: pixels in, a clean upright sRGB JPEG out.

Importing this package is cheap; Pillow and the decoders load on first use.

    from publisher.media import sanitise_image, verify_clean

    image = sanitise_image(Path("IMG_0001.HEIC"), Path("data/media"))
    verify_clean(image.path)  # again, just before each upload
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from publisher.media.limits import DEFAULT_MAX_EDGE, MAX_INPUT_BYTES, MAX_PIXELS

if TYPE_CHECKING:
    from publisher.errors import MediaError
    from publisher.sanitised import SanitisedImage

__all__ = [
    "DEFAULT_MAX_EDGE",
    "MAX_INPUT_BYTES",
    "MAX_PIXELS",
    "sanitise_image",
    "sanitise_many",
    "verify_clean",
]


def sanitise_image(
    source: Path,
    out_dir: Path,
    *,
    max_edge: int = DEFAULT_MAX_EDGE,
    max_bytes: int | None = None,
) -> SanitisedImage:
    """Write a clean JPEG copy of ``source`` into ``out_dir`` and describe it.

    Raises ``UnsupportedFormat``, ``CorruptImage``, ``ImageTooLarge`` or
    ``UnverifiedImage`` (all ``MediaError``) when the file is refused, and
    ``MediaError`` itself when ``max_bytes`` cannot be met or a file cannot
    be read or written.
    """
    from publisher.media.sanitise import sanitise_image as run

    return run(source, out_dir, max_edge=max_edge, max_bytes=max_bytes)


def verify_clean(path: Path) -> None:
    """Raise ``UnverifiedImage`` unless ``path`` holds only a plain JPEG picture."""
    from publisher.media.verify import verify_clean as run

    run(path)


def sanitise_many(
    sources: Sequence[Path],
    out_dir: Path,
    *,
    max_edge: int = DEFAULT_MAX_EDGE,
    max_bytes: int | None = None,
    workers: int | None = None,
) -> Generator[tuple[Path, SanitisedImage | MediaError], None, None]:
    """Sanitise each source on every core; yield ``(source, result)`` in order.

    A refused file yields its ``MediaError`` and the others carry on.
    """
    from publisher.media.batch import sanitise_many as run

    return run(
        sources, out_dir, max_edge=max_edge, max_bytes=max_bytes, workers=workers
    )
