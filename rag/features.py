"""Candidate answer sentences and the evidence about each, as numbers.

    candidates(index, hits)                 every sentence of the retrieved passages
    read_question(index, question, ...)     what the question asks, computed once
    featurize(index, reading, cands, qvec)  one row of FEATURES per candidate

No rule here decides anything. Each check the project used to apply as a
veto (is every name the question asks about mentioned? does the sentence
hold a number for "how many"?) is now one feature among many, and a model
fitted on labelled questions (scorer.py, fitted by train.py) weighs them.
A check earns its weight on data, not by being written down.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from .followup import asks_anew, continued, elliptical, without_marker
from .index import Index, per_index
from .lexical import tokenize
from .question import (CAUSAL, JOINING, LEAD, NEGATION, SPEECH, OPENS_QUOTE, abbreviates, answer_type,
                       name_present, numbers_in, describes_someone, speaker, type_matches, words)
from .records import Hit, Span
from .support import (coverage, idf, question_names, sentence_vector, tables, topical, topical_in, with_context,
                      with_speaker)

KINDS = ("outcome", "quantity", "date", "person", "named", "place", "reason", "speech", "any")
# A list asks for several things: a plural head noun right after "which"/"what"
# ("Which Central Asian countries saw ...", "What goods does ..."), or "what
# kinds of", "name the three ...".
_LIST_Q = re.compile(r"\b(?:which|what)\s+(?:[\w-]+\s+){0,3}?(?!(?:is|was|has|does|this|his|its|us|as)\b)"
                     r"[a-z][a-z-]*[^s\W]s\s+(?:did|do|does|are|were|have|has|had|will|would|can|could|is|was|"
                     r"in|of|from|to|that|for|on|made|make|said|give|gave|were|does)\b|"
                     r"\bwhat (?:kinds?|types?|sorts?|forms?) of\b|\b(?:list|name) (?:the|all|some|two|three|four)\b|"
                     r"\bwhat are the\W+(?:two|three|four|five|main|key)\b|"
                     # "Which Chinese goods help ...?", "According to the piece, what Chinese-supplied
                     # goods help ...?": opening a sentence of the question, a plural after a name, a number or a
                     # compound that qualifies it, then a word that is no article, conjunction or
                     # pronoun and does not end in a single "s" (a verb in the plural: "help", not
                     # "hosts"). Not "what makes day length constant?" (no qualifier), "what US census
                     # revealed" ("-us", "-is" are no plurals), "..., which Chinese officials called".
                     r"(?:^|[.?!]\s+)\W*" + JOINING + r"(?:according to [^,?]{1,80},\s*)?(?:which|what)\s+"
                     r"(?:(?-i:[A-Z][\w’'-]*|[a-z]+-[\w-]+|\d+)\s+){1,2}(?-i:[a-z][a-z-]*[^siu\W]s)\s+"
                     r"(?!(?:a|an|the|and|or|but|than|as|at|by|it|he|she|they|we|you)\b)(?-i:[a-z]+)(?<![^s]s)\b|" +
                     # "Which Central Asian states saw ...": a plural after an opening "which",
                     # then a verb in the past ("Which university hosts Putin?" is one).
                     LEAD + r"which\s+(?:[\w-]+\s+){0,3}?(?!(?:is|was|has|does|this|his|its|us|as)\b)[a-z][a-z-]*[^s\W]s\s+"
                     r"(?:[a-z]+ed|saw|got|went|took|made|gave|came|rose|fell|grew|won|led|left|met|paid|sold|sent|"
                     r"ran|became|began|built|bought|held|kept|lost|found|brought|chose|drew|spent|stood)\b",
                     re.I)
# A comparison pairs two sides: two years, two sources, two things.
_COMPARE_Q = re.compile(r"\b(?:compare[sd]?|comparison|differ(?:s|ed|ence|ent)?|disagree|versus|vs\.?)\b|"
                        r"\bdo (?:the )?(?:articles|sources|reports|outlets) agree\b|"
                        r"\b(?:change[ds]?|grow|grew|rise|rose|fall|fell) (?:between|from|since)\b|"
                        r"\bbetween (?:1[5-9]|20)\d\d and (?:1[5-9]|20)\d\d\b|\bcompared (?:with|to)\b|"
                        # "Which came first, the Flyin-Saucer or the Pluto Platter?", "Does the
                        # Kalahari or the Namib support more life?": one of two, by a measure.
                        r"\b(?:first|earlier|later|older|younger|larger|bigger|smaller|longer|shorter|more|fewer|"
                        r"higher|lower|before or after|as \w+ as)\b[^?]*\bor\b|\bor\b[^?]*\b(?:first|earlier|later|"
                        r"older|younger|larger|bigger|smaller|longer|shorter|more|fewer|higher|lower)\b", re.I)


@dataclass(frozen=True)
class Candidate:
    """A sentence of a retrieved passage that might answer the question."""

    hit: Hit
    sentence: Span  # the sentence itself
    span: Span  # ... with the sentence before it when it opens with "He"/"So"
    text: str  # the text of `span`


@dataclass(frozen=True)
class Reading:
    """What a question asks for, computed once per question."""

    question: str
    terms: tuple[str, ...]  # stemmed key terms
    focus_terms: tuple[str, ...]  # a follow-up's own words ("And coal?")
    names: tuple[str, ...]  # names it asks about
    demanded: tuple[str, ...]  # ... that are not a topic of the whole corpus, nor describe someone by role
    kind: str  # answer type (question.answer_type)
    numbers: frozenset[str]  # numerals it names ("2023")
    speaker_terms: frozenset[str]  # "foreign ministry" of "what did the foreign ministry say"
    negated: bool
    list_like: bool  # "which countries ...": an answer may gather several sentences
    compare_like: bool  # "how did X change between ...": an answer pairs two sides


def is_list_question(question: str) -> bool:
    return bool(_LIST_Q.search(question))


# "10 or more ministers", "more or less settled": no two things set against each other.
_NOT_A_CHOICE = re.compile(r"\bmore or less\b|\bor (?:more|less|fewer|so|later|earlier|longer)\b", re.I)


def is_compare_question(question: str) -> bool:
    return bool(_COMPARE_Q.search(_NOT_A_CHOICE.sub(" ", question)))


def read_question(index: Index, question: str, focus: str = "", asked: str | None = None) -> Reading:
    """`asked`: the user's own words of a follow-up that carries the question
    before it: their names, and the kind of answer they ask for if they have
    a question word ("Why was that stop significant?" after "How many ...?"
    asks why, not how many; "And coal?", "What about coal?" ask what the
    question before them asked)."""
    own = question if asked is None else asked
    names = question_names(own, index)
    shape = own if asks_anew(own) else question  # what kind of answer is asked for
    who = tokenize([re.sub(r"\b[A-Z][\w’']*", " ", speaker(question))])[0]
    return Reading(
        question=question, terms=tuple(tokenize([without_marker(question)])[0]),
        focus_terms=tuple(tokenize([continued(focus)])[0]) if focus else (),
        names=tuple(names),
        demanded=tuple(n for n in names if not topical(n, index) and not describes_someone(n, own)),
        kind=answer_type(shape), numbers=frozenset(numbers_in(question)), speaker_terms=frozenset(who),
        negated=bool(NEGATION.search(question)), list_like=is_list_question(shape),
        compare_like=is_compare_question(shape))


_ENDS_SENTENCE = re.compile(r"[.!?…:;][”\"’')\]]*\s*$")


def _alone_on_line(text: str, span: Span) -> bool:
    """Nothing but white space (or masked markup) beside the span on its line."""
    line_start = text.rfind("\n", 0, span.start) + 1
    line_end = text.find("\n", span.end)
    return not text[line_start : span.start].strip() and not text[span.end : len(text) if line_end < 0 else line_end].strip()


def is_heading(text: str, span: Span) -> bool:
    """A line of its own without a sentence's end or a number ("Protected
    areas", "- Khutse Game Reserve", "Opposition to evolution"): a heading, a
    list item or page furniture, never an answer by itself (a list's items
    come with the sentence announcing them: compose.py). A short line with a
    number ("Population 2,300 (2011 census)") may state a fact: it stays;
    years in brackets after a heading ("Rolls-Royce (1931–1970)") state none."""
    line = _HEADING_YEARS.sub("", text[span.start : span.end])
    return (len(line.split()) <= 10 and not _ENDS_SENTENCE.search(line) and not re.search(r"\d", line)
            and _alone_on_line(text, span))


_HEADING_YEARS = re.compile(r"\s*\((?:c\.\s*)?\d{3,4}s?(?:\s*[–-]\s*(?:\d{2,4}|present))?\)\s*$")


def candidates(index: Index, hits: Sequence[Hit]) -> list[Candidate]:
    """Every sentence of the passages, once, in retrieval order (headings and
    list items on their own lines are not)."""
    seen, out = set(), []
    for hit in hits:
        c = hit.chunk
        text = index.articles[c.doc].text
        for i, s in enumerate(c.sentences):
            if is_heading(text, s):
                continue
            span = with_context(c, i, lambda sp: text[sp.start : sp.end])
            if (c.doc, span.start, span.end) not in seen:
                seen.add((c.doc, span.start, span.end))
                out.append(Candidate(hit, s, span, text[span.start : span.end]))
    return out


FEATURES = (
    "dense", "dense_gap", "dense_rank", "coverage", "coverage_gap", "coverage_rank", "coverage_near",
    "coverage_passage", "coverage_title", "coverage_prev", "coverage_next", "coverage_focus", "key_terms",
    "bigrams", "missing_best_term", "coverage_not_names", "unseen_terms", "names_share", "names_all", "no_names",
    "numbers_in_passage", "speaker_ok", "focus_ok",
    "retrieval", "retrieval_rank", "bm25", "type_ok", *(f"type_ok_{k}" for k in KINDS),
    *(f"kind_{k}" for k in KINDS), "reason_given", "new_words", "length", "negation_mismatch", "has_number",
    "quoted_speech", "with_context", "items", "list_items", "dense_adapted", "dense_adapted_gap",
)

# What separates a list's items: ", ", "; ", " and ", " or " (", and" counts once: the
# comma takes the space " and " would need, so "A, B, and C" counts 2 as "A, B and C" does).
_ITEM_SEPARATORS = re.compile(r"[,;]\s|\s(?:and|or)\s")


def items_in(sentence: str) -> float:
    """How many things a sentence may list, as log(1 + separators): "with a
    musket, a hatchet, a knife, a cooking pot, a Bible, bedding and some
    clothes" has 6. A graded count, not a test (compose._ENUMERATION is one):
    the fitted weights say how much it tells, alone and for a list question
    (measured: README "Evaluation", session 26)."""
    return math.log1p(len(_ITEM_SEPARATORS.findall(sentence)))


def _bigrams(stems: Sequence[str]) -> set[tuple[str, str]]:
    return set(zip(stems, stems[1:]))


def ranks(values: np.ndarray) -> np.ndarray:
    """1 for the largest value, 2 for the next, ... (ties in the order given)."""
    r = np.empty(len(values))
    r[np.argsort(-values, kind="stable")] = np.arange(1, len(values) + 1)
    return r


def _neighbour(index: Index, doc: str, span: Span, after: bool) -> str:
    """The sentence just before `span`, or just after it ("" at the article's edge)."""
    t = tables(index)
    sents, starts = t.sentences.get(doc, []), t.starts.get(doc, [])
    i = bisect_left(starts, span.end) if after else bisect_left(starts, span.start) - 1
    return index.articles[doc].text[sents[i].start : sents[i].end] if 0 <= i < len(sents) else ""


def _same_paragraph(text: str, end: int, following: str) -> bool:
    """Does `following`, the sentence after the one ending at `end`, go on in its paragraph?"""
    start = text.find(following, end) if following else -1
    return start >= 0 and "\n" not in text[end:start]


# "in Moscow", "to Beijing", "from China": a name the corpus puts after these is a place.
_AT_PLACE = re.compile(r"\b(?:in|to|from|at|near|across|throughout|within|into|outside|around)\s+([A-Z][\w’'-]+)")


@per_index
def one_word_names(index: Index) -> frozenset[str]:
    """Words that can name a person on their own ("Fahrenheit visited him"):
    those the corpus writes only as names, less those it also writes as
    places. A "who" question is not answered by "The talks were in Moscow"."""
    places = {m.group(1).lower() for c in index.chunks for m in _AT_PLACE.finditer(c.text)}
    return tables(index).proper_words - places


def featurize(index: Index, q: Reading, cands: Sequence[Candidate], question_vec: np.ndarray,
              adapted_vec: np.ndarray | None = None) -> np.ndarray:
    """A (len(cands), len(FEATURES)) matrix of evidence, one row per candidate
    (`adapted_vec`: the question moved by the scorer's adapter, adapter.py;
    without one, "dense_adapted" is MiniLM's similarity again)."""
    adapted_vec = question_vec if adapted_vec is None else adapted_vec
    if not cands:
        return np.zeros((0, len(FEATURES)))
    weights = idf(index)
    table, unseen = weights
    t = tables(index)
    one_names = one_word_names(index)
    terms = list(q.terms)
    term_weight = {s: table.get(s, unseen) for s in terms}
    best_term = max(term_weight.values(), default=1.0) or 1.0
    q_bigrams = _bigrams(terms)
    q_set = set(terms)
    # The relation asked about ("visit", "give", "agree") lives in the terms
    # that are not names: a near miss shares the names and misses these.
    name_stems = set(tokenize([" ".join(q.names)])[0]) if q.names else set()
    relation = [st for st in terms if st not in name_stems]
    # Terms the corpus never uses: the question is about something else.
    unseen_share = (sum(term_weight[st] for st in terms if st not in t.df) / sum(term_weight.values())
                    if terms else 0.0)
    top = max((c.hit.score for c in cands), default=0.0) or 1.0
    top_bm25 = max((c.hit.bm25_score or 0.0 for c in cands), default=0.0) or 1.0
    # Every text a feature reads, tokenized in one batch (the tokenizer's
    # per-call cost dominates on short sentences).
    near_spans = [with_speaker(index, c.hit.chunk.doc, c.span) for c in cands]
    near_texts = [index.articles[c.hit.chunk.doc].text[sp.start : sp.end] for c, sp in zip(cands, near_spans)]
    prev = [_neighbour(index, c.hit.chunk.doc, c.span, after=False) for c in cands]
    nxt = [_neighbour(index, c.hit.chunk.doc, c.span, after=True) for c in cands]
    passages = {c.hit.chunk.id: c.hit.chunk.text for c in cands}
    # A demanded name that is what an article is about: read once per name and
    # article (it scans the article's passages), not once per candidate.
    docs = {c.hit.chunk.doc for c in cands}
    article_topic = {(nm, doc): topical_in(nm, index, doc) for nm in q.demanded for doc in docs}
    titles = {c.hit.chunk.doc: index.articles[c.hit.chunk.doc].title for c in cands}
    texts = [c.text for c in cands] + near_texts + prev + nxt + list(passages.values()) + list(titles.values())
    ordered = tokenize(texts)
    tokens = [set(t) for t in ordered]
    n = len(cands)
    stems, near_stems, prev_stems, next_stems = (tokens[i * n : (i + 1) * n] for i in range(4))
    passage_stems = dict(zip(passages, tokens[4 * n : 4 * n + len(passages)]))
    title_stems = dict(zip(titles, tokens[4 * n + len(passages) :]))
    sentence_lengths = [len(t.split()) for t in (c.text for c in cands)]
    rows = []
    for i, c in enumerate(cands):
        doc = c.hit.chunk.doc
        article = index.articles[doc]
        vec = sentence_vector(index, doc, c.sentence)
        dense = float(vec @ question_vec) if vec is not None else 0.0
        present = stems[i]
        own = words(c.text) | t.meta_words[doc]
        near_text = near_texts[i]
        near = words(near_text) | own
        in_article = t.doc_words[doc]
        cov = coverage(terms, present, weights, q.names, own, near, in_article)
        cov_near = coverage(terms, near_stems[i], weights, q.names, near, near, in_article)
        cov_focus = (coverage(list(q.focus_terms), present, weights, q.names, own, near, in_article)
                     if q.focus_terms else cov)
        # In a follow-up ("And coal?") the user's own words weigh as much as
        # the whole rewritten question: otherwise the context outvotes them.
        cov = (cov + cov_focus) / 2
        found = [nm for nm in q.demanded if name_present(nm, near, in_article) or abbreviates(nm, article.title)
                 or article_topic[nm, doc]]
        missing = [term_weight[st] for st in terms if st not in present]
        passage_numbers = numbers_in(f"{c.hit.chunk.text} {article.date} {article.title}")
        # "Which countries ...?": a sentence may announce the list the next one
        # in its paragraph names ("exports to central Asian countries surged.
        # Compared with 2021, exports to Kyrgyzstan, ...").
        typed_text = (f"{c.text} {nxt[i]}" if q.kind == "named" and q.list_like and
                      _same_paragraph(article.text, c.span.end, nxt[i]) else c.text)
        type_ok = type_matches(q.kind, typed_text, q.question, one_names)
        new = present - q_set
        items = items_in(article.text[c.sentence.start : c.sentence.end])  # its own list, not the one before
        rows.append([
            dense, 0.0, 0.0, cov, 0.0, 0.0, cov_near,
            coverage(terms, passage_stems[c.hit.chunk.id], weights), coverage(terms, title_stems[doc], weights),
            coverage(terms, prev_stems[i], weights), coverage(terms, next_stems[i], weights), cov_focus,
            len(q_set & present) / max(len(q_set), 1),
            len(q_bigrams & _bigrams(ordered[i])) / len(q_bigrams) if q_bigrams else 0.0,
            max(missing, default=0.0) / best_term,
            coverage(relation, present, weights) if relation else 1.0, unseen_share,
            len(found) / len(q.demanded) if q.demanded else 1.0,
            float(len(found) == len(q.demanded)), float(not q.demanded),
            float(q.numbers <= passage_numbers), float(q.speaker_terms <= near_stems[i]),
            # "And coal?" continues the question before it about something new:
            # the answer names that new thing, or it answers the question before.
            float(not (q.focus_terms and elliptical(q.question)) or cov_focus > 0),
            c.hit.score / top, 1.0 / c.hit.rank, (c.hit.bm25_score or 0.0) / top_bm25,
            float(type_ok), *(float(type_ok and q.kind == k) for k in KINDS), *(float(q.kind == k) for k in KINDS),
            float(q.kind == "reason" and bool(CAUSAL.search(c.text))),
            len(new) / max(len(present), 1), math.log1p(sentence_lengths[i]),
            float(q.negated != bool(NEGATION.search(c.text))),
            float(bool(numbers_in(c.text) - q.numbers)),
            float(bool(SPEECH.search(c.text) or OPENS_QUOTE.match(c.text))),
            float(c.span != c.sentence),
            items, items if q.list_like else 0.0,
            float(vec @ adapted_vec) if vec is not None else 0.0, 0.0,
        ])
    x = np.asarray(rows, dtype=np.float64)
    # Where a candidate stands among its rivals matters as much as its value:
    # the best-covered sentence of a weak set is still the best.
    col = {name: i for i, name in enumerate(FEATURES)}
    for value, gap, rank in (("dense", "dense_gap", "dense_rank"), ("coverage", "coverage_gap", "coverage_rank")):
        v = x[:, col[value]]
        x[:, col[gap]] = v - v.max()
        x[:, col[rank]] = 1.0 / ranks(v)  # 1, 1/2, 1/3, ...: a rank as a bounded feature
    return with_adapted(x, x[:, col["dense_adapted"]])


def with_adapted(x: np.ndarray, similarities: np.ndarray) -> np.ndarray:
    """`x` with "dense_adapted" and its gap to the best set from these
    similarities (train.py refills them once the adapter is fitted)."""
    x = x.copy()
    if len(x):
        x[:, FEATURES.index("dense_adapted")] = similarities
        x[:, FEATURES.index("dense_adapted_gap")] = similarities - similarities.max()
    return x
