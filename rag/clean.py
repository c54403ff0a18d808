"""Boilerplate removal that never moves a character.

Web articles arrive wrapped in page furniture: stock tickers, "Advertisement",
photo captions, comment widgets, copyright footers. We decide line by line what
to keep, and we keep *spans* of the original text rather than an edited copy,
so every kept character still has its exact offset in the file. That is what
lets a citation open the precise passage of the original article.

The rules are small pure functions on one line (plus a little context), each
with a name that ends up in the ingestion report, so a surprising drop can be
traced to the rule that made it.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from .records import Span

# Whole-line furniture (compared after stripping, case-insensitive).
_FURNITURE = re.compile(
    "|".join([
        r"advertisement", r"sponsored( content)?", r"skip past newsletter promotion",
        r"notify of", r"inline feedbacks", r"view all comments", r"\d+ comments?",
        r"leave a (comment|reply)", r"stay connected", r"latest articles", r"source link",
        r"((uk|us|european|asian) )?markets? (are )?(closed|open)",
        r"would love your thoughts,? please comment\.?x?",
        r"this post was originally published on this site",
        r"share( this( article| story)?)?", r"(follow|subscribe)( us)?",
        r"(click|tap) (here|to) .{0,40}",
    ]),
    re.IGNORECASE,
)

# Lines that are furniture when they contain one of these.
_CONTAINS = [
    ("read-more", re.compile(r"^\s*(read more|related|see also|more from)\s*:", re.I)),
    ("copyright", re.compile(r"copyright\s*©|©\s*\d{4}|all rights reserved", re.I)),
    ("alt-debris", re.compile(r"\balt=", re.I)),
    # A caption ends with its credit: "... Photograph: Jade Gao/AFP/Getty Images"
    ("caption", re.compile(r"\b(photo|photograph|image|picture|illustration)s?\s*:\s*[^.!?]{0,100}$", re.I)),
    ("republished", re.compile(
        r"^this (article|story|post) (originally appeared|is republished|was (originally )?published)", re.I)),
    ("promo", re.compile(r"get the answers with|sign up (for|to) our|subscribe to our|download (the|our) app", re.I)),
    ("credits", re.compile(r"^\s*-*\s*with (additional )?(assistance|reporting) (from|by)\b", re.I)),
]

# A ticker quote line: numbers, signs and percentages only (and at least one
# digit). Two separate checks, not one pattern `[...]*\d[...]*`: that one
# backtracks quadratically on a long line of figures ending in a letter.
_TICKER_CHARS = re.compile(r"[\s+\-−–\d.,%()$€£¥]*")
_DIGIT = re.compile(r"\d")


def is_numeric(text: str) -> bool:
    return bool(_TICKER_CHARS.fullmatch(text)) and bool(_DIGIT.search(text))


_BULLET = re.compile(r"^\s*([•·▪◦*\-–]|\d+[.)])\s+")
# Site tags glued to the last sentence: "...western sanctions.The Conversation"
_GLUED_TAIL = re.compile(r"(?<=[.!?\"”’])\s*(The Conversation|Reuters|AP|AFP)\s*$")
_SENTENCE_END = re.compile(r"[.!?\"”’)]\s*$")


@dataclass(frozen=True)
class Line:
    start: int
    end: int
    text: str

    @property
    def words(self) -> int:
        return len(self.text.split())


@dataclass(frozen=True)
class Verdict:
    line: Line
    keep: bool
    reason: str  # "body", "header", or the rule that dropped it


def split_lines(text: str) -> list[Line]:
    """Non-blank lines with their offsets (newline excluded)."""
    lines, pos = [], 0
    for raw in text.splitlines(keepends=True):
        body = raw.rstrip("\r\n")
        if body.strip():
            lines.append(Line(pos, pos + len(body), body))
        pos += len(raw)
    return lines


def normalise(s: str) -> str:
    """Fold case, quotes, dashes and whitespace: for comparing, never for storing."""
    s = s.translate(str.maketrans("‘’“”–—−", "''\"\"---"))
    return " ".join(s.lower().split())


def furniture_rule(line: Line, following: Line | None) -> str | None:
    """The name of the rule that makes this line page furniture, or None."""
    t = line.text.strip()
    if _FURNITURE.fullmatch(t):
        return "furniture"
    if is_numeric(t):
        return "ticker"
    # "• FTSE 100" followed by its quote is part of a ticker list.
    if _BULLET.match(t) and line.words <= 5 and following is not None and is_numeric(following.text):
        return "ticker"
    for name, pattern in _CONTAINS:
        if pattern.search(t):
            return name
    return None


def is_body_start(line: Line) -> bool:
    """The lede: the first line that reads like a paragraph of prose."""
    return line.words >= 20 and bool(_SENTENCE_END.search(line.text))


def classify(text: str) -> list[Verdict]:
    """Decide keep/drop for every non-blank line of an article."""
    lines = split_lines(text)
    rules = [furniture_rule(line, lines[i + 1] if i + 1 < len(lines) else None) for i, line in enumerate(lines)]
    # Everything before the lede is masthead, dateline, byline or teaser; a
    # short text with no prose-like line has no header at all.
    body_start = next((i for i, (line, rule) in enumerate(zip(lines, rules)) if not rule and is_body_start(line)), 0)
    verdicts: list[Verdict] = []
    seen: set[str] = set()
    for i, (line, rule) in enumerate(zip(lines, rules)):
        key = normalise(line.text)
        if rule:
            verdicts.append(Verdict(line, False, rule))
        elif i < body_start:
            verdicts.append(Verdict(line, False, "header"))
            seen.add(key)
        elif key in seen:
            verdicts.append(Verdict(line, False, "duplicate"))
        else:
            seen.add(key)
            verdicts.append(Verdict(line, True, "body"))
    return verdicts


def trim(line: Line) -> Span:
    """The kept part of a body line: without bullet marker, glued site tag or
    surrounding whitespace."""
    start, end, t = line.start, line.end, line.text
    m = _BULLET.match(t)
    if m and line.words > 5:
        start += m.end()
        t = t[m.end():]
    tail = _GLUED_TAIL.search(t)
    if tail:
        end -= len(t) - tail.start()
        t = t[: tail.start()]
    start += len(t) - len(t.lstrip())
    end -= len(t) - len(t.rstrip())
    return Span(start, end)


def kept_spans(verdicts: list[Verdict]) -> tuple[Span, ...]:
    return tuple(s for s in (trim(v.line) for v in verdicts if v.keep) if s.end > s.start)


# --- HTML -------------------------------------------------------------------
# We blank markup out instead of deleting it, so the text keeps the file's
# length and every offset stays valid. Block-level tags become a newline so
# paragraphs stay on their own lines.

_DROP_ELEMENTS = re.compile(
    r"<(script|style|noscript|template|nav|header|footer|aside|form|svg|iframe)\b.*?</\1\s*>",
    re.I | re.S,
)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_BLOCK_TAG = re.compile(r"</?(p|div|br|h[1-6]|li|ul|ol|tr|td|th|table|section|article|title|blockquote|figure|figcaption|main|body|html|head)\b[^>]*>", re.I)
_ANY_TAG = re.compile(r"<[^>]*>")
_ENTITY = re.compile(r"&(#\d+|#x[0-9a-f]+|[a-z][a-z0-9]*);", re.I)


def _blank(m: re.Match) -> str:
    # Keep newlines (line structure) and blank everything else.
    return "".join(c if c == "\n" else " " for c in m.group(0))


def mask_html(raw: str) -> str:
    """Same-length text of an HTML page: markup blanked, entities decoded and
    padded with spaces, script/nav/footer content removed."""
    out = _COMMENT.sub(_blank, raw)
    out = _DROP_ELEMENTS.sub(_blank, out)
    out = _BLOCK_TAG.sub(lambda m: "\n" + " " * (len(m.group(0)) - 1), out)
    out = _ANY_TAG.sub(_blank, out)
    out = _ENTITY.sub(lambda m: (html.unescape(m.group(0)) + " " * len(m.group(0)))[: len(m.group(0))], out)
    assert len(out) == len(raw)
    return out


_MD_HEADING = re.compile(r"^(\s*#{1,6}\s+)")
_MD_IMAGE = re.compile(r"^\s*!\[[^\]]*\]\([^)]*\)\s*$")


def mask_markdown(raw: str) -> str:
    """Same-length text of a Markdown file: heading marks and image lines blanked."""
    out = []
    for line in raw.splitlines(keepends=True):
        if _MD_IMAGE.match(line):
            line = "".join(c if c in "\r\n" else " " for c in line)
        else:
            m = _MD_HEADING.match(line)
            if m:
                line = " " * m.end() + line[m.end():]
        out.append(line)
    return "".join(out)
