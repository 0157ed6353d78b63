"""Turn decoded pixels into a fresh, upright sRGB JPEG with no metadata.

The steps run on the smallest image possible: normalise the pixel layout,
shrink to the long edge, flatten transparency onto white, convert to sRGB with
the embedded profile, turn upright, then copy the pixels into a brand-new image
that has no ``info`` at all, and encode that. Nothing from the source file but
its pixels can reach the encoder.
"""

from __future__ import annotations

import functools
import io
import logging
import os
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING

from PIL import Image

from publisher.errors import MediaError, UnsupportedFormat
from publisher.media.base import DecodedImage, fit_within
from publisher.media.limits import (
    BACKGROUND,
    JPEG_QUALITY,
    MIN_SHRINK_EDGE,
    QUALITY_STEPS,
    SHRINK_FACTOR,
)

if TYPE_CHECKING:
    from PIL import ImageCms

logger = logging.getLogger(__name__)

# EXIF orientation -> the transposition that shows the picture upright
# (the same table as Pillow's ImageOps.exif_transpose).
_UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}

_KEPT_MODES = {"RGB", "L", "CMYK", "RGBA", "LA"}
_WIDE_GREY_MODES = {"I", "I;16", "I;16L", "I;16B", "I;16N"}
# Transparent modes are resized with their colour multiplied by alpha, so
# colour under transparent pixels cannot bleed into visible ones.
_PREMULTIPLIED = {"RGBA": "RGBa", "LA": "La"}
# Pillow's resize filters all antialias when shrinking; bicubic looks the same
# as Lanczos at these ratios and costs about a quarter less.
_RESAMPLE = Image.Resampling.BICUBIC
# Shrinking by 3x or more (a full-size PNG or HEIC) first averages whole
# blocks of pixels, then filters the last 1.5x to 3x: what DCT scaling already
# does for JPEGs, at half the cost of filtering the whole way.
_REDUCING_GAP = 1.5
# Below this many output rows, a second resize thread costs more than it saves.
_SPLIT_MIN_ROWS = 256


def prepare(decoded: DecodedImage, max_edge: int) -> Image.Image:
    """Return upright sRGB (or greyscale) pixels no larger than ``max_edge``."""
    image = decoded.image
    if image.mode in _WIDE_GREY_MODES:
        # Shrink while still one channel: converting first would take four
        # bytes a pixel at full size (a gigabyte for a large 16-bit PNG).
        image = image.resize(fit_within(image.size, max_edge), _RESAMPLE)
    image = _normalise_mode(image)
    image = _shrink(image, max_edge)
    image = _flatten(image)
    image = _to_srgb(image, decoded.icc_profile)
    image = _upright(image, decoded.orientation)
    return _fresh_copy(image)


def encode_jpeg(
    image: Image.Image, max_bytes: int | None = None
) -> tuple[bytes, tuple[int, int]]:
    """Encode ``image`` as JPEG, stepping quality then size down to fit ``max_bytes``.

    Returns the bytes and the pixel size they hold. Raises ``MediaError`` when
    even the smallest step is too big: an oversized file is never returned.
    """
    if max_bytes is None:
        return _jpeg_bytes(image, JPEG_QUALITY), image.size
    for candidate in _smaller_versions(image):
        for quality in QUALITY_STEPS:
            data = _jpeg_bytes(candidate, quality)
            if len(data) <= max_bytes:
                logger.debug("jpeg fits: quality %d, %d bytes", quality, len(data))
                return data, candidate.size
    raise MediaError(
        f"The photo could not be made smaller than {max_bytes} bytes, even at "
        f"JPEG quality {QUALITY_STEPS[-1]} and {MIN_SHRINK_EDGE} pixels on its "
        "long edge. Choose a simpler photo or a target with a larger limit."
    )


def _normalise_mode(image: Image.Image) -> Image.Image:
    """Bring every pixel layout to RGB, RGBA, L, LA or CMYK (8 bits a channel)."""
    mode = image.mode
    if mode in ("RGB", "L") and "transparency" in image.info:
        # A PNG colour key (tRNS): its pixels are transparent, like alpha 0.
        return image.convert("RGBA" if mode == "RGB" else "LA")
    if mode in _KEPT_MODES:
        return image
    if mode == "1":
        return image.convert("L")
    if mode in ("P", "PA"):
        has_alpha = mode == "PA" or "transparency" in image.info
        return image.convert("RGBA" if has_alpha else "RGB")
    if mode == "RGBa":
        return image.convert("RGBA")
    if mode == "La":
        return image.convert("LA")
    if mode in ("RGBX", "YCbCr"):
        return image.convert("RGB")
    if mode.startswith("I;16") or mode == "I":
        # Scale 16 bits down to 8; a plain convert("L") would clip to white.
        return image.convert("I").point(lambda value: value / 256).convert("L")
    raise UnsupportedFormat(
        f"The image uses a pixel layout ({mode}) the sanitiser does not handle. "
        "Export the photo as an ordinary 8-bit JPEG and add that instead."
    )


