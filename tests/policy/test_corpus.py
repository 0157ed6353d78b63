"""Scores on the public names corpus and on this project's own cases.

The public corpus is shared reference material, so its test is skipped when
it is absent. The own cases (data/own_cases.txt) use other roster names and
new sentences for every kind, to catch tuning to the public cases.
"""

from __future__ import annotations

import json

import pytest

from publisher.config import PACKAGE_POLICIES
from publisher.policy import NamesChecker, load_policy, load_roster
from tests.policy.casefile import CORPUS, PASS_KINDS, load_cases


def score(checker: NamesChecker, cases: list[dict]) -> dict[str, float]:
    """Verdict recall on block, false-block rate and name-span recall."""
    blocks = passes = hit = false_blocks = names = found = 0
    for case in cases:
        verdict = checker.judge(case["text"], (), has_images=True)
        spans = [(f.start, f.end) for f in verdict.findings]
        if case["expected"] == "block":
            blocks += 1
            hit += verdict.blocked
        else:
            passes += 1
            false_blocks += verdict.blocked
        for gold in case["names"]:
            names += 1
            found += any(_overlaps(p, (gold["start"], gold["end"])) for p in spans)
    return {
        "recall": hit / blocks,
        "false_block": false_blocks / passes,
        "span_recall": found / names,
    }


def _overlaps(pred: tuple[int, int], gold: tuple[int, int]) -> bool:
    overlap = min(pred[1], gold[1]) - max(pred[0], gold[0])
    return overlap > 0 and overlap >= 0.25 * max(1, pred[1] - pred[0])


@pytest.mark.skipif(not CORPUS.is_dir(), reason="names corpus not present")
def test_public_corpus_scores() -> None:
    checker = NamesChecker(
        load_roster(CORPUS / "roster.csv"),
        load_policy("images-no-names", PACKAGE_POLICIES),
    )
    lines = (CORPUS / "public.jsonl").read_text(encoding="utf-8").splitlines()
    cases = [json.loads(line) for line in lines if line.strip()]
    result = score(checker, cases)
    assert result["recall"] == 1.0
    assert result["false_block"] <= 0.05
    assert result["span_recall"] >= 0.98


@pytest.mark.skipif(not CORPUS.is_dir(), reason="names corpus not present")
def test_own_cases_scores() -> None:
    checker = NamesChecker(
        load_roster(CORPUS / "roster.csv"),
        load_policy("images-no-names", PACKAGE_POLICIES),
    )
    cases = load_cases()
    assert {c["kind"] for c in cases} >= PASS_KINDS
    result = score(checker, cases)
    assert result["recall"] == 1.0
    assert result["false_block"] <= 0.03
    assert result["span_recall"] >= 0.98


def test_own_cases_are_well_formed() -> None:
    for case in load_cases():
        assert (case["kind"] in PASS_KINDS) == (case["expected"] == "pass"), case["id"]
        for span in case["names"]:
            assert 0 <= span["start"] < span["end"] <= len(case["text"])
