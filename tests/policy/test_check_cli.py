"""The ``publisher check`` and ``publisher roster check`` commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from publisher.cli.check_cmd import check, roster


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.delenv("PUBLISHER_ROSTER", raising=False)
    monkeypatch.delenv("PUBLISHER_POLICY", raising=False)
    monkeypatch.delenv("PUBLISHER_POLICIES_DIR", raising=False)
    return CliRunner()


def jsonl(tmp_path: Path, *rows: object) -> Path:
    path = tmp_path / "cases.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_output_contract(runner: CliRunner, roster_path: Path, tmp_path: Path) -> None:
    cases = jsonl(
        tmp_path,
        {"id": "a", "text": "Well done Catrin!"},
        {"id": "b", "text": "Oliver read a poem."},
        {"id": "c", "text": "Welcome to our new starter Zebedee!"},
        {"id": "d", "text": "A sunny day.", "field": "alt_text"},
        {"id": 5, "text": "🎉 Cat\u200brin 🎉"},
    )
    result = runner.invoke(check, ["--roster", str(roster_path), "--jsonl", str(cases)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert lines[0] == {
        "id": "a",
        "verdict": "block",
        "names": [{"start": 10, "end": 16, "learner_id": "T001"}],
    }
    assert lines[1]["names"][0]["learner_id"] == ["T011", "T012"]
    assert lines[2]["names"][0]["learner_id"] is None
    assert lines[3] == {"id": "d", "verdict": "pass", "names": []}
    assert lines[4]["id"] == 5
    assert lines[4]["names"][0]["start"] == 2 and lines[4]["names"][0]["end"] == 9


def test_roster_from_the_environment(
    runner: CliRunner,
    roster_path: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PUBLISHER_ROSTER", str(roster_path))
    result = runner.invoke(
        check, ["--jsonl", str(jsonl(tmp_path, {"id": "a", "text": "Tegan"}))]
    )
    assert result.exit_code == 0
    assert json.loads(result.output)["verdict"] == "block"


def test_policy_option_and_environment(
    runner: CliRunner,
    roster_path: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cases = jsonl(tmp_path, {"id": "a", "text": "Tegan"})
    args = ["--roster", str(roster_path), "--jsonl", str(cases)]
    result = runner.invoke(check, [*args, "--policy", "names-no-images"])
    assert result.exit_code == 0
    monkeypatch.setenv("PUBLISHER_POLICY", "no-such-policy")
    result = runner.invoke(check, args)
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_no_roster_fails_closed(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(
        check, ["--jsonl", str(jsonl(tmp_path, {"id": "a", "text": "x"}))]
    )
    assert result.exit_code == 2
    assert "No roster is configured" in result.output


def test_bad_json_line_names_the_line(
    runner: CliRunner, roster_path: Path, tmp_path: Path
) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "a", "text": "fine"}\n\n{not json}\n', encoding="utf-8")
    result = runner.invoke(check, ["--roster", str(roster_path), "--jsonl", str(path)])
    assert result.exit_code == 2
    assert "line 3" in result.output and "not valid JSON" in result.output


def test_line_without_text(
    runner: CliRunner, roster_path: Path, tmp_path: Path
) -> None:
    cases = jsonl(tmp_path, {"id": "a"})
    result = runner.invoke(check, ["--roster", str(roster_path), "--jsonl", str(cases)])
    assert result.exit_code == 2
    assert "line 1" in result.output


def test_standard_input(runner: CliRunner, roster_path: Path) -> None:
    result = runner.invoke(
        check,
        ["--roster", str(roster_path), "--jsonl", "-"],
        input='{"id": 1, "text": "Tegan"}\n',
    )
    assert result.exit_code == 0
    assert json.loads(result.output)["verdict"] == "block"


def test_roster_check_clean(runner: CliRunner, roster_path: Path) -> None:
    result = runner.invoke(roster, ["check", "--roster", str(roster_path)])
    assert result.exit_code == 0
    assert "29 learners loaded" in result.output
    assert "x" in result.output and "facebook" in result.output
    assert "Every row is usable." in result.output


def test_roster_check_reports_rows_without_names(
    runner: CliRunner, tmp_path: Path
) -> None:
    path = tmp_path / "r.csv"
    path.write_text(
        "learner_id,given_name,family_name\nL1,Zebedee,Quill\nL2,,\nL1,Zebedee,Quill\n",
        encoding="utf-8",
    )
    result = runner.invoke(roster, ["check", "--roster", str(path)])
    assert result.exit_code == 1
    assert "row 3 (learner id L2): no given or family name [skipped]" in result.output
    assert "row 4 (learner id L1): duplicate learner id" in result.output
    assert "Zebedee" not in result.output and "Quill" not in result.output


def test_roster_check_with_column_mapping(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "sis.csv"
    path.write_text("Ref,Forename 1,Family\nP1,Iolo,Rees\n", encoding="utf-8")
    args = ["check", "--roster", str(path), "--column", "learner_id=Ref"]
    args += ["--column", "given_name=Forename 1", "--column", "family_name=Family"]
    result = runner.invoke(roster, args)
    assert result.exit_code == 0, result.output
    bad = runner.invoke(roster, ["check", "--roster", str(path), "--column", "oops"])
    assert bad.exit_code == 2


def test_roster_check_missing_file(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(roster, ["check", "--roster", str(tmp_path / "none.csv")])
    assert result.exit_code == 2
    assert "does not exist" in result.output
