"""The sides of a comparison, each answered on its own.

    find_sides(index, question)   the sides it names, in its order (none, or two and more)
    on_side(index, side, doc, span)   is a sentence of `doc` about that side?
    pair(index, reading, sides, hits, qvec, scorer)   each side's answer: its best sentence
                                                      (and the next, if nearly as likely)
    article_sides(hits)   every article a side: "do the articles agree on ...?"

"Do the SCMP piece and the Geostrategy piece agree on how often Xi and Putin
met?", "where did the talks stand in 2023 vs after the 2024 summit?", "How do
Li Lifan and Artyom Lukin differ on an alliance?": the answer needs one
sentence from each side. Scored as one question, the best sentences all
come from the side that shares the most words with it, and the other side
is missing. So each side is scored among its own sentences, and the answer
pairs them.

A side is named four ways, found in this order of trust:
  an article   by its outlet ("the Guardian", "SCMP" for South China Morning
               Post), its author ("Ashwani Sharma's piece", "Sharma's"),
               its title when the title is a short name ("Laika"), or a
               word of one title only followed by "article" ("the Samalas
               article");
  a time       "2023", "October 2023": the articles dated then, or, in a
               corpus without dates, the sentences that name the year;
  a person     "Artyom Lukin": the sentences that name them, or continue
               their quote;
  a thing      "Catalin": the sentences that name it, when no other two
               sides are named and "or", "vs", "compared with" ... joins it
               to the other side ("How did Catalin compare with Bakelite?").
Words of one side next to each other ("the 2023 Bloomberg piece") make
one side.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Sequence

import numpy as np

from .compose import JOIN_RATIO, adds, same_place
from .features import Candidate, Reading, candidates, read_question
from .followup import own_words
from .index import Index, per_index
from .ingest import MONTHS, UNKNOWN_OUTLET, without_brackets
from .question import (MONTH_SHORT, looks_like_person, month_number, name_present, quantity_matches,
                       times_agree, words)
from .records import Hit, Scored, Span
from .scorer import Scorer, score
from .support import initials, question_names, tables, with_speaker

_TIME = re.compile(r"\b(?:(" + "|".join(MONTHS) + r"|" + MONTH_SHORT + r")\.?\s+)?((?:1[5-9]|20)\d\d)\b", re.I)
_NEAR_WORDS = 3  # markers at most this many words apart name one side ("2023 per Bloomberg")
_APART = re.compile(r"\b(?:and|or|vs|versus|with|than|while|but|against|compared)\b", re.I)  # ... unless these part them
_NAMED = {"person", "thing"}  # sides named in the text, trusted after articles and times
_TITLE_WORDS = 4  # a title this short is a name the question can use ("Dolly (sheep)")


@dataclass(frozen=True)
class Side:
    label: str  # as the question names it: "the Guardian", "2023", "Artyom Lukin"
    docs: frozenset[str] | None  # the articles it is about (None: any article)
    mention: str = ""  # a person or year its sentences must name ("": none)
    where: tuple[tuple[int, int], ...] = ()  # the question's words that name it
    later: frozenset[str] = frozenset()  # articles after the later of two times, where they name it


@dataclass(frozen=True)
class _Marker:
    start: int
    end: int
    kind: str  # "article", "time", "person", "thing"
    label: str
    docs: frozenset[str] | None
    mention: str = ""
    later: frozenset[str] = frozenset()


def _strip(name: str) -> str:
    """"Bloomberg (republished by Focue)" -> "Bloomberg"; "The Guardian" -> "Guardian"."""
    return re.sub(r"^the\s+", "", without_brackets(name), flags=re.I)


def _surnames(index: Index) -> dict[str, str]:
    """Each author's surname, where it is one author's ("Sharma's piece")."""
    by_surname: dict[str, set[str]] = {}
    for a in index.articles.values():
        for author in a.authors:
            parts = author.split()
            if len(parts) >= 2 and len(parts[-1]) >= 3:
                by_surname.setdefault(parts[-1], set()).add(author)
    return {s: next(iter(names)) for s, names in by_surname.items() if len(names) == 1}


@per_index
def _article_refs(index: Index) -> list[tuple[re.Pattern, str, str]]:
    """How a question can name each article (pattern, name, doc): its outlet,
    the outlet's initials, a short title, its author ("Ashwani Sharma's
    piece", "Sharma's"), or a word of its title alone ("the Samalas
    article"). A word the corpus also writes in lower case ("conversations")
    names the outlet only when capitalised."""
    lower = tables(index).lower_words
    surnames = _surnames(index)
    refs = []
    # "the Samalas article": a word of one title only, capitalised as there, before what the article is.
    title_words: dict[str, set[str]] = {}
    for doc, a in index.articles.items():
        for w in re.findall(r"\b[A-Z][\w’'-]{3,}", _strip(a.title)):
            title_words.setdefault(w, set()).add(doc)
    for w, docs in title_words.items():
        if len(docs) == 1:
            # ("the Lewis and Clark article": the word may end a longer name)
            pattern = (rf"(?i:\b(?:the|this|that)\s+(?:[\w’'-]+\s+){{0,3}}){re.escape(w)}"
                       r"(?=\s+(?i:article|piece|page|entry)\b)")
            refs.append((re.compile(pattern), w, next(iter(docs))))
    for doc, a in index.articles.items():
        names = {_strip(a.outlet)} if a.outlet and a.outlet != UNKNOWN_OUTLET else set()
        title = _strip(a.title)
        if title and len(title.split()) <= _TITLE_WORDS:
            names.add(title)
        names |= set(a.authors) | {s for s, author in surnames.items() if author in a.authors}
        for name in names:
            if not name:
                continue
            common = any(w in lower or f"{w}s" in lower or w[:-1] in lower and w.endswith("s")
                         for w in name.lower().split())  # "conversations": a word, not only a name
            flags = 0 if common else re.I
            refs.append((re.compile(rf"\b{re.escape(name)}\b", flags), name, doc))
            if initials(name):
                refs.append((re.compile(rf"\b{initials(name)}\b"), name, doc))
    return refs


def named_articles(index: Index, question: str) -> set[str]:
    """The articles a question names by outlet, author or title."""
    return {doc for pattern, _, doc in _article_refs(index) if pattern.search(question)}


def _date_key(year: str, month: str) -> str:
    """"2024-05" for May 2024, "2024" for the year: as article dates begin."""
    return f"{year}-{month_number(month):02d}" if month_number(month) else year


def _dated(index: Index, year: str, month: str) -> frozenset[str]:
    return frozenset(d for d, a in index.articles.items() if (a.date or "").startswith(_date_key(year, month)))


@per_index
def _capitalised(index: Index) -> frozenset[str]:
    """Every word the corpus writes capitalised somewhere, as names are compared."""
    return frozenset(words(" ".join(tables(index).upper_words)))


def _markers(index: Index, question: str) -> list[_Marker]:
    found: list[_Marker] = []
    by_name: dict[str, set[str]] = {}
    for pattern, name, doc in _article_refs(index):
        for m in pattern.finditer(question):
            by_name.setdefault(name, set()).add(doc)
            found.append(_Marker(m.start(), m.end(), "article", name, None))
    # An outlet names all its articles ("the Guardian" may have written two).
    found = [replace(m, docs=frozenset(by_name[m.label])) for m in found]
    # Not "met 42 times since 2013": a starting point, not a side.
    times = [m for m in _TIME.finditer(question) if not question[: m.start()].rstrip().lower().endswith("since")]
    # Two sides in one year differ by month; else the year tells them apart.
    one_year = len({m.group(2) for m in times}) == 1
    months = [(m.group(1) or "") if one_year else "" for m in times]
    keys = [_date_key(m.group(2), month) for m, month in zip(times, months)]
    for m, month, key in zip(times, months, keys):
        docs = _dated(index, m.group(2), month) or _dated(index, m.group(2), "")
        # What happened then may be told later: "exports in 2023 compared with 2021" by
        # a 2024 report that names 2023 (on_side); not the earlier time, which later
        # articles tell as the past of the later one.
        later = (frozenset(d for d, a in index.articles.items() if a.date and a.date[: len(key)] > key) - docs
                 if docs and len(times) > 1 and key == max(keys) else frozenset())
        found.append(_Marker(m.start(), m.end(), "time", m.group(0), docs or None, "" if docs else m.group(2), later))
    taken = [(m.start, m.end) for m in found]
    named = _capitalised(index)
    for name in question_names(question, index):
        # A person, or another thing the corpus names ("Catalin or Bakelite?").
        kind = "person" if looks_like_person(name) else "thing"
        if kind == "thing" and not name_present(name, named, named):
            continue
        at = question.lower().find(name.lower())
        if at >= 0 and not any(s < at + len(name) and at < e for s, e in taken):
            found.append(_Marker(at, at + len(name), kind, name, None, name))
    # One marker per place: the first found (an article before a time or person).
    out: list[_Marker] = []
    for m in sorted(found, key=lambda m: m.start):
        if not any(m.start < o.end and o.start < m.end for o in out):
            out.append(m)
    return out


def _merge(a: Side, b: _Marker) -> Side:
    """Two markers of one side: "the 2023 Bloomberg piece" is Bloomberg's, in 2023."""
    docs = a.docs if b.docs is None else b.docs if a.docs is None else (a.docs & b.docs or a.docs)
    # A person stays required; a year only where no article is known by it.
    mentions = [x for x in (a.mention, b.mention) if x and not (x.isdigit() and docs is not None)]
    # Later reports may tell a time, not an article or person ("Bloomberg's 2024 piece").
    return Side(f"{a.label} {b.label}", docs, mentions[0] if mentions else "", a.where + ((b.start, b.end),))


