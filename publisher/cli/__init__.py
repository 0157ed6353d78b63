"""The command line: the only part that prints, reads .env and sets up logging.

Commands import what they need when they run, so that ``publisher sanitise``
and ``publisher check`` start fast.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

import click

from publisher.cli.check_cmd import check, roster
from publisher.cli.posts import (
    add,
    approve,
    history,
    list_posts,
    preview,
    reschedule,
    resolve,
    retry,
    review,
    takedown,
)
from publisher.cli.sanitise_cmd import sanitise
from publisher.cli.service import demo, doctor, run, status
from publisher.errors import PostBlocked, PublisherError


class PublisherGroup(click.Group):
    """Turns product errors into one ``Error:`` line and a documented code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except PostBlocked as exc:
            from publisher.cli.output import print_findings

            click.echo(f"Error: {exc}", err=True)
            print_findings(exc.findings)
            raise click.exceptions.Exit(exc.exit_code) from exc
        except PublisherError as exc:
            click.echo(f"Error: {exc}", err=True)
            raise click.exceptions.Exit(exc.exit_code) from exc


@click.group(
    cls=PublisherGroup, context_settings={"help_option_names": ["-h", "--help"]}
)
@click.option("-v", "--verbose", count=True, help="Log more (-v info, -vv debug).")
@click.version_option(package_name="publisher")
def cli(verbose: int) -> None:
    """Queue, check, preview and publish school posts safely."""
    from dotenv import load_dotenv

    load_dotenv(os.environ.get("PUBLISHER_ENV_FILE", ".env"), override=False)
    level = (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    env_level = os.environ.get("PUBLISHER_LOG_LEVEL", "").upper()
    logging.basicConfig(
        level=getattr(logging, env_level, level) if env_level else level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    from publisher.platforms import LEAKY_LIBRARY_LOGGERS

    for name in LEAKY_LIBRARY_LOGGERS:
        logging.getLogger(name).setLevel(max(level, logging.INFO))


for command in (
    add,
    approve,
    list_posts,
    preview,
    run,
    retry,
    takedown,
    history,
    reschedule,
    resolve,
    review,
    doctor,
    status,
    demo,
    sanitise,
    check,
    roster,
):
    cli.add_command(command)


def main() -> None:
    """The console entry point."""
    cli(prog_name="publisher")
