"""A queue with a real roster, real photos and a recording platform."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest

from publisher.config import Settings, load_settings
from publisher.errors import PublisherError
from publisher.intake import Draft, queue_post
from publisher.models import Acknowledgement, OutgoingPost, PublishReceipt
from publisher.platforms import Platform, get_platform
from publisher.publishing import Publisher
from publisher.store import Store
from tests.conftest import REPO, SAMPLES

NOW = datetime(2027, 5, 4, 9, 0, tzinfo=UTC)


class RecordingPlatform(Platform):
    """Keeps what it was sent; raises whatever the test queues up."""

    max_image_bytes = 5_000_000

    def __init__(self, name: str) -> None:
        self.name = name  # type: ignore[misc]
        self.sent: list[OutgoingPost] = []
        self.deleted: list[str] = []
        self.failures: list[Exception] = []
        self.delete_failures: list[Exception] = []

    def publish(self, post: OutgoingPost) -> PublishReceipt:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append(post)
        return PublishReceipt(f"{self.name}-{len(self.sent)}", f"https://{self.name}/")

    def delete(self, receipt: PublishReceipt) -> None:
        if self.delete_failures:
            raise self.delete_failures.pop(0)
        self.deleted.append(receipt.remote_id)

    def check_credentials(self) -> str:
        return self.name


@dataclass
class Queue:
    settings: Settings
    store: Store
    platforms: dict[str, RecordingPlatform] = field(default_factory=dict)

    def platform(self, name: str) -> Platform:
        if name == "outbox":
            return get_platform("outbox", self.settings)
        if name not in self.platforms:
            raise PublisherError(f"{name} is not configured in this test.")
        return self.platforms[name]

    def publisher(self, worker: str = "w1") -> Publisher:
        return Publisher(
            self.settings, self.store, worker=worker, platforms=self.platform
        )

    def add(
        self,
        caption: str = "Sports day was brilliant!",
        *,
        targets: tuple[str, ...] = ("outbox", "alpha"),
        due: datetime = NOW,
        images: tuple[str, ...] = ("sports-day.jpg",),
        every: str | None = None,
        acks: list[str] | None = None,
    ) -> str:
        draft = Draft(
            caption=caption,
            images=[(SAMPLES / name, f"Photo {name}") for name in images],
            targets=targets,
            due_at=due,
            author="tester",
            recurrence=every,
            acknowledgements=[
                Acknowledgement(key, "visiting athlete", "tester") for key in acks or ()
            ],
        )
        return queue_post(draft, self.settings, self.store, platforms=self.platform)


@pytest.fixture
def queue(tmp_path: Path) -> Iterator[Queue]:
    roster = tmp_path / "roster.csv"
    shutil.copyfile(SAMPLES / "roster.csv", roster)
    settings = load_settings(
        {
            "PUBLISHER_DATA_DIR": str(tmp_path / "data"),
            "PUBLISHER_ROSTER": str(roster),
            "PUBLISHER_POLICIES_DIR": str(REPO / "policies"),
        }
    )
    store = Store.open(settings.database_url)
    q = Queue(settings, store)
    q.platforms["alpha"] = RecordingPlatform("alpha")
    q.platforms["beta"] = RecordingPlatform("beta")
    yield q
    store.close()


Clock = Callable[[], datetime]
