"""The shared base of every handler that decodes through Pillow.

It opens the file with the handler's own Pillow plugin class, never through
``Image.open``'s search of every plugin, so content can only reach the decoder
its first bytes were detected as (and no other plugin is even imported). It
refuses declared sizes over the pixel
limit before decoding, reads the orientation and colour profile, then decodes
every pixel. ``ImageFile.LOAD_TRUNCATED_IMAGES`` is never set: a file that
cannot be fully decoded is refused, not padded with grey.
"""

from __future__ import annotations

import logging
import os
import warnings
from abc import abstractmethod
from pathlib import Path
from typing import ClassVar

from PIL import Image, ImageFile

from publisher.errors import CorruptImage, ImageTooLarge, MediaError, UnsupportedFormat
from publisher.media.base import DecodedImage, ImageHandler
from publisher.media.limits import MAX_FULL_DECODE_PIXELS, ONE_READ_BYTES

logger = logging.getLogger(__name__)

#: The EXIF Orientation tag; importing PIL.ExifTags for it costs 5 ms.
_ORIENTATION_TAG = 0x0112


class PillowHandler(ImageHandler):
    """Decodes with one Pillow plugin; subclasses adjust the hooks below."""

    #: Images declaring more pixels are refused before decoding.
    max_pixels: ClassVar[int] = MAX_FULL_DECODE_PIXELS

    def decode(self, path: Path, max_edge: int) -> DecodedImage:
        self.register()
        # Pillow warns about malformed metadata and near-bomb sizes; the pixel
        # limit below is stricter, and metadata is discarded anyway.
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                return self._decode(path, max_edge)
            except MediaError:
                raise
            except Image.DecompressionBombError as exc:
                raise _too_large(self.max_pixels) from exc
            except MemoryError:
                raise _out_of_memory() from None
            except Exception as exc:
                # Decoders fed hostile bytes raise many kinds of exception
                # (OSError, SyntaxError, ValueError, struct.error, ...); every
                # one of them means the pixels cannot be trusted.
                raise self.corrupt() from exc
            finally:
                if caught:
                    logger.debug("%s decoder: %d warnings", self.label, len(caught))

    def _decode(self, path: Path, max_edge: int) -> DecodedImage:
        with self.open(path) as image:
            _check_declared_size(image, self.max_pixels)
            self.check_still(image)
            self.check_cost(image)
            self.reduce(image, max_edge)
            _feed_in_one_piece(image)
            # This must be the first load(): Pillow clears its work list
            # before raising some decoder errors, so after a failed load that
            # someone caught (getexif() loads PNGs, for one), a second load()
            # "succeeds" with half a picture.
            image.load()
            self.check_complete(image)
            orientation = self.orientation(image)
            icc_profile = image.info.get("icc_profile") or None
        return DecodedImage(image, orientation, icc_profile)

    def register(self) -> None:
        """Check once that this family's decoder is available."""

    @abstractmethod
    def open(self, path: Path) -> ImageFile.ImageFile:
        """Read the header with this family's plugin class; no pixel is decoded."""

    def check_still(self, image: Image.Image) -> None:
        """Refuse animations: which frame to keep is not ours to guess."""
        if getattr(image, "is_animated", False):
            raise UnsupportedFormat(
                f"The file is an animated {self.label}; animated images are not "
                "supported. Export the frame you want as a JPEG photo and add "
                "that instead."
            )

    def check_cost(self, image: ImageFile.ImageFile) -> None:
        """Refuse files built to take far longer to decode than their size says."""

    def check_complete(self, image: Image.Image) -> None:
        """Refuse pixels the decoder invented for data that was missing."""

    def orientation(self, image: Image.Image) -> int:
        """The EXIF orientation, or the XMP tiff:Orientation when EXIF has none."""
        return exif_orientation(image)

    def reduce(self, image: Image.Image, max_edge: int) -> None:
        """Ask the decoder for fewer pixels where it can do so cheaply."""

    def corrupt(self) -> CorruptImage:
        return CorruptImage(
            f"The {self.label} file could not be fully decoded; it is damaged or "
            "cut short. Copy or export the photo again and add the new file."
        )


def exif_orientation(image: Image.Image) -> int:
    """Orientation 1 to 8 from EXIF, falling back to XMP (Pillow reads both)."""
    try:
        value = image.getexif().get(_ORIENTATION_TAG, 1)
    except Exception:
        # Broken EXIF raises many kinds of exception inside Pillow; with no
        # trustworthy orientation the pixels are used as stored.
        logger.debug("unreadable EXIF block; orientation taken as 1")
        return 1
    if isinstance(value, int) and 1 <= value <= 8:
        return value
    return 1


def _feed_in_one_piece(image: ImageFile.ImageFile) -> None:
    """Let Pillow hand the decoder the whole file at once, not 64 KiB at a time.

    The decoder then runs from start to end in one call without the GIL:
    fewer copies of the unread rest (a 13 MB PNG decodes about a quarter
    faster), and anything else the process is doing runs alongside.
    """
    if image.fp is None:
        return
    try:
        size = os.fstat(image.fp.fileno()).st_size
    except (OSError, ValueError, AttributeError):
        return
    image.decodermaxblock = max(image.decodermaxblock, min(size, ONE_READ_BYTES))


def _check_declared_size(image: Image.Image, limit: int) -> None:
    width, height = image.size
    if width < 1 or height < 1:
        raise CorruptImage(
            "The image declares no pixels (zero width or height). "
            "Export the photo again."
        )
    if width * height > limit:
        raise ImageTooLarge(
            f"The image declares {width}x{height} pixels "
            f"({width * height / 1e6:.0f} MP); the limit for this format is "
            f"{limit / 1e6:.0f} MP, which guards against decompression "
            "bombs. Export a smaller copy of the photo as JPEG."
        )


def _too_large(limit: int) -> ImageTooLarge:
    return ImageTooLarge(
        f"The image declares more pixels than the {limit / 1e6:.0f} MP "
        "safety limit (a possible decompression bomb). Export a smaller copy "
        "of the photo as JPEG."
    )


def _out_of_memory() -> ImageTooLarge:
    return ImageTooLarge(
        "There was not enough memory to decode this image. Export a smaller "
        "copy of the photo as JPEG, or sanitise fewer photos at once."
    )
