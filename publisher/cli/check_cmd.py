"""``publisher check`` and ``publisher roster check``: the names policy by hand.

``check`` reads JSON lines (``id`` and ``text``) and prints one JSON line per
input with the verdict and the name spans, judging every text as if the post
carried images. Other tools read this output; its shape is a contract.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from publisher.models import Finding
    from publisher.policy import Roster

__all__ = ["check", "roster"]

F = TypeVar("F", bound=Callable[..., Any])


def _product_errors(func: F) -> F:
    """Turn a PublisherError into an ``Error:`` line and its exit code.

    The main group does the same; this keeps the commands usable alone.
    """
    import functools

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from publisher.errors import PublisherError

        try:
            return func(*args, **kwargs)
        except PublisherError as exc:
            click.echo(f"Error: {exc}", err=True)
            raise click.exceptions.Exit(exc.exit_code) from exc

    return wrapper  # type: ignore[return-value]


def _roster_path(given: Path | None) -> Path:
    if given is not None:
        return given
    from publisher.config import load_settings
    from publisher.errors import ConfigError

    configured = load_settings().roster
    if configured is None:
        raise ConfigError(
            "No roster is configured, so names cannot be checked. Set "
            "PUBLISHER_ROSTER to the school's learner CSV or pass --roster FILE."
        )
    return configured


def _columns(pairs: tuple[str, ...]) -> dict[str, str] | None:
    columns = {}
    for pair in pairs:
        fld, sep, header = pair.partition("=")
        if not sep or not fld.strip() or not header.strip():
            raise click.BadParameter(
                f"{pair!r} is not FIELD=HEADER, e.g. given_name='Legal Forename'.",
                param_hint="--column",
            )
        columns[fld.strip()] = header.strip()
    return columns or None


def _load_roster(path: Path | None, column: tuple[str, ...]) -> tuple[Path, Roster]:
    from publisher.policy import load_roster

    where = _roster_path(path)
    return where, load_roster(where, columns=_columns(column))


_ROSTER_OPTION = click.option(
    "--roster",
    "roster_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Roster CSV (default: $PUBLISHER_ROSTER).",
)
_COLUMN_OPTION = click.option(
    "--column",
    multiple=True,
    metavar="FIELD=HEADER",
    help="Map a roster field to your export's header, e.g. "
    "given_name='Legal Forename'. Repeatable.",
)


@click.command("check")
@_ROSTER_OPTION
@_COLUMN_OPTION
@click.option(
    "--policy",
    "policy_name",
    help="Policy name or .toml path (default: $PUBLISHER_POLICY or images-no-names).",
)
@click.option(
    "--jsonl",
    "jsonl",
    required=True,
    type=click.File("r", encoding="utf-8"),
    help="JSON lines with 'id' and 'text' ('-' for standard input).",
)
@_product_errors
def check(
    roster_file: Path | None,
    column: tuple[str, ...],
    policy_name: str | None,
    jsonl: IO[str],
) -> None:
    """Check texts for learner names, one JSON line in and out per text."""
    from publisher.config import load_settings
    from publisher.policy import NamesChecker, load_policy

    settings = load_settings()
    _, learners = _load_roster(roster_file, column)
    policy = load_policy(policy_name or settings.policy, settings.policies_dir)
    checker = NamesChecker(learners, policy)
    out = sys.stdout
    for case_id, text, fld in _cases(jsonl):
        verdict = checker.judge(
            text if fld == "caption" else "",
            [text] if fld != "caption" else [],
            has_images=True,
        )
        line = {
            "id": case_id,
            "verdict": "block" if verdict.blocked else "pass",
            "names": [_span(f) for f in verdict.findings if f.rule != "consent"],
        }
        out.write(json.dumps(line, ensure_ascii=False) + "\n")
    out.flush()


def _cases(stream: IO[str]) -> Iterator[tuple[Any, str, str]]:
    """Yield (id, text, field) per line; a bad line is a ConfigError."""
    from publisher.errors import ConfigError

    name = getattr(stream, "name", "input")
    for number, raw in enumerate(stream, start=1):
        if not raw.strip():
            continue
        try:
            case = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ConfigError(
                f"{name}, line {number}: not valid JSON ({exc.msg}). Each line "
                'must be one object such as {"id": "1", "text": "..."}.'
            ) from None
        if not isinstance(case, dict) or "id" not in case or "text" not in case:
            raise ConfigError(
                f"{name}, line {number}: each line needs an 'id' and a 'text'."
            )
        if not isinstance(case["text"], str):
            raise ConfigError(f"{name}, line {number}: 'text' must be a string.")
        fld = "alt_text" if case.get("field") == "alt_text" else "caption"
        yield case["id"], case["text"], fld


def _span(finding: Finding) -> dict[str, Any]:
    ids = finding.learner_ids
    learner: str | list[str] | None = (
        None if not ids else ids[0] if len(ids) == 1 else list(ids)
    )
    return {"start": finding.start, "end": finding.end, "learner_id": learner}


@click.group("roster")
def roster() -> None:
    """Look after the school's roster CSV."""


@roster.command("check")
@_ROSTER_OPTION
@_COLUMN_OPTION
@_product_errors
def roster_check(roster_file: Path | None, column: tuple[str, ...]) -> None:
    """Report roster rows that cannot be used, by row number and learner id.

    Exits 0 when every row is usable, 1 when some rows have problems.
    """
    where, learners = _load_roster(roster_file, column)
    channels = ", ".join(sorted(learners.channels)) or "none"
    click.echo(
        f"{where}: {_count(len(learners.learners), 'learner')} loaded; consent tracked "
        f"for: {channels}."
    )
    for note in learners.notes:
        click.echo(note)
    if not learners.problems:
        click.echo("Every row is usable.")
        return
    problems = len(learners.problems)
    click.echo(
        f"{_count(problems, 'row')} {'has' if problems == 1 else 'have'} problems:"
    )
    for problem in learners.problems:
        state = "skipped" if problem.skipped else "still checked"
        click.echo(
            f"  row {problem.row} (learner id {problem.learner_id}): "
            f"{problem.reason} [{state}]"
        )
    raise click.exceptions.Exit(1)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")
