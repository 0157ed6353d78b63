"""Loading the school's roster CSV."""

from __future__ import annotations

from pathlib import Path

import pytest

from publisher.errors import RosterError
from publisher.policy import load_roster
from tests.policy.casefile import CORPUS

CORPUS_ROSTER = CORPUS / "roster.csv"


def write(tmp_path: Path, text: str, name: str = "roster.csv", **kw: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding=kw.get("encoding", "utf-8"), newline="")
    return path


def test_loads_the_fixture_roster(roster_path: Path) -> None:
    roster = load_roster(roster_path)
    assert len(roster.learners) == 29
    first = roster.learners[0]
    assert (first.learner_id, first.given, first.family) == ("T001", "Catrin", "Jones")
    assert roster.learners[13].aliases == ("CJ", "Cal")
    assert roster.channels == frozenset({"x", "facebook"})
    assert not roster.problems


@pytest.mark.skipif(not CORPUS_ROSTER.exists(), reason="names corpus not present")
def test_loads_the_corpus_roster_as_it_is() -> None:
    roster = load_roster(CORPUS_ROSTER)
    assert len(roster.learners) == 300
    assert not roster.problems
    assert roster.channels == frozenset()


def test_sis_export_headers_are_recognised(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "UPN,Admission Number,Legal Forename,Surname,Preferred Forename,Year\n"
        "A123,0042,Rhiannon,Hopkins,Rhi,8\n",
    )
    learner = load_roster(path).learners[0]
    assert learner.learner_id == "0042"  # admission number before UPN
    assert (learner.given, learner.family, learner.preferred) == (
        "Rhiannon",
        "Hopkins",
        "Rhi",
    )


def test_column_mapping_for_unusual_headers(tmp_path: Path) -> None:
    path = write(tmp_path, "Pupil Ref,Forename 1,Family\nP9,Iolo,Rees\n")
    roster = load_roster(
        path,
        columns={
            "learner_id": "Pupil Ref",
            "given_name": "Forename 1",
            "family_name": "Family",
        },
    )
    assert roster.learners[0].learner_id == "P9"
    assert roster.learners[0].given == "Iolo"


def test_mapping_to_a_missing_column_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "learner_id,given_name,family_name\nL1,A,B\n")
    with pytest.raises(RosterError, match="no column 'Legal Forename'"):
        load_roster(path, columns={"given_name": "Legal Forename"})


def test_mapping_an_unknown_field_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "learner_id,given_name,family_name\nL1,A,B\n")
    with pytest.raises(RosterError, match="Unknown roster field 'nickname'"):
        load_roster(path, columns={"nickname": "given_name"})


def test_bom_crlf_blank_rows_and_semicolons(tmp_path: Path) -> None:
    text = (
        "\ufefflearner_id;given_name;family_name\r\n\r\n"
        "L1;Nia;Rees\r\n;;\r\nL2;Ifan;Rhys\r\n"
    )
    roster = load_roster(write(tmp_path, text))
    assert [x.learner_id for x in roster.learners] == ["L1", "L2"]
    assert not roster.problems


def test_windows_1252_export_is_read(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_bytes(
        "learner_id,given_name,family_name\nL1,Siân,Rees\n".encode("cp1252")
    )
    assert load_roster(path).learners[0].given == "Siân"


def test_bad_rows_are_reported_by_row_and_id(tmp_path: Path) -> None:
    text = (
        "learner_id,given_name,family_name,consent_x\n"
        "L1,Nia,Rees,yes\n"  # row 2: fine
        "L2,,,yes\n"  # row 3: no name at all: skipped
        ",Ifan,Rhys,no\n"  # row 4: no id: still checked
        "L1,Nia,Rees,maybe\n"  # row 5: duplicate id and bad consent
    )
    roster = load_roster(write(tmp_path, text))
    problems = [(p.row, p.learner_id, p.skipped) for p in roster.problems]
    assert (3, "L2", True) in problems
    assert (4, "-", False) in problems
    assert (5, "L1", False) in problems
    assert any("duplicate" in p.reason for p in roster.problems)
    assert any("not yes/no" in p.reason for p in roster.problems)
    assert "row-4" in {x.learner_id for x in roster.learners}
    # A bad consent value reads as no consent (fail closed).
    assert roster.consent("L1", "x") is False


def test_problem_reasons_never_contain_names(tmp_path: Path) -> None:
    text = "learner_id,given_name,family_name,consent_x\n,Zebedee,Quill,perhaps\n"
    roster = load_roster(write(tmp_path, text))
    for problem in roster.problems:
        assert "Zebedee" not in problem.reason and "Quill" not in problem.reason
    assert "Zebedee" not in repr(roster.learners[0])


def test_consent_values_and_untracked_channels(roster_path: Path) -> None:
    roster = load_roster(roster_path)
    assert roster.consent("T001", "x") is True
    assert roster.consent("T001", "facebook") is False
    assert roster.consent("T003", "x") is True
    assert roster.consent("T003", "facebook") is False
    assert roster.consent("T001", "bluesky") is None
    assert roster.consent("nobody", "x") is False


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(RosterError, match="does not exist"):
        load_roster(tmp_path / "nope.csv")


def test_empty_file(tmp_path: Path) -> None:
    with pytest.raises(RosterError, match="is empty"):
        load_roster(write(tmp_path, ""))


def test_no_name_columns(tmp_path: Path) -> None:
    with pytest.raises(RosterError, match="no given-name or family-name column"):
        load_roster(write(tmp_path, "id,colour\n1,red\n"))


def test_no_usable_rows(tmp_path: Path) -> None:
    with pytest.raises(RosterError, match="no usable learner rows"):
        load_roster(write(tmp_path, "learner_id,given_name,family_name\nL1,,\n"))


def test_empty_roster_for_off_roster_checks() -> None:
    from publisher.policy import Roster

    assert Roster.empty().learners == ()
