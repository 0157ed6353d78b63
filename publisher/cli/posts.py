"""Commands that queue, show and change posts."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import click

from publisher.cli import context

if TYPE_CHECKING:
    from publisher.store import Store, StoredPost


def _ack(value: str) -> tuple[str, str]:
    key, sep, reason = value.partition("=")
    if not sep or not reason.strip():
        raise click.BadParameter(
            "write --ack KEY='why this is not a learner', with the key that "
            "the refusal printed."
        )
    return key.strip(), reason.strip()


@click.command()
@click.option("--caption", required=True, help="The post's text.")
@click.option(
    "--image",
    "images",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="A photo (up to 4). Each needs an --alt, in the same order.",
)
@click.option("--alt", "alts", multiple=True, help="Alt text for each --image.")
@click.option("--to", "to", required=True, help="Targets, comma separated.")
@click.option("--at", "when", required=True, help="'now' or ISO 8601 time.")
@click.option(
    "--fold",
    type=click.IntRange(0, 1),
    default=None,
    help="For a time that happens twice when clocks go back: 0 first, 1 second.",
)
@click.option("--pictured", multiple=True, help="Roster id of a learner pictured.")
@click.option("--ack", "acks", multiple=True, help="KEY='reason': accept a finding.")
@click.option(
    "--every",
    type=click.Choice(["day", "week", "fortnight"]),
    default=None,
    help="Repeat at the same local time (09:00 stays 09:00 across clock changes).",
)
@click.option("--until", "until", default=None, help="Last time a repeat may fall.")
@click.option(
    "--draft", "as_draft", is_flag=True, help="Keep it as a draft; schedule it later."
)
def add(
    caption: str,
    images: tuple[Path, ...],
    alts: tuple[str, ...],
    to: str,
    when: str,
    fold: int | None,
    pictured: tuple[str, ...],
    acks: tuple[str, ...],
    every: str | None,
    until: str | None,
    as_draft: bool,
) -> None:
    """Queue a post and print its id."""
    from publisher.intake import Draft, queue_post
    from publisher.models import Acknowledgement
    from publisher.timing import parse_when

    if len(images) != len(alts):
        raise click.UsageError(
            f"Give one --alt for each --image ({len(images)} images, "
            f"{len(alts)} alt texts)."
        )
    config = context.settings()
    # The author is the login, never a name typed here: approval by "someone
    # else" must mean another account.
    who = context.whoami()
    now = datetime.now(UTC)
    draft = Draft(
        caption=caption,
        images=list(zip(images, alts, strict=True)),
        targets=[name.strip() for name in to.split(",") if name.strip()],
        due_at=parse_when(when, config.timezone, now=now, fold=fold),
        author=who,
        pictured=pictured,
        acknowledgements=[Acknowledgement(*_ack(a), by=who) for a in acks],
        recurrence=every,
        repeat_until=parse_when(until, config.timezone, now=now) if until else None,
        draft=as_draft,
    )
    post_id = queue_post(draft, config, context.store(config))
    click.echo(post_id)


@click.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per post.")
def list_posts(as_json: bool) -> None:
    """List posts with their status on each target."""
    config = context.settings()
    store = context.store(config)
    posts = store.list_posts()
    if not as_json:
        for (school, name), why in store.broken_accounts().items():
            removed = name != "outbox" and getattr(config, name, None) is None
            if school == config.school and removed:
                continue  # that account has since been removed from the settings
            whose = "" if school == "default" else f" of {school}"
            click.echo(f"ALERT: the {name} account{whose} is broken: {why}", err=True)
            click.echo("       Fix it, run 'publisher doctor', then retry.", err=True)
    for post in posts:
        if as_json:
            click.echo(json.dumps(_post_json(post), ensure_ascii=False))
            continue
        school = "" if post.school == "default" else f"  [{post.school}]"
        click.echo(
            f"{post.id}  {context.local(post.due_at, config)}  {post.status.value}"
            f"  {len(post.images)} image(s){school}"
        )
        if post.status.value in ("blocked", "missed", "expired"):
            click.echo(f"    why: {_why(store, post)}")
        for target in post.targets:
            detail = target.url or target.error_message or ""
            click.echo(f"    {target.target:<10} {target.status.value:<15} {detail}")
    if not posts and not as_json:
        click.echo("No posts yet. Queue one with 'publisher add'.")


def _why(store: Store, post: StoredPost) -> str:
    """The reason recorded when the post entered its present state."""
    for entry in reversed(store.history(post.id)):
        if entry.target is None and entry.to_status == post.status.value:
            return entry.reason or "-"
    return "-"


def _post_json(post: StoredPost) -> dict[str, object]:
    return {
        "id": post.id,
        "school": post.school,
        "status": post.status.value,
        "due_at": post.due_at.isoformat(),
        "timezone": post.timezone,
        "author": post.author,
        "images": len(post.images),
        "targets": [
            {
                "target": t.target,
                "status": t.status.value,
                "remote_id": t.remote_id,
                "url": t.url,
                "error_kind": t.error_kind,
                "error_code": t.error_code,
                "error": t.error_message,
                "attempts": t.attempts,
                "next_attempt_at": t.next_attempt_at.isoformat()
                if t.next_attempt_at
                else None,
            }
            for t in post.targets
        ],
    }


@click.command()
@click.argument("post_id")
@click.option(
    "--html",
    "html_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also write a page a person can open into this folder.",
)
def preview(post_id: str, html_dir: Path | None) -> None:
    """Show exactly what each target would receive, and the verdict."""
    from publisher.intake import load_checker
    from publisher.platforms import get_platform
    from publisher.preview import build_preview, render_text, write_html

    config = context.settings()
    post = context.store(config).get_post(post_id)
    checker, _ = load_checker(config)
    result = build_preview(post, checker, lambda name: get_platform(name, config))
    click.echo(render_text(result))
    if html_dir is not None:
        page = write_html(result, html_dir)
        click.echo(f"\nWrote {page}")


@click.command()
@click.argument("post_id")
def retry(post_id: str) -> None:
    """Send a post again, only to the targets that failed."""
    config = context.settings()
    targets = context.publisher(config).retry(
        post_id, actor=context.whoami(), now=datetime.now(UTC)
    )
    click.echo(f"Post {post_id} will be retried on: {', '.join(targets)}.")


@click.command()
@click.argument("post_id")
@click.option("--reason", default="takedown requested", help="Why, for the audit.")
def takedown(post_id: str, reason: str) -> None:
    """Delete a post from every platform it reached."""
    config = context.settings()
    reports = context.publisher(config).takedown(
        post_id, actor=context.whoami(), reason=reason
    )
    if not reports:
        click.echo(f"Post {post_id} was not live anywhere; nothing to delete.")
    for report in reports:
        click.echo(f"{report.target:<10} {report.status.value:<12} {report.detail}")
    if any(r.status.value == "still_live" for r in reports):
        raise click.exceptions.Exit(6)


@click.command()
@click.argument("post_id")
def history(post_id: str) -> None:
    """Show every change to a post: when, who, from what to what, why."""
    config = context.settings()
    for entry in context.store(config).history(post_id):
        where = f" [{entry.target}]" if entry.target else ""
        click.echo(
            f"{context.local(entry.at, config)}  {entry.actor}{where}  "
            f"{entry.from_status or '-'} -> {entry.to_status}  {entry.reason}"
        )


@click.command()
@click.argument("post_id")
@click.option("--at", "when", required=True, help="'now' or ISO 8601 time.")
@click.option("--fold", type=click.IntRange(0, 1), default=None)
def reschedule(post_id: str, when: str, fold: int | None) -> None:
    """Give a draft, missed, blocked or scheduled post a new time."""
    from publisher.timing import parse_when

    config = context.settings()
    due = parse_when(when, config.timezone, now=datetime.now(UTC), fold=fold)
    status = context.publisher(config).reschedule(post_id, due, actor=context.whoami())
    click.echo(f"Post {post_id} is {status.value}, due {context.local(due, config)}.")


@click.command()
@click.argument("post_id")
@click.argument("target")
@click.option("--published", "remote_id", help="The id the platform shows for it.")
@click.option("--url", help="The post's address on the platform.")
@click.option("--not-published", is_flag=True, help="It is not on the platform.")
def resolve(
    post_id: str,
    target: str,
    remote_id: str | None,
    url: str | None,
    not_published: bool,
) -> None:
    """Record what a person found for a target that needs checking."""
    from publisher.errors import InvalidTransition
    from publisher.models import TargetStatus
    from publisher.outgoing import settle

    if bool(remote_id) == not_published:
        raise click.UsageError("Give exactly one of --published ID or --not-published.")
    config = context.settings()
    store = context.store(config)
    post = store.get_post(post_id)
    if post.target(target).status != TargetStatus.NEEDS_CHECKING:
        raise InvalidTransition(f"{target} on post {post_id} does not need checking.")
    who = context.whoami()
    if remote_id:
        store.update_target(
            post_id,
            target,
            TargetStatus.PUBLISHED,
            actor=who,
            reason="checked by hand",
            remote_id=remote_id,
            url=url,
        )
    else:
        store.update_target(
            post_id,
            target,
            TargetStatus.FAILED,
            actor=who,
            reason="checked by hand: not published",
            error_message="Not published (checked by hand); retry to send it.",
        )
    status, _ = settle(store.get_post(post_id).targets)
    store.set_status(post_id, status, actor=who, reason="resolved by hand")
    click.echo(f"Post {post_id} is now {status.value}.")


@click.command()
@click.argument("post_id")
@click.option("--at", "when", default=None, help="A new time; needed once expired.")
@click.option("--fold", type=click.IntRange(0, 1), default=None)
def approve(post_id: str, when: str | None, fold: int | None) -> None:
    """Approve a post queued by someone else, so that it can go out."""
    from publisher.timing import parse_when

    config = context.settings()
    now = datetime.now(UTC)
    due = parse_when(when, config.timezone, now=now, fold=fold) if when else None
    at = context.publisher(config).approve(
        post_id, actor=context.whoami(), now=now, due_at=due
    )
    click.echo(f"Post {post_id} approved; due {context.local(at, config)}.")


def _duration(text: str) -> timedelta:
    units = {"h": 1 / 24, "d": 1, "w": 7}
    number, unit = text[:-1], text[-1:].lower()
    if unit not in units or not number.isdigit():
        raise click.BadParameter(
            f"{text!r} is not a duration; write a number and h, d or w, as 90d."
        )
    return timedelta(days=int(number) * units[unit])


@click.command()
@click.option(
    "--older-than",
    "older_than",
    required=True,
    help="Only posts published longer ago than this, as 90d, 12w or 48h.",
)
@click.option("--takedown", "take_down", is_flag=True, help="Also delete them.")
@click.option("--reason", default="regular review", help="Why, for the audit.")
@click.option(
    "--yes", "confirmed", is_flag=True, help="Take them down without asking first."
)
def review(older_than: str, take_down: bool, reason: str, confirmed: bool) -> None:
    """List published posts with images, oldest first, for the regular audit."""
    from publisher.models import PostStatus

    config = context.settings()
    cutoff = datetime.now(UTC) - _duration(older_than)
    live = (PostStatus.PUBLISHED, PostStatus.PARTLY_PUBLISHED)
    posts = [
        p
        for p in context.store(config).list_posts(statuses=live)
        if p.images and p.due_at <= cutoff
    ]
    for post in posts:
        reached = ", ".join(
            t.target for t in post.targets if t.status.value == "published"
        )
        click.echo(
            f"{post.id}  {context.local(post.due_at, config)}  "
            f"{len(post.images)} image(s)  on {reached}"
        )
    if not posts:
        click.echo("No published posts with images are older than that.")
    if take_down and posts and not confirmed:
        _confirm_takedown(len(posts))
    if take_down:
        publisher = context.publisher(config)
        for post in posts:
            for report in publisher.takedown(
                post.id, actor=context.whoami(), reason=reason
            ):
                click.echo(f"  {post.id} {report.target}: {report.status.value}")


def _confirm_takedown(count: int) -> None:
    """Deleting published posts cannot be undone: ask, or insist on --yes."""
    question = f"Take down these {count} post(s) everywhere? This cannot be undone."
    if not sys.stdin.isatty():
        raise click.UsageError(
            f"Taking down {count} post(s) cannot be undone, and there is no "
            "terminal to confirm it: add --yes."
        )
    if not click.confirm(question, default=False):
        raise click.exceptions.Exit(1)
