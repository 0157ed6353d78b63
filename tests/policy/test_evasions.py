"""Evasions a red team found, and the false alarms their fixes must not cause.

Each kind is tested with its own roster and sentences (not the red team's).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from publisher.policy import NamesChecker, Policy, load_roster
from tests.policy.conftest import matched

ROSTER = """\
learner_id,given_name,family_name,preferred_name,year_group
R01,Nerys,Vaughan,,Year 6
R02,Osian,Pritchard,,Year 2
R03,Tomasz,Nowak,Tom,Year 3
R04,Elin,Okonkwo,,Year 4
R05,Manon,Bevan,,Year 5
R06,Steffan,Lloyd-Harries,,Year 6
R07,Heledd,Mansfield,,Year 1
R08,Jack,Rahman,,Year 2
R09,Grace,Thornton,,Year 3
R10,Seren,Chauhan,,Year 4
R11,William,Foster,Will,Year 4
R12,Holly,Morgan,,Year 5
R13,Deio,Price,,Year 6
R14,Val,Jenkins,,Year 1
R15,Eve,Walsh,,Year 2
R16,Math,Hughes,,Year 3
R17,Nina,Ellis,,Year 4
R18,Jun,Li,,Year 5
R19,Mark,Howells,,Year 6
R20,Sky,Turner,,Year 1
R21,Rowan,Blake,,Year 2
R22,Harvey,Cole,,Year 3
R23,Amara,Chen,,Year 4
R24,Catrin,Sion,,Year 5
R25,Sam,Whitley,,Year 6
R26,Hope,Ellis,,Year 1
R27,Eira,Powell,,Year 2
R28,Amber,Nash,,Year 3
R29,Faith,Adeyemi,,Year 4
"""


@pytest.fixture
def red(tmp_path: Path, policy: Policy) -> NamesChecker:
    path = tmp_path / "red.csv"
    path.write_text(ROSTER, encoding="utf-8")
    return NamesChecker(load_roster(path), policy)


def blocked(checker: NamesChecker, text: str) -> bool:
    return checker.judge(text, [], has_images=True).blocked


# -- direction controls ---------------------------------------------------


def test_direction_override_blocks_under_its_own_rule(red: NamesChecker) -> None:
    text = "Da iawn \u202eddeleH\u202c am y llun!"
    findings = red.find_names(text)
    rules = {f.rule for f in findings}
    assert rules == {"images-no-names", "direction-controls"}
    (control,) = [f for f in findings if f.rule == "direction-controls"]
    assert control.learner_ids == ()
    assert control.blocking
    assert "invisible direction-control" in control.reason
    assert "Remove" in control.advice
    # The reversed run is read as a reader sees it: Heledd.
    (name,) = [f for f in findings if f.rule == "images-no-names"]
    assert name.matched == "ddeleH"
    assert name.learner_ids == ("R07",)


@pytest.mark.parametrize("control", ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e"])
def test_any_embedding_or_override_blocks_even_without_a_name(
    red: NamesChecker, control: str
) -> None:
    text = f"Our trip to the coast{control} was lovely."
    (finding,) = red.find_names(text)
    assert finding.rule == "direction-controls"
    assert blocked(red, text)


def test_isolates_and_marks_are_removed_not_reported(red: NamesChecker) -> None:
    findings = red.find_names("Well done \u2066Ma\u200enon\u2069 and \u200fOsian!")
    assert [f.matched for f in findings] == ["Ma\u200enon", "Osian"]
    assert all(f.rule == "images-no-names" for f in findings)


# -- look-alike letters -----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Well done ᴍᴀɴᴏɴ!", "ᴍᴀɴᴏɴ"),  # small capitals
        ("Great reading ᴴᵉˡᵉᵈᵈ", "ᴴᵉˡᵉᵈᵈ"),  # modifier letters
        ("Player of the day: 🇴🇸🇮🇦🇳", "🇴🇸🇮🇦🇳"),  # regional indicators, no flag
        ("Well done O\u20dds\u20ddi\u20dda\u20ddn\u20dd!", "O⃝s⃝i⃝a⃝n⃝"),  # enclosing
        ("Well done D\u20e3e\u20e3i\u20e3o\u20e3", "D⃣e⃣i⃣o⃣"),  # keycaps
        ("Huge well done to uouɐɯ!", "uouɐɯ"),  # upside down, reversed
        ("Happy birthday uᴉlƎ", "uᴉlƎ"),
        ("Great goal Nerʎs", "Nerʎs"),  # turned letter, not reversed
    ],
)
def test_lookalike_letters(red: NamesChecker, text: str, name: str) -> None:
    assert matched(red, text) == [name]


def test_flags_stay_flags(red: NamesChecker) -> None:
    # NG (Nigeria) and LI (Liechtenstein) are flags, not the letters of Li.
    assert matched(red, "Heritage week 🇳🇬🇱🇮🇬🇧 – thank you families!") == []


# -- names glued inside hashtags and addresses ----------------------------


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("#fastestrunnersteffan", ["steffan"]),
        ("#superstartom", ["tom"]),
        ("#helpinghandosian #proud", ["osian"]),
        ("#kindestheledd", ["heledd"]),
        ("#bestfriendsmanonandelin", ["manon", "elin"]),
        ("#gonerysgo", ["nerys"]),
        ("#diolchiddeio", ["deio"]),  # the radical inside the mutated form
        ("#daiawnfanon", ["fanon"]),  # mutated after a Welsh cue
        ("See https://example.sch.uk/news/goldenbookmanon", ["manon"]),
        ("trophywinnerosian_2024.jpg", ["osian"]),
        ("#hollymorgan #willfoster", ["hollymorgan", "willfoster"]),  # full names
        ("#goodluckjack", ["jack"]),  # a word-name after a cue, at the end
    ],
)
def test_names_glued_anywhere(red: NamesChecker, text: str, names: list[str]) -> None:
    assert matched(red, text) == names


@pytest.mark.parametrize(
    "text",
    [
        "#sportsday #welldoneeveryone",  # Eve in "everyone"
        "#harvestfestival",  # Val in "festival"
        "#mathsweek",  # Math in "maths"
        "#lights #christmaslights",  # Li in "lights"
        "#mudkitchen",  # Chen in "kitchen"
        "#revisionweek",  # Sion in "revision"
        "#javelinthrow",  # Elin in "javelin"
        "#dramalife #theoutdoorclassroom",  # across two words
        "#goodwill #markmaking",  # word-names need a cue
        "#seaside #evening #nightingale",
    ],
)
def test_glued_words_that_hide_names_pass(red: NamesChecker, text: str) -> None:
    assert matched(red, text) == []


def test_glued_name_that_reads_as_a_name_blocks(red: NamesChecker) -> None:
    # Judgement: "#ninawards" has no reading without Nina, so it blocks.
    assert matched(red, "#ninawards") == ["nina"]


# -- titles cover one adult -------------------------------------------------


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Award winner: Miss Nerys Vaughan", ["Nerys Vaughan"]),
        ("Thanks Mr Evans Osian and the choir", ["Osian"]),
        ("Mrs Price Heledd Manon", ["Heledd", "Manon"]),
        ("Photo: Dr Bevan Manon Bevan", ["Manon Bevan"]),
        ("Mx Osian Pritchard visited", ["Osian Pritchard"]),
        ("Miss Heledd read the story", ["Heledd"]),
        ("diolch i syr steffan", ["steffan"]),
    ],
)
def test_titles_cover_one_adult_only(
    red: NamesChecker, text: str, names: list[str]
) -> None:
    assert matched(red, text) == names


def test_title_reasons_say_what_to_do(red: NamesChecker) -> None:
    (full,) = red.find_names("Miss Nerys Vaughan")
    assert "exactly a learner's full name" in full.reason
    assert "acknowledge" in full.reason
    (given,) = red.find_names("Sir Steffan")
    assert "title and family name" in given.reason
    assert given.blocking


@pytest.mark.parametrize(
    "text",
    [
        "Anti Elin made the costumes.",  # Welsh convention for staff
        "Yncl Osian ran the barbecue.",
        "Thank you Mrs Vaughan for the cakes.",  # a parent by family name
        "Dr Okonkwo gave a talk.",
        "Mrs Manon Davies joins us as our cook.",  # one adult named in full
        "Mr T Nowak visited.",
        "Mr and Mrs Bevan donated the prizes.",
    ],
)
def test_titled_adults_pass(red: NamesChecker, text: str) -> None:
    assert matched(red, text) == []


# -- spaced letters, symbols inside words, leetspeak ------------------------


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Well done M..a..n..o..n", "M..a..n..o..n"),
        ("Well done M, a, n, o, n!", "M, a, n, o, n"),
        ("Star: H|e|l|e|d|d", "H|e|l|e|d|d"),
        ("Well done\nO\ns\ni\na\nn", "O\ns\ni\na\nn"),
        ("Great work O.s-i a.n", "O.s-i a.n"),
        ("Ste🏅ffan won", "Ste🏅ffan"),
        ("He🎉ledd sang", "He🎉ledd"),
        ("Well done Ner*s!", "Ner*s"),  # a symbol standing in for a letter
        ("Well done M4n0n", "M4n0n"),
        ("5teffan scored", "5teffan"),
        ("Great game 0sian!", "0sian"),
        ("Thanks H3l3dd", "H3l3dd"),
        ("Well done Ma@non", "Ma@non"),
        ("N3ry$ won", "N3ry$"),
    ],
)
def test_split_and_leet_names(red: NamesChecker, text: str, name: str) -> None:
    assert matched(red, text) == [name]


@pytest.mark.parametrize(
    "text",
    [
        "Year 6 trip on 13 Jun at 2pm.",
        "Y6 and Y5 in room B4 at 10:30am.",
        "3D shapes and 2x tables today.",
        "Groups A, B and C; KS1 and KS2.",
        "Email office@example.sch.uk for tickets at $5.",
        "Phonics: s, a, t, p today.",
        "Dawn chorus walk at 5am, back by 10am.",  # not "sam"
        "Finished 1st and 2nd in the 5km race.",
    ],
)
def test_numbers_and_letters_that_spell_nothing_pass(
    red: NamesChecker, text: str
) -> None:
    assert matched(red, text) == []


# -- Welsh: address without a trigger, h after ei/ein/eu --------------------


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Bore da Fanon!", ["Fanon"]),
        ("Gwych Ddeio! Gôl arbennig.", ["Ddeio"]),
        ("Ardderchog, Fanon!", ["Fanon"]),
        ("Ddeio, da iawn ti heddiw!", ["Ddeio"]),
        ("Mae Fanon yn canu yn y côr.", ["Fanon"]),
        ("Dyma ein Hosian ni.", ["Hosian"]),
        ("Mae Nain yn falch o'i Helin.", ["Helin"]),
        ("Mae eu Hamara nhw yn y sioe.", ["Hamara"]),
    ],
)
def test_welsh_address_and_h_prothesis(
    red: NamesChecker, text: str, names: list[str]
) -> None:
    assert matched(red, text) == names


@pytest.mark.parametrize(
    "text",
    [
        "Croeso i Ddosbarth Derw!",
        "Diolch i Dduw am y bwyd.",
        "Llongyfarchiadau i Flwyddyn 4!",
        "Race for Life – diolch i bawb!",
        "Gŵyl Ddewi hapus i bawb!",
        "Aethon ni i'r Fali ddoe.",
        "Mae ei henw ar y bwrdd.",  # h-form of a word, not a name
        "Roedd y plant yng Nghaerdydd.",
    ],
)
def test_welsh_words_are_not_people(red: NamesChecker, text: str) -> None:
    assert matched(red, text) == []


# -- class, team and school names -------------------------------------------


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Croeso i Ddosbarth Osian!", "Osian"),
        ("Well done Class Manon!", "Manon"),
        ("Tîm Heledd won the quiz.", "Heledd"),
        ("Ysgol Nerys sports day.", "Nerys"),
    ],
)
def test_learner_name_as_class_name_blocks(
    red: NamesChecker, text: str, name: str
) -> None:
    (finding,) = red.find_names(text)
    assert finding.matched == name
    assert "class, team or school" in finding.reason


def test_class_named_after_a_word_passes(red: NamesChecker) -> None:
    assert matched(red, "Dosbarth Seren and Dosbarth Derw went to the beach.") == []


# -- family names in the plural ---------------------------------------------


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("The Vaughans won the family quiz.", "Vaughan"),
        ("Thanks to the Okonkwos' for the food.", "Okonkwo"),
        ("We loved the Walshes' scarecrow!", "Walsh"),
    ],
)
def test_plural_family_names(red: NamesChecker, text: str, name: str) -> None:
    (finding,) = red.find_names(text)
    assert finding.matched == name
    assert "plural" in finding.reason


# -- word-names at the start of a caption -----------------------------------


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Jack on the slide.", "Jack"),
        ("Grace at the disco.", "Grace"),
        ("Mark from Year 6 on the field.", "Mark"),
        ("Seren in the garden.", "Seren"),
        ("Will near the pond.", "Will"),
        ("Holly with her certificate.", "Holly"),
        ("Rowan on the bike.", "Rowan"),
        ("Sky by the bug hotel.", "Sky"),
        ("Seren yn yr ardd.", "Seren"),
        ("Hope in Year 2 won the quiz.", "Hope"),
        ("Grace in the garden.", "Grace"),
        ("Sam at the pond.", "Sam"),
    ],
)
def test_word_name_starting_a_caption_blocks(
    red: NamesChecker, text: str, name: str
) -> None:
    assert matched(red, text) == [name]


@pytest.mark.parametrize(
    "text",
    [
        "Will you join us for the fair?",
        "Mark your calendars!",
        "Rose Garden Day at the care home.",
        "Holly wreaths in the craft club.",
        "Sky Sports visited our sports hall.",
        "Grace before lunch.",
        "Jack Frost came early this year.",
        "Hope in every classroom: our values.",  # a virtue before "in"
        "Faith in action week.",
        "Eira ar y mynydd heddiw.",  # snow on the mountain
        "Amber warning for wind tomorrow.",
    ],
)
def test_word_name_used_as_a_word_passes(red: NamesChecker, text: str) -> None:
    assert matched(red, text) == []


# -- places and businesses named after a family -----------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Trip to Morgan Arcade in town.",
        "Sports day on Pritchard's Field.",
        "Harvey's Bakery donated the bread.",
        "A grant from the Bevan Foundation.",
    ],
)
def test_places_named_after_families_pass(red: NamesChecker, text: str) -> None:
    assert matched(red, text) == []


def test_learner_things_still_block(red: NamesChecker) -> None:
    assert matched(red, "Harvey's painting won.") == ["Harvey"]
    assert matched(red, "Nerys Hall won the race.") == ["Nerys"]


# -- a roster exported in capitals ------------------------------------------


def test_capitals_roster_matches_short_names(tmp_path: Path, policy: Policy) -> None:
    path = tmp_path / "caps.csv"
    path.write_text(
        "learner_id,given_name,family_name\nC1,SAM,JONES\nC2,MAX,PRYCE\n"
        "C3,IVY,LAMBERT\nC4,IFA,WYN\n",
        encoding="utf-8",
    )
    roster = load_roster(path)
    checker = NamesChecker(roster, policy)
    assert matched(checker, "Sam planting bulbs with Ifa.") == ["Sam", "Ifa"]
    assert matched(checker, "well done ivy") == ["ivy"]
    assert roster.in_capitals
    assert "capitals" in roster.notes[0]


def test_capital_nickname_in_mixed_roster_stays_capitals_only(
    tmp_path: Path, policy: Policy
) -> None:
    path = tmp_path / "mixed.csv"
    path.write_text(
        "learner_id,given_name,family_name,aliases\n"
        "M1,Callum,James,CJ\nM2,Sam,Jones,\nM3,IFA,BOWEN,\n",
        encoding="utf-8",
    )
    roster = load_roster(path)
    checker = NamesChecker(roster, policy)
    assert matched(checker, "Thanks CJ!") == ["CJ"]
    assert matched(checker, "Thanks cj!") == []
    assert matched(checker, "Ifa sang.") == ["Ifa"]  # a row in capitals
    assert not roster.in_capitals
    assert roster.notes == ()
