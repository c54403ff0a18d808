"""The library's front door: what the CLI, the app and the eval harness call."""

from __future__ import annotations

from typing import Callable

from .chunk import ChunkerSettings
from .embed import get_embedder
from .errors import IndexCorrupt, IndexMismatch, IndexMissing
from .index import Index, build_index, expected_manifest, load_index
from .records import Hit
from .retrieve import search as _search
from .settings import Settings, check, from_env


def chunker_settings(settings: Settings) -> ChunkerSettings:
    return ChunkerSettings(words=settings.chunk_words, overlap=settings.chunk_overlap)


def milvus_uri(settings: Settings) -> str:
    """Where the Milvus backend lives: the setting, else a milvus-lite file in the index folder."""
    return settings.milvus_uri or str(settings.index / "milvus.db")


def build(settings: Settings, *, progress: bool = False, log: Callable[[str], None] = lambda s: None):
    """Build the index for `settings` on its backend (a BuildReport)."""
    embedder = get_embedder(settings.embedder)
    if settings.backend == "milvus":
        from . import milvus_store

        return milvus_store.build(settings.corpus, milvus_uri(settings), embedder, chunker_settings(settings),
                                  name=settings.milvus_name, progress=progress, log=log)
    return build_index(settings.corpus, settings.index, embedder, chunker_settings(settings), progress=progress,
                       log=log, exact_max=settings.exact_max, follow_symlinks=settings.follow_symlinks)


def _load(settings: Settings, embedder, expected: dict) -> Index:
    if settings.backend == "milvus":
        from . import milvus_store

        return milvus_store.load(milvus_uri(settings), embedder, expected, name=settings.milvus_name,
                                 ranker=settings.milvus_ranker)
    return load_index(settings.index, embedder, expected)


def open_index(
    settings: Settings | None = None,
    *,
    rebuild: bool = True,
    progress: bool = False,
    log: Callable[[str], None] = lambda s: None,
) -> Index:
    """The index for `settings`, fresh for its corpus, embedder and chunker.

    A missing, stale or corrupt index is rebuilt when `rebuild` is true (and
    `log` says why); otherwise the error says exactly what to run. A stale
    index is never served silently.
    """
    settings = settings or from_env()
    embedder = get_embedder(settings.embedder)
    chunker = chunker_settings(settings)
    expected = expected_manifest(settings.corpus, embedder, chunker, settings.follow_symlinks)
    try:
        return _load(settings, embedder, expected)
    except (IndexMissing, IndexMismatch, IndexCorrupt) as e:
        if not rebuild:
            where = (f"--backend milvus --milvus-uri {milvus_uri(settings)}" if settings.backend == "milvus"
                     else f"--index {settings.index}")
            raise type(e)(f"{e}. Run: rag index --corpus {settings.corpus} {where}") from e
        log(f"{e}; building the index now")
    build(settings, progress=progress, log=log)
    return _load(settings, embedder, expected)


def search(index: Index, question: str, k: int = 5, settings: Settings | None = None,
           retriever: str | None = None, query_vec=None) -> list[Hit]:
    """Ranked passages for a question (see `retrieve.search` for the method)."""
    s = settings or from_env()
    check("k", k)  # the same range as RAG_K and -k
    return _search(index, question, k=k, retriever=retriever or s.retriever,
                   candidates=s.candidates, dense_weight=s.dense_weight, query_vec=query_vec)
