"""Follow-up questions: rewrite "Why hasn't it been agreed?" into a question
that stands alone, using the conversation so far.

No model is needed for the common cases: a pronoun refers to the topic of
the previous question ("Who is Artyom Lukin?" -> "he"), a "that city" or
"there" refers to what the previous answer named, and an elliptical "And
coal?" continues the previous question, as does one pointing back at a thing
no list here names ("that program", "the second one"). The retrieval query
also carries the previous question, so lexical search sees its names.
"""

from __future__ import annotations

import re

from .index import Index, per_index
from .lexical import stopwords
from .question import ASKS_WHO, LEAD, asks_who_is, entities, is_calendar, looks_like_person
from .support import CITATION_MARKER, truecase

_PERSONAL = re.compile(r"\b(he|she|him|her|his|hers|it|its|they|them|their)\b", re.I)
_DEICTIC = re.compile(r"\b(that|this|the same) (city|place|country|visit|meeting|project|pipeline|deal|person|"
                      r"man|woman|university|company|summit|trip|agreement|article)\b|\bthere\b", re.I)
FOLLOWING = " (following: "  # how an elliptical follow-up carries the question it continues
MAX_TURNS = 6  # turns of a chat kept, and a follow-up read against (each, in turn, against those before it)
_ELLIPSIS = re.compile(r"^\W*(and|what about|how about|also|but)\b", re.I)
# "And what about coal?": the words that continue the question before, asking nothing new.
_CONTINUES = re.compile(r"^\W*(?:(?:and|but|also|so)\W+)*(?:(?:what|how) about\b)?", re.I)
_ASKS = re.compile(r"\b(who|whom|whose|what|which|when|where|why|how)\b", re.I)
# "that program", "the second one", "those talks": a thing of the conversation
# that no closed list names (the noun in lower case: "that Laika had died" is
# a clause, not a pointer).
_ANAPHOR = re.compile(r"\b(?:that|this|these|those|the same|the other|the latter|the former)\s+((?-i:[a-z]+))\b|"
                      r"\bthe (?:first|second|third|fourth|fifth|last|next) ones?\b", re.I)


_PERSON_PRONOUN = re.compile(r"\b(he|she|him|her|his|hers)\b", re.I)
_GROUP_PRONOUN = re.compile(r"\b(they|them|their)\b", re.I)
# "What project did ...?" and "What is the only part of New France still French?" ask
# for a thing the answer names; "What is X?" is about X.
_ASKS_WHAT = re.compile(LEAD + r"(what|which)\b(?!\s+(is|are|was|were)\b(?!\s+(?:the|a|an)\s+(?-i:[a-z])))", re.I)


def _opens_sentence(text: str, name: str) -> bool:
    """Does the name's first mention open the text or one of its sentences?"""
    at = text.find(name)
    before = text[:at].rstrip(" \"“‘'(")
    return at >= 0 and (not before or before[-1] in ".!?:;")


# Words that open a sentence with a capital and name nothing ("From the Arabic, ...",
# "About 7 km north ..."), read as such only there ("Under Armour" is a name); the
# stop-word list lacks most of them.
_OPENERS = frozenset("about above according after against along although among around as at because before behind "
                     "below beside besides between beyond both but by despite during each either even for from however "
                     "if in into like many meanwhile most near nor now of off on once only onto or over since several "
                     "some such than then though through throughout thus to toward towards under unlike until upon via "
                     "when whenever where whereas whether while with within without yet also".split())


def _names(text: str) -> list[str]:
    """Entities in the order the text names them, without the capitalised
    function words and pronouns that only open a sentence ("It uses
    quicksort." names no "It", "He went to Harbin" no "He"; "The Power of
    Siberia 2 ..." names "Power of Siberia 2"), nor the owner's "'s"
    ("Tasman's expedition" names Tasman)."""
    out = []
    for e in entities(text):
        words = re.sub(r"[’']s$", "", e).split()
        opens = _opens_sentence(text, e)
        while words and (words[0].lower() in stopwords() or _PERSONAL.fullmatch(words[0])
                         or (opens and (words[0].lower() in _OPENERS or words[0].isdigit()))):
            words = words[1:]
        if words and not all(w.isdigit() for w in words) and " ".join(words) not in out:  # "of 2016": no name
            out.append(" ".join(words))
    return sorted(out, key=lambda name: text.find(name) % (len(text) + 1))  # not found (-1): last


# "in New Zealand", "Off Cape Horn", "at Yale University": the corpus puts a place here, and
# seldom a person: over the 27 corpora of the evaluation, about five of some 700 names shaped
# like a person's after these words were people ("in Van Gend"); "in Rømer's time" is no place.
_PLACED = re.compile(r"\b(?i:in|at|near|off|across|throughout|within)[ \t]+(?:the[ \t]+)?"
                     r"([A-Z][\w-]*(?:[ \t]+(?:[A-Z][\w-]*|of|de|von))*)(?![\w’'-])(?![’']s\b)")


