"""Questions in, grounded answers out.

    answer_stream(index, question, history, mode)  yields Events:
        retrieved -> (token ...) -> final

The stages, each its own module, composed here:

    check the question      (this module)
    rewrite a follow-up     followup.py    "Why hasn't it?" -> a standalone question
    retrieve passages       api.search     BM25 + dense (passages and sentences), fused
    candidates, features    features.py    every sentence of the passages, as evidence
    score                   scorer.py      fitted P(sentence answers), P(question answered);
                                           led by what score and similarity rank best together
    pick by shape           sides.py       a comparison: each side's answer
                            parts.py       "when ..., and why ...?": a sentence for each part
                            authors.py     "who wrote ...?": the article's byline
    decide                  (this module)  abstain below the scorer's threshold, or when
                                           the best sentence is about another year than asked
                            judge.py       when the scorer is unsure, a model reads the answer
                                           (and the runner-up, taken when it is surer of it);
                                           its verdict joins the scorer's in one decision
    compose                 compose.py     quoted: the chosen sentences, each cited
    generate, verify        generate.py, verify.py   generated: the model writes,
                                           every sentence is checked against its source

A generated answer that nothing of survives verification falls back to the
quoted one, and says so in its notes.
"""

from __future__ import annotations

import re
import sys
import time
import unicodedata
from dataclasses import replace
from typing import Iterator

from .api import search
from .authors import byline_answer
from .compose import (GATHER_MAX, JOIN_RATIO, choose, compose_quoted, outside_passages, reading_order,
                      sides_with_missing_words)
from .errors import BadQuestion, GeneratorUnavailable
from .features import Reading, read_question
from .followup import MAX_TURNS, own_words, rewrite
from .index import Index
from .judge import Judge, JudgeFit, answer_text, held_by, load_fit, load_judge
from .parts import answer_parts, ordered_parts, split_parts
from .question import (after_written, flows_agree, negation_agrees, outcome_told, roles_agree, sides_agree,
                       times_agree, with_apostrophes)
from .records import Answer, Event, Scored
from .scorer import OFF_TOPIC_CONFIDENCE, Scorer, load_scorer, score
from .sides import article_sides, asks_across_articles, find_sides, names_an_article, pair, without_sides
from .settings import Settings, from_env

ABSTAIN_TEXT = ("The articles don't say. None of the passages I found answers this question; "
                "the closest ones are listed as related reading.")
# Nothing in the corpus comes near the question: no passage is worth listing.
OFF_TOPIC_TEXT = "The articles are not about this. None of them comes close to what you asked."
OTHER_YEAR_NOTE = "the closest passages are about other years than the one asked"
WRITTEN_BEFORE_NOTE = "the closest passages were written before the time asked about"
SIDE_SEARCH = 20  # passages searched for the sides of a comparison

# Control and invisible characters, and lone surrogates ("\ud800"), which no
# tokenizer can encode: replaced by spaces at the edge.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\ufeff\ud800-\udfff]")


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
    for turn in list(history or [])[-MAX_TURNS:]:
        if isinstance(turn, (list, tuple)) and len(turn) == 2:
            user, bot = (" ".join(_CONTROL.sub(" ", str(x or "")).split())[:max_chars] for x in turn)
            if user:
                turns.append((with_apostrophes(user), bot))
    return turns


def understood(index: Index, question: str, turns: list[tuple[str, str]]) -> tuple[str, str, str]:
    """(the question as read — typed apostrophes restored, "whats" read as
    "what's" —, the question standing alone, the query to search with)."""
    typed = with_apostrophes(question)
    return (typed, *rewrite(typed, turns, index))


def reading_of(index: Index, typed: str, standalone: str) -> Reading:
    """What the standalone question asks; a follow-up's own words are its focus."""
    return read_question(index, standalone, focus=typed if standalone != typed else "", asked=own_words(standalone))


# --- the pipeline --------------------------------------------------------------


