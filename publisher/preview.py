"""The dry run: exactly what each target would receive, and the verdict."""

from __future__ import annotations

import html
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from publisher.errors import PublisherError
from publisher.intake import judge
from publisher.models import Acknowledgement, Finding, PostImage, Verdict
from publisher.outgoing import image_problems, outgoing, parts_of
from publisher.platforms import Platform
from publisher.store import StoredPost

if TYPE_CHECKING:
    from publisher.policy import NamesChecker


@dataclass
class TargetPreview:
    """What one target would receive."""

    target: str
    text: str
    images: tuple[PostImage, ...]
    problems: list[str] = field(default_factory=list)


@dataclass
class Preview:
    """The whole dry run for one post."""

    post: StoredPost
    verdict: Verdict
    image_problems: list[str]
    targets: list[TargetPreview]

    @property
    def would_send(self) -> bool:
        return (
            not self.verdict.blocked
            and not self.image_problems
            and not any(t.problems for t in self.targets)
        )


def build_preview(
    post: StoredPost,
    checker: NamesChecker,
    platforms: Callable[[str], Platform],
) -> Preview:
    """Work out, without sending anything, what each target would get."""
    verdict = judge(checker, parts_of(post))
    previews = []
    for target in post.targets:
        out = outgoing(post)
        try:
            problems = platforms(target.target).limit_problems(out)
        except PublisherError as exc:
            problems = [str(exc)]
        previews.append(TargetPreview(target.target, out.text, out.images, problems))
    return Preview(post, verdict, image_problems(post), previews)


def describe_finding(finding: Finding) -> str:
    """One line a comms officer can act on."""
    who = ", ".join(finding.learner_ids) or "a likely learner not on the roster"
    state = "blocks" if finding.blocking else "warning"
    return (
        f"[{state}] {finding.field} characters {finding.start}-{finding.end} "
        f"{finding.matched!r} matches {who} ({finding.rule}): {finding.reason} "
        f"{finding.advice} (finding {finding.key})"
    )


def render_text(preview: Preview) -> str:
    post = preview.post
    lines = [f"Post {post.id}: {post.status.value}, policy {post.policy}"]
    lines.append(_verdict_line(preview))
    lines += ["  " + describe_finding(f) for f in preview.verdict.findings]
    lines += [
        f"  acknowledged {a.key} by {a.by}: {a.reason}" for a in post.acknowledgements
    ]
    lines += [f"  image problem: {p}" for p in preview.image_problems]
    states = {t.target: t for t in post.targets}
    for target in preview.targets:
        lines.append(f"\n== {target.target} ==")
        state = states[target.target]
        if state.status.value not in ("pending", "retry"):
            where = state.url or state.remote_id or state.error_message or ""
            lines.append(f"Already {state.status.value} here {where}".rstrip())
        lines.append("Text:")
        lines += ["  | " + line for line in target.text.splitlines() or [""]]
        for number, item in enumerate(target.images, start=1):
            image = item.image
            lines.append(
                f"Image {number}: {image.path} ({image.media_type}, "
                f"{image.width}x{image.height}, {image.byte_size:,} bytes)"
            )
            lines.append(f"  alt: {item.alt_text}")
        lines += [f"  problem: {p}" for p in target.problems]
    return "\n".join(lines)


def _verdict_line(preview: Preview) -> str:
    if preview.verdict.blocked:
        return "Verdict: BLOCKED - this post will not be sent."
    if not preview.would_send:
        return "Verdict: will not be sent until the problems below are fixed."
    return "Verdict: passes the names policy; would be sent as shown."


def write_html(preview: Preview, out_dir: Path) -> Path:
    """Write a page a person can open, with copies of the sanitised images."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for number, item in enumerate(preview.post.images, start=1):
        shutil.copyfile(item.image.path, out_dir / _image_name(number, item))
    page = out_dir / "index.html"
    page.write_text(_page(preview), encoding="utf-8")
    return page


def _image_name(number: int, item: PostImage) -> str:
    return f"image-{number}{item.image.path.suffix}"


def _page(preview: Preview) -> str:
    esc = html.escape
    post = preview.post
    parts = [
        "<!doctype html><html lang='en'><meta charset='utf-8'>",
        f"<title>Preview of post {esc(post.id)}</title>",
        "<style>body{font-family:sans-serif;max-width:50em;margin:2em auto}"
        ".card{border:1px solid #ccc;border-radius:8px;padding:1em;margin:1em 0}"
        ".text{white-space:pre-wrap}img{max-width:100%}.block{color:#a00}"
        "</style>",
        f"<h1>Post {esc(post.id)}</h1><p>{esc(_verdict_line(preview))}</p>",
        _findings_html(preview.verdict, post.acknowledgements),
    ]
    parts += [f"<p class='block'>{esc(p)}</p>" for p in preview.image_problems]
    for target in preview.targets:
        parts.append(f"<div class='card'><h2>{esc(target.target)}</h2>")
        parts.append(f"<p class='text'>{esc(target.text)}</p>")
        for number, item in enumerate(target.images, start=1):
            src = esc(_image_name(number, item))
            alt = esc(item.alt_text)
            parts.append(f"<figure><img src='{src}' alt='{alt}'>")
            parts.append(f"<figcaption>Alt text: {alt}</figcaption></figure>")
        parts += [f"<p class='block'>{esc(p)}</p>" for p in target.problems]
        parts.append("</div>")
    return "\n".join(parts) + "\n</html>\n"


def _findings_html(verdict: Verdict, acks: tuple[Acknowledgement, ...]) -> str:
    items = [f"<li>{html.escape(describe_finding(f))}</li>" for f in verdict.findings]
    items += [
        f"<li>Acknowledged {html.escape(a.key)} by {html.escape(a.by)}: "
        f"{html.escape(a.reason)}</li>"
        for a in acks
    ]
    return f"<ul>{''.join(items)}</ul>" if items else ""
