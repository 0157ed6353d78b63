"""Load the school's roster CSV: who the learners are and what they consent to.

The roster is personal data. Nothing here logs a name; problems are reported
by row number and learner id only.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from publisher.errors import RosterError

__all__ = [
    "Learner",
    "Roster",
    "RowProblem",
    "load_roster",
    "in_capitals",
    "FIELDS",
]

logger = logging.getLogger(__name__)

#: The fields a roster row can fill, and the headers recognised for each
#: without a column mapping (compared case-insensitively, spaces and
#: underscores alike). Earlier headers win when a file has several.
FIELDS: dict[str, tuple[str, ...]] = {
    "learner_id": (
        "learner id",
        "admission number",
        "adno",
        "admission no",
        "pupil id",
        "student id",
        "mis id",
        "id",
        "upn",
    ),
    "given_name": (
        "given name",
        "legal forename",
        "forename",
        "first name",
        "firstname",
    ),
    "family_name": (
        "family name",
        "legal surname",
        "surname",
        "last name",
        "lastname",
    ),
    "preferred_name": (
        "preferred name",
        "preferred forename",
        "known as",
        "chosen name",
    ),
    "year_group": ("year group", "year", "nc year", "year taught in"),
    "aliases": ("aliases", "alias", "nicknames", "nickname", "other names"),
}

_TRUE = frozenset({"yes", "y", "true", "1", "ie", "do"})
_FALSE = frozenset({"no", "n", "false", "0", "na", "naddo", ""})
_ALIAS_SPLIT = re.compile(r"[;|]")
_CONSENT_HEADER = re.compile(r"^consent[ _:-]+(.+)$|^(.+?)[ _-]+consent$")


@dataclass(frozen=True)
class Learner:
    """One learner as the roster describes them."""

    learner_id: str
    given: str
    family: str
    preferred: str = ""
    year_group: str = ""
    aliases: tuple[str, ...] = ()
    #: channel -> consent; a channel missing here is not tracked.
    consent: Mapping[str, bool] = field(default_factory=dict)

    def __repr__(self) -> str:
        # Names stay out of reprs so a stray log line cannot leak them.
        return f"Learner(learner_id={self.learner_id!r})"


@dataclass(frozen=True)
class RowProblem:
    """A roster row that could not be used as written."""

    row: int
    learner_id: str
    reason: str
    #: False when the row was still used (for example a bad consent value).
    skipped: bool = True


@dataclass(frozen=True)
class Roster:
    """The learners of one school, with the rows that had problems."""

    learners: tuple[Learner, ...]
    problems: tuple[RowProblem, ...] = ()
    channels: frozenset[str] = frozenset()

    @property
    def in_capitals(self) -> bool:
        """Whether most rows are written in capitals ("SAM,JONES")."""
        caps = sum(1 for x in self.learners if in_capitals(x))
        return bool(self.learners) and caps * 2 >= len(self.learners)

    @property
    def notes(self) -> tuple[str, ...]:
        """Things worth knowing about the file that are not problems."""
        if self.in_capitals:
            return (
                "The roster is written in capitals; names are matched whatever "
                "their case, and short names such as SAM are ordinary names.",
            )
        return ()

    def __repr__(self) -> str:
        return f"Roster({len(self.learners)} learners, {len(self.problems)} problems)"

    @classmethod
    def empty(cls) -> Roster:
        """A roster with nobody on it, for off-roster checking only."""
        return cls(())

    def consent(self, learner_id: str, channel: str) -> bool | None:
        """Whether the learner consents to ``channel``; None when not tracked."""
        channel = _channel_key(channel)
        if channel not in self.channels:
            return None
        found = [x for x in self.learners if x.learner_id == learner_id]
        if not found:
            return False
        return all(x.consent.get(channel, False) for x in found)


def in_capitals(learner: Learner) -> bool:
    """Whether a row's names are all in capitals (an export habit, not a hint)."""
    names = [n for n in (learner.given, learner.family, learner.preferred) if n]
    return bool(names) and all(n.isupper() for n in names)


def load_roster(path: Path, *, columns: Mapping[str, str] | None = None) -> Roster:
    """Read a roster CSV; ``columns`` maps a field name to the file's header.

    Raises RosterError when the file is missing, empty or has no usable row.
    """
    text = _read_text(Path(path))
    rows = _reader(text)
    try:
        header = next(rows)
    except StopIteration:
        raise RosterError(
            f"The roster file {path} is empty. Export the learner list from "
            "your school's management system as CSV with a header row."
        ) from None
    except csv.Error as exc:
        raise RosterError(f"The roster file {path} is not valid CSV: {exc}.") from exc
    where = _map_columns(header, columns, path)
    consent_cols = _consent_columns(header, where)
    roster = _build(rows, where, consent_cols, path)
    logger.info(
        "roster loaded: %d learners, %d problem rows",
        len(roster.learners),
        len(roster.problems),
    )
    return roster


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise RosterError(
            f"The roster file {path} does not exist. Set PUBLISHER_ROSTER or "
            "pass --roster with the path of the school's learner CSV."
        ) from None
    except OSError as exc:
        raise RosterError(f"The roster file {path} cannot be read: {exc}.") from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Older management systems export Windows-1252; it decodes any byte.
        logger.warning("roster is not UTF-8; reading it as Windows-1252")
        return data.decode("cp1252", errors="replace")


