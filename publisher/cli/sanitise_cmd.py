"""``publisher sanitise``: clean photos from the command line.

This command has its own argparse parser instead of a click command. A
one-photo run is measured against a native tool, and loading click alone
takes a noticeable share of the budget, so ``publisher.cli.main`` hands
``sanitise`` straight here and the click group only passes it through.
Nothing from the store, the policy or the platforms is imported; the image
pipeline loads when the command runs.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

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


class _Formatter(argparse.HelpFormatter):
    """Help text as wide as the terminal, measured without loading shutil.

    argparse builds a formatter for every ``add_argument`` and asks shutil for
    the width, which pulls in three compression modules on every run.
    """

    def __init__(self, prog: str) -> None:
        try:
            columns = os.get_terminal_size(sys.stdout.fileno()).columns
        except (OSError, ValueError):
            columns = 80
        super().__init__(prog, width=max(columns, 40) - 2)


class _Parser(argparse.ArgumentParser):
    """argparse with the group's error style: usage, then ``Error: ...``."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(USAGE_EXIT_CODE, f"Error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="publisher sanitise",
        formatter_class=_Formatter,
        description="Write clean, upright JPEG copies of photos, with every trace "
        "of metadata gone. Each output gets a random name in OUT_DIR; the "
        "originals are only read. Exits with status 4 when any input was "
        "rejected; the others still run.",
    )
    parser.add_argument(
        "inputs",
        nargs="+",
        type=Path,
        metavar="INPUT",
        help="photos to clean: JPEG, PNG, WebP, GIF, HEIC or AVIF",
    )
    parser.add_argument(
        "--out-dir",
        required=True,
        type=Path,
        help="folder for the sanitised copies (created if missing)",
    )
    parser.add_argument(
        "--max-edge",
        type=_bounded(MIN_EDGE, MAX_EDGE),
        default=DEFAULT_MAX_EDGE,
        help=f"longest side of the output in pixels, {MIN_EDGE} to {MAX_EDGE}; "
        f"never upscaled (default {DEFAULT_MAX_EDGE})",
    )
    parser.add_argument(
        "--max-bytes",
        type=_bounded(1, None),
        default=None,
        help="largest output file in bytes (quality, then size, steps down to fit)",
    )
    parser.add_argument(
        "--json",
        dest="as_json",
        action="store_true",
        help="print one JSON object per input",
    )
    return parser


def run_and_exit(arguments: Sequence[str]) -> NoReturn:
    """The console entry for ``publisher sanitise``: run, flush, exit at once.

    The interpreter's own teardown (freeing every module and object) adds
    about 10 ms to a one-photo run and does nothing for the user: every file
    is closed by then, so output streams are flushed and the process ends.
    """
    from publisher.cli.logs import configure_logging

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
    parser = build_parser()
    try:
        options = parser.parse_args(arguments)
    except SystemExit as stop:
        return stop.code if isinstance(stop.code, int) else USAGE_EXIT_CODE
    try:
        options.out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        parser.print_usage(sys.stderr)
        print(
            f"Error: cannot create --out-dir {options.out_dir} ({exc.strerror}). "
            "Choose a folder you can write to.",
            file=sys.stderr,
        )
        return USAGE_EXIT_CODE
    try:
        return _sanitise_all(options)
    except KeyboardInterrupt:
        print("Aborted: the inputs not yet shown were not sanitised.", file=sys.stderr)
        return INTERRUPTED_EXIT_CODE


def _sanitise_all(options: argparse.Namespace) -> int:
    from publisher.media import sanitise_many

    inputs: list[Path] = options.inputs
    results = sanitise_many(
        inputs,
        options.out_dir,
        max_edge=options.max_edge,
        max_bytes=options.max_bytes,
    )
    rejected = 0
    for source, outcome in _with_progress(results, len(inputs)):
        rejected += isinstance(outcome, Exception)
        line = _json_line if options.as_json else _human_line
        print(line(source, outcome), flush=True)
    if not rejected:
        return 0
    print(
        f"{rejected} of {len(inputs)} image(s) rejected; nothing was kept from them.",
        file=sys.stderr,
    )
    return REJECTED_EXIT_CODE


def _bounded(low: int, high: int | None) -> Callable[[str], int]:
    """An argparse type: a whole number from ``low`` to ``high``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{text!r} is not a whole number"
            ) from None
        if value < low or (high is not None and value > high):
            limit = f"{low} to {high}" if high is not None else f"at least {low}"
            raise argparse.ArgumentTypeError(f"{value} is not {limit}")
        return value

    return parse


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
