"""The click group behind every command.

Each command's module is imported only when that command runs, so that
``publisher check`` starts fast. ``sanitise`` has its own parser (see
``publisher.cli.sanitise_cmd``); here it is only listed and passed through.
"""

from __future__ import annotations

import os
from importlib import import_module
from typing import Any

import click

from publisher.cli.logs import configure_logging
from publisher.errors import PostBlocked, PublisherError

#: Command name -> "module:attribute" under publisher.cli, in help order.
COMMANDS = {
    "add": "posts:add",
    "list": "posts:list_posts",
    "preview": "posts:preview",
    "run": "service:run",
    "approve": "posts:approve",
    "retry": "posts:retry",
    "takedown": "posts:takedown",
    "review": "posts:review",
    "history": "posts:history",
    "reschedule": "posts:reschedule",
    "resolve": "posts:resolve",
    "status": "service:status",
    "doctor": "service:doctor",
    "demo": "service:demo",
    "sanitise": "app:sanitise",
    "check": "check_cmd:check",
    "roster": "check_cmd:roster",
}

#: Commands that read no settings, so they skip loading .env (start-up time).
NO_SETTINGS = frozenset({"sanitise"})


class PublisherGroup(click.Group):
    """Loads commands on demand; turns product errors into ``Error:`` lines."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        where = COMMANDS.get(name)
        if where is None:
            return None
        module, attribute = where.split(":")
        command = getattr(import_module(f"publisher.cli.{module}"), attribute)
        assert isinstance(command, click.Command)
        return command

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
@click.option(
    "--school",
    default=None,
    help="Which school of a trust (PUBLISHER_SCHOOL; its settings come from "
    "PUBLISHER_SCHOOLS_DIR/<school>.env).",
)
@click.version_option(package_name="publisher")
@click.pass_context
def cli(ctx: click.Context, verbose: int, school: str | None) -> None:
    """Queue, check, preview and publish school posts safely."""
    if school:
        os.environ["PUBLISHER_SCHOOL"] = school
    if ctx.invoked_subcommand not in NO_SETTINGS:
        _load_env_file(os.environ.get("PUBLISHER_ENV_FILE", ".env"))
    configure_logging(verbose)


def _load_env_file(path: str) -> None:
    """Read ``.env`` into the environment; the environment wins."""
    from dotenv import load_dotenv

    from publisher.errors import ConfigError

    try:
        load_dotenv(path, override=False, encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{path} is not UTF-8 text (byte {exc.start}). Save it as UTF-8, "
            "for example with 'Save as... UTF-8' in your editor."
        ) from exc


class _PassThrough(click.Command):
    """A command whose arguments reach its callback exactly as typed.

    ``publisher -v sanitise -- -odd-name.jpg`` must mean what it means
    without ``-v``, so click may not parse anything here, not even ``--``.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.args = list(args)
        return []


@click.command(
    "sanitise",
    cls=_PassThrough,
    add_help_option=False,
    short_help="Write clean, upright JPEG copies of photos.",
)
@click.pass_context
def sanitise(ctx: click.Context) -> None:
    """Write clean, upright JPEG copies of photos (see sanitise --help)."""
    from publisher.cli.sanitise_cmd import run

    code = run(ctx.args)
    if code:
        raise click.exceptions.Exit(code)
