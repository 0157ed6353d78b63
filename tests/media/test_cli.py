"""``publisher sanitise``: the JSON contract, exit codes and human output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from publisher.cli.sanitise_cmd import Options, UsageError, parse, run
from tests.media import builders

PUBLISHER = Path(sys.executable).with_name("publisher")


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str


Invoke = Callable[[list[str]], Result]


@pytest.fixture
def sanitise(capsys: pytest.CaptureFixture[str]) -> Invoke:
    """Run the command in this process and capture what it prints."""

    def invoke(arguments: list[str]) -> Result:
        code = run(arguments)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return invoke


@pytest.fixture
def inputs(tmp_path: Path) -> list[Path]:
    good = builders.planted_jpeg(tmp_path / "good.jpg")
    bad = tmp_path / "notes.jpg"
    bad.write_text("not a photo at all, just some notes\n")
    other = tmp_path / "other.png"
    builders.scene((120, 80)).save(other)
    return [good, bad, other]


def test_json_lines_contract(
    sanitise: Invoke, inputs: list[Path], out_dir: Path
) -> None:
    args = [*map(str, inputs), "--out-dir", str(out_dir), "--json"]

    result = sanitise(args)

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


def test_all_good_exits_zero(
    sanitise: Invoke, inputs: list[Path], out_dir: Path
) -> None:
    args = [str(inputs[0]), str(inputs[2]), "--out-dir", str(out_dir), "--json"]

    result = sanitise(args)

    assert result.exit_code == 0, result.stderr
    assert len(result.stdout.splitlines()) == 2
    assert len(list(out_dir.iterdir())) == 2


def test_human_lines(sanitise: Invoke, inputs: list[Path], out_dir: Path) -> None:
    result = sanitise([*map(str, inputs), "--out-dir", str(out_dir)])

    assert result.exit_code == 4
    lines = result.stdout.splitlines()
    assert lines[0].startswith("ok") and "96x64" in lines[0]
    assert lines[1].startswith("rejected") and str(inputs[1]) in lines[1]
    assert lines[2].startswith("ok")


def test_max_edge_and_max_bytes(
    sanitise: Invoke, inputs: list[Path], out_dir: Path
) -> None:
    args = [str(inputs[2]), "--out-dir", str(out_dir), "--json"]
    args += ["--max-edge", "60", "--max-bytes", "100000"]

    result = sanitise(args)

    assert result.exit_code == 0, result.stderr
    output = Path(json.loads(result.stdout)["output"])
    from PIL import Image

    with Image.open(output) as image:
        assert image.size == (60, 40)


def test_missing_input_is_rejected_not_fatal(
    sanitise: Invoke, inputs: list[Path], out_dir: Path
) -> None:
    args = [str(inputs[0]), str(out_dir.parent / "gone.jpg"), "--out-dir", str(out_dir)]

    result = sanitise([*args, "--json"])

    assert result.exit_code == 4
    statuses = [json.loads(line)["status"] for line in result.stdout.splitlines()]
    assert statuses == ["ok", "rejected"]


def test_folder_among_inputs_is_one_rejected_line(
    sanitise: Invoke, inputs: list[Path], out_dir: Path
) -> None:
    args = [str(inputs[0]), str(inputs[0].parent), "--out-dir", str(out_dir), "--json"]

    result = sanitise(args)

    assert result.exit_code == 4
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["status"] for line in lines] == ["ok", "rejected"]
    assert "not a regular file" in lines[1]["error"]


def test_no_progress_bar_when_not_a_terminal(
    sanitise: Invoke, inputs: list[Path], out_dir: Path
) -> None:
    args = [str(inputs[0]), str(inputs[2]), "--out-dir", str(out_dir)]

    result = sanitise(args)

    assert "Sanitising" not in result.stderr


def test_inputs_are_required(sanitise: Invoke, out_dir: Path) -> None:
    result = sanitise(["--out-dir", str(out_dir)])

    assert result.exit_code == 2


@pytest.mark.parametrize(
    ("option", "value"),
    [("--max-edge", "8"), ("--max-edge", "big"), ("--max-bytes", "0")],
)
def test_bad_option_values_are_usage_errors(
    sanitise: Invoke, inputs: list[Path], out_dir: Path, option: str, value: str
) -> None:
    result = sanitise([str(inputs[0]), "--out-dir", str(out_dir), option, value])

    assert result.exit_code == 2
    assert "Error:" in result.stderr and option in result.stderr
    assert not out_dir.exists() or not any(out_dir.iterdir())


def test_unwritable_out_dir_is_a_usage_error(
    sanitise: Invoke, inputs: list[Path], tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("in the way\n")

    result = sanitise([str(inputs[0]), "--out-dir", str(blocker / "out")])

    assert result.exit_code == 2
    assert "Cannot create --out-dir" in result.stderr


def test_help_names_every_option(sanitise: Invoke) -> None:
    result = sanitise(["--help"])

    assert result.exit_code == 0
    for option in ("--out-dir", "--max-edge", "--max-bytes", "--json"):
        assert option in result.stdout


def test_one_photo_loads_neither_click_nor_other_commands(
    inputs: list[Path], out_dir: Path
) -> None:
    code = (
        "import sys; from publisher.cli.sanitise_cmd import run; "
        f"code = run([{str(inputs[0])!r}, '--out-dir', {str(out_dir)!r}]); "
        "print(code, ' '.join(sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    status, *loaded = done.stdout.splitlines()[-1].split()

    assert status == "0"
    heavy = {"click", "argparse", "sqlalchemy", "publisher.policy", "publisher.store"}
    assert not heavy & set(loaded)


@pytest.mark.skipif(not PUBLISHER.exists(), reason="console script not installed")
@pytest.mark.parametrize("prefix", [[], ["-v"]], ids=["direct", "through-group"])
def test_console_script(inputs: list[Path], out_dir: Path, prefix: list[str]) -> None:
    """Both ways in give the same result: straight to the parser, or via click."""
    arguments = [*prefix, "sanitise", str(inputs[0]), str(inputs[1])]
    done = subprocess.run(
        [str(PUBLISHER), *arguments, "--out-dir", str(out_dir), "--json"],
        capture_output=True,
        text=True,
        check=False,
    )

    assert done.returncode == 4, done.stderr
    statuses = [json.loads(line)["status"] for line in done.stdout.splitlines()]
    assert statuses == ["ok", "rejected"]
    (written,) = out_dir.iterdir()
    assert written.stat().st_mode & 0o777 == 0o600


@pytest.mark.skipif(not PUBLISHER.exists(), reason="console script not installed")
def test_group_help_lists_sanitise() -> None:
    done = subprocess.run(
        [str(PUBLISHER), "--help"], capture_output=True, text=True, check=True
    )

    assert "sanitise" in done.stdout


def test_options_may_follow_inputs_and_double_dash_ends_them() -> None:
    options = parse(["a.jpg", "--json", "--out-dir=out", "--", "--odd-name.jpg"])

    assert options == Options(
        inputs=[Path("a.jpg"), Path("--odd-name.jpg")],
        out_dir=Path("out"),
        max_edge=1080,
        max_bytes=None,
        as_json=True,
    )


@pytest.mark.parametrize(
    ("arguments", "words"),
    [
        (["a.jpg", "--out-dir", "o", "--bogus"], "--bogus not recognized"),
        (["a.jpg"], "Missing option --out-dir"),
        (["--out-dir", "o"], "at least one INPUT"),
        (["a.jpg", "--out-dir"], "--out-dir requires argument"),
    ],
)
def test_usage_errors_say_what_is_wrong(arguments: list[str], words: str) -> None:
    with pytest.raises(UsageError, match=words):
        parse(arguments)


def _console(
    arguments: list[str],
    *,
    env: dict[str, str] | None = None,
    stdout: object = subprocess.PIPE,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(PUBLISHER), *arguments],
        stdout=stdout,  # type: ignore[arg-type]
        stderr=subprocess.PIPE,
        text=True,
        check=False,
        env=env,
    )


@pytest.mark.skipif(not PUBLISHER.exists(), reason="console script not installed")
@pytest.mark.parametrize("prefix", [[], ["-vv"]], ids=["direct", "through-group"])
def test_debug_logs_hold_no_photo_metadata(
    tmp_path: Path, out_dir: Path, prefix: list[str]
) -> None:
    """Pillow's own DEBUG lines print EXIF values and profile names."""
    sources = [
        builders.planted_png(tmp_path / "a.png"),
        builders.planted_webp(tmp_path / "b.webp", orientation=6),
        builders.planted_jpeg(tmp_path / "c.jpg"),
    ]
    env = {**os.environ, "PUBLISHER_LOG_LEVEL": "DEBUG"}

    done = _console(
        [*prefix, "sanitise", *map(str, sources), "--out-dir", str(out_dir)], env=env
    )

    assert done.returncode == 0, done.stderr
    assert "DEBUG" in done.stderr, "the test must run with debug logging on"
    assert builders.MARK.decode() not in done.stderr


