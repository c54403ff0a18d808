"""Reading a question: what kind of fact it asks for, about whom, and
whether a sentence holds that kind of fact.

Classic question answering types its questions (Li & Roth): a "how many"
wants a count, "when" a date, "who is the mayor" a person. With no NLI model
offline, these types are what stop a sentence on the right topic from
passing for an answer: "imports rose 1,500%" is not a price, "his first tour
in five years" is not an amount of trade, "they plan to meet" is not an
agreement. Each check is a necessary condition, never a sufficient one.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from .ingest import MONTHS
from .lexical import stems, stopwords, tokenize

# --- spelling ------------------------------------------------------------------

# Typed questions drop apostrophes: "whats the population", "why cant they".
# The question readers below know "what's" and "can't". Only words in lower
# case are read so (the first word may be capitalised): "Brian Cant" and
# "Arent van Curler" are names. "its", "wont" and "theres" are left alone.
# A question may open with a word that joins it to the one before ("And when
# did it stop erupting?" asks as "When did it stop erupting?" does): every
# pattern that reads a question from its start allows it.
JOINING = r"(?:(?:and|but|so|then)\W+)?"
LEAD = r"^\W*" + JOINING
_BARE_IS = re.compile(r"(?:^\W*(?=[A-Z])|\b(?=[a-z]))((?i:what|who|where|when|why|how))s\b")
_BARE_NOT = re.compile(r"(?:^\W*(?=[A-Z])|\b(?=[a-z]))((?i:do|does|did|is|are|was|were|has|have|had|ca|could|would|"
                       r"should))nt\b")


def with_apostrophes(question: str) -> str:
    """"whats the toll" -> "what's the toll", "didnt" -> "didn't"."""
    return _BARE_NOT.sub(r"\1n't", _BARE_IS.sub(r"\1's", question))


# --- names -------------------------------------------------------------------

_QUESTION_WORD = re.compile(r"^(who|whom|whose|what|why|when|where|which|how|is|are|did|does|do|was|were)$", re.I)
# Short forms whose full stop ends no sentence: titles before a name ("Mr. Smith",
# "Maj. Gen. John F. Reynolds"), which articles as often leave out, and the short
# words that open a place's name ("St. Petersburg", "Mt. Everest"), part of it.
TITLES = ("Mr", "Mrs", "Ms", "Dr", "Prof", "Rev", "Gen", "Maj", "Col", "Capt", "Lt", "Sgt", "Gov", "Sen", "Rep")
PLACE_PREFIXES = ("St", "Mt", "Ft")
_PLACE_SHORT_WORDS = frozenset(p.lower() for p in PLACE_PREFIXES)  # as name_words reads them
# Titles British style writes without the full stop ("Mr Smith"), read as titles
# only before a capitalised word.
DOTLESS_TITLES = ("Mr", "Mrs", "Ms", "Dr")
# A title is cut from the name, leaving a break: "US Sen. Rubio" names "US" and "Rubio".
_TITLE = re.compile(r"\b(?:(?:" + "|".join(TITLES) + r")\.|(?:" + "|".join(DOTLESS_TITLES) + r")(?=\s+[A-Z]))\s+")
_PLACE_PREFIX = r"(?:" + "|".join(PLACE_PREFIXES) + r")\.(?=\s+[A-Z])"
# A middle initial stays inside its name: "Bruce C. Murray", "Russell S. Penniman".
_ENTITY = re.compile(r"(?:" + _PLACE_PREFIX + r"|[A-Z][\w\-’']+|of|the|de|von|der)"
                     r"(?:\s+(?:" + _PLACE_PREFIX + r"|[A-Z][\w\-’']+|of|the|von|der|de|"
                     r"\d+(?:[A-Z]\b)?|[A-Z]\.(?=\s+[A-Z][a-z])))*")  # "SN 1987A", "Power of Siberia 2"


def abbreviation_ends(text: str, at: int) -> bool:
    """Is the full stop at `at` that of a title ("Dr.") or of a place's short
    word ("visited St."), not a sentence's end? "on Main St." ends one: after a
    capitalised word "St." is a street."""
    m = re.search(r"(\S+\s+)?\b(\w+)$", text[:at])
    if not m:
        return False
    if m.group(2) in TITLES:
        return True
    before = (m.group(1) or "").strip()
    return m.group(2) in PLACE_PREFIXES and not before[:1].isupper()


NAME_GLUE = {"of", "the", "de", "von", "der"}
_CALENDAR = re.compile(r"^(January|February|March|April|May|June|July|August|September|October|November|December|"
                       r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)$")

def is_calendar(name: str) -> bool:
    """"June 1990", "May", "Monday 3": a date, not a name anything can be."""
    ws = name.split()
    return bool(ws) and bool(_CALENDAR.match(ws[0])) and all(w.isdigit() for w in ws[1:])


# Capitalised words that name no one (the stop-word list lacks most of them).
_PRONOUNS = frozenset("i we you he she it they this that these those there here who which his her its their our "
                      "my your him them".split())


def _names_no_one(word: str) -> bool:
    """"He", "The", "This": a capitalised function word or pronoun (`word` lower-cased)."""
    return word in stopwords() or word in _PRONOUNS


def entities(text: str) -> list[str]:
    """Capitalised spans ("Power of Siberia 2", "Artyom Lukin"), longest first,
    without a leading question word."""
    found = []
    for m in _ENTITY.finditer(text):
        words = m.group(0).split()
        while words and (_QUESTION_WORD.match(words[0]) or words[0].islower()):
            words = words[1:]
        while words and words[-1].islower():
            words = words[:-1]
        if words:
            found.append(" ".join(words))
    return sorted(dict.fromkeys(found), key=lambda e: -len(e))


# A month's name, whole or short ("Sept."); "Jan-Aug", "Sept–Dec": months, however short.
MONTH_SHORT = r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
_MONTH_NAMES = "|".join(m.capitalize() for m in MONTHS)  # "January|February|…", capitalised: "march" is a verb
_MONTH_FORM = r"(?:" + _MONTH_NAMES + "|" + MONTH_SHORT + r")\.?"
# "Oct 2023", "Sept. 2024", "Jan–Aug 2023", "mid-Oct 2023": a date, whole ("Jan Mayen" is a name).
SHORT_MONTH_DATED = re.compile(r"\b(?:" + _MONTH_FORM + r"[-–/])*(?:" + MONTH_SHORT + r")\.?(?=\s+\d)")
_MONTH_SPAN = re.compile(_MONTH_FORM + r"(?:[-–/]" + _MONTH_FORM + r")+")


def month_number(word: str) -> int:
    """1-12 for a month or its short form ("Oct", "Sept."), 0 for any other word."""
    w = word.lower().rstrip(".")
    return next((i for i, m in enumerate(MONTHS, 1) if len(w) >= 3 and m.startswith(w)), 0)


def names_of(text: str) -> list[str]:
    """The names in a question, without possessives and dates: "Putin's May
    2024 trip" names "Putin"."""
    names = []
    text = _TITLE.sub(", ", SHORT_MONTH_DATED.sub(" ", text))
    for e in entities(text):
        # "Chinese-made", "US-sanctioned" describe: the name is the first part
        # ("Post-war Britain" names Britain; "Moscow-to-Beijing" stays whole).
        e = re.sub(r"\b(?:Post|Anti|Pro|Non|Self|Pre|Ex|Neo|Pan|Mid)-[\w’']+\s*", "", e).strip()
        e = re.sub(r"\b([A-Z][\w’']*)-[a-z]+\b(?!-)", r"\1", e)
        for part in re.split(r"['’]s\b|\s(?=(?:" + _CALENDAR.pattern[2:-2] + r")\b)", e):
            part = " ".join(w for w in part.split() if not _CALENDAR.match(w) and not w.isdigit()
                            and not _MONTH_SPAN.fullmatch(w))
            if part and part not in names:
                names.append(part)
    return names


def looks_like_person(name: str) -> bool:
    """"Artyom Lukin", "Ursula von der Leyen": two to four capitalised words,
    no "of"; not "Russia" or "Power of Siberia"."""
    words = name.split()
    return 2 <= len(words) <= 4 and all(w in ("von", "van", "de", "der", "bin", "al") or
                                        (w[:1].isupper() and w.replace("-", "").isalpha()) or
                                        (0 < i < len(words) - 1 and re.fullmatch(r"[A-Z]\.", w))  # "Bruce C. Murray"
                                        for i, w in enumerate(words))


def fold_accents(text: str) -> str:
    """"Fécamp" -> "Fecamp": a name is the same name with or without accents."""
    if text.isascii():
        return text
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


def words(text: str) -> set[str]:
    """Lower-case words, unstemmed and without accents: names are compared as
    written ("Dingli" and "Ding" share a stem, not a name)."""
    return set(re.findall(r"[^\W_]+", fold_accents(text).lower()))


def name_words(name: str) -> list[str]:
    """The words of a name, without glue words, numbers and a place's short word
    ("St. Petersburg" is found by "Petersburg", also where it is "Saint Petersburg")."""
    return [w for w in re.findall(r"[^\W_]+", fold_accents(name).lower().replace("’s", "").replace("'s", ""))
            if w not in NAME_GLUE and w not in _PLACE_SHORT_WORDS and not w.isdigit()]


def name_present(name: str, present: set[str], article: set[str] | frozenset[str] | None = None) -> bool:
    """Is a name mentioned among the `present` words? News names a person in
    full once, then by one name ("Gabuev" for "Alexander Gabuev", "Li" for
    "Li Lifan"): so one word of a two-word name will do where the `article`
    (its words) names it in full — "Li" in an article about Li Mingjiang is
    not Li Qiang. A longer name, or one with "of" ("Shanghai Cooperation
    Organisation", "Power of Siberia"), needs its head word, the last."""
    ws = name_words(name)
    if not ws:
        return True
    one = len(ws) == 1  # only a one-word name may be an adjective of a place ("Siberian")
    if article is not None and not all(_has(w, article, one) for w in ws):
        return False
    person = len(ws) <= 2 and not any(w.lower() in NAME_GLUE for w in name.split())
    return any(_has(w, present, one) for w in ws) if person else _has(ws[-1], present, one)


# Words for a person by their role: a name before one ("the Kremlin boss", "the Carnegie
# centre head", "Russia's foreign minister") describes someone the answer names another way.
_ROLE = (r"(?:boss|chief|leader|head|president|premier|spokes(?:man|woman|person)|official|minister|director|"
         r"founder|researcher|expert|analyst|professor|scholar|scientist|envoy|ambassador|commander|"
         r"chair(?:man|woman)|ruler|monarch|emperor)s?")
# ... ending its noun phrase: "the Kremlin chief out of ...", "the Carnegie centre head think",
# not "Kazakhstan's chief export" or "the Kazakhstan official figures".
_PHRASE_ENDS = (r"(?=\s*(?:$|[?!.,;:)]|\s+(?:(?-i:[A-Z])|(?:of|in|at|on|for|from|to|into|out|off|over|with|by|as|about|"
                r"after|before|during|and|or|but|who|whom|that|is|was|are|were|has|had|have|do|does|did|will|"
                r"would|can|could|should|might|may|say|says|said|think|thinks|thought|believe|believes|believed|"
                r"expect|expects|expected|call|calls|called|want|wants|wanted|warn|warns|warned|claim|claims|"
                r"claimed|keep|keeps|kept|give|gives|gave|hand|hands|handed|make|makes|made|get|gets|got|go|"
                r"goes|went|visit|visits|visited|travel|travels|travelled|mean|means|meant)\b)))")


