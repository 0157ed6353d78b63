"""``publisher sanitise``: clean photos from the command line.

A one-photo run is measured against a native tool, so this command starts
lean: ``publisher.cli.main`` hands ``sanitise`` straight here, without click
(the group only passes it through), and options are read with the standard
library's small ``getopt`` rather than argparse, which alone costs several
milliseconds to import and set up. Nothing from the store, the policy or the
platforms is imported; the image pipeline loads when the command runs.
"""

from __future__ import annotations

import contextlib
import getopt
import logging
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, NoReturn

from publisher.media.limits import DEFAULT_MAX_EDGE, MAX_EDGE, MIN_EDGE

if TYPE_CHECKING:
    from publisher.errors import MediaError
    from publisher.sanitised import SanitisedImage

    Outcome = SanitisedImage | MediaError

#: Exit status when at least one input was rejected (MediaError's code).
REJECTED_EXIT_CODE = 4
#: Exit status for a usage error, as for every other command.
USAGE_EXIT_CODE = 2
#: Exit status after Ctrl-C, as shells report it.
INTERRUPTED_EXIT_CODE = 130
#: Exit status when standard output was closed early.
CLOSED_OUTPUT_EXIT_CODE = 1

USAGE = (
    "usage: publisher sanitise [-h] --out-dir DIR [--max-edge N] [--max-bytes N]\n"
    "                          [--json] INPUT..."
)
HELP = f"""{USAGE}

Write clean, upright JPEG copies of photos, with every trace of metadata gone.
Each output gets a random name in DIR; the originals are only read. Exits
with status 4 when any input was rejected; the others still run.

arguments:
  INPUT...        photos to clean: JPEG, PNG, WebP, GIF, HEIC or AVIF

options:
  --out-dir DIR   folder for the sanitised copies (created if missing)
  --max-edge N    longest side of the output in pixels, {MIN_EDGE} to {MAX_EDGE};
                  never upscaled (default {DEFAULT_MAX_EDGE})
  --max-bytes N   largest output file in bytes (quality, then size, steps
                  down to fit)
  --json          print one JSON object per input
  -h, --help      show this help and exit
"""
_LONG_OPTIONS = ["out-dir=", "max-edge=", "max-bytes=", "json", "help"]


class UsageError(Exception):
    """The command line cannot be used as given; the message says why."""


class Options(NamedTuple):
    inputs: list[Path]
    out_dir: Path
    max_edge: int
    max_bytes: int | None
    as_json: bool


def parse(arguments: Sequence[str]) -> Options | None:
    """Read the command line; ``None`` means help was asked for.

    Raises ``UsageError`` for anything missing, unknown or out of range.
    Options may come before or after the inputs, and ``--`` ends them.
    """
    try:
        pairs, inputs = getopt.gnu_getopt(list(arguments), "h", _LONG_OPTIONS)
    except getopt.GetoptError as exc:
        raise UsageError(f"{exc.msg[0].upper()}{exc.msg[1:]}.") from None
    given = dict(pairs)
    if "-h" in given or "--help" in given:
        return None
    if "--out-dir" not in given:
        raise UsageError("Missing option --out-dir DIR.")
    if not inputs:
        raise UsageError("Name at least one INPUT photo.")
    max_edge = _whole_number("--max-edge", given.get("--max-edge"), MIN_EDGE, MAX_EDGE)
    return Options(
        inputs=[Path(name) for name in inputs],
        out_dir=Path(given["--out-dir"]),
        max_edge=DEFAULT_MAX_EDGE if max_edge is None else max_edge,
        max_bytes=_whole_number("--max-bytes", given.get("--max-bytes"), 1, None),
        as_json="--json" in given,
    )


