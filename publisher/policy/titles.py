"""Allow-listed phrases and titled adults: what a scan sets aside first.

A title ("Mr", "Anti", "Dr") names ONE adult: the next name only, that is a
given name, a family name, or a given and a family name together. Words
after that are read as usual, so "Thanks Mr Jones Cerys and the choir" still
finds Cerys. Two cases still block after a title, each saying why:

* a learner's exact full name ("Miss Cerys Vaughan"): a member of staff who
  shares it can be acknowledged;
* a learner's given name alone after a formal title ("Sir Tomasz", "mr
  elin"): staff are named by title and family name. Titles that go with a
  given name by convention ("Anti Bethan", "Yncl Dafydd", "St David",
  "Prince William") still cover it.
"""

from __future__ import annotations

from publisher.policy import vocab
from publisher.policy.scan import ScanBase
from publisher.policy.tokens import Token
from publisher.policy.vocab import word_set

__all__ = ["TitleRules", "STRICT_TITLES"]

#: Titles used with a family name; with a learner's given name alone they block.
STRICT_TITLES = word_set(
    "mr mrs miss ms mx dr sir syr mister missus prof professor mme madame "
    "monsieur herr frau senor senora senorita"
)
_STOP_AFTER_TITLE = word_set("and a ac with or neu gyda to i the")


class TitleRules(ScanBase):
    """Marks allow-listed phrases and titled adults as covered."""

    def _cover(self) -> None:
        tokens, covered = self.tokens, self.covered
        phrases, starts = self.m.phrases, self.m.cover_starts
        for i, tok in enumerate(tokens):
            if tok.key not in starts or covered[i] is not None:
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

    def _follows_title(self, tok: Token) -> bool:
        """Whether ``tok`` can be part of the name a title introduces."""
        if tok.sep.strip() not in ("", ".") or tok.key in _STOP_AFTER_TITLE:
            return False
        if tok.number:
            return False
        if self.mode == "normal":
            return tok.cap
        return (
            tok.single or tok.key in self.m.gazetteer or tok.key in (self.index.entries)
        )

    def _cover_after_title(self, i: int) -> None:
        tokens = self.tokens
        j = i + 1
        if j >= self.n or not self._follows_title(tokens[j]):
            return
        self.covered[i] = "title"
        # "Mr J. Jones", "Mrs A B Smith": initials, then one family name.
        k = j
        while k < self.n and k - j < 3 and tokens[k].single:
            if not self._follows_title(tokens[k]):
                break
            k += 1
        if k > j:
            if k < self.n and self._follows_title(tokens[k]):
                k = self._name_end(k) + 1
            self._mark(j, k - 1)
            return
        full = self._full(j)
        if full is not None and full[0].kind == "full":
            self.after_title[j] = "full"
            return
        self._cover_one_person(i, j)

    def _cover_one_person(self, i: int, j: int) -> None:
        """Cover a given name, a family name, or a given and a family name."""
        tokens = self.tokens
        found = self.matches[j]
        first_end = self._name_end(j)
        learner_given = found is not None and bool(found[1].given | found[1].alias)
        learner_family = found is not None and bool(found[1].family)
        given_like = learner_given or tokens[j].key in self.m.gazetteer
        nxt = first_end + 1
        if (
            given_like
            and not learner_family
            and nxt < self.n
            and not tokens[nxt].single
            and self._follows_title(tokens[nxt])
            and not self._only_learner_given(nxt)
        ):
            # "Mrs Catrin Evans": one adult named in full.
            self._mark(j, self._name_end(nxt))
            return
        if learner_given and not learner_family and tokens[i].key in STRICT_TITLES:
            self.after_title[j] = "given"
            return
        self._mark(j, first_end)

    def _only_learner_given(self, j: int) -> bool:
        found = self.matches[j]
        if found is None:
            return False
        entry = found[1]
        return bool(entry.given | entry.alias) and not entry.family

    def _name_end(self, j: int) -> int:
        """The last token of a roster name of several parts starting at ``j``."""
        found = self.matches[j]
        return found[0] if found is not None else j

    def _mark(self, first: int, last: int) -> None:
        for k in range(first, last + 1):
            self.covered[k] = "title"
