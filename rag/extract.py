"""Text out of document formats that are not text: PDF and Word (.docx).

A demo-giver's folder holds PDFs and Word files as often as web pages. Each
becomes plain text here, once, at index time; that text is what the index
keeps and what a citation opens, so offsets stay exact (the file's bytes are
still what its checksum covers). pypdf and python-docx do the reading; what
is ours is the reflow: a PDF has no paragraphs, only lines broken where the
page's margin fell, and the chunker ends a sentence at every line break; and
its pages carry running heads, feet and numbers that are no part of the text.
"""

from __future__ import annotations

import io
import logging
import re
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator

from .errors import CorpusError

FORMATS = (".pdf", ".docx")
WRAPPED = 0.75  # a line at least this share of its block's widest line was broken by the margin
# What PDF and Word writers put in a file's metadata when the author wrote nothing.
PLACEHOLDERS = re.compile(r"^(microsoft word - .*|untitled.*|python-docx|author|user|administrator|owner)$", re.I)
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
# Running heads and feet sit in a page's first or last lines ("EDGE_LINES"); a line
# there that comes back on at least RUNNING_SHARE of the pages (digits aside in a
# line of words: "Trade Review · page 3") is the page's furniture, not the article's.
EDGE_LINES = 2
RUNNING_SHARE = 0.5
# A page number alone on its line: "3", "- 3 -", "Page 3", "3 of 12", "3/12".
_PAGE_NUMBER = re.compile(r"^[-–—\s]*(?:page\s*)?\d{1,3}(?:\s*(?:of|/)\s*\d{1,3})?[-–—\s]*$", re.I)
# pypdf logs each repair it makes to a broken file ("incorrect startxref
# pointer"); with no handler anywhere Python prints them to stderr, among the
# build's own lines. Its errors are collected instead (pdf_problems) and become
# the build's warnings; a file pypdf cannot read is still a one-line error.
_PYPDF_LOG = logging.getLogger("pypdf")
_PYPDF_LOG.addHandler(logging.NullHandler())
_SENTENCE_END = (".", "!", "?", ":", ";", "\"", "”", "’", ")")


@dataclass(frozen=True)
class Extracted:
    text: str
    # The title and authors the file itself records: only a fallback for what the
    # text shows (PDF titles are often "Microsoft Word - draft3.docx"). Not the
    # date: a file's creation date is not its article's.
    metadata: dict = field(default_factory=dict)


def reflowed(page: str) -> str:
    """A page's lines joined into paragraphs. Inside a block of non-blank lines,
    a line that runs (nearly) to the widest line's length was wrapped by the
    margin and joins the next with a space; a shorter one ends its paragraph
    (or is a heading) and keeps its line break. A hyphen at a wrapped line's
    end is kept, with no space after it: dropping it could join "well-" and
    "known" wrongly, and an answer never says what the file does not."""
    out: list[str] = []
    for block in re.split(r"\n\s*\n", page):
        lines = [re.sub(r"[ \t]+", " ", line).strip() for line in block.splitlines()]
        lines = [line for line in lines if line]
        if not lines:
            continue
        widest = max(map(len, lines))
        para = lines[0]
        for prev, line in zip(lines, lines[1:]):
            ended = prev.endswith((".", "!", "?", ":")) and line[:1].isupper()  # a sentence ends: maybe a heading next
            if len(prev) >= WRAPPED * widest and widest >= 40 and not ended:
                para += line if prev.endswith("-") else " " + line
            else:
                out.append(para)
                para = line
        out.append(para)
    return "\n\n".join(out)


def _edges(lines: list[str]) -> list[int]:
    """Where a page's running head and foot may stand: its first and last lines."""
    n = len(lines)
    return sorted(set(range(min(EDGE_LINES, n))) | set(range(max(n - EDGE_LINES, 0), n)))


def _shape(line: str) -> str:
    """A line as it recurs from page to page, case and spacing aside: its digits
    aside too when it has words ("trade review · page #"), whole when it is mostly
    figures (a table's rows)."""
    line = " ".join(line.lower().split())
    return re.sub(r"\d+", "#", line) if sum(c.isalpha() for c in line) >= 3 else line


