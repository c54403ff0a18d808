"""Dossier: offline, citation-first question answering over news articles.

    import rag
    index = rag.open_index()                  # builds seeds/ -> index/ if needed
    for hit in rag.search(index, "why no gas deal?", k=3):
        print(hit.rank, hit.chunk.doc, hit.chunk.text[:80])
"""

from .api import open_index, search
from .errors import (BadQuestion, CorpusError, DossierError, IndexCorrupt, IndexMismatch,
                     IndexMissing)
from .index import Index, build_index, load_index
from .records import Answer, Article, Chunk, Citation, Hit
from .settings import Settings, from_env

__all__ = [
    "open_index", "search", "build_index", "load_index", "Index", "Settings", "from_env",
    "Answer", "Article", "Chunk", "Citation", "Hit",
    "DossierError", "BadQuestion", "CorpusError", "IndexCorrupt", "IndexMismatch", "IndexMissing",
]
