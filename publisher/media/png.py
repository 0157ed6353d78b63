"""PNG images: palette, greyscale, 16-bit and alpha; animated PNG refused."""

from __future__ import annotations

from pathlib import Path

from PIL import ImageFile, PngImagePlugin

from publisher.errors import ImageTooLarge
from publisher.media.pillow import PillowHandler


class PngHandler(PillowHandler):
    """Reads the IHDR, PLTE, tRNS and IDAT chunks into pixels."""

    formats = ("png",)
    label = "PNG"

    def open(self, path: Path) -> ImageFile.ImageFile:
        try:
            return PngImagePlugin.PngImageFile(path)
        except ValueError as exc:
            # Pillow caps how far a compressed text chunk may expand and
            # raises ValueError past it: a decompression bomb in the metadata.
            raise ImageTooLarge(
                "The PNG file holds compressed text that expands past the "
                "safety limit (a possible decompression bomb). Export the "
                "picture again as JPEG or PNG."
            ) from exc
