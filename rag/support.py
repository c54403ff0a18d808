"""Does a sentence support (answer) a question or a claim?

No NLI model or cross-encoder is available offline, so support is judged
from signals we can compute and calibrate on the gold set:

- key-term coverage: the share of the question's content words (stemmed,
  weighted by IDF, so "Kazakhstan" counts more than "China") found in the
  sentence and the sentence before it;
- dense similarity between the question and the sentence (MiniLM);
- the answer type: a "how many" question needs a number, a "when" question
  a date, "what did they agree" a reported agreement, not a plan.

These functions are shared by quoted answers (choosing sentences) and
generated answers (verifying the model's sentences).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .index import Index
from .lexical import stopwords, tokenize
from .records import Chunk, Hit, Span

# Calibrated on eval/gold.jsonl (see README "Answers"): the smallest support
# score at which a sentence is taken as an answer.
SUPPORT_THRESHOLD = 0.40
DENSE_WEIGHT = 0.5
PRIOR_WEIGHT = 0.1  # how much the passage's retrieval score lends its sentences

_QUANTITY = re.compile(r"\b(how (many|much|old|long|far|big|large|high)|by how much|what (share|percentage|proportion|"
                       r"price|value|amount|number|rate|size|sum)|what rank)\b", re.I)
_DATE_Q = re.compile(r"^\W*(when|since when|(in )?what year|(in )?which year|what date|on what date)\b", re.I)
_OUTCOME_Q = re.compile(r"\bwhat (did|have|has|had) .{0,60}?\b(agree|sign|decide|conclude|settle)d?\b|"
                        r"\bwhat (was|were|has been|have been) (agreed|signed|decided|concluded)\b", re.I)
_NUMBER_WORDS = ("one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|twenty|"
                 "thirty|forty|fifty|hundred|thousand|million|billion|trillion|half|double|doubled|tripled|dozen")
_NUMBER_WORD = re.compile(r"\b(" + _NUMBER_WORDS + r")\b", re.I)
_DATE = re.compile(r"\b(1[89]\d\d|20\d\d)\b|\b(january|february|march|april|may|june|july|august|september|october|"
                   r"november|december|spring|summer|autumn|winter|monday|tuesday|wednesday|thursday|friday|"
                   r"saturday|sunday|last (year|month|week)|this (year|month|week)|ago|since)\b", re.I)
_OUTCOME = re.compile(r"\b(agreed|signed|decided|concluded|announced|pledged|reached|struck|confirmed|reaffirmed)\b", re.I)
_PRONOUN_START = re.compile(r"^\W*(he|she|they|it|this|that|these|those|his|her|their|its|but he|but she|the pair)\b", re.I)


@dataclass(frozen=True)
class Scored:
    """A candidate answer sentence with the evidence for its score."""

    hit: Hit
    span: Span  # the sentence (with its predecessor when it opens with a pronoun)
    text: str
    coverage: float
    dense: float
    score: float
    type_ok: bool


def answer_type(question: str) -> str:
    if _OUTCOME_Q.search(question):
        return "outcome"
    if _QUANTITY.search(question):
        return "quantity"
    if _DATE_Q.search(question):
        return "date"
    return "any"


_HOW_MANY = re.compile(r"\bhow many (?:of )?(?:[\w-]+['’]s )?((?:(?!(?:do|does|did|are|is|was|were|have|has|had|will|would|can)\b)"
                       r"[a-z\-]+\s?){1,2})", re.I)


def counted_noun(question: str) -> str | None:
    """The stemmed head noun of "how many X": the thing to be counted."""
    m = _HOW_MANY.search(question)
    if not m:
        return None
    words = tokenize([m.group(1)])[0]
    return words[-1] if words else None


def new_numbers(text: str, question: str) -> set[str]:
    """Numbers in `text` that the question did not already contain: "Power
    of Siberia 2" does not answer "what price ... Power of Siberia 2?"."""
    return numbers_in(text) - numbers_in(question)


def type_matches(kind: str, text: str, question: str = "") -> bool:
    """Does the sentence hold the kind of fact the question asks for?"""
    if kind == "quantity":
        if not (new_numbers(text, question) or _NUMBER_WORD.search(text)):
            return False
        noun = counted_noun(question)
        # "How many tanks?" needs a number counting tanks, not any number
        # in a sentence that mentions tanks.
        return noun is None or bool(re.search(
            r"(\d[\d,.]*|\b(?:" + _NUMBER_WORDS + r"))[\s-]+(?:\S+\s+){0,2}?" + re.escape(noun),
            " ".join(tokenize_keep_numbers(text)), re.I))
    if kind == "date":
        return bool(_DATE.search(text))
    if kind == "outcome":
        # "plan to meet in Kazakhstan" reports no agreement; "agreed to" does.
        return bool(_OUTCOME.search(text))
    return True


@lru_cache(maxsize=8)
def _idf_table(index_id: int, docs: tuple[str, ...]) -> tuple[dict[str, float], float]:
    df = Counter(t for toks in tokenize(list(docs)) for t in set(toks))
    n = len(docs)
    table = {t: math.log(1 + (n - c + 0.5) / (c + 0.5)) for t, c in df.items()}
    return table, math.log(1 + (n + 0.5) / 0.5)  # unseen terms: maximal weight


