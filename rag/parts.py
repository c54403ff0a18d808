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
display?", "How many years passed between Utamaro's arrest and the founding of
the Boston Herald?": the two things are dated in two sentences, often of two
articles, and no sentence names both. So each is asked when it was, and the
answer quotes both dates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .api import search
from .authors import byline_answer
from .compose import choose, outside_passages, same_place
from .features import read_question
from .followup import FOLLOWING, own_words, rewrite
from .index import Index
from .lexical import tokenize
from .question import looks_like_person
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


# "Which came first: A or B?", "Who was born first, A or B?", "Which is (the) older, A or
# B?": before "first" only a light verb or a passive one ("was born", "was patented"),
# which is asked of each side. Not "Who spoke first at the summit, Xi or Putin?" (an
# order dates cannot settle), "Who died first" (no passive), "Which president was older
# at inauguration, …" or "Who was the first person to …, A or B?": unsplit.
_WHICH_FIRST = re.compile(r"^(?:which|who|what)\s+(?:one\s+)?"
                          r"(?P<verb>(?:is|was|are|were|came|comes|happened|occurred)"
                          r"(?:\s+(?-i:[a-z]+(?:ed|en|n|t)))?\s+)?(?:the\s+)?"
                          r"(?P<key>first|earlier|older|sooner|younger|newer|more recent)"
                          r"\s*[,:;–—-]?\s+(?P<a>[^,:;?]+?),?\s+or\s+(?P<b>[^,;?]+)", re.I)
# "Was Hertz born before or after Babbage's engine went on display?" (the second side
# a clause of its own: "Did Xi visit Serbia before or after France?" is not split, its
# second side being elliptical), "Is Skara Brae older than Knap of Howar?" (not "…
# than expected", "… than 70").
_BEFORE = re.compile(r"^(?P<aux>was|were|did)\s+(?P<a>.+?)\s+(?:before\s+or\s+after|after\s+or\s+before)\s+"
                     r"(?P<b>[^,;?]+?(?:\s+[^,;?\s]+){3,})\s*(?:[,;?]|$)", re.I)
_THAN = re.compile(r"^(?:is|was|are|were)\s+(?P<a>.+?)\s+(?P<key>older|younger|earlier|newer)\s+than\s+"
                   r"(?!(?:expected|planned|scheduled|usual|anticipated|predicted|thought|hoped|ever|before|"
                   r"previously|originally|normal|that|it|this)\b|\d)(?P<b>[^,;?]+)", re.I)
_LIGHT = {"is", "was", "are", "were", "came", "comes", "happened", "occurred"}  # say nothing of either side
# "How many years passed between A and B?", "How long was the gap between A and B?", "How
# many years separate A from B?", "How long after A did B?", "How long did it take from A
# to B?": the time between two events, each dated in a sentence of its own (often of two
# articles), which no sentence names together. A duration one sentence gives ("How long
# did the flight take?", "how long after that did ...?") is not split.
_HOW_LONG = (r"(?:(?:roughly|about|approximately|around|exactly|just)\s+)?how\s+(?:long|much\s+time|"
             r"many\s+(?:years|months|weeks|days|decades|centuries))")
_GAP = (r"(?:(?:passed|elapsed|went\s+by|lay|(?:was|is|were)\s+there|"
        r"(?:was|is)\s+the\s+(?:gap|interval|time|span))\s+)?")
_BETWEEN = re.compile(rf"(?:^|,\s*){_HOW_LONG}\s+{_GAP}between\s+(?P<both>[^,;?]+?)\s*\?*$", re.I)
_SEPARATE = re.compile(rf"(?:^|,\s*){_HOW_LONG}\s+separated?\s+(?:between\s+)?(?P<a>[^,;?]+?)\s+from\s+"
                       rf"(?P<b>[^,;?]+?)\s*\?*$|(?:^|,\s*){_HOW_LONG}\s+separated?\s+(?:between\s+)?"
                       rf"(?P<both>[^,;?]+?)\s*\?*$", re.I)
# The last auxiliary opens the second event ("after its charter was signed | did MIT hold
# ..."), but not one of a relative clause ("did the king who was crowned ... die").
_AFTER = re.compile(rf"(?:^|,\s*){_HOW_LONG}\s+(?:after|before)\s+(?P<a>[^,;?]+)(?<!\bwho)(?<!\bwhom)"
                    r"(?<!\bthat)(?<!\bwhich)\s+(?P<aux>did|was|were|had|has|does|do|is|are)\s+"
                    r"(?P<b>[^,;?]+?)\s*\?*$", re.I)
# `what` holds no "from": with three free spans in a row the pattern's cost would grow
# with the cube of the question's length.
_FROM = re.compile(rf"^{_HOW_LONG}\s+did\s+(?P<what>(?:(?!\bfrom\b)[^,;?])+?)\s+(?:take|last),?\s+from\s+"
                   r"(?P<a>[^,;?]+?)\s+(?:to|until|till)\s+(?P<b>[^,;?]+?)\s*\?*$", re.I)
# No event to date: a side that points back ("after that", "that battle": a follow-up's),
# a date the question already gives ("after 1066", "from 1914 to 1918"), or a bare
# boundary ("from start to finish").
_NO_EVENT = re.compile(r"^(?:(?:that|this|those|these)(?:\s+\w+)?|then|it|now|today|(?:the\s+)?(?:start|"
                       r"finish|beginning|end)|[\d\s,./-]+(?:\s*(?:BC|BCE|AD|CE))?)$", re.I)
# Words an "and" shares between two things, not two events: "the first and second voyages",
# "Homer's and Hesiod's lives".
_SHARED = re.compile(r"(?:first|second|third|fourth|fifth|last|final|early|late|[’']s)$", re.I)


