"""The on-disk index: build it, load it, refuse it when it is stale.

Layout of an index folder:

    index/
      CURRENT              name of the live build (replaced atomically)
      .lock                held while a build writes
      builds/<id>/
        manifest.json      format, embedder, chunker, corpus hashes, file hashes
        articles.json      metadata, text and kept spans of every article
        chunks.jsonl       one chunk per line (offsets; text is derived)
        vectors.npy        the chunk embeddings, float32, L2-normalised
        dense.faiss        FAISS index over the vectors
        bm25/              the lexical index

A build writes a fresh `builds/.tmp-*` folder, renames it into place and only
then points CURRENT at it, so a build killed at any moment leaves the previous
index usable, and a reader never sees half a build.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import time
import uuid
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import faiss
import numpy as np

from .chunk import ChunkerSettings, chunk_corpus
from .dense import EXACT_MAX, apply_spec, build_dense
from .embed import Embedder
from .errors import IndexCorrupt, IndexMismatch, IndexMissing
from .ingest import Skipped, corpus_fingerprint, load_corpus
from .lexical import BM25
from .records import Article, Chunk, Span, chunk_id

FORMAT_VERSION = 2


@dataclass
class Index:
    """A loaded index: everything search and answers need, in memory."""

    path: Path
    manifest: dict
    articles: dict[str, Article]
    chunks: list[Chunk]
    vectors: np.ndarray
    dense: faiss.Index
    bm25: BM25
    embedder: Embedder
    # Every sentence of every chunk, embedded once at build time, so answers
    # can score sentences without running the model on them per question.
    sentence_rows: dict[tuple[str, int, int], int]
    sentence_vectors: np.ndarray
    # Set when the index lives in Milvus (rag/milvus_store.py): hybrid search
    # then runs in the server; `dense` and `bm25` are thin adapters over it.
    store: object | None = None


@dataclass(frozen=True)
class BuildReport:
    path: Path
    documents: int
    chunks: int
    embedded: int  # chunks whose vectors were computed (the rest were reused)
    seconds: float
    skipped: tuple[Skipped, ...]


# --- small helpers ------------------------------------------------------------


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _write_json(path: Path, data) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_tree(folder: Path) -> None:
    for p in sorted(folder.rglob("*")) + [folder]:
        _fsync(p)


def current_build(index_dir: Path) -> Path | None:
    pointer = Path(index_dir) / "CURRENT"
    if not pointer.exists():
        return None
    name = pointer.read_text().strip()
    return Path(index_dir) / "builds" / name


@contextmanager
def build_lock(index_dir: Path):
    """Serialise builds into one index folder (a second build waits)."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / ".lock", "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def expected_manifest(corpus: Path, embedder: Embedder, chunker: ChunkerSettings) -> dict:
    """The parts of a manifest that must match for an index to be served."""
    return {
        "format_version": FORMAT_VERSION,
        "embedder": {"id": embedder.id, "dim": embedder.dim},
        "chunker": chunker.as_dict(),
        "corpus_files": corpus_fingerprint(corpus),
    }


def staleness(manifest: dict, expected: dict) -> list[str]:
    """Why an index does not fit the current inputs (empty list: it fits)."""
    reasons = []
    if manifest.get("format_version") != expected["format_version"]:
        reasons.append(f"index format {manifest.get('format_version')} != {expected['format_version']}")
    if manifest.get("embedder") != expected["embedder"]:
        reasons.append(f"built with embedder {manifest.get('embedder')}, now {expected['embedder']}")
    if manifest.get("chunker") != expected["chunker"]:
        reasons.append(f"built with chunker {manifest.get('chunker')}, now {expected['chunker']}")
    old, new = manifest.get("corpus_files", {}), expected["corpus_files"]
    added = sorted(set(new) - set(old))
    removed = sorted(set(old) - set(new))
    changed = sorted(d for d in set(old) & set(new) if old[d] != new[d])
    for label, docs in (("added", added), ("removed", removed), ("changed", changed)):
        if docs:
            more = f" (+{len(docs) - 3} more)" if len(docs) > 3 else ""
            reasons.append(f"corpus files {label}: {', '.join(docs[:3])}{more}")
    return reasons


# --- building -------------------------------------------------------------------


