"""One place for every default. CLI flags and `RAG_*` environment variables
override these; nothing else in the code hard-codes a tunable.

Every value is checked against `RANGES` / `CHOICES` (below the defaults they
bound) whenever a Settings is built — from the environment, from flags or in
code — so a bad value is one `SettingsError` naming the setting and what it
allows, not a traceback or a silent misbehaviour deep in the pipeline.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, fields, replace
from pathlib import Path

from .errors import SettingsError

ROOT = Path(__file__).resolve().parent.parent
# Labelled questions on six Wikipedia articles (SQuAD 2.0), beside the project: what
# `rag train` and `rag train-embedder` learn from.
SQUAD_TRAIN = ROOT.parent / "shared" / "external" / "squad" / "train"

MODES = ("quoted", "generated")
RETRIEVERS = ("hybrid", "bm25", "dense")
BACKENDS = ("faiss", "milvus")


@dataclass(frozen=True)
class Settings:
    corpus: Path = ROOT / "seeds"
    index: Path = ROOT / "index"
    data: Path = ROOT / "data"  # feedback, converted model cache
    # Corpus files that are symlinks resolving outside the corpus folder are
    # skipped (a link to /etc/passwd is not an article) unless this is set.
    follow_symlinks: bool = False
    # Chunking: sentences are packed up to `chunk_words` words; consecutive
    # chunks share `chunk_overlap` sentences so no sentence loses its context.
    # MiniLM reads only 256 word-pieces; 120 words stays well inside that.
    chunk_words: int = 120
    chunk_overlap: int = 1
    # Retrieval. Eight passages, not five: the answer's candidates come from more of the
    # corpus and the judge's reply reads the best ten of them (rag/judge.json reads_first);
    # measured on 900 blind questions it was not chosen on (eval/README.md, sessions 45-46).
    k: int = 8
    retriever: str = "hybrid"
    candidates: int = 50  # per retriever, before fusion
    dense_weight: float = 0.5  # weight of the dense side in fusion
    exact_max: int = 100_000  # passages; a larger corpus gets an approximate (IVF) FAISS index
    # Answers
    mode: str = "quoted"
    max_question_chars: int = 500
    generator: str = ""  # a local .gguf file or HF causal-LM folder; "" = the bundled model below
    generator_model: str = "0.5b"  # bundled Qwen2.5-Coder: "0.5b" or "1.5b" (README "Models and runtimes")
    max_new_tokens: int = 160
    # "1.5b": the bundled 1.5B reads the answer when the scorer is unsure (rag/judge.py),
    # ~1 s for those, some 2 in 5 questions. "off": the scorer alone decides. The 0.5B
    # judges no better than chance (eval/README.md, session 35).
    judge: str = "1.5b"
    context_chars: int = 2000  # passages given to the generator, at most
    # Embedding
    embedder: str = "minilm"  # "minilm" (tuned), "minilm-base" (the wheel's), "minilm-torch" or "hash" (tests)
    # Storage: "faiss" (files under `index`) or "milvus" (rag/milvus_store.py).
    # milvus_uri: a `.db` path (milvus-lite) or http://host:19530; "" = <index>/milvus.db
    backend: str = "faiss"
    milvus_uri: str = ""
    milvus_name: str = "dossier"  # alias of the live generation
    milvus_ranker: str = "convex"  # server-side fusion: "convex" (= FAISS's), "rrf" or "weighted"
    # App
    host: str = "127.0.0.1"
    port: int = 7860

    def __post_init__(self):
        for f in fields(self):
            check(f.name, getattr(self, f.name))


# Allowed values: (lowest, highest, what the number counts). Bounds are
# inclusive; they are the edges of what makes sense, not tuning advice.
RANGES: dict[str, tuple[float, float, str]] = {
    "chunk_words": (1, 1000, "words per chunk"),
    "chunk_overlap": (0, 20, "sentences shared by neighbouring chunks"),
    "k": (1, 100, "passages returned"),
    "candidates": (1, 1000, "passages proposed by each retriever"),
    "dense_weight": (0.0, 1.0, "weight of dense scores in fusion"),
    "exact_max": (1, 10**9, "passages indexed exactly before FAISS goes approximate"),
    "max_question_chars": (1, 100_000, "characters in a question"),
    "max_new_tokens": (1, 4096, "tokens the generator may write"),
    "context_chars": (100, 1_000_000, "characters of passages given to the generator"),
    "port": (1, 65535, "TCP port"),
}
CHOICES: dict[str, tuple[str, ...]] = {"mode": MODES, "retriever": RETRIEVERS, "generator_model": ("0.5b", "1.5b"),
                                       "judge": ("off", "1.5b"),
                                       "backend": BACKENDS, "milvus_ranker": ("convex", "rrf", "weighted")}

# Every field can be set from the environment as RAG_<NAME>.
_ENV = {f.name: "RAG_" + f.name.upper() for f in fields(Settings)}
# How the CLI spells a setting (default: --chunk-words for chunk_words).
_FLAGS = {"k": "-k"}
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def _kind(name: str) -> str:
    return next(str(f.type) for f in fields(Settings) if f.name == name)


def check(name: str, value, label: str | None = None) -> None:
    """Raise SettingsError unless `value` is allowed for setting `name`;
    `label` is how the user wrote it (`--chunk-overlap`, `RAG_K`)."""
    label = label or name
    if name in CHOICES and value not in CHOICES[name]:
        raise SettingsError(f"{label} must be one of {', '.join(CHOICES[name])}, not {value!r}")
    if name not in RANGES:
        return
    low, high, what = RANGES[name]
    whole = "int" in _kind(name)
    if isinstance(value, bool) or not isinstance(value, int if whole else (int, float)):
        raise SettingsError(f"{label} must be a {'whole ' if whole else ''}number, not {value!r}")
    if not (math.isfinite(value) and low <= value <= high):
        raise SettingsError(f"{label} must be from {low:,} to {high:,} ({what}), not {value!r}")


def _coerce(name: str, value: str, label: str):
    """A setting's text (from the environment or a flag) as its Python type."""
    kind = _kind(name)
    if "Path" in kind:
        return Path(value).expanduser()
    if "bool" in kind:
        if value.strip().lower() in _TRUE + _FALSE:
            return value.strip().lower() in _TRUE
        raise SettingsError(f"{label} must be one of {', '.join(_TRUE + _FALSE)}, not {value!r}")
    try:
        if "int" in kind:
            return int(value)
        if "float" in kind:
            return float(value)
    except ValueError:
        low, high, what = RANGES.get(name, ("", "", ""))
        span = f" from {low:,} to {high:,} ({what})" if what else ""
        raise SettingsError(f"{label} must be a {'whole ' if 'int' in kind else ''}number{span}, "
                            f"not {value!r}") from None
    return value


def from_env(env: dict[str, str] | None = None, **overrides) -> Settings:
    """Defaults, then `RAG_*` variables, then explicit overrides (CLI flags).

    Overrides whose value is None are ignored, so argparse results can be
    passed straight through. A bad value raises SettingsError naming the
    variable or flag it came from.
    """
    env = os.environ if env is None else env
    values = {}
    for name, var in _ENV.items():
        if env.get(var):
            values[name] = _coerce(name, env[var], var)
            check(name, values[name], var)
    for name, value in overrides.items():
        if value is not None:
            flag = _FLAGS.get(name, "--" + name.replace("_", "-"))
            values[name] = _coerce(name, value, flag) if isinstance(value, str) else value
            check(name, values[name], flag)
    return replace(Settings(), **values)
