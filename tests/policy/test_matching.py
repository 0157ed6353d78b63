"""Every matching feature, on an invented roster (see conftest.py)."""

from __future__ import annotations

import pytest

from publisher.policy import NamesChecker
from tests.policy.conftest import matched


@pytest.mark.parametrize(
    ("text", "names"),
    [
        # given, family, preferred and full names
        ("Well done Catrin today.", ["Catrin"]),
        ("Gwil scored twice.", ["Gwil"]),
        ("Kwame Mensah won the race.", ["Kwame Mensah"]),
        ("Go Team Kowalski!", ["Kowalski"]),
        ("The Mensah family ran the stall.", ["Mensah"]),
        # shared names keep every learner
        ("Oliver read a poem.", ["Oliver"]),
        # names of several words, hyphens, apostrophes, particles
        ("Well done Mary-Jane Smith-Jones!", ["Mary-Jane Smith-Jones"]),
        ("Siân O'Brien sang.", ["Siân O'Brien"]),
        ("Siân O’Brien’s poem.", ["Siân O’Brien"]),
        ("Dafydd ap Iorwerth won the chair.", ["Dafydd ap Iorwerth"]),
        ("Jia Hui read aloud.", ["Jia Hui"]),
        # possessives stay outside the span
        ("We loved Tegan's painting.", ["Tegan"]),
        ("We loved Tegan’s painting.", ["Tegan"]),
        # full names across a line break, register order
        ("Congratulations to Cerys\nBowen!", ["Cerys\nBowen"]),
        ("Bowen, Cerys – Year 3", ["Bowen, Cerys"]),
        # initials
        ("Well done C. Jones!", ["C. Jones"]),
        ("Well done C Jones!", ["C Jones"]),
        ("Catrin J. won.", ["Catrin J."]),
        ("Thanks CJ for the help.", ["CJ"]),
        ("Thanks C.J. for the help.", ["C.J."]),
        ("Well done to A.B. and T.G. this week.", []),
        # case
        ("WELL DONE CATRIN JONES", ["CATRIN JONES"]),
        ("well done catrin jones", ["catrin jones"]),
        # punctuation and emoji around names
        ("🎉Tegan🎉 did it", ["Tegan"]),
        ("…and finally—Cerys—won!", ["Cerys"]),
    ],
)
def test_names_in_plain_text(
    checker: NamesChecker, text: str, names: list[str]
) -> None:
    assert matched(checker, text) == names


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("#WellDoneTegan #proud", ["Tegan"]),
        ("#well_done_tegan", ["tegan"]),
        ("#welldonetegan", ["tegan"]),
        ("#catrinjones #sportsday", ["catrinjones"]),
        ("cc @CatrinJ", ["CatrinJ"]),
        ("@cerys_bowen07 is through!", ["cerys_bowen"]),
        ("catrin_jones_certificate.jpg", ["catrin_jones"]),
        ("See https://example.sch.uk/news/cerys-bowen-wins", ["cerys-bowen"]),
        ("#sportsday #teamwork", []),
    ],
)
def test_names_glued_in_hashtags_handles_urls(
    checker: NamesChecker, text: str, names: list[str]
) -> None:
    assert matched(checker, text) == names


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Well done Cat\u200brin!", ["Cat\u200brin"]),
        ("Well done Cat\u00adrin!", ["Cat\u00adrin"]),
        ("Well done \u0421atrin!", ["\u0421atrin"]),  # Cyrillic Es
        ("Well done Sia\u0302n!", ["Sia\u0302n"]),
        ("Well done Sian!", ["Sian"]),
        ("Well done Siàn!", ["Siàn"]),  # wrong accent
        ("Great game Lukasz!", ["Lukasz"]),
        ("ＣＡＴＲＩＮ wins", ["ＣＡＴＲＩＮ"]),
        ("Well done C.a.t.r.i.n!", ["C.a.t.r.i.n"]),
        ("Well done C a t r i n!", ["C a t r i n"]),
        ("Well done T-e-g-a-n!", ["T-e-g-a-n"]),
    ],
)
def test_evasions(checker: NamesChecker, text: str, names: list[str]) -> None:
    assert matched(checker, text) == names


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Llongyfarchiadau i Gatrin!", ["Gatrin"]),  # soft
        ("Diolch i Lŷr am ddarllen.", ["Lŷr"]),  # soft, ll > l
        ("Da iawn, Gerys!", ["Gerys"]),  # vocative soft
        ("Llun gan Fryn o'r traeth.", ["Fryn"]),  # soft b > f
        ("Balch iawn o fy Nhegan heddiw.", ["Nhegan"]),  # nasal
        ("Fy Mhedr bach i.", ["Mhedr"]),  # nasal
        ("Da iawn i Dewi a Chatrin!", ["Dewi", "Chatrin"]),  # aspirate
        ("Siaradodd Bryn â Thegan.", ["Bryn", "Thegan"]),  # aspirate after â
        ("balch o fy nhegan i", ["nhegan"]),  # all lower case: judgement, block
        ("Llongyfarchiadau i Dewi Rees", ["Dewi Rees"]),  # unmutated after trigger
    ],
)
def test_welsh_mutations(checker: NamesChecker, text: str, names: list[str]) -> None:
    assert matched(checker, text) == names


