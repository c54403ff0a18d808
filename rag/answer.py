"""Questions in, grounded answers out."""

from __future__ import annotations

import re
import unicodedata

from .errors import BadQuestion

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\ufeff]")


def check_question(question: str, max_chars: int = 500) -> str:
    """The question, tidied, or BadQuestion saying what is wrong with it."""
    if not isinstance(question, str):
        raise BadQuestion("the question must be text")
    q = unicodedata.normalize("NFC", _CONTROL.sub(" ", question))
    q = " ".join(q.split())
    if not q:
        raise BadQuestion("the question is empty; type a question about the articles")
    if len(q) > max_chars:
        raise BadQuestion(f"the question is {len(q)} characters long; the limit is {max_chars}")
    if not any(ch.isalnum() for ch in q):
        raise BadQuestion("the question has no words in it")
    return q
