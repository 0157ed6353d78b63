"""One deployment serving two schools of a trust, each with its own roster
and its own X account."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from publisher.cli.app import cli
from publisher.config import load_settings
from publisher.errors import ConfigError
from tests.conftest import REPO, SAMPLES
from tests.fakes import RunningFake, XFake, running_x_fake


def school_file(folder: Path, name: str, x: RunningFake[XFake], roster: str) -> None:
    (folder / f"{name}-roster.csv").write_text(
        "learner_id,given_name,family_name,preferred_name,year_group\n" + roster,
        encoding="utf-8",
    )
    creds = x.fake.credentials()
    (folder / f"{name}.env").write_text(
        f"PUBLISHER_ROSTER={folder / f'{name}-roster.csv'}\n"
        f"X_API_KEY={creds['api_key']}\nX_API_SECRET={creds['api_secret']}\n"
        f"X_ACCESS_TOKEN={creds['access_token']}\n"
        f"X_ACCESS_TOKEN_SECRET={creds['access_token_secret']}\n"
        f"X_API_BASE={x.base_url}\nX_CLIENT_BASE={x.base_url}\n",
        encoding="utf-8",
    )


@pytest.fixture
def trust(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[RunningFake[XFake], RunningFake[XFake]]]:
    schools = tmp_path / "schools"
    schools.mkdir()
    with running_x_fake() as north, running_x_fake() as south:
        school_file(schools, "north", north, "N1,Tegwen,Quaintance,,Year 3\n")
        school_file(schools, "south", south, "S1,Bartholomew,Ashdown,,Year 5\n")
        monkeypatch.setenv("PUBLISHER_SCHOOLS_DIR", str(schools))
        monkeypatch.setenv("PUBLISHER_DATA_DIR", str(tmp_path / "data"))
        monkeypatch.setenv("PUBLISHER_POLICIES_DIR", str(REPO / "policies"))
        # The trust's own accounts must never be used for a school's posts.
        monkeypatch.setenv("X_API_KEY", "trust-key")
        monkeypatch.setenv("X_API_SECRET", "trust-secret")
        monkeypatch.setenv("X_ACCESS_TOKEN", "trust-token")
        monkeypatch.setenv("X_ACCESS_TOKEN_SECRET", "trust-token-secret")
        yield north, south


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def add(school: str, caption: str) -> Result:
    return invoke(
        "--school", school, "add", "--caption", caption,
        "--image", str(SAMPLES / "garden.jpg"), "--alt", "The garden",
        "--to", "x", "--at", "now",
    )  # fmt: skip


def test_each_school_uses_its_roster_and_account(
    trust: tuple[RunningFake[XFake], RunningFake[XFake]],
) -> None:
    north, south = trust
    assert add("north", "Well done to the Quaintance family!").exit_code == 3
    assert add("south", "Well done to the Quaintance family!").exit_code == 0
    assert add("north", "Well done to the Ashdown family!").exit_code == 0

    assert invoke("run", "--once").exit_code == 0

    assert [p.text for p in south.fake.live_posts()] == [
        "Well done to the Quaintance family!"
    ]
    assert [p.text for p in north.fake.live_posts()] == [
        "Well done to the Ashdown family!"
    ]
    assert "[north]" in invoke("list").output


def test_school_file_may_not_change_the_database(
    tmp_path: Path, trust: tuple[RunningFake[XFake], RunningFake[XFake]]
) -> None:
    schools = tmp_path / "schools"
    with (schools / "north.env").open("a", encoding="utf-8") as handle:
        handle.write("PUBLISHER_DATABASE_URL=sqlite:////tmp/elsewhere.db\n")
    with pytest.raises(ConfigError, match="PUBLISHER_DATABASE_URL"):
        load_settings(school="north")


@pytest.mark.parametrize("name", ["../etc", "North", "a b", "unknown"])
def test_bad_or_unknown_school_is_refused(
    name: str, trust: tuple[RunningFake[XFake], RunningFake[XFake]]
) -> None:
    with pytest.raises(ConfigError):
        load_settings(school=name)
