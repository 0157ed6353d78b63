"""Dictionaries built once from the roster, so a check never loops over it.

Every name is stored under its look-up key (``fold_word``). Names of several
words ("ap Dafydd", "Ní Bhriain", "Jia Hui") and names with apostrophes or
hyphens ("O'Brien", "Mary-Jane") are stored whole ("obrien") and also as a
tuple of parts, so the matcher can join tokens back together. Welsh mutated
forms of given names are stored apart: they count only after a trigger word
or, capitalised in Welsh text, as a form of address.

A short name written in capitals ("CJ") is a nickname that only matches when
written so, unless the roster row (or the whole roster) is in capitals: many
management systems export "SAM,JONES", and that casing means nothing.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from publisher.policy.normalise import fold_word
from publisher.policy.roster import Learner, Roster, in_capitals
from publisher.policy.vocab import word_set
from publisher.policy.welsh import h_prothesis, mutations

__all__ = ["Entry", "NameIndex"]

_PARTS = re.compile(r"[^\W\d_]+")


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
    #: name lengths present, longest first, for searching inside hashtags
    lengths: tuple[int, ...] = ()
    #: the same for mutated forms
    mutated_lengths: tuple[int, ...] = ()
    #: the first two letters of every name, to skip most places in a hashtag
    starts: frozenset[str] = frozenset()

    @classmethod
    def build(cls, roster: Roster) -> NameIndex:
        index = cls()
        mutated: dict[tuple[str, str, str], set[str]] = defaultdict(set)
        capitals = roster.in_capitals
        for learner in roster.learners:
            lid = learner.learner_id
            # Casing of a row in capitals says nothing about nicknames.
            caps_ok = not (capitals or in_capitals(learner))
            givens = [n for n in (learner.given, learner.preferred) if n]
            for name in givens:
                key = index._add(name, lid, "given", caps_ok)
                for form, kind in _forms(key):
                    mutated[(form, kind, key)].add(lid)
            for name in learner.aliases:
                index._add(name, lid, "alias", caps_ok)
            if learner.family:
                index._add(learner.family, lid, "family", False)
            index.initials[lid] = _initials(learner, givens)
        for (form, kind, radical), ids in mutated.items():
            index.mutated.setdefault(form, []).append((frozenset(ids), kind, radical))
        index.lengths = _lengths(index.entries, 2)
        index.starts = frozenset(key[:2] for key in index.entries)
        index.mutated_lengths = _lengths(index.mutated, 3)
        return index

    def _add(self, name: str, lid: str, role: str, caps_ok: bool) -> str:
        parts = [fold_word(p) for p in _PARTS.findall(name)]
        parts = [p for p in parts if p]
        if not parts:
            return ""
        whole = "".join(parts)
        # Initials used as a nickname ("CJ") only match when written so.
        caps = caps_ok and len(whole) <= 3 and name.isupper()
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


def _forms(key: str) -> list[tuple[str, str]]:
    """Welsh mutated forms of a given name, with h-prothesis ("ei Helin")."""
    forms = mutations(key)
    h_form = h_prothesis(key)
    if h_form is not None:
        forms.append((h_form, "h"))
    return forms


def _initials(
    learner: Learner, givens: list[str]
) -> tuple[frozenset[str], frozenset[str]]:
    given = frozenset(fold_word(n)[:1] for n in givens + list(learner.aliases))
    family = frozenset(
        fold_word(p)[:1]
        for p in _PARTS.findall(learner.family)
        if len(fold_word(p)) > 2
    ) | {fold_word(learner.family)[:1]}
    return given, family


def _lengths(keys: Iterable[str], shortest: int) -> tuple[int, ...]:
    return tuple(sorted({len(k) for k in keys if len(k) >= shortest}, reverse=True))


#: Name particles that never stand alone as a name.
_PARTICLES = word_set(
    "ap ab ferch verch van von der den de la le du da di al el bin bint ibn "
    "mac mc o ni nic ui mhic"
)
