"""Ingestion: a folder of .txt/.md/.html/.pdf/.docx files becomes a list of `Article`s.

Reading is defensive because the corpus is untrusted: a file that is binary,
not UTF-8 (or UTF-16/32 with a byte-order mark), empty, enormous, unreadable or
a symlink to somewhere outside the corpus folder is skipped with a warning that
names it, and the rest of the corpus is still indexed. Metadata overrides of
the wrong shape are ignored with a warning, field by field.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from . import clean, extract
from .errors import CorpusError
from .records import Article

EXTENSIONS = (".txt", ".md", ".markdown", ".html", ".htm", *extract.FORMATS)
METADATA_FILE = "_metadata.json"  # optional per-article overrides
MAX_FILE_BYTES = 5_000_000  # a news article is ~10 kB; 5 MB is not an article
MAX_DOCUMENT_BYTES = 50_000_000  # a PDF or .docx carries its pictures: ten times that, its text still capped above
NO_FILES = "no .txt, .md, .html, .pdf or .docx files"
UNKNOWN_OUTLET = "unknown outlet"  # an article whose outlet neither its text nor _metadata.json gives


@dataclass(frozen=True)
class Skipped:
    path: str
    reason: str


@dataclass(frozen=True)
class Corpus:
    articles: tuple[Article, ...]
    skipped: tuple[Skipped, ...]
    warnings: tuple[str, ...] = ()  # e.g. metadata overrides that were ignored


def file_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def corpus_files(folder: Path) -> list[Path]:
    """Article files below `folder`, sorted, without following symlinked
    folders (a symlink loop must not hang the build)."""
    found = []
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.lower().endswith(EXTENSIONS) and not name.startswith("."):
                found.append(Path(dirpath) / name)
    return found


def outside(path: Path, folder: Path) -> Path | None:
    """Where `path` really leads when that is outside `folder` (a symlink to
    /etc/passwd), else None."""
    target = Path(os.path.realpath(path))
    return None if target.is_relative_to(os.path.realpath(folder)) else target


def corpus_fingerprint(folder: Path, follow_symlinks: bool = False) -> dict[str, str]:
    """doc id -> sha256 of every article file, plus the metadata overrides.
    Comparing this with the manifest tells whether an index is stale."""
    folder = Path(folder)
    prints = {}
    for path in corpus_files(folder) + [folder / METADATA_FILE]:
        if not follow_symlinks and outside(path, folder):
            continue  # skipped at build time too
        try:
            prints[path.relative_to(folder).as_posix()] = file_sha256(path.read_bytes())
        except OSError:
            continue  # unreadable files are skipped at build time too
    return prints


# --- metadata -----------------------------------------------------------------

MONTHS = "january february march april may june july august september october november december".split()
_DATE_ISO = re.compile(r"\b(20\d\d|19\d\d)-(\d\d)-(\d\d)\b")
_DATE_LONG = re.compile(r"\b(" + "|".join(MONTHS) + r")\s+(\d{1,2}),\s*(\d{4})\b", re.I)
BYLINE = re.compile(r"^\s*(by|author\s*:)\s+(.+)$", re.I)
_OUTLET_FOOTER = re.compile(
    r"(?:originally appeared in|republished from|first published (?:in|by)|originally published (?:in|by))\s+"
    r"(the [A-Z][\w ]+?|[A-Z][\w ]+?)(?:\s*\(|\s+under\b|[.,])",
)


def find_date(lines: list[str]) -> str:
    for line in lines:
        m = _DATE_ISO.search(line)
        if m:
            return m.group(0)
        m = _DATE_LONG.search(line)
        if m:
            month = MONTHS.index(m.group(1).lower()) + 1
            return f"{m.group(3)}-{month:02d}-{int(m.group(2)):02d}"
    return ""


def find_authors(lines: list[str]) -> tuple[str, ...]:
    for line in lines:
        m = BYLINE.match(line)
        if m:
            # "Marcin Kaczmarski, University of Glasgow and Natasha Kuhrt, King's College"
            people = re.split(r"\s+and\s+|\s*&\s*", m.group(2))
            return tuple(p.split(",")[0].strip() for p in people if p.strip())
    return ()


def without_brackets(name: str) -> str:
    """"Dolly (sheep)" -> "Dolly"; "Bloomberg (republished by Focue)" -> "Bloomberg"."""
    return re.sub(r"\s*\(.*?\)", "", name).strip()


def find_title(header: list[str], first: str = "") -> str:
    """A headline among the header lines: one repeated (pages often print it
    twice), else the first short line that is not a sentence, date or byline,
    else a line of one or two words that the article's first sentence names
    ("Laika" above "Laika (c. 1954 – 3 November 1957) was a Soviet space
    dog...": the encyclopedia's way), if need be with middle names between
    ("Abel Tasman" above "Abel Janszoon Tasman (1603 – 1659) was ...")."""
    seen = set()
    for line in header:
        key = clean.normalise(line)
        if key in seen and len(line.split()) >= 3:
            return line.strip()
        seen.add(key)
    for line in header:
        t = line.strip()
        if (3 <= len(t.split()) <= 25 and not t.endswith(".") and not BYLINE.match(t)
                and not find_date([t]) and " : " not in t and not t.startswith(":")):
            return t
    opening = clean.normalise(first[:200])
    for line in header:
        t = line.strip()
        name = clean.normalise(without_brackets(t))  # "Dolly (sheep)": the article says "Dolly"
        named = r"(?:\W+\w+){0,2}\W+".join(map(re.escape, name.split()))  # up to two middle names
        if 1 <= len(t.split()) <= 2 and name and re.search(rf"\b{named}s?\b", opening):
            return t
    return ""


def find_outlet(text: str) -> str:
    m = _OUTLET_FOOTER.search(text)
    return m.group(1).strip() if m else ""


OVERRIDE_FIELDS = ("title", "outlet", "date", "authors")


def _describe(value) -> str:
    kind = {dict: "an object", list: "a list", str: "a string", bool: "true/false", type(None): "null"}
    return kind.get(type(value), f"the number {value!r}" if isinstance(value, (int, float)) else type(value).__name__)


def check_overrides(data) -> tuple[dict[str, dict], list[str]]:
    """The usable part of a parsed `_metadata.json` and a warning for each
    part ignored. Shape: {"file.txt": {"title": str, "outlet": str,
    "date": str, "authors": [str, ...]}, ...}; a wrong value drops only itself."""
    if not isinstance(data, dict):
        return {}, [f"{METADATA_FILE}: expected an object mapping file names to {{title, outlet, date, authors}}, "
                    f"got {_describe(data)}; all of it ignored"]
    overrides, warnings = {}, []
    for doc, entry in data.items():
        if not isinstance(entry, dict):
            warnings.append(f"{METADATA_FILE}: {doc!r} should be an object, got {_describe(entry)}; ignored")
            continue
        good = {}
        for key, value in entry.items():
            if key not in OVERRIDE_FIELDS:
                warnings.append(f"{METADATA_FILE}: {doc!r} has unknown field {key!r} (known: "
                                f"{', '.join(OVERRIDE_FIELDS)}); ignored")
            elif key == "authors":
                if isinstance(value, list) and all(isinstance(a, str) and a.strip() for a in value):
                    good[key] = tuple(a.strip() for a in value)
                else:
                    warnings.append(f"{METADATA_FILE}: {doc!r} authors should be a list of names, got "
                                    f"{_describe(value)}; ignored")
            elif isinstance(value, str) and value.strip():
                good[key] = value.strip()
            else:
                warnings.append(f"{METADATA_FILE}: {doc!r} {key} should be non-empty text, got "
                                f"{_describe(value)}; ignored")
        overrides[doc] = good
    return overrides, warnings


def load_overrides(folder: Path) -> tuple[dict[str, dict], list[str]]:
    """Per-article metadata overrides from `_metadata.json` (if any) and the
    warnings about what in it was ignored. A broken file never stops a build."""
    path = Path(folder) / METADATA_FILE
    if not path.exists():
        return {}, []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        return {}, [f"{METADATA_FILE}: cannot be read as JSON ({e}); all of it ignored"]
    return check_overrides(data)


# --- reading --------------------------------------------------------------------


# Byte-order marks, longest first (the UTF-32LE mark starts with UTF-16LE's).
_BOMS = ((codecs.BOM_UTF32_LE, "UTF-32LE"), (codecs.BOM_UTF32_BE, "UTF-32BE"), (codecs.BOM_UTF8, "UTF-8"),
         (codecs.BOM_UTF16_LE, "UTF-16LE"), (codecs.BOM_UTF16_BE, "UTF-16BE"))


def utf16_without_bom(sample: bytes) -> str | None:
    """Which UTF-16 ("UTF-16LE" or "UTF-16BE") the bytes look like when they
    are mostly-ASCII UTF-16 (a NUL in every other byte, none in between)."""
    even, odd = sample[0::2], sample[1::2]
    if len(sample) < 4:
        return None
    if odd.count(0) > 0.3 * len(odd) and not even.count(0):
        return "UTF-16LE"
    if even.count(0) > 0.3 * len(even) and not odd.count(0):
        return "UTF-16BE"
    return None


def decode(data: bytes, name: str) -> str:
    """The text of a file (UTF-8, or any UTF with a byte-order mark, which is
    dropped), or CorpusError saying why it is not an article."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom):].decode(encoding)
            except UnicodeDecodeError as e:
                raise CorpusError(f"{name}: starts with a {encoding} byte-order mark but is not {encoding} "
                                  f"(byte {e.start + len(bom)}); convert it to UTF-8 with iconv") from e
            break
    else:
        if b"\x00" in data[:8192]:
            if not data.strip(b"\x00 \t\r\n"):
                raise CorpusError(f"{name}: empty file")
            utf16 = utf16_without_bom(data[:8192])
            if utf16:
                raise CorpusError(f"{name}: looks like {utf16} text without a byte-order mark; convert it to "
                                  f"UTF-8 with `iconv -f {utf16} -t UTF-8`")
            raise CorpusError(f"{name}: binary file (contains NUL bytes)")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as e:
            raise CorpusError(f"{name}: not UTF-8 (byte {e.start}); convert it with iconv") from e
    if not text.strip():
        raise CorpusError(f"{name}: empty file")
    if "\x00" in text:
        raise CorpusError(f"{name}: binary file (contains NUL characters)")
    return text


def masked_text(raw: str, name: str) -> str:
    lower = name.lower()
    if lower.endswith((".html", ".htm")):
        return clean.mask_html(raw)
    if lower.endswith((".md", ".markdown")):
        return clean.mask_markdown(raw)
    return raw


def read_article(path: Path, doc: str, overrides: dict | None = None) -> Article:
    """One file -> one cleaned Article (raises CorpusError when unusable)."""
    document = doc.lower().endswith(extract.FORMATS)  # a PDF or .docx: its text is extracted, not decoded
    try:
        size = path.stat().st_size
        limit = MAX_DOCUMENT_BYTES if document else MAX_FILE_BYTES
        if size > limit:
            raise CorpusError(f"{doc}: {size:,} bytes is over the {limit:,}-byte limit for one article")
        data = path.read_bytes()
    except OSError as e:
        raise CorpusError(f"{doc}: cannot read ({e.strerror or e})") from e
    if document:
        found = extract.extract(data, doc)
        raw, meta = found.text, found.metadata
        if len(raw) > MAX_FILE_BYTES:
            raise CorpusError(f"{doc}: {len(raw):,} characters of text is over the {MAX_FILE_BYTES:,} limit "
                              "for one article")
    else:
        raw, meta = decode(data, doc), {}
    text = masked_text(raw, doc)
    verdicts = clean.classify(text)
    kept = clean.kept_spans(verdicts)
    if not kept:
        raise CorpusError(f"{doc}: no article text found after removing page furniture")
    header = [v.line.text for v in verdicts if v.reason == "header"]
    o = overrides or {}
    first = text[kept[0].start : kept[0].end]
    title = (o.get("title") or find_title(header, first) or meta.get("title")
             or (first[:80] + ("…" if len(first) > 80 else "")))
    return Article(
        doc=doc,
        title=title,
        outlet=o.get("outlet") or find_outlet(text) or UNKNOWN_OUTLET,
        date=o.get("date") or find_date(header),
        authors=tuple(o.get("authors") or find_authors(header) or meta.get("authors", ())),
        text=text,
        kept=kept,
        sha256=file_sha256(data),
    )


def iter_articles(folder: Path, skipped: list[Skipped], warnings: list[str],
                  follow_symlinks: bool = False) -> Iterator[Article]:
    """Every readable article below `folder`, one at a time (so a corpus
    larger than memory can stream); what cannot be read goes to `skipped`
    with the reason; what in `_metadata.json` was ignored, and the errors the
    PDF reader met in a file it could still read, go to `warnings`. Duplicate
    files are read once. Files that resolve outside `folder` (symlinks) are
    skipped unless `follow_symlinks`."""
    folder = Path(folder)
    if not folder.is_dir():
        raise CorpusError(f"corpus folder {folder} does not exist")
    overrides, found = load_overrides(folder)
    warnings += found
    hashes: dict[str, str] = {}
    files = corpus_files(folder)
    docs = {path.relative_to(folder).as_posix() for path in files}
    warnings += [f"{METADATA_FILE}: {doc!r} names no article file in the corpus; ignored"
                 for doc in overrides if doc not in docs]
    for path in files:
        doc = path.relative_to(folder).as_posix()
        target = None if follow_symlinks else outside(path, folder)
        if target:
            skipped.append(Skipped(doc, f"a link to {target}, outside the corpus folder (index it with "
                                        "--follow-symlinks)"))
            continue
        try:
            with extract.pdf_problems() as problems:
                article = read_article(path, doc, overrides.get(doc))
        except CorpusError as e:
            skipped.append(Skipped(doc, str(e).removeprefix(f"{doc}: ")))
            continue
        if article.sha256 in hashes:
            skipped.append(Skipped(doc, f"duplicate of {hashes[article.sha256]}"))
            continue
        hashes[article.sha256] = doc
        warnings += [f"{doc}: the PDF reader reports: {p}" for p in problems]
        yield article


def load_corpus(folder: Path, follow_symlinks: bool = False) -> Corpus:
    """Every readable article below `folder` (see `iter_articles`); a folder
    with none is an error that says why."""
    skipped: list[Skipped] = []
    warnings: list[str] = []
    articles = list(iter_articles(folder, skipped, warnings, follow_symlinks))
    if not articles:
        raise no_articles(folder, skipped)
    return Corpus(tuple(articles), tuple(skipped), tuple(warnings))


def no_articles(folder: Path, skipped: list[Skipped]) -> CorpusError:
    """The error for a corpus with no readable article, saying why (the first few reasons)."""
    why = "; ".join(f"{s.path}: {s.reason}" for s in skipped[:5]) or NO_FILES
    return CorpusError(f"no readable articles in {folder} ({why})")