def pair_sides(index: Index, reading: Reading, query: str, question_vec, settings: Settings,
               scorer: Scorer) -> tuple[list[Scored], float]:
    """For a comparison (sides.py), each side's answer (its best sentence, and
    the next if nearly as likely), found in a wider search, and the surest
    side's confidence; ([], 0) unless two sides have a sentence."""
    sides = find_sides(index, reading.question, reading.compare_like)
    # "Do the articles agree on how often Xi and Putin met?": the sides are the
    # articles, not the people it names (an article or a time it names stays a side).
    across = asks_across_articles(reading.question) and all(side.docs is None for side in sides)
    if not sides and not across:
        return [], 0.0
    wide = search(index, query, k=SIDE_SEARCH, settings=settings,
                  query_vec=question_vec if query == reading.question else None)
    if across:  # the likeliest articles (by their best sentence), each with its answer, oldest first
        answers, confidence = pair(index, reading, article_sides(wide), wide, question_vec, scorer,
                                   least=scorer.threshold, ratio=JOIN_RATIO)
        likeliest = sorted(answers, key=lambda side: -side[0].score)[:GATHER_MAX]
        answers = sorted(likeliest, key=lambda side: index.articles[side[0].hit.chunk.doc].date or "9999")  # undated last
    else:
        answers, confidence = pair(index, reading, sides, wide, question_vec, scorer)
    if len(answers) < 2:
        return [], 0.0
    # Each side's sentences as its article gives them ("Beijing is holding out for a more
    # favorable deal" before "no contracts have been signed"), whichever scored higher.
    paired = [s for side in answers for s in reading_order(index, side, by_date=False)]
    # What was asked, less the words naming an article ("per the Guardian"): a sentence
    # naming the outlet adds nothing asked. A time asked stays ("… and in 2024?").
    asked = read_question(index, without_sides(reading.question, [s for s in sides if names_an_article(s)]))
    return sides_with_missing_words(index, paired, asked), confidence


def dated_as_asked(index: Index, reading: Reading, best: Scored) -> bool:
    """False when the question asks about a year and the best sentence dates
    its fact to other years only: "What was trade worth in 2022?" against
    "... to US$240 billion last year" in an article of May 2024; or when its
    article was written before the time asked about ("Who won the election
    in January 2024?" against an article of October 2023). The scorer cannot
    see these near misses (its features hold no dates); measured on and off
    in the README ("+times")."""
    # A follow-up's own words say which year it asks about ("And in 2023?").
    date = index.articles[best.hit.chunk.doc].date or ""
    own = own_words(reading.question)
    return times_agree(own, best.text, date, amount=reading.kind == "quantity") and not after_written(own, date)


def denies_as_asked(reading: Reading, best: Scored) -> bool:
    """False when the question asks what something is *not* and the best
    sentence denies nothing ("What does Article 102 not prohibit?" against
    "Article 102 prohibits ..."): the scorer's negation feature weighs too
    little to see it. Measured on and off in the README ("+denials")."""
    return negation_agrees(own_words(reading.question), best.text)


def acts_as_asked(reading: Reading, best: Scored) -> bool:
    """False when the best sentence has the question's act the other way
    round ("What did Xi give Putin?" against "Putin gave the Chinese leader
    ..."; "Russia's exports to China" against "Chinese exports to Russia"), or
    only looks ahead to what the question asks came of it ("Did
    China end up attending?" against "called on China to participate"): its
    words match, its roles do not. Measured on and off in the README ("+acts")."""
    own = own_words(reading.question)
    for name in reading.names:  # "how much did china's imports …?" names China as "China's imports …" does
        own = re.sub(rf"\b{re.escape(name)}\b", name, own, flags=re.I)
    return roles_agree(own, best.text) and flows_agree(own, best.text) and outcome_told(own, best.text)


def as_asked(index: Index, reading: Reading, best: Scored) -> bool:
    """The year, denial and act checks together: may `best` lead an answer?"""
    return dated_as_asked(index, reading, best) and denies_as_asked(reading, best) and acts_as_asked(reading, best)


def strongest_first(picked: list[Scored], scored: list[Scored]) -> list[Scored]:
    """The sentences a generated answer reads: the picked ones, the surest
    first, then the rest. A comparison's may open on a neighbour brought for
    the question's words (compose.sides_with_missing_words), with no score of
    its own; verify.py adds the first sentence when the model leaves it out,
    and that must be a side's own best, not the neighbour."""
    best = max(picked, key=lambda s: s.score)
    return [best, *(s for s in picked if s is not best), *scored]