def find_sides(index: Index, question: str, comparison: bool = True) -> tuple[Side, ...]:
    """The sides a comparison names, in the question's order; () unless two
    or more differ. Articles and times are trusted before people: in "Do the
    SCMP and the Guardian agree on what Xi told Putin?" the sides are the
    outlets. A question that does not read as a comparison has sides only
    when it names two articles or times ("What does the Guardian add to the
    SCMP's account?", "what was new about the October 2023 trip, and about
    the May 2024 one?")."""
    markers = _markers(index, question)
    if not comparison:
        markers = [m for m in markers if m.kind not in _NAMED]
    if any(m.kind == "thing" for m in markers):
        # "... the Guardian say saw a surge in Chinese exports between 2021 and
        # 2023": things the sides are about, unless no two other sides are named
        # and the question sets them against each other ("How did Catalin compare
        # with Bakelite?", Bakelite an article; not "How did Xi's views differ on Taiwan?").
        sides = _sides(question, [m for m in markers if m.kind != "thing"])
        return sides if sides else _sides(question, _opposed(question, markers))
    return _sides(question, markers)


# What sets two named things against each other: "X or Y", "X vs Y", "X compared with Y".
_AGAINST = re.compile(r"^\W*(?:or|vs\.?|versus|against|than|compared? (?:with|to)|and)\W+"
                      r"(?-i:[a-z]+\s+){0,2}$", re.I)  # "... compare with molded Bakelite"


