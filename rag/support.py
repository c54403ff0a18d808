"""Does a sentence support (answer) a question or a claim?

No NLI model or cross-encoder is available offline, so support is judged
from signals we can compute and calibrate on the gold set:

- key-term coverage: the share of the question's content words (stemmed,
  weighted by IDF, so "Kazakhstan" counts more than "China") found in the
  sentence; a name counts when the sentence or the one before it mentions
  it (a continued quote, an "it");
- dense similarity between the question and the sentence (MiniLM);
- names: a name the question asks about ("Modi", "Taiwan") must be
  mentioned in the sentence or the one before it, unless it is a topic of
  the whole corpus ("China", "Putin"), which articles imply as often as
  they repeat it;
- the answer type: a "how many" question needs a number (not a year, not
  the 2 of "Power of Siberia 2") and a price needs money, a share a
  proportion, an age years; a "when" question a date; "what did they
  agree" a reported agreement, not a plan; "what did X say" reported or
  quoted words; a "why" question prefers a sentence that gives a reason.

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
from .records import Chunk, Hit, Span

# Calibrated on eval/gold.jsonl (see README "Answers"): the smallest support
# score at which a sentence is taken as an answer.
SUPPORT_THRESHOLD = 0.40
MIN_COVERAGE = 0.10  # ... and the least share of the question's key terms it must contain
DENSE_WEIGHT = 0.5
PRIOR_WEIGHT = 0.1  # how much the passage's retrieval score lends its sentences
TOPICAL_SHARE = 0.2  # a name in this share of all passages is a topic of the corpus, not of one answer
REASON_BONUS = 0.08  # a "why" question prefers a sentence that gives a reason

_MEASURE = r"(share|percentage|proportion|price|cost|value|amount|number|rate|size|sum|population|total|volume)"
_QUANTITY = re.compile(r"\b(how (many|much|old|long|far|big|large|high)|by how much|what rank|what " + _MEASURE +
                       r"|what (is|was|are|were|will be) (the )?" + _MEASURE + r")\b", re.I)
# What a measure is counted in: a price needs money, a share a proportion, an
# age years. (question pattern, what the answer must contain)
_UNITS = [(re.compile(p, re.I), re.compile(u, re.I)) for p, u in [
    (r"\b(price|cost|costs|worth|value|how much money|spend|spent|pay|paid)\b",
     r"[$£€¥]|\b(dollars?|yuan|renminbi|roubles?|rubles?|euros?)\b|\d(bn|tn)\b"),
    (r"\b(share|percentage|proportion|per ?cent)\b", r"%|\bper ?cent\b|\b(half|third|quarter|fifth|majority|most)\b"),
    (r"\bhow old\b", r"\b(aged?|years? old|year-old)\b"),
    (r"\bhow long\b", r"\b(years?|months?|weeks?|days?|hours?|decades?|minutes?)\b"),
    (r"\bhow far\b", r"\b(km|kilometres?|kilometers?|miles?)\b"),
    (r"\bpopulation\b", r"\b(people|inhabitants|residents|population)\b"),
]]
# A bare year ("the 1960s", "in 2022") dates a fact; it does not count or measure anything.
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)s?\b(?!\s*(%|per ?cent|million|billion|bn|tons|times))", re.I)
_SPEECH_Q = re.compile(r"\b(?:what|how) (?:did|does|do|has|have|had) (?P<who>.+?) (?:say|tell|argue|claim|warn|write|"
                       r"think|call|describe|note|allege|predict)\b|^\W*according to (?P<source>[^,?]+)", re.I)
SPEECH = re.compile(r"\b(said|says|say|told|tells|wrote|writes|according to|noted|notes|added|argued|warned|alleged|"
                    r"claimed|described|called|stressed|insisted|urged|praised|hailed)\b", re.I)
_OPENS_QUOTE = re.compile(r"^\W{0,2}[“\"‘']")
# "Power of Siberia 2", "G-7": a number that is part of a name.
_NAMED_NUMBER = re.compile(r"(\b[A-Z][a-z]*[ -])\d{1,2}\b(?!\s*(%|per ?cent|million|billion|times|years|months|days))")
_REASON_Q = re.compile(r"^\W*(why|how come)\b|\bwhat (is|was|are|were) the reasons? (for|why)\b", re.I)
# Connectives that give a reason: a "why" answer usually contains one.
_CAUSAL = re.compile(r"\b(because|due to|owing to|as a result|therefore|thus|hence|which is why|that is why|"
                     r"(the|one|main|key) reason|in order to|so as to|out of (concern|fear)|for fear|concerns? (about|over)|"
                     r"as long as)\b|,\s*so\b", re.I)
_DATE_Q = re.compile(r"^\W*(when|since when|(in )?what year|(in )?which year|what date|on what date)\b", re.I)
_OUTCOME_Q = re.compile(r"\bwhat (did|have|has|had) .{0,60}?\b(agree|sign|decide|conclude|settle)d?\b|"
                        r"\bwhat (was|were|has been|have been) (agreed|signed|decided|concluded)\b", re.I)
_NUMBER_WORDS = ("one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|twenty|"
                 "thirty|forty|fifty|hundred|thousand|million|billion|trillion|half|double|doubled|tripled|dozen|"
                 "first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth")
_NUMBER_WORD = re.compile(r"\b(" + _NUMBER_WORDS + r")\b", re.I)
_DATE = re.compile(r"\b(1[89]\d\d|20\d\d)\b|\b(january|february|march|april|may|june|july|august|september|october|"
                   r"november|december|spring|summer|autumn|winter|monday|tuesday|wednesday|thursday|friday|"
                   r"saturday|sunday|last (year|month|week)|this (year|month|week)|ago|since)\b", re.I)
_OUTCOME = re.compile(r"\b(agreed|signed|decided|concluded|announced|pledged|reached|struck|confirmed|reaffirmed)\b", re.I)
_PRONOUN_START = re.compile(r"^\W*(he|she|they|it|this|that|these|those|his|her|their|its|but he|but she|the pair)\b", re.I)


_QUESTION_WORD = re.compile(r"^(who|whom|whose|what|why|when|where|which|how|is|are|did|does|do|was|were)$", re.I)
_ENTITY = re.compile(r"(?:[A-Z][\w\-’']+|of|the|de|von|der)(?:\s+(?:[A-Z][\w\-’']+|of|the|von|der|de|\d+))*")
_NAME_GLUE = {"of", "the", "de", "von", "der"}


def entities(text: str) -> list[str]:
    """Capitalised spans ("Power of Siberia 2", "Artyom Lukin"), longest first,
    without a leading question word."""
    found = []
    for m in _ENTITY.finditer(text):
        words = m.group(0).split()
        while words and (_QUESTION_WORD.match(words[0]) or words[0].islower()):
            words = words[1:]
        while words and words[-1].islower():
            words = words[:-1]
        if words:
            found.append(" ".join(words))
    return sorted(dict.fromkeys(found), key=lambda e: -len(e))


_CALENDAR = re.compile(r"^(January|February|March|April|May|June|July|August|September|October|November|December|"
                       r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)$")


def name_stems(name: str) -> list[str]:
    """One stem per word of a name, without glue words and numbers."""
    stems = [tokenize([w])[0] for w in name.split() if w.lower() not in _NAME_GLUE and not w.isdigit()]
    return [t[0] for t in stems if t]


def name_present(name: str, present: set[str]) -> bool:
    """Is a name mentioned? A person is named by either name ("Gabuev" for
    "Alexander Gabuev", "Li" for "Li Lifan"); a longer name such as "Shanghai
    Cooperation Organisation" needs its head word, the last."""
    stems = name_stems(name)
    if not stems:
        return True
    return any(t in present for t in stems) if len(stems) <= 2 else stems[-1] in present


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
    if _REASON_Q.search(question):
        return "reason"
    if _SPEECH_Q.search(question):
        return "speech"
    return "any"