@lru_cache(maxsize=1024)
def _describing(name: str) -> re.Pattern:
    # After "the" ("the Kremlin boss", "the Chinese leader") or with an owner's 's ("Russia's
    # foreign minister"), with at most one lower-case word between: not "Did Putin head to
    # Beijing?" or "What did Putin tell officials?".
    between = r"(?:(?!(?:" + _AUX_AND_DETERMINERS + r"|a|an|not)\b)(?-i:[a-z][a-z-]*)\s+)?"
    name = re.escape(name)
    return re.compile(r"(?:\bthe\s+" + name + r"(?:['’]s)?|(?<![\w-])" + name + r"['’]s)\s+" + between +
                      r"(?-i:" + _ROLE + r")\b" + _PHRASE_ENDS, re.I)


def describes_someone(name: str, question: str) -> bool:
    """Does the name stand just before a word for a person's role ("the
    Kremlin's leader", "the Carnegie centre head"), describing them?"""
    return bool(_describing(name).search(question))


def abbreviates(name: str, title: str) -> bool:
    """Is a name of two or more words a shortening of words next to each other
    in a title, each word a start of the title's ("Nat Geo" of "National
    Geographic Society", "Jet Propulsion Lab" of "Jet Propulsion Laboratory")?"""
    short, full = name_words(name), name_words(title)
    if len(short) < 2 or any(len(w) < 3 for w in short):
        return False
    return any(all(full[i + j].startswith(w) for j, w in enumerate(short))
               for i in range(len(full) - len(short) + 1))


def _has(word: str, present: set[str] | frozenset[str], place_adjective: bool = False) -> bool:
    """The word, or its plural or singular ("Normans" names the Norman), or
    with `place_adjective`, for an adjective of a place in "-an", the place
    ("the Siberian gas line" is the Power of Siberia 2, "Asian" is told by
    "Asia"), and for a place its adjective ("Asia" by "Asian", "Europe" by
    "his European tour"). Only for a one-word name: "Julian Smith" is not
    "Julia"; the one word "Julia" is still read as "Julian" (rare, and it only
    lets a sentence compete, not answer)."""
    return (word in present or (word.endswith("s") and word[:-1] in present) or word + "s" in present
            or (place_adjective and len(word) >= 5 and word.endswith("an") and word[:-1] in present)
            or (place_adjective and len(word) >= 4 and (word.endswith("a") and word + "n" in present or
                                                          word[-1] in "eo" and word + "an" in present)))


# --- what a sentence says about its speaker and its reasons ---------------------

SPEECH = re.compile(r"\b(said|says|say|told|tells|wrote|writes|according to|noted|notes|added|argued|warned|"
                    r"claimed|described|called|stressed|insisted|urged|praised|hailed|put it|replied|in a statement|"
                    # "declared that", "stated: “…": not "declared war", "the stated aim"
                    r"(?:announced|declared|stated|explained|predicted|suggested|responded|remarked|commented)"
                    r"(?=,?:? (?:that\b|[“\"]))|"
                    r"alleged (that|\w+ (was|were|is|are|had|has)))\b", re.I)
QUOTATION = re.compile(r"[“\"][^”\"]{12,}[”\"]")  # a quoted passage, not a scare-quoted term
OPENS_QUOTE = re.compile(r"^\W{0,2}[“\"‘']")
HE_SHE = re.compile(r"\b(he|she)\b", re.I)
# Words that deny: "not", "never", "without", "failed to", "didn't".
NEGATION = re.compile(r"\b(not|no|never|neither|nor|without|none|n't|fail(ed|s)? to)\b|n['’]t\b", re.I)
# Connectives that give a reason: a "why" answer usually contains one.
CAUSAL = re.compile(r"\b(because|due to|owing to|as a result|therefore|thus|hence|which is why|that is why|"
                    r"caus(?:e|ed|es|ing)|led to|lead(?:s|ing)? to|result(?:ed|s|ing)? (?:in|from)|thanks to|"
                    r"attributed to|blamed on|prompted|triggered|fearing|for (?:this|that|these) reasons?|"
                    r"(the|one|main|key) reason|in order to|so as to|out of (concern|fear)|for fear|"
                    r"concerns? (about|over)|as long as)\b|(,|^|[.;:]\s)\s*so\b", re.I)
# A person named in a sentence: "Emmanuel Macron", "Ursula von der Leyen";
# not "the Harbin Institute of Technology" or "Russia's Far East".
_PERSON = re.compile(r"(?<!\bthe )(?<![’']s )\b[A-Z][a-z]+(?:\s+(?:von|van|de|der|bin|al))*\s+[A-Z][a-z][\w\-]*\b"
                     r"(?! of\b)")

# Words that make a capitalised name a place, a body or a thing, not a person,
# when they close it ("Rocket Force", "Jan Mayen Island", "Tobacco Products
# Directive"). Words that are also common surnames (_BODY_OR_SURNAME: "Margaret
# Court", "Frank Ocean") do so only in a name of three words or more ("Hague
# Criminal Court").
_BODY = frozenset("""
    kingdom republic empire emirate island islands isles company corporation directive force forces ministry
    university institute institution monument museum society association council commission committee party bank
    sea river mountain mountains province state states navy army cathedral zoo hospital college school parliament
    assembly agency office department treaty act war prize award lands territory territories desert peninsula city
    county district region valley airport railway canal fund group organisation organization foundation club
    league federation alliance conference summit forum exposition exhibition festival journal magazine gazette
    herald tribune academy laboratory centre center gulf channel
    """.split())
_BODY_OR_SURNAME = frozenset("court church union hall street castle lake bridge road station square palace fort "
                             "bay coast house ocean strait abbey battle harbour harbor press".split())
# A name opening on a compass word is a place ("South Africa", "East Asia");
# a continent alone is one too ("Kanye West" and "Asia Argento" are people).
_COMPASS = frozenset("north south east west northern southern eastern western central".split())
_CONTINENTS = frozenset("africa asia europe america americas antarctica".split())
# One capitalised word that is a place, never a person's whole name.
_PLACE_WORDS = _COMPASS | _CONTINENTS | frozenset("pacific atlantic arctic antarctic".split())
_CAPITALISED_AFTER = re.compile(r"(?:[ \t]+[A-Z][\w’'-]*){0,4}")

# --- answer types --------------------------------------------------------------

_OUTCOME_Q = re.compile(r"\b(?:what|which)(?: [a-z]+){0,2} (did|have|has|had) .{0,60}?\b(agree|sign|decide|conclude|settle)d?\b|"
                        r"\bwhat (was|were|has been|have been) (agreed|signed|decided|concluded)\b", re.I)
_OUTCOME = re.compile(r"\b(agreed|signed|decided|concluded|announced|pledged|reached|struck|confirmed|reaffirmed)\b", re.I)
# "Who replaced Belousov?", "Whom did she succeed?", "Who took over as
# chairman?": a sentence that names the minister tells no succession unless it
# says one ("replaced", "succeeded", "his successor", "took over", "in place of";
# "acquired by" for a firm taken over). Only the verbs and the two nouns:
# "no replacement for China" asks of no one who came after whom, nor does
# "who succeeded in climbing Everest?". Asked only of people and named things
# (type_matches): "When did the Normans take over Sicily?" asks a date.
_TAKE_OVER = r"(?:took|take|takes|taken|taking) over"
_SUCCESSION_Q = re.compile(r"\b(?:replac(?:e|es|ed|ing)|succeed(?:s|ed|ing)?(?!\s+in\b)|successors?|predecessors?|"
                           + _TAKE_OVER + r")\b", re.I)
_SUCCESSION = re.compile(r"\b(?:replac\w*|succe(?:ed\w*|ssors?|ssion)|predecessors?|" + _TAKE_OVER +
                         r"|in place of|acquired by|bought by)\b", re.I)
_MEASURE = (r"(share|percentage|proportion|price|cost|value|amount|number|rate|size|sum|population|total|volume|toll|"
            r"(?-i:count))")  # not "the Count of Flanders"
# Dimensions, asked as "what is the area of …?" ("what area of research …?" asks no amount).
_DIMENSIONS = ("area", "length", "height", "depth", "width", "weight", "mass", "speed", "temperature", "distance",
               "altitude", "elevation", "diameter")
_DIMENSION = "(" + "|".join(_DIMENSIONS) + ")"
# ... or asked right before the verb ("What top speed did the Rocket reach?", "At what
# temperature does it boil?"); not "area" ("What area did the Normans conquer?" asks a
# place) or "pressure" ("What pressure did the unions put on …?").
_DIMENSION_ASKED = "(?:" + "|".join(d for d in _DIMENSIONS if d != "area") + "|voltage|frequency)"
# "what tariff rate", "what's the new tariff rate", "what was the death toll": up to two
# words may name the measure; not a verb and its object ("what did the rate do",
# "what caused the price rise": no determiner among the naming words). "What was
# trade worth?" asks an amount too ("what was worth seeing?" does not).
_AUX_AND_DETERMINERS = "is|was|are|were|did|does|do|has|have|had|will|the|a|an|its|their|his|her|this|that|these|those"
_NAMING = r"(?:(?!(?:" + _AUX_AND_DETERMINERS + r")\b)[\w-]+ ){0,2}"
_NAMING_OWNED = r"(?:(?!(?:" + _AUX_AND_DETERMINERS + r")\b)[\w’'-]+ ){0,2}"  # "what is Lombok's total area"
# A unit the question ends on asks an amount in it: "How high is the Beerenberg, in
# metres?", "What is Clipperton's land area in square kilometres?" (not "What share of
# trade was paid in dollars in 2019?": the unit must end the question). Each family
# with how its amounts are written (_UNITS). Not money: "Who said trade is now
# settled in yuan?" asks no amount.
_UNIT_ASKED = {
    "length": r"(?:metres|meters|kilometres|kilometers|km|feet|miles|inches|yards|centimetres|centimeters|"
              r"millimetres|millimeters)",
    "area": r"(?:square (?:metres|meters|kilometres|kilometers|km|miles|feet)|hectares|acres)",
    "time": r"(?:seconds|milliseconds|microseconds|nanoseconds|minutes|hours|days|weeks|months|years)",
    "mass": r"(?:kilograms|kg|tonnes|tons|grams|ounces)",  # not "pounds": money too
    "temperature": r"(?:degrees(?: (?:celsius|centigrade|fahrenheit))?|celsius|fahrenheit)",
}
_IN_UNIT = r"\bin\s+(?:{})(?=\W*$)"
_ANY_UNIT_ASKED = _IN_UNIT.format("|".join(_UNIT_ASKED.values()))
_QUANTITY = re.compile(r"\b(how (many|much|old|long|far|big|large|high|often|tall|deep|wide|heavy|hot|cold|fast|thick)|" +
                       _ANY_UNIT_ASKED + "|"
                       r"by how much|what rank|what " + _NAMING +
                       _MEASURE + r"|what(?:['’]s| (is|was|are|were|will be)) (the )?" + _NAMING_OWNED +
                       "(?:" + _MEASURE + "|" + _DIMENSION + ")" +
                       r"|what (?:is|was|are|were|will be)\b[^?]{0,60}\bworth(?!\s+(?:it|the|a|\w+ing)\b)|" +
                       LEAD + r"(?:(?:at|to|from|of|in)\s+)?what\s+(?:[\w-]+\s+){0,2}?" + _DIMENSION_ASKED +
                       r"\s+(?:did|does|do|was|is|were|are|has|had|will|would|can|could)"
                       r")\b", re.I)
_DATE_Q = re.compile(LEAD + r"(when|since when|(in |on )?(what|which) (?:(?:exact|precise|specific|calendar)\s+)?"
                     r"(year|month|day|date))\b|" +
                     # "Which came first, ...?", "Which is older, ...?", "Was X born before or
                     # after Y?": told by dates (not "Which team finished first?").
                     LEAD + r"which\s+(?:came|happened|was|were|is|are)\s+(?:\w+\s+)?(?:first|earlier|older)\b|" +
                     LEAD + r"(?:was|were|did|is)\b[^?]*\bbefore or after\b", re.I)
