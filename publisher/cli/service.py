"""Commands that run and watch the service."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import click

from publisher.cli import context
from publisher.config import MIN_POLL_SECONDS

if TYPE_CHECKING:
    from publisher.config import Settings
    from publisher.outgoing import PostReport
    from publisher.policy import NamesChecker, Policy
    from publisher.publishing import Publisher

#: The sample data the quick start uses, shipped in the repository.
SAMPLES = Path(__file__).resolve().parents[2] / "samples"
#: A heartbeat older than this means the scheduler is not running.
STALE_HEARTBEAT = timedelta(minutes=2)


@click.command()
@click.option("--once", is_flag=True, help="Publish what is due now, then exit.")
@click.option("--dry-run", is_flag=True, help="Show what is due; send nothing.")
@click.option(
    "--poll",
    type=click.FloatRange(min=MIN_POLL_SECONDS),
    default=None,
    help="Seconds between checks, at least 0.2 (default PUBLISHER_POLL_SECONDS or 1).",
)
def run(once: bool, dry_run: bool, poll: float | None) -> None:
    """Run the scheduler: publish each post at its time."""
    from publisher import scheduler

    config = context.settings()
    if dry_run or once:
        publisher = context.publisher(config)
        if dry_run:
            _dry_run(publisher)
            return
        # A round takes at most a few hundred posts; --once keeps going
        # until nothing more is due, or until Ctrl-C (after the call under way).
        scheduler.stop_on_signals(publisher)
        while not publisher.stopping.is_set() and (
            reports := scheduler.tick(publisher)
        ):
            for report in reports:
                _echo_report(report)
        scheduler.ignore_signals()
        return
    seconds = poll or config.poll_seconds
    publisher = scheduler.connect(config)
    click.echo(
        f"publisher: running as {publisher.worker}, checking every {seconds:g} s; "
        "Ctrl-C stops it after the call under way. 'publisher list' shows posts.",
        err=True,
    )
    scheduler.serve(publisher, poll_seconds=seconds)


def _dry_run(publisher: Publisher) -> None:
    from publisher.intake import load_checker
    from publisher.platforms import get_platform
    from publisher.preview import build_preview, render_text

    config, store = publisher.settings, publisher.store
    due = store.due_post_ids(datetime.now(UTC))
    if not due:
        click.echo("Nothing is due. (Dry run: nothing was sent.)")
        return
    checker, _ = load_checker(config)
    for post_id in due:
        result = build_preview(
            store.get_post(post_id), checker, lambda n: get_platform(n, config)
        )
        click.echo(render_text(result) + "\n")
    click.echo(f"Dry run: {len(due)} post(s) due; nothing was sent.")


def _echo_report(report: PostReport) -> None:
    click.echo(f"post {report.post_id}: {report.status.value} {report.detail}".rstrip())
    for target in report.targets:
        detail = target.url or target.detail
        click.echo(f"    {target.target:<10} {target.status.value:<15} {detail}")


@click.command()
def status() -> None:
    """Report the scheduler's health; exit 1 when it is unhealthy."""
    from publisher.models import PostStatus

    config = context.settings()
    store = context.store(config)
    now = datetime.now(UTC)
    beat = store.last_heartbeat()
    problems = []
    if beat is None:
        problems.append("The scheduler has never run: start 'publisher run'.")
    elif now - beat > STALE_HEARTBEAT:
        problems.append(
            f"The scheduler's last heartbeat was {context.local(beat, config)}: "
            "it is not running or cannot reach the database."
        )
    stuck = sorted(
        set(store.stale_claims(now)) | set(store.orphaned_claims(now, STALE_HEARTBEAT))
    )
    if stuck:
        problems.append(f"Posts stuck in publishing: {', '.join(stuck)}.")
    attention = store.list_posts(
        statuses=(PostStatus.NEEDS_CHECKING, PostStatus.MISSED)
    )
    click.echo(f"last heartbeat: {context.local(beat, config)}")
    click.echo(f"next due post:  {context.local(store.next_due(), config)}")
    for post in attention:
        click.echo(f"needs a person: post {post.id} is {post.status.value}")
    for problem in problems:
        click.echo(f"UNHEALTHY: {problem}", err=True)
    if problems:
        raise click.exceptions.Exit(1)
    click.echo("healthy")