def _opposed(question: str, markers: list[_Marker]) -> list[_Marker]:
    """The markers less the things no comparison word joins to a neighbour."""
    keep = []
    for i, m in enumerate(markers):
        near = [question[markers[i - 1].end : m.start]] if i else []
        near += [question[m.end : markers[i + 1].start]] if i + 1 < len(markers) else []
        if m.kind != "thing" or (any(_AGAINST.match(t) for t in near)
                                 and question[m.end : m.end + 2] not in ("'s", "’s")):
            keep.append(m)
    return keep


def _sides(question: str, markers: list[_Marker]) -> tuple[Side, ...]:
    """Markers grouped into sides (words of one side next to each other)."""
    groups: list[tuple[Side, int, set[str]]] = []  # side, where it ends, kinds in it
    for m in markers:
        between = question[groups[-1][1] : m.start] if groups else ""
        if groups and len(between.split()) <= _NEAR_WORDS and not _APART.search(between) and m.kind not in groups[-1][2]:
            side, _, kinds = groups[-1]
            groups[-1] = (_merge(side, m), m.end, kinds | {m.kind})
        else:
            groups.append((Side(m.label, m.docs, m.mention, ((m.start, m.end),), m.later), m.end, {m.kind}))
    sides = [g[0] for g in groups if not g[2] <= _NAMED]
    if len({(s.docs, s.mention) for s in sides}) < 2:
        sides = [g[0] for g in groups]
    unique: list[Side] = []
    for s in sides:
        if all((s.docs, s.mention) != (o.docs, o.mention) for o in unique):
            unique.append(s)
    # "the Guardian's report in 2024": the year holds the Guardian's article, so it is no second side.
    unique = [s for s in unique if not any(o.docs is not None and s.docs is not None and o.docs < s.docs
                                           and not o.mention and not s.mention for o in unique)]
    return tuple(unique) if len(unique) >= 2 else ()