def speaker(question: str) -> str:
    """Whose words a question asks for ("What did Lukin say ..."), or ""."""
    m = _SPEECH_Q.search(question)
    return (m.group("who") or m.group("source") or "") if m else ""


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
        text = _NAMED_NUMBER.sub(r"\1", _YEAR.sub(" ", text))
        if not (new_numbers(text, question) or _NUMBER_WORD.search(text)):
            return False
        if any(asks.search(question) and not unit.search(text) for asks, unit in _UNITS):
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
    if kind == "speech":
        # Someone's words are reported ("..., he said") or quoted.
        return bool(SPEECH.search(text) or _OPENS_QUOTE.match(text))
    return True


@dataclass(frozen=True)
class _Tables:
    """What scoring needs to know about a whole corpus, computed once per index."""

    idf: tuple[dict[str, float], float]  # BM25-style weight per stem, and the weight of an unseen stem
    df: dict[str, int]  # how many passages each stem occurs in
    sentences: dict[str, list[Span]]  # every sentence of each article, in order
    starts: dict[str, list[int]]  # ... and where each begins (for bisect)
    lower_words: frozenset[str]  # words the corpus writes in lower case ("according")


_TABLES: dict[int, _Tables] = {}  # by id(index); an entry goes when its index does


def _tables(index: Index) -> _Tables:
    key = id(index)
    if key not in _TABLES:
        df = Counter(t for toks in tokenize([c.text for c in index.chunks]) for t in set(toks))
        n = len(index.chunks)
        idf_ = ({t: math.log(1 + (n - c + 0.5) / (c + 0.5)) for t, c in df.items()},
                math.log(1 + (n + 0.5) / 0.5))  # unseen terms: maximal weight
        spans: dict[str, set[Span]] = {}
        for c in index.chunks:
            spans.setdefault(c.doc, set()).update(c.sentences)
        sentences = {d: sorted(v, key=lambda sp: sp.start) for d, v in spans.items()}
        lower = frozenset(w for c in index.chunks for w in re.findall(r"\b[a-z][\w\-]*", c.text))
        _TABLES[key] = _Tables(idf_, dict(df), sentences,
                               {d: [sp.start for sp in v] for d, v in sentences.items()}, lower)
        weakref.finalize(index, _TABLES.pop, key, None)
    return _TABLES[key]


