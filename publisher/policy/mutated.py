"""Welsh mutated forms of roster names in running text.

After a trigger word ("i Gatrin", "a Chatrin", "fy Nghatrin", "ei Helin") a
mutated form is a name. In Welsh or mixed text a capitalised mutated form
is also a name with no trigger at all: the vocative ("Bore da Gerys!",
"Gerys, da iawn heddiw!"), unless it is a common Welsh word or place in any
spelling (Fali, Fryn, Wen, Nghaerdydd), follows the article (y, yr, 'r), or
ends a longer proper name ("Gŵyl Ddewi").
"""

from __future__ import annotations

from publisher.policy import vocab
from publisher.policy.scan import Hit, ScanBase
from publisher.policy.vocab import common_words, word_set
from publisher.policy.welsh import H_TRIGGERS, is_welsh_word

__all__ = ["MutationRules"]

VOCATIVE_SOFT = word_set("iawn diolch annwyl llongyfarchiadau helo haia croeso hapus")
_TRIGGERS = {
    "soft": vocab.SOFT_TRIGGERS | VOCATIVE_SOFT,
    "nasal": vocab.NASAL_TRIGGERS,
    "aspirate": vocab.ASPIRATE_TRIGGERS,
    "h": H_TRIGGERS,
}
#: Words of praise or greeting a name is addressed after ("Gwych Gerys!").
_ADDRESS = VOCATIVE_SOFT | word_set(
    "da gwych ardderchog campus arbennig bendigedig anhygoel shwmae bore "
    "prynhawn pnawn nos hwyl wel"
)
_ARTICLE = word_set("y yr")
#: Welsh verbs a person follows as the subject ("Mae Gerys yn canu").
_WELSH_VERBS = word_set(
    "mae oedd roedd bydd fydd sydd enillodd gwnaeth aeth daeth cafodd canodd "
    "darllenodd siaradodd dawnsiodd rhedodd sgoriodd ysgrifennodd"
)
#: What may follow a name used to address someone: "Gerys!", "Gerys, da iawn".
_ADDRESS_END = ",!?"
_KIND_WORDS = {
    "soft": "soft mutation",
    "nasal": "nasal mutation",
    "aspirate": "aspirate mutation",
    "h": "an h added after 'ei', 'ein' or 'eu'",
}


class MutationRules(ScanBase):
    """Finds Welsh mutated forms of roster names."""

    def _mutated(self, i: int) -> tuple[Hit, int] | None:
        tok = self.tokens[i]
        forms = self.index.mutated.get(tok.key)
        if not forms or not (tok.cap or self.mode != "normal"):
            return None
        found = self._triggered(i, forms)
        if found is None:
            found = self._addressed(i, forms)
        if found is None:
            return None
        ids, kind, how = found
        why = f"a learner's name with Welsh {_KIND_WORDS[kind]}{how}"
        last = i
        j = i + 1
        if j < self.n and self._full_sep(self.tokens[j]) and self.matches[j]:
            other = self.matches[j]
            if other is not None and ids & other[1].family:
                ids, last = frozenset(ids & other[1].family), other[0]
        return Hit(tok.start, self.tokens[last].end, ids, "mutated", why), last

    def _triggered(
        self, i: int, forms: list[tuple[frozenset[str], str, str]]
    ) -> tuple[frozenset[str], str, str] | None:
        """A mutated form right after the word that causes it."""
        tok = self.tokens[i]
        if i == 0 or tok.sep.strip() not in ("", ","):
            return None
        prev = self.tokens[i - 1]
        trigger = prev.key
        # "a'i Helin", "i'w Helin": the possessive fused to the word before.
        if prev.sep == "'" and trigger in ("i", "w"):
            trigger = "ei"
        # "i Fabli a Feleri": a list after a trigger may carry its mutation.
        listed = trigger in ("a", "ac", "neu") and self.is_name_at.get(i - 2, False)
        for ids, kind, _radical in forms:
            if trigger not in _TRIGGERS[kind] and not (listed and kind != "h"):
                continue
            if tok.sep.strip() == "," and trigger not in VOCATIVE_SOFT:
                continue
            if not (self.welsh() or trigger in vocab.WELSH_ONLY_TRIGGERS):
                continue
            return ids, kind, ""
        return None

    def _addressed(
        self, i: int, forms: list[tuple[frozenset[str], str, str]]
    ) -> tuple[frozenset[str], str, str] | None:
        """A capitalised mutated form with no trigger, in Welsh text."""
        tok = self.tokens[i]
        key = tok.key
        if self.mode == "lower" or not self.welsh():
            return None
        if (
            is_welsh_word(key)
            or key in self.m.words
            or key in vocab.NOT_A_NAME
            or key in vocab.VENUE_NOUNS
            or key in common_words()
        ):
            return None
        prev = self.tokens[i - 1] if i > 0 else None
        if prev is not None and (
            prev.key in _ARTICLE or (prev.key == "r" and prev.sep == "'")
        ):
            return None
        if not self._address_position(i):
            return None
        kinds = [f for f in forms if f[1] != "h"]
        if not kinds:
            return None
        ids = frozenset().union(*(f[0] for f in kinds))
        return ids, kinds[0][1], ", as when addressing someone"

    def _address_position(self, i: int) -> bool:
        """Where a name is used to address someone, or as a subject.

        After praise or a greeting ("Bore da Gerys", "Ardderchog, Gerys"),
        before a comma or "!" at the start or end of a sentence ("Gerys, da
        iawn"), or after a Welsh verb ("Mae Gerys yn canu"). An English word
        that looks mutated ("Race for Life") is in none of these places.
        """
        tokens = self.tokens
        tok = tokens[i]
        prev = tokens[i - 1] if i > 0 and not tok.boundary else None
        if prev is not None and (prev.key in _ADDRESS or prev.key in _WELSH_VERBS):
            return True
        if prev is not None and prev.cap and not self.is_name_at.get(i - 1, False):
            return False  # "Gŵyl Ddewi": the end of a longer proper name
        nxt = tokens[i + 1] if i + 1 < self.n else None
        after = self.cased[tok.end : nxt.start if nxt is not None else None].strip()
        mark = after[:1]
        starts = prev is None
        if (mark and mark in _ADDRESS_END) or nxt is None or nxt.boundary:
            # "Gerys, da iawn", "..., Gerys!", "Da iawn, Gerys."
            return starts or (mark != "" and mark in "!?") or tok.sep.strip() == ","
        # "Gerys a'i thad yn y ras": a Welsh sentence about the learner.
        return starts and not after and _welsh_only(nxt.key)


def _welsh_only(key: str) -> bool:
    """A Welsh word that is not also English ("a", "yn", "wedi"; not "for")."""
    if key in vocab.WELSH_MARKERS:
        return True
    english = key in vocab.SHORT_WORDS or key in vocab.english_words()
    return is_welsh_word(key) and not english
