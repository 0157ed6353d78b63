"""Find likely learner names in one text, with offsets into the original.

The text is normalised and tokenised once; each token is looked up in the
roster index (a dict), so the cost of a check does not grow with the roster.
Allow-listed phrases and titled adults are set aside first, then each token
is matched as a full name, a name in register order, an initial with a
family name, a given name with a family initial, a lone given, family or
nickname, a Welsh mutated name, or a name glued inside a hashtag or handle.
Names that are also words go through ``context.decide_word``. Last, likely
names that are not on the roster are flagged from a gazetteer and cues.
"""

from __future__ import annotations

from dataclasses import dataclass

from publisher.policy import vocab
from publisher.policy.context import PLACE_BEFORE, after_cue, decide_word
from publisher.policy.index import Entry, NameIndex
from publisher.policy.normalise import NormalText, fold_word, normalise
from publisher.policy.tokens import CaseMode, Token, case_mode, tokenise
from publisher.policy.vocab import word_set

__all__ = ["Hit", "Matcher"]

_VOCATIVE_SOFT = word_set("iawn diolch annwyl llongyfarchiadau helo haia croeso hapus")
_TRIGGERS = {
    "soft": vocab.SOFT_TRIGGERS | _VOCATIVE_SOFT,
    "nasal": vocab.NASAL_TRIGGERS,
    "aspirate": vocab.ASPIRATE_TRIGGERS,
}
_WEAK_WELSH = word_set("a i o am ar at hi ni fe dan mor pob bach mawr")
_GLUED_SEPS = frozenset({"", "_", "-", ".", " ", "/"})
_GLUED_CUES = tuple(
    sorted(
        word_set(
            "done congrats congratulations birthday iawn diolch thanks welcome go "
            "to hapus llongyfarchiadau team proudof"
        )
    )
)
_PEOPLE_AFTER = word_set(
    "his her their mum dad mam nain taid grandma grandad friends family "
    "brother sister classmates teacher ei eu"
)
_PLACE_PREFIX = word_set("ysgol dosbarth class neuadd canolfan ty plas")
_STOP_AFTER_TITLE = word_set("and a ac with or neu gyda to i the")


@dataclass(slots=True)
class Hit:
    """One likely name: normalised offsets, who it may be, and why."""

    start: int
    end: int
    ids: frozenset[str]
    kind: str  #: full, given, family, alias, initials, mutated, offroster
    why: str
    sure: bool = True


class Matcher:
    """Finds names in text using a prebuilt roster index and allow-lists."""

    def __init__(
        self,
        index: NameIndex,
        titles: tuple[str, ...],
        phrases: tuple[str, ...],
    ) -> None:
        self.index = index
        self.titles = frozenset(fold_word(t) for t in titles)
        self.phrases: dict[str, list[tuple[str, ...]]] = {}
        for phrase in phrases:
            keys = tuple(
                t.key for t in tokenise(normalise(phrase), _never) if not t.number
            )
            if keys:
                self.phrases.setdefault(keys[0], []).append(keys)
        for options in self.phrases.values():
            options.sort(key=len, reverse=True)
        self.gazetteer = vocab.given_names()
        self.words = vocab.word_names()

    def _known(self, key: str) -> bool:
        return self.index.known(key) or key in self.gazetteer

    def find(self, text: str) -> tuple[NormalText, list[Hit]]:
        """All likely names in ``text``; offsets are normalised (see span)."""
        norm = normalise(text)
        tokens = tokenise(norm, self._known)
        if not tokens:
            return norm, []
        return norm, _Scan(self, tokens, norm.cased).run()


def _never(_key: str) -> bool:
    return False


