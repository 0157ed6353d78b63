"""Letters that imitate Latin letters, read from their Unicode names.

A hand-written table can never list every small capital, turned letter or
modifier letter, so the Latin letter a code point imitates is also derived
from its Unicode name: "LATIN LETTER SMALL CAPITAL C", "LATIN SMALL LETTER
TURNED Y", "MODIFIER LETTER SMALL C", "REGIONAL INDICATOR SYMBOL LETTER C".
The derivation runs once per distinct code point (``lru_cache``), so import
costs nothing and a check pays only for characters it has not met before.

Turned and reversed letters are how upside-down and mirror-writing
generators disguise a word; those generators also reverse the word, so the
normaliser builds a second, flipped view of such text (``FLIP_SWAPS``).
Regional indicator symbols are letters only when they do not pair up into a
country flag, which is what a reader sees (``regional_letters``).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from publisher.policy.vocab import word_set

__all__ = [
    "FLIP_SWAPS",
    "TURNED",
    "REVERSED",
    "letter_by_name",
    "regional_letters",
    "is_regional",
]

TURNED = 1  #: an upside-down letter ("LATIN SMALL LETTER TURNED E")
REVERSED = 2  #: a mirror-image letter ("LATIN SMALL LETTER REVERSED E")

#: Descriptive words that may sit between "LETTER" and the letter itself.
_SHAPES = word_set(
    "SMALL CAPITAL TURNED REVERSED INVERTED SCRIPT DOTLESS SIDEWAYS CLOSED OPEN "
    "STRETCHED BARRED LONG SANS-SERIF BLACKLETTER"
)
_WITH = re.compile(r" WITH .*$")
#: Letters that upside-down text uses for each other, and mirror writing.
FLIP_SWAPS: dict[int, dict[str, str]] = {
    TURNED: {
        "n": "u",
        "u": "n",
        "p": "d",
        "d": "p",
        "b": "q",
        "q": "b",
        "W": "M",
        "M": "W",
    },
    REVERSED: {"b": "d", "d": "b", "p": "q", "q": "p"},
}
#: Upside-down stand-ins whose Unicode name says nothing useful.
_UPSIDE_DOWN = {
    "\u0259": ("e", TURNED),  # schwa, used for a turned e
    "\u0254": ("c", TURNED),  # open o, used for a turned c
    "\u0186": ("C", TURNED),
    "\u025f": ("f", TURNED),  # dotless j with stroke, used for f
    "\u0183": ("g", TURNED),  # b with topbar, used for g
    "\u027e": ("j", TURNED),  # r with fishhook, used for j
    "\u2200": ("A", TURNED),  # for all
    "\u22a5": ("T", TURNED),  # up tack
    "\u2229": ("U", TURNED),  # intersection
    "\u15e1": ("D", TURNED),
    "\ua4d2": ("J", TURNED),  # Lisu letters used for turned capitals
    "\ua4d8": ("K", TURNED),
    "\ua4f6": ("L", TURNED),
    "\ua4d5": ("T", TURNED),
    "\u0500": ("P", TURNED),
}


@lru_cache(maxsize=4096)
def letter_by_name(c: str) -> tuple[str, int] | None:
    """The Latin letter ``c`` imitates and how it is flipped, from its name."""
    special = _UPSIDE_DOWN.get(c)
    if special is not None:
        return special
    name = unicodedata.name(c, "")
    if not name:
        return None
    if name.startswith("REGIONAL INDICATOR SYMBOL LETTER "):
        return name[-1], 0
    words = _WITH.sub("", name).split()
    if len(words) < 2 or len(words[-1]) != 1 or not words[-1].isalpha():
        return None
    head = words[:-1]
    if "LATIN" in head:
        head = head[head.index("LATIN") + 1 :]
        if "LETTER" in head:
            head.remove("LETTER")
    elif head[:2] == ["MODIFIER", "LETTER"]:
        head = head[2:]
    elif "TURNED" not in head:
        return None
    if any(word not in _SHAPES for word in head):
        return None
    letter = words[-1]
    lower = "SMALL" in head and "CAPITAL" not in head
    flip = TURNED if "TURNED" in head or "INVERTED" in head else 0
    if "REVERSED" in head:
        flip = REVERSED
    return (letter.lower() if lower else letter), flip


def is_regional(c: str) -> bool:
    return "\U0001f1e6" <= c <= "\U0001f1ff"


#: ISO 3166 two-letter codes that emoji fonts draw as a flag, plus the few
#: extra flags emoji define (EU, UN, Ascension...).
_FLAGS = word_set(
    """
    AC AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI
    BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO
    CP CR CU CV CW CX CY CZ DE DG DJ DK DM DO DZ EA EC EE EG EH ER ES ET EU FI
    FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK
    HM HN HR HT HU IC ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM
    KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK
    ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR
    NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB
    SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TA TC TD TF TG TH
    TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM UN US UY UZ VA VC VE VG VI VN VU
    WF WS XK YE YT ZA ZM ZW
    """
)


def regional_letters(text: str, start: int) -> tuple[list[str | None], int]:
    """Read the run of regional indicators at ``text[start]``.

    Emoji pair them from the start of the run; a pair that is a country code
    is drawn as a flag (None here: not a letter), anything else as letters.
    Returns one entry per code point of the run, and the index after it.
    """
    end = start
    while end < len(text) and is_regional(text[end]):
        end += 1
    letters = [chr(ord(c) - 0x1F1E6 + ord("A")) for c in text[start:end]]
    out: list[str | None] = []
    for k in range(0, len(letters), 2):
        pair = letters[k : k + 2]
        if len(pair) == 2 and "".join(pair) in _FLAGS:
            out += [None, None]
        else:
            out += pair
    return out, end
