"""Documented limits and defaults of the image sanitiser, in one place."""

from __future__ import annotations

#: Long edge of the output in pixels unless the caller asks for another.
#: Every platform we post to shows photos at about this size; never upscaled.
DEFAULT_MAX_EDGE = 1080

#: Smallest and largest ``max_edge`` a caller may ask for.
MIN_EDGE = 16
MAX_EDGE = 8192

#: JPEGs declaring more pixels than this are refused before any decoding (a
#: decompression bomb guard). 100 MP is above every phone camera sold today
#: (the largest write 50 MP by default); JPEGs decode at reduced scale, so
#: even this size needs little memory.
MAX_PIXELS = 100_000_000

#: Progressive JPEGs split into more scans than this are refused before
#: decoding: each scan is a pass over the whole picture. Encoders write about
#: 10; a few dozen at the most.
MAX_PROGRESSIVE_SCANS = 100

#: WebP's decoder keeps a second full-size copy of the picture, so it gets a
#: lower limit than the other formats. WebP is not a camera format.
MAX_WEBP_PIXELS = 32_000_000

#: The same guard for every other format (PNG, GIF, HEIC, AVIF): these are
#: held at full size while they shrink, so a lower limit keeps one image's
#: peak memory under about 800 MiB. 64 MP is above any phone's HEIC.
MAX_FULL_DECODE_PIXELS = 64_000_000

#: Files larger than this are refused before they are opened: no photo
#: legitimately needs more, and it bounds the work a hostile file can cause.
MAX_INPUT_BYTES = 200 * 1024 * 1024

#: Files up to this size reach the decoder in one read (larger ones in pieces
#: of this size), which costs at most this much memory on top of the pixels.
ONE_READ_BYTES = 64 * 1024 * 1024

#: JPEG quality of the output, then the steps tried when a byte limit is set.
JPEG_QUALITY = 85
QUALITY_STEPS = (85, 75, 65, 55, 45)

#: When the lowest quality is still too big, the long edge is multiplied by
#: this factor and the qualities are tried again, down to ``MIN_SHRINK_EDGE``.
SHRINK_FACTOR = 0.75
MIN_SHRINK_EDGE = 320

#: Colour that transparent pixels are flattened onto (JPEG has no alpha).
BACKGROUND = (255, 255, 255)

#: What every output is: a baseline JPEG, named by a random token.
OUTPUT_MEDIA_TYPE = "image/jpeg"
OUTPUT_SUFFIX = ".jpg"
OUTPUT_MODE = 0o600