@pytest.mark.skipif(not PUBLISHER.exists(), reason="console script not installed")
def test_odd_file_names_are_shown_escaped(inputs: list[Path], out_dir: Path) -> None:
    """Undecodable bytes and control characters cannot break or fake a line."""
    folder = os.fsencode(inputs[0].parent)
    odd = os.fsdecode(folder + b"/Si\xe2n\nok       fake.jpg")
    Path(odd).write_bytes(inputs[0].read_bytes())
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}  # strict, as in en_GB.UTF-8

    done = _console(["sanitise", odd, "--out-dir", str(out_dir)], env=env)

    assert done.returncode == 0, done.stderr
    (line,) = done.stdout.splitlines()
    assert line.startswith("ok") and "\\udce2" in line and "\\n" in line


@pytest.mark.skipif(not PUBLISHER.exists(), reason="console script not installed")
def test_full_output_stops_with_a_message(inputs: list[Path], out_dir: Path) -> None:
    with open("/dev/full", "w") as full:
        done = _console(
            ["sanitise", str(inputs[0]), "--out-dir", str(out_dir)], stdout=full
        )

    assert done.returncode == 1
    assert "Stopped: the results could not be written" in done.stderr
    assert "Traceback" not in done.stderr


def _in_shell(command: str) -> subprocess.CompletedProcess[str]:
    """Run ``command`` through the shell, which can close a stream (``>&-``)."""
    return subprocess.run(
        command, shell=True, capture_output=True, text=True, check=False
    )