class _Scan:
    """The state of one scan over one text's tokens."""

    def __init__(self, matcher: Matcher, tokens: list[Token], cased: str) -> None:
        self.m = matcher
        self.cased = cased
        self.index = matcher.index
        self.tokens = tokens
        self.n = len(tokens)
        self.mode: CaseMode = case_mode(tokens)
        # One pass: roster look-ups, and which tokens look like any name.
        entries, multi, gazetteer = (
            self.index.entries,
            self.index.multi,
            matcher.gazetteer,
        )
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
        self.is_name_at: dict[int, bool] = {}
        self.hits: list[Hit] = []
        self._welsh: bool | None = None

    # -- look-ups -----------------------------------------------------------

    def _lookup(self, i: int) -> tuple[int, Entry] | None:
        tokens = self.tokens
        tok = tokens[i]
        if tok.number:
            return None
        for parts in self.index.multi.get(tok.key, ()):
            last = i + len(parts) - 1
            if last < self.n and all(
                tokens[i + k].key == parts[k] and _joinable(tokens[i + k].sep)
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
        if self._welsh is None:
            self._welsh = any(
                t.key in vocab.WELSH_MARKERS and t.key not in _WEAK_WELSH
                for t in self.tokens
            )
        return self._welsh

    # -- the scan -----------------------------------------------------------

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
        if i > 0 and not tokens[i].boundary and tokens[i - 1].key in _PLACE_PREFIX:
            # "Ysgol Gwenllian", "Dosbarth Celyn": a school or class name.
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

    def _unmatched(self, i: int) -> int:
        for attempt in (
            self._dotted_alias,
            self._initial_family,
            self._mutated,
            self._glued,
        ):
            result = attempt(i)
            if result is not None:
                hit, last = result
                return self._add(hit, i, last)
        offroster = self._offroster(i)
        if offroster is not None:
            hit, last = offroster
            return self._add(hit, i, last)
        return i + 1

    # -- full names ---------------------------------------------------------

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
        ids = {x for x in other[1].family if tok.key in self.index.initials[x][0]}
        if not ids:
            return None
        why = "an initial and a family name that fit a learner"
        return Hit(
            tok.start, self.tokens[other[0]].end, frozenset(ids), "initials", why
        ), other[0]

    # -- Welsh mutations ----------------------------------------------------

    def _mutated(self, i: int) -> tuple[Hit, int] | None:
        tok = self.tokens[i]
        forms = self.index.mutated.get(tok.key)
        if not forms or i == 0 or tok.sep.strip() not in ("", ","):
            return None
        if not (tok.cap or self.mode != "normal"):
            return None
        trigger = self.tokens[i - 1].key
        # "i Fabli a Feleri": a list after a trigger may carry its mutation.
        listed = trigger in ("a", "ac", "neu") and self.is_name_at.get(i - 2, False)
        for ids, kind, _radical in forms:
            if trigger not in _TRIGGERS[kind] and not listed:
                continue
            if tok.sep.strip() == "," and trigger not in _VOCATIVE_SOFT:
                continue
            if not (self.welsh() or trigger in vocab.WELSH_ONLY_TRIGGERS):
                continue
            why = f"a learner's name with Welsh {kind} mutation"
            last = i
            j = i + 1
            if j < self.n and self._full_sep(self.tokens[j]) and self.matches[j]:
                other = self.matches[j]
                if other is not None and ids & other[1].family:
                    ids, last = frozenset(ids & other[1].family), other[0]
            return Hit(tok.start, self.tokens[last].end, ids, "mutated", why), last
        return None

    # -- hashtags, handles, addresses, file names -----------------------------

    def _glued(self, i: int) -> tuple[Hit, int] | None:
        tok = self.tokens[i]
        if not tok.glued or len(tok.key) < 4:
            return None
        found = self._search_inside(tok.key)
        if not found:
            return None
        start, end, ids, kind = found
        why = "a learner's name inside a hashtag, handle, address or file name"
        return Hit(tok.start + start, tok.start + end, ids, kind, why), i

    def _search_inside(self, key: str) -> tuple[int, int, frozenset[str], str] | None:
        entries, lengths = self.index.entries, self.index.lengths
        pieces: list[tuple[int, int, Entry]] = []
        p = 0
        while p < len(key):
            for length in reversed(lengths):
                sub = key[p : p + length]
                if (
                    len(sub) == length
                    and sub in entries
                    and self._plausible(key, p, sub)
                ):
                    pieces.append((p, p + length, entries[sub]))
                    p += length
                    break
            else:
                p += 1
        if not pieces:
            return None
        for (a, b, first), (c, d, second) in zip(pieces, pieces[1:], strict=False):
            pair = (first.given | first.alias) & second.family
            if c == b and pair:
                return a, d, frozenset(pair), "full"
        a, b, entry = pieces[0]
        ids = frozenset(entry.given | entry.family | entry.alias)
        return a, b, ids, "given" if entry.given else "family"

    def _plausible(self, key: str, p: int, sub: str) -> bool:
        """Whether a name found inside a glued word is likely meant as a name.

        It must start the word, follow a cue ("welldone...") or follow another
        name ("ffionwilliams"), so "#umbrella" does not find "Ella" and
        "#gwyldewi" does not find "Dewi".
        """
        before = key[:p]
        cued = before.endswith(_GLUED_CUES)
        if sub in self.m.words or len(sub) <= 3:
            return cued
        if p == 0 or cued:
            return True
        entries = self.index.entries
        return any(key[q:p] in entries for q in range(max(0, p - 14), p - 2))

    # -- allow-lists and titles ---------------------------------------------

    def _cover(self) -> None:
        tokens, covered = self.tokens, self.covered
        phrases, titles = self.m.phrases, self.m.titles
        for i, tok in enumerate(tokens):
            if covered[i] is not None or (
                tok.key not in phrases and tok.key not in titles
            ):
                continue
            for phrase in phrases.get(tok.key, ()):
                # A one-word entry ("Matilda") never hides a roster name.
                if len(phrase) == 1 and self.matches[i] is not None:
                    continue
                last = i + len(phrase) - 1
                if last < self.n and all(
                    tokens[i + k].key == phrase[k] for k in range(1, len(phrase))
                ):
                    for k in range(i, last + 1):
                        covered[k] = "allow"
                    break
            if covered[i] is None and self._is_title(i):
                self._cover_after_title(i)

    def _is_title(self, i: int) -> bool:
        tok = self.tokens[i]
        if tok.key not in self.m.titles:
            return False
        if self.mode == "normal":
            return tok.cap
        # "we will miss catrin": "miss" after a pronoun or modal is a verb.
        prev = self.tokens[i - 1].key if i > 0 else ""
        return not (tok.key == "miss" and prev in vocab.PRONOUNS | {"will", "ll"})

    def _cover_after_title(self, i: int) -> None:
        tokens = self.tokens
        count = 0
        j = i + 1
        while j < self.n and count < 3:
            tok = tokens[j]
            if tok.sep.strip() not in ("", ".") or tok.key in _STOP_AFTER_TITLE:
                break
            name_like = j in self.looks or tok.single or tok.key in self.m.gazetteer
            if self.mode == "normal":
                if not tok.cap:
                    break
            elif not name_like:
                break
            self.covered[j] = "title"
            count += 1
            j += 1
        if count:
            self.covered[i] = "title"

    # -- likely names not on the roster -------------------------------------

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
        if nxt is not None and not nxt.boundary and nxt.key in vocab.VENUE_NOUNS:
            return nxt.cap or self.mode != "normal"
        prev = tokens[i - 1] if i > 0 and not tokens[i].boundary else None
        return prev is not None and prev.key in PLACE_BEFORE

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


def _joinable(sep: str) -> bool:
    return sep in ("", "'", "-", " ", "_")
