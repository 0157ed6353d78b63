"""WebP images, lossy or lossless, with or without alpha; animation refused."""

from __future__ import annotations

from pathlib import Path

from PIL import ImageFile

from publisher.media.limits import MAX_WEBP_PIXELS
from publisher.media.pillow import PillowHandler


class WebpHandler(PillowHandler):
    """Reads the VP8/VP8L picture; EXIF, XMP and ICCP chunks are left behind."""

    formats = ("webp",)
    label = "WebP"
    max_pixels = MAX_WEBP_PIXELS

    def open(self, path: Path) -> ImageFile.ImageFile:
        from PIL import WebPImagePlugin

        return WebPImagePlugin.WebPImageFile(path)
