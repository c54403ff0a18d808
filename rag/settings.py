"""One place for every default. CLI flags and `RAG_*` environment variables
override these; nothing else in the code hard-codes a tunable."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

MODES = ("quoted", "generated")
RETRIEVERS = ("hybrid", "bm25", "dense")
BACKENDS = ("faiss", "milvus")


@dataclass(frozen=True)
class Settings:
    corpus: Path = ROOT / "seeds"
    index: Path = ROOT / "index"
    data: Path = ROOT / "data"  # feedback, converted model cache
    # Chunking: sentences are packed up to `chunk_words` words; consecutive
    # chunks share `chunk_overlap` sentences so no sentence loses its context.
    # MiniLM reads only 256 word-pieces; 120 words stays well inside that.
    chunk_words: int = 120
    chunk_overlap: int = 1
    # Retrieval
    k: int = 5
    retriever: str = "hybrid"
    candidates: int = 50  # per retriever, before fusion
    dense_weight: float = 0.5  # weight of the dense side in fusion
    exact_max: int = 100_000  # passages; a larger corpus gets an approximate (IVF) FAISS index
    # Answers
    mode: str = "quoted"
    max_question_chars: int = 500
    generator: str = ""  # path of a local HF causal LM; "" = bundled Qwen
    max_new_tokens: int = 160
    context_chars: int = 2000  # passages given to the generator, at most
    # Embedding
    embedder: str = "minilm"  # "minilm" or "hash" (deterministic, for tests)
    # Storage: "faiss" (files under `index`) or "milvus" (rag/milvus_store.py).
    # milvus_uri: a `.db` path (milvus-lite) or http://host:19530; "" = <index>/milvus.db
    backend: str = "faiss"
    milvus_uri: str = ""
    milvus_name: str = "dossier"  # alias of the live generation
    milvus_ranker: str = "convex"  # server-side fusion: "convex" (= FAISS's), "rrf" or "weighted"
    # App
    host: str = "127.0.0.1"
    port: int = 7860


_ENV = {
    "corpus": "RAG_CORPUS",
    "index": "RAG_INDEX",
    "data": "RAG_DATA",
    "chunk_words": "RAG_CHUNK_WORDS",
    "chunk_overlap": "RAG_CHUNK_OVERLAP",
    "k": "RAG_K",
    "retriever": "RAG_RETRIEVER",
    "exact_max": "RAG_EXACT_MAX",
    "mode": "RAG_MODE",
    "generator": "RAG_GENERATOR",
    "embedder": "RAG_EMBEDDER",
    "backend": "RAG_BACKEND",
    "milvus_uri": "RAG_MILVUS_URI",
    "milvus_name": "RAG_MILVUS_NAME",
    "milvus_ranker": "RAG_MILVUS_RANKER",
    "host": "RAG_HOST",
    "port": "RAG_PORT",
}


def _coerce(kind: type | str, value: str):
    kind = kind if isinstance(kind, str) else kind.__name__
    if "Path" in kind:
        return Path(value).expanduser()
    if "int" in kind:
        return int(value)
    if "float" in kind:
        return float(value)
    return value


def from_env(env: dict[str, str] | None = None, **overrides) -> Settings:
    """Defaults, then `RAG_*` variables, then explicit overrides (CLI flags).

    Overrides whose value is None are ignored, so argparse results can be
    passed straight through.
    """
    env = os.environ if env is None else env
    types = {f.name: f.type for f in fields(Settings)}
    values = {}
    for name, var in _ENV.items():
        if env.get(var):
            values[name] = _coerce(types[name], env[var])
    for name, value in overrides.items():
        if value is not None:
            values[name] = _coerce(types[name], value) if isinstance(value, str) else value
    s = replace(Settings(), **values)
    if s.mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {s.mode!r}")
    if s.retriever not in RETRIEVERS:
        raise ValueError(f"retriever must be one of {RETRIEVERS}, not {s.retriever!r}")
    if s.backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}, not {s.backend!r}")
    return s
