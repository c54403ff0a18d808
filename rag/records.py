"""The typed records that flow through the pipeline.

Every record is a frozen dataclass: stages never mutate what they receive, they
return new records (use `dataclasses.replace`). Offsets are always Python `str`
indices into the original file read as UTF-8, so `file_text[start:end]` is the
exact text a record points at.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Span:
    """A half-open character range [start, end) of an original file."""

    start: int
    end: int

    def overlaps(self, other: "Span") -> bool:
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True)
class Article:
    """One cleaned source document.

    `text` is the file as read (for HTML: with markup blanked out, same length),
    and `kept` lists the spans that survived boilerplate removal. Nothing outside
    `kept` is ever chunked, embedded or cited.
    """

    doc: str  # file name relative to the corpus folder; the document id
    title: str
    outlet: str
    date: str
    authors: tuple[str, ...]
    text: str
    kept: tuple[Span, ...]
    sha256: str

    def cleaned(self) -> str:
        """The kept text, paragraphs separated by blank lines (for display)."""
        return "\n\n".join(self.text[s.start : s.end] for s in self.kept)


@dataclass(frozen=True)
class Chunk:
    """A passage: consecutive sentences of one article, one contiguous span."""

    id: str  # content-addressed: see `chunk_id`
    doc: str
    start: int
    end: int
    text: str
    # Sentence boundaries inside the chunk, as absolute file offsets.
    sentences: tuple[Span, ...] = ()


def chunk_id(doc: str, start: int, end: int, text: str) -> str:
    """Same text at the same place of the same document -> same id.

    This is what lets a rebuild reuse the embeddings of unchanged chunks.
    """
    h = hashlib.sha256(f"{doc}\x00{start}\x00{end}\x00{text}".encode("utf-8"))
    return h.hexdigest()[:16]


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk with the evidence for its rank."""

    chunk: Chunk
    score: float  # the fused score that ordered the list
    rank: int  # 1-based
    bm25_rank: int | None = None
    bm25_score: float | None = None
    dense_rank: int | None = None
    dense_score: float | None = None


@dataclass(frozen=True)
class Scored:
    """A candidate answer sentence with the scorer's verdict on it."""

    hit: Hit
    span: Span  # the sentence (with its predecessor when it opens with "He"/"So")
    text: str  # == file_text[span]
    score: float  # P(it answers the question), from the fitted scorer
    type_ok: bool  # it holds the kind of fact asked for (a number for "how many")


@dataclass(frozen=True)
class Citation:
    """A numbered source of an answer, pointing into the original file (into
    the text read out of it, for a PDF or .docx: `Article.text`)."""

    n: int
    doc: str
    title: str
    outlet: str
    date: str
    start: int  # the passage's span in the file
    end: int
    text: str  # == file_text[start:end]
    quote_start: int  # the supporting sentence's span in the file
    quote_end: int
    quote: str


@dataclass(frozen=True)
class Answer:
    question: str
    text: str
    citations: tuple[Citation, ...]
    abstained: bool
    mode: str
    hits: tuple[Hit, ...]
    standalone_question: str = ""  # the question as read: a follow-up rewritten with its history, apostrophes restored
    related: tuple[Hit, ...] = ()  # shown on abstention, never cited
    timings: dict[str, float] = field(default_factory=dict)  # milliseconds
    notes: tuple[str, ...] = ()  # what verification changed, for the curious
    confidence: float | None = None  # P(the question is answered here), from the scorer
    judge_verdict: float | None = None  # the judge's log P(Yes) - log P(No), when one read the answer (judge.py)


@dataclass(frozen=True)
class Event:
    """What answer_stream yields: progress, then one "final" with the Answer."""

    kind: str  # "retrieved" | "token" | "checking" | "final"
    hits: tuple[Hit, ...] = ()
    text: str = ""
    answer: Answer | None = None
