"""Labelled questions asked of an index as the app asks them: the walk the
scorer's fit (train.py) and the embedder's (tune.py) share, so both learn
from the candidates an answer would read.

Each question is read as a user's (follow-up rewrite, the question as the
checks read it), embedded with the others in one batch (far cheaper than one
call each), searched, and its candidate sentences labelled: 1 where one
holds an evidence quote (gold.label).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Sequence

import numpy as np

from .answer import check_question, clean_history, understood
from .api import search
from .features import Candidate, candidates
from .gold import GoldItem, label
from .index import Index
from .settings import Settings
from .support import sentence_vector


@dataclass(frozen=True)
class Asked:
    item: GoldItem
    typed: str  # the question as read (answer.understood)
    standalone: str  # the question standing alone after its history
    vector: np.ndarray  # the standalone question's embedding
    candidates: list[Candidate]  # in the order an answer reads them
    labels: np.ndarray  # 1 where the candidate holds an evidence quote
    sentence_vecs: list[np.ndarray | None]  # each candidate's sentence vector (None: the index has none)


def asked(index: Index, items: Sequence[GoldItem], settings: Settings, k: int) -> Iterator[Asked]:
    """Each of `items` asked of `index` (opened with `settings`), its `k` passages' candidates labelled."""
    read = [understood(index, check_question(item.question), clean_history(item.history)) for item in items]
    vectors = index.embedder.embed([standalone for _, standalone, _ in read])
    for item, (typed, standalone, query), qvec in zip(items, read, vectors):
        hits = search(index, query, k=k, settings=settings, query_vec=qvec if query == standalone else None)
        cands = candidates(index, hits)
        texts = [(c.text, index.articles[c.hit.chunk.doc].text[c.sentence.start : c.sentence.end]) for c in cands]
        vecs = [sentence_vector(index, c.hit.chunk.doc, c.sentence) for c in cands]
        yield Asked(item, typed, standalone, qvec, cands, label(item, texts), vecs)
