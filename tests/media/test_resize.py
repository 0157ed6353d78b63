"""Shrinking on two threads gives the same picture as shrinking in one go."""

from __future__ import annotations

import random

import pytest
from PIL import Image, ImageChops, ImageFilter

from publisher.media import encode
from publisher.media.base import fit_within


def _textured(size: tuple[int, int]) -> Image.Image:
    """Blurred noise: detail at every scale, so a seam or shift would show."""
    noise = random.Random(size[0] * size[1]).randbytes(size[0] * size[1] * 3)
    return Image.frombytes("RGB", size, noise).filter(ImageFilter.GaussianBlur(2))


@pytest.mark.parametrize(
    "size",
    [(2136, 1424), (4272, 2848), (5000, 3001), (1507, 848)],
    ids=["2x", "4x-reduced-first", "odd-rows", "1.4x"],
)
def test_two_halves_match_one_resize(size: tuple[int, int]) -> None:
    image = _textured(size)
    target = fit_within(size, 1080)

    halves = encode._resize_in_halves(image, target)
    whole = image.resize(target, encode._RESAMPLE, reducing_gap=encode._REDUCING_GAP)

    assert halves.size == whole.size == target
    worst = max(high for _, high in ImageChops.difference(halves, whole).getextrema())
    assert worst <= 4, "the joined halves differ visibly from a single resize"
