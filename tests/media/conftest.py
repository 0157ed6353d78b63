"""Fixtures for the image sanitiser tests: planted images and clean checks."""

from __future__ import annotations

import json
import shutil
import signal
import stat
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType

import pytest

from publisher.media import verify_clean
from tests.media.builders import MARK

EXIFTOOL = shutil.which("exiftool")
CORPUS = Path(__file__).parents[2].parent / "shared/corpus/images"

#: Everything exiftool may report about a sanitised file: where the file is,
#: what kind it is, its frame header, and the minimal JFIF header we write.
ALLOWED_TAGS = frozenset(
    {
        "SourceFile",
        "ExifTool:ExifToolVersion",
        "System:FileName",
        "System:Directory",
        "System:FileSize",
        "System:FileModifyDate",
        "System:FileAccessDate",
        "System:FileInodeChangeDate",
        "System:FilePermissions",
        "File:FileType",
        "File:FileTypeExtension",
        "File:MIMEType",
        "File:ImageWidth",
        "File:ImageHeight",
        "File:EncodingProcess",
        "File:BitsPerSample",
        "File:ColorComponents",
        "File:YCbCrSubSampling",
        "JFIF:JFIFVersion",
        "JFIF:ResolutionUnit",
        "JFIF:XResolution",
        "JFIF:YResolution",
        "Composite:ImageSize",
        "Composite:Megapixels",
    }
)


def exiftool_tags(path: Path) -> dict[str, object]:
    """Every tag exiftool finds in ``path``, named GROUP:Tag."""
    assert EXIFTOOL is not None
    done = subprocess.run(
        [EXIFTOOL, "-j", "-a", "-G1", "-s", str(path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    return dict(json.loads(done.stdout)[0])


def check_clean(path: Path) -> None:
    """Assert ``path`` is a clean output; skip only the exiftool part if absent."""
    verify_clean(path)
    data = path.read_bytes()
    assert MARK not in data, "a planted metadata value reached the output"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    if EXIFTOOL is None:
        pytest.skip(
            "exiftool is not installed (apt-get install libimage-exiftool-perl); "
            "the structure walk passed, the exiftool cross-check did not run"
        )
    tags = exiftool_tags(path)
    unexpected = sorted(set(tags) - ALLOWED_TAGS)
    assert not unexpected, f"exiftool found more than pixels: {unexpected}"
    assert tags["File:FileType"] == "JPEG"
    assert tags["JFIF:ResolutionUnit"] == "None"
    assert tags["JFIF:XResolution"] == tags["JFIF:YResolution"] == 1


@pytest.fixture
def assert_clean() -> Callable[[Path], None]:
    return check_clean


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    return tmp_path / "out"


@pytest.fixture(scope="session")
def heif_references() -> None:
    """Let a test open HEIC references with Image.open (the product never does)."""
    from pillow_heif import register_heif_opener

    register_heif_opener()


@pytest.fixture
def hang_guard() -> Iterator[None]:
    """Fail a test that runs for minutes instead of hanging the whole run."""

    def _alarm(signum: int, frame: FrameType | None) -> None:
        raise TimeoutError("the sanitiser did not finish within 120 s")

    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(120)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
