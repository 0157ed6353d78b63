"""The image-handler interface: one handler per family of input formats.

A handler turns a file of the formats it declares into fully decoded pixels,
plus the two facts needed to show them as intended (orientation and colour
profile). Everything else in the file is left behind: the shared code in
``publisher.media.encode`` only ever sees the pixels.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from PIL import Image


class DecodedImage:
    """Pixels read from a source file and what is still needed to show them.

    ``orientation`` is the EXIF orientation (1 to 8) that has not yet been
    applied to ``image``; ``icc_profile`` is the embedded colour profile, used
    only to convert the pixels to sRGB and then dropped.
    """

    __slots__ = ("image", "orientation", "icc_profile")

    def __init__(
        self,
        image: Image.Image,
        orientation: int = 1,
        icc_profile: bytes | None = None,
    ) -> None:
        self.image = image
        self.orientation = orientation
        self.icc_profile = icc_profile


class ImageHandler(ABC):
    """Reads one family of image formats into plain pixels."""

    #: Format names from ``publisher.media.detect`` that this handler reads.
    formats: ClassVar[tuple[str, ...]]
    #: How the format is named in messages to the user.
    label: ClassVar[str]

    @abstractmethod
    def decode(self, path: Path, max_edge: int) -> DecodedImage:
        """Decode all of ``path``; the result may be reduced towards ``max_edge``.

        Raises ``CorruptImage`` when the pixels cannot all be decoded,
        ``ImageTooLarge`` when the declared size is over the limit, and
        ``UnsupportedFormat`` for variants that are refused (such as animation).
        A reduced result is never smaller than ``max_edge`` on its long edge
        unless the source is.
        """


def fit_within(size: tuple[int, int], max_edge: int) -> tuple[int, int]:
    """The size of ``size`` scaled down (never up) to fit ``max_edge``."""
    width, height = size
    longest = max(width, height)
    if longest <= max_edge:
        return size
    scale = max_edge / longest
    return max(1, round(width * scale)), max(1, round(height * scale))
