"""Text normalisation for name matching, with a map back to the original text.

The matcher never searches the text as written. It searches a parallel
string in which compatibility forms are folded (NFKC: full-width letters,
mathematical letters, ligatures), accents are stripped (Sian for Siân, also
when the accent is a separate combining code point), invisible characters are
removed (zero-width space, soft hyphen, byte-order mark, word joiner, tag
characters) and look-alike letters from other scripts are replaced by the
Latin letter they imitate (Cyrillic Er for P, Greek Zeta for Z).

Every character of the parallel string remembers the index of the original
character it came from, so a match can be reported as a slice of the text the
user typed (Unicode code points, end exclusive).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["NormalText", "normalise", "fold_word"]

#: Letters from other scripts that render like a Latin letter in common fonts
#: (Cyrillic, Greek, small capitals). Only letters that fool a reader at
#: normal size are listed; case is kept.
_LOOKALIKE = "АВЕКМНОРСТХУҮЅІЈԚԜӀԀЬаеокмнорстухүѕіјԛԝһӏԁьпгѵёїв"
_LATIN_FOR = "ABEKMHOPCTXYYSIJQWIDbaeokmhopctxyysijqwhldbnrveib"
_LOOKALIKE += "ΑΒΕΖΗΙΚΜΝΟΡΤΥΧϹͿαβγεικνορτυχϲϳωηıȷɑɩʟɪɴʀʏᴀᴄᴅᴇᴊᴋᴍᴏᴘᴛᴜᴠᴡᴢɡƓ"
_LATIN_FOR += "ABEZHIKMNOPTYXCJabyeikvoptuxcjwnijailINRYACDEJKMOPTUVWZgG"
_CONFUSABLES = dict(zip(_LOOKALIKE, _LATIN_FOR, strict=True))

#: Letters with no decomposition that still read as a plain Latin letter.
_SPECIAL = {
    "ł": "l",
    "Ł": "L",
    "ø": "o",
    "Ø": "O",
    "đ": "d",
    "Đ": "D",
    "ħ": "h",
    "Ħ": "H",
    "ß": "ss",
    "ẞ": "SS",
    "æ": "ae",
    "Æ": "AE",
    "œ": "oe",
    "Œ": "OE",
    "þ": "th",
    "Þ": "TH",
    "ð": "d",
    "Ð": "D",
    "ŀ": "l",
    "Ŀ": "L",
    "ƒ": "f",
}

#: Apostrophes and hyphens in their many encodings, read as ASCII.
_PUNCT = {
    "\u2019": "'",
    "\u2018": "'",
    "\u02bc": "'",
    "\u02b9": "'",
    "\u0060": "'",
    "\u00b4": "'",
    "\u2032": "'",
    "\uff07": "'",
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2212": "-",
    "\ufe63": "-",
    "\uff0d": "-",
}

#: Code points that render as nothing but would split a word in two.
_INVISIBLE = frozenset(
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b\u200c\u200d\u200e"
    "\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064\u2066"
    "\u2067\u2068\u2069\u206a\u206b\u206c\u206d\u206e\u206f\u3164\ufeff\uffa0"
)


@dataclass(frozen=True, slots=True)
class NormalText:
    """The original text and its normalised twin.

    ``cased`` keeps letter case (capitals carry meaning for names);
    ``folded`` is the same string in lower case, character for character.
    ``index[i]`` is the original index of normalised character ``i``;
    ``None`` means the two strings are identical (the common ASCII case).
    """

    original: str
    cased: str
    folded: str
    index: tuple[int, ...] | None

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a normalised slice ``[start, end)`` to original offsets."""
        if self.index is None:
            return start, end
        o_start = self.index[start]
        o_end = self.index[end - 1] + 1
        text = self.original
        # A trailing combining accent belongs to the last letter of the name.
        while o_end < len(text) and unicodedata.category(text[o_end]) == "Mn":
            o_end += 1
        return o_start, o_end


@lru_cache(maxsize=8192)
def _char(c: str) -> tuple[str, str]:
    """Normalise one code point: (cased replacement, folded replacement)."""
    if c in _INVISIBLE:
        return "", ""
    category = unicodedata.category(c)
    if category == "Mn" or category == "Cf":
        return "", ""
    out = _PUNCT.get(c) or _CONFUSABLES.get(c) or _SPECIAL.get(c)
    if out is None:
        decomposed = unicodedata.normalize("NFKD", c)
        out = "".join(
            _SPECIAL.get(d, d)
            for d in decomposed
            if unicodedata.category(d) != "Mn" and d not in _INVISIBLE
        )
        if len(out) == 1 and out != c:
            out = _CONFUSABLES.get(out, out)
    folded = out.lower()
    if len(folded) != len(out):
        folded = out
    return out, folded


def normalise(text: str) -> NormalText:
    """Build the normalised twin of ``text`` and its index map."""
    if text.isascii():
        return NormalText(text, text, text.lower(), None)
    cased: list[str] = []
    folded: list[str] = []
    index: list[int] = []
    for i, c in enumerate(text):
        if c < "\x80":
            cased.append(c)
            folded.append(c.lower())
            index.append(i)
            continue
        out, low = _char(c)
        if not out:
            continue
        cased.append(out)
        folded.append(low)
        index.extend([i] * len(out))
    return NormalText(text, "".join(cased), "".join(folded), tuple(index))


def fold_word(word: str) -> str:
    """The lookup key of a name or word: normalised, lower case, letters only."""
    return "".join(c for c in normalise(word).folded if c.isalpha())
