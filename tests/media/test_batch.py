"""sanitise_many: every core, input order, past bad files and crashed workers."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from publisher.errors import CorruptImage, MediaError, UnsupportedFormat
from publisher.media import sanitise_many
from publisher.models import SanitisedImage
from tests.media import builders


def _inputs(tmp_path: Path, count: int, bad_at: int | None = None) -> list[Path]:
    paths = []
    for index in range(count):
        path = tmp_path / f"in{index:02d}.png"
        if index == bad_at:
            path.write_bytes(b"%PDF-1.4 not a photo")
        else:
            builders.scene((96 + index, 64)).save(path)
        paths.append(path)
    return paths


@pytest.mark.parametrize("workers", [1, 2])
def test_results_come_in_input_order(
    workers: int, tmp_path: Path, out_dir: Path
) -> None:
    sources = _inputs(tmp_path, 6, bad_at=2)

    results = list(sanitise_many(sources, out_dir, max_edge=200, workers=workers))

    assert [source for source, _ in results] == sources
    for index, (_, outcome) in enumerate(results):
        if index == 2:
            assert isinstance(outcome, UnsupportedFormat)
        else:
            assert isinstance(outcome, SanitisedImage)
            assert outcome.width == 96 + index
    assert len(list(out_dir.iterdir())) == 5


def test_single_file_runs_in_process(
    tmp_path: Path, out_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from publisher.media import batch

    def no_pool(workers: int) -> None:
        raise AssertionError("a single file must not start a process pool")

    monkeypatch.setattr(batch, "_new_pool", no_pool)

    [(source, outcome)] = list(sanitise_many(_inputs(tmp_path, 1), out_dir))

    assert isinstance(outcome, SanitisedImage)


def test_empty_input(out_dir: Path) -> None:
    assert list(sanitise_many([], out_dir)) == []


def test_options_are_checked(tmp_path: Path, out_dir: Path) -> None:
    with pytest.raises(ValueError, match="max_bytes"):
        list(sanitise_many(_inputs(tmp_path, 2), out_dir, max_bytes=0))


def test_crashing_worker_costs_only_its_file(
    tmp_path: Path, out_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A decoder that kills its process is retried alone, then refused."""
    from publisher.media.sanitise import sanitise_image

    if threading.active_count() != 1:
        pytest.skip("workers are only forked from a single-threaded process")

    def fragile(source: Path, out_dir: Path, **options: object) -> object:
        if source.name == "in03.png":
            os._exit(70)
        return sanitise_image(source, out_dir, **options)  # type: ignore[arg-type]

    monkeypatch.setattr("publisher.media.batch.sanitise_image", fragile)
    sources = _inputs(tmp_path, 6)

    results = list(sanitise_many(sources, out_dir, workers=2))

    assert [source for source, _ in results] == sources
    outcomes = [outcome for _, outcome in results]
    assert isinstance(outcomes[3], CorruptImage)
    assert all(isinstance(o, SanitisedImage) for i, o in enumerate(outcomes) if i != 3)
    assert len(list(out_dir.iterdir())) == 5, "no file sanitised twice"


def test_errors_are_media_errors(tmp_path: Path, out_dir: Path) -> None:
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    missing = tmp_path / "missing.jpg"

    results = dict(sanitise_many([empty, missing], out_dir, workers=2))

    assert all(isinstance(outcome, MediaError) for outcome in results.values())
