from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from publisher.errors import InvalidTransition, PostNotFound, StoreError
from publisher.models import (
    Acknowledgement,
    PostImage,
    PostStatus,
    SanitisedImage,
    TargetStatus,
)
from publisher.store import NewPost, Store

NOW = datetime(2027, 5, 1, 9, 0, tzinfo=UTC)
LEASE = timedelta(minutes=5)


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    else:
        url = request.getfixturevalue("postgres_url")
    opened = Store.open(url)
    yield opened
    opened.close()


def _new(due: datetime, targets: tuple[str, ...] = ("outbox", "x")) -> NewPost:
    image = SanitisedImage(Path("/m/a.jpg"), "image/jpeg", 1080, 720, 1234, "ab" * 32)
    return NewPost(
        author="head",
        caption="Sports day! Diwrnod mabolgampau!",
        due_at=due,
        timezone="Europe/London",
        policy="images-no-names",
        images=[PostImage(image, "Children running; plant yn rhedeg")],
        targets=targets,
        acknowledgements=[Acknowledgement("caption:0-5", "a place", "head")],
    )


def test_post_round_trips(store: Store) -> None:
    post_id = store.add_post(_new(NOW))
    post = store.get_post(post_id)
    assert post.caption == "Sports day! Diwrnod mabolgampau!"
    assert post.due_at == NOW
    assert post.status == PostStatus.SCHEDULED
    assert [t.target for t in post.targets] == ["outbox", "x"]
    assert all(t.status == TargetStatus.PENDING for t in post.targets)
    assert post.images[0].alt_text == "Children running; plant yn rhedeg"
    assert post.acknowledged_keys == ("caption:0-5",)


def test_due_posts_exclude_the_future(store: Store) -> None:
    past = store.add_post(_new(NOW - timedelta(minutes=1)))
    store.add_post(_new(NOW + timedelta(minutes=1)))
    assert store.due_post_ids(NOW) == [past]


def test_only_one_claim_wins(store: Store) -> None:
    post_id = store.add_post(_new(NOW))
    assert store.claim(post_id, "w1", now=NOW, lease=LEASE)
    assert not store.claim(post_id, "w2", now=NOW, lease=LEASE)
    assert store.get_post(post_id).status == PostStatus.PUBLISHING
    assert store.due_post_ids(NOW) == []


def test_expired_lease_is_reported_stale(store: Store) -> None:
    post_id = store.add_post(_new(NOW))
    store.claim(post_id, "w1", now=NOW, lease=LEASE)
    assert store.stale_claims(NOW + LEASE / 2) == []
    assert store.stale_claims(NOW + LEASE * 2) == [post_id]


def test_every_change_is_in_the_history(store: Store) -> None:
    post_id = store.add_post(_new(NOW))
    store.claim(post_id, "w1", now=NOW, lease=LEASE)
    store.update_target(post_id, "x", TargetStatus.SENDING, actor="w1")
    store.update_target(post_id, "x", TargetStatus.PUBLISHED, actor="w1", remote_id="9")
    store.release(post_id, PostStatus.PARTLY_PUBLISHED, actor="w1", reason="done")
    changes = [(e.target, e.from_status, e.to_status) for e in store.history(post_id)]
    assert changes == [
        (None, None, "scheduled"),
        (None, "scheduled", "publishing"),
        ("x", "pending", "sending"),
        ("x", "sending", "published"),
        (None, "publishing", "partly_published"),
    ]


def test_guarded_status_change_refuses(store: Store) -> None:
    post_id = store.add_post(_new(NOW))
    with pytest.raises(InvalidTransition, match="scheduled"):
        store.set_status(
            post_id,
            PostStatus.PUBLISHED,
            actor="x",
            expect=[PostStatus.PUBLISHING],
        )


def test_unknown_post_says_how_to_find_ids(store: Store) -> None:
    with pytest.raises(PostNotFound, match="publisher list"):
        store.get_post("nope")


def test_reopening_keeps_posts(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    first = Store.open(url)
    post_id = first.add_post(_new(NOW))
    first.close()
    second = Store.open(url)
    assert second.get_post(post_id).status == PostStatus.SCHEDULED
    second.close()


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    import sqlalchemy as sa

    from publisher.errors import StoreError

    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    Store.open(url).close()
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(StoreError, match="newer version"):
        Store.open(url)


def test_claim_of_a_silent_worker_is_orphaned(store: Store) -> None:
    post_id = store.add_post(_new(NOW))
    store.heartbeat("w1", NOW)
    store.claim(post_id, "w1", now=NOW, lease=timedelta(hours=1))
    quiet = timedelta(minutes=2)
    assert store.orphaned_claims(NOW + timedelta(minutes=1), quiet) == []
    assert store.orphaned_claims(NOW + timedelta(minutes=3), quiet) == [post_id]


def test_a_missing_database_driver_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if not installed

    with pytest.raises(StoreError, match=r"pip install -e '\.\[postgres\]'"):
        Store.open("postgresql+psycopg://postgres@127.0.0.1:1/none")


def test_an_unknown_database_kind_is_named(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="PUBLISHER_DATABASE_URL names a database"):
        Store.open("oracle+nosuchdriver://postgres@127.0.0.1:1/none")


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///", "sqlite:///:memory:"])
def test_an_in_memory_database_is_refused(url: str) -> None:
    with pytest.raises(StoreError, match="in-memory"):
        Store.open(url)


def test_a_broken_url_is_one_clear_error() -> None:
    with pytest.raises(StoreError, match="not a database URL"):
        Store.open("postgresql+psycopg://u@[::1/db")