@per_index
def placed_names(index: Index) -> frozenset[str]:
    """Names the corpus writes after a word of place ("in New Zealand"),
    lower-cased: shaped like a person's ("New Zealand", "Cape Horn"), they
    are still no "he" or "she"."""
    return frozenset(re.sub(r"(?:\s+(?:of|de|von))+$", "", m.group(1)).lower()
                     for a in index.articles.values() for m in _PLACED.finditer(a.text))


def _person(name: str, places: frozenset[str]) -> bool:
    return looks_like_person(name) and name.lower() not in places


def _referent(question: str, last_user: str, asked: list[str], told: list[str],
              places: frozenset[str] = frozenset()) -> str:
    """What a pronoun of the follow-up refers to. A person pronoun: a person
    named before, else the answer to a "who" question ("Who came back in
    1041?" -> "Edward the Confessor" -> "he"). "They": the two people a
    question asking for someone answered ("Which pilot ...?" -> "Amelia
    Earhart, with Fred Noonan"), or that another question named ("When did Xi
    and Putin meet?"). Else "it" and "they": not a person; the answer's thing after a
    question asking for one ("What project ...?"), else the question's topic
    ("What is Power of Siberia 2?"). A question that names nothing ("What was
    the most intense cyclone of 2016?") asks for the thing its answer names
    first, whatever it looks like ("Typhoon Haima" has a person's shape)."""
    # A date is what a "that trip" points at (_pointed), never what "it" or "he" is: "June 1990".
    asked, told = [e for e in asked if not is_calendar(e)], [e for e in told if not is_calendar(e)]
    if not (asked or told):
        return ""
    if _PERSON_PRONOUN.search(question):
        # "Who designed the Pluto Platter?" asks for a person: its answer's, not the "Pluto Platter".
        asks_who = ASKS_WHO.match(last_user) and not asks_who_is(last_user)  # "Who is X?" is about X
        named = told + asked if asks_who else asked + told
        person = next((e for e in named if _person(e, places)), None)
        if person:
            return person
        return told[0] if told and asks_who else (asked or told)[0]
    first = _PERSONAL.search(question)
    if first and _GROUP_PRONOUN.fullmatch(first.group(0)):
        # After a question asking for someone or something, the people its
        # answer names; after any other, the people it named itself ("When did
        # Xi and Putin meet?"). "What pipelines did Xi and Putin discuss?" asks
        # for things: "they" are the pipelines.
        asks_for = ASKS_WHO.match(last_user) or _ASKS_WHAT.match(last_user)
        people = [e for e in (told if asks_for else asked) if _person(e, places)]
        if len(people) >= 2:
            return " and ".join(people[:2])
        pair = next((f"{a} and {b}" for a, b in zip(asked, asked[1:]) if f"{a} and {b}" in last_user), None)
        if pair and not asks_for:
            return pair
    if told and not asked and not ASKS_WHO.match(last_user):
        return told[0]
    things = [e for e in (told + asked if _ASKS_WHAT.match(last_user) else asked + told) if not _person(e, places)]
    return things[0] if things else (asked or told)[0]


_AT = re.compile(r"\b(?:in|to|at|from|near|visit(?:ed|ing|s)?|reach(?:ed)?)\s+(?:the\s+)?$", re.I)


def _place(asked_text: str, told: list[str], asked: list[str], where: bool = False,
           places: frozenset[str] = frozenset()) -> str:
    """What "there" or "that city" points at: what the answer named first
    ("The Winnington site in Northwich" -> Winnington), else the name the
    question puts a place word before ("Why did Putin visit Harbin?" ->
    Harbin, not Putin), else its first name that is not a person's. For a
    place or one named (`where`: "there", "that city", "that man") a date is
    none: "in July 1665"; "that trip" may be the May 2014 one."""
    if where:
        told, asked = [e for e in told if not is_calendar(e)], [e for e in asked if not is_calendar(e)]
    if told:
        return next((e for e in told if not _person(e, places)), told[0])
    for name in asked:
        at = asked_text.find(name)
        if at > 0 and _AT.search(asked_text[:at]):
            return name
    return next((e for e in asked if not _person(e, places)), asked[0]) if asked else ""


# "that city" is the city, "that man" the man; "that trip" is the trip, of May 2014 or to Harbin.
_NAMED_NOUNS = frozenset("city place country university company person man woman".split())


def _points_at_named(m: re.Match) -> bool:
    """"there", "that city", "that man": a place or one named, never a date ("that
    trip" may be the May 2014 one)."""
    return m.group(0).lower() == "there" or (m.group(2) or "").lower() in _NAMED_NOUNS


def _pointed(m: re.Match, name: str) -> str:
    """What replaces "there", "that city" or "that trip" pointing at `name`."""
    if m.group(0).lower() == "there":
        return f"in {name}"
    noun = m.group(2).lower()
    return name if noun in _NAMED_NOUNS else f"the {name} {noun}"


# "said that ...", "this year": a clause or a time, not a thing pointed back at.
_SAYING = frozenset("say says said report reports reported think thinks thought believe believes believed claim "
                    "claims claimed note notes noted warn warns warned show shows showed suggest suggests suggested "
                    "argue argues argued know knows knew mean means meant so such".split())
