"""The command line: the only part that prints, reads .env and sets up logging.

``main`` is the console entry point. ``publisher sanitise`` goes straight to
its own small parser, without loading click or any other command, because a
one-photo run must start in a few tens of milliseconds; every other command
goes through the click group in ``publisher.cli.app``.
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    """The console entry point."""
    # Everything the product writes (database, images, outbox) holds captions
    # or photos of learners: readable by this account only.
    os.umask(0o077)
    arguments = sys.argv[1:]
    try:
        if arguments[:1] == ["sanitise"]:
            from publisher.cli.sanitise_cmd import run_and_exit

            run_and_exit(arguments[1:])
        from publisher.cli.app import cli
    except KeyboardInterrupt:
        # Ctrl-C while the program was still loading: nothing was done yet.
        if sys.stderr is not None:
            sys.stderr.write("Aborted.\n")
        raise SystemExit(130) from None
    cli(prog_name="publisher")
