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
index usable, and a reader never sees half a build. A build that fails to
write (read-only folder, full disk) removes what it wrote and says so in one
line. A CURRENT that holds anything but a build name is treated like a
missing one: the next build replaces it, reusing the vectors of the newest
complete build.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import re
import shutil
import time
import uuid
import weakref
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import faiss
import numpy as np

from .cache import sha256_of
from .chunk import ChunkerSettings, chunk_corpus
from .dense import EXACT_MAX, apply_spec, build_dense
from .embed import Embedder
from .errors import IndexCorrupt, IndexMismatch, IndexMissing, IndexWriteError
from .ingest import Skipped, corpus_fingerprint, load_corpus
from .lexical import BM25
from .records import Article, Chunk, Span, chunk_id

# 3: a file whose first line is a one- or two-word name its first sentence repeats
# ("Laika") has that title; indexes built before store the first sentence as title.
# 4: ... also with middle names between ("Abel Tasman": "Abel Janszoon Tasman was").
FORMAT_VERSION = 4


def per_index(build):
    """`build(index)`, computed once per index and forgotten with it: the
    corpus tables, the sentence owners, the article names are read on every
    question but change only with the index."""
    cache: dict[int, object] = {}

    def get(index):
        key = id(index)
        if key not in cache:
            cache[key] = build(index)
            weakref.finalize(index, cache.pop, key, None)
        return cache[key]

    return get


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
    embedded: int  # texts (chunks and sentences) whose vectors were computed
    seconds: float
    skipped: tuple[Skipped, ...]
    sentences: int = 0  # distinct sentences, embedded alongside the chunks
    reused: int = 0  # texts whose vectors came from the previous build
    warnings: tuple[str, ...] = ()  # e.g. metadata overrides that were ignored

    @property
    def texts(self) -> int:
        """Everything that has a vector: embedded + reused."""
        return self.chunks + self.sentences


# --- small helpers ------------------------------------------------------------


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


BUILD_NAME = re.compile(r"[0-9A-Za-z][0-9A-Za-z_.-]{0,99}")  # what build_index names a build


def current_build(index_dir: Path) -> Path | None:
    """The live build CURRENT points at; None when there is no CURRENT.
    IndexCorrupt when CURRENT holds anything but a build name (random bytes,
    a path): that pointer is never followed."""
    pointer = Path(index_dir) / "CURRENT"
    try:
        with open(pointer, "rb") as f:
            raw = f.read(256)
    except FileNotFoundError:
        return None
    except OSError as e:
        raise IndexCorrupt(f"index pointer {pointer} cannot be read ({e.strerror or e})") from e
    name = raw.decode("ascii", errors="replace").strip()
    if not BUILD_NAME.fullmatch(name):
        raise IndexCorrupt(f"index pointer {pointer} is unreadable (it does not hold a build name)")
    return Path(index_dir) / "builds" / name


def is_complete(build: Path) -> bool:
    """A finished build: its manifest is there and has the right shape."""
    try:
        check_manifest(json.loads((build / "manifest.json").read_text(encoding="utf-8")), build)
        return True
    except (OSError, ValueError, IndexCorrupt):
        return False


def newest_complete_build(index_dir: Path) -> Path | None:
    """The most recent finished build (names start with their UTC time),
    whatever CURRENT says: what a damaged pointer is rebuilt from."""
    builds = Path(index_dir) / "builds"
    done = [b for b in builds.glob("*") if BUILD_NAME.fullmatch(b.name) and is_complete(b)]
    return max(done, key=lambda b: b.name, default=None)


