"""BM25 over chunk texts, with stemming and stop-words (bm25s: sparse
matrices, so it scales to millions of passages without a Python loop)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import bm25s
import numpy as np
import Stemmer

# Question words carry no topic; BM25 should not reward passages for them.
QUESTION_WORDS = ["why", "what", "who", "whom", "whose", "when", "where", "which", "how",
                  "did", "does", "do", "is", "are", "was", "were", "tell", "me", "say", "said"]


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


@lru_cache(maxsize=1)
def stopwords() -> list[str]:
    from bm25s.stopwords import STOPWORDS_EN

    return sorted(set(STOPWORDS_EN) | set(QUESTION_WORDS))


def tokenize(texts: list[str]) -> list[list[str]]:
    return bm25s.tokenize(texts, stopwords=stopwords(), stemmer=_stemmer(),
                          return_ids=False, show_progress=False)


@lru_cache(maxsize=4096)
def stems(text: str) -> tuple[str, ...]:
    """The stems of one short text (a name, a word), cached: names recur in
    every candidate sentence's features."""
    return tuple(tokenize([text])[0])


class BM25:
    def __init__(self, retriever: bm25s.BM25, size: int):
        self.retriever = retriever
        self.size = size

    @classmethod
    def build(cls, texts: list[str]) -> "BM25":
        r = bm25s.BM25()
        r.index(tokenize(texts), show_progress=False)
        return cls(r, len(texts))

    def save(self, folder: Path) -> None:
        self.retriever.save(str(folder))

    @classmethod
    def load(cls, folder: Path, size: int) -> "BM25":
        return cls(bm25s.BM25.load(str(folder)), size)

    def search(self, query: str, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(row ids, scores) of the top-k rows with a positive score."""
        tokens = tokenize([query])[0]
        vocab = self.retriever.vocab_dict
        tokens = [t for t in tokens if t in vocab]
        k = min(k, self.size)
        if not tokens or k == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        ids, scores = self.retriever.retrieve([tokens], k=k, show_progress=False, n_threads=1)
        ids, scores = ids[0], scores[0]
        keep = scores > 0
        return ids[keep].astype(np.int64), scores[keep].astype(np.float32)