def pick(index: Index, reading: Reading, hits, query: str, question_vec, settings: Settings,
         scorer: Scorer) -> tuple[list[Scored], float]:
    """Sentences the question's shape picks, and how sure they are: a dated
    sentence for each of "which came first, A or B?", a
    sentence for each side of a comparison, for each part of a two-part
    question (measured: keeping the whole question's answer when it is surer
    than the parts passed fewer), or the byline of "who wrote ...?"; ([], 0)
    for any other question."""
    asks_once = own_words(reading.question) == reading.question  # not an elliptical follow-up
    ordered = ordered_parts(reading.question) if asks_once else ()
    if ordered:  # "which came first, A or B?": when each was, before any comparison's sides
        return answer_parts(index, ordered, settings, scorer)
    paired, confidence = pair_sides(index, reading, query, question_vec, settings, scorer)
    if paired:
        return paired, confidence
    parts = split_parts(index, reading.question) if asks_once else ()
    if parts:  # each part may be a "who wrote ...?" of its own
        return answer_parts(index, parts, settings, scorer)
    by = byline_answer(index, own_words(reading.question), hits)
    return ([by], 1.0) if by is not None else ([], 0.0)


def compose(index: Index, reading: Reading, picked: list[Scored], scored: list[Scored]):
    """The quoted answer: the sentences the question's shape picked, else
    those `choose` keeps of the scored ones; (text, citations)."""
    if picked:
        return compose_quoted(index, picked)
    chosen, conflict = choose(scored, reading, outside_passages(index, scored))
    return compose_quoted(index, chosen, conflict, by_date=reading.compare_like)


def best_distinct(scored: list[Scored], n: int | None = None) -> list[Scored]:
    """The best `n` scored sentences (all with None), each text once: a
    sentence met in two passages is scored twice."""
    top: list[Scored] = []
    for s in scored:
        if len(top) == n:
            break
        if all(s.text != t.text for t in top):
            top.append(s)
    return top


def led_by_reply(index: Index, reading: Reading, scored: list[Scored], question: str, judge: Judge,
                 n: int) -> list[Scored]:
    """The scored sentences, led by the one of the best `n` (each text once)
    that holds the judge's own reply to the question (judge.held_by); as they
    were when that is the best already, when none holds it, or when the year,
    denial and act checks would refuse it."""
    top = best_distinct(scored, n)
    texts = [s.text for s in top]
    k = held_by(judge.reply(question, texts), texts) if texts else None
    if not k or not as_asked(index, reading, top[k]):
        return scored
    return [top[k], *(s for s in scored if s is not top[k])]


def judged(index: Index, reading: Reading, picked: list[Scored], scored: list[Scored], question: str,
           judge: Judge, fit: JudgeFit) -> tuple[tuple[str, tuple], float, list[Scored]]:
    """The quoted answer the judge settles on, its verdict, and the scored
    sentences it came from (without the best one when the runner-up was
    given, so that generated mode reads what was judged). It reads the
    answer; where its fit says so (`runner_up_margin`), it also reads the
    runner-up, the answer composed without the scorer's best sentence, and
    takes it when surer of it. Where the best sentence is wrong the runner-up
    is right in one case in five, and between the two the judge tells the
    right one far better than the scorer (eval/README.md, session 37).
    A runner-up the year, denial and act checks would refuse is not read;
    an answer the question's shape picked has none. `fit`: the judge's (judge.py)."""
    if fit.reads_first and not picked:
        scored = led_by_reply(index, reading, scored, question, judge, fit.reads_first)
    quoted = compose(index, reading, picked, scored)
    verdict = judge.verdict(question, answer_text(quoted[0]))
    if fit.runner_up_margin is None or picked or len(scored) < 2:
        return quoted, verdict, scored
    if not as_asked(index, reading, scored[1]):
        return quoted, verdict, scored
    runner_up = compose(index, reading, [], scored[1:])
    if answer_text(runner_up[0]) == answer_text(quoted[0]):  # the same sentences, read already
        return quoted, verdict, scored
    other = judge.verdict(question, answer_text(runner_up[0]))
    if fit.prefers_runner_up(verdict, other):
        return runner_up, other, scored[1:]
    return quoted, verdict, scored


