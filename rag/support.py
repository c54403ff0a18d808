"""Does a sentence support (answer) a question or a claim?

No NLI model or cross-encoder is available offline, so support is judged
from signals we can compute and calibrate on the gold set:

- key-term coverage: the share of the question's content words (stemmed,
  weighted by IDF, so "Kazakhstan" counts more than "China") found in the
  sentence; a name counts whole when the sentence mentions it, half when
  only the sentence naming a continued quote's speaker does;
- dense similarity between the question and the sentence (MiniLM);
- names: a name the question asks about ("Modi", "Taiwan") must be
  mentioned in the sentence, its article's title or outlet, or where its
  speaker is named, unless it is a topic of the whole corpus ("China",
  "Putin"), which articles imply as often as they repeat it;
- the answer type (question.py): a count, a price, a date, an agreement, a
  person, someone's words; a "why" question prefers a sentence that gives
  a reason.

These functions are shared by quoted answers (choosing sentences) and
generated answers (verifying the model's sentences).
"""

from __future__ import annotations

import math
import re
import weakref
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass

import numpy as np

from .index import Index
from .lexical import stopwords, tokenize
from .question import (CAUSAL, HE_SHE, OPENS_QUOTE, answer_type, name_present, name_words, names_of, numbers_in,
                       speaker, type_matches, words)
from .records import Chunk, Hit, Span

# Calibrated on eval/gold.jsonl (see README "Answers"): the smallest support
# score at which a sentence is taken as an answer.
SUPPORT_THRESHOLD = 0.40
MIN_COVERAGE = 0.10  # ... and the least share of the question's key terms it must contain
DENSE_WEIGHT = 0.5
PRIOR_WEIGHT = 0.1  # how much the passage's retrieval score lends its sentences
TOPICAL_SHARE = 0.2  # a name in this share of all passages is a topic of the corpus, not of one answer
CONTEXT_CREDIT = 0.5  # a name found only where a continued quote's speaker is named counts this much
REASON_BONUS = 0.08  # a "why" question prefers a sentence that gives a reason

# A sentence that leans on the one before: "He said...", "So this is...".
_PRONOUN_START = re.compile(r"^\W*(he|she|they|it|this|that|these|those|his|her|their|its|but he|but she|the pair|"
                            r"so|thus|therefore|hence|as a result)\b", re.I)


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


@dataclass(frozen=True)
class _Tables:
    """What scoring needs to know about a whole corpus, computed once per index."""

    idf: tuple[dict[str, float], float]  # BM25-style weight per stem, and the weight of an unseen stem
    df: dict[str, int]  # how many passages each stem occurs in
    sentences: dict[str, list[Span]]  # every sentence of each article, in order
    starts: dict[str, list[int]]  # ... and where each begins (for bisect)
    doc_words: dict[str, frozenset[str]]  # every word of each article, title and outlet (for names)
    meta_words: dict[str, frozenset[str]]  # the words of each article's title and outlet
    lower_words: frozenset[str]  # words the corpus writes in lower case ("according")
    upper_words: frozenset[str]  # words it writes capitalised (lower-cased: "xi")


_TABLES: dict[int, _Tables] = {}  # by id(index); an entry goes when its index does


def _build_tables(index: Index) -> _Tables:
    df = Counter(t for stems in tokenize([c.text for c in index.chunks]) for t in set(stems))
    n = len(index.chunks)
    weights = {t: math.log(1 + (n - c + 0.5) / (c + 0.5)) for t, c in df.items()}
    unseen = math.log(1 + (n + 0.5) / 0.5)  # a term no passage has: maximal weight
    spans: dict[str, set[Span]] = {}
    meta = {d: frozenset(words(f"{a.title} {a.outlet}")) for d, a in index.articles.items()}
    doc_words: dict[str, set[str]] = {d: set(m) for d, m in meta.items()}
    for c in index.chunks:
        spans.setdefault(c.doc, set()).update(c.sentences)
        doc_words.setdefault(c.doc, set()).update(words(c.text))
    sentences = {d: sorted(v, key=lambda sp: sp.start) for d, v in spans.items()}
    return _Tables(
        idf=(weights, unseen), df=dict(df), sentences=sentences,
        starts={d: [sp.start for sp in v] for d, v in sentences.items()},
        doc_words={d: frozenset(v) for d, v in doc_words.items()}, meta_words=meta,
        lower_words=frozenset(w for c in index.chunks for w in re.findall(r"\b[a-z][\w\-]*", c.text)),
        upper_words=frozenset(w.lower() for c in index.chunks for w in re.findall(r"\b[A-Z][\w\-]*", c.text)))


