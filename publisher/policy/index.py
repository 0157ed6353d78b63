"""Dictionaries built once from the roster, so a check never loops over it.

Every name is stored under its look-up key (``fold_word``). Names of several
words ("ap Dafydd", "Ní Bhriain", "Jia Hui") and names with apostrophes or
hyphens ("O'Brien", "Mary-Jane") are stored whole ("obrien") and also as a
tuple of parts, so the matcher can join tokens back together. Welsh mutated
forms of given names are stored apart: they count only after a trigger word.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from publisher.policy.normalise import fold_word
from publisher.policy.roster import Roster
from publisher.policy.vocab import word_set

__all__ = ["Entry", "NameIndex", "mutations"]

_PARTS = re.compile(r"[^\W\d_]+")

#: Welsh mutations of a name's first letters (welsh_mutations.md, table 1),
#: longest radical first. Each value: (soft, nasal, aspirate); None = no change.
_MUTATIONS: tuple[tuple[str, tuple[str | None, str | None, str | None]], ...] = (
    ("ll", ("l", None, None)),
    ("rh", ("r", None, None)),
    ("ch", (None, None, None)),
    ("ph", (None, None, None)),
    ("th", (None, None, None)),
    ("dd", (None, None, None)),
    ("ff", (None, None, None)),
    ("c", ("g", "ngh", "ch")),
    ("p", ("b", "mh", "ph")),
    ("t", ("d", "nh", "th")),
    ("g", ("", "ng", None)),
    ("b", ("f", "m", None)),
    ("d", ("dd", "n", None)),
    ("m", ("f", None, None)),
)
_KINDS = ("soft", "nasal", "aspirate")


def mutations(key: str) -> list[tuple[str, str]]:
    """The mutated forms of a folded name: [(form, "soft"|"nasal"|"aspirate")]."""
    for radical, forms in _MUTATIONS:
        if key.startswith(radical):
            rest = key[len(radical) :]
            return [
                (form + rest, kind)
                for form, kind in zip(forms, _KINDS, strict=True)
                if form is not None and len(form + rest) >= 2
            ]
    return []


@dataclass
class Entry:
    """Who answers to one look-up key, and how."""

    given: set[str] = field(default_factory=set)  #: given or preferred name
    family: set[str] = field(default_factory=set)
    alias: set[str] = field(default_factory=set)  #: roster aliases, nicknames
    #: aliases written in capitals ("CJ") only match when written so.
    caps_only: bool = False


@dataclass
class NameIndex:
    """Every roster name, keyed for constant-time look-up."""

    entries: dict[str, Entry] = field(default_factory=dict)
    #: first part -> part tuples of names of several words or pieces
    multi: dict[str, list[tuple[str, ...]]] = field(default_factory=dict)
    #: mutated form -> [(learner ids, kind, radical key)]
    mutated: dict[str, list[tuple[frozenset[str], str, str]]] = field(
        default_factory=dict
    )
    #: learner id -> (given initials, family initials)
    initials: dict[str, tuple[frozenset[str], frozenset[str]]] = field(
        default_factory=dict
    )
    #: name lengths present, for searching inside hashtags
    lengths: tuple[int, ...] = ()

    @classmethod
    def build(cls, roster: Roster) -> NameIndex:
        index = cls()
        mutated: dict[tuple[str, str, str], set[str]] = defaultdict(set)
        for learner in roster.learners:
            lid = learner.learner_id
            givens = [n for n in (learner.given, learner.preferred) if n]
            for name in givens:
                key = index._add(name, lid, "given")
                for form, kind in mutations(key):
                    mutated[(form, kind, key)].add(lid)
            for name in learner.aliases:
                index._add(name, lid, "alias")
            if learner.family:
                index._add(learner.family, lid, "family")
            index.initials[lid] = (
                frozenset(fold_word(n)[:1] for n in givens + list(learner.aliases)),
                frozenset(
                    fold_word(p)[:1]
                    for p in _PARTS.findall(learner.family)
                    if len(fold_word(p)) > 2
                )
                | {fold_word(learner.family)[:1]},
            )
        for (form, kind, radical), ids in mutated.items():
            index.mutated.setdefault(form, []).append((frozenset(ids), kind, radical))
        index.lengths = tuple(sorted({len(k) for k in index.entries if len(k) >= 3}))
        return index

    def _add(self, name: str, lid: str, role: str) -> str:
        parts = [fold_word(p) for p in _PARTS.findall(name)]
        parts = [p for p in parts if p]
        if not parts:
            return ""
        whole = "".join(parts)
        # Initials used as a nickname ("CJ") only match when written so.
        caps = role != "family" and len(whole) <= 3 and name.isupper()
        self._entry(whole, lid, role, caps)
        if len(parts) > 1:
            self.multi.setdefault(parts[0], []).append(tuple(parts))
            self.multi[parts[0]].sort(key=len, reverse=True)
            # "Ella-Rose", "Smith-Jones", "ap Dafydd": the long parts are also
            # used alone, so "Ella" or "Dafydd" still match.
            for part in parts:
                if len(part) >= 3 and part not in _PARTICLES:
                    self._entry(part, lid, role, False)
        return whole

    def _entry(self, key: str, lid: str, role: str, caps: bool) -> None:
        entry = self.entries.get(key)
        if entry is None:
            entry = self.entries[key] = Entry(caps_only=caps)
        elif not caps:
            entry.caps_only = False
        getattr(entry, role).add(lid)

    def known(self, key: str) -> bool:
        return key in self.entries or key in self.mutated


#: Name particles that never stand alone as a name.
_PARTICLES = word_set(
    "ap ab ferch verch van von der den de la le du da di al el bin bint ibn "
    "mac mc o ni nic ui mhic"
)
