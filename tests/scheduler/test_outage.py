"""The database is down when the service starts, then comes back."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from publisher.models import PostStatus
from publisher.store import Store
from tests.conftest import SAMPLES
from tests.fakes import running_x_fake
from tests.scheduler.workers import worker_env


def _admin(url: str, statement: str) -> None:
    base = sa.engine.make_url(url).set(database="postgres")
    engine = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(statement))
    engine.dispose()


@pytest.mark.slow
@pytest.mark.postgres
def test_service_waits_for_the_database_then_publishes(
    postgres_url: str, tmp_path: Path
) -> None:
    name = sa.engine.make_url(postgres_url).database
    _admin(postgres_url, f"DROP DATABASE {name} WITH (FORCE)")
    with running_x_fake() as x:
        env = worker_env(tmp_path, x)
        env["PUBLISHER_DATABASE_URL"] = postgres_url
        log = tmp_path / "worker.log"
        with log.open("wb") as sink:
            worker = subprocess.Popen(
                [sys.executable, "-m", "publisher", "run", "--poll", "0.2"],
                env=env, stdout=subprocess.DEVNULL, stderr=sink,
            )  # fmt: skip
        try:
            status = subprocess.run(
                [sys.executable, "-m", "publisher", "status"],
                env=env, capture_output=True, timeout=60, check=False,
            )  # fmt: skip
            assert status.returncode != 0
            assert b"database" in status.stderr

            time.sleep(1.5)
            assert worker.poll() is None, "the service gave up"
            assert b"Trying again" in log.read_bytes()

            _admin(postgres_url, f"CREATE DATABASE {name}")
            added = subprocess.run(
                [sys.executable, "-m", "publisher", "add", "--caption", "Back!",
                 "--image", str(SAMPLES / "garden.jpg"), "--alt", "The garden",
                 "--to", "x", "--at", "now"],
                env=env, capture_output=True, timeout=60, check=False,
            )  # fmt: skip
            assert added.returncode == 0, added.stderr.decode()
            post_id = added.stdout.decode().strip()

            store = Store.open(postgres_url)
            deadline = time.monotonic() + 60
            while store.get_post(post_id).status != PostStatus.PUBLISHED:
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
            store.close()
            assert len(x.fake.live_posts()) == 1
        finally:
            worker.kill()
            worker.wait(timeout=30)


def test_status_reports_an_unreachable_database(
    tmp_path: Path,
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PUBLISHER_")}
    env["PUBLISHER_DATABASE_URL"] = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    env["PUBLISHER_ENV_FILE"] = os.devnull
    done = subprocess.run(
        [sys.executable, "-m", "publisher", "status"],
        env=env, capture_output=True, timeout=60, check=False, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 7
    assert b"Error: Cannot open the database" in done.stderr