# A date: a year of any era ("in 1066", "the 1960s", "the 5th century"), a
# month written as a name ("May 2024", not the verb "may"), a season or day.
# A number that counts time or is a share is no year ("for another 100 years",
# "a 500-year-old tree", "up 164%"; not "in 2023 year on year").
_UNIT_WORDS = "second|millisecond|microsecond|nanosecond|minute|hour|day|week|month|year|decade"
_COUNTS_TIME = r"\s*(?:%|per\s*cent\b)|\s+(?:(?:" + _UNIT_WORDS + r")s|centuries)\b|-(?:" + _UNIT_WORDS + r"|century)\b"
_DATE = re.compile(r"\b([1-9]\d{2,3}s?|[1-9]\d?(st|nd|rd|th) century|(AD|BC|BCE|CE)\b)\b(?!" + _COUNTS_TIME + ")|"
                   r"\b(January|February|March|April|May|June|July|August|September|October|November|December|"
                   + MONTH_SHORT + r")\b|"
                   r"\b(spring|summer|autumn|winter|monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
                   r"last (year|month|week)|this (year|month|week)|ago|since|century|decade)\b", re.I)
_DATE_MONTH_CASE = re.compile(r"\bmay\b")  # the verb, when not capitalised
# "In what year …?" is not answered by "in August" or "since then": it needs a
# year (a four-digit one, a three-digit one after a preposition or with its era:
# "in 732", "AD 79"), a decade or a century, or a year named relative to the
# article's date ("last year").
_ASKS_YEAR = re.compile(r"\b(?:what|which) year\b", re.I)
_ORDINALS = (r"(?:twenty-)?(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|"
             r"\w+teenth|twentieth)|\d{1,2}(?:st|nd|rd|th)")
_YEAR_TOLD = re.compile(r"\b1\d{3}s?\b|\b20\d\ds?\b|\b(?:in|since|until|around|c\.)\s+[1-9]\d{2}\b|"
                        r"\b(?-i:AD|BC|BCE|CE)\s+\d{1,4}\b|\b\d{1,4}\s+(?-i:AD|BC|BCE|CE)\b|"
                        r"\b(?:" + _ORDINALS + r")[\s-]centur(?:y|ies)\b|"
                        r"\b(?:last|this|next|that|the same|the following|the previous) year\b|\byears? ago\b", re.I)
# "What month …?" needs a month's name (capitalised: not the verb "march"), or
# one named relative to the article's date.
_ASKS_MONTH = re.compile(r"\b(?:what|which) month\b", re.I)
# A short month only before its day or year, or with its full stop: "Jan 5",
# "Sept. 2001", not "Jan Smuts" or "Mar-a-Lago".
_MONTH_SHORT_TOLD = r"(?:" + MONTH_SHORT + r")(?:\.|(?=\s+\d))"
_MONTH_TOLD = re.compile(r"\b(?:(?:" + _MONTH_NAMES + r")\b|" + _MONTH_SHORT_TOLD + r")|"
                         r"\b(?:last|this|next|that|the same|the following) month\b")
# "On what date …?", "What day …?" ask for the day: a month with its day
# ("15 June", "the 15th of June", "June 15"), a date in figures ("2024-06-15",
# "15/06/2024") or a weekday.
_ASKS_DAY = re.compile(r"\b(?:what|which) (?:(?:exact|precise|specific) )?(?:date|day)\b", re.I)
_MONTH_ANY = r"(?:" + _MONTH_NAMES + "|" + _MONTH_SHORT_TOLD + r")"
_DAY_TOLD = re.compile(r"\b(?P<d1>\d{1,2})(?:st|nd|rd|th)?(?:\s+of)?\s+(?P<m1>" + _MONTH_ANY + r")|"
                       r"\b(?P<m2>" + _MONTH_ANY + r")\.?\s+(?P<d2>\d{1,2})(?:st|nd|rd|th)?\b|"
                       r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b|"
                       r"\b(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b")
_GIVEN_YEAR = re.compile(r"\b[1-9]\d{2,3}\b")


def _day_of(m: re.Match) -> tuple[str, int] | None:
    """(day, month) of a _DAY_TOLD match ("15", 6), None for one in figures or a weekday."""
    day, month = m.group("d1") or m.group("d2"), m.group("m1") or m.group("m2")
    return (day, month_number(month)) if day else None


@lru_cache(maxsize=256)
def _dates_given(question: str) -> tuple[frozenset[str], frozenset[tuple[str, int]], frozenset[str]]:
    """The years, the days of a month and the months a question gives ("in
    July 2024", "on 2 May"): they are no answer to it."""
    days = {_day_of(m) for m in _DAY_TOLD.finditer(question)} - {None}
    months = {w for w in re.findall(r"[A-Z][a-z]+", question) if w.lower() in MONTHS}
    return frozenset(_GIVEN_YEAR.findall(question)), frozenset(days), frozenset(months)


# "When did Kleist die?", "In what year was Piri Reis born?", "When did Selkirk
# marry?": a date of another event of the person's life ("Kleist discovered it
# in 1745") is no answer. Asked by the question's main verb, in lower case ("Die
# Zeit" is a name), not a phrasal one ("die down", "die out"), nor the "-born" of
# a description ("the Irish-born explorer"); told by the event's word, or by the
# life span in brackets after the person's name ("Abel Tasman (1603 – 10 October
# 1659) was ...").
_MARRIED = r"marr(?:y|ies|ied|iage)|wed(?:s|ded|ding)?"
_LIFE_EVENTS = [(re.compile(q), re.compile(t, re.I)) for q, t in [
    (r"\b(?:die|died|dies)\b(?!\s+(?:down|out|off|away|back)\b)",
     r"\b(?:die[ds]?|dead|death|killed|buried|funeral|passed away|perished|executed|beheaded|hanged|slain|murdered|"
     r"assassinated|drowned|succumbed|lost at sea)\b|\bd\.\s*\d"),
    (r"(?<![\w-])born\b", r"\b(?:born|birth|birthplace|née|nee)\b|\bb\.\s*\d"),
    (r"\b(?:marry|married|marries|wed)\b", r"\b(?:" + _MARRIED + r")\b"),
]]
# "What illness killed Selkirk?", "What did Garrett Anderson die of?": a cause of
# death is told as one ("died of", "his death – probably from malaria –", "succumbing
# to the yellow fever"); a sentence that only says when or where someone died does not
# say what of. (Not "What animals were killed?", which asks who died.)
_ILLNESS = r"(?:illness|disease|sickness|ailment|infection|condition|virus|cancer)"
_DEATH_CAUSE_Q = re.compile(r"\bwhat\s+(?:\w+ly\s+)?kill(?:s|ed)?\b|"  # "What killed him?" (not "What tribe killed Custer?")
                            r"\bwhat\s+" + _ILLNESS + r"\b[^?]*\b(?:die|died|dies|kill(?:s|ed)?)\b|"
                            r"\bwhat\s+did\b[^?]*\b(?:die|dies)\s+(?:of|from)\b|"
                            r"\bcause\s+of\s+(?:(?:his|her|their|the|its)\s+)?death\b", re.I)
# Told as a cause ("died, apparently from appendicitis", "died in 1775 of malaria", not
# "died far from home"), an agent ("Cholera killed him", "killed by"), a manner
# ("drowned", "executed", "killed in action", "died in an avalanche") or an illness named.
_DIED_WHEN = r"(?:,?\s+(?:\w+ly|in\s+\d{3,4}|aged\s+\d+|at\s+the\s+age\s+of\s+\d+))*"
_DEATH_CAUSE = re.compile(r"\b(?:die[sd]?|dying)\b" + _DIED_WHEN + r",?\s+(?:of|from)\b|"
                          r"\bdeaths?\b[\s,–—-]+(?:\w+ly[\s,–—-]+)?from\b|\bsuccumb\w*|"
                          r"\bkill(?:ed|ing|s)?\b[^.;]{0,40}?\b(?:by|from|with)\b|\bkilled\s+(?:him|her|them)\b|"
                          r"\bkilled\s+in\s+(?:action|battle|an?\b|the\b)|\bcause\s+of\s+(?:\w+\s+)?death\b|"
                          r"\b(?:drowned|executed|murdered|hanged|shot|perished|assassinated|beheaded)\b|"
                          r"\bdied\s+in\s+an?\s+(?:\w+\s+)?(?:accident|avalanche|crash|fire|battle|explosion|earthquake|"
                          r"storm|shipwreck|duel|attack)\b|"
                          r"\b(?:illness|disease|sickness|fever|cancer|tumou?r|infection|stroke|heart attack|"
                          r"heart failure|pneumonia|tuberculosis|poison\w*|overdose|wounds?)\b", re.I)
# "Who designed the facility?", "Who was the architect of Holy Trinity Church?",
# "What was the name of the founder of the Giant Powder Company?": the maker is told
# as one — "designed by X", "X founded", "the architect X", "the work of X" — not by a
# sentence that only says when or where the thing was made ("Lindisfarne Castle was
# built in 1550", "Cheddar Football Club founded in 1892 counts Tom Jones among its players").
# Asked by these verbs (not "Who made …?": "who first made penicillin by synthesis?" asks
# who did a thing first; not "Who started the fire?", "Who set up the meeting?", "Who
# built up a following?"; nor "Who wrote …?": a byline may tell, authors.py) ...
_MADE_ASKED = ("designed", "sculpted", "built", "founded", "co-founded", "established", "created", "invented",
               "composed", "painted", "carved", "engineered", "devised")
# ... or these makers (not "the engineer of the train"; "authors", "writers" only tell).
_MAKER_ASKED = "architects?|sculptors?|designers?|founders?|co-founders?|inventors?|creators?|painters?|composers?|builders?"
_MADE = "|".join(_MADE_ASKED) + "|made|wrote|written|authored|started|set up|commissioned|drew|drawn|developed"
_MAKER = _MAKER_ASKED + "|artists?|authors?|writers?"
_MAKER_Q = re.compile(LEAD + r"who\s+(?:(?:first|originally|actually|really|personally)\s+)?"
                      r"(?:" + "|".join(_MADE_ASKED) + r")\b(?!\s+up\b)|" +
                      LEAD + r"(?:who|what)\s+(?:was|is|were|are)\s+(?:the\s+)?(?:name\s+of\s+the\s+)?"
                      r"(?:(?:original|chief|lead|main|first)\s+)?(?:" + _MAKER_ASKED + r")\s+(?:of|for|behind|who|that)\b",
                      re.I)
# A capitalised word that may name the maker: not one that opens a sentence for grammar's sake.
_CAPITAL = (r"(?!(?:The|A|An|In|On|At|By|For|This|That|These|Those|It|Its|Their|His|Her|After|Before|During|When|"
            r"While|Since|From|To|Of|And|But|However|Although|Today)\b)[A-Z][\w’'-]*")
