"""Questions in, grounded answers out.

    answer_stream(index, question, history, mode)  yields Events:
        retrieved -> (token ...) -> final

Both modes start the same way: check the question, rewrite a follow-up into
a standalone question, retrieve passages, score every sentence of those
passages as an answer (support.py), and decide whether the passages answer
the question at all. Then:

- quoted: the answer *is* the best supporting source sentences, each cited;
- generated: the model writes from numbered passages, and every sentence is
  verified against the passages it cites (verify.py); what fails is dropped
  or replaced by the supporting source sentence, and an answer with nothing
  left falls back to the quoted one.
"""

from __future__ import annotations

import re
import time
import unicodedata
from dataclasses import dataclass, replace
from typing import Iterator

from .api import search
from .errors import BadQuestion, GeneratorUnavailable
from .followup import own_words, rewrite
from .index import Index
from .records import Answer, Citation, Hit, Span
from .settings import Settings, from_env
from .question import OPENS_QUOTE, SPEECH, answer_type, new_numbers
from .support import MIN_COVERAGE, SUPPORT_THRESHOLD, Scored, near_duplicate, score_sentences

ABSTAIN_TEXT = ("The articles don't say. None of the passages I found answers this question; "
                "the closest ones are listed as related reading.")
CONFLICT_PREFIX = "The sources differ:"
MAX_HISTORY_TURNS = 6
SECOND_SENTENCE_RATIO = 0.85  # a second sentence joins when it scores this close to the best

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\ufeff]")


def check_question(question: str, max_chars: int = 500) -> str:
    """The question, tidied, or BadQuestion saying what is wrong with it."""
    if not isinstance(question, str):
        raise BadQuestion("the question must be text")
    q = unicodedata.normalize("NFC", _CONTROL.sub(" ", question))
    q = " ".join(q.split())
    if not q:
        raise BadQuestion("the question is empty; type a question about the articles")
    if len(q) > max_chars:
        raise BadQuestion(f"the question is {len(q)} characters long; the limit is {max_chars}")
    if not any(ch.isalnum() for ch in q):
        raise BadQuestion("the question has no words in it")
    return q


def clean_history(history, max_chars: int = 2000) -> list[tuple[str, str]]:
    """The last few (user, bot) turns as clean strings; anything else is dropped."""
    turns = []
    for turn in list(history or [])[-MAX_HISTORY_TURNS:]:
        if isinstance(turn, (list, tuple)) and len(turn) == 2:
            user, bot = (" ".join(_CONTROL.sub(" ", str(x or "")).split())[:max_chars] for x in turn)
            if user:
                turns.append((user, bot))
    return turns


@dataclass(frozen=True)
class Event:
    kind: str  # "retrieved" | "token" | "final"
    hits: tuple[Hit, ...] = ()
    text: str = ""
    answer: Answer | None = None


# --- quoted answers ----------------------------------------------------------


def _overlaps(a: Scored, b: Scored) -> bool:
    return a.hit.chunk.doc == b.hit.chunk.doc and a.span.overlaps(b.span)


def decide(scored: list[Scored]) -> bool:
    """True when the best sentence answers the question (else: abstain).

    Dense similarity alone can carry a sentence on the right topic past the
    threshold; one that shares almost none of the question's key terms
    ("trade grew 25%" for "what share was conducted in dollars?") is not an
    answer, however close its embedding."""
    return (bool(scored) and scored[0].type_ok and scored[0].score >= SUPPORT_THRESHOLD
            and scored[0].coverage >= MIN_COVERAGE)


def choose(scored: list[Scored], question: str) -> tuple[list[Scored], bool]:
    """The sentences of a quoted answer, and whether they conflict.

    A quantity asked about and answered with different numbers by different
    articles (42 vs 43 meetings) is a conflict: both are shown and cited.
    """
    best = scored[0]
    rivals = [s for s in scored[1:] if s.type_ok and s.score >= SUPPORT_THRESHOLD and not _overlaps(s, best)]
    if answer_type(question) == "quantity":
        best_numbers = new_numbers(best.text, question)
        for s in rivals:
            numbers = new_numbers(s.text, question)
            if (s.hit.chunk.doc != best.hit.chunk.doc and s.score >= 0.8 * best.score
                    and s.coverage >= 0.8 * best.coverage and numbers and best_numbers
                    and not numbers & best_numbers):
                return [best, s], True
    for s in rivals:
        if s.score >= SECOND_SENTENCE_RATIO * best.score and not near_duplicate(s.text, best.text):
            return [best, s], False
    return [best], False


def _display(text: str) -> str:
    return " ".join(text.split())


