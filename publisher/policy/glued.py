"""Names glued inside hashtags, handles, web addresses and file names.

"#staroftheweekcerys", "#heroelin", "example.school/racewinnercerys": a roster
name anywhere inside a glued lower-case word. A name of four letters or more
counts anywhere; a three-letter name at the start or end of the word, after
a cue ("#supertom") or after another name; a two-letter name or a name that
is also a word ("will", "rose") only at the end, after a cue.

Two readings against English and Welsh word lists keep traps passing: a
name inside a longer everyday word at the same place is that word ("val" in
"#harvestfestival", "chen" in "#mudkitchen"), and a glued word that reads
as everyday words in fewer pieces than with the name is those words ("mali"
in "#dramalife"). A glued word with no such reading keeps the name (fail
closed). Welsh mutated forms count after a Welsh cue ("#daiawngerys").
"""

from __future__ import annotations

from publisher.policy.index import Entry
from publisher.policy.scan import Hit, ScanBase
from publisher.policy.vocab import word_set

__all__ = ["GluedRules"]

_CUES = tuple(
    sorted(
        word_set(
            "done congrats congratulations birthday iawn diolch thanks welcome go "
            "to hapus llongyfarchiadau team proudof star week winner hero best "
            "super superstar champion player played job goodluck shoutout "
            "croeso thankyou cheers bravo"
        )
    )
)
#: Welsh cues a mutated name follows inside a hashtag ("#diolchiddewi").
_WELSH_CUES = tuple(
    sorted(
        cue + after
        for cue in word_set(
            "iawn diolch llongyfarchiadau croeso hapus gwych ardderchog campus "
            "annwyl helo haia bendigedig"
        )
        for after in ("", "i", "a", "gan", "o")
    )
)
_WELSH_HINTS = ("iawn", "diolch", "llongyf", "croeso", "hapus", "gwych", "ardderch",
                "campus", "annwyl", "helo", "haia", "bendig")  # fmt: skip
#: One name found inside a glued word: start, end, ids, kind, why.
_Found = tuple[int, int, frozenset[str], str, str]
#: How far around a name to look for an everyday word that contains it.
_REACH = 12
#: The longest word tried when reading a hashtag as words.
_LONGEST = 20
#: Glued runs longer than this are not read as words at all.
_LONGEST_RUN = 120
_NONE = float("inf")


