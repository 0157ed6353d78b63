"""Verdicts: rules, alt texts, consent, acknowledgements and explanations."""

from __future__ import annotations

from dataclasses import replace

import pytest

from publisher.config import PACKAGE_POLICIES
from publisher.policy import NamesChecker, Policy, Roster, load_policy


def test_names_block_only_with_images(checker: NamesChecker) -> None:
    with_images = checker.judge("Well done Catrin!", [], has_images=True)
    assert with_images.blocked
    without = checker.judge("Well done Catrin!", [], has_images=False)
    assert not without.blocked
    assert len(without.findings) == 1  # still reported, just not blocking


def test_a_clean_post_passes(checker: NamesChecker) -> None:
    verdict = checker.judge(
        "A lovely day at the beach.", ["Pupils paddling."], has_images=True
    )
    assert not verdict.blocked
    assert verdict.findings == ()
    assert verdict.policy == "images-no-names"


def test_alt_texts_are_numbered_from_one(checker: NamesChecker) -> None:
    verdict = checker.judge(
        "Sports day!", ["Children running.", "Tegan with a medal."], has_images=True
    )
    (finding,) = verdict.findings
    assert finding.field == "alt_text[2]"
    assert finding.key.startswith("alt_text[2]:0-5")


def test_finding_explains_itself(checker: NamesChecker) -> None:
    (finding,) = checker.judge("Well done Catrin!", [], has_images=True).findings
    assert finding.matched == "Catrin"
    assert finding.learner_ids == ("T001",)
    assert finding.rule == "images-no-names"
    assert finding.reason.endswith("A post with learner images may not name a learner.")
    assert "Remove the name or the images" in finding.advice
    assert "acknowledge" in finding.advice


def test_names_no_images_gives_the_mirror_advice(roster: Roster) -> None:
    checker = NamesChecker(roster, load_policy("names-no-images", PACKAGE_POLICIES))
    verdict = checker.judge("Well done Catrin!", [], has_images=True)
    assert verdict.blocked
    (finding,) = verdict.findings
    assert finding.rule == "names-no-images"
    assert finding.advice.startswith("Remove the images")
    assert "may not carry images" in finding.reason
    assert not checker.judge("Well done Catrin!", [], has_images=False).blocked


def test_acknowledged_findings_do_not_block(checker: NamesChecker) -> None:
    first = checker.judge("Well done Catrin and Tegan!", [], has_images=True)
    keys = [f.key for f in first.findings]
    assert [k.split(":")[1] for k in keys] == ["10-16", "21-26"]
    partly = checker.judge(
        "Well done Catrin and Tegan!", [], has_images=True, acknowledged=keys[:1]
    )
    assert partly.blocked
    assert [f.key for f in partly.blocking] == keys[1:]
    fully = checker.judge(
        "Well done Catrin and Tegan!", [], has_images=True, acknowledged=keys
    )
    assert not fully.blocked


def test_strictness_full_lets_a_lone_given_name_through(
    roster: Roster, policy: Policy
) -> None:
    checker = NamesChecker(roster, replace(policy, strictness="full"))
    assert not checker.judge("Well done Catrin!", [], has_images=True).blocked
    assert checker.judge("Well done Catrin Jones!", [], has_images=True).blocked
    assert checker.judge("Well done C. Jones!", [], has_images=True).blocked


@pytest.mark.parametrize(
    ("setting", "blocked", "count"),
    [("block", True, 1), ("warn", False, 1), ("ignore", False, 0)],
)
def test_off_roster_handling(
    roster: Roster, policy: Policy, setting: str, blocked: bool, count: int
) -> None:
    checker = NamesChecker(roster, replace(policy, off_roster=setting))
    verdict = checker.judge("Welcome to our new starter Zebedee!", [], has_images=True)
    assert verdict.blocked is blocked
    assert len(verdict.findings) == count


def test_consent_blocks_a_pictured_learner_without_consent(
    checker: NamesChecker,
) -> None:
    verdict = checker.judge(
        "A great day out!", [], has_images=True, pictured=["T001"], targets=["facebook"]
    )
    (finding,) = verdict.findings
    assert finding.rule == "consent"
    assert finding.learner_ids == ("T001",)
    assert "facebook" in finding.reason
    assert verdict.blocked


def test_consent_given_or_not_tracked_passes(checker: NamesChecker) -> None:
    ok = checker.judge("Fun!", [], has_images=True, pictured=["T001"], targets=["x"])
    assert not ok.blocked
    untracked = checker.judge(
        "Fun!", [], has_images=True, pictured=["T001"], targets=["bluesky"]
    )
    assert not untracked.blocked


def test_consent_channel_aliases_and_unknown_learners(checker: NamesChecker) -> None:
    twitter = checker.judge(
        "Fun!", [], has_images=True, pictured=["T003"], targets=["Twitter"]
    )
    assert not twitter.blocked  # twitter is read as x, where T003 consents
    stranger = checker.judge(
        "Fun!", [], has_images=True, pictured=["Z999"], targets=["x"]
    )
    assert stranger.blocked
    assert "not on the roster" in stranger.findings[0].reason


def test_consent_findings_can_be_acknowledged(checker: NamesChecker) -> None:
    verdict = checker.judge(
        "Fun!", [], has_images=True, pictured=["T001", "T003"], targets=["facebook"]
    )
    keys = [f.key for f in verdict.findings]
    assert len(set(keys)) == 2
    again = checker.judge(
        "Fun!",
        [],
        has_images=True,
        pictured=["T001", "T003"],
        targets=["facebook"],
        acknowledged=keys,
    )
    assert not again.blocked


def test_empty_roster_still_flags_likely_names(policy: Policy) -> None:
    checker = NamesChecker(Roster.empty(), policy)
    assert checker.judge("Happy birthday Zebedee!", [], has_images=True).blocked
    assert not checker.judge("A sunny day.", [], has_images=True).blocked
