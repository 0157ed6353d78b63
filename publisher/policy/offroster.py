"""Likely names of people who are not on the roster.

A capitalised word is flagged when it is a common given name (from the
gazetteer), when it follows a cue such as "well done" or "croeso i", when two
unknown capitalised words are followed by what a person does ("Jemima
Fairweather holding"), or when one does it ("Persephone won"). Common Welsh
words in any mutated spelling ("Croeso i Ddosbarth Derw", "Diolch i Dduw")
and names of places and organisations are not people.
"""

from __future__ import annotations

from publisher.policy import vocab
from publisher.policy.context import PLACE_BEFORE, after_cue
from publisher.policy.scan import Hit, ScanBase
from publisher.policy.tokens import Token
from publisher.policy.welsh import is_welsh_word, mutations

__all__ = ["OffRosterRules"]

_PEOPLE_AFTER = vocab.word_set(
    "his her their mum dad mam nain taid grandma grandad friends family "
    "brother sister classmates teacher ei eu"
)

#: Words before a name that make it a place or a class, in every mutated
#: spelling ("i Ddosbarth Derw").
_PLACE_FORMS = PLACE_BEFORE | {f for w in PLACE_BEFORE for f, _ in mutations(w)}


class OffRosterRules(ScanBase):
    """Flags likely people who are not on the roster."""

    def _offroster(self, i: int) -> tuple[Hit, int] | None:
        tok = self.tokens[i]
        key = tok.key
        if tok.single or tok.number or len(key) < 2 or key in vocab.NOT_A_NAME:
            return None
        if key in self.m.titles or key in vocab.VOCATIVE_CUES:
            return None
        if self.mode == "normal" and not tok.cap:
            return None
        if self._names_a_place(i):
            return None
        cued = i > 0 and after_cue(self.tokens, i)
        plain = tok.cap and not tok.upper and self.mode == "normal"
        plain = plain and key not in vocab.VENUE_NOUNS and key not in self.m.words
        if key in self.m.gazetteer and (key not in self.m.words or cued):
            why = "a common given name that is not on the roster"
        elif is_welsh_word(key):
            return None
        elif cued and plain and not self._organisation(i):
            why = "a likely person's name (after words such as 'well done')"
        elif plain and self._unknown_full_name(i):
            why = "a likely person's full name that is not on the roster"
        elif plain and self._acts_like_person(i):
            why = "a likely person's name (it does what a person does)"
        else:
            return None
        last = i
        j = i + 1
        if j < self.n and self._surname_like(self.tokens[j]):
            last = j
        return Hit(
            tok.start, self.tokens[last].end, frozenset(), "offroster", why
        ), last

    def _names_a_place(self, i: int) -> bool:
        """ "Victoria Park", "Ysgol Gwenllian": a name used for a place."""
        tokens = self.tokens
        nxt = tokens[i + 1] if i + 1 < self.n else None
        if (
            nxt is not None
            and not nxt.boundary
            and (nxt.key in vocab.VENUE_NOUNS or nxt.key in vocab.INSTITUTION_NOUNS)
        ):
            return nxt.cap or self.mode != "normal"
        if nxt is not None and nxt.key == "s" and nxt.sep == "'" and i + 2 < self.n:
            # "Harvey's Bakery": a business named after its owner.
            after = tokens[i + 2]
            if after.cap and after.sep == " " and after.key in vocab.BUSINESS_NOUNS:
                return True
        prev = tokens[i - 1] if i > 0 and not tokens[i].boundary else None
        return prev is not None and prev.key in _PLACE_FORMS

    def _organisation(self, i: int) -> bool:
        """ "Heddlu De Cymru", "Dogs Trust": capitalised words that run on."""
        following: list[Token] = []
        for tok in self.tokens[i + 1 : i + 3]:
            if not tok.cap or tok.boundary or tok.sep != " ":
                break
            following.append(tok)
        if len(following) == 2:
            return True
        return bool(following) and (
            following[0].key in vocab.NOT_A_NAME
            or following[0].key in vocab.VENUE_NOUNS
        )

    def _acts_like_person(self, i: int) -> bool:
        """ "Persephone won ...": an unknown word as the subject of a verb."""
        if i + 1 >= self.n or len(self.tokens[i].key) < 3:
            return False
        nxt = self.tokens[i + 1]
        if nxt.boundary or nxt.sep != " ":
            return False
        if nxt.key in ("and", "with", "a", "gyda") and i + 2 < self.n:
            if self.tokens[i + 2].key not in _PEOPLE_AFTER:
                return False
        elif nxt.key not in vocab.ACTS:
            return False
        return self._starts_phrase(i)

    def _starts_phrase(self, i: int) -> bool:
        """Not inside a longer name: "Our Christmas Fayre", "the Queen's Baton"."""
        prev = self.tokens[i - 1] if i > 0 and not self.tokens[i].boundary else None
        if prev is None:
            return True
        possessive = prev.key == "s" and prev.sep == "'"
        return not (prev.cap or possessive or prev.key in vocab.DETERMINERS)

    def _unknown_full_name(self, i: int) -> bool:
        """Two unknown capitalised words, then what a person does: "... holding"."""
        if i + 2 >= self.n or len(self.tokens[i].key) < 3:
            return False
        if not self._surname_like(self.tokens[i + 1]) or not self._starts_phrase(i):
            return False
        after = self.tokens[i + 2]
        if after.boundary or after.cap:
            return False
        if after.key == "s" and after.sep == "'":
            return True
        verb = after.key in vocab.PERSON_VERBS and after.key not in ("and", "with")
        return verb or (after.key.endswith("ing") and len(after.key) > 4)

    def _surname_like(self, tok: Token) -> bool:
        if tok.sep != " " or not tok.cap or tok.single or tok.number:
            return False
        key = tok.key
        return not (
            key in vocab.NOT_A_NAME
            or key in vocab.VENUE_NOUNS
            or key in self.m.words
            or key in self.m.titles
            or key in self.m.gazetteer
            or self.mode != "normal"
        )
