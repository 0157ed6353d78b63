"""Every real-world file comes out clean and upright, or is refused clearly."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageOps, ImageStat

from publisher.errors import MediaError
from publisher.media import sanitise_image
from tests.media.conftest import CORPUS

FILES = (
    sorted(
        path
        for path in CORPUS.rglob("*")
        if path.is_file() and path.suffix.lower() != ".md"
    )
    if CORPUS.is_dir()
    else []
)

# Transforms to compare against: the right one must match at least as well.
_ALTERNATIVES = [
    Image.Transpose.FLIP_LEFT_RIGHT,
    Image.Transpose.FLIP_TOP_BOTTOM,
    Image.Transpose.ROTATE_180,
    Image.Transpose.TRANSPOSE,
    Image.Transpose.ROTATE_90,
    Image.Transpose.ROTATE_270,
    Image.Transpose.TRANSVERSE,
]


def _reference(source: Path) -> Image.Image | None:
    """The source as Pillow shows it upright, or None when Pillow cannot."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            with Image.open(source) as opened:
                upright = ImageOps.exif_transpose(opened)
                return upright.convert("RGB")
        except Exception:
            return None


def _distance(a: Image.Image, b: Image.Image) -> float:
    difference = ImageChops.difference(a.convert("L"), b.convert("L"))
    return float(ImageStat.Stat(difference).mean[0])


def assert_upright(output: Path, source: Path) -> None:
    reference = _reference(source)
    if reference is None:
        return
    with Image.open(output) as result:
        result.load()
        size = result.size
        expected = reference.resize(size) if reference.size != size else reference
        ref_ratio = reference.width / reference.height
        assert abs(size[0] / size[1] - ref_ratio) < 0.05 * ref_ratio + 2 / size[1]
        mine = _distance(result, expected)
        for method in _ALTERNATIVES:
            turned = reference.transpose(method)
            if turned.width / turned.height != reference.width / reference.height:
                continue
            other = _distance(result, turned.resize(size))
            assert mine <= other + 1.0, f"{method.name} matches better"


@pytest.mark.skipif(not FILES, reason=f"no corpus at {CORPUS}")
@pytest.mark.parametrize("source", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_corpus_file(
    source: Path,
    out_dir: Path,
    assert_clean: Callable[[Path], None],
    hang_guard: None,
    heif_references: None,
) -> None:
    try:
        result = sanitise_image(source, out_dir)
    except MediaError as exc:
        message = str(exc)
        assert message.endswith("."), message
        assert len(message.split()) >= 8, "a refusal says what to do"
        assert not out_dir.exists() or list(out_dir.iterdir()) == []
        return

    assert max(result.width, result.height) <= 1080
    assert_upright(result.path, source)
    assert_clean(result.path)
