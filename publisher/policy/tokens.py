"""Split normalised text into word tokens, once, for every later look-up.

Tokens are runs of letters (or of digits) in the normalised text. Apostrophes
and hyphens split words ("O'Brien" is "O" + "Brien"); the matcher joins parts
again when the joined form is a roster name, which keeps a possessive "'s"
outside the span. Inside hashtags, @handles, web addresses and file names a
run such as "WellDoneCatrin" is also split at its capitals.

Three disguises break a name into several tokens, and are joined back when
the join spells a name (so "Year 6", "2pm" and "13 Jun" stay as they are):
letters spaced out by any short run of non-letters ("C.a.t", "C, a, t", one
letter a line); a symbol or emoji inside the word ("Ca🏆trin"); leetspeak,
digits and signs for letters ("C4trin", "M@isie", "Y$suf").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from itertools import product

from publisher.policy.normalise import NormalText
from publisher.policy.vocab import word_set

__all__ = ["Token", "tokenise", "CaseMode", "case_mode"]

_WORD = re.compile(r"[^\W\d_]+|\d+")
_SPLIT = re.compile(r"([^\W\d_]+|\d+)")
#: The same for text that is all ASCII after normalising (most captions).
_ASCII_SPLIT = re.compile(r"([A-Za-z]+|[0-9]+)")
_SPACE = re.compile(r"\s")
_GLUED = re.compile(
    r"[#@][\w.'-]*\w"
    r"|(?:https?://|www\.)\S+"
    # A file name: start only where a word starts and keep the dots between
    # parts, so a long run of "a.a.a" costs linear time, not quadratic.
    r"|(?<![\w.-])[\w-]+(?:\.[\w-]+)*?"
    r"\.(?:jpe?g|png|gif|heic|heif|webp|tiff?|bmp|mp4|mov|pdf|docx?|pptx?)\b",
    re.IGNORECASE,
)
#: Separator characters that end a sentence or a heading, so a capital letter
#: after them says nothing about whether the word is a name.
_BOUNDARY = frozenset('.!?:;\n\r\t•|/"“”()[]{}…–—<>=#@')


@dataclass(slots=True)
class Token:
    """One word of the normalised text."""

    key: str  #: lower case, accents stripped: the look-up key
    start: int  #: normalised offsets
    end: int
    cap: bool  #: first letter is a capital
    upper: bool  #: every letter is a capital (and there are two or more)
    single: bool  #: one letter only
    number: bool  #: digits only
    glued: bool  #: inside a hashtag, handle, web address or file name
    sep: str  #: the normalised text between the previous token and this one
    boundary: bool  #: a sentence or heading starts here

    def is_initial(self) -> bool:
        """A capital letter standing alone, as in "C. Jones"."""
        return self.single and self.cap


CaseMode = str  # "normal" | "lower" | "upper" | "title"


_FILE_HINT = re.compile(
    r"\.(?:jpe?g|png|gif|heic|heif|webp|tiff?|bmp|mp4|mov|pdf|docx?|pptx?)\b",
    re.IGNORECASE,
)


def _glued_ranges(cased: str) -> list[tuple[int, int]]:
    # Plain substring tests first: most captions hold no hashtag or address.
    if not (
        "#" in cased
        or "@" in cased
        or "/" in cased
        or "www." in cased
        or ("." in cased and _FILE_HINT.search(cased) is not None)
    ):
        return []
    return [m.span() for m in _GLUED.finditer(cased)]


def _camel_parts(word: str) -> list[tuple[int, int]]:
    """Offsets of the parts of "WellDoneCatrin" or "TomosG" inside ``word``."""
    cuts = [0]
    for i in range(1, len(word)):
        prev, cur = word[i - 1], word[i]
        nxt = word[i + 1] if i + 1 < len(word) else ""
        if (prev.islower() and cur.isupper()) or (
            prev.isupper() and cur.isupper() and nxt.islower()
        ):
            cuts.append(i)
    cuts.append(len(word))
    return [(cuts[k], cuts[k + 1]) for k in range(len(cuts) - 1)]


def _is_boundary(sep: str) -> bool:
    for c in sep:
        if c in _BOUNDARY:
            return True
        if not c.isascii() and not c.isspace() and c not in "'’":
            return True  # an emoji or symbol between words
    return False


def tokenise(
    norm: NormalText,
    known: Callable[[str], bool],
    on_roster: Callable[[str], bool] | None = None,
) -> list[Token]:
    """Tokenise ``norm``; ``known(key)`` says whether a word is a name key.

    Camel-case words are split only when the whole word is not a name itself
    (so "McKenzie" stays whole), and spaced-out letters are joined only when
    the joined word is a name. Words split by symbols or digits are joined
    only when they spell a roster name (``on_roster``).
    """
    cased, folded = norm.cased, norm.folded
    glued = _glued_ranges(cased)
    tokens: list[Token] = []
    append = tokens.append
    prev_end = 0
    g = 0
    singles = 0
    tight: list[int] = []
    # One split gives every word with the separator before it, without a
    # match object per word: [sep, word, sep, word, ..., sep].
    parts = (_ASCII_SPLIT if cased.isascii() else _SPLIT).split(cased)
    end = 0
    for k in range(1, len(parts), 2):
        word = parts[k]
        start = end + len(parts[k - 1])
        end = start + len(word)
        in_glued = False
        if glued:
            while g < len(glued) and glued[g][1] <= start:
                g += 1
            in_glued = g < len(glued) and glued[g][0] <= start
        if word.islower():
            cap = upper = number = False
            single = end - start == 1
        else:
            if (
                not word.istitle()
                and not word.isupper()
                and not word.isdigit()
                and not known(folded[start:end])
            ):
                camel = _camel_parts(word)
                if len(camel) > 1:
                    prev_end = _add_parts(tokens, norm, start, camel, prev_end)
                    continue
            number = word.isdigit()
            single = end - start == 1 and not number
            cap = word[0].isupper()
            upper = not single and word.isupper()
        singles += single
        sep = cased[prev_end:start]
        if sep == " ":
            boundary = not tokens
        else:
            boundary = not tokens or _is_boundary(sep)
            if tokens and _is_tight(sep):
                tight.append(len(tokens))
        append(
            Token(
                folded[start:end],
                start,
                end,
                cap,
                upper,
                single,
                number,
                in_glued,
                sep,
                boundary,
            )
        )
        prev_end = end
    if singles >= 3:
        tokens = _join_spaced(tokens, known)
        tight = [i for i, t in enumerate(tokens) if i and _is_tight(t.sep)]
    if tight and on_roster is not None:
        tokens = _join_tight(tokens, cased, tight, on_roster)
    return tokens


def _add_parts(
    tokens: list[Token],
    norm: NormalText,
    start: int,
    parts: list[tuple[int, int]],
    prev_end: int,
) -> int:
    """Add the camel-case parts of one word as glued tokens."""
    cased, folded = norm.cased, norm.folded
    for a, b in parts:
        s, e = start + a, start + b
        sep = cased[prev_end:s]
        piece = cased[s:e]
        tokens.append(
            Token(
                key=folded[s:e],
                start=s,
                end=e,
                cap=piece[0].isupper(),
                upper=len(piece) > 1 and piece.isupper(),
                single=len(piece) == 1,
                number=False,
                glued=True,
                sep=sep,
                boundary=not tokens or _is_boundary(sep),
            )
        )
        prev_end = e
    return prev_end


def case_mode(tokens: list[Token]) -> CaseMode:
    """How the text uses capitals: normally, not at all, always, or per word."""
    caps = words = all_upper = inner = inner_caps = 0
    for t in tokens:
        if t.number or t.glued:
            continue
        words += 1
        caps += t.cap
        if len(t.key) > 1:
            all_upper += 1 if t.upper else -(1 << 20)
        if not t.boundary and len(t.key) > 3:
            inner += 1
            inner_caps += t.cap
    if not words:
        return "normal"
    if not caps:
        return "lower"
    if all_upper > 0:
        return "upper"
    if inner >= 3 and inner_caps >= 0.75 * inner:
        return "title"
    return "normal"


#: What a digit or sign stands for in leetspeak.
_LEET: dict[str, tuple[str, ...]] = {
    "0": ("o",),
    "1": ("i", "l"),
    "3": ("e",),
    "4": ("a",),
    "5": ("s",),
    "7": ("t",),
    "8": ("b",),
    "@": ("a", ""),
    "$": ("s", ""),
}
_MAX_PIECES = 6
#: Separators that join parts of addresses and file names, never a mask.
_NOT_MASKS = frozenset("./_-:,;'\"")
_ALPHABET = "abcdefghijklmnopqrstuvwxyz"
#: Units and endings written straight after a number.
_UNITS = word_set(
    "am pm st nd rd th s m km cm mm kg g ml l x k mph yr yrs hr hrs min mins "
    "sec secs ft in lb lbs oz p"
)
_MAX_VARIANTS = 8


def _is_tight(sep: str) -> bool:
    """A separator that can split one word: none, or a few symbols, no space.

    Separators never hold letters or digits (those are tokens), so only
    length, spaces and a lone apostrophe ("Tegan's") need checking.
    """
    return len(sep) <= 4 and sep != "'" and _SPACE.search(sep) is None


def _spacer(sep: str) -> bool:
    """A separator between letters spaced out on purpose: short, no letters."""
    return 0 < len(sep) <= 3 and not any(c.isalnum() for c in sep)


def _join_spaced(tokens: list[Token], known: Callable[[str], bool]) -> list[Token]:
    """Join runs of three or more single letters when they spell a name."""
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        j = i
        if tokens[i].single:
            while (
                j + 1 < len(tokens)
                and tokens[j + 1].single
                and _spacer(tokens[j + 1].sep)
            ):
                j += 1
        if j - i >= 2:
            key = "".join(t.key for t in tokens[i : j + 1])
            if known(key) or len(key) >= 6:
                first = tokens[i]
                out.append(
                    Token(
                        key=key,
                        start=first.start,
                        end=tokens[j].end,
                        cap=first.cap,
                        upper=False,
                        single=False,
                        number=False,
                        # A long run may hold a full name: search inside it.
                        glued=first.glued or not known(key),
                        sep=first.sep,
                        boundary=first.boundary,
                    )
                )
                i = j + 1
                continue
        out.append(tokens[i])
        i += 1
    return out


def _join_tight(
    tokens: list[Token],
    cased: str,
    starts: list[int],
    on_roster: Callable[[str], bool],
) -> list[Token]:
    """Join tokens split by symbols or digits when they spell a roster name.

    ``starts`` lists indices of tokens whose separator from the previous
    token is tight (see ``_is_tight``); only runs through them are tried.
    """
    tight = set(starts)
    out: list[Token] = []
    i, n = 0, len(tokens)
    while i < n:
        if i + 1 in tight:
            last = i + 1
            while last + 1 < n and last + 1 in tight and last - i < _MAX_PIECES:
                last += 1
            joined = _best_join(tokens, i, last, cased, on_roster)
            if joined is not None:
                token, end = joined
                out.append(token)
                i = end + 1
                continue
        out.append(tokens[i])
        i += 1
    return out


def _best_join(
    tokens: list[Token],
    first: int,
    last: int,
    cased: str,
    on_roster: Callable[[str], bool],
) -> tuple[Token, int] | None:
    """The longest run from ``first`` that spells a roster name, if any."""
    for end in range(last, first, -1):
        pieces = tokens[first : end + 1]
        if all(on_roster(t.key) for t in pieces if not t.number):
            continue  # "Ella-Rose": each part is a name already
        # "El1$": a sign just after the last piece is one more letter.
        trail = _LEET.get(cased[pieces[-1].end : pieces[-1].end + 1], ("",))
        for key in _spellings(pieces):
            for tail in trail:
                if on_roster(key + tail):
                    return _joined(pieces, key + tail, cased, len(tail)), end
        if end == first + 1:
            masked = _masked(pieces[0], pieces[1], on_roster)
            if masked is not None:
                return _joined(pieces, masked, cased), end
    return None


def _masked(a: Token, b: Token, on_roster: Callable[[str], bool]) -> str | None:
    """ "C*rys", "Y$suf": one symbol standing in for one hidden letter."""
    sep = b.sep
    if len(sep) != 1 or sep in _NOT_MASKS or a.number or b.number:
        return None
    if len(a.key) + len(b.key) < 3:
        return None
    for letter in _ALPHABET:
        key = a.key + letter + b.key
        if on_roster(key):
            return key
    return None


def _spellings(pieces: list[Token]) -> list[str]:
    """Every reading of the pieces with separators dropped or read as letters."""
    if not any(t.number or t.sep in _LEET for t in pieces[1:]) and not pieces[0].number:
        key = "".join(t.key for t in pieces)
        return [key] if len(key) >= 3 else []
    options: list[tuple[str, ...]] = []
    letters = 0
    for k, tok in enumerate(pieces):
        if k:
            sep = tok.sep
            options.append(_LEET.get(sep, ("",)))
        if tok.number:
            if any(d not in _LEET for d in tok.key):
                return []
            options.extend(_LEET[d] for d in tok.key)
        else:
            letters += len(tok.key)
            options.append((tok.key,))
    if letters < 2 or _is_measure(pieces):
        return []
    spellings: list[str] = []
    for combo in product(*options):
        key = "".join(combo)
        if len(key) >= 3:
            spellings.append(key)
        if len(spellings) >= _MAX_VARIANTS:
            break
    return spellings


def _is_measure(pieces: list[Token]) -> bool:
    """ "5am", "1st", "10km": a number with its unit, not leetspeak."""
    return (
        len(pieces) == 2
        and pieces[0].number
        and not pieces[1].number
        and pieces[1].key in _UNITS
    )


def _joined(pieces: list[Token], key: str, cased: str, extra: int = 0) -> Token:
    first, last = pieces[0], pieces[-1]
    text = cased[first.start : last.end + extra]
    letters = [c for c in text if c.isalpha()]
    return Token(
        key=key,
        start=first.start,
        end=last.end + extra,
        # A digit or sign standing first is read as the capital it hides.
        cap=text[0].isupper() or not text[0].isalpha(),
        upper=len(letters) > 1 and all(c.isupper() for c in letters),
        single=False,
        number=False,
        glued=any(t.glued for t in pieces),
        sep=first.sep,
        boundary=first.boundary,
    )