_NOT_A_CLAUSE = r"(?:(?!\b(?:and|but|though|although|while|whereas|later|which|who|when)\b)[^;])"  # "built in 1550 and later restored by X"
_MAKER_TOLD = re.compile(r"(?i:\b(?:re-?|co-)?(?:" + _MADE + r"))\b" + _NOT_A_CLAUSE + r"{0,40}?\bby\s+(?:the\s+)?"
                         r"(?:[a-z]+\s+){0,2}?[A-Z]|"
                         # "Edwin Lutyens redesigned …" (not "The castle built in 1550 …", "… founded in 1892")
                         r"\b" + _CAPITAL + r"\s+(?:(?!(?:was|were|is|are|be|been|being|had been)\b)[\w’'-]+\s+){0,2}?"
                         r"(?:re-?|co-)?(?:" + _MADE + r")\b(?!\s+(?:in|on|around|about|c\.)?\s*\d)|"
                         r"(?i:\b(?:" + _MAKER + r"))\b\s*[,:]?\s*(?:[a-z]+\s+){0,2}?[A-Z]|"  # "the architect Thomas Wakeman"
                         r"\b" + _CAPITAL + r",?\s+(?:[a-z]+\s+){0,3}?(?i:" + _MAKER + r")\b|"  # "Wakeman, the architect"
                         r"\bwork of\s+(?:the\s+)?(?:[a-z]+\s+){0,2}?[A-Z]|\b" + _CAPITAL + r"['’]s\s+designs?\b")
# A side clause holds another event: "When did Cook leave Tahiti after two sailors died?"
_SIDE_CLAUSE = re.compile(r"\b(?:after|before|while|since|until|because|once|where|who|whom|whose|that|which)\b", re.I)
_LIFE_SPAN = re.compile(r"\(\s*(?:born\s+|c\.\s*)?[^()]{0,30}?\b\d{3,4}\s*[–—-]\s*[^()]{0,30}?\b\d{3,4}\s*\)")


def _life_span_of(question: str, text: str) -> bool:
    """Is there a life span in brackets right after a name the question gives?
    ("Abel Janszoon Tasman (1603 – 1659)" for "When did Tasman die?"; not "the
    Second World War (1939–1945)".)"""
    asked = {w.lower() for w in re.findall(r"\b[A-Z][\w’'-]{2,}", question)}
    return any(asked & {w.lower() for w in re.findall(r"[\w’'-]+", text[max(0, m.start() - 40) : m.start()])[-3:]}
               for m in _LIFE_SPAN.finditer(text))


@lru_cache(maxsize=1024)
def _life_events_asked(question: str) -> tuple[re.Pattern, ...]:
    """How each life event the question's main verb asks the date of is told
    (not the verb of a side clause). Read once a question, not once a candidate."""
    return tuple(told for asks, told in _LIFE_EVENTS
                 if (m := asks.search(question)) and not _SIDE_CLAUSE.search(question, 0, m.start()))


def _life_event_told(question: str, text: str) -> bool:
    """Does a sentence that dates something tell the life event asked about?"""
    return all(told.search(text) or _life_span_of(question, text) for told in _life_events_asked(question))


# "What was the name of Piri Reis's mother?", "Who was Tasman's second wife?":
# the person asked for as kin is named as kin ("the son of Jenner's gardener"
# names no mother). Only kin asked for ("Who did Tasman's daughter marry?" asks
# for a husband; "the tube put on an expectant mother's belly", for a thing), and
# in lower case (not the surname "Son").
_KIN_ASKED = re.compile(LEAD + r"(?:who\s+(?:was|is|were|are)|what\s+(?:was|is|were|are)\s+the\s+names?\s+of)\s+"
                        r"(?:the\s+)?(?:(?:[\w’'-]+\s+){0,3}?[\w’'-]+['’]s?\s+)?"  # "Piri Reis's"
                        r"(?:(?:first|second|third|eldest|elder|youngest|younger|only|late|older)\s+)?"
                        r"(?-i:(?P<kin>mothers?|fathers?|wife|wives|husbands?|sons?|daughters?|children|child|"
                        r"brothers?|sisters?|siblings?))\b", re.I)
# Each kin asked, and the words that name it in a sentence.
_KIN = {
    "mother": r"mothers?|née|nee|born to",
    "father": r"fathers?|(?:son|daughter) of|born to",
    "spouse": r"wife|wives|husbands?|widow(?:ed|er)?|spouse|" + _MARRIED,
    "child": r"sons?|daughters?|children|child|fathered|gave birth",
    "sibling": r"brothers?|sisters?|siblings?",
}
_KIN_OF = {"mother": "mother", "father": "father", "wife": "spouse", "wives": "spouse", "husband": "spouse",
           "son": "child", "daughter": "child", "children": "child", "child": "child", "brother": "sibling",
           "sister": "sibling", "sibling": "sibling"}


@lru_cache(maxsize=1024)
def _kin_asked(question: str) -> re.Pattern | None:
    """How the kin a person question asks for is told, or None. Read once a
    question, not once a candidate."""
    m = _KIN_ASKED.search(question)
    if not m:
        return None
    kin = m.group("kin")
    return re.compile(r"\b(?:" + _KIN[_KIN_OF.get(kin) or _KIN_OF[kin[:-1]]] + r")\b")  # "mothers": a mother


def _kin_told(question: str, text: str) -> bool:
    """Is the kin a person question asks for named as kin in the sentence?"""
    told = _kin_asked(question)
    return told is None or bool(told.search(text))


def _date_told(question: str, text: str) -> bool:
    """Does `text` hold a date of the kind asked ("what year", "what month",
    "what date", or any for "when"), other than one the question gives?
    ("In which month of 1921 …?" is not answered by "in 1921".) A question
    offering a choice ("…, 1805 or 1806?") names its answer."""
    years, days, months = _dates_given(question) if not _offers_choice(question) else (frozenset(),) * 3
    text = _DATE_MONTH_CASE.sub(" ", text)
    if _ASKS_DAY.search(question):
        return any(_day_of(m) not in days for m in _DAY_TOLD.finditer(text))
    if years:
        text = _GIVEN_YEAR.sub(lambda y: " " if y.group(0) in years else y.group(0), text)
    if _ASKS_YEAR.search(question):
        return bool(_YEAR_TOLD.search(text))
    if _ASKS_MONTH.search(question):
        return any(m.group(0) not in months for m in _MONTH_TOLD.finditer(text))
    return bool(_DATE.search(text))


ASKS_WHO = re.compile(LEAD + r"(who|whom)\b", re.I)
_PLACE_Q = re.compile(LEAD + r"where\b(?![^?]*\b(?:stands?|stood|rank(?:s|ed)?|fit|fits)\b(?![-’']))", re.I)
_REASON_Q = re.compile(LEAD + r"(why|how come)\b|\bwhat (is|was|are|were) the reasons? (for|why)\b", re.I)
_SPEECH_Q = re.compile(r"\b(?:what|how) (?:did|does|do|has|have|had) (?P<who>.+?) (?:say|tell|argue|claim|warn|write|"
                       r"think|call|describe|note|allege|predict)\b|" + LEAD + r"according to (?P<source>[^,?]+)", re.I)


# "Which Chinese official called …?", "Which company bought ICI?": a class
# whose members are known by name. The answer names one the question does
# not ("Chinese car makers" is no answer to "which car maker?"). Up to three
# words may qualify the class, none a verb, a modal, a preposition or a
# determiner ("What did his company bring out?", "What forced companies to
# leave?", "What type of company …?" ask for no name).
_QUALIFIER = (r"(?:(?!(?:" + _AUX_AND_DETERMINERS + r"|can|could|would|should|must|may|might|shall|"
              r"type|kind|sort|form|part|of|on|in|at|to|for|with|from|by|about|into|than)\b)"
              r"(?![a-z]+ed\b)[\w’'-]+\s+){0,3}?")
_WHICH = LEAD + r"(?:(?:in|at|from|to|by|for|with|on|of)\s+)?(?:which|what)\s+" + _QUALIFIER
# Nouns in -ist name people ("archaeologist", "economist"), and so do these.
_PERSON_CLASS = (r"(?:(?!(?:list|twist|mist|wrist|exist|assist|insist|resist|persist|heist|playlist)s?\b)"
                 r"[a-z]{2,}ists?|"
                 r"officials?|ministers?|presidents?|leaders?|judges?|generals?|kings?|queens?|emperors?|"
                 r"physicians?|doctors?|diplomats?|envoys?|ambassadors?|politicians?|explorers?|"
                 r"inventors?|authors?|writers?|engineers?|mathematicians?|astronomers?|historians?|"
                 r"captains?|commanders?|admirals?|governors?|mayors?|bishops?|popes?|rulers?|"
                 r"founders?|merchants?|spies|spy|witness(?:es)?|wife|wives|husbands?|sons?|daughters?|children|"
                 r"child|fathers?|mothers?|brothers?|sisters?|architects?|composers?|poets?|painters?|players?|"
                 r"analysts?|experts?|scholars?|professors?|researchers?|owners?)")
_NAMED_CLASS = (r"(?:compan(?:y|ies)|firms?|banks?|cit(?:y|ies)|towns?|countr(?:y|ies)|nations?|states(?! of\b)|"
                r"provinces?|regions?|islands?|universit(?:y|ies)|newspapers?|agenc(?:y|ies)|ships?|rivers?|"
                r"part(?:y|ies)|teams?|clubs?|organi[sz]ations?|institutions?|manufacturers?|carmakers?|brands?)")
# The class noun heads its phrase: what follows it is a verb, an auxiliary, a
# relative word, a preposition, a name or the end ("Which company bought …?",
# "Which city will …?", "… the merchant who …"), not another noun ("Which
# nationalist party …?", "Which tourist attraction …?", "Which general election …?").
_IRREGULAR_PAST = ("said|led|won|bought|sold|made|took|gave|wrote|built|saw|went|came|became|began|held|left|kept|"
                   "told|ran|paid|sent|brought|found|met|got|put|set|spent|stood|lost|chose|fought|grew|knew|rose|"
                   "fell|flew|drew|drove|broke|spoke|threw|struck|sank|taught|thought|caught|sought|hid|shot|"
                   "read|let|cut|hit|beat|lent|meant|heard|fled|bore|swore|tore|wore|rode|shook|forbade|overtook")
_HEAD = (r"(?=\s*(?:$|[?.!,;:)]|\s(?:is|was|are|were|did|does|do|has|have|had|will|would|can|could|should|must|"
         r"may|might|shall|who|whom|whose|that|which|where|when|in|of|on|at|from|near|to|with|for|by|during|"
         r"after|before|since|under|not|also|first|still|ever|once|now|later|then|" + _IRREGULAR_PAST +
         r"|[a-z]+ed|[a-z]+n['’]t)\b|(?-i:\s[A-Z])))")
# "What was the name of the merchant who …?" asks for a person too.
_NAME_OF = (LEAD + r"what(?:['’]s|\s+(?:is|was|are|were))\s+(?:the\s+)?names?\s+of\s+"
            r"(?:(?:the|a|an|his|her|its|their)\s+)?" + _QUALIFIER)
_WHICH_PERSON = re.compile(r"(?:" + _WHICH + "|" + _NAME_OF + r")" + _PERSON_CLASS + r"\b(?![’'-])" + _HEAD, re.I)
_WHICH_NAMED = re.compile(_WHICH + _NAMED_CLASS + r"\b(?![’'-])" + _HEAD, re.I)


# A source that is a text, not a person ("the Conversation piece", "the census"):
# the head of the source's words is one of these ("the study's lead author"
# and "the editor of the magazine" are people).
_ARTICLE = re.compile(r"^(?:piece|article|articles|report|story|paper|analysis|coverage|magazine|write-?up|preview|"
                      r"op-?ed|column|editorial|study|survey|statistics|figures|census)$", re.I)


def _cites_text(source: str) -> bool:
    head = re.split(r"\s+(?:of|in|on|at|from|close|by|about|for)\s+", source.strip(), maxsplit=1)[0].split()
    return bool(head) and bool(_ARTICLE.match(head[-1]))


