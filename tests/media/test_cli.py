"""``publisher sanitise``: the JSON contract, exit codes and human output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from publisher.cli.sanitise_cmd import sanitise
from tests.media import builders


@pytest.fixture
def inputs(tmp_path: Path) -> list[Path]:
    good = builders.planted_jpeg(tmp_path / "good.jpg")
    bad = tmp_path / "notes.jpg"
    bad.write_text("not a photo at all, just some notes\n")
    other = tmp_path / "other.png"
    builders.scene((120, 80)).save(other)
    return [good, bad, other]


def test_json_lines_contract(inputs: list[Path], out_dir: Path) -> None:
    args = [*map(str, inputs), "--out-dir", str(out_dir), "--json"]

    result = CliRunner().invoke(sanitise, args)

    assert result.exit_code == 4
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["input"] for line in lines] == [str(path) for path in inputs]
    for line in lines:
        assert set(line) == {"input", "output", "status", "error"}
    good, bad, other = lines
    assert good["status"] == other["status"] == "ok"
    assert good["error"] is None and Path(good["output"]).parent == out_dir
    assert bad["status"] == "rejected" and bad["output"] is None
    assert "text file" in bad["error"]
    assert "rejected" in result.stderr


def test_all_good_exits_zero(inputs: list[Path], out_dir: Path) -> None:
    args = [str(inputs[0]), str(inputs[2]), "--out-dir", str(out_dir), "--json"]

    result = CliRunner().invoke(sanitise, args)

    assert result.exit_code == 0, result.stderr
    assert len(result.stdout.splitlines()) == 2
    assert len(list(out_dir.iterdir())) == 2


def test_human_lines(inputs: list[Path], out_dir: Path) -> None:
    result = CliRunner().invoke(
        sanitise, [*map(str, inputs), "--out-dir", str(out_dir)]
    )

    assert result.exit_code == 4
    lines = result.stdout.splitlines()
    assert lines[0].startswith("ok") and "96x64" in lines[0]
    assert lines[1].startswith("rejected") and str(inputs[1]) in lines[1]
    assert lines[2].startswith("ok")


def test_max_edge_and_max_bytes(inputs: list[Path], out_dir: Path) -> None:
    args = [str(inputs[2]), "--out-dir", str(out_dir), "--json"]
    args += ["--max-edge", "60", "--max-bytes", "100000"]

    result = CliRunner().invoke(sanitise, args)

    assert result.exit_code == 0, result.stderr
    output = Path(json.loads(result.stdout)["output"])
    from PIL import Image

    with Image.open(output) as image:
        assert image.size == (60, 40)


def test_missing_input_is_rejected_not_fatal(inputs: list[Path], out_dir: Path) -> None:
    args = [str(inputs[0]), str(out_dir.parent / "gone.jpg"), "--out-dir", str(out_dir)]

    result = CliRunner().invoke(sanitise, [*args, "--json"])

    assert result.exit_code == 4
    statuses = [json.loads(line)["status"] for line in result.stdout.splitlines()]
    assert statuses == ["ok", "rejected"]


def test_folder_among_inputs_is_one_rejected_line(
    inputs: list[Path], out_dir: Path
) -> None:
    args = [str(inputs[0]), str(inputs[0].parent), "--out-dir", str(out_dir), "--json"]

    result = CliRunner().invoke(sanitise, args)

    assert result.exit_code == 4
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["status"] for line in lines] == ["ok", "rejected"]
    assert "not a regular file" in lines[1]["error"]


def test_no_progress_bar_when_not_a_terminal(inputs: list[Path], out_dir: Path) -> None:
    args = [str(inputs[0]), str(inputs[2]), "--out-dir", str(out_dir)]

    result = CliRunner().invoke(sanitise, args)

    assert "Sanitising" not in result.stderr


def test_inputs_are_required(out_dir: Path) -> None:
    result = CliRunner().invoke(sanitise, ["--out-dir", str(out_dir)])

    assert result.exit_code == 2
