"""The evidence shared by scoring answers and verifying generated ones.

- corpus tables, computed once per index: IDF weights, every sentence of
  each article, the words of each article and its title;
- key-term coverage: the share of a question's content words (stemmed,
  weighted by IDF, so "Kazakhstan" counts more than "China") found in a
  text; a name counts whole when the text mentions it, half when only the
  sentence naming a continued quote's speaker does;
- names: which names a question asks about, which are a topic of the whole
  corpus ("China", "Putin") or of one article ("Dynamite" in its page) and so
  implied as often as repeated;
- context: the sentence before one that opens "He ..." or "So ...", and
  back to where a continued quote's speaker is named;
- claims: does a passage back a sentence (numbers, names, key terms)?

features.py turns these into evidence for the fitted scorer; verify.py
uses them to check what a model wrote.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass

import numpy as np

from .index import Index, per_index
from .ingest import MONTHS, without_brackets
from .lexical import stems, stopwords, tokenize
from .question import (HE_SHE, MONTH_SHORT, OPENS_QUOTE, SHORT_MONTH_DATED, abbreviation_ends, name_present,
                       name_words, names_of, numbers_in, words)
from .records import Chunk, Span

TOPICAL_SHARE = 0.2  # a name in this share of all passages is a topic of the corpus, not of one answer
ARTICLE_TOPIC_SHARE = 0.5  # a name in half an article's passages is what that article is about
CONTEXT_CREDIT = 0.5  # a name found only where a continued quote's speaker is named counts this much

# A sentence that leans on the one before: "He said...", "So this is...".
_DEFINITE_START = re.compile(r"^\W*(?i:the)\s+([a-z]{4,})\b")  # "The visit came ...": the one just named
_PRONOUN_START = re.compile(r"^\W*(he|she|they|it|this|that|these|those|his|her|their|its|but he|but she|the pair|"
                            r"so|thus|therefore|hence|as a result|as a consequence|consequently|for this reason|"
                            r"because of this)\b|"
                            # A pronoun subject after an opening phrase that names no one ("Moving on to
                            # ophthalmia, he achieved …"; not "When Putin arrived, he met Xi").
                            r"^\W*[A-Za-z]+(?-i:[^,.;:A-Z]){0,80},\s+(?:(?-i:[^,.;:A-Z]){2,80},\s+)?(?:he|she|they)\s",
                            re.I)


@dataclass(frozen=True)
class _Tables:
    """What scoring needs to know about a whole corpus, computed once per index."""

    idf: tuple[dict[str, float], float]  # BM25-style weight per stem, and the weight of an unseen stem
    df: dict[str, int]  # how many passages each stem occurs in
    sentences: dict[str, list[Span]]  # every sentence of each article, in order
    starts: dict[str, list[int]]  # ... and where each begins (for bisect)
    doc_words: dict[str, frozenset[str]]  # every word of each article, title and outlet (for names)
    meta_words: dict[str, frozenset[str]]  # the words of each article's title, outlet and authors
    lower_words: frozenset[str]  # words the corpus writes in lower case ("according")
    upper_words: frozenset[str]  # words it writes capitalised (lower-cased: "xi")
    proper_words: frozenset[str]  # ... mid-sentence (after "Abbé" too) and never in lower case: names ("xi")


def initials(name: str) -> str:
    """"South China Morning Post" -> "SCMP" (three words or more, else too ambiguous)."""
    ws = [w for w in re.sub(r"^the\s+", "", without_brackets(name), flags=re.I).split() if w[:1].isupper()]
    return "".join(w[0] for w in ws) if len(ws) >= 3 else ""


# A capital after a small letter (accented too: "Abbé Nollet"), a comma or a semicolon.
_MID_SENTENCE_CAPITAL = re.compile(r"(?<=[a-zß-öø-ÿ,;] )[A-Z][\w\-]*")


def _build_tables(index: Index) -> _Tables:
    df = Counter(t for stems in tokenize([c.text for c in index.chunks]) for t in set(stems))
    n = len(index.chunks)
    weights = {t: math.log(1 + (n - c + 0.5) / (c + 0.5)) for t, c in df.items()}
    unseen = math.log(1 + (n + 0.5) / 0.5)  # a term no passage has: maximal weight
    spans: dict[str, set[Span]] = {}
    # An article is named by its title, outlet (or their initials) and authors:
    # "per SCMP", "Sharma's piece", "the SPR" are met by any of its sentences.
    meta = {d: frozenset(words(f"{a.title} {initials(a.title)} {a.outlet} {initials(a.outlet)} {' '.join(a.authors)}"))
            for d, a in index.articles.items()}
    doc_words: dict[str, set[str]] = {d: set(m) for d, m in meta.items()}
    for c in index.chunks:
        spans.setdefault(c.doc, set()).update(c.sentences)
        doc_words.setdefault(c.doc, set()).update(words(c.text))
    sentences = {d: sorted(v, key=lambda sp: sp.start) for d, v in spans.items()}
    lower = {w for c in index.chunks for w in re.findall(r"\b[a-z][\w\-]*", c.text)}
    return _Tables(
        idf=(weights, unseen), df=dict(df), sentences=sentences,
        starts={d: [sp.start for sp in v] for d, v in sentences.items()},
        doc_words={d: frozenset(v) for d, v in doc_words.items()}, meta_words=meta,
        lower_words=frozenset(lower),
        upper_words=frozenset(w.lower() for c in index.chunks for w in re.findall(r"\b[A-Z][\w\-]*", c.text)),
        proper_words=frozenset(w.lower() for c in index.chunks for w in _MID_SENTENCE_CAPITAL.findall(c.text))
        - lower - set(stopwords()))


_tables = per_index(_build_tables)


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
            credit.update(dict.fromkeys(stems(name), 1.0))
        elif near is not None and name_present(name, near, article):
            for t in stems(name):
                credit[t] = max(credit.get(t, 0.0), CONTEXT_CREDIT)
    # fsum: the same total whatever order the set yields its terms in (it varies
    # between runs), so equal coverages stay equal and rank the same way.
    total = math.fsum(table.get(t, unseen) for t in terms)
    return math.fsum(table.get(t, unseen) * credit.get(t, 0.0) for t in terms) / total


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


# Capitalised whoever writes: the first word of each sentence ("What", "... 2013.
# Same number?"), months, days and titles. A word capitalised anywhere else with a
# small letter after it ("Russian", "Putin", "Émile"; not "US", "EVs", "SL9") is a
# name its writer capitalised.
_SENTENCE_START = re.compile(r"(?:^|[.?!…:;][”\"’')\]]*\s*)\W*[\w’'-]+")
_ALWAYS_CAPITALISED = re.compile(r"\b(?:" + "|".join(m.capitalize() for m in MONTHS) + "|" + MONTH_SHORT +
                                 r"|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|Mrs?|Ms|Dr|St)\b")
_CAPITALISED = re.compile(r"\b[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ]")


def capitalises_names(text: str) -> bool:
    """Does the writer capitalise names ("What did the Russian leader give Xi?"),
    or type in lower case ("who ruled normandy in november?")?"""
    return bool(_CAPITALISED.search(_ALWAYS_CAPITALISED.sub(" ", _SENTENCE_START.sub(" ", text))))


def truecase(question: str, index: Index) -> str:
    """"who ruled normandy" -> "who ruled Normandy": for a writer who types in
    lower case, a word the corpus writes only as a name (capitalised
    mid-sentence and never in lower case) is that name. A writer who
    capitalises names typed a lower-case word as no name: "What did the
    Russian leader give Xi to mark his birthday?" names no "Mark", though the
    seeds write the word only as one."""
    if capitalises_names(question):
        return question
    proper = _tables(index).proper_words
    return re.sub(r"\b[a-z][\w\-]*", lambda m: m.group(0).capitalize() if m.group(0) in proper else m.group(0),
                  question)


def question_names(question: str, index: Index) -> list[str]:
    """The names a question asks about, in any case. The first word of each
    of its sentences is capitalised only because it starts the sentence
    ("According to ...", "... since 2013. Same number?"), unless the corpus
    writes it capitalised and never in lower case."""
    question = SHORT_MONTH_DATED.sub(" ", truecase(question, index))  # before "Sept." reads as a sentence's end
    t = _tables(index)

    def common(m: re.Match) -> str:
        if m.group(1).startswith(".") and abbreviation_ends(question, m.start(1)):  # "Dr. Maslov", "St. Petersburg"
            return m.group(0)
        w = m.group(2).lower()
        plain = w in t.lower_words or w not in t.upper_words or w in stopwords()
        return m.group(1) + (", " if plain else m.group(2))

    # A sentence ends at "?", "!" or a full stop after a small letter or digit (not "U.S. Treasury"),
    # but for a title's or a place's short word (abbreviation_ends: "Dr. Maslov", "St. Petersburg").
    names = names_of(re.sub(r"(^\W*|(?:(?<=[a-z\d\"'’”)])\.|[?!])\s+)([\w\-]+)", common, question))
    # A phrase the question quotes ("what are the 'three noes'?") names what it asks about.
    quoted = [m.group(1) for m in _QUOTED.finditer(question)
              if not any(m.group(1) in n or n in m.group(1) for n in names)]
    return names + quoted


_QUOTED = re.compile(r"(?<!\w)[\"“‘'](\w[\w -]{2,40}\w)[\"”’'](?!\w)")


def topical(name: str, index: Index, share: float = TOPICAL_SHARE) -> bool:
    """Is the name a topic of the whole corpus ("China", "Putin")? Such a name
    is often implied ("Beijing", "the Russian leader") rather than repeated,
    so it is not demanded near an answer."""
    table = _tables(index).df
    n = max(len(index.chunks), 1)
    name_stems = stems(" ".join(name_words(name)))
    return bool(name_stems) and all(table.get(t, 0) >= share * n for t in name_stems)


@per_index
def _article_passages(index: Index) -> dict[str, list[frozenset[str]]]:
    """Each article's passages, as sets of stems."""
    out: dict[str, list[frozenset[str]]] = {}
    for c in index.chunks:
        out.setdefault(c.doc, []).append(frozenset(stems(c.text)))
    return out