# "Who is Yun Sun?" asks what a named person is; "Who succeeded Henry
# Sidgwick as president?" and "Who was Henry Sidgwick married to?" ask for
# another person, whom the answer names.
_WHO_IS = re.compile(LEAD + r"(?:who|whom)(?:['’]s|\s+(?:is|was|are|were))\s+"
                     r"(?:(?:the|dr|mr|mrs|ms|prof|professor|sir)\.?\s+)?(?P<rest>.+)", re.I)
# What may follow the name: the question's end, or more about the same person.
# ("Who is Yun Sun in the Bloomberg piece?": where the question met them).
_WHO_IS_END = re.compile(r"^(?:\W*$|\s*[,;:(]|\s+(?:and|quoted|mentioned|cited|named)\b|"
                         r"\s+(?:in|from|according to)\s+(?:the\s+)?[\w’'. -]{1,40}?\s+"
                         r"(?:piece|article|report|story|text|interview)\W*$)", re.I)


def asks_who_is(question: str) -> bool:
    """Does the question ask who a person it names is ("Who is Yun Sun?",
    "who's alexey maslov?"), not for someone else?"""
    m = _WHO_IS.match(question)
    if not m:
        return False
    rest = m.group("rest")
    bare = re.sub(r"[?.!]+\s*$", "", rest)
    if looks_like_person(bare):  # "Vincent van Gogh", which entities() splits
        return True
    for e in entities(rest):
        if rest.startswith(e) and looks_like_person(e) and _WHO_IS_END.match(rest[len(e):]):
            return True
    # Typed in lower case: two to four words, none of them a function word or
    # an owner ("who is yun sun?", not "who is putin's defence minister?").
    words = bare.split()
    return (rest == rest.lower() and 2 <= len(words) <= 4 and
            not any(w in stopwords() or w.endswith(("'s", "’s")) for w in words))


def _cites_person(question: str) -> bool:
    """"Who will pay, according to Alexander Isakov?" asks what a person says:
    the answer may be a country or a body."""
    return bool(re.search(r"\baccording to\b", question, re.I)) and any(looks_like_person(e) for e in entities(question))


def answer_type(question: str) -> str:
    """outcome | quantity | date | person | named | place | reason | speech | any."""
    if _OUTCOME_Q.search(question):
        return "outcome"
    if _QUANTITY.search(question):
        return "quantity"
    if _DATE_Q.search(question):
        return "date"
    if ASKS_WHO.match(question) and not asks_who_is(question) and not _cites_person(question):
        return "person"  # "Who is the mayor of Harbin?", "Who succeeded Henry Sidgwick?" (not "Who is Yun Sun?")
    if _WHICH_PERSON.match(question):
        return "person"  # "Which Chinese official called the tariffs bullying?"
    if _WHICH_NAMED.match(question):
        return "named"  # "Which company bought ICI in 2008?"
    if _PLACE_Q.search(question):
        return "place"  # "Where was Dolly cloned?" (not "Where does Beijing stand on …?")
    if _REASON_Q.search(question):
        return "reason"
    who = speaker(question)
    if who and not _cites_text(who):
        return "speech"  # not "According to The Conversation piece, …": an article says it in its own voice
    return "any"


def speaker(question: str) -> str:
    """Whose words a question asks for ("What did Lukin say ..."), or ""."""
    m = _SPEECH_Q.search(question)
    return (m.group("who") or m.group("source") or "") if m else ""


# --- quantities ----------------------------------------------------------------

_NUMBER_WORDS = ("one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|"
                 "seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|"
                 "million|billion|trillion|half|double|doubled|tripled|dozen")
# A bare year ("the 1960s", "in 2022") dates a fact; it does not count or measure anything.
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)s?\b(?!\s*(%|per ?cent|million|billion|bn|tons|times))", re.I)
# "Power of Siberia 2", "G-7": a number that is part of a name.
_NAMED_NUMBER = re.compile(r"(\b[A-Z][a-z]*[ -])\d{1,2}\b(?!\s*(%|per ?cent|million|billion|times|years|months|days))")
# An ordinal answers "what rank", not "how much"; "over five years" answers
# "how long", not "how much trade".
_ORDINAL = re.compile(r"\b(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth)\b", re.I)
_RANK_Q = re.compile(r"\b(rank|ranked|place|position|largest|biggest)\b", re.I)
_DURATION = re.compile(r"\b(\d[\d,.]*|" + _NUMBER_WORDS + r")[\s-]+(years?|months?|weeks?|days?|hours?|decades?)\b", re.I)
# "How long did it last/stay in use/reign?": a time, told by when it ended or the years it spanned.
_LASTED = (r"\bhow long\b[^?]*\b(?:last|stay|stayed|remain|remained|use|used|serve|run|reign|rule|survive|operate|"
           r"exist|continue|endure)\b")
_ASKS_LASTED = re.compile(_LASTED, re.I)
_ORDINAL_WORDS = (r"(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|thirteenth|"
                  r"fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|twenty[\s-]first)")
_UNTIL = re.compile(r"\b(?:until|till)\s+(?:(?:the\s+)?(?:early|late|mid)[\s-]+)?(?:\w+\s+)?(?:1[0-9]|20)\d\d\b|"
                    # "1618 to 1648", not "the 2019-20 season"
                    r"\b(?:1[0-9]|20)\d\d\s*(?:–|-|to|until)\s*(?:1[0-9]|20)?\d\d\b(?!\s*[a-z])|"
                    # "well into the nineteenth century", "until the late 18th century", "until his death";
                    # not "into the nineteenth-century archives", nor "through the century" (during it)
                    r"\b(?:until|till|into)\s+the\s+(?:(?:early|late|mid)[\s-]+)?(?:" + _ORDINAL_WORDS +
                    r"|\d{1,2}(?:st|nd|rd|th)|next|following)\s+century\b(?!-)|"
                    r"\b(?:until|till|into)\s+the\s+end\s+of\s+the\s+century\b|\b(?:until|till)\s+the\s+century['’]s\s+end\b|"
                    r"\b(?:until|till)\s+(?:his|her|their|its)\s+(?:own\s+)?deaths?\b", re.I)
# An age is a duration too: "how old" is answered by "16 years old".
_TIME_Q = re.compile(r"\bhow (?:long|old)\b|\b(years?|months?|weeks?|days?|hours?|decades?)\b", re.I)
# What a measure is counted in: a price needs money, a share a proportion, an
# age years, a height a length. (question pattern, what the answer must contain)
_LENGTH = (r"\d\s*(?:m|km|cm|mm|ft)\b|\b(?:metres?|meters?|kilometres?|kilometers?|feet|foot|miles?|inches|inch|"
           r"yards?|centimetres?|centimeters?|millimetres?|millimeters?|fathoms?)\b")
# The dimension is what is asked: "What is Lombok's total area …?" (not "What share of the
# area …?", "What was the toll at the height of the war?").
_MEASURED = LEAD + r"(?:(?:at|to|from|of|in)\s+)?what(?:['’]s|\s+(?:is|was|are|were))?\s+(?:the\s+)?(?:[\w’'-]+\s+){0,2}"
_FRACTION = r"(?:third|quarter|fourth|fifth|sixth|seventh|eighth|ninth|tenth|twelfth|twentieth|hundredth)"
_MONEY = (r"[$£€¥₹]|\b(dollars?|(?<!per )cents?|yuan|renminbi|roubles?|rubles?|euros?|pence|shillings?|"
          r"francs?|guilders?|florins?|ducats?|thalers?|livres?|kron(?:a|or|e|er)|rupees?|pesos?|(?-i:yen)|"
          r"lir[ae]|dinars?|riyals?|escudos?)\b|\d(bn|tn)\b")
_AREA = r"\b(?:square|sq|hectares?|acres?)\b|km2|km²|m²|mi²"
_MASS = r"\b(?:kg|kilograms?|tonnes?|tons?|pounds?|lbs?|grams?|ounces?)\b|\d\s*(?:g|t)\b"
_TEMPERATURE = r"°|\bdegrees?\b"
_TIME_UNITS = r"\b(?:(?:" + _UNIT_WORDS + r")s?|centur(?:y|ies))\b"  # the units _DATE reads as counting time
_AGE = r"\b(?:aged?|years? old|year-old)\b"  # "How old was he, in years?" "He died aged 36."
_TOLD_IN = {"length": _LENGTH, "area": _AREA, "time": _TIME_UNITS + r"|\d\s*(?:s|ms|µs|μs|ns|min|h)\b|" + _AGE,
            "mass": _MASS, "temperature": _TEMPERATURE}
_UNITS = [(re.compile(p, re.I), re.compile(u, re.I)) for p, u in [
    # Any common currency; not words of other senses: "pounds" weigh, "marks", "crowns",
    # "reals" and "rands" are other words too, "per cent" is no cent, "Yen" a surname.
    (r"\b(price|cost|costs|worth|value|how much money|spend|spent|pay|paid)\b", _MONEY),
    # A rate is a percentage ("a tariff rate of 50%") or so many per unit ("per 10,000", "per
    # year"); not an exchange, heart or frame rate, nor "first-rate".
    (r"\b(share|percentage|proportion|per ?cent)\b|"
     r"(?<!exchange )(?<!heart )(?<!frame )(?<![\w-])rates?\b(?! of exchange)(?!-)",
     r"%|\bper ?cent\b|\b(half|third|quarter|fifth|majority|most)\b|"
     # A fraction in words: "one-eighth the number", "two-thirds", "a tenth of the vote"
     # (not "a seventh straight month").
     r"\b(?:one|two|three|four|five)[- ]" + _FRACTION + r"s?\b|\ban?[- ]" + _FRACTION + r"\s+(?:of|the)\b|"
     r"\bper\s+(\d[\d,]*|thousand|million|capita|"
     r"head|year|annum|month|week|day|hour|minute|second|[a-z]+)\b"),
    # An age, or for a thing the time it dates from ("dates back to 300 BC").
    (r"\bhow old\b", _AGE + r"|\b(dat(?:es|ed|ing) (?:back )?(?:to|from)|BCE?|centur(?:y|ies)|millenni(?:um|a))\b"),
    # A length too, unless the question asks how long something lasted.
    (r"\bhow long\b", _TIME_UNITS + "|" + _LENGTH),
    (_LASTED, _TIME_UNITS),
    # "How far had exports fallen?" asks how much, not how many miles.
    (r"\bhow far\b(?![^?]*\b(?:fall|falls|fell|fallen|drop|drops|dropped|declined?|grow|grew|grown|slip|slipped|"
     r"shrink|shrank|shrunk|progress(?:ed)?)\b)|" +
     _MEASURED + r"distance\b", _LENGTH),
    # A height or depth is a length ("how high were coal shipments?" is not asked in metres).
    (r"\bhow (?:tall|deep|wide|thick)\b|" + _MEASURED + r"(?:height|depth|width|altitude|elevation|diameter)\b",
     _LENGTH),
    (_MEASURED + r"area\b", _AREA),
    (r"\bhow (?:hot|cold)\b|" + _MEASURED + r"temperatures?\b", _TEMPERATURE),
    (r"\bhow heavy\b|\bhow much\b[^?]*\bweigh\b|" + _MEASURED + r"(?:weight|mass)\b", _MASS),
    (r"\bhow fast\b|" + _MEASURED + r"speed\b", r"\b(?:km/h|kph|mph|knots?|per hour|an hour|m/s|per second)\b"),
    (_MEASURED + r"voltage\b", r"\b(?:volts?|kilovolts?|kV)\b|\d\s*V\b"),
    (r"\bpopulation\b", r"\b(people|inhabitants|residents|population)\b"),
    # A unit the question ends on ("…, in metres?").
    *((_IN_UNIT.format(unit), _TOLD_IN[family]) for family, unit in _UNIT_ASKED.items()),
]]