def _tables(index: Index) -> _Tables:
    key = id(index)
    if key not in _TABLES:
        _TABLES[key] = _build_tables(index)
        weakref.finalize(index, _TABLES.pop, key, None)
    return _TABLES[key]


def idf(index: Index) -> tuple[dict[str, float], float]:
    return _tables(index).idf


def coverage(question_terms: list[str], text: str | set[str], weights: tuple[dict[str, float], float],
             names: list[str] = (), own: set[str] | None = None, near: set[str] | None = None,
             article: frozenset[str] | None = None) -> float:
    """IDF-weighted share of the question's key terms present in `text` (or
    in its stems, if already tokenized). A name counts whole when the text
    mentions it at all ("Isakov" for "Alexander Isakov"; `own` are the
    text's words), and half when only the words `near` it do (a continued
    quote's speaker): "Who is Yun Sun?" is answered where she is introduced,
    not by her quote two sentences on."""
    terms = set(question_terms)
    if not terms:
        return 0.0
    table, unseen = weights
    credit = dict.fromkeys(tokenize([text])[0] if isinstance(text, str) else text, 1.0)
    if own is None and isinstance(text, str):
        own = words(text)
    for name in names:
        if own is not None and name_present(name, own, article):
            credit.update(dict.fromkeys(tokenize([name])[0], 1.0))
        elif near is not None and name_present(name, near, article):
            for t in tokenize([name])[0]:
                credit[t] = max(credit.get(t, 0.0), CONTEXT_CREDIT)
    total = sum(table.get(t, unseen) for t in terms)
    return sum(table.get(t, unseen) * credit.get(t, 0.0) for t in terms) / total


def with_speaker(index: Index, doc: str, span: Span, max_back: int = 3) -> Span:
    """The span, extended back over the sentences that continue a quote or
    say "he"/"she", to the one that names the speaker (at most `max_back`):
    '“There is no other China than China.' leans on '... said Alexander
    Gabuev.' before it."""
    t = _tables(index)
    sents, text = t.sentences.get(doc, []), index.articles[doc].text
    i = bisect_right(t.starts.get(doc, []), span.start) - 1
    start, current = span.start, text[span.start : span.end]
    for _ in range(max_back):
        if i < 1 or not (OPENS_QUOTE.match(current) or HE_SHE.search(current)):
            break
        i -= 1
        start, current = sents[i].start, text[sents[i].start : sents[i].end]
    return Span(min(start, span.start), span.end)


def question_names(question: str, index: Index) -> list[str]:
    """The names a question asks about. Its first word is capitalised only
    because it starts the sentence ("According to ...", "Besides ..."),
    unless the corpus writes it capitalised and never in lower case."""
    first = re.match(r"\W*([\w\-]+)", question)
    t = _tables(index)
    if first and (first.group(1).lower() in t.lower_words or first.group(1).lower() not in t.upper_words
                  or first.group(1).lower() in stopwords()):
        question = question[first.end():]
    return names_of(question)


