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
from typing import TYPE_CHECKING, NamedTuple, NoReturn, TextIO

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
#: Exit status when the results could not be written to standard output.
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
#: Said whenever a run stops early, because the pool may have run ahead.
_LEFTOVERS = (
    "Inputs after the last one shown may already have a sanitised copy in the "
    "output folder; the rest were not sanitised."
)


class UsageError(Exception):
    """The command line cannot be used as given; the message says why."""


class _OutputFailed(Exception):
    """Standard output refused a result line (closed pipe, full disk...)."""


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
    max_edge = _whole_number("--max-edge", given.get("--max-edge"), MIN_EDGE, MAX_EDGE)
    max_bytes = _whole_number("--max-bytes", given.get("--max-bytes"), 1, None)
    if not given.get("--out-dir"):
        raise UsageError("Missing option --out-dir DIR (a folder for the copies).")
    if not inputs:
        raise UsageError("Name at least one INPUT photo.")
    return Options(
        inputs=[Path(name) for name in inputs],
        out_dir=Path(given["--out-dir"]),
        max_edge=DEFAULT_MAX_EDGE if max_edge is None else max_edge,
        max_bytes=max_bytes,
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
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):
            code = code or CLOSED_OUTPUT_EXIT_CODE
    os._exit(code)


def run(arguments: Sequence[str]) -> int:
    """Parse ``arguments``, sanitise every input and return the exit status."""
    try:
        options = parse(arguments)
        if options is None:
            _emit(HELP.rstrip("\n"))
            return 0
        _make_out_dir(options.out_dir)
    except UsageError as exc:
        _tell(f"{USAGE}\nError: {exc}")
        return USAGE_EXIT_CODE
    except _OutputFailed:
        return CLOSED_OUTPUT_EXIT_CODE
    if sys.stdout is None:
        _tell(
            "Error: standard output is closed, so no result could be shown. "
            "Nothing was sanitised."
        )
        return CLOSED_OUTPUT_EXIT_CODE
    try:
        return _sanitise_all(options)
    except KeyboardInterrupt:
        _tell(f"Aborted. {_LEFTOVERS}")
        return INTERRUPTED_EXIT_CODE
    except _OutputFailed as exc:
        _silence_stdout()
        _tell(f"Stopped: the results could not be written ({exc}). {_LEFTOVERS}")
        return CLOSED_OUTPUT_EXIT_CODE


def _make_out_dir(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise UsageError(
            f"Cannot use --out-dir {_shown(folder)}: it is not a folder (a file, "
            "or a link to nothing, is in the way)."
        ) from None
    except OSError as exc:
        raise UsageError(
            f"Cannot create --out-dir {_shown(folder)} ({exc.strerror}). "
            "Choose a folder you can write to."
        ) from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UsageError(
            f"Cannot write into --out-dir {_shown(folder)}. Choose a folder you "
            "can write to."
        )


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
            _emit(line(source, outcome))
    if not rejected:
        return 0
    _tell(f"{rejected} of {len(inputs)} image(s) rejected; nothing was kept from them.")
    return REJECTED_EXIT_CODE


def _emit(text: str) -> None:
    """One line of results on stdout, now, or ``_OutputFailed``."""
    try:
        try:
            print(text, flush=True)
        except UnicodeEncodeError:
            # A name the terminal's encoding cannot show (Ŵ in Windows-1252,
            # anything beyond ASCII in the C locale): write it as escapes.
            encoding = sys.stdout.encoding or "ascii"
            shown = text.encode(encoding, "backslashreplace").decode(encoding)
            print(shown, flush=True)
    except OSError as exc:
        raise _OutputFailed(exc.strerror or type(exc).__name__) from None


def _tell(message: str) -> None:
    """A message for the person on stderr; nothing if stderr is gone."""
    if sys.stderr is None:
        return
    with contextlib.suppress(OSError, ValueError):
        print(message, file=sys.stderr, flush=True)


def _silence_stdout() -> None:
    """Point stdout at nothing, so the final flush cannot fail a second time."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _whole_number(
    option: str, text: str | None, low: int, high: int | None
) -> int | None:
    """The value of ``option`` as a whole number from ``low`` to ``high``."""
    if text is None:
        return None
    limit = f"from {low} to {high}" if high is not None else f"of at least {low}"
    if not (text.isascii() and text.isdigit()):
        raise UsageError(f"{option} needs a whole number {limit}, not {text!r}.")
    value = int(text)
    if value < low or (high is not None and value > high):
        raise UsageError(f"{option} needs a whole number {limit}, not {value}.")
    return value


def _with_progress(
    results: Iterator[tuple[Path, Outcome]], total: int
) -> Iterable[tuple[Path, Outcome]]:
    """A progress bar on stderr while the results go somewhere else.

    Only when stderr is a terminal and stdout is not: on a terminal the
    result lines themselves show the progress, and a bar would run into them.
    """
    if total < 2 or not _is_terminal(sys.stderr) or _is_terminal(sys.stdout):
        yield from results
        return
    import click

    with click.progressbar(
        results, length=total, label="Sanitising", file=sys.stderr
    ) as bar:
        yield from bar


def _is_terminal(stream: TextIO | None) -> bool:
    try:
        return stream is not None and stream.isatty()
    except (OSError, ValueError):
        return False


def _shown(path: Path) -> str:
    """A file name that is safe to print.

    Control characters and undecodable bytes are written as escapes, so a
    name can neither fake a result line nor send codes to the terminal, and
    printing it never fails on an encoding error.
    """
    text = str(path)
    if text.isprintable():
        return text
    # Once anything is escaped, backslashes are too, so "\\n" and a newline
    # can be told apart.
    return "".join(
        char if char.isprintable() and char != "\\" else ascii(char)[1:-1]
        for char in text
    )


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
        return f"rejected {_shown(source)}: {outcome}"
    return (
        f"ok       {_shown(source)} -> {_shown(outcome.path)} "
        f"({outcome.width}x{outcome.height}, {outcome.byte_size} bytes)"
    )