def _shrink(image: Image.Image, max_edge: int) -> Image.Image:
    target = fit_within(image.size, max_edge)
    if target == image.size:
        return image
    mode = image.mode
    if mode in _PREMULTIPLIED:
        # Once here rather than inside each half's resize, which would make
        # two full-size copies.
        image = image.convert(_PREMULTIPLIED[mode])
    if target[1] < _SPLIT_MIN_ROWS or (os.cpu_count() or 1) < 2:
        resized = image.resize(target, _RESAMPLE, reducing_gap=_REDUCING_GAP)
    else:
        resized = _resize_in_halves(image, target)
    return resized.convert(mode) if resized.mode != mode else resized


def _resize_in_halves(image: Image.Image, target: tuple[int, int]) -> Image.Image:
    """Resize the top and bottom halves on two threads (Pillow drops the GIL).

    Each half reads source rows beyond its own box as the filter needs, so
    the joined result has no seam.
    """
    width, height = target
    split = height // 2
    source_split = split * image.size[1] / height
    jobs = (
        ((width, split), (0.0, 0.0, image.size[0], source_split)),
        ((width, height - split), (0.0, source_split, image.size[0], image.size[1])),
    )
    halves: list[Image.Image | BaseException | None] = [None, None]

    def run(index: int) -> None:
        size, box = jobs[index]
        try:
            halves[index] = image.resize(
                size, _RESAMPLE, box=box, reducing_gap=_REDUCING_GAP
            )
        except BaseException as exc:  # handed back to the calling thread
            halves[index] = exc

    helper = threading.Thread(target=run, args=(0,), name="resize-top")
    helper.start()
    run(1)
    helper.join()
    joined = Image.new(image.mode, target)
    for half, top in zip(halves, (0, split), strict=True):
        if not isinstance(half, Image.Image):
            raise (
                half
                if isinstance(half, BaseException)
                else RuntimeError("resize thread gave no result")
            )
        joined.paste(half, (0, top))
    return joined


def _flatten(image: Image.Image) -> Image.Image:
    """Composite alpha onto white: colour under transparent pixels is dropped."""
    if image.mode not in ("RGBA", "LA"):
        return image
    base_mode = image.mode[:-1]
    fill = BACKGROUND if base_mode == "RGB" else BACKGROUND[0]
    background = Image.new(base_mode, image.size, fill)
    background.paste(image.convert(base_mode), mask=image.getchannel("A"))
    return background


def _to_srgb(image: Image.Image, icc_profile: bytes | None) -> Image.Image:
    """Convert RGB or CMYK pixels from their embedded profile to sRGB."""
    if image.mode not in ("RGB", "CMYK"):
        # Greyscale stays greyscale; a grey profile changes tone only slightly.
        return image
    converted = _apply_profile(image, icc_profile) if icc_profile else None
    if converted is not None:
        return converted
    return image.convert("RGB") if image.mode == "CMYK" else image


def _apply_profile(image: Image.Image, icc_profile: bytes) -> Image.Image | None:
    from PIL import ImageCms

    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        if source.profile.xcolor_space.strip() != image.mode:
            logger.debug("icc profile does not match %s pixels; ignored", image.mode)
            return None
        converted = ImageCms.profileToProfile(
            image,
            source,
            _srgb_profile(),
            renderingIntent=ImageCms.Intent.PERCEPTUAL,
            outputMode="RGB",
            flags=ImageCms.Flags.BLACKPOINTCOMPENSATION,
        )
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        # A broken profile cannot leak anything (it is dropped either way);
        # the pixels are then used as if they were sRGB already.
        logger.debug("unusable icc profile (%d bytes); ignored", len(icc_profile))
        return None
    assert converted is not None
    return converted


@functools.cache
def _srgb_profile() -> ImageCms.ImageCmsProfile:
    from PIL import ImageCms

    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def _upright(image: Image.Image, orientation: int) -> Image.Image:
    method = _UPRIGHT.get(orientation)
    return image.transpose(method) if method is not None else image


def _fresh_copy(image: Image.Image) -> Image.Image:
    """The pixels alone, in a new image whose ``info`` is empty (an allow-list)."""
    fresh = Image.new(image.mode, image.size)
    fresh.paste(image)
    return fresh


def _smaller_versions(image: Image.Image) -> Iterator[Image.Image]:
    yield image
    edge = max(image.size)
    while int(edge * SHRINK_FACTOR) >= MIN_SHRINK_EDGE:
        edge = int(edge * SHRINK_FACTOR)
        yield _fresh_copy(image.resize(fit_within(image.size, edge), _RESAMPLE))


def _jpeg_bytes(image: Image.Image, quality: int) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality, optimize=True)
    return buffer.getvalue()
