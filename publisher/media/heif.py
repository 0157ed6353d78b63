"""HEIC/HEIF photos from phones (pillow-heif) and AVIF images (Pillow)."""

from __future__ import annotations

import functools
import logging
from pathlib import Path

from PIL import Image, ImageFile

from publisher.errors import UnsupportedFormat
from publisher.media.pillow import PillowHandler

logger = logging.getLogger(__name__)


class HeifHandler(PillowHandler):
    """The primary picture of a HEIC/HEIF file, turned as its irot/imir say.

    pillow-heif applies the container's rotation and mirror boxes while
    decoding, which is the orientation HEIF readers must honour; any EXIF
    orientation left in the file is therefore ignored. Thumbnails, depth maps
    and auxiliary pictures are switched off so they are never decoded (a
    thumbnail could even hold a different picture). pillow-heif is imported
    only when a HEIF file arrives.
    """

    formats = ("heif",)
    label = "HEIC/HEIF"

    def open(self, path: Path) -> ImageFile.ImageFile:
        return _heif_image_class()(path)

    def check_still(self, image: Image.Image) -> None:
        # Extra top-level pictures (bursts, edits) are not animation; only
        # the primary picture is ever decoded.
        return None

    def orientation(self, image: Image.Image) -> int:
        return 1


class AvifHandler(PillowHandler):
    """AVIF stills through Pillow's own plugin.

    Pillow reports the container's irot/imir boxes as an EXIF orientation,
    which the shared code then applies like any other.
    """

    formats = ("avif",)
    label = "AVIF"

    def register(self) -> None:
        from PIL import features

        if not features.check("avif"):
            raise UnsupportedFormat(
                "The file is an AVIF image, but this installation of Pillow "
                "cannot decode AVIF. Export the photo as JPEG and add that instead."
            )

    def open(self, path: Path) -> ImageFile.ImageFile:
        from PIL import AvifImagePlugin

        return AvifImagePlugin.AvifImageFile(path)


@functools.cache
def _heif_image_class() -> type[ImageFile.ImageFile]:
    import pillow_heif

    # The same switches register_heif_opener() sets, without registering
    # the plugin with Image.open for the rest of the process.
    pillow_heif.options.THUMBNAILS = False
    pillow_heif.options.DEPTH_IMAGES = False
    pillow_heif.options.AUX_IMAGES = False
    logger.debug("pillow-heif %s loaded", pillow_heif.__version__)
    return pillow_heif.HeifImageFile