def write_error(index_dir: Path, e: OSError) -> IndexWriteError:
    """One line for an OSError met while writing an index. numpy reports a
    short write without an errno ("5148 requested and 3040 written"): with
    almost no free space left, that is a full disk."""
    why = e.strerror or str(e)
    if e.errno is None and _free_bytes(index_dir) < 16 * 2**20:
        e = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        why = e.strerror
    if e.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        advice = "make it writable or build elsewhere with --index DIR; nothing in it was changed"
    elif e.errno in (errno.ENOSPC, errno.EDQUOT):
        advice = ("free some space and run `rag index` again; the previous index is unchanged and this build's "
                  "partial files were removed")
    else:
        advice = "the previous index is unchanged and this build's partial files were removed"
    return IndexWriteError(f"cannot write the index in {index_dir} ({why}): {advice}")


def _free_bytes(folder: Path) -> int:
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return 0


_STRERROR = {os.strerror(n): n for n in errno.errorcode}


def _write_faiss(dense: faiss.Index, path: Path) -> None:
    """faiss.write_index, whose failed writes (a full disk) are RuntimeErrors
    ending "(No space left on device)": raised as the OSError they are."""
    try:
        faiss.write_index(dense, str(path))
    except RuntimeError as e:
        m = re.search(r"\(([^()]+)\)\s*$", str(e))
        code = _STRERROR.get(m.group(1)) if m else None
        raise OSError(code, m.group(1) if code else f"FAISS could not write {path.name}", str(path)) from e


@contextmanager
def build_lock(index_dir: Path):
    """Serialise builds into one index folder (a second build waits)."""
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        f = open(index_dir / ".lock", "w")
    except OSError as e:
        raise write_error(index_dir, e) from e
    with f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def expected_manifest(corpus: Path, embedder: Embedder, chunker: ChunkerSettings,
                      follow_symlinks: bool = False) -> dict:
    """The parts of a manifest that must match for an index to be served."""
    return {
        "format_version": FORMAT_VERSION,
        "embedder": {"id": embedder.id, "dim": embedder.dim},
        "chunker": chunker.as_dict(),
        "corpus_files": corpus_fingerprint(corpus, follow_symlinks),
    }


def check_manifest(manifest, where: Path) -> dict:
    """`manifest` if it has the shape build_index writes, else IndexCorrupt
    saying what is wrong (a manifest of another format is left to
    `staleness`, which names the format)."""
    def bad(what: str) -> IndexCorrupt:
        return IndexCorrupt(f"index manifest {where} is not valid ({what}); rebuild with `rag index`")

    if not isinstance(manifest, dict):
        raise bad(f"expected a JSON object, got {type(manifest).__name__}")
    if manifest.get("format_version") != FORMAT_VERSION:
        return manifest
    for key in ("embedder", "chunker", "corpus_files", "files"):
        if not isinstance(manifest.get(key), dict):
            raise bad(f"{key!r} missing or not an object")
    if not isinstance(manifest.get("faiss", {}), dict):
        raise bad("'faiss' is not an object")
    files = manifest["files"].values()
    if not all(isinstance(m, dict) and isinstance(m.get("bytes"), int) and isinstance(m.get("sha256"), str)
               for m in files):
        raise bad("'files' entries need bytes and sha256")
    if not all(isinstance(h, str) for h in manifest["corpus_files"].values()):
        raise bad("'corpus_files' values must be sha256 strings")
    return manifest


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


def _previous_vectors(build: Path | None, embedder: Embedder) -> dict[str, np.ndarray]:
    """chunk id -> vector from an earlier build, when it used the same embedder.
    Content-addressed ids make this safe: same id, same text, same vector."""
    if build is None:
        return {}
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
    except (OSError, TypeError, ValueError, KeyError, AttributeError, IndexError):
        return {}


def _reuse_from(index_dir: Path, log: Callable[[str], None]) -> Path | None:
    """The build whose vectors a new build may reuse: the live one, or when
    CURRENT is unreadable (said in one line) or names no complete build, the
    newest complete build."""
    try:
        live = current_build(index_dir)
    except IndexCorrupt:
        newest = newest_complete_build(index_dir)
        log(f"{Path(index_dir) / 'CURRENT'} is unreadable; the new build replaces it"
            + (f", reusing the vectors of build {newest.name}, the newest complete one" if newest else ""))
        return newest
    if live is not None and not is_complete(live):
        return newest_complete_build(index_dir)
    return live


