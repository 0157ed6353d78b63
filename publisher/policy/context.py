"""Decide from context whether a name that is also a word is used as a name.

"Grace", "Will", "May", "Summer", "Seren", "Green" and "Stone" are names on
many rosters and everyday words everywhere. The decision reads the words
around the match and the way the text uses capitals; when nothing decides,
the answer is "unsure" and the checker blocks, saying why (fail closed).
"""

from __future__ import annotations

from publisher.policy import vocab
from publisher.policy.tokens import CaseMode, Token
from publisher.policy.vocab import word_set
from publisher.policy.welsh import is_welsh_word

__all__ = ["Decision", "PLACE_BEFORE", "after_cue", "decide_word"]

Decision = tuple[str, str]  # ("name" | "word" | "unsure", why)

_MONTHS = word_set("may june jun april apr august aug mai summer haf")
_MONTH_NEXT = word_set(
    "half term bank holiday holidays day fair fete st th nd rd morning "
    "evening week weekend"
)
_SEASON_AFTER = word_set(
    "here coming nearly finally almost over upon a an the when always just "
    "around near back arriving ending flying"
)
#: Words that are verbs or modals before a pronoun: "Will you", "Hope to".
_VERB_WORDS = word_set("will may hope mark bill grant can joy")
_VERB_NEXT = word_set(
    "you we they i he she it to not be have all everyone your our their the "
    "a an this that there"
)
#: Words before a name-word that make it a place or a class, not a person.
PLACE_BEFORE = word_set(
    "dosbarth class ysgol afon mount mynydd llyn lake loch river coed parc "
    "neuadd canolfan capel eglwys castell pont heol stryd ffordd plas nant cwm "
    "maes glan aber pen ty room team-name house"
)
_AND = frozenset({"and", "a", "ac", "&", "or", "neu", "with", "gyda", "efo", "ag"})
#: Words after "X and" that show X is a person ("Rich and the band").
_AND_PERSON = word_set(
    "the his her their friends friend family team classmates mum dad sister "
    "brother teammates partner pals"
)


def decide_word(
    tokens: list[Token],
    first: int,
    last: int,
    mode: CaseMode,
    is_name_at: dict[int, bool],
    looks_like_name: set[int],
) -> Decision:
    """Is the word-name at ``tokens[first:last+1]`` a name here?

    ``is_name_at`` holds the decisions already taken for earlier tokens;
    ``looks_like_name`` holds indices of tokens that match any name.
    """
    tok = tokens[first]
    prv = tokens[first - 1] if first > 0 and not tok.boundary else None
    nxt_i = last + 1
    nxt = tokens[nxt_i] if nxt_i < len(tokens) else None
    if nxt is not None and nxt.boundary:
        nxt = None
    key = tok.key

    if nxt is not None and nxt.key in vocab.FAMILY_NOUNS and prv is not None:
        return "name", f"'{key}' is followed by a word for a family"
    if prv is not None and after_cue(tokens, first):
        return "name", "it follows a greeting or praise such as 'well done'"
    if (
        prv is not None
        and prv.key in ("by", "gan")
        and first >= 2
        and tokens[first - 2].key in vocab.CREATIVE_NOUNS
    ):
        return "name", "it names who made something ('a poem by ...')"
    if key in _MONTHS and _month_context(tokens, first, prv, nxt):
        return "word", "it is a month or season here"
    if key in _MONTHS and nxt is not None and nxt.key in ("is", "was", "has"):
        after = tokens[last + 2] if last + 2 < len(tokens) else None
        if after is not None and after.key in _SEASON_AFTER:
            return "word", "it is a month or season here ('Summer is here')"
    if nxt is not None and nxt.key in vocab.VENUE_NOUNS and nxt.cap == tok.cap:
        return "word", "it names a place, event or thing with the next word"
    if prv is not None and prv.key in PLACE_BEFORE:
        return "word", "it is part of a place or class name"
    if (
        prv is not None
        and mode == "normal"
        and prv.cap
        and not prv.boundary
        and not is_name_at.get(first - 1, False)
        and prv.key not in vocab.NOT_A_NAME
    ):
        return "word", "it ends a longer proper name ('Albert Hall')"
    if mode == "normal" and not tok.cap and not tok.glued:
        return "word", "it is written in lower case in a text that uses capitals"
    if (
        prv is not None
        and prv.key in _AND
        and is_name_at.get(first - 2, False)
        and (tok.cap or mode != "normal")
    ):
        return "name", "it is listed with another name"
    if prv is not None and prv.key in vocab.DETERMINERS:
        return "word", "it follows an article or possessive"
    if key in _VERB_WORDS and (
        (nxt is not None and nxt.key in _VERB_NEXT)
        or (prv is not None and prv.key in vocab.PRONOUNS)
    ):
        return "word", "it is used as a verb here"
    if nxt is not None and nxt.key in ("y", "yr") and nxt.sep == " ":
        return "word", "it is a Welsh noun before an article"
    return _person_context(
        tokens, first, last, mode, prv, nxt, is_name_at, looks_like_name
    )


