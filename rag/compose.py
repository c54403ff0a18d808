"""Quoted answers: which scored sentences make the answer, and how they read.

    choose(scored, reading)        the sentences, and whether they conflict
    compose_quoted(index, chosen)  answer text with [n] markers, and citations

An answer is the best sentence, plus others that add to it: a second
sentence at least half as likely to answer as the first; the sentence
after a chosen one when it leans on it ("This led to ...") and is as likely; for a list or comparison
question ("which countries ...", "how did X change between ..."), every
sentence that is likely enough and adds something new, from any article;
for a quantity that articles state differently (42 vs 43 meetings), both,
flagged as a conflict. Sentences of one article keep their reading order;
a comparison across articles is ordered by article date. A quotation is
shown with the sentence that names its speaker.
"""

from __future__ import annotations

from dataclasses import replace

from .features import Reading
from .index import Index
from .question import OPENS_QUOTE, SPEECH, new_numbers
from .records import Citation, Hit, Scored, Span
from .support import CITATION, near_duplicate

CONFLICT_PREFIX = "The sources differ:"
# A sentence joins the best one when it is at least this likely relative to
# it. Measured on the SQuAD training pool (README "Evaluation"): from 0.85 to
# 0.5 the answers holding a right sentence rose from 0.768 to 0.802 for 0.17
# more sentences an answer; below 0.5 each extra sentence was right far less.
JOIN_RATIO = 0.5
SECOND_MAX = 2  # sentences in an ordinary answer
GATHER_MAX = 4  # ... in a list or comparison


def same_place(a: Scored, b: Scored) -> bool:
    """The same place of one article: two overlapping spans of one document."""
    return a.hit.chunk.doc == b.hit.chunk.doc and a.span.overlaps(b.span)


def _adds(s: Scored, chosen: list[Scored]) -> bool:
    return not any(same_place(s, c) or near_duplicate(s.text, c.text) for c in chosen)


def _conflict(best: Scored, rivals: list[Scored], question: str) -> Scored | None:
    """A rival from another article, likely enough to be shown at all, that
    gives a different number for the quantity asked."""
    best_numbers = new_numbers(best.text, question)
    for s in rivals:
        numbers = new_numbers(s.text, question)
        if (s.hit.chunk.doc != best.hit.chunk.doc and s.score >= JOIN_RATIO * best.score and s.type_ok
                and numbers and best_numbers and not numbers & best_numbers):
            return s
    return None


def _continued(c: Scored, scored: list[Scored], least: float) -> Scored:
    """`c`, or the candidate that is `c` followed by the sentence that leans
    on it ("This was a huge influx ...", "He said ..."), when that one is
    likely enough: the two sentences are one statement."""
    for s in scored:
        if (s.hit.chunk.doc == c.hit.chunk.doc and s.span.start == c.span.start and s.span.end > c.span.end
                and s.score >= least):
            return s
    return c


def choose(scored: list[Scored], reading: Reading) -> tuple[list[Scored], bool]:
    """The sentences of a quoted answer (best first), and whether they conflict."""
    best = scored[0]
    least = JOIN_RATIO * best.score
    rivals = [s for s in scored[1:] if _adds(s, [best])]
    if reading.kind == "quantity":
        rival = _conflict(best, rivals, reading.question)
        if rival is not None:
            return [best, rival], True
    chosen = [_continued(best, scored, least)]
    most = GATHER_MAX if reading.list_like or reading.compare_like else SECOND_MAX
    for s in rivals:
        if len(chosen) >= most or s.score < least:
            break
        s = _continued(s, scored, least)
        if _adds(s, chosen):
            chosen.append(s)
    return chosen, False


def attribute(s: Scored, outlet: str) -> str:
    """A quotation is attributed: if the sentence opens with a quote mark and
    does not name its speaker, say where it was quoted."""
    text = neutralise(" ".join(s.text.split()))
    if OPENS_QUOTE.match(text) and not SPEECH.search(text):
        return f"Quoted in {outlet}: {text}"
    return text


def neutralise(text: str) -> str:
    """Source text with its own bracketed numbers made harmless, "[2]" -> "(2)":
    quoted text must never carry a citation marker that reads as ours."""
    return CITATION.sub(r"(\1)", text)


def make_citation(index: Index, n: int, hit: Hit, quote: Span) -> Citation:
    a = index.articles[hit.chunk.doc]
    c = hit.chunk
    return Citation(n, c.doc, a.title, a.outlet, a.date, c.start, c.end, c.text,
                    quote.start, quote.end, a.text[quote.start : quote.end])


def reading_order(index: Index, chosen: list[Scored], by_date: bool) -> list[Scored]:
    """One article: as written. Several, for a comparison: oldest article first."""
    docs = {s.hit.chunk.doc for s in chosen}
    if len(docs) == 1:
        return sorted(chosen, key=lambda s: s.span.start)
    if by_date:
        return sorted(chosen, key=lambda s: (index.articles[s.hit.chunk.doc].date or "9999", s.hit.chunk.doc,
                                             s.span.start))
    return chosen


def with_its_speaker(index: Index, s: Scored, max_back: int = 2) -> Scored:
    """A quotation that does not name its speaker, extended back to the
    sentence of its passage that does ('... said Alexander Gabuev.' before
    '“There is no other China than China. ...”'): "who said ...?" is
    answered with the name, and no quote is shown without its speaker."""
    if not OPENS_QUOTE.match(s.text) or SPEECH.search(s.text):
        return s
    text = index.articles[s.hit.chunk.doc].text
    before = [x for x in s.hit.chunk.sentences if x.end <= s.span.start][-max_back:]
    for x in reversed(before):
        if SPEECH.search(text[x.start : x.end]):
            return replace(s, span=Span(x.start, s.span.end), text=text[x.start : s.span.end])
    return s


def compose_quoted(index: Index, chosen: list[Scored], conflict: bool = False,
                   by_date: bool = False) -> tuple[str, tuple[Citation, ...]]:
    """Answer text made of the chosen source sentences, each with its [n]."""
    chosen = [with_its_speaker(index, s) for s in chosen]
    if not conflict:
        chosen = reading_order(index, chosen, by_date)
    # One citation per quoted sentence, as verify.py numbers generated ones:
    # two sentences of one passage are two citations, each with its own span.
    citations, parts = [], []
    for n, s in enumerate(chosen, 1):
        citations.append(make_citation(index, n, s.hit, s.span))
        parts.append(f"{attribute(s, index.articles[s.hit.chunk.doc].outlet)} [{n}]")
    text = " ".join(parts)
    if conflict:
        text = f"{CONFLICT_PREFIX} {text}"
    return text, tuple(citations)