# "Do the articles agree on how many times they met?": every article is a side.
_ACROSS = re.compile(r"\b(?:the|these|both|all|different|various|the two) "
                     r"(?:articles|sources|reports|outlets|pieces|accounts)\b"
                     r"[^?]{0,30}\b(?:agree|disagree|differ|say the same|tally)\b|"
                     r"\b(?:agree|disagree|differ)\b[^?]{0,15}\b(?:across|among|between) (?:the )?"
                     r"(?:articles|sources|reports|outlets|pieces)\b", re.I)


def asks_across_articles(question: str) -> bool:
    return bool(_ACROSS.search(question))


def article_sides(hits: Sequence[Hit]) -> tuple[Side, ...]:
    """One side for each article among `hits`, in their order: the sides of
    a question about whether the articles agree, which names none."""
    docs = dict.fromkeys(h.chunk.doc for h in hits)
    return tuple(Side(doc, frozenset({doc})) for doc in docs)


def on_side(index: Index, side: Side, doc: str, span: Span) -> bool:
    """Is a sentence of `doc` about the side? A person's sentence names them,
    or continues their quote."""
    if doc in side.later:  # naming the time: its year, and its month if the side has one
        asked = _TIME.fullmatch(side.label)
        month = month_number(asked.group(1) or "")
        return any(m.group(2) == asked.group(2) and (not month or month_number(m.group(1) or "") == month)
                   for m in _TIME.finditer(index.articles[doc].text[span.start : span.end]))
    if side.docs is not None and doc not in side.docs:
        return False
    if not side.mention:
        return True
    near = with_speaker(index, doc, span)
    text = index.articles[doc].text[near.start : near.end]
    if side.mention.isdigit():
        return side.mention in text
    return name_present(side.mention, words(text), tables(index).doc_words.get(doc))


def amount_of_side(index: Index, side: Side, question: str, c: Candidate) -> bool:
    """For an amount asked of a time ("exports in 2022 against 2021", "in
    March 2024 against March 2023"): does the sentence hold an amount, and,
    for a month no article is dated, one it dates to that month where it
    dates its amount at all? "Fell to $8.3bn in April" is no figure for
    March, "trade talks were held in Moscow" none for 2022. The whole question's time
    check is skipped for comparisons; "the October 2023 article" names an
    article, not the month of a fact. Any other side: True."""
    m = _TIME.fullmatch(side.label)
    if m is None:
        return True
    if not quantity_matches(c.text, question):
        return False
    month, year = m.group(1), m.group(2)
    # A later report's amount must be of that time, not "compared with April 2023".
    if c.hit.chunk.doc not in side.later and (not month or _dated(index, year, month)):
        return True
    return times_agree(f"in {side.label}", c.text, index.articles[c.hit.chunk.doc].date or "", amount=True)


# --- answering each side -------------------------------------------------------

# "How did exports change/develop/do between 2023 and 2024?": each time is told by a figure.
_ASKS_CHANGE = re.compile(r"\bhow\s+(?:did|has|have|do|does|had)\b[^?]*\b(?:change|changed|develop|developed|evolve|"
                          r"evolved|do|fare|fared|move|moved|trend)\b|\btrend\b", re.I)
SIDE_PASSAGES = 3  # passages a side is answered from: its best, of the wider search


