"""``publisher sanitise``: clean photos from the command line.

Kept light on purpose: only click is imported at start-up; the sanitiser
loads when the command runs, and nothing from the store or platforms does.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from publisher.errors import MediaError
    from publisher.models import SanitisedImage

#: Exit status when at least one input was rejected (MediaError's code).
REJECTED_EXIT_CODE = 4


@click.command("sanitise")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--out-dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the sanitised copies (created if missing).",
)
@click.option(
    "--max-edge",
    type=click.IntRange(16, 8192),
    default=1080,
    show_default=True,
    help="Longest side of the output in pixels; never upscaled.",
)
@click.option(
    "--max-bytes",
    type=click.IntRange(min=1),
    default=None,
    help="Largest output file in bytes (quality, then size, steps down to fit).",
)
@click.option(
    "--json", "as_json", is_flag=True, help="Print one JSON object per input."
)
def sanitise(
    inputs: tuple[Path, ...],
    out_dir: Path,
    max_edge: int,
    max_bytes: int | None,
    as_json: bool,
) -> None:
    """Write clean, upright JPEG copies of photos, with every trace of metadata gone.

    Each output gets a random name in OUT_DIR; the originals are only read.
    Exits with status 4 when any input was rejected; the others still run.
    """
    from publisher.media import sanitise_many

    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise click.BadParameter(
            f"cannot create {out_dir} ({exc.strerror}).", param_hint="--out-dir"
        ) from exc

    results = sanitise_many(inputs, out_dir, max_edge=max_edge, max_bytes=max_bytes)
    rejected = 0
    for source, outcome in _with_progress(results, len(inputs)):
        rejected += isinstance(outcome, Exception)
        click.echo(
            _json_line(source, outcome) if as_json else _human_line(source, outcome)
        )
    if rejected:
        click.echo(
            f"{rejected} of {len(inputs)} image(s) rejected; nothing was kept "
            "from them.",
            err=True,
        )
        raise click.exceptions.Exit(REJECTED_EXIT_CODE)


def _with_progress(
    results: Iterator[tuple[Path, SanitisedImage | MediaError]], total: int
) -> Iterable[tuple[Path, SanitisedImage | MediaError]]:
    """Show a progress bar on stderr, but only when stderr is a terminal."""
    if total < 2 or not sys.stderr.isatty():
        yield from results
        return
    with click.progressbar(
        results, length=total, label="Sanitising", file=sys.stderr
    ) as bar:
        yield from bar


def _json_line(source: Path, outcome: SanitisedImage | MediaError) -> str:
    import json

    line: dict[str, str | None] = {"input": str(source)}
    if isinstance(outcome, Exception):
        line.update(output=None, status="rejected", error=str(outcome))
    else:
        line.update(output=str(outcome.path), status="ok", error=None)
    return json.dumps(line)


def _human_line(source: Path, outcome: SanitisedImage | MediaError) -> str:
    if isinstance(outcome, Exception):
        return f"rejected {source}: {outcome}"
    return (
        f"ok       {source} -> {outcome.path} "
        f"({outcome.width}x{outcome.height}, {outcome.byte_size} bytes)"
    )