def _previous_vectors(index_dir: Path, embedder: Embedder) -> dict[str, np.ndarray]:
    """chunk id -> vector from the live build, when it used the same embedder.
    Content-addressed ids make this safe: same id, same text, same vector."""
    build = current_build(index_dir)
    try:
        manifest = json.loads((build / "manifest.json").read_text())
        if manifest["embedder"] != {"id": embedder.id, "dim": embedder.dim}:
            return {}
        reuse = {}
        for rows, vecs in (("chunks.jsonl", "vectors.npy"), ("sentences.jsonl", "sentence_vectors.npy")):
            ids = [json.loads(line)["id"] for line in (build / rows).read_text().splitlines()]
            vectors = np.load(build / vecs)
            if len(ids) == len(vectors):
                reuse.update(zip(ids, vectors))
        return reuse
    except (OSError, TypeError, ValueError, KeyError):
        return {}


def _article_record(a: Article) -> dict:
    return {"doc": a.doc, "title": a.title, "outlet": a.outlet, "date": a.date, "authors": list(a.authors),
            "sha256": a.sha256, "kept": [[s.start, s.end] for s in a.kept], "text": a.text}


def build_index(
    corpus: Path,
    index_dir: Path,
    embedder: Embedder,
    chunker: ChunkerSettings = ChunkerSettings(),
    progress: bool = False,
    log: Callable[[str], None] = lambda s: None,
    exact_max: int = EXACT_MAX,
) -> BuildReport:
    """Clean, chunk, embed and index `corpus` into a new build of `index_dir`."""
    t0 = time.perf_counter()
    index_dir = Path(index_dir)
    with build_lock(index_dir):
        builds = index_dir / "builds"
        builds.mkdir(exist_ok=True)
        for stale in builds.glob(".tmp-*"):  # left by a killed build
            shutil.rmtree(stale, ignore_errors=True)

        found = load_corpus(corpus)
        found_text = {a.doc: a.text for a in found.articles}
        for s in found.skipped:
            log(f"skipped {s.path}: {s.reason}")
        chunks = chunk_corpus(found.articles, chunker)

        # Chunks and their sentences are embedded together; a vector is
        # reused from the previous build when its content id is unchanged.
        sents = sorted({(c.doc, s.start, s.end) for c in chunks for s in c.sentences})
        units = [(c.id, c.text) for c in chunks] + [
            (chunk_id(d, a, b, found_text[d][a:b]), found_text[d][a:b]) for d, a, b in sents]
        reuse = _previous_vectors(index_dir, embedder)
        todo = [i for i, (uid, _) in enumerate(units) if uid not in reuse]
        all_vectors = np.zeros((len(units), embedder.dim), dtype=np.float32)
        if todo:
            all_vectors[todo] = embedder.embed([units[i][1] for i in todo], progress=progress)
        for i, (uid, _) in enumerate(units):
            if uid in reuse:
                all_vectors[i] = reuse[uid]
        vectors, sentence_vectors = all_vectors[: len(chunks)], all_vectors[len(chunks):]

        tmp = builds / f".tmp-{uuid.uuid4().hex[:8]}"
        tmp.mkdir()
        _write_json(tmp / "articles.json", [_article_record(a) for a in found.articles])
        with open(tmp / "chunks.jsonl", "w", encoding="utf-8") as f:
            for c in chunks:
                f.write(json.dumps({"id": c.id, "doc": c.doc, "start": c.start, "end": c.end,
                                    "sentences": [[s.start, s.end] for s in c.sentences]}) + "\n")
        np.save(tmp / "vectors.npy", vectors)
        with open(tmp / "sentences.jsonl", "w", encoding="utf-8") as f:
            for (d, a, b), (uid, _) in zip(sents, units[len(chunks):]):
                f.write(json.dumps({"id": uid, "doc": d, "start": a, "end": b}) + "\n")
        np.save(tmp / "sentence_vectors.npy", sentence_vectors)
        dense, dense_spec = build_dense(vectors, exact_max)
        faiss.write_index(dense, str(tmp / "dense.faiss"))
        BM25.build([c.text for c in chunks]).save(tmp / "bm25")

        manifest = expected_manifest(corpus, embedder, chunker) | {
            "corpus": str(Path(corpus).resolve()),
            "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "build_seconds": round(time.perf_counter() - t0, 3),
            "counts": {"documents": len(found.articles), "chunks": len(chunks), "sentences": len(sents),
                       "embedded": len(todo)},
            "skipped": [asdict(s) for s in found.skipped],
            "faiss": dense_spec,
            "files": {p.relative_to(tmp).as_posix(): {"bytes": p.stat().st_size, "sha256": sha256_file(p)}
                      for p in sorted(tmp.rglob("*")) if p.is_file()},
        }
        _write_json(tmp / "manifest.json", manifest)
        _fsync_tree(tmp)

        build_id = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S") + "-" + tmp.name[-8:]
        final = builds / build_id
        os.rename(tmp, final)
        pointer_tmp = index_dir / f".CURRENT.{uuid.uuid4().hex[:8]}"
        pointer_tmp.write_text(build_id + "\n")
        _fsync(pointer_tmp)
        previous = current_build(index_dir)
        os.replace(pointer_tmp, index_dir / "CURRENT")  # the atomic switch
        # Keep the previous build for readers that loaded it a moment ago.
        for old in builds.iterdir():
            if old.name not in (build_id, previous.name if previous else ""):
                shutil.rmtree(old, ignore_errors=True)

    return BuildReport(final, len(found.articles), len(chunks), len(todo),
                       time.perf_counter() - t0, found.skipped)


