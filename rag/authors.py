"""Who wrote an article: answered from its byline.

    asks_author(question)                 does it ask who wrote an article?
    byline_answer(index, question, hits)  the byline of the article it asks about

"Who wrote The Conversation's analysis?", "who wrote the piece saying Beijing
walks a fine line?": the answer is the article's byline ("By Marcin
Kaczmarski, University of Glasgow and Natasha Kuhrt, ..."), which sits in
the page header, above the text the passages are cut from, so no passage
holds it. It is quoted and cited as a passage of its own, one line long.

The question must speak of an article or its authors ("who wrote the letter
to Xi?", "who wrote to Putin?" are about other writings). The article asked
about is, in this order of trust: the one the question names (its outlet,
author or short title, as sides.py reads them); the one whose title the
question repeats; the one of the best passage retrieved ("the piece saying
...").
"""

from __future__ import annotations

import re
from typing import Sequence

from .index import Index
from .ingest import BYLINE
from .lexical import tokenize
from .records import Chunk, Hit, Scored, Span, chunk_id
from .sides import named_articles

_ASKS_AUTHOR = re.compile(
    r"\bwho\s+(?:wrote|writes|authored|penned|co-?wrote)\b|\bwritten\s+by\s+whom\b|"
    r"\bwho\s+(?:is|was|are|were)\s+(?:the\s+)?(?:authors?|writers?)\b|\bwhose\s+(?:article|piece|analysis|report)\b|"
    r"\b(?:name|names)\s+of\s+(?:the\s+)?(?:authors?|writers?)\b", re.I)
# "Who wrote the piece saying ...?" is about an article; "who wrote the letter to Xi?" is not.
_ARTICLE = re.compile(r"\b(?:article|piece|analysis|report|story|op-ed|column|essay|commentary|editorial|"
                      r"preview|feature|post)s?\b", re.I)
TITLE_SHARE = 0.5  # the question repeats at least this share of a title's words to name it


# "Who wrote to Xi?", "who wrote that ...", "who wrote a letter": a writing, not an article.
_WROTE_OTHER = re.compile(r"\bwr(?:ote|ites)\s+(?:to|that|about|a|an|back|letters?|the\s+letters?)\b", re.I)
_AUTHOR_WORD = re.compile(r"\b(?:authors?|writers?|byline)\b", re.I)


def asks_author(question: str) -> bool:
    """Does the question ask who wrote an article ("Who wrote the Conversation's
    analysis?", "who are the authors of the piece?"), not some other writing?"""
    return bool(_ASKS_AUTHOR.search(question) and not _WROTE_OTHER.search(question)
                and (_ARTICLE.search(question) or _AUTHOR_WORD.search(question)))


def byline(index: Index, doc: str) -> Span | None:
    """The header line of the article that names its authors, if it has one
    ("By 2030, ..." above the text names nobody)."""
    a = index.articles[doc]
    body = a.kept[0].start if a.kept else len(a.text)
    surnames = [author.split()[-1] for author in a.authors if author.split()]
    for m in re.finditer(r"[^\n]+", a.text[:body]):
        if BYLINE.match(m.group(0)) and any(name in m.group(0) for name in surnames):
            start = m.start() + len(m.group(0)) - len(m.group(0).lstrip())
            return Span(start, m.start() + len(m.group(0).rstrip()))
    return None


def _asked_about(index: Index, question: str, hits: Sequence[Hit]) -> str | None:
    named = named_articles(index, question)
    if len(named) == 1:
        return next(iter(named))
    asked = set(tokenize([question])[0])
    shares = {}
    for doc, a in index.articles.items():
        title = set(tokenize([a.title])[0])
        if title:
            shares[doc] = len(title & asked) / len(title)
    best = max(shares, key=shares.get, default=None)
    if best is not None and shares[best] >= TITLE_SHARE:
        return best
    return hits[0].chunk.doc if hits else None


def byline_answer(index: Index, question: str, hits: Sequence[Hit]) -> Scored | None:
    """The byline of the article a "who wrote ...?" question asks about, as a
    quoted sentence of its own passage; None when the question asks
    something else or that article has no byline."""
    if not asks_author(question):
        return None
    doc = _asked_about(index, question, hits)
    span = byline(index, doc) if doc else None
    if span is None:
        return None
    text = index.articles[doc].text[span.start : span.end]
    chunk = Chunk(chunk_id(doc, span.start, span.end, text), doc, span.start, span.end, text, (span,))
    return Scored(Hit(chunk, 1.0, 1), span, text, 1.0, True)
