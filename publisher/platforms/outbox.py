"""The embedded default target: a folder that receives what would be posted.

Each published post becomes one folder holding the final text, the sanitised
images and a JSON record. It needs no credentials, so a school can try the
whole pipeline, and it is the target the quick start uses.
"""

from __future__ import annotations

import errno
import json
import logging
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from publisher.errors import (
    PermanentPlatformError,
    PlatformError,
    TransientPlatformError,
)
from publisher.models import OutgoingPost, PublishReceipt
from publisher.platforms.base import Platform

log = logging.getLogger(__name__)

#: Write errors that pass with time (a full disk, a quota, a busy device).
_PASSING_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EAGAIN})


class OutboxPlatform(Platform):
    """Writes posts into ``root/<post id>/``."""

    name = "outbox"
    max_images = 4
    max_image_bytes = 5_000_000
    max_alt_chars = 1000

    def __init__(self, root: Path) -> None:
        self.root = root

    def publish(self, post: OutgoingPost) -> PublishReceipt:
        self._make_root()
        final = self.root / post.post_id
        if final.exists():
            raise PermanentPlatformError(
                f"The outbox already holds post {post.post_id}; it was not "
                "written twice. Remove the folder to publish it again.",
                platform=self.name,
                code="duplicate",
            )
        staging: Path | None = None
        try:
            staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=self.root))
            self._write(staging, post)
            # A rename is atomic: a crash leaves either nothing or the whole post.
            staging.rename(final)
        except OSError as exc:
            if staging is not None:
                shutil.rmtree(staging, ignore_errors=True)
            raise self._unwritable(exc) from exc
        log.info("post %s: written to the outbox", post.post_id)
        return PublishReceipt(remote_id=post.post_id, url=final.resolve().as_uri())

    def _write(self, folder: Path, post: OutgoingPost) -> None:
        (folder / "post.txt").write_text(post.text, encoding="utf-8")
        record: dict[str, object] = {
            "post_id": post.post_id,
            "text": post.text,
            "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "images": [],
        }
        for number, item in enumerate(post.images, start=1):
            suffix = item.image.path.suffix
            name = f"image-{number}{suffix}"
            shutil.copyfile(item.image.path, folder / name)
            record["images"].append(  # type: ignore[attr-defined]
                {
                    "file": name,
                    "alt_text": item.alt_text,
                    "media_type": item.image.media_type,
                    "width": item.image.width,
                    "height": item.image.height,
                    "bytes": item.image.byte_size,
                    "sha256": item.image.sha256,
                }
            )
        text = json.dumps(record, indent=2, ensure_ascii=False)
        (folder / "record.json").write_text(text + "\n", encoding="utf-8")

    def delete(self, receipt: PublishReceipt) -> None:
        folder = self.root / receipt.remote_id
        if folder.parent != self.root or not receipt.remote_id.isalnum():
            raise PermanentPlatformError(
                f"Outbox id {receipt.remote_id!r} is not one this product wrote.",
                platform=self.name,
            )
        shutil.rmtree(folder, ignore_errors=True)

    def check_credentials(self) -> str:
        self._make_root()
        return f"outbox folder {self.root}"

    def _make_root(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise self._unwritable(exc) from exc

    def _unwritable(self, exc: OSError) -> PlatformError:
        reason = exc.strerror or type(exc).__name__
        if exc.errno in _PASSING_ERRNOS:
            return TransientPlatformError(
                f"The outbox folder {self.root} could not be written ({reason}); "
                "nothing was written. It is tried again later; free some space.",
                platform=self.name,
                code=str(exc.errno),
            )
        return PermanentPlatformError(
            f"The outbox folder {self.root} cannot be used ({reason}); nothing "
            "was written. Set PUBLISHER_OUTBOX_DIR to a folder this account "
            "can write to, then run 'publisher retry'.",
            platform=self.name,
            code=str(exc.errno),
        )