@pytest.mark.skipif(not PUBLISHER.exists(), reason="console script not installed")
def test_closed_output_does_nothing(inputs: list[Path], out_dir: Path) -> None:
    done = _in_shell(f"{PUBLISHER} sanitise {inputs[0]} --out-dir {out_dir} >&-")

    assert done.returncode == 1
    assert "standard output is closed" in done.stderr
    assert not out_dir.exists() or not any(out_dir.iterdir())


@pytest.mark.skipif(not PUBLISHER.exists(), reason="console script not installed")
@pytest.mark.parametrize(("good", "code"), [(True, 0), (False, 4)])
def test_closed_stderr_keeps_the_exit_status(
    inputs: list[Path], out_dir: Path, good: bool, code: int
) -> None:
    source = inputs[0] if good else inputs[1]
    done = _in_shell(f"{PUBLISHER} sanitise {source} {source} --out-dir {out_dir} 2>&-")

    assert done.returncode == code
    assert len(done.stdout.splitlines()) == 2, "stderr messages stay off stdout"


def test_leading_double_dash_means_the_same_through_the_group(
    inputs: list[Path], out_dir: Path
) -> None:
    from click.testing import CliRunner

    from publisher.cli.app import cli

    arguments = ["--", str(inputs[0]), "--out-dir", str(out_dir)]

    through_group = CliRunner().invoke(cli, ["-v", "sanitise", *arguments])
    direct = run(arguments)

    assert through_group.exit_code == direct == 2


@pytest.mark.parametrize(
    ("arguments", "words"),
    [
        (["a.jpg", "--out-dir", ""], "Missing option --out-dir"),
        (["--out-dir", "o", "--max-edge", "a.jpg"], "--max-edge needs a whole"),
        (["a.jpg", "--out-dir", "o", "--max-edge", "1_000"], "--max-edge needs"),
    ],
)
def test_option_values_are_checked_first(arguments: list[str], words: str) -> None:
    with pytest.raises(UsageError, match=words):
        parse(arguments)


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("plain\\name.jpg", "plain\\name.jpg"),
        ("two\nlines.jpg", "two\\nlines.jpg"),
        ("back\\n-and\nnewline.jpg", "back\\\\n-and\\nnewline.jpg"),
        ("esc\x1b[31m.jpg", "esc\\x1b[31m.jpg"),
    ],
)
def test_names_are_escaped_only_when_needed(name: str, shown: str) -> None:
    from publisher.cli.sanitise_cmd import _shown

    assert _shown(Path(name)) == shown


@pytest.mark.skipif(not PUBLISHER.exists(), reason="console script not installed")
def test_names_the_output_encoding_cannot_hold(
    inputs: list[Path], out_dir: Path
) -> None:
    welsh = inputs[0].with_name("Siân Ŵyn.jpg")
    welsh.write_bytes(inputs[0].read_bytes())
    env = {**os.environ, "PYTHONIOENCODING": "ascii"}

    done = _console(["sanitise", str(welsh), "--out-dir", str(out_dir)], env=env)

    assert done.returncode == 0, done.stderr
    assert "Si\\xe2n \\u0174yn.jpg" in done.stdout
