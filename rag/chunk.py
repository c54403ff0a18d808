"""Sentence splitting and chunking, with exact offsets.

A chunk is a run of whole sentences of one article whose file slice is
exactly its text. Chunks never cross removed furniture (an "ADVERTISEMENT"
line between two paragraphs ends one chunk and starts the next), because a
citation must open a passage that is all article.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import pysbd

from .records import Article, Chunk, Span, chunk_id


@dataclass(frozen=True)
class ChunkerSettings:
    words: int = 120  # pack sentences up to this many words
    overlap: int = 1  # sentences shared by consecutive chunks

    def as_dict(self) -> dict:
        return {"unit": "sentences", "words": self.words, "overlap": self.overlap, "splitter": "pysbd-0.3"}


@lru_cache(maxsize=1)
def _segmenter() -> pysbd.Segmenter:
    return pysbd.Segmenter(language="en", clean=False)


def split_sentences(text: str, offset: int = 0) -> list[Span]:
    """Sentence spans of `text` (shifted by `offset`), whitespace trimmed.

    pysbd gives the sentence strings; we find each one in order, so the spans
    are exact even where pysbd's own char offsets would drift.
    """
    spans, cursor = [], 0
    for piece in _segmenter().segment(text):
        piece = piece.strip()
        if not piece:
            continue
        at = text.find(piece, cursor)
        if at < 0:  # should not happen; never lose text because of it
            continue
        spans.append(Span(offset + at, offset + at + len(piece)))
        cursor = at + len(piece)
    return spans


def segments(article: Article) -> list[list[Span]]:
    """Groups of kept spans that are contiguous in the file: only whitespace
    lies between two spans of the same group."""
    groups: list[list[Span]] = []
    for span in article.kept:
        if groups and not article.text[groups[-1][-1].end : span.start].strip():
            groups[-1].append(span)
        else:
            groups.append([span])
    return groups


def pack(sents: list[Span], text: str, words: int, overlap: int) -> list[list[Span]]:
    """Greedy packing of sentences into windows of at most `words` words
    (a longer sentence stands alone), consecutive windows sharing `overlap`
    sentences."""
    if not sents:
        return []
    lengths = [len(text[s.start : s.end].split()) for s in sents]
    windows, i = [], 0
    while i < len(sents):
        j, total = i, 0
        while j < len(sents) and (j == i or total + lengths[j] <= words):
            total += lengths[j]
            j += 1
        windows.append(sents[i:j])
        if j >= len(sents):
            break
        i = max(j - overlap, i + 1)  # always advance
    return windows


def chunk_article(article: Article, settings: ChunkerSettings = ChunkerSettings()) -> list[Chunk]:
    chunks = []
    for group in segments(article):
        sents = [s for span in group for s in split_sentences(article.text[span.start : span.end], span.start)]
        for window in pack(sents, article.text, settings.words, settings.overlap):
            start, end = window[0].start, window[-1].end
            text = article.text[start:end]
            chunks.append(Chunk(chunk_id(article.doc, start, end, text), article.doc, start, end, text, tuple(window)))
    return chunks


def chunk_corpus(articles, settings: ChunkerSettings = ChunkerSettings()) -> list[Chunk]:
    return [c for a in articles for c in chunk_article(a, settings)]