@pytest.mark.parametrize(
    "text",
    [
        "Taith Blwyddyn 4 i'r Fali yfory.",  # Y Fali, the place
        "Aethon ni i ben y bryn.",  # bryn = hill
        "Roedd y plant yng Nghaerdydd.",
        "Mae'r deganau yn y bocs.",
        "Taith i Dyddewi heddiw.",
        "Mae'r fath beth yn bosib.",  # fath = kind (Math)
        "I'd like a Chai latte please.",  # English: no mutation
        "Sign up at Race for Life!",
    ],
)
def test_mutation_traps_pass(checker: NamesChecker, text: str) -> None:
    assert matched(checker, text) == []


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Congratulations Summer on your black belt!", ["Summer"]),
        ("Summer won the 100m.", ["Summer"]),
        ("Thank you Hope for your help.", ["Hope"]),
        ("Hope and Will were our helpers.", ["Hope", "Will"]),
        ("Well done Will!", ["Will"]),
        ("Mae Seren wedi ennill.", ["Seren"]),
        ("Mae Eira wedi gwneud dyn eira.", ["Eira"]),
        ("A poem by May about the sea.", ["May"]),
        ("Grace's painting is in the hall.", ["Grace"]),
        ("Max, Grace and Tegan ran the stall.", ["Max", "Grace", "Tegan"]),
        ("Green and Stone are our house captains.", ["Green", "Stone"]),
        ("A photo of May in the garden.", ["May"]),
        ("Go Summer!", ["Summer"]),
        ("Summer", ["Summer"]),
    ],
)
def test_word_names_used_as_names(
    checker: NamesChecker, text: str, names: list[str]
) -> None:
    assert matched(checker, text) == names


@pytest.mark.parametrize(
    "text",
    [
        "We will be closed on Monday.",
        "May the force be with you!",
        "Sports day is on 13 May.",
        "Summer fair on Saturday.",
        "Summer Fair on Saturday.",
        "The summer holidays start soon.",
        "Hope to see you there!",
        "Join us in Grace Hall at 2pm.",
        "We have the Green Flag Award!",
        "Learning about the Stone Age.",
        "Ho ho ho! Santa visited.",
        "Seren yr wythnos yw pawb!",
        "Eira mawr heddiw!",
        "Faith and belief week.",
        "Christmas lights switched on.",  # Li in Lights
        "Trip on Thu 13 Jun.",  # Jun as a month
        "Maximum effort today!",  # Max in Maximum
        "Will you join us?",
        "the stone wall in the green field",
        "Grace before lunch in the hall.",
        "Concert at the Albert Hall tonight.",
        "Forms back by the end of May please.",
        "Price: £5 per ticket.",
        "Dosbarth Seren went to the beach.",
    ],
)
def test_word_names_used_as_words_pass(checker: NamesChecker, text: str) -> None:
    assert matched(checker, text) == []