def _person_context(
    tokens: list[Token],
    first: int,
    last: int,
    mode: CaseMode,
    prv: Token | None,
    nxt: Token | None,
    is_name_at: dict[int, bool],
    looks_like_name: set[int],
) -> Decision:
    tok = tokens[first]
    if nxt is not None and nxt.key == "s" and nxt.sep in ("'", ""):
        return "name", "it has a possessive 's"
    if nxt is not None and _is_person_verb(nxt):
        return "name", "a verb follows, as after a person"
    if nxt is not None and nxt.key in _AND:
        after = tokens[last + 2] if last + 2 < len(tokens) else None
        if after is not None and not after.boundary:
            if (last + 2) in looks_like_name and (after.cap or mode != "normal"):
                return "name", "it is listed with another name"
            if after.key in _AND_PERSON or (after.key == "i" and after.sep == "'"):
                return "name", "it is followed by 'and' and people"
            if not after.cap:
                return "word", "it is joined to another common noun"
    if prv is not None and (prv.key in _AND or prv.sep.strip() == ","):
        before = first - 2 if prv.key in _AND else first - 1
        if prv.sep.strip() == "," and prv.key not in _AND:
            before = first - 1
        if is_name_at.get(before, False):
            return "name", "it is listed with another name"
    if tok.cap and mode == "normal" and not tok.boundary and not tok.glued:
        if (
            nxt is not None
            and nxt.cap
            and nxt.key not in vocab.NOT_A_NAME
            and (last + 1) not in looks_like_name
        ):
            return "word", "it starts a longer proper name"
        return "name", "it has a capital letter in the middle of a sentence"
    if mode == "normal" and nxt is not None and nxt.cap and last + 2 < len(tokens):
        after = tokens[last + 2]
        if after.cap and not after.boundary and (last + 2) not in looks_like_name:
            return "word", "it starts a longer proper name"
    if (
        nxt is not None
        and nxt.cap
        and mode == "normal"
        and (last + 1) not in looks_like_name
        and (nxt.key in vocab.common_words() or nxt.key in vocab.INSTITUTION_NOUNS)
    ):
        return "word", "it starts the name of a company or team ('Sky Sports')"
    if nxt is not None and not nxt.cap and not nxt.number:
        key = nxt.key
        if key.endswith("ing") and len(key) > 4 and key not in _ING_NOUNS:
            return "name", "a verb follows, as after a person"
        if _placed_like_a_person(tokens, first, last, nxt):
            return "name", (
                f"'{key}' follows, as in a caption about a person ('Jack on the slide')"
            )
        if not tok.glued:
            return "word", "it is followed by a noun it describes"
    return "unsure", "it could be the word or the name and nothing around it decides"