# "per barrel" needs a rate in barrels, not a total; "per the report", "per SCMP" say who says so.
_PER_Q = re.compile(r"\bper (?!(?:the|a|an|his|her|its|their|this|that|these|those|my|our|your|some|one|"
                    r"reports?|sources?|data|estimates?|officials?|analysts?)\b)((?-i:[a-z])\w{2,})", re.I)
_FREQUENCY = re.compile(r"\b(?:every|each|once|twice|annually|yearly|monthly|weekly|daily|regularly|times)\b", re.I)
_HOW_MANY = re.compile(r"\bhow many (?:of )?(?:[\w-]+['’]s )?((?:(?!(?:do|does|did|are|is|was|were|have|has|had|will|"
                       r"would|can)\b)[a-z\-]+\s?){1,2})", re.I)


def numbers_in(text: str) -> set[str]:
    """Numerals in a text, normalised ("1,500" -> "1500")."""
    return {n.replace(",", "") for n in re.findall(r"\d[\d,]*(?:\.\d+)?", text)}


def new_numbers(text: str, question: str) -> set[str]:
    """Numbers in `text` that the question did not already contain: "Power
    of Siberia 2" does not answer "what price ... Power of Siberia 2?"."""
    return numbers_in(text) - numbers_in(question)


def tokenize_keep_numbers(text: str) -> list[str]:
    """Stemmed words with numerals kept in place (for "42 times" patterns)."""
    out = []
    for piece in re.findall(r"\d[\d,.%]*|[^\W\d]+", text):
        out.extend([piece] if piece[0].isdigit() else (list(stems(piece)) or [piece.lower()]))
    return out


_IRREGULAR_PLURALS = frozenset({"people", "children", "men", "women", "staff", "personnel", "police", "cattle"})


def _plural(word: str) -> bool:
    w = word.lower()
    return w in _IRREGULAR_PLURALS or (w.endswith("s") and not w.endswith("ss"))


# People are counted under many names: "55 permanent residents", "71 of the 77 passengers".
# Only a question counting anyone takes them all; "how many crew members" asks for crew.
_ANYONE = frozenset(tokenize(["people persons individuals"])[0])
_DYING = frozenset(tokenize(["died killed perished"])[0])  # "how many died?": "five supervisors died", "550 deaths"
_PEOPLE = tuple(tokenize(["people persons individuals residents inhabitants passengers crew members workers employees "
                          "staff soldiers troops students pupils visitors victims refugees adults children men women"])[0])
_DEAD = tuple(tokenize(["deaths dead killed fatalities casualties victims"])[0])


@lru_cache(maxsize=1024)
def counted_noun(question: str) -> str | None:
    """The stemmed head noun of "how many X": the thing to be counted."""
    m = _HOW_MANY.search(question)
    if not m:
        return None
    counted = m.group(1).split()
    if len(counted) == 2 and ((counted[1][:1].isupper() and counted[0][:1].islower()) or counted[0].lower() == "times"
                              or (counted[0][:1].islower() and _plural(counted[0]) and not _plural(counted[1]))):
        # "how many times Xi and Putin met": a name is not what is counted;
        # "how many times bigger": a ratio, counted in times; "how many
        # bombers carried out": the plural is the noun, the word after it a
        # verb ("how many gas pipelines" keeps its head, the last plural;
        # "how many Texas oil wells" is no plural followed by a verb).
        counted = counted[:1]
    stems = tokenize([" ".join(counted)])[0]
    return stems[-1] if stems else None


_NUMBER_WORD_NEXT = re.compile(r"\b(" + _NUMBER_WORDS + r")\b(?:\W+(\w+))?", re.I)


@lru_cache(maxsize=1024)
def _counted_words(text: str) -> frozenset[tuple[str, str]]:
    """Each number word of the text with the word after it: ("two", "omanis")."""
    return frozenset((m.group(1).lower(), (m.group(2) or "").lower()) for m in _NUMBER_WORD_NEXT.finditer(text))


def quantity_matches(text: str, question: str) -> bool:
    """Does the sentence hold the amount the question asks for?"""
    if _ASKS_LASTED.search(question) and _UNTIL.search(text):
        return True  # "How long did his tower stay in use?" "... remained in use until 1877."
    text = _NAMED_NUMBER.sub(r"\1", _YEAR.sub(" ", text))
    if not _TIME_Q.search(question):
        text = _DURATION.sub(" ", text)
    ranked = bool(_RANK_Q.search(question) and _ORDINAL.search(text))
    often = bool(re.search(r"\bhow often\b", question, re.I) and _FREQUENCY.search(text))
    # "found by two Omanis" does not answer "How much did the two Omanis get?":
    # a number the question already holds, in figures or in words with the
    # same word after it, is no answer ("Three of the three ships" answers
    # "How many of the three ships sank?").
    asked = _counted_words(question)
    asked_numbers = {n for n, _ in asked}
    # "… by the two." ends on the number: nothing says it counts something else.
    new_words = any(pair not in asked and not (not pair[1] and pair[0] in asked_numbers)
                    for pair in _counted_words(text))
    if not (new_numbers(text, question) or new_words or ranked or often):
        return False
    if any(asks.search(question) and not unit.search(text) for asks, unit in _UNITS):
        return False
    per = _PER_Q.search(question)
    if per and not re.search(r"\b(per|a|an|each)\s+" + re.escape(per.group(1)[:5]), text, re.I):
        return False
    # "How many tanks?" needs a number counting tanks, not any number in a
    # sentence that mentions tanks.
    noun = counted_noun(question)
    if noun is None:
        return True
    stems = " ".join(tokenize_keep_numbers(text))
    number = r"(\d[\d,.]*|\b(?:" + _NUMBER_WORDS + r"))"
    # "15,000 deaths", or the noun then its number: "a death toll of 15,000".
    return any(re.search(number + r"[\s-]+(?:\S+\s+){0,2}?" + re.escape(n), stems, re.I) or
               re.search(r"\b" + re.escape(n) + r"\s+(?:(?:toll|count|total|figur)\s+(?:of|at|was|were|stood at)|"
                         r"number|total)\s+(?:(?:about|around|some|over|nearly|almost|roughly)\s+)?" + number,
                         stems, re.I)
               for n in (_PEOPLE if noun in _ANYONE else (noun, *_DEAD) if noun in _DYING else (noun,)))


# --- times -----------------------------------------------------------------------

# A year a sentence writes ("in 2014", "2014 was"), not a count ("sent 2000 troops").
_YEAR_NUM = re.compile(r"(?<!\d[,.])\b(1[5-9]\d\d|20\d\d)\b(?!\s*(?:%|per ?cent|million|billion|bn|tons|times)\b)")
_COUNTED = re.compile(r"\s+(?!(?:was|is|has|does|as|his|its|this|us|thus|plus|versus)\b)[a-z]+s\b")
_TIME_WORD = re.compile(r"\b(?:in|since|by|from|during|until|of|to|before|after|between|and|early|late|mid|the)\W*$", re.I)
# "in 2022", "in August 2022", "during 2019", "of 2024": the time a fact is asked
# for. "the 2010 treaty" names a thing, "since 2013" a starting point: neither counts.
_ASKED_AT = r"\b(?:in|during|for|of)\s+(?:(?:early|late|mid)[\s-]+)?"
_ASKED_TIME = re.compile(_ASKED_AT + r"(?:(?:" + "|".join(MONTHS) +
                         r")\s+(?:\d{1,2}(?:st|nd|rd|th)?,?\s+)?)?(1[5-9]\d\d|20\d\d)\b", re.I)
_MONTH_ALONE = re.compile(r"\b(" + _MONTH_NAMES + r")\b(?!\s*,?\s*\d{4})(?!\s+\d{1,2},?\s+\d{4})"
                          r"(?!\s+of\s+\d{4})")  # not "February of 2022"
_AHEAD = re.compile(r"\b(?:will|plans?|planned|expected|due|next|upcoming|set to)\b", re.I)


def asked_years(question: str) -> set[str]:
    return {m.group(1) for m in _ASKED_TIME.finditer(question)}


def stated_years(text: str, date: str = "") -> set[str]:
    """The years a sentence dates itself to: those it writes, and, in an
    article dated `date`, "last year", "this year" and a month without a
    year ("in September", in an October 2023 article: 2023; "in November",
    later in the year than the article: 2023 or 2022; in a sentence about
    what is to come, the next year too)."""
    years = {m.group(1) for m in _YEAR_NUM.finditer(text)
             if not (_COUNTED.match(text, m.end()) and not _TIME_WORD.search(text[max(m.start() - 12, 0) : m.start()]))}
    if date[:4].isdigit():
        year, month = int(date[:4]), int(date[5:7]) if date[5:7].isdigit() else 12
        low = text.lower()
        if re.search(r"\blast year\b", low):
            years.add(str(year - 1))
        if re.search(r"\bthis (?:year|month|week)\b|\blast (?:month|week)\b", low):
            years.add(str(year))
        ahead = bool(_AHEAD.search(text))
        for m in _MONTH_ALONE.finditer(text):
            if m.group(1) == "May" and not re.search(r"\b(?i:in|since|by|until|early|late|mid)[\s-]+May\b",
                                                     text[max(m.start() - 8, 0) : m.end()]):
                continue  # "may" the verb, capitalised at a sentence's start
            later = MONTHS.index(m.group(1).lower()) + 1 > month
            years |= {str(year)} | ({str(year - 1)} if later else set()) | ({str(year + 1)} if ahead else set())
    return years


# "in March 2024", "during March": the month a fact is asked for ("as of October" is a cut-off).
_ASKED_MONTH = re.compile(r"(?<!\bas )" + _ASKED_AT + r"(" + "|".join(MONTHS) +
                          r")\b(?!\s+\d{1,2}\b(?!\d))", re.I)
# An amount: money, a share, a count in millions ("US$240 billion", "$1,200", "57%", "1.4 million").
_AMOUNT = re.compile(r"[$£€¥]\s?\d[\d,.]*(?:\s*(?:bn|tn|m|million|billion|trillion)\b)?|"
                     r"\d[\d,.]*\s*(?:%|per ?cent|bn\b|tn\b|million\b|billion\b|trillion\b)", re.I)
# Where the words dating an amount end: a clause's end (not "1,200"'s comma) or a base of comparison.
_CLAUSE_END = r"(?<!\d),|,(?!\d)|[;:—–]"
_AMOUNT_ENDS = re.compile(_CLAUSE_END + r"|\b(?:compared|than|from|since|against|versus|vs)\b", re.I)
# "In the first four months of 2024, ...", "At the end of 2022, ...": a time that
# opens the sentence dates what it says ("Since the war began in 2022, ..." is a
# starting point, not the time of the amounts).
_OPENING_TIME = re.compile(r"^\W*(?:in|at|during|by|over|for|through)\b[^,]{0,60},", re.I)
_DATED_MONTH = re.compile(r"\b(?:" + "|".join(MONTHS) + r")(?:,|\s+of)?\s+(?:\d{1,2},?\s+)?(?:1[5-9]\d\d|20\d\d)\b",
                          re.I)


def amount_years(text: str, date: str = "") -> set[str]:
    """The years the amounts of a sentence are dated to: a year in the
    amount's own clause, before it ("Exports in 2021 were worth $145
    billion") or just after it ("US$145 billion in 2021 to ... US$240
    billion last year"), in an opening clause ("In the first four months of
    2024, exports fell by 2%"), or told by the article's date ("last year",
    "in September"); not a year of another event ("since the war began in
    February 2022, trade rose from ..."). All its years when it dates no
    amount."""
    dated: set[str] = set()
    for m in _AMOUNT.finditer(text):
        before = re.split(_CLAUSE_END, text[: m.start()])[-1]
        after = _AMOUNT_ENDS.split(text[m.end() : m.end() + 30])[0]
        dated |= stated_years(f"{before} {after}", date)
    opening = _OPENING_TIME.match(text)
    dated |= stated_years(opening.group(0), date) if opening else set()
    if not dated:
        return stated_years(text, date)
    return dated | stated_years(_YEAR_NUM.sub(" ", _DATED_MONTH.sub(" ", text)), date)  # "last year", "in September"