# --- loading --------------------------------------------------------------------


def read_manifest(index_dir: Path) -> tuple[Path, dict]:
    build = current_build(index_dir)
    if build is None:
        raise IndexMissing(f"no index in {index_dir}; build one with `rag index --index {index_dir}`")
    try:
        return build, json.loads((build / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise IndexCorrupt(f"index {build} has no readable manifest ({e}); rebuild with `rag index`") from e


def verify_files(build: Path, manifest: dict) -> None:
    """Every data file is present and exactly what the manifest recorded."""
    for name, meta in manifest.get("files", {}).items():
        path = build / name
        if not path.exists():
            raise IndexCorrupt(f"index file {path} is missing; rebuild with `rag index`")
        if path.stat().st_size != meta["bytes"] or sha256_file(path) != meta["sha256"]:
            raise IndexCorrupt(f"index file {path} is truncated or altered; rebuild with `rag index`")


def _article(d: dict) -> Article:
    return Article(d["doc"], d["title"], d["outlet"], d["date"], tuple(d["authors"]), d["text"],
                   tuple(Span(s, e) for s, e in d["kept"]), d["sha256"])


def load_index(index_dir: Path, embedder: Embedder, expected: dict | None = None) -> Index:
    """Load the live build. With `expected` (see `expected_manifest`), refuse
    an index built from other inputs: IndexMismatch says what differs."""
    build, manifest = read_manifest(index_dir)
    if expected is not None:
        reasons = staleness(manifest, expected)
        if reasons:
            raise IndexMismatch("index is stale: " + "; ".join(reasons))
    elif manifest.get("embedder") != {"id": embedder.id, "dim": embedder.dim}:
        raise IndexMismatch(f"index built with embedder {manifest.get('embedder')}, not {embedder.id}")
    verify_files(build, manifest)
    try:
        articles = {a.doc: a for a in map(_article, json.loads((build / "articles.json").read_text("utf-8")))}
        chunks = []
        for line in (build / "chunks.jsonl").read_text(encoding="utf-8").splitlines():
            d = json.loads(line)
            text = articles[d["doc"]].text[d["start"] : d["end"]]
            chunks.append(Chunk(d["id"], d["doc"], d["start"], d["end"], text,
                                tuple(Span(s, e) for s, e in d["sentences"])))
        vectors = np.load(build / "vectors.npy")
        dense = apply_spec(faiss.read_index(str(build / "dense.faiss")), manifest.get("faiss", {}))
        bm25 = BM25.load(build / "bm25", len(chunks))
        sentence_rows = {}
        for row, line in enumerate((build / "sentences.jsonl").read_text(encoding="utf-8").splitlines()):
            d = json.loads(line)
            sentence_rows[(d["doc"], d["start"], d["end"])] = row
        sentence_vectors = np.load(build / "sentence_vectors.npy")
    except (OSError, ValueError, KeyError, RuntimeError) as e:
        raise IndexCorrupt(f"index {build} cannot be read ({e}); rebuild with `rag index`") from e
    if dense.ntotal != len(chunks) or len(vectors) != len(chunks) or len(sentence_vectors) != len(sentence_rows):
        raise IndexCorrupt(f"index {build}: {len(chunks)} chunks but {dense.ntotal} dense and {len(vectors)} chunk "
                           f"vectors, {len(sentence_rows)} sentences but {len(sentence_vectors)} sentence vectors; "
                           "rebuild")
    return Index(build, manifest, articles, chunks, vectors, dense, bm25, embedder, sentence_rows, sentence_vectors)