def attribute(s: Scored, outlet: str) -> str:
    """A quotation is attributed: if the sentence opens with a quote mark and
    does not name its speaker, say where it was quoted."""
    text = _display(s.text)
    if OPENS_QUOTE.match(text) and not SPEECH.search(text):
        return f"Quoted in {outlet}: {text}"
    return text


def make_citation(index: Index, n: int, hit: Hit, quote: Span) -> Citation:
    a = index.articles[hit.chunk.doc]
    c = hit.chunk
    return Citation(n, c.doc, a.title, a.outlet, a.date, c.start, c.end, c.text,
                    quote.start, quote.end, a.text[quote.start : quote.end])


def compose_quoted(index: Index, chosen: list[Scored], conflict: bool) -> tuple[str, tuple[Citation, ...]]:
    """Answer text made of the chosen source sentences, each with its [n]."""
    if not conflict and len({s.hit.chunk.doc for s in chosen}) == 1:
        chosen = sorted(chosen, key=lambda s: s.span.start)  # reading order within one article
    numbers: dict[str, int] = {}
    citations, parts = [], []
    for s in chosen:
        if s.hit.chunk.id not in numbers:
            numbers[s.hit.chunk.id] = len(numbers) + 1
            citations.append(make_citation(index, numbers[s.hit.chunk.id], s.hit, s.span))
        parts.append(f"{attribute(s, index.articles[s.hit.chunk.doc].outlet)} [{numbers[s.hit.chunk.id]}]")
    text = " ".join(parts)
    if conflict:
        text = f"{CONFLICT_PREFIX} {text}"
    return text, tuple(citations)


# --- the pipeline --------------------------------------------------------------


def answer_stream(
    index: Index,
    question: str,
    history=(),
    mode: str | None = None,
    settings: Settings | None = None,
    generator=None,
) -> Iterator[Event]:
    """Answer a question, yielding progress events; the last is "final"."""
    s = settings or from_env()
    mode = mode or s.mode
    if mode not in ("quoted", "generated"):
        raise BadQuestion(f"unknown answer mode {mode!r}; use 'quoted' or 'generated'")
    t0 = time.perf_counter()
    q = check_question(question, s.max_question_chars)
    turns = clean_history(history)
    standalone, query = rewrite(q, turns)
    hits = tuple(search(index, query, k=s.k, settings=s))
    timings = {"retrieve_ms": (time.perf_counter() - t0) * 1000}
    yield Event("retrieved", hits=hits)

    qvec = index.embedder.embed([standalone])[0]
    scored = score_sentences(index, standalone, qvec, list(hits), focus=q if standalone != q else "",
                             asked=own_words(standalone))
    base = Answer(question=q, text="", citations=(), abstained=False, mode=mode, hits=hits,
                  standalone_question=standalone)
    if not decide(scored):
        timings["total_ms"] = (time.perf_counter() - t0) * 1000
        yield Event("final", answer=replace(base, text=ABSTAIN_TEXT, abstained=True, related=hits[:3],
                                            timings=timings))
        return

    chosen, conflict = choose(scored, standalone)
    quoted_text, quoted_citations = compose_quoted(index, chosen, conflict)
    if mode == "quoted":
        timings["total_ms"] = (time.perf_counter() - t0) * 1000
        yield Event("final", answer=replace(base, text=quoted_text, citations=quoted_citations, timings=timings))
        return

    try:
        from .generate import generate_answer  # the model is loaded only when asked for
    except ImportError as e:
        raise GeneratorUnavailable("generated mode is not available in this build yet; use --mode quoted") from e

    result = None
    for event in generate_answer(index, standalone, hits, scored, s, generator, t0, timings):
        if event.kind == "final":
            result = event.answer
        else:
            yield event
    if result is None or not result.citations:
        # Nothing of the generated text survived verification: the quoted
        # answer is the truthful fallback.
        notes = (result.notes if result else ()) + ("generated answer failed verification; showing quotes",)
        result = replace(base, text=quoted_text, citations=quoted_citations, notes=notes)
    timings["total_ms"] = (time.perf_counter() - t0) * 1000
    yield Event("final", answer=replace(result, question=q, mode=mode, hits=hits,
                                        standalone_question=standalone, timings=timings))


def answer(index: Index, question: str, history=(), mode: str | None = None,
           settings: Settings | None = None, generator=None) -> Answer:
    """The final Answer (see `answer_stream` for the streaming twin)."""
    final = None
    for event in answer_stream(index, question, history, mode, settings, generator):
        if event.kind == "final":
            final = event.answer
    return final
