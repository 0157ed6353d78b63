"""Read a names policy from its TOML file.

A policy file says which rule applies (images-no-names or names-no-images),
how strict name matching is, what to do with likely names that are not on
the roster, and which titles, public figures, places and events may be
named. Any mistake raises PolicyFileError naming the file, the line and the
key, because a policy that half loads would fail open.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from publisher.errors import PolicyFileError
from publisher.policy import defaults

__all__ = ["Policy", "load_policy", "RULES", "STRICTNESS", "OFF_ROSTER"]

RULES = ("images-no-names", "names-no-images")
STRICTNESS = ("given", "full")
OFF_ROSTER = ("block", "warn", "ignore")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_MAX_EDGE_LIMIT = 8192


@dataclass(frozen=True)
class Policy:
    """One names policy, as loaded from its file."""

    name: str
    rule: str = "images-no-names"
    #: "given": a given name alone blocks; "full": only full names block.
    strictness: str = "given"
    #: what a likely name that is not on the roster does
    off_roster: str = "block"
    max_edge: int = 1080
    approval_required: bool = False
    description: str = ""
    titles: tuple[str, ...] = defaults.TITLES
    public_figures: tuple[str, ...] = defaults.PUBLIC_FIGURES
    places_events: tuple[str, ...] = defaults.PLACES_EVENTS
    path: Path | None = None


_TOP_KEYS: dict[str, type | tuple[type, ...]] = {
    "name": str,
    "description": str,
    "rule": str,
    "strictness": str,
    "off_roster": str,
    "max_edge": int,
    "approval_required": bool,
    "allow": dict,
}
_ALLOW_KEYS = ("titles", "public_figures", "places_events", "replace_defaults")
_CHOICES = {"rule": RULES, "strictness": STRICTNESS, "off_roster": OFF_ROSTER}


def load_policy(name_or_path: str, policies_dir: Path) -> Policy:
    """Load a policy by name (``policies_dir/NAME.toml``) or by file path."""
    path = _resolve(name_or_path, Path(policies_dir))
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PolicyFileError(
            f"Policy file {path} does not exist. Use a policy name from "
            f"{policies_dir} (images-no-names or names-no-images) or a path "
            "to a .toml file."
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyFileError(f"Policy file {path} cannot be read: {exc}.") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = _decode_line(exc)
        raise PolicyFileError(
            f"Policy file {path}, line {line}: not valid TOML ({_short(exc)}). "
            "Fix the syntax and try again."
        ) from exc
    return _build(data, text, path)


def _resolve(name_or_path: str, policies_dir: Path) -> Path:
    candidate = Path(name_or_path)
    if candidate.suffix == ".toml" or len(candidate.parts) > 1:
        return candidate
    if not _NAME.match(name_or_path):
        raise PolicyFileError(
            f"{name_or_path!r} is not a policy name. Use letters, digits and "
            "hyphens, such as images-no-names."
        )
    return policies_dir / f"{name_or_path}.toml"


def _decode_line(exc: tomllib.TOMLDecodeError) -> int | str:
    lineno = getattr(exc, "lineno", None)
    if isinstance(lineno, int):
        return lineno
    found = re.search(r"line (\d+)", str(exc))
    return int(found.group(1)) if found else "?"


def _short(exc: Exception) -> str:
    return re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc)).rstrip(".")


def _line_of(text: str, key: str, table: str | None = None) -> int | str:
    """The line where ``key`` is set, inside ``[table]`` when given."""
    current: str | None = None
    pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
    for number, line in enumerate(text.splitlines(), start=1):
        header = re.match(r"^\s*\[\s*([^\]]+?)\s*\]", line)
        if header:
            current = header.group(1)
            if table is None and current == key:
                return number
            continue
        if current == table and pattern.match(line):
            return number
    return "?"


def _fail(path: Path, text: str, key: str, table: str | None, why: str) -> NoReturn:
    line = _line_of(text, key, table)
    shown = f"{table}.{key}" if table else key
    raise PolicyFileError(f"Policy file {path}, line {line}, key '{shown}': {why}")


def _build(data: dict[str, Any], text: str, path: Path) -> Policy:
    for key, value in data.items():
        expected = _TOP_KEYS.get(key)
        if expected is None:
            _fail(path, text, key, None, f"unknown key; use {', '.join(_TOP_KEYS)}.")
        elif not _is(value, expected):
            _fail(path, text, key, None, f"must be {_type_name(expected)}.")
    for key, choices in _CHOICES.items():
        if key in data and data[key] not in choices:
            _fail(path, text, key, None, f"must be one of {', '.join(choices)}.")
    max_edge = data.get("max_edge", 1080)
    if not 64 <= max_edge <= _MAX_EDGE_LIMIT:
        _fail(path, text, "max_edge", None, f"must be 64 to {_MAX_EDGE_LIMIT}.")
    if "rule" not in data:
        raise PolicyFileError(
            f"Policy file {path}: the key 'rule' is missing. Add rule = "
            '"images-no-names" or rule = "names-no-images".'
        )
    titles, figures, places = _allow(data.get("allow", {}), text, path)
    return Policy(
        name=data.get("name") or path.stem,
        rule=data["rule"],
        strictness=data.get("strictness", "given"),
        off_roster=data.get("off_roster", "block"),
        max_edge=max_edge,
        approval_required=data.get("approval_required", False),
        description=data.get("description", ""),
        titles=titles,
        public_figures=figures,
        places_events=places,
        path=path,
    )


def _allow(
    table: dict[str, Any], text: str, path: Path
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    for key, value in table.items():
        if key not in _ALLOW_KEYS:
            _fail(
                path, text, key, "allow", f"unknown key; use {', '.join(_ALLOW_KEYS)}."
            )
        if key == "replace_defaults":
            if not isinstance(value, bool):
                _fail(path, text, key, "allow", "must be true or false.")
        elif not isinstance(value, list) or not all(
            isinstance(v, str) and v.strip() for v in value
        ):
            _fail(path, text, key, "allow", "must be a list of non-empty strings.")
    keep = not table.get("replace_defaults", False)
    lists = []
    for key, built_in in (
        ("titles", defaults.TITLES),
        ("public_figures", defaults.PUBLIC_FIGURES),
        ("places_events", defaults.PLACES_EVENTS),
    ):
        extra = tuple(v.strip() for v in table.get(key, ()))
        lists.append((built_in if keep else ()) + extra)
    return lists[0], lists[1], lists[2]


def _is(value: Any, expected: type | tuple[type, ...]) -> bool:
    # TOML booleans are not integers here, whatever Python thinks.
    if isinstance(value, bool) and expected is not bool:
        return False
    return isinstance(value, expected)


def _type_name(expected: type | tuple[type, ...]) -> str:
    names = {str: "a string", int: "a whole number", bool: "true or false"}
    names[dict] = "a table"
    if isinstance(expected, tuple):
        return " or ".join(names.get(t, t.__name__) for t in expected)
    return names.get(expected, expected.__name__)