_TIMES = frozenset("year years week weeks month months day days time times morning evening spring summer autumn "
                   "winter".split())


def points_back(question: str) -> bool:
    """Does a question that names nothing of its own point back at a thing
    of the conversation ("How much are the projects under that program
    worth?")? A question naming its own subject stands alone."""
    if _names(question):
        return False
    if re.search(r"\b(?:that|this)\W*$", question, re.I):
        return True  # "In what year was that?"
    for m in _ANAPHOR.finditer(question):
        if m.group(1) is None:
            return True  # "the second one"
        before = question[: m.start()].split()
        if (m.group(1) not in stopwords() and m.group(1) not in _TIMES
                and not (before and before[-1].lower() in _SAYING)):
            return True
    return False


def needs_context(question: str) -> bool:
    return bool(_PERSONAL.search(question) or _DEICTIC.search(question) or _ELLIPSIS.match(question)
                or points_back(question) or len(question.split()) <= 3)


def elliptical(question: str) -> bool:
    """"And coal?", "What about Tajikistan?": the question before, asked of
    something new (not "What happened to the second one?", which points back)."""
    return bool(_ELLIPSIS.match(question)) and FOLLOWING in question


def asks_anew(own: str) -> bool:
    """Do a follow-up's own words ask their own question ("Why was that stop
    significant?"), or only continue the one before ("And coal?", "What
    about coal?")?"""
    return bool(_ASKS.search(_CONTINUES.sub("", own)))


def continued(own: str) -> str:
    """What a follow-up's own words add to the question before: "coal?" of
    "And what about coal?" (its "about" is no word of the thing asked)."""
    return _CONTINUES.sub("", own)


def without_marker(standalone: str) -> str:
    """A rewritten question without the word that joins the question it
    continues ("And coal? (following: How much oil ...)")."""
    return standalone.replace(FOLLOWING, " (")


def own_words(standalone: str) -> str:
    """The user's own question inside a rewritten one: "And coal?" of
    "And coal? (following: How much oil ...)"."""
    return standalone.split(FOLLOWING, 1)[0]


# "his" after a name in the follow-up itself is that name's ("why is Xi dragging his
# feet?"); "he" may be someone else ("What did Beijing say when he arrived?"), and so
# may "her" ("what did Xi tell her?").
_OWNER_PRONOUN = re.compile(r"his", re.I)


def _open_pronoun(question: str, index: Index | None) -> re.Match | None:
    """The first pronoun the conversation must resolve: not "his" in "why is
    Xi dragging his feet on it?", where the follow-up names whose feet itself."""
    shown = truecase(question, index) if index is not None else question
    for m in _PERSONAL.finditer(question):
        if not (_OWNER_PRONOUN.fullmatch(m.group(0)) and _names(shown[: m.start()])):
            return m
    return None


def rewrite(question: str, history: list[tuple[str, str]] | tuple = (),
            index: Index | None = None) -> tuple[str, str]:
    """(standalone question, retrieval query) for the last turn of a chat.
    With the index, names typed in lower case ("who's alexey maslov?") get
    their capitals back, so that the names asked about are found."""
    if not history or not needs_context(question):
        return question, question
    history = list(history)[-MAX_TURNS:]
    last_user, last_bot = history[-1]
    # The question before may itself have leaned on the one before it ("What
    # was he trying to replace?"): read it as it stood alone, so that "him"
    # two turns on is still Leo Baekeland, not the shellac he answered.
    # One that only continued another ("And coal?") stands for the question it continued.
    before = rewrite(last_user, history[:-1], index)[0]
    last_user = before.split(FOLLOWING, 1)[1][:-1] if FOLLOWING in before else before
    last_bot = CITATION_MARKER.sub("", last_bot or "")
    last_user = truecase(last_user, index) if index is not None else last_user  # "who is yun sun?" asks who is Yun Sun
    asked = _names(last_user)
    told = [e for e in _names(last_bot) if e not in asked and e not in " ".join(asked)]
    # The user's names get their capitals before a name goes in: once "Alexey
    # Maslov" stands in "what did he tell putin?", the question would read as
    # written by someone who capitalises names, and "putin" as no name.
    cased = truecase(question, index) if index is not None else question
    standalone = cased
    pointer = _DEICTIC.search(question)
    places = placed_names(index) if index is not None else frozenset()
    place = _place(last_user, told, asked, where=_points_at_named(pointer), places=places) if pointer else ""
    if place:
        standalone = _DEICTIC.sub(lambda m: _pointed(m, place), standalone, count=1)
    pronoun = _open_pronoun(standalone, index)
    topic = _referent(standalone[pronoun.start() :], last_user, asked, told, places) if pronoun else ""
    if topic:
        said = topic + ("'s" if pronoun.group(0).lower() in ("his", "her", "its", "their") else "")
        standalone = standalone[: pronoun.start()] + said + standalone[pronoun.end() :]
    if standalone == cased:  # nothing put in: the question as typed
        standalone = question
        if _ELLIPSIS.match(question) or points_back(question):
            standalone = f"{question}{FOLLOWING}{last_user})"
    query = f"{standalone} {last_user}"
    return standalone, query
