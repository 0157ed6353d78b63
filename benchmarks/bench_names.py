"""Speed of the names checker: roster loading and captions per second.

Usage: python benchmarks/bench_names.py [--learners 2000] [--captions 20000]
       [--rounds 3]

Builds a synthetic roster (combinations of given and family names), times
loading it and building the checker, then times checking captions on one
core, over several passes (best and median; the machine is shared). The
captions are the public names corpus (when present) and the project's own
test cases, repeated. For reference it also times the corpus's
baseline substring matcher on the same roster and captions, when the corpus
is present. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from publisher.config import PACKAGE_POLICIES  # noqa: E402
from publisher.policy import NamesChecker, load_policy, load_roster  # noqa: E402
from publisher.policy.vocab import given_names  # noqa: E402

CORPUS = Path(
    os.environ.get("PUBLISHER_NAMES_CORPUS")
    or ROOT.parent / "shared" / "corpus" / "names"
)
OWN_CASES = ROOT / "tests" / "policy" / "data" / "own_cases.txt"
FAMILIES: tuple[str, ...] = (
    "Jones", "Williams", "Davies", "Evans", "Thomas", "Roberts", "Lewis", "Hughes",
    "Morgan", "Griffiths", "Edwards", "Price", "Lloyd", "Owen", "Rees", "Jenkins",
    "Phillips", "Parry", "Pritchard", "Powell", "Smith", "Brown", "Taylor",
    "Wilson", "Johnson", "Walker", "Wright", "Robinson", "Thompson", "White",
    "Hall", "Green", "Wood", "Clarke", "Patel", "Khan", "Begum", "Ali", "Hussain",
    "Ahmed", "Singh", "Kaur", "Nowak", "Kowalski", "Wiśniewski", "Chen", "Wang",
    "Li", "Zhang", "Nguyen", "Tran", "Okafor", "Mensah", "Adeyemi", "O'Brien",
    "Murphy", "Kelly", "Byrne", "McCarthy", "ap Dafydd", "Ní Bhriain",
    "Smith-Jones", "El-Masri", "Boateng", "Diallo", "Iyer", "Menon", "Nair",
    "Haddad", "Mansour",
)  # fmt: skip


def synthetic_roster(path: Path, learners: int, seed: int = 7) -> None:
    """Write a roster of invented learners in the corpus format."""
    rng = random.Random(seed)
    givens = sorted(given_names())
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(
            ["learner_id", "given_name", "family_name", "preferred_name", "year_group"]
        )
        for n in range(learners):
            given = rng.choice(givens).title()
            out.writerow([f"S{n:05d}", given, rng.choice(FAMILIES), "", "Year 3"])


def captions() -> list[str]:
    """Realistic captions: the public corpus and the project's own cases."""
    texts: list[str] = []
    public = CORPUS / "public.jsonl"
    if public.exists():
        lines = public.read_text(encoding="utf-8").splitlines()
        texts += [json.loads(line)["text"] for line in lines if line.strip()]
    if OWN_CASES.exists():
        sys.path.insert(0, str(ROOT))
        from tests.policy.casefile import load_cases

        texts += [str(case["text"]) for case in load_cases(OWN_CASES)]
    return texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=2000)
    parser.add_argument("--captions", type=int, default=20000)
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="timed passes over the captions (best and median are printed)",
    )
    args = parser.parse_args()
    texts = captions()
    batch = (texts * (args.captions // len(texts) + 1))[: args.captions]
    with tempfile.TemporaryDirectory() as tmp:
        roster_path = Path(tmp) / "roster.csv"
        synthetic_roster(roster_path, args.learners)

        started = time.perf_counter()
        roster = load_roster(roster_path)
        loaded = time.perf_counter()
        checker = NamesChecker(roster, load_policy("images-no-names", PACKAGE_POLICIES))
        built = time.perf_counter()
        print(f"roster: {len(roster.learners)} learners")
        print(f"load roster CSV:       {loaded - started:.3f} s")
        print(f"build checker index:   {built - loaded:.3f} s")
        print(f"load + build total:    {built - started:.3f} s")

        checker.find_names("warm-up caption for caches")
        findings = sum(len(checker.find_names(text)) for text in batch)
        print(f"{findings} findings in {len(batch)} captions")
        _rate("find_names", batch, args.rounds, checker.find_names)
        _rate("judge", batch, args.rounds, _judge_caption(checker))
        _worst_cases(checker)
        _baseline(roster_path, texts, Path(tmp))


def _worst_cases(checker: NamesChecker) -> None:
    """Long hostile inputs must stay linear: print how long each takes."""
    cases = {
        "10,000 chars of 'a.a.a'": "a." * 5000 + "/",
        "16,000 chars of 'a_a_a' + .jpg": "a_" * 8000 + ".jpg",
        "12,000-char hashtag": "#" + "catrin" * 2000,
        "17,000-char caption": "Well done Catrin Jones and Tomos! " * 500,
        "10,000 chars of leetspeak 'C3C3'": "C3" * 5000,
        "9,000 chars of emoji inside words": "Ca🏆" * 3000,
        "10,000 chars of upside-down letters": "uᴉɹʇɐƆ " * 1430,
    }
    for label, text in cases.items():
        started = time.perf_counter()
        checker.find_names(text)
        print(f"worst case, {label}: {time.perf_counter() - started:.3f} s")


def _judge_caption(checker: NamesChecker) -> Callable[[str], object]:
    def judge(text: str) -> object:
        return checker.judge(text, (), has_images=True)

    return judge


def _rate(
    label: str, batch: list[str], rounds: int, check: Callable[[str], object]
) -> None:
    """Print captions per second of CPU time: best and median of ``rounds``.

    CPU time is the one-core speed; the machine is shared, so one pass can be
    slowed by other work, which is why several passes are timed.
    """
    rates = []
    for _ in range(max(1, rounds)):
        cpu = time.process_time()
        for text in batch:
            check(text)
        rates.append(len(batch) / (time.process_time() - cpu))
    print(
        f"{label}: {len(batch)} captions x {len(rates)} passes, "
        f"best {max(rates):,.0f}/s, median {statistics.median(rates):,.0f}/s "
        "(CPU time, one core)"
    )


def _baseline(roster_path: Path, texts: list[str], tmp: Path) -> None:
    script = CORPUS / "baseline_substring.py"
    if not script.exists():
        print("baseline: corpus not found, skipped")
        return
    sample = (texts * (2000 // len(texts) + 1))[:2000]
    corpus = tmp / "captions.jsonl"
    with corpus.open("w", encoding="utf-8") as fh:
        for n, text in enumerate(sample):
            fh.write(json.dumps({"id": str(n), "text": text}) + "\n")
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, str(script), str(roster_path), str(corpus)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    elapsed = time.perf_counter() - started
    print(
        f"baseline_substring.py (same roster, {len(sample)} captions, "
        f"incl. start-up): {len(sample) / elapsed:,.0f} captions/s"
    )


if __name__ == "__main__":
    main()