#: Words ending in -ing that are nouns, not what a person is doing.
_ING_NOUNS = word_set(
    "warning morning evening building wedding clothing ceiling meeting feeling "
    "ending opening outing setting gathering pudding dumpling icing filling "
    "lightning duckling earring sibling stuffing offering"
)
#: Virtues that are also given names.
_VIRTUES = word_set(
    "hope faith joy grace charity patience mercy peace love harmony unity "
    "liberty honour honor justice serenity verity felicity prudence"
)
#: What follows "Hope in" or "Faith in" when the virtue is meant.
_ABSTRACT_AFTER_IN = word_set(
    "every each all action practice our your their everything everyone "
    "abundance mind god humanity ourselves yourself yourselves"
)
#: Welsh prepositions after a learner ("Jac ar y siglen").
_WELSH_NEXT = word_set("ar gyda efo wrth ger mewn hefyd")
#: The last words of the cue phrases, to rule most words out at once.
_CUE_ENDS = frozenset(cue[-1] for cue in vocab.PERSON_CUES)


def _placed_like_a_person(
    tokens: list[Token], first: int, last: int, nxt: Token
) -> bool:
    """ "Jack on the slide", "Seren in the garden": where a learner is.

    Welsh prepositions count only for names that are no Welsh word ("Jac ar
    y siglen", but "Eira ar y mynydd" is snow on the mountain), and a virtue
    before "in" and an abstract word is the virtue ("Hope in every classroom",
    "Faith in action"); "Grace in the garden" is a learner.
    """
    key, name = nxt.key, tokens[first].key
    if key in vocab.NAME_NEXT:
        if key == "in" and name in _VIRTUES:
            after = tokens[last + 2] if last + 2 < len(tokens) else None
            return after is None or after.key not in _ABSTRACT_AFTER_IN
        return True
    return key in _WELSH_NEXT and not is_welsh_word(name)


def after_cue(tokens: list[Token], first: int) -> bool:
    """Whether the words just before ``tokens[first]`` introduce a person."""
    prv = tokens[first - 1]
    if prv.key in vocab.VOCATIVE_CUES or prv.key in vocab.ROLE_NOUNS:
        return True
    if prv.sep.strip() in (",", "") and _vocative_end(tokens, first):
        return True
    if prv.key in _CUE_ENDS:
        for length in (4, 3, 2, 1):
            start = first - length
            if start < 0:
                continue
            words = tuple(t.key for t in tokens[start:first])
            if words in vocab.PERSON_CUES:
                return True
    return (
        prv.key == "to"
        and first >= 2
        and tokens[first - 2].key
        in (
            "congratulations",
            "congrats",
            "done",
            "thanks",
            "birthday",
        )
    )


def _vocative_end(tokens: list[Token], first: int) -> bool:
    """ "Welcome to Year 3, X!": a greeting, a comma, then a word ending it."""
    tok = tokens[first]
    if tok.sep.strip() != ",":
        return False
    nxt = tokens[first + 1] if first + 1 < len(tokens) else None
    if nxt is not None and not nxt.boundary:
        return False
    for earlier in reversed(tokens[max(0, first - 6) : first]):
        if earlier.key in vocab.VOCATIVE_CUES:
            return True
        if earlier.boundary:
            break
    return False


def _month_context(
    tokens: list[Token], first: int, prv: Token | None, nxt: Token | None
) -> bool:
    if nxt is not None and (nxt.number or nxt.key in _MONTH_NEXT):
        return True
    if prv is None:
        return False
    if prv.number or prv.key in vocab.MONTH_WORDS:
        return True
    before = tokens[first - 2] if first >= 2 else None
    if prv.key == "of":
        # "the end of May" is a date; "a photo of May" is a person.
        return before is not None and (before.number or before.key in vocab.MONTH_OF)
    if prv.key == "from":
        return nxt is not None and nxt.key in ("to", "until", "till", "onwards")
    return False


def _is_person_verb(tok: Token) -> bool:
    if tok.cap and not tok.boundary:
        return False
    key = tok.key
    if key in vocab.PERSON_VERBS:
        return key not in ("and", "with")
    return len(key) > 4 and key.endswith("ed")
