"""How each platform counts the length of a post's text.

X weighs characters: most Latin, Greek, Cyrillic and punctuation count 1,
CJK characters and emoji count 2, and every URL counts 23 whatever its
length. The counting comes from ``twitter-text-parser``, a port of X's own
twitter-text rules (configuration v3), which also normalises the text to NFC
first as X does.
"""

from __future__ import annotations

from dataclasses import dataclass

from twitter_text import parse_tweet
from twitter_text.has_invalid_characters import has_invalid_characters

#: X's limit in weighted characters for accounts without a longer-post plan.
X_MAX_WEIGHTED_LENGTH = 280


@dataclass(frozen=True)
class XTextLength:
    """The weighted length of a text and whether X would accept it."""

    weighted: int
    has_invalid_characters: bool

    @property
    def fits(self) -> bool:
        return (
            self.weighted <= X_MAX_WEIGHTED_LENGTH and not self.has_invalid_characters
        )


def x_text_length(text: str) -> XTextLength:
    """Measure ``text`` the way X does."""
    if not text:
        return XTextLength(weighted=0, has_invalid_characters=False)
    parsed = parse_tweet(text)
    return XTextLength(
        weighted=parsed.weightedLength,
        has_invalid_characters=has_invalid_characters(text),
    )


def plain_length(text: str) -> int:
    """Length in Unicode code points, as Facebook documents its text limit."""
    return len(text)