def without_running_lines(pages: list[str]) -> list[str]:
    """Pages without their running heads and feet and their page numbers, which
    reflow would otherwise join to the article's sentences ("... the talks will
    Trade Review 3 go on next year")."""
    split = [page.splitlines() for page in pages]
    edges: list[dict[int, str]] = []  # each page's edge lines (blank lines aside), by number, with their shapes
    for lines in split:
        written = [i for i, line in enumerate(lines) if line.strip()]
        edges.append({written[k]: _shape(lines[written[k]]) for k in _edges(written)})
    # Counted by the page's side too: a book heads its left pages with its title
    # and its right ones with the chapter's, each on only half the pages.
    seen = (Counter(), Counter())
    for n, shapes in enumerate(edges):
        seen[n % 2].update(set(shapes.values()))
    least = max(2, RUNNING_SHARE * len(pages))
    # ... but on nearly every page of its side (a chapter's first page has none), and on
    # three at least: two pages of a side share a table's header or a source line too.
    least_side = [max(3, (len(pages) + 1 - side) // 2 - 1) for side in (0, 1)]

    def running(key: str, side: int) -> bool:
        return seen[0][key] + seen[1][key] >= least or seen[side][key] >= least_side[side]

    out = []
    for n, (page, lines, shapes) in enumerate(zip(pages, split, edges)):
        # The first page's head may be the article's headline, which later pages repeat: kept.
        heads = set(sorted(shapes)[:EDGE_LINES]) if n == 0 else set()
        drop = {i for i, key in shapes.items()
                if (running(key, n % 2) and i not in heads) or _PAGE_NUMBER.match(lines[i])}
        out.append("\n".join(line for i, line in enumerate(lines) if i not in drop) if drop else page)
    return out


def joined(pages: list[str]) -> str:
    """Reflowed pages as one text. A page that stops mid-sentence, before a
    page that opens in lower case, goes on in it: one paragraph, not two."""
    text = ""
    for page in filter(None, pages):
        if text and not text.endswith(_SENTENCE_END) and page[:1].islower():
            text += page if text.endswith("-") else " " + page
        else:
            text += ("\n\n" if text else "") + page
    return text


def printable(text: str) -> str:
    """Text with what no article holds removed: NULs, control characters and
    lone surrogates, which a broken font map can put in a PDF's text."""
    return _UNPRINTABLE.sub("", text)


def _meta(title, authors) -> dict:
    """The metadata worth keeping: text only (a PDF may hold a number or bytes
    there), no writer's placeholder."""
    keep = lambda v: isinstance(v, str) and v.strip() and not PLACEHOLDERS.match(v.strip())  # noqa: E731
    names = [a.strip() for a in re.split(r";|\s+and\s+", authors) if keep(a)] if isinstance(authors, str) else []
    return {k: v for k, v in {"title": title.strip() if keep(title) else "", "authors": names}.items() if v}


class _Collected(logging.Handler):
    def __init__(self):
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = " ".join(record.getMessage().split())
        message = message if len(message) <= 100 else message[:100].rsplit(" ", 1)[0] + " …"
        if message not in self.messages:
            self.messages.append(message)


@contextmanager
def pdf_problems() -> Iterator[list[str]]:
    """What pypdf logged as errors while reading inside the block, once each:
    an encoding it does not implement ("Advanced encoding /X not implemented
    yet") may turn a page's text into wrong letters, and says so only there."""
    handler = _Collected()
    _PYPDF_LOG.addHandler(handler)
    try:
        yield handler.messages
    finally:
        _PYPDF_LOG.removeHandler(handler)


def pdf_text(data: bytes, name: str) -> Extracted:
    from pypdf import PdfReader

    # The file is untrusted and pypdf raises many kinds of error on a broken
    # one (its own, NotImplementedError, AssertionError, ...): any of them
    # means "not readable", said in one line.
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise CorpusError(f"{name}: the PDF is password-protected; save an unprotected copy")
        pages = [printable(page.extract_text() or "") for page in reader.pages]
        info = reader.metadata or {}
        meta = _meta(info.get("/Title"), info.get("/Author"))
    except CorpusError:
        raise
    except Exception as e:  # noqa: BLE001 - see above
        raise CorpusError(f"{name}: not a readable PDF ({type(e).__name__}: {str(e)[:80]})") from e
    text = joined([reflowed(p) for p in without_running_lines(pages)])
    visible = re.sub(r"\s", "", text)  # a font with no text map gives pages of U+FFFD, not letters
    if not visible or sum(c.isalnum() for c in visible) < 0.5 * len(visible):
        raise CorpusError(f"{name}: the PDF has no text layer (a scan?); run OCR on it first")
    return Extracted(text, meta)


def docx_text(data: bytes, name: str) -> Extracted:
    import docx
    from docx.table import Table

    try:  # untrusted, as above: broken XML, a missing part, a wrong root
        document = docx.Document(io.BytesIO(data))
        parts = []
        for item in document.iter_inner_content():  # paragraphs and tables in reading order
            if isinstance(item, Table):
                parts += ["; ".join(c.text.strip() for c in row.cells if c.text.strip()) for row in item.rows]
            else:
                parts.append(item.text.strip())
        props = document.core_properties
        meta = _meta(props.title, props.author)
    except Exception as e:  # noqa: BLE001
        raise CorpusError(f"{name}: not a readable Word (.docx) file ({type(e).__name__})") from e
    text = printable("\n\n".join(p for p in parts if p))
    if not text.strip():
        raise CorpusError(f"{name}: empty file")
    return Extracted(text, meta)


def extract(data: bytes, name: str) -> Extracted:
    """The text of a PDF or .docx file, or CorpusError saying why there is none."""
    return pdf_text(data, name) if name.lower().endswith(".pdf") else docx_text(data, name)
