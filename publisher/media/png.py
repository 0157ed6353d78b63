"""PNG images: palette, greyscale, 16-bit and alpha; animated PNG refused."""

from __future__ import annotations

from pathlib import Path

from PIL import ImageFile, PngImagePlugin

from publisher.errors import ImageTooLarge, UnsupportedFormat
from publisher.media.pillow import PillowHandler

#: Signature (8 bytes), IHDR length and type (8), width and height (8).
_IHDR_BIT_DEPTH = 24


class PngHandler(PillowHandler):
    """Reads the IHDR, PLTE, tRNS and IDAT chunks into pixels."""

    formats = ("png",)
    label = "PNG"

    def open(self, path: Path) -> ImageFile.ImageFile:
        try:
            image = PngImagePlugin.PngImageFile(path)
        except ValueError as exc:
            # Pillow caps how far a compressed text chunk may expand and
            # raises ValueError past it: a decompression bomb in the metadata.
            raise ImageTooLarge(
                "The PNG file holds compressed text that expands past the "
                "safety limit (a possible decompression bomb). Export the "
                "picture again as JPEG or PNG."
            ) from exc
        if "transparency" in image.info and _bit_depth(image) == 16:
            image.close()
            # Pillow keeps 8 bits of each 16-bit sample but the transparent
            # colour at 16 bits, so the colour never matches and the pixels
            # meant to be hidden would be published.
            raise UnsupportedFormat(
                "The PNG marks one 16-bit colour as transparent, which cannot "
                "be applied exactly, so hidden parts could show. Export it as "
                "an 8-bit PNG or as JPEG and add that instead."
            )
        return image


def _bit_depth(image: ImageFile.ImageFile) -> int:
    """The bit depth in the IHDR chunk, which a PNG must start with."""
    assert image.fp is not None
    image.fp.seek(_IHDR_BIT_DEPTH)
    return image.fp.read(1)[0]