class GluedRules(ScanBase):
    """Searches inside glued words for roster names."""

    #: the last glued word read as words: (word, prefix costs, suffix costs)
    _readings: tuple[str, list[float], list[float]] | None = None

    def _glued(self, i: int) -> tuple[Hit, int] | None:
        tok = self.tokens[i]
        if not tok.glued or len(tok.key) < 4:
            return None
        found = self._search_inside(tok.key)
        if not found:
            found = self._mutated_inside(tok.key)
        if not found:
            return None
        # Every name but the last is added here; the last is returned.
        hits = [
            Hit(tok.start + start, tok.start + end, ids, kind, why)
            for start, end, ids, kind, why in found
        ]
        self.hits.extend(hits[:-1])
        return hits[-1], i

    def _search_inside(self, key: str) -> list[_Found]:
        entries, lengths = self.index.entries, self.index.lengths
        starts = self.index.starts
        why = "a learner's name inside a hashtag, handle, address or file name"
        found: list[_Found] = []
        p = 0
        while p < len(key):
            if key[p : p + 2] not in starts:
                p += 1
                continue
            for length in lengths:
                sub = key[p : p + length]
                if len(sub) != length or sub not in entries:
                    continue
                # A learner's full name run together needs no other sign.
                full = self._full_inside(key, p + length, entries[sub])
                if full is not None:
                    end, ids = full
                    found.append((p, end, ids, "full", why))
                    p = end
                    break
                if self._plausible(key, p, sub):
                    entry = entries[sub]
                    ids = frozenset(entry.given | entry.family | entry.alias)
                    kind = "given" if entry.given else "family"
                    found.append((p, p + length, ids, kind, why))
                    p += length
                    break
            else:
                p += 1
        return found

    def _full_inside(
        self, key: str, at: int, first: Entry
    ) -> tuple[int, frozenset[str]] | None:
        """A family name of the same learner right after a given name."""
        givens = first.given | first.alias
        if not givens:
            return None
        entries = self.index.entries
        for length in self.index.lengths:
            sub = key[at : at + length]
            if len(sub) == length and sub in entries:
                ids = givens & entries[sub].family
                if ids:
                    return at + length, frozenset(ids)
        return None

    def _plausible(self, key: str, p: int, sub: str) -> bool:
        """Whether a name found inside a glued word is likely meant as a name."""
        end = p + len(sub)
        if p == 0 and end == len(key):
            return True
        if len(sub) > 2 and self._absorbed(key, p, end):
            return False
        cued = key[:p].endswith(_CUES)
        if sub in self.m.words or len(sub) <= 2:
            plausible = cued and end == len(key)
        elif cued or len(sub) >= 4 or p == 0 or end == len(key):
            plausible = True
        else:
            # "ffionwilliams": a short family name right after a given name.
            entries = self.index.entries
            plausible = any(key[q:p] in entries for q in range(max(0, p - 14), p - 2))
        return plausible and not self._read_as_words(key, p, end)

    def _read_as_words(self, key: str, start: int, end: int) -> bool:
        """Whether the word reads better as everyday words across the name.

        "#dramalife" is "drama" + "life", so "mali" is not meant; but
        "#welldonecerys" has no reading without "cerys", and "#sportsdaysam"
        reads as well with "sam" as without, so both keep the name. Very long
        runs are not read (fail closed: the name stays).
        """
        n = len(key)
        if n > _LONGEST_RUN:
            return False
        if self._readings is None or self._readings[0] != key:
            self._readings = (
                key,
                self._pieces(key),
                self._pieces(key[::-1], reverse=True),
            )
        _key, first, last = self._readings
        with_name = first[start] + 1 + last[n - end]
        return first[n] < with_name

    def _pieces(self, key: str, reverse: bool = False) -> list[float]:
        """Fewest words that spell each prefix of ``key`` (inf when none do)."""
        words, entries = self.m.segments, self.index.entries
        phrases = self.m.glued_phrases
        best: list[float] = [0.0] + [_NONE] * len(key)
        for i in range(1, len(key) + 1):
            for j in range(max(0, i - _LONGEST), i):
                if best[j] + 1 >= best[i]:
                    continue
                piece = key[j:i][::-1] if reverse else key[j:i]
                if piece in words or piece in entries or piece in phrases:
                    best[i] = best[j] + 1
        return best

    def _absorbed(self, key: str, start: int, end: int) -> bool:
        """Whether an everyday word covers ``key[start:end]`` and more."""
        absorb, phrases = self.m.absorb, self.m.glued_phrases
        for a in range(max(0, start - _REACH), start + 1):
            for b in range(end, min(len(key), a + _REACH + end - start) + 1):
                if (a, b) != (start, end) and (
                    key[a:b] in absorb or key[a:b] in phrases
                ):
                    return True
        return False

    def _mutated_inside(self, key: str) -> list[_Found]:
        """ "#daiawngerys": a mutated name after a Welsh cue in the same word."""
        if not any(hint in key for hint in _WELSH_HINTS):
            return []
        mutated = self.index.mutated
        for p in range(3, len(key)):
            if not key[:p].endswith(_WELSH_CUES):
                continue
            for length in self.index.mutated_lengths:
                sub = key[p : p + length]
                if (
                    len(sub) == length
                    and sub in mutated
                    and sub not in self.m.segments
                    and not self._absorbed(key, p, p + length)
                ):
                    ids = frozenset().union(*(f[0] for f in mutated[sub]))
                    why = "a learner's name with a Welsh mutation inside a hashtag"
                    return [(p, p + length, ids, "mutated", why)]
        return []
