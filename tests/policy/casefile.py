"""Read the project's own name cases (data/own_cases.txt) in corpus form."""

from __future__ import annotations

import os
import re
from pathlib import Path

HERE = Path(__file__).parent
OWN_CASES = HERE / "data" / "own_cases.txt"


def find_corpus() -> Path:
    """The shared names corpus: $PUBLISHER_NAMES_CORPUS, else beside the checkout.

    The path may not exist; callers skip then.
    """
    configured = os.environ.get("PUBLISHER_NAMES_CORPUS")
    if configured:
        return Path(configured)
    return HERE.parents[2] / "shared" / "corpus" / "names"


CORPUS = find_corpus()
BLOCK_KINDS_WITHOUT_NAMES: frozenset[str] = frozenset()
_MARK = re.compile(r"\[\[(.+?)\]\]|\{\{(.+?)\}\}", re.DOTALL)
_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})|\\n")
PASS_KINDS = frozenset(
    {
        "no_names",
        "word_common",
        "surname_word",
        "substring_trap",
        "mutation_trap",
        "place_event",
        "famous_name",
        "staff",
        "initials_only",
    }
)


def _unescape(text: str) -> str:
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)) if m.group(1) else "\n", text)


def parse_case(marked: str) -> tuple[str, list[dict[str, object]]]:
    """Strip the [[...]] and {{...}} marks; return the text and its gold spans."""
    marked = _unescape(marked)
    text, names, pos = "", [], 0
    for m in _MARK.finditer(marked):
        text += marked[pos : m.start()]
        inner = m.group(1) if m.group(1) is not None else m.group(2)
        start = len(text)
        text += inner
        names.append(
            {"start": start, "end": len(text), "offroster": m.group(2) is not None}
        )
        pos = m.end()
    return text + marked[pos:], names


def load_cases(path: Path = OWN_CASES) -> list[dict[str, object]]:
    """The cases as corpus-style dicts: id, text, field, kind, expected, names."""
    cases = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        kind, field, marked = line.split("|", 2)
        text, names = parse_case(marked)
        cases.append(
            {
                "id": f"own{number:03d}",
                "text": text,
                "field": "alt_text" if field == "a" else "caption",
                "kind": kind,
                "expected": "block" if names else "pass",
                "names": names,
            }
        )
    return cases