def _live_build_name(index_dir: Path) -> str:
    try:
        build = current_build(index_dir)
    except IndexCorrupt:
        return ""
    return build.name if build else ""


@contextmanager
def _undone_on_failure(index_dir: Path):
    """A build lists here each path it creates; if it fails, they are removed
    (never the live build) and an OSError met while writing becomes one
    IndexWriteError line. An interrupt is passed on as it is."""
    written: list[Path] = []
    try:
        yield written
    except BaseException as e:
        error = write_error(index_dir, e) if isinstance(e, OSError) and written else None  # before freeing space
        live = _live_build_name(index_dir)
        for path in written:
            if path.name != live:
                shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)
        if error:
            raise error from e
        raise


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
    follow_symlinks: bool = False,
) -> BuildReport:
    """Clean, chunk, embed and index `corpus` into a new build of `index_dir`.

    IndexWriteError (one line) when the folder cannot be written; whatever
    this build wrote is removed first, and the previous build stays live.
    """
    t0 = time.perf_counter()
    index_dir = Path(index_dir)
    with build_lock(index_dir), _undone_on_failure(index_dir) as written:
        builds = index_dir / "builds"
        try:
            builds.mkdir(exist_ok=True)
        except OSError as e:
            raise write_error(index_dir, e) from e
        for stale in builds.glob(".tmp-*"):  # left by a killed build
            shutil.rmtree(stale, ignore_errors=True)

        found = load_corpus(corpus, follow_symlinks)
        found_text = {a.doc: a.text for a in found.articles}
        for s in found.skipped:
            log(f"skipped {s.path}: {s.reason}")
        for w in found.warnings:
            log(f"warning: {w}")
        chunks = chunk_corpus(found.articles, chunker)

        # Chunks and their sentences are embedded together; a vector is
        # reused from the previous build when its content id is unchanged.
        sents = sorted({(c.doc, s.start, s.end) for c in chunks for s in c.sentences})
        units = [(c.id, c.text) for c in chunks] + [
            (chunk_id(d, a, b, found_text[d][a:b]), found_text[d][a:b]) for d, a, b in sents]
        reuse = _previous_vectors(_reuse_from(index_dir, log), embedder)
        todo = [i for i, (uid, _) in enumerate(units) if uid not in reuse]
        all_vectors = np.zeros((len(units), embedder.dim), dtype=np.float32)
        if todo:
            all_vectors[todo] = embedder.embed([units[i][1] for i in todo], progress=progress)
        for i, (uid, _) in enumerate(units):
            if uid in reuse:
                all_vectors[i] = reuse[uid]
        vectors, sentence_vectors = all_vectors[: len(chunks)], all_vectors[len(chunks):]

        tmp = builds / f".tmp-{uuid.uuid4().hex[:8]}"
        written.append(tmp)
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
        _write_faiss(dense, tmp / "dense.faiss")
        BM25.build([c.text for c in chunks]).save(tmp / "bm25")

        manifest = expected_manifest(corpus, embedder, chunker, follow_symlinks) | {
            "corpus": str(Path(corpus).resolve()),
            "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "build_seconds": round(time.perf_counter() - t0, 3),
            "counts": {"documents": len(found.articles), "chunks": len(chunks), "sentences": len(sents),
                       "embedded": len(todo), "reused": len(units) - len(todo)},
            "skipped": [asdict(s) for s in found.skipped],
            "warnings": list(found.warnings),
            "faiss": dense_spec,
            "files": {p.relative_to(tmp).as_posix(): {"bytes": p.stat().st_size, "sha256": sha256_of(p)}
                      for p in sorted(tmp.rglob("*")) if p.is_file()},
        }
        _write_json(tmp / "manifest.json", manifest)
        _fsync_tree(tmp)

        build_id = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S") + "-" + tmp.name[-8:]
        final = builds / build_id
        written.append(final)
        os.rename(tmp, final)
        pointer_tmp = index_dir / f".CURRENT.{uuid.uuid4().hex[:8]}"
        written.append(pointer_tmp)
        pointer_tmp.write_text(build_id + "\n")
        _fsync(pointer_tmp)
        previous = _live_build_name(index_dir)
        os.replace(pointer_tmp, index_dir / "CURRENT")  # the atomic switch
        # Keep the previous build for readers that loaded it a moment ago.
        for old in builds.iterdir():
            if old.name not in (build_id, previous):
                shutil.rmtree(old, ignore_errors=True)

    return BuildReport(final, len(found.articles), len(chunks), len(todo), time.perf_counter() - t0, found.skipped,
                       sentences=len(sents), reused=len(units) - len(todo), warnings=found.warnings)


