"""Recurring posts: the next occurrence of a series, as a post to queue."""

from __future__ import annotations

import secrets
import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

from publisher.models import PostImage, SanitisedImage
from publisher.store import NewPost, StoredPost
from publisher.timing import next_occurrence


def next_in_series(
    post: StoredPost, first: StoredPost, media_dir: Path
) -> NewPost | None:
    """The occurrence after ``post`` in the series ``first`` began, or None.

    It keeps the series' wall-clock time (09:00 stays 09:00 across clock
    changes) and gets its own copies of the sanitised images, so taking one
    occurrence down never removes another's files. None when the series has
    ended (``repeat_until``).
    """
    assert post.recurrence is not None
    zone = ZoneInfo(post.timezone)
    at = first.due_at.astimezone(zone).time()
    due = next_occurrence(post.due_at, zone, post.recurrence, at=at)
    if post.repeat_until and due > post.repeat_until:
        return None
    return NewPost(
        author=post.author,
        caption=post.caption,
        due_at=due,
        timezone=post.timezone,
        policy=post.policy,
        images=[
            PostImage(_copy_image(item.image, media_dir), item.alt_text)
            for item in post.images
        ],
        targets=[t.target for t in post.targets],
        pictured=post.pictured,
        acknowledgements=post.acknowledgements,
        recurrence=post.recurrence,
        repeat_until=post.repeat_until,
        series_id=post.series_id,
        school=post.school,
    )


def _copy_image(image: SanitisedImage, media_dir: Path) -> SanitisedImage:
    copy = media_dir / f"{secrets.token_hex(16)}{image.path.suffix}"
    shutil.copyfile(image.path, copy)
    return image._replace(path=copy)