@click.command()
def doctor() -> None:
    """Check settings, roster, policy, database and every configured account."""
    from publisher.errors import PublisherError
    from publisher.intake import load_checker
    from publisher.platforms import TARGET_NAMES

    config = context.settings()
    failures = 0
    checks: list[tuple[str, Callable[[], str]]] = [
        ("roster and policy", lambda: _describe_checker(load_checker(config), config)),
        ("database", lambda: _describe_store(config)),
    ]
    for name in TARGET_NAMES:
        if name == "outbox" or getattr(config, name, None) is not None:
            checks.append((name, partial(_check_account, name, config)))
    for label, check in checks:
        try:
            click.echo(f"ok    {label}: {check()}")
        except PublisherError as exc:
            failures += 1
            click.echo(f"FAIL  {label}: {exc}")
        except Exception as exc:  # doctor reports every check, whatever happens
            failures += 1
            click.echo(f"FAIL  {label}: an unexpected {type(exc).__name__}.")
    if failures:
        raise click.exceptions.Exit(2)


def _check_account(name: str, config: Settings) -> str:
    from publisher.platforms import get_platform

    return get_platform(name, config).check_credentials()


def _describe_checker(loaded: tuple[NamesChecker, Policy], config: Settings) -> str:
    from publisher.errors import ConfigError

    if config.roster is not None and _is_sample_roster(config.roster):
        # Every check passes with it, yet no real learner is protected.
        raise ConfigError(
            "PUBLISHER_ROSTER is the fictional sample roster shipped with "
            "publisher. Set it to your school's roster export."
        )
    return f"policy {loaded[1].name} loaded; roster readable"


def _is_sample_roster(roster: Path) -> bool:
    """The shipped fictional roster, at its own path or copied elsewhere."""
    sample = SAMPLES / "roster.csv"
    try:
        return roster.resolve() == sample.resolve() or (
            roster.stat().st_size == sample.stat().st_size
            and roster.read_bytes() == sample.read_bytes()
        )
    except OSError:
        return False


def _describe_store(config: Settings) -> str:
    context.store(config)
    return "reachable"


@click.command()
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("demo-data"),
    show_default=True,
    help="Where the demo keeps its database, media and outbox.",
)
def demo(data_dir: Path) -> None:
    """Queue the sample posts, publish them to the outbox, and show the result."""
    os.environ.setdefault("PUBLISHER_ROSTER", str(SAMPLES / "roster.csv"))
    os.environ["PUBLISHER_DATA_DIR"] = str(data_dir)
    for key in ("PUBLISHER_DATABASE_URL", "PUBLISHER_OUTBOX_DIR"):
        os.environ.pop(key, None)
    from publisher import scheduler
    from publisher.cli.output import print_findings
    from publisher.errors import PostBlocked
    from publisher.intake import Draft, queue_post

    config = context.settings()
    store = context.store(config)
    now = datetime.now(UTC)
    samples = json.loads((SAMPLES / "posts.json").read_text(encoding="utf-8"))
    for sample in samples:
        draft = Draft(
            caption=sample["caption"],
            images=[(SAMPLES / i["file"], i["alt"]) for i in sample["images"]],
            targets=["outbox"],
            due_at=now + timedelta(days=sample.get("days_ahead", 0)),
            author="demo",
        )
        try:
            post_id = queue_post(draft, config, store)
            click.echo(f"queued  {post_id}  {sample['title']}")
        except PostBlocked as exc:
            click.echo(f"REFUSED {sample['title']}: {exc}")
            print_findings(exc.findings)
    click.echo("\nPublishing what is due now:")
    for report in scheduler.tick(context.publisher(config, worker="demo")):
        _echo_report(report)
    click.echo(f"\nThe outbox is {config.outbox_dir.resolve()}")
    # Name the command as it was typed (.venv/bin/publisher is not on PATH).
    typed = sys.argv[0] if sys.argv and sys.argv[0].endswith("publisher") else ""
    exe = typed or "publisher"
    click.echo(f"See every post with: PUBLISHER_DATA_DIR={data_dir} {exe} list")
