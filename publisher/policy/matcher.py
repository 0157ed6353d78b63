"""Find likely learner names in one text, with offsets into the original.

The text is normalised and tokenised once (twice for upside-down or mirror
text: see ``normalise.views``); each token is looked up in the roster index
(a dict), so the cost of a check does not grow with the roster. Allow-listed
phrases and titled adults are set aside first (``titles``), then each token
is matched as a full name, a name in register order, an initial with a
family name, a given name with a family initial, a lone given, family or
nickname, a family name in the plural, a Welsh mutated name (``mutated``),
or a name glued inside a hashtag or handle (``glued``). Names that are also
words go through ``context.decide_word``. Last, likely names that are not on
the roster are flagged (``offroster``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from publisher.policy import vocab
from publisher.policy.context import decide_word
from publisher.policy.glued import GluedRules
from publisher.policy.index import Entry, NameIndex
from publisher.policy.mutated import MutationRules
from publisher.policy.normalise import NormalText, fold_word, normalise, views
from publisher.policy.offroster import OffRosterRules
from publisher.policy.scan import Hit, Lexicon
from publisher.policy.titles import TitleRules
from publisher.policy.tokens import tokenise
from publisher.policy.vocab import word_set
from publisher.policy.welsh import is_welsh_word, mutations, welsh_forms

__all__ = ["Hit", "Matcher"]

#: Buildings before a name: "Neuadd Dewi", "Canolfan Gwenllian".
_BUILDING_PREFIX = word_set("neuadd canolfan plas")
#: Prefixes after which a name that is also a word is read as the word
#: ("Dosbarth Seren", "Rose House"); after "team" it still needs context.
_NAMING_PREFIX = (vocab.GROUP_PREFIX | _BUILDING_PREFIX) - word_set(
    "team tim group grwp"
)
#: Every prefix in every mutated spelling ("i Ddosbarth", "yn Nhîm").
_PREFIXES = {word: word for word in vocab.GROUP_PREFIX | _BUILDING_PREFIX} | {
    form: word
    for word in word_set("dosbarth canolfan neuadd plas grwp")
    for form, _kind in mutations(word)
}


class Matcher:
    """Finds names in text using a prebuilt roster index and allow-lists."""

    def __init__(
        self,
        index: NameIndex,
        titles: tuple[str, ...],
        phrases: tuple[str, ...],
    ) -> None:
        self.index = index
        keyed: dict[str, list[tuple[str, ...]]] = {}
        for phrase in phrases:
            keys = tuple(
                t.key for t in tokenise(normalise(phrase), _never) if not t.number
            )
            if keys:
                keyed.setdefault(keys[0], []).append(keys)
        for options in keyed.values():
            options.sort(key=len, reverse=True)
        glued_phrases = {"".join(p) for ps in keyed.values() for p in ps if len(p) > 1}
        title_keys = frozenset(fold_word(t) for t in titles)
        self.lex = Lexicon(
            index=index,
            titles=title_keys,
            phrases=keyed,
            gazetteer=vocab.given_names(),
            words=vocab.word_names(),
            absorb=_absorbing_words(),
            segments=_segment_words(),
            glued_phrases=frozenset(glued_phrases),
            cover_starts=frozenset(keyed) | title_keys,
        )

    def _known(self, key: str) -> bool:
        return self.index.known(key) or key in self.lex.gazetteer

    def find(self, text: str) -> tuple[NormalText, list[Hit]]:
        """All likely names in ``text``; offsets are normalised (see span)."""
        return self._scan(normalise(text))

    def find_views(self, text: str) -> list[tuple[NormalText, list[Hit]]]:
        """Likely names in every way ``text`` can be read (flipped text too)."""
        return [self._scan(norm) for norm in views(text)]

    def _scan(self, norm: NormalText) -> tuple[NormalText, list[Hit]]:
        tokens = tokenise(norm, self._known, self.index.known)
        if not tokens:
            return norm, []
        return norm, _Scan(self.lex, tokens, norm.cased).run()


def _never(_key: str) -> bool:
    return False


@lru_cache(maxsize=1)
def _absorbing_words() -> frozenset[str]:
    """Everyday words a name can hide inside ("festival" holds "val")."""
    return frozenset(
        vocab.english_words()
        | vocab.common_words()
        | welsh_forms()
        | vocab.word_names()
        | vocab.VENUE_NOUNS
        | vocab.INSTITUTION_NOUNS
    )


@lru_cache(maxsize=1)
def _segment_words() -> frozenset[str]:
    """Every word a hashtag may be read as, short ones included."""
    return _absorbing_words() | vocab.SHORT_WORDS


class _Scan(TitleRules, MutationRules, GluedRules, OffRosterRules):
    """One scan over one text's tokens."""

    def run(self) -> list[Hit]:
        self._cover()
        tokens, matches, n = self.tokens, self.matches, self.n
        plain_case = self.mode == "normal"
        i = 0
        while i < n:
            tok = tokens[i]
            # Most words are neither names nor capitalised: skip them fast.
            if matches[i] is None and (
                tok.number or (plain_case and not tok.cap and not tok.glued)
            ):
                i += 1
                continue
            i = self._at(i)
        return self.hits

    def _at(self, i: int) -> int:
        """Match at token ``i``; return the next token index to look at."""
        tok = self.tokens[i]
        found = self.matches[i]
        if tok.number:
            return i + 1
        if self.covered[i] is not None:
            full = self._full(i) if found else None
            if full is not None and self.covered[i] == "allow":
                hit, last = full
                hit.why = "the full name of a learner (also on an allow-list)"
                return self._add(hit, i, last)
            return i + 1
        if found is None:
            # A lower-case word in a text that uses capitals can only be a
            # name inside a hashtag or as a spaced-out initial: skip the rest.
            if not tok.cap and self.mode == "normal" and not tok.glued:
                return i + 1
            return self._unmatched(i)
        full = self._full(i)
        if full is not None:
            hit, last = full
            if self.after_title.get(i) == "full":
                hit.why = (
                    "exactly a learner's full name, after a title; if this is a "
                    "member of staff who shares it, acknowledge the finding"
                )
            return self._add(hit, i, last)
        last, entry = found
        return self._single(i, last, entry)

    def _add(self, hit: Hit, first: int, last: int) -> int:
        self.hits.append(hit)
        for k in range(first, last + 1):
            self.is_name_at[k] = True
        return last + 1

    def _single(self, i: int, last: int, entry: Entry) -> int:
        tokens = self.tokens
        givens = entry.given | entry.alias
        ids = frozenset(givens | entry.family)
        kind = "given" if entry.given else "alias" if entry.alias else "family"
        why = {
            "given": "a learner's given or preferred name",
            "alias": "a learner's nickname on the roster",
            "family": "a learner's family name",
        }[kind]
        if len(ids) > 1:
            why += f" ({len(ids)} learners share it)"
        key = "".join(t.key for t in tokens[i : last + 1])
        if self.after_title.get(i) == "given":
            why += (
                " after a title; staff are normally named by title and family "
                "name, so this may be a learner"
            )
            return self._add(Hit(tokens[i].start, tokens[last].end, ids, kind, why,
                                 sure=False), i, last)  # fmt: skip
        grouped = self._group_name(i, key)
        if grouped is not None:
            if not grouped:
                self.is_name_at[i] = False
                return last + 1
            why += (
                " used as the name of a class, team or school; classes are "
                "usually named after trees, animals or colours, so a learner's "
                "name there is unsafe"
            )
            hit = Hit(tokens[i].start, tokens[last].end, ids, kind, why, sure=False)
            return self._add(hit, i, last)
        if self._names_institution(i, last, entry):
            self.is_name_at[i] = False
            return last + 1
        sure = True
        if key in self.m.words or any(
            t.key in self.m.words for t in tokens[i : last + 1]
        ):
            verdict, reason = decide_word(
                tokens, i, last, self.mode, self.is_name_at, self.looks
            )
            # A family name that is a word, alone and undecided, is read as
            # the word: "Price: £5". Given names stay unsure and block.
            if verdict == "word" or (verdict == "unsure" and not givens):
                self.is_name_at[i] = False
                return last + 1
            why += "; " + reason
            sure = verdict == "name"
        hit = Hit(tokens[i].start, tokens[last].end, ids, kind, why, sure)
        return self._add(hit, i, last)

    def _group_name(self, i: int, key: str) -> bool | None:
        """After "Dosbarth", "Ysgol", "Team": None if not there, else blocks?

        A word ("Dosbarth Derw", "Dosbarth Seren") is a class name; a learner's
        name that is no word ("Dosbarth Cerys", "Ysgol Cerys") is unsafe.
        """
        tok = self.tokens[i]
        if i == 0 or tok.boundary:
            return None
        prefix = _PREFIXES.get(self.tokens[i - 1].key)
        if prefix is None:
            return None
        is_word = (
            key in self.m.words or is_welsh_word(key) or key in vocab.common_words()
        )
        if is_word:
            return False if prefix in _NAMING_PREFIX else None
        return True

    def _names_institution(self, i: int, last: int, entry: Entry) -> bool:
        """ "Morgan Arcade", "Pritchard's Field", "Harvey's Bakery": a place.

        A family name before a capitalised place or organisation noun names
        the place; a given name does only with "'s" and a business noun, so
        "Harvey's painting" and "Cerys Hall" still block.
        """
        if self.mode not in ("normal", "title"):
            return False
        tokens = self.tokens
        j = last + 1
        possessive = j < self.n and tokens[j].key == "s" and tokens[j].sep == "'"
        j += possessive
        if j >= self.n:
            return False
        nxt = tokens[j]
        if not nxt.cap or nxt.boundary or nxt.sep != " ":
            return False
        if nxt.key not in vocab.INSTITUTION_NOUNS:
            return False
        return bool(entry.family) or (possessive and nxt.key in vocab.BUSINESS_NOUNS)

    def _unmatched(self, i: int) -> int:
        tok = self.tokens[i]
        attempts: list[Callable[[int], tuple[Hit, int] | None]]
        if tok.single:
            attempts = [self._dotted_alias, self._initial_family]
        else:
            # Cheap tests first: most capitalised words are none of these.
            attempts = []
            if tok.key in self.index.mutated:
                attempts.append(self._mutated)
            if tok.glued:
                attempts.append(self._glued)
            if tok.key[-1] == "s":
                attempts.append(self._plural)
        for attempt in attempts:
            result = attempt(i)
            if result is not None:
                hit, last = result
                return self._add(hit, i, last)
        offroster = self._offroster(i)
        if offroster is not None:
            hit, last = offroster
            return self._add(hit, i, last)
        return i + 1

    def _dotted_alias(self, i: int) -> tuple[Hit, int] | None:
        """ "C.J.": initials that spell a roster nickname."""
        tokens = self.tokens
        j = i
        while j + 1 < self.n and j - i < 3 and tokens[j + 1].single:
            if tokens[j + 1].sep not in (".", ". "):
                break
            j += 1
        if j == i or not tokens[i].single:
            return None
        entry = self.index.entries.get("".join(t.key for t in tokens[i : j + 1]))
        if entry is None or not (entry.alias or entry.given) or j - i > 2:
            return None
        ids = entry.alias | entry.given
        end = tokens[j].end + (
            1 if self.cased[tokens[j].end : tokens[j].end + 1] == "." else 0
        )
        why = "a learner's nickname on the roster (initials)"
        return Hit(tokens[i].start, end, frozenset(ids), "alias", why), j

    def _initial_family(self, i: int) -> tuple[Hit, int] | None:
        """ "C. Jones": an initial that narrows a family name to one learner."""
        tok = self.tokens[i]
        if not tok.single or not (tok.cap or self.mode == "lower") or i + 1 >= self.n:
            return None
        nxt = self.tokens[i + 1]
        other = self.matches[i + 1]
        if other is None or not other[1].family or nxt.sep not in (".", ". ", " ", ""):
            return None
        if not (nxt.cap or self.mode != "normal"):
            return None  # "A grant from...": a lower-case word is no family name
        if tok.key in ("a", "i") and nxt.key in self.m.words and nxt.sep == " ":
            return None  # "A Grant Award": the article, not an initial
        ids = {x for x in other[1].family if tok.key in self.index.initials[x][0]}
        if not ids:
            return None
        why = "an initial and a family name that fit a learner"
        return Hit(
            tok.start, self.tokens[other[0]].end, frozenset(ids), "initials", why
        ), other[0]

    def _plural(self, i: int) -> tuple[Hit, int] | None:
        """ "The Vaughans", "the Okonkwos'": a family name in the plural."""
        tok = self.tokens[i]
        key = tok.key
        if len(key) < 4 or key[-1] != "s" or not (tok.cap or self.mode != "normal"):
            return None
        if key in vocab.NOT_A_NAME or key in self.m.gazetteer:
            return None
        for cut in (1, 2) if key.endswith("es") else (1,):
            entry = self.index.entries.get(key[:-cut])
            if entry is None or not entry.family or key[:-cut] in self.m.words:
                continue
            why = "a learner's family name in the plural ('the Joneses')"
            return Hit(tok.start, tok.end - cut, frozenset(entry.family), "family",
                       why), i  # fmt: skip
        return None
