"""Split normalised text into word tokens, once, for every later look-up.

Tokens are runs of letters (or of digits) in the normalised text. Apostrophes
and hyphens split words ("O'Brien" is "O" + "Brien"); the matcher joins parts
again when the joined form is a roster name, which keeps a possessive "'s"
outside the span. Inside hashtags, @handles, web addresses and file names a
run such as "WellDoneCatrin" is also split at its capitals, and letters
spaced out to dodge a filter ("C.a.t.r.i.n", "K o f i") are joined back.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from publisher.policy.normalise import NormalText

__all__ = ["Token", "tokenise", "CaseMode", "case_mode"]

_WORD = re.compile(r"[^\W\d_]+|\d+")
_GLUED = re.compile(
    r"[#@][\w.'-]*\w"
    r"|(?:https?://|www\.)\S+"
    # A file name: start only where a word starts and keep the dots between
    # parts, so a long run of "a.a.a" costs linear time, not quadratic.
    r"|(?<![\w.-])[\w-]+(?:\.[\w-]+)*?"
    r"\.(?:jpe?g|png|gif|heic|heif|webp|tiff?|bmp|mp4|mov|pdf|docx?|pptx?)\b",
    re.IGNORECASE,
)
#: Separators allowed between letters that were spaced out on purpose.
_SPACERS = frozenset({".", " ", "-", "_", "*", "·", "•", ". ", "/", "+", "~"})
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


_GLUED_HINT = re.compile(
    r"[#@/]|www\.|\.(?:jpe?g|png|gif|heic|heif|webp|tiff?|bmp|mp4|mov|pdf|docx?|pptx?)\b",
    re.IGNORECASE,
)


def _glued_ranges(cased: str) -> list[tuple[int, int]]:
    if _GLUED_HINT.search(cased) is None:
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


def tokenise(norm: NormalText, known: Callable[[str], bool]) -> list[Token]:
    """Tokenise ``norm``; ``known(key)`` says whether a word is a name key.

    Camel-case words are split only when the whole word is not a name itself
    (so "McKenzie" stays whole), and spaced-out letters are joined only when
    the joined word is a name.
    """
    cased, folded = norm.cased, norm.folded
    glued = _glued_ranges(cased)
    tokens: list[Token] = []
    append = tokens.append
    prev_end = 0
    g = 0
    singles = 0
    for m in _WORD.finditer(cased):
        start = m.start()
        word = m.group()
        end = start + len(word)
        in_glued = False
        if glued:
            while g < len(glued) and glued[g][1] <= start:
                g += 1
            in_glued = g < len(glued) and glued[g][0] <= start
        lower = word.islower()
        if (
            not lower
            and not word.istitle()
            and not word.isupper()
            and not word.isdigit()
            and not known(folded[start:end])
        ):
            parts = _camel_parts(word)
            if len(parts) > 1:
                prev_end = _add_parts(tokens, norm, start, parts, prev_end)
                continue
        sep = cased[prev_end:start]
        number = not lower and word.isdigit()
        single = end - start == 1 and not number
        singles += single
        append(
            Token(
                folded[start:end],
                start,
                end,
                not lower and word[0].isupper(),
                not lower and not single and word.isupper(),
                single,
                number,
                in_glued,
                sep,
                not tokens or (sep != " " and _is_boundary(sep)),
            )
        )
        prev_end = end
    if singles < 3:
        return tokens
    return _join_spaced(tokens, known)


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


def _join_spaced(tokens: list[Token], known: Callable[[str], bool]) -> list[Token]:
    """Join runs of single letters ("C.a.t.r.i.n") when they spell a name."""
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        j = i
        if tokens[i].single:
            spacer = tokens[i + 1].sep if i + 1 < len(tokens) else ""
            while (
                j + 1 < len(tokens)
                and tokens[j + 1].single
                and tokens[j + 1].sep == spacer
                and spacer in _SPACERS
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
