"""The record of a sanitised image file, on its own so it is cheap to import.

The sanitiser returns it at the end of a run that is measured in tens of
milliseconds, so this module loads nothing but ``typing``; ``publisher.models``
re-exports it with the other value types.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple


class SanitisedImage(NamedTuple):
    """An image file that holds pixels and nothing else."""

    path: Path
    media_type: str
    width: int
    height: int
    byte_size: int
    sha256: str