def topical(name: str, index: Index, share: float = TOPICAL_SHARE) -> bool:
    """Is the name a topic of the whole corpus ("China", "Putin")? Such a name
    is often implied ("Beijing", "the Russian leader") rather than repeated,
    so it is not demanded near an answer."""
    table = _tables(index).df
    n = max(len(index.chunks), 1)
    stems = tokenize([" ".join(name_words(name))])[0]
    return bool(stems) and all(table.get(t, 0) >= share * n for t in stems)


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
                    focus: str = "", asked: str | None = None) -> list[Scored]:
    """Every sentence of the retrieved passages, scored as an answer to
    `question`, best first.

    In a follow-up, `focus` is the user's own words ("And coal?"): coverage
    is the mean of the whole question's and the focus's, so the new word
    weighs as much as all the context. `asked` is the part of the question
    whose names must be mentioned near the answer (default: all of it); a
    sentence far from every mention of "Modi" does not answer a question
    about Modi.
    """
    terms = tokenize([question])[0]
    focus_terms = tokenize([focus])[0] if focus else []
    weights = idf(index)
    names = question_names(question if asked is None else asked, index)
    kind = answer_type(question)
    demanded = [n for n in names if not topical(n, index)]
    tables = _tables(index)
    # "How did China's foreign ministry describe ...?": the words naming the
    # speaker that are not names (those are demanded above) must all be where
    # the sentence's speaker is: "foreign policy" is not the foreign ministry.
    who = set(tokenize([re.sub(r"\b[A-Z][\w’']*", " ", speaker(question))])[0])
    asked_numbers = numbers_in(question)
    top = max((h.score for h in hits), default=0.0) or 1.0  # retrievers score on different scales
    seen, candidates = set(), []  # (hit, sentence, span with context, passage ok)
    for hit in hits:
        c = hit.chunk
        text = index.articles[c.doc].text
        # A year or figure named in the question must be in the passage:
        # "trade in 2025" is not answered by a passage about 2023.
        article = index.articles[c.doc]
        passage_ok = asked_numbers <= numbers_in(f"{c.text} {article.date} {article.title}")
        for i, s in enumerate(c.sentences):
            span = with_context(c, i, lambda sp: text[sp.start : sp.end])
            if (c.doc, span.start, span.end) not in seen:
                seen.add((c.doc, span.start, span.end))
                candidates.append((hit, s, span, passage_ok))

    def text_of(hit: Hit, sp: Span) -> str:
        return index.articles[hit.chunk.doc].text[sp.start : sp.end]

    sent_texts = [text_of(h, span) for h, _, span, _ in candidates]
    # Names count where the sentence's speaker is named, and in the
    # article's title and outlet ("according to The Conversation").
    near_spans = [with_speaker(index, h.chunk.doc, span) for h, _, span, _ in candidates]
    stems = tokenize(sent_texts)
    near_stems = tokenize([text_of(h, sp) for (h, _, _, _), sp in zip(candidates, near_spans)]) if who else stems
    out = []
    for (hit, s, span, passage_ok), sent_text, sent_stems, near_span, around in zip(
            candidates, sent_texts, stems, near_spans, near_stems):
        vec = sentence_vector(index, hit.chunk.doc, s)
        dense = float(vec @ question_vec) if vec is not None else 0.0
        present, in_article = set(sent_stems), tables.doc_words[hit.chunk.doc]
        own = words(sent_text) | tables.meta_words[hit.chunk.doc]
        near = words(text_of(hit, near_span)) | own
        cov = coverage(terms, present, weights, names, own, near, in_article)
        if focus_terms:
            cov = (cov + coverage(focus_terms, present, weights, names, own, near, in_article)) / 2
        score = (1 - PRIOR_WEIGHT) * (DENSE_WEIGHT * dense + (1 - DENSE_WEIGHT) * cov) + PRIOR_WEIGHT * hit.score / top
        if kind == "reason" and CAUSAL.search(sent_text):
            score += REASON_BONUS
        ok = (passage_ok and all(name_present(n, near, in_article) for n in demanded)
              and who <= set(around)
              and type_matches(kind, sent_text, question))
        out.append(Scored(hit, span, sent_text, cov, dense, score, ok))
    out.sort(key=lambda s: (-(s.score if s.type_ok else s.score - 1), s.hit.rank, s.span.start))
    return out


def names_in(text: str) -> set[str]:
    """Capitalised words that are not function words: names, places, outlets."""
    common = set(stopwords())
    return {w for w in re.findall(r"\b[A-Z][a-zA-Z\-]+", text) if w.lower() not in common}


def near_duplicate(a: str, b: str, threshold: float = 0.5) -> bool:
    wa, wb = words(a), words(b)
    return bool(wa and wb) and len(wa & wb) / len(wa | wb) >= threshold


CITATION = re.compile(r"\[(\d+)\]")  # an answer's own [n]
CITATION_MARKER = re.compile(r"\s*" + CITATION.pattern)  # ... with the space before it
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
