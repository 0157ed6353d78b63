"""JPEG and MPO photos: decoded at reduced scale, first picture only."""

from __future__ import annotations

import logging
from pathlib import Path

from PIL import Image, ImageFile, JpegImagePlugin

from publisher.media import orientation
from publisher.media.base import fit_within
from publisher.media.pillow import PillowHandler

logger = logging.getLogger(__name__)


class JpegHandler(PillowHandler):
    """Baseline, progressive, greyscale and CMYK JPEG; MPO gives its first image.

    The decoder's DCT scaling (``draft``) decodes a 50 MP photo straight to
    about a quarter of its width, so memory stays small; every byte of
    entropy-coded data is still read, so a cut-short file is still refused.
    """

    formats = ("jpeg",)
    label = "JPEG"

    def open(self, path: Path) -> ImageFile.ImageFile:
        # The plain JPEG class, not Pillow's MPO factory: an MPO's extra
        # pictures (a second view, a depth map) are never even indexed.
        return _PixelsOnlyJpeg(path)

    def orientation(self, image: Image.Image) -> int:
        exif = orientation.from_exif(image.info.get("exif"))
        return exif or orientation.from_xmp(image.info.get("xmp")) or 1

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
