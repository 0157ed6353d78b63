"""JPEG and MPO photos: decoded at reduced scale, first picture only."""

from __future__ import annotations

import logging
from pathlib import Path

from PIL import Image, ImageFile, JpegImagePlugin

from publisher.media import orientation
from publisher.media.base import fit_within
from publisher.media.limits import MAX_PIXELS
from publisher.media.pillow import PillowHandler

logger = logging.getLogger(__name__)

#: What libjpeg produces for a block it has no data for.
_EMPTY_BLOCK_LEVEL = 128
#: How many bottom rows (at decoded scale) must all be that level.
_BOTTOM_ROWS = 2


class JpegHandler(PillowHandler):
    """Baseline, progressive, greyscale and CMYK JPEG; MPO gives its first image.

    The decoder's DCT scaling (``draft``) decodes a 50 MP photo straight to
    about a quarter of its width, so memory stays small; every byte of
    entropy-coded data is still read, so a cut-short file is still refused.
    """

    formats = ("jpeg",)
    label = "JPEG"
    # Decoded at reduced scale, so a larger picture still needs little memory.
    max_pixels = MAX_PIXELS

    def open(self, path: Path) -> ImageFile.ImageFile:
        # The plain JPEG class, not Pillow's MPO factory: an MPO's extra
        # pictures (a second view, a depth map) are never even indexed.
        return _PixelsOnlyJpeg(path)

    def orientation(self, image: Image.Image) -> int:
        exif = orientation.from_exif(image.info.get("exif"))
        return exif or orientation.from_xmp(image.info.get("xmp")) or 1

    def check_complete(self, image: Image.Image) -> None:
        """Refuse a picture whose data ran out before its last rows.

        libjpeg decodes the blocks it has no data for as empty, which comes
        out as flat mid-grey (128 in every channel), and only warns; Pillow
        passes the warning to nobody. So a bottom edge of exactly that grey
        across the whole width means the file was cut short (an end marker
        added back after a cut, or a header claiming more rows than the data
        holds) and the grey part would be published.
        """
        if image.mode not in ("RGB", "L"):
            return
        width, height = image.size
        bottom = image.crop((0, max(0, height - _BOTTOM_ROWS), width, height))
        extrema = bottom.getextrema()
        bands = extrema if image.mode == "RGB" else (extrema,)
        if all(band == (_EMPTY_BLOCK_LEVEL, _EMPTY_BLOCK_LEVEL) for band in bands):
            logger.debug("jpeg bottom rows are decoder fill; refused")
            raise self.corrupt()

    def reduce(self, image: Image.Image, max_edge: int) -> None:
        target = fit_within(image.size, max_edge)
        if target != image.size:
            image.draft(None, target)
            logger.debug("jpeg draft: decoding at %dx%d", *image.size)


class _PixelsOnlyJpeg(JpegImagePlugin.JpegImageFile):
    """Pillow's JPEG reader without its look-up of DPI in the EXIF block.

    DPI is never used, and skipping it keeps Pillow's full EXIF parser (and
    the TIFF plugin it loads) away from hostile maker notes; the orientation
    is read by ``publisher.media.orientation`` instead.
    """

    def _read_dpi_from_exif(self) -> None:
        return None
