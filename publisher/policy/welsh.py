"""Welsh initial mutations and the common Welsh words they can disguise.

The mutation table follows welsh_mutations.md (section 1). Mutated forms of
roster names are looked for after trigger words, and, for a capitalised word
in Welsh text, without one (the vocative "Bore da, Gerys!"). Mutated forms of
common words ("Ddosbarth", "Dduw", "Nghaerdydd") must not be taken for
people, so the common-word list is expanded with every mutated form once.
"""

from __future__ import annotations

from functools import lru_cache

from publisher.policy.vocab import read_list, word_set

__all__ = [
    "H_TRIGGERS",
    "KINDS",
    "h_prothesis",
    "is_welsh_word",
    "mutations",
    "welsh_forms",
]

#: Welsh mutations of a word's first letters, longest radical first. Each
#: value: (soft, nasal, aspirate); None = no change.
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
KINDS = ("soft", "nasal", "aspirate")
_VOWELS = frozenset("aeiouwy")
#: "her", "our", "their" (and "'i", "'w" after a vowel): a vowel-initial
#: word after them gains an h ("ei Helin hi").
H_TRIGGERS = word_set("ei ein eu")


def mutations(key: str) -> list[tuple[str, str]]:
    """The mutated forms of a folded word: [(form, "soft"|"nasal"|"aspirate")]."""
    for radical, forms in _MUTATIONS:
        if key.startswith(radical):
            rest = key[len(radical) :]
            return [
                (form + rest, kind)
                for form, kind in zip(forms, KINDS, strict=True)
                if form is not None and len(form + rest) >= 2
            ]
    return []


def h_prothesis(key: str) -> str | None:
    """The h-form of a vowel-initial word ("elin" -> "helin"), else None."""
    if len(key) >= 2 and key[0] in _VOWELS:
        return "h" + key
    return None


@lru_cache(maxsize=1)
def welsh_forms() -> frozenset[str]:
    """Common Welsh words and places in every mutated spelling (folded keys)."""
    words = read_list("welsh_words.txt")
    forms = set(words)
    for word in words:
        forms.update(form for form, _kind in mutations(word))
        h_form = h_prothesis(word)
        if h_form is not None:
            forms.add(h_form)
    return frozenset(forms)


def is_welsh_word(key: str) -> bool:
    """Whether ``key`` is a common Welsh word in any mutated spelling."""
    return key in welsh_forms()
