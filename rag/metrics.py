"""Evaluation metrics as small pure functions (no I/O, no models).

Ranks are 1-based; `None` means "not retrieved".
"""

from __future__ import annotations

import math
from typing import Iterable, Sequence

from .gold import contains_quote


def first_relevant_rank(passages: Sequence[str], quotes: Sequence[str]) -> int | None:
    """Rank of the first passage that contains any evidence quote."""
    for rank, text in enumerate(passages, start=1):
        if any(contains_quote(text, q) for q in quotes):
            return rank
    return None


def hit_at(ranks: Sequence[int | None], k: int) -> float:
    return mean(1.0 if r is not None and r <= k else 0.0 for r in ranks)


def mrr_at(ranks: Sequence[int | None], k: int = 10) -> float:
    return mean(1.0 / r if r is not None and r <= k else 0.0 for r in ranks)


def evidence_recall(passages: Sequence[str], quotes: Sequence[str], k: int = 5) -> float:
    """Share of the evidence quotes found in the top-k passages."""
    if not quotes:
        return 0.0
    top = passages[:k]
    return sum(any(contains_quote(p, q) for p in top) for q in quotes) / len(quotes)


def missing(answer: str, must_include: Sequence[Sequence[str]]) -> list:
    """The any-of groups none of whose strings is in the answer (case-insensitive)."""
    low = answer.lower()
    return [group for group in must_include if not any(s.lower() in low for s in group)]


def answer_passes(answer: str, must_include: Sequence[Sequence[str]]) -> bool:
    """Every any-of group has at least one string in the answer."""
    return not missing(answer, must_include)


def exact_span(file_text: str, start: int, end: int, text: str) -> bool:
    return 0 <= start <= end <= len(file_text) and file_text[start:end] == text


def auc(positives: Sequence[float], negatives: Sequence[float]) -> float:
    """How often a positive scores above a negative, over every pair (a tie
    counts half): 0.5 is chance, 1.0 a perfect ranking; NaN without both."""
    if not positives or not negatives:
        return math.nan
    wins = sum((p > n) + 0.5 * (p == n) for p in positives for n in negatives)
    return wins / (len(positives) * len(negatives))


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100); NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def mean(values: Iterable[float]) -> float:
    values = list(values)
    return sum(values) / len(values) if values else math.nan