def idf(index: Index) -> tuple[dict[str, float], float]:
    return _idf_table(id(index), tuple(c.text for c in index.chunks))


def coverage(question_terms: list[str], text: str, weights: tuple[dict[str, float], float]) -> float:
    """IDF-weighted share of the question's key terms present in `text`."""
    terms = set(question_terms)
    if not terms:
        return 0.0
    table, unseen = weights
    present = set(tokenize([text])[0])
    total = sum(table.get(t, unseen) for t in terms)
    return sum(table.get(t, unseen) for t in terms if t in present) / total


def sentence_vector(index: Index, doc: str, span: Span) -> np.ndarray | None:
    row = index.sentence_rows.get((doc, span.start, span.end))
    return None if row is None else index.sentence_vectors[row]


def with_context(chunk: Chunk, i: int, text_of) -> Span:
    """The i-th sentence of a chunk, extended back by one sentence when it
    opens with a pronoun ("He said..."), so a quote never loses its subject."""
    s = chunk.sentences[i]
    if i > 0 and _PRONOUN_START.match(text_of(s)):
        return Span(chunk.sentences[i - 1].start, s.end)
    return s


def score_sentences(index: Index, question: str, question_vec: np.ndarray, hits: list[Hit],
                    focus: str = "") -> list[Scored]:
    """Every sentence of the retrieved passages, scored as an answer to
    `question`, best first. Terms of `focus` (the user's own words in a
    follow-up such as "And coal?") count twice."""
    terms = tokenize([question])[0] + tokenize([focus])[0] if focus else tokenize([question])[0]
    weights = idf(index)
    kind = answer_type(question)
    asked_numbers = numbers_in(question)
    top = max((h.score for h in hits), default=0.0) or 1.0  # retrievers score on different scales
    seen, out = set(), []
    for hit in hits:
        c = hit.chunk
        text = index.articles[c.doc].text
        # A year or figure named in the question must be in the passage:
        # "trade in 2025" is not answered by a passage about 2023.
        article = index.articles[c.doc]
        passage_ok = asked_numbers <= numbers_in(f"{c.text} {article.date} {article.title}")

        def text_of(sp: Span) -> str:
            return text[sp.start : sp.end]

        for i, s in enumerate(c.sentences):
            span = with_context(c, i, text_of)
            key = (c.doc, span.start, span.end)
            if key in seen:
                continue
            seen.add(key)
            vec = sentence_vector(index, c.doc, s)
            dense = float(vec @ question_vec) if vec is not None else 0.0
            sent_text = text_of(span)
            cov = coverage(terms, sent_text, weights)
            score = (1 - PRIOR_WEIGHT) * (DENSE_WEIGHT * dense + (1 - DENSE_WEIGHT) * cov) + PRIOR_WEIGHT * hit.score / top
            ok = passage_ok and type_matches(kind, sent_text, question)
            out.append(Scored(hit, span, sent_text, cov, dense, score, ok))
    out.sort(key=lambda s: (-(s.score if s.type_ok else s.score - 1), s.hit.rank, s.span.start))
    return out


def tokenize_keep_numbers(text: str) -> list[str]:
    """Stemmed words with numerals kept in place (for "42 times" patterns)."""
    out = []
    for piece in re.findall(r"\d[\d,.%]*|[^\W\d]+", text):
        out.extend([piece] if piece[0].isdigit() else (tokenize([piece])[0] or [piece.lower()]))
    return out


def numbers_in(text: str) -> set[str]:
    """Numerals in a text, normalised ("1,500" -> "1500")."""
    return {n.replace(",", "") for n in re.findall(r"\d[\d,]*(?:\.\d+)?", text)}


def names_in(text: str) -> set[str]:
    """Capitalised words that are not function words: names, places, outlets."""
    common = set(stopwords())
    return {w for w in re.findall(r"\b[A-Z][a-zA-Z\-]+", text) if w.lower() not in common}


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


def near_duplicate(a: str, b: str, threshold: float = 0.5) -> bool:
    wa, wb = _words(a), _words(b)
    return bool(wa and wb) and len(wa & wb) / len(wa | wb) >= threshold


CITATION_MARKER = re.compile(r"\s*\[\d+\]")  # an answer's own [n]
_FRAME = re.compile(r"^(The sources differ:|Quoted in [^:]{1,80}:)\s*")


def claim_text(sentence: str) -> str:
    """A sentence of an answer without citation markers and our own framing."""
    return _FRAME.sub("", CITATION_MARKER.sub("", sentence)).strip().lstrip(":;-–—• ").strip()


def claim_supported(claim: str, passage: str, weights: tuple[dict[str, float], float],
                    min_coverage: float = 0.6) -> bool:
    """Does `passage` back `claim`? Every number and name of the claim must be
    in the passage, and most of its key terms (IDF-weighted)."""
    claim = claim_text(claim)
    if not claim:
        return False
    if not numbers_in(claim) <= numbers_in(passage):
        return False
    low = passage.lower()
    if any(name.lower() not in low for name in names_in(claim)):
        return False
    return coverage(tokenize([claim])[0], passage, weights) >= min_coverage
