"""Policy files: loading, defaults, and errors that name file, line and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from publisher.config import PACKAGE_POLICIES
from publisher.errors import PolicyFileError
from publisher.policy import defaults, load_policy


def write(tmp_path: Path, text: str, name: str = "custom.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_default_policy() -> None:
    policy = load_policy("images-no-names", PACKAGE_POLICIES)
    assert policy.name == "images-no-names"
    assert policy.rule == "images-no-names"
    assert policy.strictness == "given"
    assert policy.off_roster == "block"
    assert policy.max_edge == 1080
    assert policy.approval_required is False
    assert "Anti" in policy.titles
    assert "Gareth Bale" in policy.public_figures
    assert "Dewi Sant" in policy.places_events


def test_shipped_mirror_policy() -> None:
    policy = load_policy("names-no-images", PACKAGE_POLICIES)
    assert policy.rule == "names-no-images"
    assert policy.name == "names-no-images"


def test_minimal_file_gets_defaults(tmp_path: Path) -> None:
    policy = load_policy(str(write(tmp_path, 'rule = "names-no-images"\n')), tmp_path)
    assert policy.name == "custom"
    assert policy.titles == defaults.TITLES
    assert policy.max_edge == 1080


def test_by_name_from_the_policies_dir(tmp_path: Path) -> None:
    write(tmp_path, 'rule = "images-no-names"\nstrictness = "full"\n', "strict.toml")
    assert load_policy("strict", tmp_path).strictness == "full"


def test_allow_lists_extend_or_replace_the_defaults(tmp_path: Path) -> None:
    text = 'rule = "images-no-names"\n[allow]\ntitles = ["Hyfforddwr"]\n'
    policy = load_policy(str(write(tmp_path, text)), tmp_path)
    assert policy.titles[-1] == "Hyfforddwr" and "Mrs" in policy.titles
    text += "replace_defaults = true\n"
    policy = load_policy(str(write(tmp_path, text)), tmp_path)
    assert policy.titles == ("Hyfforddwr",)
    assert policy.public_figures == ()


def test_invalid_toml_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, 'rule = "images-no-names"\nmax_edge = = 3\n')
    with pytest.raises(PolicyFileError) as caught:
        load_policy(str(path), tmp_path)
    message = str(caught.value)
    assert str(path) in message and "line 2" in message


@pytest.mark.parametrize(
    ("text", "line", "key", "why"),
    [
        ('rule = "images-no-names"\ncolour = "red"\n', 2, "colour", "unknown key"),
        (
            'rule = "images-no-names"\n\nmax_edge = "big"\n',
            3,
            "max_edge",
            "whole number",
        ),
        ('rule = "images-no-names"\nmax_edge = 10\n', 2, "max_edge", "64 to"),
        (
            "rule = 'images-no-names'\napproval_required = 1\n",
            2,
            "approval_required",
            "true or false",
        ),
        ('rule = "everything"\n', 1, "rule", "one of"),
        ('rule = "images-no-names"\noff_roster = "shout"\n', 2, "off_roster", "one of"),
        ('rule = "images-no-names"\nstrictness = true\n', 2, "strictness", "a string"),
        (
            'rule = "images-no-names"\n[allow]\nnames = []\n',
            3,
            "allow.names",
            "unknown key",
        ),
        (
            'rule = "images-no-names"\n[allow]\ntitles = "Mr"\n',
            3,
            "allow.titles",
            "list",
        ),
        (
            'rule = "images-no-names"\n[allow]\ntitles = [""]\n',
            3,
            "allow.titles",
            "list",
        ),
        ('rule = "images-no-names"\nallow = 3\n', 2, "allow", "a table"),
    ],
)
def test_bad_values_name_line_and_key(
    tmp_path: Path, text: str, line: int, key: str, why: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(PolicyFileError) as caught:
        load_policy(str(path), tmp_path)
    message = str(caught.value)
    assert str(path) in message
    assert f"line {line}," in message
    assert f"key '{key}'" in message
    assert why in message


def test_missing_rule(tmp_path: Path) -> None:
    with pytest.raises(PolicyFileError, match="'rule' is missing"):
        load_policy(str(write(tmp_path, 'strictness = "full"\n')), tmp_path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(PolicyFileError, match="does not exist"):
        load_policy("no-such-policy", tmp_path)


def test_bad_policy_name(tmp_path: Path) -> None:
    with pytest.raises(PolicyFileError, match="not a policy name"):
        load_policy("bad name!", tmp_path)
