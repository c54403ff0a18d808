"""Questions of two parts, each answered on its own.

    split_parts(index, question)   ("Where did Baudot die?", "how old was Baudot?"), or ()
    ordered_parts(question)   ("When was Skara Brae?", "When was Knap of Howar?"), or ()
    answer_parts(index, parts, settings, scorer)   each part's sentences, and how sure

"Where did he die, and how old was he?", "How many principles does the
Social Charter declare, and how many states adopted it?": each part is a
question with its own kind of answer (a place, an age), usually in its own
sentence. Scored as one question, the best sentences answer whichever part
shares more words with them, and the other part is missing. So each part
is asked on its own (a pronoun of the second part taking the first part's
names, as a follow-up would), and the answer joins what answers each.

"Which came first, the rescue of the Tromelin castaways or the birth of
Emile Baudot?", "Was Hertz born before or after the Difference Engine went on
display?": the two things are dated in two sentences, often of two articles,
and no sentence names both. So each is asked when it was, and the answer
quotes both dates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .api import search
from .authors import byline_answer
from .compose import choose, same_place
from .features import read_question
from .followup import FOLLOWING, own_words, rewrite
from .index import Index
from .lexical import tokenize
from .records import Scored
from .scorer import Scorer, score
from .settings import Settings

# ", and how old was he?": a question word after "and" opens a second question;
# without the comma only where a verb follows it ("... and how many attended
# it?", not "What did Xi and which officials discuss?").
_WH = r"(?:what|when|where|why|how|who|whom|which|whose)"
_SECOND = re.compile(rf",\s+and\s+(?=(?:by\s+|in\s+|to\s+|for\s+)?{_WH}\b)|"
                     rf"\s+and\s+(?={_WH}\s+(?:did|does|do|was|were|is|are|has|have|had|"
                     rf"many|much|long|old|can|could|will|would)\b)", re.I)
_MIN_WORDS = 3  # a first part shorter than this is no question of its own ("Why, and how?")


@dataclass(frozen=True)
class Part:
    question: str  # the part as a question that stands alone
    query: str  # what retrieval is asked (the first part's words join the second's)


def split_parts(index: Index, question: str) -> tuple[Part, ...]:
    """The two questions a question asks, or () when it asks one."""
    m = _SECOND.search(question)
    if not m:
        return ()
    first = question[: m.start()].strip(" ,") + "?"
    second = question[m.end() :].strip()
    if len(first.split()) < _MIN_WORDS or not second.strip(" ?") or re.search(r"\bbetween\b", first, re.I):
        return ()  # "the difference between what was agreed and what was signed": one question
    # "how old was he?" after "Where did Baudot die": as a follow-up, he is Baudot.
    standalone, _ = rewrite(second, [(first, "")], index)
    if len(tokenize([standalone])[0]) < 2:
        # "..., and by how much?", "..., and why?": the first part's question, asked anew.
        standalone = f"{second}{FOLLOWING}{first})"
    # Retrieval for the second part keeps the first part's words: "what workaround
    # has Moscow floated?" is about the payments the first part asks about.
    return Part(first, first), Part(standalone, f"{standalone} {first}")


# "Which came first: A or B?", "Who was born first, A or B?", "Which is older, A or B?"
# ("Who was earlier in lighthouse optics, Brewster or Fresnel?": what comes between
# "earlier" and the comma is asked of each, as is the verb before "first").
_WHICH_FIRST = re.compile(r"^(?:which|who|what)\s+(?:one\s+)?(?P<verb>(?:[\w’'-]+\s+){0,2}?)"
                          r"(?:first|earlier|older|sooner|later|last|younger|newer|more recent)\b"
                          r"(?:\s+(?P<about>[^,:;?]+?)\s*,|\s*[:;–—-]|\s*,)?"
                          r"\s*(?P<a>[^,:;?]+?),?\s+or\s+(?P<b>[^,;?]+)", re.I)
# "Was Hertz born before or after B?", "Is A older than B?"
_BEFORE = re.compile(r"^(?P<aux>was|were|is|are|did|does|do|had|has)\s+(?P<a>.+?)\s+"
                     r"(?:(?:come|happen|occur)\s+)?(?:before\s+or\s+after|after\s+or\s+before|"
                     r"(?:older|younger|earlier|later|newer)\s+than)\s+(?P<b>[^,;?]+)", re.I)
_LIGHT = {"is", "was", "are", "were", "came", "come", "happened", "occurred", "one", "did"}  # say nothing of either


def ordered_parts(question: str) -> tuple[Part, ...]:
    """When each of two things was, for a question asking which came first;
    () for any other question."""
    question = " ".join(question.split())
    if m := _WHICH_FIRST.match(question):
        said = " ".join(w for w in f"{m['verb']} {m['about'] or ''}".split() if w.lower() not in _LIGHT)
        asked = [f"When was {side.strip()}{' ' + said if said else ''}?" for side in (m["a"], m["b"])]
    elif m := _BEFORE.match(question):
        asked = [f"When {m['aux'].lower()} {m['a'].strip()}?", f"When {m['b'].strip()}?"]
    else:
        return ()
    return tuple(Part(q, q) for q in asked)


def answer_parts(index: Index, parts: tuple[Part, ...], settings: Settings, scorer: Scorer,
                 ) -> tuple[list[Scored], float]:
    """Each part's answer (its best sentence, and those joining it as they
    would a whole answer: "which businesses ...?" gathers a list; the byline
    for "who wrote it?"), in the question's order, each sentence once, and
    how sure the least sure part is; ([], 0) when a part has no answer."""
    chosen, confidence = [], 1.0
    vectors = index.embedder.embed([part.question for part in parts])  # one batch: far cheaper than one call each
    for part, qvec in zip(parts, vectors):
        hits = search(index, part.query, k=settings.k, settings=settings,
                      query_vec=qvec if part.query == part.question else None)
        by = byline_answer(index, own_words(part.question), hits)
        if by is not None:
            chosen.append(by)
            continue
        reading = read_question(index, part.question, asked=own_words(part.question))
        scored, p = score(index, reading, hits, qvec, scorer)
        if not scored:
            return [], 0.0
        chosen += [s for s in choose(scored, reading)[0] if not any(same_place(s, c) for c in chosen)]
        confidence = min(confidence, p)
    return chosen, confidence
