"""The local outbox target: atomic folders, clear errors, nothing half written."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from publisher.errors import PermanentPlatformError, TransientPlatformError
from publisher.platforms.outbox import OutboxPlatform
from tests.platforms.conftest import PostFactory


def test_post_is_one_folder(tmp_path: Path, post_factory: PostFactory) -> None:
    outbox = OutboxPlatform(tmp_path / "outbox")

    receipt = outbox.publish(post_factory(2))

    folder = tmp_path / "outbox" / receipt.remote_id
    assert sorted(p.name for p in folder.iterdir()) == [
        "image-1.jpeg",
        "image-2.jpeg",
        "post.txt",
        "record.json",
    ]


def test_a_file_in_the_way_is_a_clear_permanent_failure(
    tmp_path: Path, post_factory: PostFactory
) -> None:
    blocker = tmp_path / "outbox"
    blocker.write_text("not a folder\n")
    outbox = OutboxPlatform(blocker)

    with pytest.raises(PermanentPlatformError, match="PUBLISHER_OUTBOX_DIR"):
        outbox.publish(post_factory())
    with pytest.raises(PermanentPlatformError, match="cannot be used"):
        outbox.check_credentials()


def test_a_full_disk_is_retried_and_leaves_nothing(
    tmp_path: Path, post_factory: PostFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    outbox = OutboxPlatform(tmp_path / "outbox")

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("publisher.platforms.outbox.shutil.copyfile", full)

    with pytest.raises(TransientPlatformError, match="free some space"):
        outbox.publish(post_factory())
    assert list((tmp_path / "outbox").iterdir()) == [], "no staging folder left"
