"""Check a generated answer sentence by sentence against its citations.

A small model cites the wrong passage, invents a number, or writes a
sentence with no citation at all. Nothing it writes reaches the user
unchecked:

1. parse `[n]` markers; a number that points at no passage (including
   `[0]`, which must never wrap around to the last passage) is dropped;
2. each sentence must be supported by a passage it cites: every number and
   name of the sentence appears in the passage, most of its key terms do
   (support.claim_supported), and it is close in meaning to one sentence of
   the passage (MiniLM similarity above a calibrated threshold);
3. a sentence its own citations don't support but another given passage
   does is re-cited to that passage; one that nothing supports is removed;
4. if the model left out the strongest source sentence (the one a quoted
   answer would lead with), it is added, cited;
5. the surviving citations are renumbered 1..n in order of first use, each
   pointing at the passage and the sentence that supports the claim.

An answer with nothing left, one that only refuses (abstention is decided
before the model runs), or one that lacks the kind of fact asked for (a
number for "how many") comes back without citations, and answer_stream
falls back to the quoted answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from .compose import make_citation
from .features import one_word_names
from .chunk import split_sentences
from .index import Index
from .records import Answer, Hit, Scored, Span
from .lexical import tokenize
from .question import answer_type, type_matches
from .support import claim_supported, claim_text, coverage, idf, names_in, near_duplicate, sentence_vector

# Calibrated on the gold set (README "Answers"): the least MiniLM similarity
# between a generated sentence and the passage sentence it rests on.
CLAIM_SIMILARITY = 0.55
# A true sentence that does not address the question ("crude oil" for "and
# coal?") is not part of the answer: it must share key terms with the
# question or be close to it in meaning.
RELEVANCE_COVERAGE = 0.25
RELEVANCE_SIMILARITY = 0.45
MAX_SENTENCES = 3

_MARKERS = re.compile(r"\[\s*(\d+(?:\s*[,;]\s*\d+)*)\s*\]")
_TRAILING_MARKERS = re.compile(r"([.!?])\s*((?:\[\s*\d[\d\s,;]*\]\s*)+)")  # "agreed. [2]" -> "agreed [2]."
_ONLY_MARKERS = re.compile(r"^[\s\[\]\d,;.]*$")
_REFUSAL = re.compile(r"\b(not (mentioned|stated|specified|provided|given|say)|(do|does|did)n['’]?t (say|mention|specify)|"
                      r"(do|does) not (say|mention|specify|provide)|no information|cannot (answer|determine)|"
                      r"can['’]?t (answer|determine)|i don['’]?t know|unclear from)\b", re.I)


@dataclass(frozen=True)
class Claim:
    text: str  # the sentence without markers
    cited: tuple[int, ...]  # valid passage numbers (1-based), in order written
    dropped_markers: tuple[int, ...] = ()  # numbers that pointed at no passage


def parse_citations(text: str, n_passages: int) -> tuple[list[int], list[int]]:
    """(valid, invalid) passage numbers cited in `text`, in order, no repeats.

    Valid means 1 <= n <= n_passages; anything else is reported, never
    clamped or wrapped (Python's list[-1] would turn [0] into the last one).
    """
    valid, invalid = [], []
    for group in _MARKERS.findall(text):
        for token in re.split(r"\s*[,;]\s*", group):
            n = int(token)
            bucket = valid if 1 <= n <= n_passages else invalid
            if n not in bucket:
                bucket.append(n)
    return valid, invalid


def split_claims(raw: str, n_passages: int) -> list[Claim]:
    """Sentences of the model's text with their citations. A marker standing
    alone after a full stop ("... agreed. [2]") belongs to the sentence before."""
    raw = _TRAILING_MARKERS.sub(lambda m: f" {m.group(2).strip()}{m.group(1)} ", raw)
    pieces = [raw[s.start : s.end] for s in split_sentences(raw)]
    merged: list[str] = []
    for p in pieces:
        if merged and _ONLY_MARKERS.match(p):
            merged[-1] += " " + p
        else:
            merged.append(p)
    claims = []
    for p in merged:
        valid, invalid = parse_citations(p, n_passages)
        text = re.sub(r"\s*[,;:]+\s*([.!?])$", r"\1", " ".join(claim_text(p).split()))
        if text and not _ONLY_MARKERS.match(text):
            claims.append(Claim(text, tuple(valid), tuple(invalid)))
    return claims


def best_sentence(index: Index, hit: Hit, vec: np.ndarray) -> tuple[Span, float]:
    """The sentence of a passage closest in meaning to a claim."""
    best, best_sim = Span(hit.chunk.start, hit.chunk.end), -1.0
    for s in hit.chunk.sentences:
        v = sentence_vector(index, hit.chunk.doc, s)
        sim = float(v @ vec) if v is not None else -1.0
        if sim > best_sim:
            best, best_sim = s, sim
    return best, best_sim


def names_in_order(claim: str, sentence: str) -> bool:
    """Names the claim shares with its source sentence appear in the same
    order: "Russia is in decline while China rises" must not pass as
    support for "China is in decline while Russia rises". Word overlap and
    MiniLM similarity both miss such swaps; a legitimate rewording that
    reorders names is dropped too, and the quoted answer stands in."""
    def pos(text: str, name: str) -> int:
        m = re.search(r"\b" + re.escape(name.lower()) + r"\b", text.lower())
        return m.start() if m else -1

    shared = sorted(n for n in names_in(claim) if pos(sentence, n) >= 0)
    return sorted(shared, key=lambda n: pos(claim, n)) == sorted(shared, key=lambda n: pos(sentence, n))


def relevant(claim: str, vec: np.ndarray, question_terms: list[str], question_vec: np.ndarray, weights) -> bool:
    return (coverage(question_terms, claim, weights) >= RELEVANCE_COVERAGE
            or float(vec @ question_vec) >= RELEVANCE_SIMILARITY)


def verify(raw: str, question: str, passages: Sequence[Hit], scored: Sequence[Scored], index: Index) -> Answer:
    """The verified Answer for a model's raw text (see the module docstring)."""
    claims = split_claims(raw, len(passages))
    notes: list[str] = []
    weights = idf(index)
    vecs = index.embedder.embed([question] + [c.text for c in claims])
    question_vec, vecs = vecs[0], vecs[1:]
    question_terms = tokenize([question])[0]
    # A citation is a passage and the sentence in it that supports the claim.
    numbers: dict[tuple[str, int, int], int] = {}
    cited: list[tuple[Hit, Span]] = []
    kept: list[str] = []

    def cite(hit: Hit, span: Span) -> int:
        key = (hit.chunk.id, span.start, span.end)
        if key not in numbers:
            numbers[key] = len(numbers) + 1
            cited.append((hit, span))
        return numbers[key]

    for claim, vec in zip(claims, vecs):
        if claim.dropped_markers:
            notes.append(f"dropped citation(s) {list(claim.dropped_markers)}: no such passage")
        if _REFUSAL.search(claim.text):
            notes.append(f"removed a refusal: {claim.text!r}")
            continue
        if len(kept) == MAX_SENTENCES or any(near_duplicate(claim.text, k) for k in kept):
            continue
        if not relevant(claim.text, vec, question_terms, question_vec, weights):
            notes.append(f"removed a sentence that does not address the question: {claim.text!r}")
            continue
        # Its own citations first, then any other passage it was given.
        order = [n - 1 for n in claim.cited] + [i for i in range(len(passages)) if i + 1 not in claim.cited]
        support = None
        for i in order:
            hit = passages[i]
            if not claim_supported(claim.text, hit.chunk.text, weights):
                continue
            span, sim = best_sentence(index, hit, vec)
            source = index.articles[hit.chunk.doc].text[span.start : span.end]
            if sim >= CLAIM_SIMILARITY and names_in_order(claim.text, source):
                support = (i, span)
                break
        if support is None:
            notes.append(f"removed an unsupported sentence: {claim.text!r}")
            continue
        i, span = support
        if i + 1 not in claim.cited:
            notes.append(f"re-cited {claim.text!r} to the passage that supports it")
        kept.append(f"{claim.text} [{cite(passages[i], span)}]")

    # The strongest evidence (the sentence a quoted answer would lead with)
    # must not be lost: a small model often answers from a weaker passage.
    best = scored[0] if scored and scored[0].type_ok else None
    if kept and best is not None and not any(
            hit.chunk.doc == best.hit.chunk.doc and sp.overlaps(best.span)
            for hit, sp in cited) and not any(near_duplicate(best.text, k) for k in kept):
        kept.append(f"{' '.join(best.text.split())} [{cite(best.hit, best.span)}]")
        notes.append("added the strongest source sentence, which the model left out")

    text = " ".join(kept)
    if kept and not type_matches(answer_type(question), claim_text(text), question, one_word_names(index)):
        notes.append("the verified sentences do not hold the kind of fact asked for")
        kept, cited = [], []
    citations = [make_citation(index, n, hit, span) for n, (hit, span) in enumerate(cited, 1)]
    return Answer(question=question, text=text if kept else "", citations=tuple(citations), abstained=False,
                  mode="generated", hits=tuple(passages), notes=tuple(notes))
