"""Judge a post under a names policy: findings, consent, acknowledgements.

Besides names, a text holding invisible direction overrides (LRE, RLE, PDF,
LRO, RLO) is blocked under the rule "direction-controls": they reorder what a
reader sees and can hide a name from any checker.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

from publisher.models import Finding, Verdict
from publisher.policy.index import NameIndex
from publisher.policy.matcher import Hit, Matcher
from publisher.policy.normalise import BIDI_OVERRIDES
from publisher.policy.policyfile import Policy
from publisher.policy.roster import Roster

__all__ = ["NamesChecker"]

logger = logging.getLogger(__name__)

#: Other spellings of a channel name that a roster's consent column may use.
_CHANNEL_ALIASES = {
    "twitter": "x",
    "fb": "facebook",
    "ig": "instagram",
    "insta": "instagram",
    "bsky": "bluesky",
    "toot": "mastodon",
}
_FULL_KINDS = frozenset({"full", "initials"})
_BIDI_RULE = "direction-controls"
_BIDI = re.compile(f"[{BIDI_OVERRIDES}]")

_RULE_TEXT = {
    "images-no-names": "A post with learner images may not name a learner.",
    "names-no-images": "A post that names a learner may not carry images.",
}
_ADVICE = {
    "images-no-names": (
        "Remove the name or the images; if this is not a learner, acknowledge "
        "the finding with a reason."
    ),
    "names-no-images": (
        "Remove the images, or remove the name; if this is not a learner, "
        "acknowledge the finding with a reason."
    ),
}


class NamesChecker:
    """Checks captions and alt texts against one roster and one policy."""

    def __init__(self, roster: Roster, policy: Policy) -> None:
        self.roster = roster
        self.policy = policy
        self.matcher = Matcher(
            NameIndex.build(roster),
            policy.titles,
            policy.public_figures + policy.places_events,
        )
        self._ids = frozenset(x.learner_id for x in roster.learners)

    def find_names(self, text: str, field: str = "caption") -> list[Finding]:
        """Every likely name in ``text`` as a finding for ``field``."""
        findings: list[Finding] = []
        seen: set[tuple[int, int]] = set()
        ignore_offroster = self.policy.off_roster == "ignore"
        for norm, hits in self.matcher.find_views(text):
            for hit in hits:
                if ignore_offroster and hit.kind == "offroster":
                    continue
                start, end = norm.span(hit.start, hit.end)
                if (start, end) in seen:
                    continue
                seen.add((start, end))
                findings.append(self._finding(field, start, end, text[start:end], hit))
        if text.isascii():
            return findings  # one view, already in text order
        findings.extend(_direction_controls(text, field))
        return sorted(findings, key=lambda f: (f.start, f.end))

    def _finding(
        self, field: str, start: int, end: int, matched: str, hit: Hit
    ) -> Finding:
        policy = self.policy
        blocking = True
        if hit.kind == "offroster":
            blocking = policy.off_roster == "block"
        elif policy.strictness == "full" and hit.kind not in _FULL_KINDS and hit.sure:
            blocking = False
        reason = f"Looks like {hit.why}. {_RULE_TEXT[policy.rule]}"
        advice = _ADVICE[policy.rule]
        if not hit.sure:
            advice = (
                "If the word is not used as a name here, acknowledge the finding "
                "with a reason; otherwise " + advice[0].lower() + advice[1:]
            )
        elif hit.kind == "offroster":
            reason = (
                f"Looks like {hit.why}; it may be a new or unlisted learner. "
                + _RULE_TEXT[policy.rule]
            )
        return Finding(
            field=field,
            start=start,
            end=end,
            matched=matched,
            learner_ids=tuple(sorted(hit.ids)),
            rule=policy.rule,
            reason=reason,
            advice=advice,
            blocking=blocking,
        )

    def judge(
        self,
        caption: str,
        alt_texts: Sequence[str],
        *,
        has_images: bool,
        pictured: Sequence[str] = (),
        targets: Sequence[str] = (),
        acknowledged: Sequence[str] = (),
    ) -> Verdict:
        """The policy's verdict on a whole post.

        Names only block when the post carries images (both rules say so;
        they differ in the advice). A pictured learner without consent for a
        target channel blocks under the rule "consent".
        """
        findings = self.find_names(caption, "caption")
        for number, alt in enumerate(alt_texts, start=1):
            findings.extend(self.find_names(alt, f"alt_text[{number}]"))
        if not has_images:
            findings = [_not_blocking(f) for f in findings]
        else:
            findings.extend(self._consent(pictured, targets))
        verdict = Verdict(
            policy=self.policy.name,
            findings=tuple(findings),
            acknowledged=tuple(acknowledged),
        )
        if logger.isEnabledFor(logging.INFO):
            logger.info(
                "names check: %d findings, %d blocking, %d acknowledged",
                len(findings),
                len(verdict.blocking),
                len(acknowledged),
            )
        return verdict

    def _consent(
        self, pictured: Sequence[str], targets: Sequence[str]
    ) -> list[Finding]:
        findings = []
        for target in targets:
            channel = _channel(target)
            if channel not in self.roster.channels:
                continue
            for learner_id in pictured:
                if learner_id in self._ids and self.roster.consent(learner_id, channel):
                    continue
                why = (
                    "is not on the roster, so consent cannot be checked"
                    if learner_id not in self._ids
                    else f"has no consent recorded for {target}"
                )
                findings.append(
                    Finding(
                        field=f"consent:{channel}:{learner_id}",
                        start=0,
                        end=0,
                        matched="",
                        learner_ids=(learner_id,),
                        rule="consent",
                        reason=f"Learner {learner_id} is pictured but {why}.",
                        advice=(
                            f"Remove this learner's images or do not post to "
                            f"{target}; update the roster if consent was given."
                        ),
                    )
                )
        return findings


def _direction_controls(text: str, field: str) -> list[Finding]:
    """One finding over the text between the first and last direction override."""
    if _BIDI.search(text) is None:
        return []
    where = [i for i, c in enumerate(text) if c in BIDI_OVERRIDES]
    start, end = where[0], where[-1] + 1
    return [
        Finding(
            field=field,
            start=start,
            end=end,
            matched=text[start:end],
            learner_ids=(),
            rule=_BIDI_RULE,
            reason=(
                f"The {field} holds {len(where)} invisible direction-control "
                "characters (U+202A to U+202E). They change the order in which "
                "letters are shown, so they can hide a learner's name from this "
                "check."
            ),
            advice=(
                "Remove the invisible direction-control characters (retype the "
                "text, or paste it as plain text) and check again."
            ),
        )
    ]


def _channel(target: str) -> str:
    key = "".join(c for c in target.lower() if c.isalnum())
    return _CHANNEL_ALIASES.get(key, key)


def _not_blocking(finding: Finding) -> Finding:
    from dataclasses import replace

    return replace(finding, blocking=False)