def run_and_exit(arguments: Sequence[str]) -> NoReturn:
    """The console entry for ``publisher sanitise``: run, flush, exit at once.

    The interpreter's own teardown (freeing every module and object) adds
    about 10 ms to a one-photo run and does nothing for the user: every file
    is closed by then, so output streams are flushed and the process ends.
    """
    from publisher.cli.logs import configure_logging

    # Let Pillow keep a few freed pixel blocks for its next images (its
    # documented switch, off by default): fresh memory from the OS costs a
    # page fault per 4 KiB, a noticeable share of a one-photo run.
    os.environ.setdefault("PILLOW_BLOCKS_MAX", "8")
    configure_logging(0)
    code = run(arguments)
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except OSError:
            # A closed pipe (``| head``): nothing more can be shown anyway.
            code = code or 1
    os._exit(code)


def run(arguments: Sequence[str]) -> int:
    """Parse ``arguments``, sanitise every input and return the exit status."""
    try:
        options = parse(arguments)
        if options is None:
            print(HELP, end="")
            return 0
        _make_out_dir(options.out_dir)
    except UsageError as exc:
        print(f"{USAGE}\nError: {exc}", file=sys.stderr)
        return USAGE_EXIT_CODE
    try:
        return _sanitise_all(options)
    except KeyboardInterrupt:
        print("Aborted: the inputs not yet shown were not sanitised.", file=sys.stderr)
        return INTERRUPTED_EXIT_CODE
    except BrokenPipeError:
        # The reader went away (``| head``). Point stdout at nothing so the
        # final flush cannot fail again, and stop with the remaining inputs.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        print(
            "Stopped: the output was closed before every input was shown.",
            file=sys.stderr,
        )
        return CLOSED_OUTPUT_EXIT_CODE


def _make_out_dir(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(
            f"Cannot create --out-dir {folder} ({exc.strerror}). "
            "Choose a folder you can write to."
        ) from None


def _sanitise_all(options: Options) -> int:
    from publisher.media import sanitise_many

    inputs = options.inputs
    results = sanitise_many(
        inputs,
        options.out_dir,
        max_edge=options.max_edge,
        max_bytes=options.max_bytes,
    )
    rejected = 0
    line = _json_line if options.as_json else _human_line
    # Closing the results on the way out (Ctrl-C included) stops and waits
    # for the worker processes before the fast exit.
    with contextlib.closing(results):
        for source, outcome in _with_progress(results, len(inputs)):
            rejected += isinstance(outcome, Exception)
            print(line(source, outcome), flush=True)
    if not rejected:
        return 0
    print(
        f"{rejected} of {len(inputs)} image(s) rejected; nothing was kept from them.",
        file=sys.stderr,
    )
    return REJECTED_EXIT_CODE


def _whole_number(
    option: str, text: str | None, low: int, high: int | None
) -> int | None:
    """The value of ``option`` as a whole number from ``low`` to ``high``."""
    if text is None:
        return None
    try:
        value = int(text)
    except ValueError:
        raise UsageError(f"{option} needs a whole number, not {text!r}.") from None
    if value < low or (high is not None and value > high):
        limit = f"from {low} to {high}" if high is not None else f"at least {low}"
        raise UsageError(f"{option} must be {limit}, not {value}.")
    return value


def _with_progress(
    results: Iterator[tuple[Path, Outcome]], total: int
) -> Iterable[tuple[Path, Outcome]]:
    """Show a progress bar on stderr, but only when stderr is a terminal."""
    if total < 2 or not sys.stderr.isatty():
        yield from results
        return
    import click

    with click.progressbar(
        results, length=total, label="Sanitising", file=sys.stderr
    ) as bar:
        yield from bar


def _json_line(source: Path, outcome: Outcome) -> str:
    import json

    line: dict[str, str | None] = {"input": str(source)}
    if isinstance(outcome, Exception):
        line.update(output=None, status="rejected", error=str(outcome))
    else:
        line.update(output=str(outcome.path), status="ok", error=None)
    return json.dumps(line)


def _human_line(source: Path, outcome: Outcome) -> str:
    if isinstance(outcome, Exception):
        return f"rejected {source}: {outcome}"
    return (
        f"ok       {source} -> {outcome.path} "
        f"({outcome.width}x{outcome.height}, {outcome.byte_size} bytes)"
    )