_MONTH_NAME = re.compile(r"\b(" + _MONTH_NAMES + "|" + MONTH_SHORT + r")\b\.?")


def _month_named(months: set[str], text: str, date: str) -> bool:
    """Is a month asked for named in the sentence ("March", "Nov."), told by
    the article's date ("last month"), or the month the article was written
    in, with no other month named ("on Tuesday", in an article of May 2024)?"""
    named = {MONTHS[k - 1] for n in _MONTH_NAME.finditer(text) if (k := month_number(n.group(1)))}
    own = int(date[5:7]) if date[5:7].isdigit() and 1 <= int(date[5:7]) <= 12 else 0
    if own and re.search(r"\blast month\b", text, re.I):
        named.add(MONTHS[own - 2])  # January's "last month" is December (index -1)
    if own and re.search(r"\bthis month\b", text, re.I):
        named.add(MONTHS[own - 1])
    return bool(months & named) or (bool(own) and MONTHS[own - 1] in months and not named)


# "before 2013" and "since 2013" name one year and opposite sides of it.
_BEFORE = r"\b(?:before|prior to|until|till|up to|by)\s+(?:the\s+(?:end|start) of\s+)?"
_AFTER = r"\b(?:since|after|from)\s+(?:the\s+(?:end|start) of\s+)?"
# A year, perhaps after a month ("before March 2013"); not a count ("from 2000 to 3,500 people").
_SIDE_YEAR = (r"(?:(?:" + "|".join(MONTHS) + r")\s+)?((?:1[5-9]|20)\d\d)\b"
              r"(?!\s*(?:%|per ?cent|million|billion|bn|tons|times|people)\b)(?!\s+to\s+\d[\d,]*\s+[a-z])")


def _sides_of_years(text: str) -> dict[str, set[str]]:
    return {side: set(re.findall(pattern + _SIDE_YEAR, text, re.I))
            for side, pattern in (("before", _BEFORE), ("after", _AFTER))}


def sides_agree(question: str, text: str) -> bool:
    """False when the question asks about one side of a year and the sentence
    speaks of that year only from the other side: "How many times had they
    met before 2013?" against "The pair have met 42 times since 2013"."""
    asked, told = _sides_of_years(question), _sides_of_years(text)
    for side, other in (("before", "after"), ("after", "before")):
        if any(y in told[other] and y not in told[side] for y in asked[side]):
            return False
    return True


# "Who won the election in 2025?", "What did they sign in June 2024?": a year a
# question places what it asks about at ("about the 2025 summit", "by 2060" place
# nothing). A month without its year is left alone: "in October", asked of an
# article of May 2024, may be the October before it.
_ACT_AT = re.compile(r"\b(?:in|at|during|on)\s+(?:the\s+)?(?:(?:early|late|mid)[\s-]+)?"
                     r"(?:(?P<month>" + "|".join(MONTHS) + r")\s+(?:\d{1,2}(?:st|nd|rd|th)?,?\s+)?(?:of\s+)?)?"
                     r"(?P<year>(?:1[5-9]|20)\d\d)\b", re.I)
# A question about what is to come, or was foreseen, may be answered by an
# article written before it.
_TO_COME = re.compile(r"\b(?:will|would|going to|expected|likely|plan(?:s|ned)?|set to|scheduled|upcoming|next|"
                      r"forecasts?|forecast|predict(?:s|ed)?|projected|pledged?|target(?:s|ed)?|aim(?:s|ed)?)\b", re.I)


def after_written(question: str, date: str) -> bool:
    """Does the question ask what happened at a time after `date`, when an
    article was written ("2024-05", "2023-10-17", or a year alone)? An
    article cannot report it, only announce it: a near miss, not an answer."""
    m = re.match(r"(\d{4})(?:-(\d{1,2}))?", date)
    if not m or _TO_COME.search(question):
        return False
    written = (int(m.group(1)), int(m.group(2) or 12))  # a year alone: its end
    for a in _ACT_AT.finditer(question):
        month = MONTHS.index(a.group("month").lower()) + 1 if a.group("month") else 1  # a year alone: its start
        if (int(a.group("year")), month) > written:
            return True
    return False


def times_agree(question: str, text: str, date: str = "", amount: bool = False) -> bool:
    """False when the question asks about a year and the sentence dates its
    fact to other years only ("trade in 2022?" against "US$240 billion last
    year", written in 2024), or to the other side of the year asked
    (`sides_agree`): a near miss, not an answer. For an amount
    (`amount`), the years it is dated to count, and a month asked for ("in
    March 2024") must be named where the sentence dates its amount at all
    ("in the first four months of 2024" is no figure for March)."""
    if not sides_agree(question, text):
        return False
    asked = asked_years(question)
    stated = (amount_years(text, date) if amount else stated_years(text, date)) if asked else set()
    if asked and stated and not asked & stated:
        return False
    months = {m.group(1).lower() for m in _ASKED_MONTH.finditer(question)} if amount else set()
    if months and (stated_years(text, date) or _MONTH_NAME.search(text)):
        return _month_named(months, text, date)
    return True


# --- negation --------------------------------------------------------------------

# "What is not the primary law?", "What does Article 102 not prohibit?": a question
# that denies its verb ("not only", "whether or not" deny nothing).
_DENIES = re.compile(r"\b(?:not|never)\b(?!\s+(?:only|just|least)\b)(?<!\bor not)|n['’]t\b", re.I)
# A sentence that denies: the words of the scorer's negation feature, and a few more.
_DENIAL = re.compile(NEGATION.pattern + r"|\b(?:nothing|cannot|unable|lack(?:s|ed)?|refus(?:e|ed|es|ing))\b", re.I)
_ASKS_FOR_WHAT = re.compile(LEAD + r"(?:what|which|who|whom|whose|when|where)\b", re.I)


# A word that opens a clause inside a question ("… pitch so the West couldn't trace it?"); "that" only
# after a noun or verb, not as a determiner ("did that treaty") nor in a cleft ("was it that").
_SUBORDINATE = re.compile(r"\b(?:so|who|whom|which|because|while|when|if|where|since|although|though|unless)\b|"
                          r"(?<!\bit )(?<!\bdid )(?<!\bdoes )(?<!\bdo )(?<!\bis )(?<!\bwas )\bthat\b", re.I)
_CONTRACTED = re.compile(r"n['’]t\b", re.I)  # "couldn't": a denial inside a clause is written so


def negation_agrees(question: str, text: str) -> bool:
    """False when a question for a thing, a person, a time or a place denies
    and the sentence denies nothing: "What does Article 102 not prohibit?"
    against "Article 102 prohibits the abuse of dominant position" answers
    the opposite question. ("Why didn't they ...?" is often answered by a
    reason that denies nothing.) A contracted denial inside a clause of its
    own asks nothing denied: "What setup did Moscow pitch so the West
    couldn't trace it?", "Who got a say who normally wouldn't have had
    one?"; "What, if anything, did China not buy?" still asks what it did not."""
    asks = _ASKS_FOR_WHAT.match(question)
    denial = _DENIES.search(question)
    if not (asks and denial):
        return True
    if _CONTRACTED.match(question, denial.start()) and _SUBORDINATE.search(question, asks.end(), denial.start()):
        return True
    return bool(_DENIAL.search(text))


# --- who did what to whom, and whether it happened ---------------------------------

# "What did Xi give Putin?": the question's doer, its verb and what follows.
_ASKED_ACT = re.compile(r"\b(?i:did|does|do|will|would|has|have|had|can|could)\s+"
                        r"(?P<doer>[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+)?)\s+(?P<verb>[a-z]{3,})\b(?P<rest>.*)")
# Acts two sides do together ("Putin met Xi" is "Xi met Putin"), and two that
# reports tell from either side ("Putin visited Xi" is "Xi hosted Putin").
_MUTUAL = frozenset("meet talk speak sign trade negotiate agree cooperate marry fight play compete clash chat call "
                    "discuss join partner ally deal correspond share exchange hold visit".split())
# Verbs whose other forms are not the base plus -s, -ed or -ing.
_IRREGULAR = {"give": "gave given", "send": "sent", "meet": "met", "tell": "told", "sell": "sold",
              "buy": "bought", "make": "made", "take": "took taken", "bring": "brought", "pay": "paid",
              "lend": "lent", "show": "shown", "write": "wrote written", "lead": "led", "win": "won",
              "hold": "held", "build": "built", "leave": "left", "find": "found", "teach": "taught"}


def _verb_forms(verb: str) -> tuple[str, str]:
    """The forms that say who acted ("gave", "given", "giving", "give" after
    "will"), and the -ing form alone. Not "gives": too often a plural noun
    ("recent visits")."""
    stem = verb[:-1] if verb.endswith("e") else verb
    forms = {verb, stem + "ed", verb + "d", stem + "ing", *_IRREGULAR.get(verb, "").split()}
    alt = lambda ws: "|".join(sorted(ws, key=len, reverse=True))  # noqa: E731
    return alt(forms), alt({stem + "ing"})


# Who acted: a name just before the verb ("Putin gave", "Putin has also
# given"), or the one whose clause ends "by giving" ("Xi ended the trip by
# giving Putin two pandas"). A pronoun or a passive names no doer.
_BETWEEN = r"(?:(?:also|then|later|has|had|have|would|will|could|once|even|reportedly|\w+ly)\s+){0,2}"


def _doers(text: str, verb: str) -> list[str]:
    """The names that do the verb in the sentence."""
    forms, ing = _verb_forms(verb)
    found = [m.group(1) for m in re.finditer(r"\b([A-Z][\w-]+)\s+" + _BETWEEN + r"(?:" + forms + r")\b", text)]
    found += re.findall(r"\b([A-Z][\w-]+)(?=\s[^,.;:]{0,40}?\bby\s+(?:" + ing + r")\b)", text)
    return [d for d in found if not _names_no_one(d.lower())]


def roles_agree(question: str, text: str) -> bool:
    """False when the sentence has the question's act done by someone the
    question names as its object, and never by the question's doer: "What
    did Xi give Putin for his birthday?" against "Putin gave the Chinese
    leader a box of ice cream" answers the reverse question; nor does "Xi
    ended the trip by giving Putin two pandas" answer "How many pandas did
    Putin give China?": the act is done to the question's doer."""
    m = _ASKED_ACT.search(question)
    if not m or m.group("verb") in stopwords() or m.group("verb") in _MUTUAL:
        return True  # "did Xi and Putin meet": no verb after the doer; or an act done together
    doer = words(m.group("doer"))
    doers = [words(d) for d in _doers(text, m.group("verb"))]
    if any(d & doer for d in doers):
        return True
    forms, _ = _verb_forms(m.group("verb"))
    names = "|".join(re.escape(w) for w in m.group("doer").split())
    if doers and re.search(rf"\b(?:{forms})\s+(?:to\s+)?(?:{names})\b(?![’']s)", text):  # not "giving Putin's speech"
        return False
    target = re.match(r"\s+(?:to\s+|the\s+)?([A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+)?)", m.group("rest"))
    if not target:
        return True  # the act has no one it is done to
    return not doers or not any(d & words(target.group(1)) for d in doers)


