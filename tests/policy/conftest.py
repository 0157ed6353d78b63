"""Shared fixtures: a small invented roster and checkers built on it."""

from __future__ import annotations

from pathlib import Path

import pytest

from publisher.config import PACKAGE_POLICIES
from publisher.policy import NamesChecker, Policy, Roster, load_policy, load_roster

ROSTER_CSV = """\
learner_id,given_name,family_name,preferred_name,year_group,aliases,consent_x,consent_facebook
T001,Catrin,Jones,,Year 4,,yes,no
T002,Gwilym,Price,Gwil,Year 3,,y,y
T003,Summer,Green,,Year 5,,1,0
T004,William,Stone,Will,Year 6,,true,false
T005,Hope,Hall,,Year 2,,yes,yes
T006,Tegan,Lloyd,,Year 7,,yes,yes
T007,Bryn,Evans,,Year 1,,yes,yes
T008,Mali,Roberts,,Year 2,,yes,yes
T009,Siân,O'Brien,,Year 5,,yes,yes
T010,Mary-Jane,Smith-Jones,,Year 3,,yes,yes
T011,Oliver,Nowak,,Year 4,,yes,yes
T012,Oliver,Kowalski,,Year 6,,yes,yes
T013,Seren,Davies,,Year 1,,yes,yes
T014,Callum,James,,Year 6,CJ|Cal,yes,yes
T015,Łukasz,Wiśniewski,,Year 3,,yes,yes
T016,May,Chen,,Year 4,,yes,yes
T017,Grace,Ho,,Year 5,,yes,yes
T018,Dafydd,ap Iorwerth,,Year 6,,yes,yes
T019,Zoë,Mensah,,Year 2,,yes,yes
T020,Kwame,Mensah,,Year 5,,yes,yes
T021,Eira,Li,,Year 1,,yes,yes
T022,Jun,Wong,,Year 3,,yes,yes
T023,Pedr,Morgan,,Year 4,,yes,yes
T024,Gareth,Thomas,,Year 6,,yes,yes
T025,Dewi,Rees,,Year 5,,yes,yes
T026,Cerys,Bowen,,Year 3,,yes,yes
T027,Llŷr,Hughes,,Year 4,,yes,yes
T028,Max,Fletcher,,Year 4,,yes,yes
T029,Jia Hui,Lam,,Year 3,,yes,yes
"""


@pytest.fixture
def roster_path(tmp_path: Path) -> Path:
    path = tmp_path / "roster.csv"
    path.write_text(ROSTER_CSV, encoding="utf-8")
    return path


@pytest.fixture
def roster(roster_path: Path) -> Roster:
    return load_roster(roster_path)


@pytest.fixture
def policy() -> Policy:
    return load_policy("images-no-names", PACKAGE_POLICIES)


@pytest.fixture
def checker(roster: Roster, policy: Policy) -> NamesChecker:
    return NamesChecker(roster, policy)


def matched(checker: NamesChecker, text: str) -> list[str]:
    """The words the checker flags in ``text``, in order."""
    return [f.matched for f in checker.find_names(text)]