# --- loading --------------------------------------------------------------------


def read_manifest(index_dir: Path) -> tuple[Path, dict]:
    build = current_build(index_dir)
    if build is None:
        raise IndexMissing(f"no index in {index_dir}; build one with `rag index --index {index_dir}`")
    try:
        manifest = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise IndexCorrupt(f"index {build} has no readable manifest ({e}); rebuild with `rag index`") from e
    return build, check_manifest(manifest, build / "manifest.json")


def verify_files(build: Path, manifest: dict) -> None:
    """Every data file is present and exactly what the manifest recorded."""
    for name, meta in manifest.get("files", {}).items():
        path = build / name
        if not path.exists():
            raise IndexCorrupt(f"index file {path} is missing; rebuild with `rag index`")
        if path.stat().st_size != meta["bytes"] or sha256_of(path) != meta["sha256"]:
            raise IndexCorrupt(f"index file {path} is truncated or altered; rebuild with `rag index`")


def _article(d: dict) -> Article:
    return Article(d["doc"], d["title"], d["outlet"], d["date"], tuple(d["authors"]), d["text"],
                   tuple(Span(s, e) for s, e in d["kept"]), d["sha256"])


def refuse_mismatch(manifest: dict, embedder: Embedder, expected: dict | None = None) -> None:
    """Refuse an index built from other inputs (with `expected`, see
    `expected_manifest`) or, without, by another embedder: IndexMismatch
    says what differs. Shared by every backend."""
    if expected is not None:
        reasons = staleness(manifest, expected)
        if reasons:
            raise IndexMismatch("index is stale: " + "; ".join(reasons))
    elif manifest.get("embedder") != {"id": embedder.id, "dim": embedder.dim}:
        raise IndexMismatch(f"index built with embedder {manifest.get('embedder')}, not {embedder.id}")


def load_index(index_dir: Path, embedder: Embedder, expected: dict | None = None) -> Index:
    """Load the live build. With `expected` (see `expected_manifest`), refuse
    an index built from other inputs: IndexMismatch says what differs."""
    build, manifest = read_manifest(index_dir)
    refuse_mismatch(manifest, embedder, expected)
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
    except (OSError, ValueError, KeyError, RuntimeError, TypeError, AttributeError, IndexError) as e:
        raise IndexCorrupt(f"index {build} cannot be read ({e}); rebuild with `rag index`") from e
    if dense.ntotal != len(chunks) or len(vectors) != len(chunks) or len(sentence_vectors) != len(sentence_rows):
        raise IndexCorrupt(f"index {build}: {len(chunks)} chunks but {dense.ntotal} dense and {len(vectors)} chunk "
                           f"vectors, {len(sentence_rows)} sentences but {len(sentence_vectors)} sentence vectors; "
                           "rebuild")
    return Index(build, manifest, articles, chunks, vectors, dense, bm25, embedder, sentence_rows, sentence_vectors)