def _two_events(both: str) -> tuple[str, str] | None:
    """"A and B" cut at the "and" that parts two events: not inside quotation marks,
    nor where it shares a word ("the first and second voyages"), and rather not inside a
    name ("Belt and Road"), where a capitalised word stands on each side; where every
    "and" stands so, the last ("the premiere of Romeo and Juliet and Shakespeare's
    death"; "Apple's IPO and Jobs becoming CEO" has one)."""
    cuts = []
    for m in re.finditer(r"\s+and\s+", both, re.I):
        opened = both[: m.start()]
        before, after = opened.split(), both[m.end() :].split()
        if not before or not after or opened.count('"') % 2 or opened.count("“") > opened.count("”"):
            continue
        left, right = before[-1].strip("\"“‘'("), after[0].strip("\"“‘'(")
        if _SHARED.search(left):
            continue
        if not (left[:1].isupper() and right[:1].isupper()):
            return both[: m.start()], both[m.end() :]
        cuts.append(m)
    return (both[: cuts[-1].start()], both[cuts[-1].end() :]) if cuts else None


def _interval_sides(question: str) -> tuple[str, str, str, str, str] | None:
    """(when A?, when B?, A, B, what the span is of) for a question asking how long
    passed between two events, else None."""
    if m := _AFTER.search(question):
        return f"When {m['a']}?", f"When {m['aux'].lower()} {m['b']}?", m["a"], m["b"], ""
    if m := _FROM.search(question):
        # Each side of a span names an event ("the ceasefire"), not a place or a name alone.
        if all(re.search(r"\b[a-z]{3,}", side) for side in (m["a"], m["b"])):
            return *_when((m["a"], m["b"]), "", ""), m["a"], m["b"], m["what"]
        return None
    if m := _SEPARATE.search(question) or _BETWEEN.search(question):
        pair = (m["a"], m["b"]) if m["both"] is None else _two_events(m["both"])
        if pair:
            return *_when(pair, "", ""), *pair, ""
    return None


def interval_parts(question: str) -> tuple[Part, ...]:
    """When each of two events was, for a question asking how long passed between
    them; () for any other question. The second event's retrieval keeps the first's
    words ("How many years after the KLA was founded did it launch its campaign?": it
    is the KLA), and a span's ("from the start of construction to the completion of
    the Parthenon") keeps the whole question's."""
    sides = _interval_sides(" ".join(question.split()))
    if sides is None or any(_NO_EVENT.match(side.strip()) for side in sides[2:4]):
        return ()
    first, second, a, b, of = sides
    if of:  # "from the start of construction": of what, the rest of the question says
        own = "" if _NO_EVENT.match(of.strip()) else f" {of}"
        return Part(first, f"{first} {b}{own}"), Part(second, f"{second} {a}{own}")
    return Part(first, first), Part(second, f"{second} {a}")


def _when(sides: tuple[str, str], said: str, key: str) -> list[str]:
    """"When was Skara Brae?", "When was the kaleidoscope patented?"; two people
    asked "older" or "younger" of are asked when they were born."""
    sides = tuple(side.strip() for side in sides)
    if not said and key.lower() in ("older", "younger") and all(looks_like_person(side) for side in sides):
        said = "born"
    return [f"When was {side}{' ' + said if said else ''}?" for side in sides]


def ordered_parts(question: str) -> tuple[Part, ...]:
    """When each of two things was, for a question asking which came first or
    how long passed between them (interval_parts); () for any other question."""
    # One space between words: the patterns' lazy sides would otherwise backtrack
    # over a long run of spaces for seconds.
    question = " ".join(question.split())
    if m := _WHICH_FIRST.match(question):
        said = " ".join(w for w in (m["verb"] or "").split() if w.lower() not in _LIGHT)
        asked = _when((m["a"], m["b"]), said, m["key"])
    elif m := _THAN.match(question):
        asked = _when((m["a"], m["b"]), "", m["key"])
    elif m := _BEFORE.match(question):
        asked = [f"When {m['aux'].lower()} {m['a'].strip()}?", f"When {m['b'].strip()}?"]
    else:
        return interval_parts(question)
    return tuple(Part(q, q) for q in asked)


def answer_parts(index: Index, parts: tuple[Part, ...], settings: Settings, scorer: Scorer,
                 ) -> tuple[list[Scored], float]:
    """Each part's answer (its best sentence, and those joining it as they
    would a whole answer: "which businesses ...?" gathers a list; the byline
    for "who wrote it?"), in the question's order, each sentence once, and
    how sure the scored parts are on average; ([], 0) when a part has no answer.

    The mean, not the least sure part: a part sharing few words with its
    sentence ("how much did he earn at the blacking warehouse?" against "where
    he earned six shillings a week") reads as unsure, and refused the whole
    question though each part's sentence was right. A part the off-topic line
    refuses (P 0: fitted on whole questions, it often refuses a short part
    such as "how far apart were the two votes?") counts as unsure, not as the
    question being off topic: of the 145 split questions measured, 20 had one;
    with the judge on, one more passed for it, one answerable question was
    answered short of passing instead of refused, and no unanswerable one was
    answered (eval/README.md, session 57).
    """
    chosen, confidences = [], []
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
        picked = choose(scored, reading, outside_passages(index, scored))[0]
        chosen += [s for s in picked if not any(same_place(s, c) for c in chosen)]
        confidences.append(p)
    # A byline part is sure and joins no average (every part a byline: sure).
    return chosen, (sum(confidences) / len(confidences) if confidences else 1.0)