def answer_stream(
    index: Index,
    question: str,
    history=(),
    mode: str | None = None,
    settings: Settings | None = None,
    generator=None,
    scorer: Scorer | None = None,
    judge: Judge | None = None,
) -> Iterator[Event]:
    """Answer a question, yielding progress events; the last is "final".
    `judge` (else the one `settings.judge` names, if any) reads the quoted
    answer before any answer is given when the scorer is unsure (judge.py): in
    generated mode too, where it decides whether the model writes at all."""
    s = settings or from_env()
    mode = mode or s.mode
    if mode not in ("quoted", "generated"):
        raise BadQuestion(f"unknown answer mode {mode!r}; use 'quoted' or 'generated'")
    t0 = time.perf_counter()
    q = check_question(question, s.max_question_chars)
    turns = clean_history(history)
    typed, standalone, query = understood(index, q, turns)  # the answer keeps the user's own text
    # One embedding serves retrieval and scoring when the query is the question.
    qvec = index.embedder.embed([standalone])[0]
    hits = tuple(search(index, query, k=s.k, settings=s, query_vec=qvec if query == standalone else None))
    timings = {"retrieve_ms": (time.perf_counter() - t0) * 1000}
    yield Event("retrieved", hits=hits)

    reading = reading_of(index, typed, standalone)
    scorer = scorer or load_scorer()
    scored, confidence = score(index, reading, hits, qvec, scorer)
    picked, picked_confidence = pick(index, reading, hits, query, qvec, s, scorer)
    if picked:
        # Answered if the whole question is, or a side of a comparison, or the
        # parts on average (measured: the sides' confidence alone, or the whole's
        # alone, passed fewer questions; parts.answer_parts on the mean).
        confidence = max(confidence, picked_confidence)
        scored = strongest_first(picked, scored)  # generated mode reads their passages first
    base = Answer(question=q, text="", citations=(), abstained=False, mode=mode, hits=hits,
                  standalone_question=standalone, confidence=confidence)
    other_year = bool(scored) and not picked and not dated_as_asked(index, reading, scored[0])
    opposite = bool(scored) and not picked and not (denies_as_asked(reading, scored[0]) and
                                                     acts_as_asked(reading, scored[0]))
    judge = judge or load_judge(s, log=lambda msg: print(msg, file=sys.stderr, flush=True))
    verdict, answered, quoted = None, confidence >= scorer.threshold, None
    fit = load_fit() if judge is not None else None
    if (fit is not None and scored and not (other_year or opposite) and confidence != OFF_TOPIC_CONFIDENCE
            and fit.asks(confidence)):  # above its line the scorer's decision stands: no second reading
        t_judge = time.perf_counter()
        quoted, verdict, scored = judged(index, reading, picked, scored, standalone, judge, fit)
        answered = fit.answered(confidence, verdict)  # the judge's fit replaces the scorer's threshold
        timings["judge_ms"] = (time.perf_counter() - t_judge) * 1000
    base = replace(base, judge_verdict=verdict)
    if not scored or not answered or other_year or opposite:
        timings["total_ms"] = (time.perf_counter() - t0) * 1000
        off_topic = bool(scored) and confidence == OFF_TOPIC_CONFIDENCE
        notes = ()
        if other_year and not off_topic:
            date = index.articles[scored[0].hit.chunk.doc].date or ""
            if after_written(own_words(reading.question), date):
                notes = (WRITTEN_BEFORE_NOTE,)
            # Refused for the other side of the year asked ("since 2013" for "before 2013"): not another year.
            elif sides_agree(own_words(reading.question), scored[0].text):
                notes = (OTHER_YEAR_NOTE,)
        yield Event("final", answer=replace(base, text=OFF_TOPIC_TEXT if off_topic else ABSTAIN_TEXT, abstained=True,
                                            related=() if off_topic else hits[:3], timings=timings, notes=notes))
        return

    quoted_text, quoted_citations = quoted or compose(index, reading, picked, scored)
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
    yield Event("final", answer=replace(result, question=q, mode=mode, hits=hits, standalone_question=standalone,
                                        timings=timings, confidence=confidence, judge_verdict=verdict))


def answer(index: Index, question: str, history=(), mode: str | None = None,
           settings: Settings | None = None, generator=None, scorer: Scorer | None = None,
           judge: Judge | None = None) -> Answer:
    """The final Answer (see `answer_stream` for the streaming twin)."""
    final = None
    for event in answer_stream(index, question, history, mode, settings, generator, scorer, judge):
        if event.kind == "final":
            final = event.answer
    return final