def _reader(text: str) -> Iterator[list[str]]:
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def _header_key(name: str) -> str:
    return re.sub(r"[\s_]+", " ", name.strip().lower().lstrip("\ufeff"))


def _map_columns(
    header: list[str], columns: Mapping[str, str] | None, path: Path
) -> dict[str, int]:
    keys = [_header_key(h) for h in header]
    where: dict[str, int] = {}
    for fld, wanted in (columns or {}).items():
        if fld not in FIELDS:
            raise RosterError(
                f"Unknown roster field {fld!r} in the column mapping; use "
                f"{', '.join(FIELDS)}."
            )
        if _header_key(wanted) not in keys:
            raise RosterError(
                f"The roster file {path} has no column {wanted!r} (mapped to "
                f"{fld}). Check the header row or the column mapping."
            )
        where[fld] = keys.index(_header_key(wanted))
    for fld, synonyms in FIELDS.items():
        if fld in where:
            continue
        for synonym in (fld.replace("_", " "), *synonyms):
            if synonym in keys:
                where[fld] = keys.index(synonym)
                break
    if "given_name" not in where and "family_name" not in where:
        raise RosterError(
            f"The roster file {path} has no given-name or family-name column. "
            "Name them given_name and family_name (or Forename and Surname) "
            "in the first row; 'publisher check' and 'roster check' can also "
            "map them, for example --column given_name='Legal Forename'."
        )
    return where


def _channel_key(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", name.lower())


def _consent_columns(header: list[str], where: dict[str, int]) -> dict[str, int]:
    used = set(where.values())
    found: dict[str, int] = {}
    for i, name in enumerate(header):
        match = _CONSENT_HEADER.match(_header_key(name))
        if i in used or not match:
            continue
        channel = _channel_key(match.group(1) or match.group(2))
        if channel:
            found[channel] = i
    return found


def _cell(row: list[str], where: dict[str, int], fld: str) -> str:
    i = where.get(fld)
    if i is None or i >= len(row):
        return ""
    return " ".join(row[i].split())


def _build(
    rows: Iterable[list[str]],
    where: dict[str, int],
    consent_cols: dict[str, int],
    path: Path,
) -> Roster:
    learners: list[Learner] = []
    problems: list[RowProblem] = []
    seen: set[str] = set()
    for number, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        learner, row_problems = _learner(number, row, where, consent_cols)
        problems.extend(row_problems)
        if learner is None:
            continue
        if learner.learner_id in seen:
            problems.append(
                RowProblem(
                    number,
                    learner.learner_id,
                    "duplicate learner id; both rows are checked",
                    skipped=False,
                )
            )
        seen.add(learner.learner_id)
        learners.append(learner)
    if not learners:
        raise RosterError(
            f"The roster file {path} has no usable learner rows "
            f"({len(problems)} rows with problems). Run 'publisher roster "
            "check' to see which rows and why."
        )
    return Roster(tuple(learners), tuple(problems), frozenset(consent_cols))


def _learner(
    number: int, row: list[str], where: dict[str, int], consent_cols: dict[str, int]
) -> tuple[Learner | None, list[RowProblem]]:
    problems: list[RowProblem] = []
    learner_id = _cell(row, where, "learner_id")
    given = _cell(row, where, "given_name")
    family = _cell(row, where, "family_name")
    if not given and not family:
        reason = "no given or family name"
        return None, [RowProblem(number, learner_id or "-", reason)]
    if not learner_id:
        # Fail closed: the names are still checked under a row-based id.
        learner_id = f"row-{number}"
        problems.append(
            RowProblem(number, "-", f"no learner id; checked as {learner_id}", False)
        )
    consent: dict[str, bool] = {}
    for channel, i in consent_cols.items():
        raw = row[i].strip().lower() if i < len(row) else ""
        if raw in _TRUE:
            consent[channel] = True
        elif raw in _FALSE:
            consent[channel] = False
        else:
            consent[channel] = False
            problems.append(
                RowProblem(
                    number,
                    learner_id,
                    f"consent value for {channel} is not yes/no; read as no",
                    skipped=False,
                )
            )
    aliases = tuple(
        a.strip() for a in _ALIAS_SPLIT.split(_cell(row, where, "aliases")) if a.strip()
    )
    learner = Learner(
        learner_id=learner_id,
        given=given,
        family=family,
        preferred=_cell(row, where, "preferred_name"),
        year_group=_cell(row, where, "year_group"),
        aliases=aliases,
        consent=consent,
    )
    return learner, problems
