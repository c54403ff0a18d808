"""Retrieval-core figures: seed index build vs the raw embedding limit, and
warm search latency over the gold questions.

    .venv/bin/python bench/retrieval.py
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import rag
from rag.api import chunker_settings
from rag.embed import get_embedder
from rag.gold import load_gold
from rag.index import build_index
from rag.metrics import percentile
from rag.settings import ROOT, from_env


def main() -> None:
    s = from_env()
    emb = get_embedder(s.embedder)
    with tempfile.TemporaryDirectory() as tmp:
        report = build_index(s.corpus, Path(tmp) / "index", emb, chunker_settings(s))
        idx = rag.load_index(Path(tmp) / "index", emb)
        texts = [c.text for c in idx.chunks] + [idx.articles[d].text[a:b] for (d, a, b) in idx.sentence_rows]
        emb.embed(texts[:64])  # warm up
        t0 = time.perf_counter()
        emb.embed(texts)
        raw = time.perf_counter() - t0
        print(f"build: {report.documents} docs, {report.chunks} chunks + {len(idx.sentence_rows)} sentences "
              f"in {report.seconds:.2f} s = {len(texts) / report.seconds:.0f} texts/s; "
              f"raw embedding of the same texts {raw:.2f} s = {len(texts) / raw:.0f} texts/s; "
              f"build/limit = {report.seconds / raw:.2f}x")
        questions = [i.question for i in load_gold(ROOT / "eval" / "gold.jsonl")]
        for q in questions[:5]:
            rag.search(idx, q, k=5, settings=s)
        embed_ms, search_ms = [], []
        for q in questions:
            t0 = time.perf_counter()
            emb.embed([q])
            embed_ms.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            rag.search(idx, q, k=5, settings=s)
            search_ms.append((time.perf_counter() - t0) * 1000)
        print(f"search ({len(questions)} questions, warm): p50 {percentile(search_ms, 50):.1f} ms, "
              f"p95 {percentile(search_ms, 95):.1f} ms; query embedding alone (the floor): "
              f"p50 {percentile(embed_ms, 50):.1f} ms, p95 {percentile(embed_ms, 95):.1f} ms")


if __name__ == "__main__":
    main()
