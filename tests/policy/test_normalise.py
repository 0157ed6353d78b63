"""Normalisation: a parallel string with a map back to the original text."""

from __future__ import annotations

import pytest

from publisher.policy.normalise import fold_word, normalise, views


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Catrin", "catrin"),
        ("Siân", "sian"),  # precomposed circumflex
        ("Sia\u0302n", "sian"),  # decomposed (NFD) circumflex
        ("Cat\u200brin", "catrin"),  # zero-width space
        ("Cat\u00adrin", "catrin"),  # soft hyphen
        ("Daf\ufeffydd", "dafydd"),  # byte-order mark
        ("Tom\u2060os", "tomos"),  # word joiner
        ("\u0420riya", "priya"),  # Cyrillic Er
        ("\u0396o\u00eb", "zoe"),  # Greek Zeta
        ("ＴＯＭＯＳ", "tomos"),  # full-width letters
        ("\U0001d402\U0001d41a\U0001d42d", "cat"),  # mathematical bold
        ("Łukasz", "lukasz"),
        ("Dąbrowska", "dabrowska"),
        ("O\u2019Brien", "o'brien"),  # curly apostrophe read as ASCII
    ],
)
def test_folds_to_plain_lower_case(text: str, folded: str) -> None:
    assert normalise(text).folded == folded


def test_cased_keeps_capitals_and_matches_folded_length() -> None:
    norm = normalise("Well done \u0420riya!")
    assert norm.cased == "Well done Priya!"
    assert len(norm.cased) == len(norm.folded)


def test_ascii_text_needs_no_index_map() -> None:
    norm = normalise("Plain text")
    assert norm.index is None
    assert norm.span(0, 5) == (0, 5)


def test_span_maps_back_over_removed_characters() -> None:
    text = "Well done Cat\u200brin!"
    norm = normalise(text)
    start = norm.cased.index("Catrin")
    a, b = norm.span(start, start + 6)
    assert text[a:b] == "Cat\u200brin"


def test_span_keeps_a_trailing_combining_accent() -> None:
    text = "Jose\u0301 won"
    norm = normalise(text)
    a, b = norm.span(0, 4)
    assert text[a:b] == "Jose\u0301"


def test_invisible_tag_characters_in_flag_emoji_are_removed() -> None:
    flag = "\U0001f3f4\U000e0067\U000e0062\U000e0077\U000e006c\U000e0073\U000e007f"
    assert normalise(f"Hi {flag} x").cased == "Hi \U0001f3f4 x"


def test_fold_word_keeps_letters_only() -> None:
    assert fold_word("Mary-Jane") == "maryjane"
    assert fold_word("ap Dafydd") == "apdafydd"


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("ᴄᴀᴛʀɪɴ", "catrin"),  # small capitals, from their Unicode names
        ("ᶜᵃᵗʳᶦⁿ", "catrin"),  # modifier letters
        ("C\u20ddat\u20e3rin", "catrin"),  # enclosing marks are dropped
        ("\U0001f1f4\U0001f1f8\U0001f1ee\U0001f1e6\U0001f1f3", "osian"),  # OS IA N
    ],
)
def test_lookalikes_from_unicode_names(text: str, folded: str) -> None:
    assert normalise(text).folded == folded


def test_regional_indicator_pairs_that_are_flags_stay_flags() -> None:
    # TE is no flag (letters); GA is Gabon's flag (not letters); N is alone.
    text = "\U0001f1f9\U0001f1ea\U0001f1ec\U0001f1e6\U0001f1f3"
    norm = normalise(text)
    assert norm.folded == "te\U0001f1ec\U0001f1e6n"
    assert norm.span(0, 2) == (0, 2)


def test_right_to_left_override_is_read_in_display_order() -> None:
    text = "Go \u202enirtaC\u202c!"
    norm = normalise(text)
    assert norm.cased == "Go Catrin!"
    start, end = norm.span(3, 9)
    assert text[start:end] == "nirtaC"


def test_turned_letters_get_a_flipped_view() -> None:
    main, flipped = views("well done uᴉɹʇɐƆ")
    assert main.folded == "well done uirtac"
    assert flipped.folded == "well done catrin"
    start, end = flipped.span(10, 16)
    assert (start, end) == (10, 16)
    assert views("plain text") == (normalise("plain text"),)
