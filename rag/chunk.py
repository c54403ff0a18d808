"""Sentence splitting and chunking, with exact offsets.

A chunk is a run of whole sentences of one article whose file slice is
exactly its text. Chunks never cross removed furniture (an "ADVERTISEMENT"
line between two paragraphs ends one chunk and starts the next), because a
citation must open a passage that is all article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pysbd

from .records import Article, Chunk, Span, chunk_id


@dataclass(frozen=True)
class ChunkerSettings:
    words: int = 120  # pack sentences up to this many words
    overlap: int = 1  # sentences shared by consecutive chunks

    def as_dict(self) -> dict:
        # The splitter's name includes its window and the version of `rejoin`:
        # they decide where sentences end, so an index built with others is stale.
        return {"unit": "sentences", "words": self.words, "overlap": self.overlap,
                "splitter": f"pysbd-0.3-w{WINDOW}-rejoin{REJOIN_VERSION}"}


@lru_cache(maxsize=1)
def _segmenter() -> pysbd.Segmenter:
    return pysbd.Segmenter(language="en", clean=False)


# pysbd's time grows with the square of its input (a 74 kB paragraph took 9 s,
# a 1 MB one would take most of an hour), so a long paragraph is fed to it in
# windows of this many characters: per character it is cheapest around 1-2 kB,
# and nearly every paragraph of a news article is shorter than that anyway.
WINDOW = 2000


def _pysbd_spans(text: str, offset: int) -> list[Span]:
    """pysbd's sentences of `text` as exact spans. pysbd gives the sentence
    strings; we find each one in order, so the spans are exact even where its
    own char offsets would drift. Text pysbd did not return (it should not
    happen) becomes a sentence of its own: nothing is ever lost."""
    spans, cursor = [], 0
    for piece in _segmenter().segment(text):
        piece = piece.strip()
        at = text.find(piece, cursor) if piece else -1
        if at < 0:
            continue
        spans.append((at, at + len(piece)))
        cursor = at + len(piece)
    bounds = [0] + [b for span in spans for b in span] + [len(text)]
    for a, b in zip(bounds[0::2], bounds[1::2]):  # the gaps between sentences
        gap = text[a:b]
        if gap.strip():
            start = a + len(gap) - len(gap.lstrip())
            spans.append((start, start + len(gap.strip())))
    return [Span(offset + a, offset + b) for a, b in sorted(spans)]


def _last_space(text: str, lo: int, hi: int) -> int:
    """Index of the last whitespace character in text[lo:hi], or -1."""
    for i in range(hi - 1, lo - 1, -1):
        if text[i].isspace():
            return i
    return -1


def split_sentences(text: str, offset: int = 0, window: int = WINDOW) -> list[Span]:
    """Sentence spans of `text` (shifted by `offset`), whitespace trimmed.

    Time is linear in the length of `text`: beyond `window` characters, pysbd
    splits one window at a time; the window's last sentence may be cut off,
    so it is dropped and the next window starts where it started. A window
    with no sentence end in it (one "sentence" longer than the window) is cut
    at its last space.
    """
    spans, pos = [], 0
    while len(text) - pos > window:
        found = _pysbd_spans(text[pos : pos + window], offset + pos)
        if len(found) >= 2:
            spans += found[:-1]
            pos = found[-1].start - offset
            continue
        space = _last_space(text, pos + window // 2, pos + window)
        cut = space + 1 if space >= 0 else pos + window
        piece = text[pos:cut]
        if piece.strip():
            start = pos + len(piece) - len(piece.lstrip())
            spans.append(Span(offset + start, offset + start + len(piece.strip())))
        pos = cut
    return spans + _pysbd_spans(text[pos:], offset + pos)


# pysbd ends a sentence at some abbreviations that seldom end one: "in c. 1819",
# "ca. 2 million", "No. 5" before a number; "the Hon. Peter Ryan", "Trinity-St.
# Paul's" before a name. And a sentence never opens on a lower-case word or a
# semicolon ("the degree of LL.D. was conferred", "Cooper Jr.; ..."): that is one
# sentence cut in two, so a candidate answer would lose its half. Not "iPhone sales
# rose", "mRNA vaccines", "de Gaulle was born": a name may open in lower case. A
# piece opening on a comma or a bracket is left alone: ", the island had ..." is
# what is left of a sentence whose first words a page's markup took, "(b) to excise
# ..." an item. Only an article's sentences are joined: a generated answer is
# checked in pysbd's finer pieces, so that "... [1]. and then ..." keeps its cited half.
REJOIN_VERSION = 1  # raise when the rules below change: built indexes go stale
_BEFORE_NUMBER = re.compile(r"(?:^|[\s(])(?:c|ca|circa|no|nos|vol|vols|pp?|fl|nr|fig|figs|ch|op|cf)\.$", re.I)
_BEFORE_NAME = re.compile(r"(?:^|[\s(-])(?:St|Dr|Mr|Mrs|Ms|Mt|Ft|Prof|Gen|Col|Capt|Lt|Sgt|Rev|Hon|Sen|Gov|Adm|Maj|"
                          r"Messrs)\.$")
_GOES_ON = re.compile(r"[\"“‘']?(?!(?:de|van|von|du|da|di|al|bin|ibn|le|la)\s+[A-Z])[a-z]+(?![A-Z\d])|;")
# A line ends, whatever the file's convention ("\r\n" is one end; compose counts them).
LINE_BREAKS = re.compile(r"\r\n|[\n\r\f\v\x85\u2028\u2029]")


def _one_sentence(before: str, gap: str, after: str) -> bool:
    """Are two pieces pysbd split, with `gap` (white space) between them, one sentence?"""
    if LINE_BREAKS.search(gap):
        return False  # a line break ends a sentence, or a heading, whatever its last word
    return bool((_BEFORE_NUMBER.search(before) and after[:1].isdigit()) or
                (_BEFORE_NAME.search(before) and after[:1].isupper()) or _GOES_ON.match(after))


def rejoin(text: str, spans: list[Span]) -> list[Span]:
    """Sentence `spans` of `text` with the wrongly split ones joined, never past
    WINDOW characters: a long run with no sentence end (a flattened list) stays
    cut where split_sentences cut it."""
    out: list[Span] = []
    for span in spans:
        if (out and span.end - out[-1].start <= WINDOW and
                _one_sentence(text[out[-1].start : out[-1].end], text[out[-1].end : span.start],
                              text[span.start : span.end])):
            out[-1] = Span(out[-1].start, span.end)
        else:
            out.append(span)
    return out


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
        i = max(j - max(overlap, 0), i + 1)  # always advance, never skip a sentence
    return windows


def chunk_article(article: Article, settings: ChunkerSettings = ChunkerSettings()) -> list[Chunk]:
    chunks = []
    for group in segments(article):
        sents = rejoin(article.text, [s for span in group
                                      for s in split_sentences(article.text[span.start : span.end], span.start)])
        for window in pack(sents, article.text, settings.words, settings.overlap):
            start, end = window[0].start, window[-1].end
            text = article.text[start:end]
            chunks.append(Chunk(chunk_id(article.doc, start, end, text), article.doc, start, end, text, tuple(window)))
    return chunks


def chunk_corpus(articles, settings: ChunkerSettings = ChunkerSettings()) -> list[Chunk]:
    return [c for a in articles for c in chunk_article(a, settings)]
