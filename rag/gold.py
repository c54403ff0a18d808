"""Gold questions: loading, validating, and locating evidence in the corpus.

The shape follows sentence-transformers' evaluators: queries (question +
history), a corpus (the seed files) and, per query, the relevant evidence
(verbatim quotes). A passage is relevant when it contains a quote.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from .errors import GoldFormatError

_FOLD = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "−": "-", "\u00a0": " "})


def fold(text: str) -> str:
    """Normalise curly quotes, dashes and whitespace; keep case."""
    return re.sub(r"\s+", " ", text.translate(_FOLD)).strip()


@dataclass(frozen=True)
class Evidence:
    doc: str
    quote: str


# The kinds of question the blind sets are written in. An item says its kind
# in an optional "kind" field, or in its id ("b5-list-central-asia").
KINDS = ("fact", "list", "compare", "para", "paraphrase", "number", "people", "who", "why", "followup",
         "twosentence", "nearmiss", "outside")
_SAME_KIND = {"para": "paraphrase", "who": "people"}  # two batches' words for one kind


@dataclass(frozen=True)
class GoldItem:
    id: str
    question: str
    history: tuple[tuple[str, str], ...]
    answerable: bool
    answer: str
    must_include: tuple[tuple[str, ...], ...]
    evidence: tuple[Evidence, ...]
    kind: str = ""  # one of KINDS, or "" when the item does not say


def kind_of(obj: dict) -> str:
    """The item's kind: its "kind" field, else the second word of an id
    shaped "<set>-<kind>-<name>" when that is one of KINDS."""
    if isinstance(obj.get("kind"), str) and obj["kind"].strip():
        kind = obj["kind"].strip()
        return _SAME_KIND.get(kind, kind)  # "who" said outright is "people" too
    words = obj["id"].split("-")
    kind = words[1] if len(words) >= 3 and words[1] in KINDS else ""
    return _SAME_KIND.get(kind, kind)


def _fail(path, lineno, why):
    raise GoldFormatError(f"{path}, line {lineno}: {why}")


def parse_item(obj, path="gold", lineno=0) -> GoldItem:
    if not isinstance(obj, dict):
        _fail(path, lineno, "expected a JSON object")
    for key, kind in (("id", str), ("question", str), ("answerable", bool)):
        if not isinstance(obj.get(key), kind):
            _fail(path, lineno, f"field '{key}' must be a {kind.__name__}")
    if not obj["question"].strip():
        _fail(path, lineno, "field 'question' is empty")
    history = obj.get("history") or []
    if not isinstance(history, list) or not all(
        isinstance(t, list) and len(t) == 2 and all(isinstance(x, str) for x in t) for t in history
    ):
        _fail(path, lineno, "field 'history' must be a list of [user, bot] string pairs")
    must = obj.get("must_include") or []
    if not isinstance(must, list) or not all(
        isinstance(g, list) and g and all(isinstance(x, str) for x in g) for g in must
    ):
        _fail(path, lineno, "field 'must_include' must be a list of non-empty lists of strings")
    evidence = obj.get("evidence") or []
    if not isinstance(evidence, list) or not all(
        isinstance(e, dict) and isinstance(e.get("doc"), str) and isinstance(e.get("quote"), str) and e["quote"].strip()
        for e in evidence
    ):
        _fail(path, lineno, "field 'evidence' must be a list of {doc, quote} objects")
    if obj["answerable"] and not evidence:
        _fail(path, lineno, "an answerable question needs at least one evidence quote")
    return GoldItem(
        id=obj["id"], question=obj["question"], history=tuple(tuple(t) for t in history),
        answerable=obj["answerable"], answer=obj.get("answer", "") or "",
        must_include=tuple(tuple(g) for g in must),
        evidence=tuple(Evidence(e["doc"], e["quote"]) for e in evidence), kind=kind_of(obj),
    )


def load_gold(path: Path) -> list[GoldItem]:
    """Every item of a JSONL gold file; GoldFormatError names the bad line."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise GoldFormatError(f"cannot read gold file {path}: {e}") from e
    items, ids = [], set()
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError as e:
            _fail(path, lineno, f"not valid JSON ({e.msg} at column {e.colno})")
        item = parse_item(obj, path, lineno)
        if item.id in ids:
            _fail(path, lineno, f"duplicate id {item.id!r}")
        ids.add(item.id)
        items.append(item)
    if not items:
        raise GoldFormatError(f"gold file {path} has no questions")
    return items


def find_quote(file_text: str, quote: str) -> tuple[int, int] | None:
    """Span of `quote` in `file_text`, matching modulo quotes/dashes/whitespace."""
    at = file_text.find(quote)
    if at >= 0:
        return at, at + len(quote)
    # Map folded text back to original offsets, character by character.
    folded, origin = [], []
    prev_space = False
    for i, ch in enumerate(file_text):
        ch = ch.translate(_FOLD)
        if ch.isspace():
            if prev_space:
                continue
            ch, prev_space = " ", True
        else:
            prev_space = False
        folded.append(ch)
        origin.append(i)
    target = fold(quote)
    at = "".join(folded).find(target)
    if at < 0:
        return None
    return origin[at], origin[at + len(target) - 1] + 1


def contains_quote(passage: str, quote: str) -> bool:
    return fold(quote) in fold(passage)


def label(item: GoldItem, texts: Sequence[tuple[str, str]]) -> np.ndarray:
    """1 for each (candidate, its own sentence) that holds an evidence quote,
    or whose sentence lies inside one (a quote spanning two sentences)."""
    quotes = [fold(e.quote) for e in item.evidence] if item.answerable else []
    return np.array([any(q in fold(t) or (len(s) >= 40 and fold(s) in q) for q in quotes) for t, s in texts],
                    dtype=int)