def idf(index: Index) -> tuple[dict[str, float], float]:
    return _tables(index).idf


def coverage(question_terms: list[str], text: str | set[str], weights: tuple[dict[str, float], float],
             names: list[str] = (), near: set[str] | None = None) -> float:
    """IDF-weighted share of the question's key terms present in `text` (or
    in its stems, if already tokenized). A name counts whole when it is
    mentioned at all ("Isakov" for "Alexander Isakov"), in the text or in
    the stems `near` it (the sentence before a continued quote names its
    speaker)."""
    terms = set(question_terms)
    if not terms:
        return 0.0
    table, unseen = weights
    present = set(tokenize([text])[0]) if isinstance(text, str) else set(text)
    for name in names:
        if name_present(name, present if near is None else present | near):
            present.update(name_stems(name))
    total = sum(table.get(t, unseen) for t in terms)
    return sum(table.get(t, unseen) for t in terms if t in present) / total


def with_previous(index: Index, doc: str, span: Span) -> Span:
    """The span and the sentence of the article before it: where a continued
    quote's speaker, or the thing an "it" refers to, is usually named."""
    t = _tables(index)
    i = bisect_right(t.starts.get(doc, []), span.start) - 1
    return Span(t.sentences[doc][i - 1].start, span.end) if i >= 1 else span


def question_names(question: str, index: Index) -> list[str]:
    """The names a question asks about. Its first word is capitalised only
    because it starts the sentence ("According to ..."), unless the corpus
    never writes it in lower case."""
    first = re.match(r"\W*([\w\-]+)", question)
    if first and (first.group(1).lower() in _tables(index).lower_words
                  or first.group(1).lower() in stopwords()):
        question = question[first.end():]
    return [e for e in entities(question) if not _CALENDAR.match(e)]


def topical(name: str, index: Index, share: float = TOPICAL_SHARE) -> bool:
    """Is the name a topic of the whole corpus ("China", "Putin")? Such a name
    is often implied ("Beijing", "the Russian leader") rather than repeated,
    so it is not demanded near an answer."""
    table = _tables(index).df
    n = max(len(index.chunks), 1)
    stems = name_stems(name)
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
    # One tokenizer call for every sentence and every sentence-with-the-one-before.
    stems = tokenize(sent_texts + [text_of(h, with_previous(index, h.chunk.doc, span)) for h, _, span, _ in candidates])
    out = []
    for (hit, s, span, passage_ok), sent_text, sent_stems, near_stems in zip(
            candidates, sent_texts, stems, stems[len(candidates):]):
        vec = sentence_vector(index, hit.chunk.doc, s)
        dense = float(vec @ question_vec) if vec is not None else 0.0
        present, near = set(sent_stems), set(near_stems)
        cov = coverage(terms, present, weights, names, near)
        if focus_terms:
            cov = (cov + coverage(focus_terms, present, weights, names, near)) / 2
        score = (1 - PRIOR_WEIGHT) * (DENSE_WEIGHT * dense + (1 - DENSE_WEIGHT) * cov) + PRIOR_WEIGHT * hit.score / top
        if kind == "reason" and _CAUSAL.search(sent_text):
            score += REASON_BONUS
        ok = (passage_ok and all(name_present(n, near) for n in demanded)
              and type_matches(kind, sent_text, question))
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
