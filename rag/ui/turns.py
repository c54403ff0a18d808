"""One question and what the user was shown: the record the page keeps per
conversation (in the browser's storage, so it survives a reload).

A turn's `kind` says what its answer is, and the page labels it so:

    pending     waiting or being answered (`status` says which step)
    quoted      the articles' own sentences, each cited
    generated   written by the model, every sentence verified against its source
    fallback    the model's text failed verification; the quoted answer is shown
    stopped     the user pressed Stop; what was verified before that is kept
    abstained   the articles don't say; related passages are listed, uncited
    error       a friendly message (bad question, model unavailable, ...)
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field, fields

KINDS = ("pending", "quoted", "generated", "fallback", "stopped", "abstained", "error")
ANSWER_KINDS = ("quoted", "generated", "fallback", "stopped", "abstained")  # may receive a vote


@dataclass
class Turn:
    question: str
    mode: str = "quoted"
    kind: str = "pending"
    text: str = ""  # the answer (or the draft while it streams, or the error message)
    status: str = ""  # the progress line while pending
    draft: bool = False  # `text` is the model's unverified draft
    sources: list[dict] = field(default_factory=list)  # cited, numbered 1..n
    related: list[dict] = field(default_factory=list)  # shown on abstention, never cited
    notes: list[str] = field(default_factory=list)  # what verification changed
    ms: float = 0.0
    vote: str | None = None  # "up" | "down" | None
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])

    @property
    def error(self) -> bool:
        return self.kind == "error"

    @property
    def abstained(self) -> bool:
        return self.kind == "abstained"

    @property
    def votable(self) -> bool:
        """Thumbs are for answers, not for placeholders, errors or empty stops."""
        return self.kind in ANSWER_KINDS and bool(self.text)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d) -> "Turn | None":
        """A turn read back from the browser, or None if it is not one (the
        browser's storage is the user's: anything may be there)."""
        if not isinstance(d, dict) or not isinstance(d.get("question"), str):
            return None
        names = {f.name for f in fields(cls)}
        try:
            t = cls(**{k: v for k, v in d.items() if k in names})
        except TypeError:
            return None
        if t.kind not in KINDS or not isinstance(t.text, str) or not isinstance(t.sources, list):
            return None
        for src in t.sources + t.related:
            if not isinstance(src, dict) or not {"n", "doc", "start", "end", "quote_start", "quote_end"} <= set(src):
                return None
        if t.kind == "pending":  # the page was reloaded while it was being answered
            t.kind, t.text, t.draft, t.status = "error", "This answer was interrupted (the page was reloaded).", False, ""
        return t


def load_turns(value) -> list[Turn]:
    """The conversation from browser storage; whatever is not a turn is dropped."""
    turns = [Turn.from_dict(d) for d in (value if isinstance(value, list) else [])]
    return [t for t in turns if t is not None]


def dump_turns(turns: list[Turn]) -> list[dict]:
    return [t.to_dict() for t in turns]
