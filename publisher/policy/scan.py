"""The state of one scan over one text, shared by the matching rules.

``Lexicon`` holds what a matcher knows (the roster index, allow-lists, word
lists); ``ScanBase`` holds one text's tokens and the decisions taken so far.
The rules live in mixins (titles, off-roster names, hashtags) that the
matcher's scan class combines.
"""

from __future__ import annotations

from dataclasses import dataclass

from publisher.policy import vocab
from publisher.policy.index import Entry, NameIndex
from publisher.policy.tokens import CaseMode, Token, case_mode
from publisher.policy.vocab import word_set

__all__ = ["Hit", "Lexicon", "ScanBase", "joinable"]

_WEAK_WELSH = word_set("a i o am ar at hi ni fe dan mor pob bach mawr")
_GLUED_SEPS = frozenset({"", "_", "-", ".", " ", "/"})


@dataclass(slots=True)
class Hit:
    """One likely name: normalised offsets, who it may be, and why."""

    start: int
    end: int
    ids: frozenset[str]
    kind: str  #: full, given, family, alias, initials, mutated, offroster
    why: str
    sure: bool = True


@dataclass(frozen=True)
class Lexicon:
    """Everything a scan looks words up in; built once per checker."""

    index: NameIndex
    titles: frozenset[str]
    phrases: dict[str, list[tuple[str, ...]]]
    gazetteer: frozenset[str]
    words: frozenset[str]  #: names that are also everyday words
    absorb: frozenset[str]  #: words that can hide a name inside a hashtag
    segments: frozenset[str]  #: every word a hashtag may be read as
    glued_phrases: frozenset[str]  #: allow-listed phrases run together
    cover_starts: frozenset[str]  #: first words of phrases, and titles


class ScanBase:
    """One text's tokens, roster look-ups and the decisions taken so far."""

    def __init__(self, lex: Lexicon, tokens: list[Token], cased: str) -> None:
        self.m = lex
        self.cased = cased
        self.index = lex.index
        self.tokens = tokens
        self.n = len(tokens)
        self.mode: CaseMode = case_mode(tokens)
        # One pass: roster look-ups, and which tokens look like any name.
        entries, multi, gazetteer = self.index.entries, self.index.multi, lex.gazetteer
        self.matches: list[tuple[int, Entry] | None] = [None] * self.n
        self.looks: set[int] = set()
        for i, tok in enumerate(tokens):
            key = tok.key
            if key in entries or key in multi:
                found = self._lookup(i)
                self.matches[i] = found
                if found is not None:
                    self.looks.add(i)
            if tok.cap and key in gazetteer:
                self.looks.add(i)
        self.covered: list[str | None] = [None] * self.n
        #: why a token right after a title still blocks: "full" or "given"
        self.after_title: dict[int, str] = {}
        self.is_name_at: dict[int, bool] = {}
        self.hits: list[Hit] = []
        self._welsh: bool | None = None

    def _lookup(self, i: int) -> tuple[int, Entry] | None:
        tokens = self.tokens
        tok = tokens[i]
        if tok.number:
            return None
        for parts in self.index.multi.get(tok.key, ()):
            last = i + len(parts) - 1
            if last < self.n and all(
                tokens[i + k].key == parts[k] and joinable(tokens[i + k].sep)
                for k in range(1, len(parts))
            ):
                return last, self.index.entries["".join(parts)]
        entry = self.index.entries.get(tok.key)
        if entry is None:
            return None
        if entry.caps_only and not (tok.upper or self.mode == "lower"):
            return None
        return i, entry

    def welsh(self) -> bool:
        """Whether the text is (partly) Welsh."""
        if self._welsh is None:
            self._welsh = any(
                t.key in vocab.WELSH_MARKERS and t.key not in _WEAK_WELSH
                for t in self.tokens
            )
        return self._welsh

    def _full(self, i: int) -> tuple[Hit, int] | None:
        """A full name, "Family, Given", or a given name with family initial."""
        found = self.matches[i]
        if found is None:
            return None
        last, entry = found
        tokens = self.tokens
        j = last + 1
        nxt = tokens[j] if j < self.n else None
        givens = entry.given | entry.alias
        if nxt is not None and givens and self._full_sep(nxt):
            other = self.matches[j]
            if other is not None and (ids := givens & other[1].family):
                hit = Hit(tokens[i].start, tokens[other[0]].end, frozenset(ids), "full",
                          "a learner's full name")  # fmt: skip
                return hit, other[0]
            if (
                nxt.single
                and (nxt.cap or self.mode != "normal")
                and nxt.sep in (" ", "")
            ):
                ids = {x for x in givens if nxt.key in self.index.initials[x][1]}
                if ids:
                    end = nxt.end + (
                        1 if self.cased[nxt.end : nxt.end + 1] == "." else 0
                    )
                    why = "a learner's given name with the initial of their family name"
                    return Hit(tokens[i].start, end, frozenset(ids), "initials", why), j
        if nxt is not None and entry.family and nxt.sep.strip() == ",":
            other = self.matches[j]
            if other is not None and (
                ids := entry.family & (other[1].given | other[1].alias)
            ):
                why = "a learner's name in register order (family, given)"
                hit = Hit(
                    tokens[i].start, tokens[other[0]].end, frozenset(ids), "full", why
                )
                return hit, other[0]
        return None

    def _full_sep(self, tok: Token) -> bool:
        if tok.glued and tok.sep in _GLUED_SEPS:
            return True
        return tok.sep.isspace() and tok.sep.count("\n") <= 2 and len(tok.sep) <= 4


def joinable(sep: str) -> bool:
    """A separator inside one name of several parts ("Jia Hui", "O'Brien")."""
    return sep in ("", "'", "-", " ", "_")
