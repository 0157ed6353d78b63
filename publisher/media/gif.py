"""Still GIF images; animated GIFs are refused."""

from __future__ import annotations

from pathlib import Path

from PIL import GifImagePlugin, ImageFile

from publisher.media.pillow import PillowHandler


class GifHandler(PillowHandler):
    """Reads the first and only frame of a still GIF; comments are skipped."""

    formats = ("gif",)
    label = "GIF"

    def open(self, path: Path) -> ImageFile.ImageFile:
        return GifImagePlugin.GifImageFile(path)