# A flow between two named sides: "Russia's exports to China", "Chinese exports to
# Russia", "shipments from Russia to China" (who sends, what, to whom).
_FLOW = re.compile(r"\b(?P<a>[A-Z][\w’'-]+)(?:[’']s)?\s+(?:[a-z]+\s+)??(?P<noun>[a-z]{4,})\s+"
                   r"(?P<to>to|into|from)\s+(?:the\s+)?(?P<b>[A-Z][\w’'-]+)|"
                   r"\b(?P<noun2>[a-z]{4,})\s+from\s+(?:the\s+)?(?P<a2>[A-Z][\w’'-]+)\s+(?:to|into)\s+(?:the\s+)?"
                   r"(?P<b2>[A-Z][\w’'-]+)")


def _flows(text: str) -> list[tuple[str, str, str]]:
    """(from, what, to) of each flow the text names, as lower-case words."""
    out = []
    for m in _FLOW.finditer(text):
        a, noun, b = ((m.group("a"), m.group("noun"), m.group("b")) if m.group("a") else
                      (m.group("a2"), m.group("noun2"), m.group("b2")))
        if m.group("to") == "from":
            if not noun.startswith("import"):
                continue  # "Xi's visit from Beijing": no flow told
            a, noun, b = b, "exports", a  # "China's imports from Russia" are Russia's exports to China
        if not _names_no_one(a.lower()) and not _names_no_one(b.lower()):
            out.append((re.sub(r"[’']s$", "", a).lower(), tokenize([noun])[0][0] if tokenize([noun])[0] else noun,
                        re.sub(r"[’']s$", "", b).lower()))
    return out


def flows_agree(question: str, text: str) -> bool:
    """False when the sentence tells the question's flow the other way round
    only: "By how much did Russia's exports to China fall?" against "Chinese
    exports to Russia fell to $8.3bn"."""
    asked = _flows(question)
    if not asked:
        return True
    told = _flows(text)
    for a, what, b in asked:
        same = [(x, y) for x, w, y in told if w == what]
        if same and not any(_same_root(x, a) and _same_root(y, b) for x, y in same) and \
                any(_same_root(x, b) and _same_root(y, a) for x, y in same):
            return False
    return True


# "Did China end up attending …?", "What came out of the meeting?" ask what
# happened; a sentence saying only what was planned, expected or asked for
# ("called on China to participate", "will meet") does not tell it.
_HAPPENED_Q = re.compile(r"\b(?:end(?:ed|s)? up|c[oa]me out of)\b", re.I)
_PROSPECT = re.compile(r"\b(?:will|shall|expected to|likely to|plans? to|planned to|set to|called on|"
                       r"urged|invited|hopes? to|intends? to|is to|are to)\b", re.I)


def outcome_told(question: str, text: str) -> bool:
    """False when the question asks what came of something and the sentence
    only looks ahead to it: a word that looks ahead is followed, within eight
    words, by what the question asks about ("called on China to participate
    in a June peace summit"), and the sentence denies nothing ("did not
    attend, saying it will back future talks" tells what happened)."""
    if not _HAPPENED_Q.search(question) or NEGATION.search(text):
        return True
    asked = set(tokenize([_HAPPENED_Q.sub(" ", question)])[0])
    for m in _PROSPECT.finditer(text):
        ahead = " ".join(text[m.end():].split()[:8])
        if asked & set(tokenize([ahead])[0]):
            return False
    return True


# --- the check -------------------------------------------------------------------


def _same_root(a: str, b: str) -> bool:
    """"Kazakh" and "Kazakhstan", "China" and "Chinese": one name, other
    words (the shorter of five letters at least: "port" is not "Portsmouth")."""
    return a == b or (min(len(a), len(b)) >= 5 and a[:4] == b[:4])


def new_names(text: str, question: str, names: frozenset[str] = frozenset()) -> list[str]:
    """Capitalised words of the text that name something the question does
    not: not a month, a pronoun or a function word, nor a word capitalised
    only because it opens a sentence ("Smaller Chinese car makers …"), unless
    the corpus writes it only as a name (`names`, lower-cased)."""
    asked = words(question)
    # Positions are the folded text's: folding can change the length ("½" -> "1⁄2").
    found, folded = [], fold_accents(text)
    for m in re.finditer(r"\b[A-Z][\w’'-]*", folded):
        w = re.sub(r"[’']s$", "", m.group(0)).lower()
        before = folded[:m.start()].rstrip(" \"“‘'(")
        opens = not before or before[-1] in ".!?:;"  # opens the text, or a sentence of it
        if (_CALENDAR.match(m.group(0)) or _names_no_one(w) or (opens and w not in names)
                or any(_same_root(w, a) for a in asked)):
            continue
        found.append(m.group(0))
    return found


def _names_a_body(text: str, m: re.Match) -> bool:
    """Is the capitalised name matched a place, a body or a thing? Read with
    the capitalised words right after it ("Tobacco Products Directive"), it
    ends on one of _BODY (or of _BODY_OR_SURNAME, in three words or more), or
    the name itself opens on a compass word ("South Africa"; not "South
    African President Cyril Ramaphosa", whose name starts at "Cyril")."""
    name = (m.group(0) + _CAPITALISED_AFTER.match(text, m.end()).group(0)).lower().split()
    return (name[-1] in _BODY or (name[-1] in _BODY_OR_SURNAME and len(name) > 2) or
            (name[0] in _COMPASS and len(m.group(0).split()) == 2 and len(name) == 2))


# A word that locates, then the place: a name ("in Shanwei", "At the Roslin Institute",
# "to 142 Long Acre", "in The Hague") or a thing ("at the foot of the mast"). "to" and
# "for" only before a name or "the" ("moved abroad to study" locates nothing), a number
# only before a name. The words that locate are read in any case, the place's own
# capital is kept: it tells a name from a common word.
_LOCATED = re.compile(r"\b(?:(?i:in|at|on|near|from|into|onto|off|outside|inside|within|beside|across|around|"
                      r"towards?|among|along|throughout|behind|under|beneath|below|above|beyond|through)\s+"
                      r"(?:(?i:the|a|an|its|their|his|her)\s+)?(?:\d{1,3}\s+(?=[A-Z]))?(?P<place>[A-Za-z][\w’'-]*)|"
                      r"(?i:to|for)\s+(?:(?i:the)\s+)?(?:\d{1,3}\s+(?=[A-Z]))?(?P<name>[A-Z][\w’'-]*|the\s+[a-z][\w’'-]*))")
# What follows "in", "at", "on" when it tells a time, a manner or an amount, not a place
# ("in mid-1986", "in the 1980s": the article or a prefix is what is left of the time).
_NOT_A_PLACE = re.compile(r"(?:(?:early|late|mid)(?:-.*)?|middle|end|beginning|start|time|times|year|years|month|"
                          r"months|week|weeks|day|days|century|centuries|decade|decades|period|age|morning|evening|"
                          r"night|afternoon|spring|summer|autumn|fall|winter|past|future|present|meantime|order|part|"
                          r"fact|turn|total|all|least|most|first|last|once|addition|general|particular|response|"
                          r"return|favou?r|place|terms|case|contrast|which|that|this|these|those|it|them|him|her|us|"
                          r"average|about|around|over|under|up|down|out|one|two|three|four|five|six|seven|eight|nine|"
                          r"ten|hundred|thousand|million|billion|half|some|many|several|each|both|any|every|such|more|"
                          r"less|their|its|the|a|an|and|or|but)$", re.I)


def _tells_place(text: str, question: str) -> bool:
    """Does the sentence locate something, other than the place the question
    names itself ("Where is Griffiths Hall?" against "in Griffiths Hall")?"""
    named = {w.lower() for w in re.findall(r"(?<!^)(?<![.?!]\s)\b[A-Z][\w’'-]*", question.strip())}
    for m in _LOCATED.finditer(fold_accents(text)):
        word = (m.group("place") or m.group("name")).split()[-1]
        if _NOT_A_PLACE.match(word) or _CALENDAR.match(word):
            continue
        if word[0].isupper() and (_names_no_one(word.lower()) or re.sub(r"[’']s$", "", word).lower() in named):
            continue
        return True
    return False


def _offers_choice(question: str) -> bool:
    """"Who hosted the talks, Xi Jinping or Vladimir Putin?": the question ends
    on the names to choose from (not "… after Moscow or Astana?")."""
    return bool(re.search(r",[^,]*\bor\b[^,]*$", question.strip(), re.I))


# Relations a question asks about that a sentence states in fixed words: the answer
# types they are asked with, how a question asks, how a sentence tells. A near miss
# shares the question's names and answer type, not the relation ("Who designed
# Lindisfarne Castle?" against "Lindisfarne Castle was built in 1550").
_RELATIONS = (
    (frozenset({"person", "named"}), _SUCCESSION_Q, _SUCCESSION),  # "Who replaced Woods?"
    (frozenset({"person", "named"}), _MAKER_Q, _MAKER_TOLD),  # "Who was the architect of …?"
    # "What illness did Tasman die of?" (not "How many died of plague?", "Who died?")
    (frozenset({"any", "named", "reason", "outcome", "place", "speech"}), _DEATH_CAUSE_Q, _DEATH_CAUSE),
)


@lru_cache(maxsize=1024)
def relations_asked(kind: str, question: str) -> tuple[re.Pattern, ...]:
    """How each relation the question asks about is told. Read once a question, not once a candidate."""
    return tuple(told for kinds, asks, told in _RELATIONS if kind in kinds and asks.search(question))


def type_matches(kind: str, text: str, question: str = "", names: frozenset[str] = frozenset()) -> bool:
    """Does the sentence hold the kind of fact the question asks for?
    (`names`: words the corpus writes only as names, lower-cased.)"""
    if not all(told.search(text) for told in relations_asked(kind, question)):
        return False  # "Lindisfarne Castle was built in 1550" for "Who designed Lindisfarne Castle?"
    if kind == "quantity":
        return quantity_matches(text, question)
    if kind == "date":
        return _date_told(question, text) and _life_event_told(question, text)
    if kind == "outcome":
        # "plan to meet in Kazakhstan" reports no agreement; "agreed to" does.
        return bool(_OUTCOME.search(text))
    if kind == "person":
        if not _kin_told(question, text):
            return False  # "the son of Jenner's gardener" for "the name of James Phipps's mother"
        # "In Harbin" is a capitalised function word and a place. One name
        # will do where the corpus knows it as one ("Fahrenheit visited him").
        # The person asked for is not one the question names, unless it
        # offers a choice ("Who hosted the talks, Xi Jinping or Vladimir Putin?").
        asked = {w.lower() for w in re.findall(r"\w+", question)}
        choice = _offers_choice(question)
        return (any(m.group(0).split()[0].lower() not in stopwords() and
                    (choice or not {w.lower() for w in re.findall(r"\w+", m.group(0))} <= asked) and
                    not _names_a_body(text, m)
                    for m in _PERSON.finditer(text))
                or any(w.lower() in names and w.lower() not in asked and not _CALENDAR.match(w)
                       and w.lower() not in _BODY and w.lower() not in _PLACE_WORDS
                       for w in re.findall(r"\b[A-Z][\w’'-]+", text)))  # "on November 25" names no one
    if kind == "named":
        # A choice offered names the answer ("Which company had more capital, the WIC or the VOC?").
        return bool(new_names(text, "" if _offers_choice(question) else question, names))
    if kind == "place":
        # Told after a word that locates, not by a time: "Frances died in 1986, and
        # Elsie in 1988" tells no place.
        return _tells_place(text, question)
    if kind == "speech":
        # Someone's words are reported ("..., he said") or quoted.
        return bool(SPEECH.search(text) or OPENS_QUOTE.match(text) or QUOTATION.search(text))
    return True
