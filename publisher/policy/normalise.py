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

Letters that imitate Latin letters are also read from their Unicode names
(small capitals, turned letters, modifier letters, regional indicators; see
``lookalike``). Direction overrides (RLO) are applied, so the parallel string
holds what a reader sees; text with turned or reversed letters gets a second,
flipped view, because upside-down and mirror text also reverses each word.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from publisher.policy.lookalike import (
    FLIP_SWAPS,
    TURNED,
    letter_by_name,
    regional_letters,
)

__all__ = ["NormalText", "normalise", "views", "fold_word", "BIDI_OVERRIDES"]

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


#: Embeddings and overrides (LRE, RLE, PDF, LRO, RLO): they can reorder
#: what a reader sees, so the checker reports them (isolates and marks do
#: not reverse Latin letters and are simply removed).
BIDI_OVERRIDES = "\u202a\u202b\u202c\u202d\u202e"
_RLO = "\u202e"
_PDF = "\u202c"
_PUSH = frozenset("\u202a\u202b\u202d\u202e")
_PARAGRAPH = frozenset("\n\r\u2029\u0085")
#: Marks that sit on a letter: accents (Mn), enclosing circles and keycaps
#: (Me) and spacing vowel signs (Mc). Names are compared without them.
_MARKS = frozenset({"Mn", "Me", "Mc"})
_DROP = _MARKS | {"Cf"}
_REGIONAL = re.compile("[\U0001f1e6-\U0001f1ff]")
_CHUNKS = re.compile(r"[\x00-\x7f]+|[^\x00-\x7f]")
_LETTERS = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True, slots=True)
class NormalText:
    """The original text and its normalised twin.

    ``cased`` keeps letter case (capitals carry meaning for names);
    ``folded`` is the same string in lower case, character for character.
    ``index[i]`` is the original index of normalised character ``i``;
    ``None`` means the two strings are identical (the common ASCII case).
    ``reordered`` says the index is not in ascending order (reversed runs).
    """

    original: str
    cased: str
    folded: str
    index: tuple[int, ...] | None
    reordered: bool = False

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a normalised slice ``[start, end)`` to original offsets."""
        if self.index is None:
            return start, end
        if self.reordered:
            part = self.index[start:end]
            o_start, o_end = min(part), max(part) + 1
        else:
            o_start = self.index[start]
            o_end = self.index[end - 1] + 1
        text = self.original
        # A trailing combining accent belongs to the last letter of the name.
        while o_end < len(text) and unicodedata.category(text[o_end]) in _MARKS:
            o_end += 1
        return o_start, o_end


@lru_cache(maxsize=8192)
def _char(c: str) -> tuple[str, str, int]:
    """Normalise one code point: (cased, folded, flip kind or 0)."""
    if c in _INVISIBLE:
        return "", "", 0
    if unicodedata.category(c) in _DROP:
        return "", "", 0
    flip = 0
    out = _PUNCT.get(c) or _CONFUSABLES.get(c) or _SPECIAL.get(c)
    if out is None:
        decomposed = unicodedata.normalize("NFKD", c)
        out = "".join(
            _SPECIAL.get(d, d)
            for d in decomposed
            if unicodedata.category(d) not in _MARKS and d not in _INVISIBLE
        )
        if len(out) == 1 and out != c:
            out = _CONFUSABLES.get(out, out)
        if len(out) == 1 and not out.isascii():
            named = letter_by_name(out)
            if named is not None:
                out, flip = named
    folded = out.lower()
    if len(folded) != len(out):
        folded = out
    return out, folded, flip


def normalise(text: str) -> NormalText:
    """Build the normalised twin of ``text`` and its index map."""
    return _build(text)[0]


def views(text: str) -> tuple[NormalText, ...]:
    """The normalised twin, plus a flipped view when letters are turned."""
    main, flips = _build(text)
    if not flips:
        return (main,)
    return main, _flipped(main, flips)


def _build(text: str) -> tuple[NormalText, dict[int, int]]:
    if text.isascii():
        return NormalText(text, text, text.lower(), None), {}
    if _RLO in text:
        pieces: Iterable[tuple[int, str]] = ((i, text[i]) for i in _display_order(text))
    else:
        # Runs of ASCII are copied whole; other code points one by one.
        pieces = ((m.start(), m.group()) for m in _CHUNKS.finditer(text))
    regional = _regional(text) if _REGIONAL.search(text) else None
    cased: list[str] = []
    folded: list[str] = []
    index: list[int] = []
    flips: dict[int, int] = {}
    pos = 0
    for i, run in pieces:
        if run[0] < "\x80":
            cased.append(run)
            folded.append(run.lower())
            index.extend(range(i, i + len(run)))
            pos += len(run)
            continue
        if regional is not None and i in regional:
            letter = regional[i]
            out, low, flip = (
                (run, run, 0) if letter is None else (letter, letter.lower(), 0)
            )
        else:
            out, low, flip = _char(run)
        if not out:
            continue
        if flip:
            flips[pos] = flip
        cased.append(out)
        folded.append(low)
        index.extend([i] * len(out))
        pos += len(out)
    return (
        NormalText(text, "".join(cased), "".join(folded), tuple(index), _RLO in text),
        flips,
    )


def _display_order(text: str) -> list[int]:
    """Original indices in the order a reader sees them under RLO overrides.

    A right-to-left override shows the code points up to its PDF (or the
    end of the paragraph) in reverse order, Latin letters included.
    """
    order: list[int] = []
    i, n = 0, len(text)
    while i < n:
        if text[i] != _RLO:
            order.append(i)
            i += 1
            continue
        j, depth = i + 1, 1
        while j < n and text[j] not in _PARAGRAPH:
            if text[j] in _PUSH:
                depth += 1
            elif text[j] == _PDF:
                depth -= 1
                if depth == 0:
                    break
            j += 1
        order.append(i)
        order.extend(range(j - 1, i, -1))
        i = j
    return order


def _regional(text: str) -> dict[int, str | None]:
    """Regional indicator positions: the letter a reader sees, None in a flag."""
    found: dict[int, str | None] = {}
    i = 0
    while True:
        m = _REGIONAL.search(text, i)
        if m is None:
            return found
        letters, end = regional_letters(text, m.start())
        for k, letter in enumerate(letters):
            found[m.start() + k] = letter
        i = end


def _flipped(main: NormalText, flips: dict[int, int]) -> NormalText:
    """Reverse each word holding a turned or reversed letter, as a reader would."""
    cased, folded = list(main.cased), list(main.folded)
    index = list(main.index or range(len(main.cased)))
    for m in _LETTERS.finditer(main.cased):
        a, b = m.span()
        kinds = {flips[p] for p in range(a, b) if p in flips}
        if not kinds:
            continue
        swaps = FLIP_SWAPS[TURNED if TURNED in kinds else min(kinds)]
        span = range(b - 1, a - 1, -1)
        cased[a:b] = [
            main.cased[p] if p in flips else swaps.get(main.cased[p], main.cased[p])
            for p in span
        ]
        folded[a:b] = [c.lower() if len(c.lower()) == 1 else c for c in cased[a:b]]
        index[a:b] = [index[p] for p in span]
    return NormalText(
        main.original, "".join(cased), "".join(folded), tuple(index), True
    )


def fold_word(word: str) -> str:
    """The lookup key of a name or word: normalised, lower case, letters only."""
    return "".join(c for c in normalise(word).folded if c.isalpha())