def test_unsure_word_name_blocks_and_says_why(checker: NamesChecker) -> None:
    (finding,) = checker.find_names("Summer!")
    assert finding.blocking
    assert "nothing around it decides" in finding.reason


@pytest.mark.parametrize(
    "text",
    [
        "Thank you to Mrs Jones for the cakes.",
        "Mr Evans and Miss Price ran the trip.",
        "Diolch i Anti Catrin am y gacen!",
        "Dr Mensah gave a talk.",
        "Mrs Catrin Evans, our new teacher.",  # an adult named in full
        "Happy St David's Day!",
        "Dewi Sant yw nawddsant Cymru.",
        "Gareth Bale visited!",
        "T. Llew Jones wrote Barti Ddu.",
        "Year 6 climbed Mount Snowdon.",
        "Captain Tom inspired us.",
    ],
)
def test_staff_public_figures_places_pass(checker: NamesChecker, text: str) -> None:
    assert matched(checker, text) == []


def test_staff_and_learner_together(checker: NamesChecker) -> None:
    assert matched(checker, "Miss Price with Tegan and Bryn.") == ["Tegan", "Bryn"]


def test_we_will_miss_is_not_a_title(checker: NamesChecker) -> None:
    assert matched(checker, "we will miss catrin") == ["catrin"]


def test_full_learner_name_beats_allow_list(roster_path, tmp_path) -> None:
    from publisher.policy import load_policy, load_roster

    toml = tmp_path / "p.toml"
    toml.write_text(
        'rule = "images-no-names"\n[allow]\npublic_figures = ["Catrin Jones"]\n'
    )
    checker = NamesChecker(load_roster(roster_path), load_policy(str(toml), tmp_path))
    assert matched(checker, "Catrin Jones won.") == ["Catrin Jones"]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("A warm welcome to our new starter Zebedee!", ["Zebedee"]),
        ("Happy birthday Percival! 🎂", ["Percival"]),
        ("Croeso cynnes i Heulwen i Flwyddyn 1!", ["Heulwen"]),
        ("Tobias Winterbourne receiving his medal.", ["Tobias Winterbourne"]),
        ("Persephone won the art prize.", ["Persephone"]),
        ("Jemima Fairweather holding the cup.", ["Jemima Fairweather"]),
        ("Welcome to Year 3, Zephyrine!", ["Zephyrine"]),
        ("Our new reception starter Tallulah settled in.", ["Tallulah"]),
        ("Thaddeus and his mum at the fair.", ["Thaddeus"]),
    ],
)
def test_off_roster_names(checker: NamesChecker, text: str, names: list[str]) -> None:
    findings = checker.find_names(text)
    assert [f.matched for f in findings] == names
    assert all(f.learner_ids == () for f in findings)


@pytest.mark.parametrize(
    "text",
    [
        "Congratulations to Year 6 on their results!",
        "Well done everyone!",
        "Diolch i Heddlu De Cymru am yr ymweliad.",
        "Our Christmas Fayre raised £500.",
        "Well done Team Red!",
        "Thank you Cardiff Blues for the session.",
        "Mary and Joseph arrive in Bethlehem.",
        "Trip to Victoria Park tomorrow.",
        "Gabriel visited Mary with good news.",
        "Welcome to Ysgol Gwenllian!",
    ],
)
def test_off_roster_false_friends_pass(checker: NamesChecker, text: str) -> None:
    assert matched(checker, text) == []


def test_offsets_are_code_points_of_the_original(checker: NamesChecker) -> None:
    text = "🎉🎉 Well done Cat\u200brin Jo\u0301nes!"
    (finding,) = checker.find_names(text)
    assert text[finding.start : finding.end] == finding.matched
    assert finding.matched == "Cat\u200brin Jo\u0301nes"


def test_learner_ids(checker: NamesChecker) -> None:
    (one,) = checker.find_names("Catrin won")
    assert one.learner_ids == ("T001",)
    (two,) = checker.find_names("Oliver won")
    assert two.learner_ids == ("T011", "T012")
    (initial,) = checker.find_names("C. Jones won")
    assert initial.learner_ids == ("T001",)