def side_hits(index: Index, side: Side, hits: Sequence[Hit], k: int = SIDE_PASSAGES) -> list[Hit]:
    """The side's own best passages, ranked among themselves. A time's or an
    article's are its articles' best. A person's or a thing's are those with a
    candidate sentence about them, where they are named or quoted (an expert's
    words often sit in a passage the question's other words rank low). A year no
    article is dated keeps the best passages of all: one that merely names the
    year ("in January 2022") is not about what is compared."""
    about = bool(side.mention) and not side.mention.isdigit()
    own = [h for h in hits if (side.docs is None or h.chunk.doc in side.docs | side.later) and
           (not about or any(on_side(index, side, c.hit.chunk.doc, c.span) for c in candidates(index, [h])))][:k]
    return [replace(h, rank=r) for r, h in enumerate(own, start=1)]


def names_an_article(side: Side) -> bool:
    """Is the side an article the question names by its outlet, author or title
    ("per the Guardian"), not a time ("in 2024") nor a person or thing?"""
    return side.docs is not None and not _TIME.fullmatch(side.label)


def without_sides(question: str, sides: Sequence[Side]) -> str:
    """The question less the words that name its sides: what each side is
    asked. "exports in 2023 per Bloomberg vs in 2024 per the Guardian" asks
    each side about exports; no sentence of the Guardian names Bloomberg."""
    for start, end in sorted((w for s in sides for w in s.where), reverse=True):
        question = question[:start] + " " + re.sub(r"^['’]s\b", "", question[end:])  # "Sharma's piece"
    return " ".join(question.split())


def pair(index: Index, reading: Reading, sides: Sequence[Side], hits: Sequence[Hit], question_vec: np.ndarray,
         scorer: Scorer, least: float = 0.0, ratio: float = 0.0) -> tuple[list[list[Scored]], float]:
    """Each side's answer, in the question's order, and how sure the surest
    side is. A side's answer is its best sentence and, like an ordinary
    answer's second (compose.choose), the side's likeliest other sentence
    that is at least JOIN_RATIO times as likely and adds something: not the
    same place nor the same words as a sentence any side gives ("no contracts
    have been signed" after "Beijing is holding out for a more favorable
    deal"; eval/README.md, sessions 38-39). A side with no sentence of
    its own adds nothing, nor does one less sure than `least` or whose best sentence is less than
    `ratio` times as likely as the likeliest side's (an article that says
    nothing about what is compared)."""
    # A follow-up's own words, not the question before it, say what each side is asked.
    own = without_sides(own_words(reading.question), sides)
    asked = replace(read_question(index, without_sides(reading.question, sides), asked=own),
                    focus_terms=reading.focus_terms)
    found: list[tuple[Scored, float, list[Scored]]] = []  # each side's best, its P(answered), what may follow
    changed = bool(_ASKS_CHANGE.search(reading.question))
    for side in sides:
        own_hits = side_hits(index, side, hits)
        on = lambda c: on_side(index, side, c.hit.chunk.doc, c.span)  # noqa: E731
        with_amount = lambda c: on(c) and amount_of_side(index, side, asked.question, c)  # noqa: E731
        scored, p = score(index, asked, own_hits, question_vec, scorer,
                          keep=with_amount if reading.kind == "quantity" or changed else on)
        if changed and not scored and reading.kind != "quantity":  # a change told in words only
            scored, p = score(index, asked, own_hits, question_vec, scorer, keep=on)
        if scored and not any(same_place(s, scored[0]) for s, _, _ in found):
            found.append((scored[0], p, [s for s in scored[1:] if s.score >= JOIN_RATIO * scored[0].score]))
    top = max((s.score for s, _, _ in found), default=0.0)
    kept = [(s, p, more) for s, p, more in found if p >= least and s.score >= ratio * top]
    answers: list[list[Scored]] = []
    taken = [b for b, _, _ in kept]  # no side repeats a sentence another side gives, nor its words
    for best, _, more in kept:
        extra = next(([s] for s in more if adds(s, taken)), [])
        taken += extra
        answers.append([best, *extra])
    return answers, max((p for _, p, _ in kept), default=0.0)
