"""Hybrid retrieval: BM25 and dense search, fused.

BM25 is precise on names and numbers ("Power of Siberia", "42 times"); the
dense side catches paraphrase ("why no gas deal?" vs "Beijing is holding out
for a more favourable deal"). Each side proposes `candidates` chunks; the
fusion ranks their union.

Fusion is a convex combination of the two scores after scaling each side to
0..1 over this query's candidates (so a query where BM25 is confident keeps
its strong lexical signal, and one where only the dense side finds the
passage still ranks it high), with reciprocal-rank fusion available for
comparison: `rag eval --compare` measures both.
"""

from __future__ import annotations

import numpy as np

from .index import Index, per_index
from .records import Hit

# Brute-force sentence search reads every sentence vector; past this many
# (~150 MB of vectors) it is skipped and chunk vectors alone serve.
SENTENCE_SEARCH_MAX = 100_000


def dense_search(index: Index, query_vec: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    k = min(k, index.dense.ntotal)
    if k == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.float32)
    scores, ids = index.dense.search(query_vec.reshape(1, -1).astype(np.float32), k)
    keep = ids[0] >= 0
    return ids[0][keep].astype(np.int64), scores[0][keep]


@per_index
def _sentence_owner(index: Index) -> np.ndarray:
    """For each sentence vector, one chunk that holds the sentence."""
    owner = np.zeros(len(index.sentence_vectors), np.int64)
    for row, c in enumerate(index.chunks):
        for sp in c.sentences:
            i = index.sentence_rows.get((c.doc, sp.start, sp.end))
            if i is not None:
                owner[i] = row
    return owner


def sentence_search(index: Index, query_vec: np.ndarray, k: int) -> dict[int, float]:
    """Chunks scored by their best-matching sentence.

    A paraphrased question ("the renminbi's share of central-bank holdings")
    can sit close to one sentence of a passage ("yuan ... of its foreign
    exchange reserves") while the passage's one vector, averaged over five
    sentences, sits far away. Sentence vectors are already in the index (for
    answers), so this costs one matrix-vector product."""
    if not len(index.sentence_vectors) or len(index.sentence_vectors) > SENTENCE_SEARCH_MAX:
        return {}
    sims = index.sentence_vectors @ query_vec.astype(np.float32)
    owner = _sentence_owner(index)
    best: dict[int, float] = {}
    m = min(4 * k, len(sims))
    top = np.argpartition(-sims, m - 1)[:m]  # the m best without sorting every sentence
    for i in top[np.argsort(-sims[top], kind="stable")]:
        row = int(owner[i])
        if row not in best:
            best[row] = float(sims[i])
    return best


def rrf(rank_lists: list[list[int]], c: int = 60) -> dict[int, float]:
    """Reciprocal rank fusion: sum of 1/(c + rank) over the lists."""
    fused: dict[int, float] = {}
    for ranks in rank_lists:
        for r, row in enumerate(ranks, start=1):
            fused[row] = fused.get(row, 0.0) + 1.0 / (c + r)
    return fused


def convex(bm25: dict[int, float], dense: dict[int, float], dense_weight: float) -> dict[int, float]:
    """w * (dense - floor)/(max(dense) - floor) + (1-w) * bm25/max(bm25).

    Each side spans 0..1 over this query's candidates. Cosines crowd together
    (0.45-0.60 for a whole top 50), so dividing by the best alone left the
    dense side almost flat and BM25 decided the order: a paraphrase that dense
    search ranked first but BM25 missed ("makeshift ammunition" for
    "canister shot") fell to rank 7-14. A side that did not propose a chunk
    contributes 0 (BM25) or the floor, the lowest dense candidate's score."""
    fused: dict[int, float] = {}
    top_b = max(bm25.values(), default=0.0) or 1.0
    top_d = max(dense.values(), default=0.0)
    floor_d = max(min(dense.values(), default=0.0), 0.0)
    spread_d = top_d - floor_d
    for row in set(bm25) | set(dense):
        b = bm25.get(row, 0.0) / top_b
        if spread_d > 1e-9:
            d = max(dense.get(row, floor_d) - floor_d, 0.0) / spread_d
        else:  # one dense candidate, or all tied: each proposed chunk counts fully
            d = 1.0 if row in dense else 0.0
        fused[row] = dense_weight * d + (1 - dense_weight) * b
    return fused


def search(
    index: Index,
    query: str,
    k: int = 5,
    retriever: str = "hybrid",
    candidates: int = 50,
    dense_weight: float = 0.5,
    fusion: str = "convex",
    sentences: bool = True,
    query_vec: np.ndarray | None = None,
) -> list[Hit]:
    """The top-k chunks for `query`, best first (`query_vec`: its embedding, if already computed)."""
    if retriever == "hybrid" and index.store is not None:  # Milvus fuses in the server
        return index.store.hybrid(query, index.embedder.embed([query])[0] if query_vec is None else query_vec, k,
                                  candidates, dense_weight)
    b_ids = b_scores = d_ids = d_scores = np.zeros(0)
    if retriever in ("hybrid", "bm25"):
        b_ids, b_scores = index.bm25.search(query, candidates)
    if retriever in ("hybrid", "dense"):
        qv = index.embedder.embed([query])[0] if query_vec is None else query_vec
        d_ids, d_scores = dense_search(index, qv, candidates)
    b = {int(i): float(s) for i, s in zip(b_ids, b_scores)}
    d = {int(i): float(s) for i, s in zip(d_ids, d_scores)}
    if sentences and retriever in ("hybrid", "dense"):
        # The dense side of a chunk is its passage vector or its best
        # sentence, whichever is closer to the question.
        for row, sim in sentence_search(index, qv, candidates).items():
            d[row] = max(d.get(row, -1.0), sim)
        d = dict(sorted(d.items(), key=lambda kv: -kv[1]))
    b_rank = {row: r for r, row in enumerate(b, start=1)}
    d_rank = {row: r for r, row in enumerate(d, start=1)}

    if retriever == "bm25":
        fused = b
    elif retriever == "dense":
        fused = d
    elif fusion == "rrf":
        fused = rrf([list(b), list(d)])
    else:
        fused = convex(b, d, dense_weight)

    order = sorted(fused, key=lambda row: (-fused[row], row))[:k]
    return [
        Hit(index.chunks[row], fused[row], rank, b_rank.get(row), b.get(row), d_rank.get(row), d.get(row))
        for rank, row in enumerate(order, start=1)
    ]
