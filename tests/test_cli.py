"""The command line, driven as a comms officer would drive it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from PIL import Image

from publisher.cli import context
from publisher.cli.app import cli
from tests.conftest import REPO, SAMPLES


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    roster = tmp_path / "roster.csv"
    shutil.copyfile(SAMPLES / "roster.csv", roster)
    values = {
        "PUBLISHER_DATA_DIR": str(tmp_path / "data"),
        "PUBLISHER_ROSTER": str(roster),
        "PUBLISHER_POLICIES_DIR": str(REPO / "policies"),
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    return values


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def add(caption: str, *extra: str) -> Result:
    return invoke(
        "add", "--caption", caption,
        "--image", str(SAMPLES / "sports-day.jpg"), "--alt", "Racing on the field",
        "--to", "outbox", "--at", "now", *extra,
    )  # fmt: skip


def test_add_preview_run_list(env: dict[str, str], tmp_path: Path) -> None:
    added = add("Sports day! Diwrnod mabolgampau!")
    assert added.exit_code == 0, added.output
    post_id = added.output.strip()

    shown = invoke("preview", post_id, "--html", str(tmp_path / "pv"))
    assert shown.exit_code == 0
    assert "Sports day! Diwrnod mabolgampau!" in shown.output
    assert "alt: Racing on the field" in shown.output
    assert "passes the names policy" in shown.output
    page = (tmp_path / "pv" / "index.html").read_text(encoding="utf-8")
    assert "Racing on the field" in page and "image-1.jpg" in page

    ran = invoke("run", "--once")
    assert ran.exit_code == 0 and "published" in ran.output

    listed = [json.loads(line) for line in invoke("list", "--json").output.splitlines()]
    assert listed[0]["status"] == "published"
    assert listed[0]["targets"][0]["status"] == "published"
    outbox = Path(env["PUBLISHER_DATA_DIR"]) / "outbox" / post_id
    assert (outbox / "post.txt").read_text() == "Sports day! Diwrnod mabolgampau!"
    with Image.open(outbox / "image-1.jpg") as image:
        assert image.width > image.height and max(image.size) <= 1080


def test_naming_a_learner_exits_3_with_findings(env: dict[str, str]) -> None:
    result = add("Well done Amara Okonkwo!")
    assert result.exit_code == 3
    assert "S1003" in result.output
    assert "Nothing was queued" in result.output
    assert invoke("list", "--json").output == ""


def test_acknowledged_finding_is_stored_and_shown(env: dict[str, str]) -> None:
    refused = add("Thank you Harvey Mansfield from the council!")
    assert refused.exit_code == 3
    key = refused.output.split("(finding ")[1].split(")")[0]
    added = add(
        "Thank you Harvey Mansfield from the council!",
        "--ack", f"{key}=a councillor, not our learner",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    shown = invoke("preview", added.output.strip())
    assert "a councillor, not our learner" in shown.output


def test_unreadable_image_exits_4(env: dict[str, str], tmp_path: Path) -> None:
    bogus = tmp_path / "notes.jpg"
    bogus.write_text("not a picture")
    result = invoke(
        "add", "--caption", "Hello", "--image", str(bogus), "--alt", "x",
        "--to", "outbox", "--at", "now",
    )  # fmt: skip
    assert result.exit_code == 4
    assert "Error:" in result.output


def test_missing_alt_text_is_a_usage_error(env: dict[str, str]) -> None:
    result = invoke(
        "add", "--caption", "Hello", "--image", str(SAMPLES / "garden.jpg"),
        "--to", "outbox", "--at", "now",
    )  # fmt: skip
    assert result.exit_code == 2
    assert "--alt" in result.output


def test_unconfigured_target_is_refused(env: dict[str, str]) -> None:
    result = invoke(
        "add", "--caption", "Hello", "--to", "x", "--at", "now",
    )  # fmt: skip
    assert result.exit_code == 2
    assert "X_API_KEY" in result.output


def test_dry_run_sends_nothing(env: dict[str, str]) -> None:
    post_id = add("Sports day!").output.strip()
    result = invoke("run", "--dry-run")
    assert result.exit_code == 0
    assert "nothing was sent" in result.output
    assert not (Path(env["PUBLISHER_DATA_DIR"]) / "outbox" / post_id).exists()


def test_status_unhealthy_until_the_scheduler_runs(env: dict[str, str]) -> None:
    assert invoke("status").exit_code == 1
    invoke("run", "--once")
    assert invoke("status").exit_code == 0


def test_history_and_takedown(env: dict[str, str]) -> None:
    post_id = add("Sports day!").output.strip()
    invoke("run", "--once")
    taken = invoke("takedown", post_id, "--reason", "parent asked")
    assert taken.exit_code == 0 and "taken_down" in taken.output
    trail = invoke("history", post_id).output
    assert "published -> taken_down  parent asked" in trail


def test_demo_publishes_samples_and_refuses_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke("demo", "--data-dir", str(tmp_path / "demo"))
    assert result.exit_code == 0, result.output
    assert result.output.count("queued  ") == 2
    assert result.output.count("REFUSED") == 1
    published = list((tmp_path / "demo" / "outbox").iterdir())
    assert len(published) == 1
    assert len(list(published[0].glob("image-*.jpg"))) == 2


@pytest.mark.parametrize(
    "content",
    [
        "PUBLISHER_DATA_DIR=data\n".encode("utf-16"),
        b"# costs \xa35 a term\nPUBLISHER_DATA_DIR=data\n",
    ],
)
def test_env_file_that_is_not_utf8_is_one_clear_error(
    content: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env_file = tmp_path / ".env"
    env_file.write_bytes(content)
    monkeypatch.setenv("PUBLISHER_ENV_FILE", str(env_file))
    result = CliRunner().invoke(cli, ["list"])
    assert result.exit_code == 2
    assert "not UTF-8" in result.output
    assert "Traceback" not in result.output


def test_refused_image_is_named_by_position(
    env: dict[str, str], tmp_path: Path
) -> None:
    bogus = tmp_path / "Cerys Vaughan.jpg"
    bogus.write_bytes(b"\xff\xd8\xff\xe0 not really a picture")
    result = invoke(
        "add", "--caption", "Hello",
        "--image", str(SAMPLES / "garden.jpg"), "--alt", "The garden",
        "--image", str(bogus), "--alt", "A page",
        "--to", "outbox", "--at", "now",
    )  # fmt: skip
    assert result.exit_code == 4
    assert "Image 2:" in result.output
    assert "Cerys" not in result.output
    assert list((Path(env["PUBLISHER_DATA_DIR"]) / "media").glob("*")) == []


def test_list_says_why_a_post_is_held(env: dict[str, str]) -> None:
    roster = Path(env["PUBLISHER_ROSTER"])
    ack = add("Thank you Zebulon Quaintance-Fforde!").output.split("(finding ")
    keys = [part.split(")")[0] for part in ack[1:]]
    extra = [arg for key in keys for arg in ("--ack", f"{key}=visiting author")]
    post_id = add("Thank you Zebulon Quaintance-Fforde!", *extra).output.strip()
    with roster.open("a", encoding="utf-8") as handle:
        handle.write("S9001,Zebulon,Quaintance-Fforde,,Year 6\n")
    invoke("run", "--once")
    listed = invoke("list").output
    assert f"{post_id}" in listed and "blocked" in listed
    assert "why: images-no-names" in listed
    shown = invoke("preview", post_id).output
    assert "BLOCKED" in shown


def test_preview_of_a_published_post_says_so(env: dict[str, str]) -> None:
    post_id = add("Sports day!").output.strip()
    invoke("run", "--once")
    shown = invoke("preview", post_id).output
    assert "Already published here" in shown


def test_data_folder_can_move_with_posts_queued(
    env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    post_id = add("Sports day!").output.strip()
    moved = tmp_path / "elsewhere"
    shutil.move(env["PUBLISHER_DATA_DIR"], moved)
    monkeypatch.setenv("PUBLISHER_DATA_DIR", str(moved))
    assert invoke("run", "--once").exit_code == 0
    assert (moved / "outbox" / post_id / "image-1.jpg").is_file()


def test_review_lists_and_takes_down_old_posts(env: dict[str, str]) -> None:
    post_id = add("Sports day!").output.strip()
    invoke("run", "--once")
    assert "No published posts" in invoke("review", "--older-than", "1d").output
    listed = invoke("review", "--older-than", "0h")
    assert post_id in listed.output and "on outbox" in listed.output

    unconfirmed = invoke("review", "--older-than", "0h", "--takedown")
    assert unconfirmed.exit_code == 2 and "--yes" in unconfirmed.output
    taken = invoke("review", "--older-than", "0h", "--takedown", "--yes")
    assert f"{post_id} outbox: taken_down" in taken.output
    assert not (Path(env["PUBLISHER_DATA_DIR"]) / "outbox" / post_id).exists()
    assert "No published posts" in invoke("review", "--older-than", "0h").output


def test_review_refuses_a_bad_duration(env: dict[str, str]) -> None:
    result = invoke("review", "--older-than", "three months")
    assert result.exit_code == 2
    assert "90d" in result.output


def test_doctor_checks_roster_database_and_accounts(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    own = tmp_path / "own-roster.csv"  # a school's roster, not the sample
    own.write_text(
        "learner_id,given_name,family_name\nT1,Gwenllian,Morgan\n", encoding="utf-8"
    )
    monkeypatch.setenv("PUBLISHER_ROSTER", str(own))
    healthy = invoke("doctor")
    assert healthy.exit_code == 0, healthy.output
    assert "ok    roster and policy" in healthy.output
    assert "ok    outbox" in healthy.output

    monkeypatch.setenv("PUBLISHER_ROSTER", str(Path(env["PUBLISHER_ROSTER"]) / "nope"))
    broken = invoke("doctor")
    assert broken.exit_code == 2
    assert "FAIL  roster and policy" in broken.output

    for roster in (SAMPLES / "roster.csv", Path(env["PUBLISHER_ROSTER"])):
        monkeypatch.setenv("PUBLISHER_ROSTER", str(roster))  # the path, a copy
        sample = invoke("doctor")
        assert sample.exit_code == 2
        assert "fictional sample roster" in sample.output


def test_the_author_is_the_login_not_a_typed_name(env: dict[str, str]) -> None:
    """Approval by "someone else" must mean another account."""
    assert add("Sports day!", "--author", "someone-else").exit_code == 2
    post_id = add("Sports day!").output.strip()

    history = invoke("history", post_id).output

    assert context.whoami() in history


def test_an_acknowledgement_that_matches_nothing_is_reported(
    env: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    result = CliRunner().invoke(
        cli,
        [
            "add", "--caption", "Sports day!", "--image",
            str(SAMPLES / "sports-day.jpg"), "--alt", "Racing on the field",
            "--to", "outbox", "--at", "now", "--ack", "caption:0-4:S1001=typo",
        ],
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    assert "caption:0-4:S1001 matches no finding" in caplog.text


def test_the_login_ignores_environment_variables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Setting LOGNAME or USER must not make someone else the approver."""
    real = context.whoami()
    for name in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        monkeypatch.setenv(name, "headteacher")

    assert context.whoami() == real != "headteacher"