def topical_in(name: str, index: Index, doc: str, share: float = ARTICLE_TOPIC_SHARE) -> bool:
    """Is the name what one article is about ("Dynamite" in its page, "the
    Bolivian carrier" in LaMia's), named in at least half its passages? Its
    sentences say "it", "the airline" as often as the name, as a corpus's
    topics are implied (`topical`): the names check does not demand it of a
    sentence of that article. Measured: README "Evaluation", session 26 (at
    the corpus's fifth, TOPICAL_SHARE, it let near misses through)."""
    passages = _article_passages(index).get(doc, [])
    name_stems = stems(" ".join(name_words(name)))
    held = sum(all(t in p for t in name_stems) for p in passages)
    return bool(name_stems and passages) and held >= share * len(passages)


def sentence_vector(index: Index, doc: str, span: Span) -> np.ndarray | None:
    row = index.sentence_rows.get((doc, span.start, span.end))
    return None if row is None else index.sentence_vectors[row]


def with_context(chunk: Chunk, i: int, text_of) -> Span:
    """The i-th sentence of a chunk, extended back by one sentence when it
    opens with a pronoun ("He said..."), so a quote never loses its subject,
    or with a noun the sentence before names ("... a two-day state visit.
    The visit came on the heels of Russia's annexation of Crimea")."""
    s = chunk.sentences[i]
    if i > 0:
        text = text_of(s)
        definite = _DEFINITE_START.match(text)
        if _PRONOUN_START.match(text) or (definite and re.search(rf"\b{definite.group(1)}\b",
                                                                 text_of(chunk.sentences[i - 1]), re.I)):
            return Span(chunk.sentences[i - 1].start, s.end)
    return s


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


tables = _tables  # what features.py needs of the corpus, computed once per index
