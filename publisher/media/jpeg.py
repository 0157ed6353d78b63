"""JPEG and MPO photos: decoded at reduced scale, first picture only."""

from __future__ import annotations

import logging
from pathlib import Path

from PIL import Image, ImageFile, JpegImagePlugin

from publisher.errors import CorruptImage
from publisher.media import orientation
from publisher.media.base import fit_within
from publisher.media.limits import MAX_PIXELS, MAX_PROGRESSIVE_SCANS, ONE_READ_BYTES
from publisher.media.pillow import PillowHandler

logger = logging.getLogger(__name__)

#: What libjpeg produces, per pixel layout, for a block it has no data for
#: (Adobe CMYK files store their ink inverted, so 128 reads as 127).
_EMPTY_BLOCK_LEVELS = {"RGB": {128}, "L": {128}, "CMYK": {127, 128}}
#: The marker that starts each scan; it cannot occur inside scan data.
_START_OF_SCAN = b"\xff\xda"
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
        out as one flat level in every channel (mid-grey), and only warns;
        Pillow passes the warning to nobody. So a bottom edge of exactly that
        level across the whole width means the file was cut short (an end
        marker added back after a cut, or a header claiming more rows than
        the data holds) and the flat part would be published.
        """
        levels = _EMPTY_BLOCK_LEVELS.get(image.mode)
        if levels is None:
            return
        width, height = image.size
        bottom = image.crop((0, max(0, height - _BOTTOM_ROWS), width, height))
        extrema = bottom.getextrema()
        bands = extrema if isinstance(extrema[0], tuple) else (extrema,)
        if len(set(bands)) == 1 and bands[0][0] == bands[0][1] in levels:
            logger.debug("jpeg bottom rows are decoder fill; refused")
            raise CorruptImage(
                "The JPEG's last rows are blank mid-grey, which is what a file "
                "cut short decodes to. Copy or export the photo again; if it "
                "really ends in plain grey, crop that edge or save it as PNG."
            )

    def check_cost(self, image: ImageFile.ImageFile) -> None:
        """Refuse progressive files with more scans than any encoder writes.

        Each scan is a pass over the whole picture, so thousands of tiny
        scans make a small file take minutes to decode.
        """
        if not image.info.get("progressive"):
            return
        assert image.fp is not None
        image.fp.seek(0)
        scans = image.fp.read(ONE_READ_BYTES).count(_START_OF_SCAN)
        if scans > MAX_PROGRESSIVE_SCANS:
            raise CorruptImage(
                f"The progressive JPEG is split into {scans} scans (no camera or "
                f"editor writes more than a few dozen; the limit is "
                f"{MAX_PROGRESSIVE_SCANS}), which would take very long to "
                "decode. Export the photo again as an ordinary JPEG."
            )

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
