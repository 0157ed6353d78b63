"""The environment of a worker process aimed at the platform fakes."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from tests.conftest import REPO, SAMPLES
from tests.fakes import FacebookFake, RunningFake, XFake

#: Short, so that a test can wait out a dead worker's claim.
LEASE_SECONDS = 1.0


def worker_env(
    tmp_path: Path,
    x: RunningFake[XFake],
    fb: RunningFake[FacebookFake] | None = None,
) -> dict[str, str]:
    """Settings for ``python -m publisher`` posting to the given fakes."""
    roster = tmp_path / "roster.csv"
    if not roster.exists():
        tmp_path.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SAMPLES / "roster.csv", roster)
    creds = x.fake.credentials()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PUBLISHER_")}
    env.update(
        PUBLISHER_DATA_DIR=str(tmp_path / "data"),
        PUBLISHER_ROSTER=str(roster),
        PUBLISHER_POLICIES_DIR=str(REPO / "policies"),
        PUBLISHER_LEASE_SECONDS=str(LEASE_SECONDS),
        PUBLISHER_HTTP_TIMEOUT="60",
        PUBLISHER_ENV_FILE=os.devnull,
        X_API_KEY=creds["api_key"],
        X_API_SECRET=creds["api_secret"],
        X_ACCESS_TOKEN=creds["access_token"],
        X_ACCESS_TOKEN_SECRET=creds["access_token_secret"],
        X_API_BASE=x.base_url,
        X_CLIENT_BASE=x.base_url,
    )
    if fb is not None:
        env.update(
            FB_PAGE_ID=fb.fake.page_id,
            FB_PAGE_ACCESS_TOKEN=fb.fake.page_token,
            FB_GRAPH_BASE=fb.base_url + "/",
        )
        if fb.fake.app_secret:
            env["FB_APP_SECRET"] = fb.fake.app_secret
    return env
