"""The Milvus backend: the same index, stored in Milvus instead of local files.

`--backend milvus --milvus-uri URI` (or `RAG_BACKEND`, `RAG_MILVUS_URI`) puts
the index in Milvus. A URI ending in `.db` is milvus-lite (embedded, one
process per file: the test double and the laptop setup); `http://host:19530`
is a Milvus server (standalone or a cluster). The client code is the same.

One *generation* (one build) is three collections named `<name>_<stamp>`:

    <gen>_p   passages: row, id, doc, start, end, sentence spans, text,
              terms (BM25 input) -> sparse (Milvus BM25 function), vector
    <gen>_s   every sentence of every passage, with its vector (the answer
              stage scores sentences without running the model)
    <gen>_b   blobs: article records (metadata, text, kept spans) and the
              manifest, as JSON cut into <= 16,000-character parts

The alias `<name>` points at the live generation's `_p` collection. A build
writes a new generation, checks it (row counts, a search), writes the
manifest last, and only then moves the alias (`alter_alias`, atomic in
Milvus). A build killed at any point leaves the alias on the old
generation; the next build reuses the vectors the killed one had already
inserted (content-addressed ids), so finished batches are not embedded again.

Search runs in Milvus: dense (IP on L2-normalised vectors = cosine), BM25 (a
Milvus BM25 function over the `terms` field) and hybrid (`hybrid_search`
with the server's WeightedRanker set up to equal the FAISS backend's fusion,
or its RRFRanker: see `MilvusStore.hybrid`). `terms` holds the passage text
analysed by `lexical.tokenize` (the same Snowball stemmer and stop-words as
the FAISS backend's bm25s), because milvus-lite's analyzer has no stemmer:
analysing in Python keeps one code path and the same terms on milvus-lite,
on a server and on FAISS. Milvus still computes BM25 (IDF, length norm).
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from .chunk import ChunkerSettings, chunk_article
from .embed import Embedder
from .errors import CorpusError, DossierError, IndexCorrupt, IndexMismatch, IndexMissing
from .index import BuildReport, Index, _article, _article_record, expected_manifest, refuse_mismatch
from .ingest import Skipped, corpus_files, iter_articles, no_articles
from .lexical import tokenize
from .records import Article, Chunk, Hit, Span, chunk_id

BATCH_UNITS = 1024  # passages + sentences embedded and inserted per batch (bounds memory)
PART_CHARS = 16_000  # a VARCHAR holds 65,535 bytes: 16,000 characters fit in any UTF-8
TEXT_CHARS = 16_000  # passage text stored for display/BM25; longer passages are clipped
RRF_K = 60
RANKERS = ("convex", "rrf", "weighted")  # see MilvusStore.hybrid
# BM25 parameters of bm25s (the FAISS backend's BM25), so both rank alike.
BM25_PARAMS = {"bm25_k1": 1.5, "bm25_b": 0.75}
CONNECT_TIMEOUT = 10.0



def _quiet_pymilvus() -> None:
    # pymilvus logs every failed RPC with a traceback at ERROR; the errors are
    # turned into one-line messages here, so that log is noise.
    try:
        import milvus_lite.server_manager  # noqa: F401  (its logger, too)
    except ImportError:
        pass
    for name in list(logging.root.manager.loggerDict):
        if name.startswith(("pymilvus", "milvus_lite")):
            logging.getLogger(name).setLevel(logging.CRITICAL)


class MilvusUnavailable(DossierError):
    """The Milvus server cannot be reached, or a milvus-lite file is in use."""


# --- connecting -------------------------------------------------------------------


def is_lite(uri: str) -> bool:
    return str(uri).endswith(".db")


def connect(uri: str):
    """A MilvusClient for `uri`, or MilvusUnavailable in one line."""
    from pymilvus import MilvusClient
    from pymilvus.exceptions import MilvusException

    _quiet_pymilvus()
    uri = str(uri)
    if is_lite(uri):
        Path(uri).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)
        uri = str(Path(uri).expanduser().resolve())
    try:
        client = MilvusClient(uri=uri, timeout=CONNECT_TIMEOUT)
        client.list_collections()
        return client
    except (MilvusException, OSError, RuntimeError) as e:
        raise MilvusUnavailable(_why_unavailable(uri, e)) from e


def release(uri: str) -> None:
    """Close this process's milvus-lite server for `uri`, freeing the file for
    other processes (a server URI needs nothing)."""
    if is_lite(uri):
        from milvus_lite.server_manager import server_manager_instance

        server_manager_instance.release_server(str(Path(uri).expanduser().resolve()))


def _lite_file_busy(path: str) -> bool:
    """True when another process holds milvus-lite's lock on `path`."""
    import fcntl

    lock = Path(path) / "LOCK"
    if not lock.exists():
        return False
    with open(lock, "a") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return True
        fcntl.flock(f, fcntl.LOCK_UN)
    return False


def _why_unavailable(uri: str, e: Exception) -> str:
    msg = str(getattr(e, "message", "") or e).splitlines()[0][:200]
    if is_lite(uri):
        if "lock" in msg.lower() or _lite_file_busy(uri):
            return (f"milvus-lite file {uri} is open in another process (milvus-lite allows one process per file); "
                    "stop that process, or serve the file with `milvus-lite server` and use its http:// URI")
        return f"cannot open milvus-lite file {uri}: {msg}"
    return f"cannot reach Milvus at {uri} ({msg}); is the server running?"


def _call(what: str, fn, *args, **kwargs):
    """Run one client call; a Milvus failure becomes a one-line DossierError."""
    from pymilvus.exceptions import MilvusException

    try:
        return fn(*args, **kwargs)
    except MilvusException as e:
        msg = str(getattr(e, "message", "") or e).splitlines()[0][:300]
        raise MilvusUnavailable(f"Milvus {what} failed: {msg}") from e


# --- naming and schema ------------------------------------------------------------------


def _generation(collection: str) -> str:
    return collection.rsplit("_", 1)[0]


def live_generation(client, name: str) -> str | None:
    """The generation the alias `name` points at, or None."""
    if name not in _call("list aliases", client.list_aliases).get("aliases", []):
        return None
    return _generation(_call("describe alias", client.describe_alias, name)["collection_name"])


def generations(client, name: str) -> list[str]:
    """Every generation of `name` in the database, oldest first."""
    gens = {_generation(c) for c in client.list_collections()
            if c.startswith(name + "_g") and c.endswith(("_p", "_s", "_b"))}
    return sorted(gens)


def _new_generation(name: str) -> str:
    return f"{name}_g{datetime.now(timezone.utc).strftime('%Y%m%d%H%M%S')}{uuid.uuid4().hex[:6]}"


def _span_schema():
    """The fields passages and sentences share: a row number, a content id and
    where the text stands in its document."""
    from pymilvus import DataType, MilvusClient

    s = MilvusClient.create_schema(auto_id=False)
    s.add_field("row", DataType.INT64, is_primary=True)
    s.add_field("id", DataType.VARCHAR, max_length=32)
    s.add_field("doc", DataType.VARCHAR, max_length=4096)
    s.add_field("start", DataType.INT64)
    s.add_field("end", DataType.INT64)
    return s


def _create_collections(client, gen: str, dim: int) -> None:
    from pymilvus import DataType, Function, FunctionType, MilvusClient

    s = _span_schema()
    s.add_field("sentences", DataType.JSON)
    s.add_field("text", DataType.VARCHAR, max_length=65535)
    s.add_field("terms", DataType.VARCHAR, max_length=65535, enable_analyzer=True,
                analyzer_params={"tokenizer": "standard"})
    s.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
    s.add_field("vector", DataType.FLOAT_VECTOR, dim=dim + 1)  # + the OFFSET coordinate (see hybrid)
    s.add_function(Function(name="bm25", function_type=FunctionType.BM25,
                            input_field_names=["terms"], output_field_names=["sparse"]))
    ip = client.prepare_index_params()
    ip.add_index(field_name="sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25", params=BM25_PARAMS)
    # AUTOINDEX: the server picks (HNSW on a cluster); milvus-lite maps it to a FAISS index per segment.
    ip.add_index(field_name="vector", index_type="AUTOINDEX", metric_type="IP")
    ip.add_index(field_name="id", index_type="INVERTED")
    _create(client, gen + "_p", s, ip)

    s = _span_schema()
    s.add_field("vector", DataType.FLOAT_VECTOR, dim=dim)
    ip = client.prepare_index_params()
    ip.add_index(field_name="vector", index_type="AUTOINDEX", metric_type="IP")
    ip.add_index(field_name="id", index_type="INVERTED")
    _create(client, gen + "_s", s, ip)

    # Milvus wants a vector field in every collection; blobs get a 2-d zero one.
    s = MilvusClient.create_schema(auto_id=False)
    s.add_field("key", DataType.VARCHAR, max_length=8192, is_primary=True)
    s.add_field("kind", DataType.VARCHAR, max_length=16)
    s.add_field("part", DataType.INT64)
    s.add_field("data", DataType.VARCHAR, max_length=65535)
    s.add_field("vector", DataType.FLOAT_VECTOR, dim=2)
    ip = client.prepare_index_params()
    ip.add_index(field_name="vector", index_type="AUTOINDEX", metric_type="L2")
    _create(client, gen + "_b", s, ip)


def _create(client, collection: str, schema, index_params) -> None:
    _call("create collection", client.create_collection, collection, schema=schema)
    # sync=False: pymilvus would poll every 0.5 s until an index on an empty
    # collection is "built"; loading the collection waits for it anyway.
    _call("create index", client.create_index, collection, index_params, sync=False)


def _drop_generation(client, gen: str) -> None:
    for suffix in ("_p", "_s", "_b"):
        try:
            client.drop_collection(gen + suffix)
        except Exception:
            pass


def _blob_rows(kind: str, key: str, data: str) -> list[dict]:
    parts = [data[i : i + PART_CHARS] for i in range(0, len(data), PART_CHARS)] or [""]
    return [{"key": f"{kind}\x00{key}\x00{n:06d}", "kind": kind, "part": n, "data": p, "vector": [0.0, 0.0]}
            for n, p in enumerate(parts)]


def analyse(text: str) -> str:
    """The BM25 terms of a text: stemmed, stop-words removed (lexical.tokenize)."""
    return " ".join(tokenize([text])[0])


def _rows(client, collection: str, fields: list[str], filter: str = "") -> Iterator[dict]:
    it = _call("query", client.query_iterator, collection, batch_size=2000, filter=filter, output_fields=fields)
    try:
        while True:
            batch = _call("query", it.next)
            if not batch:
                return
            yield from batch
    finally:
        it.close()


def _count(client, collection: str) -> int:
    res = _call("count", client.query, collection, filter="", output_fields=["count(*)"])
    return int(res[0]["count(*)"])


# --- building -----------------------------------------------------------------------


def _stream_articles(corpus: Path, skipped: list[Skipped], warnings: list[str]) -> Iterator[Article]:
    """ingest.load_corpus, one article at a time (a corpus larger than RAM)."""
    return iter_articles(Path(corpus), skipped, warnings)


class _Reuse:
    """Vectors already in Milvus, looked up by content id one batch at a time:
    from the live generation (unchanged documents) and from a build that was
    killed (its finished batches)."""

    def __init__(self, client, gens: list[str], embedder: Embedder):
        self.client, self.dim = client, embedder.dim
        self.gens = []
        for g in gens:
            try:
                m = _read_manifest(client, g, partial=True)
                dim = _vector_dim(client, g + "_p")
            except DossierError:
                continue
            if dim != embedder.dim + 1 or (m and m.get("embedder") != {"id": embedder.id, "dim": embedder.dim}):
                continue
            if not m and _embedder_of(client, g) != embedder.id:
                continue
            try:
                for suffix in ("_p", "_s"):
                    client.load_collection(g + suffix)
            except Exception:
                continue
            self.gens.append(g)

    def lookup(self, suffix: str, ids: list[str]) -> dict[str, list[float]]:
        found: dict[str, list[float]] = {}
        for g in self.gens:
            want = [i for i in ids if i not in found]
            if not want:
                break
            res = _call("query", self.client.query, g + suffix, filter=f"id in {json.dumps(want)}",
                        output_fields=["id", "vector"])
            found.update({r["id"]: r["vector"][: self.dim] for r in res})
        return found


def _vector_dim(client, collection: str) -> int:
    desc = _call("describe", client.describe_collection, collection)
    for f in desc["fields"]:
        if f["name"] == "vector":
            return int(f["params"]["dim"])
    raise IndexCorrupt(f"Milvus collection {collection} has no vector field; rebuild with `rag index`")


def _embedder_of(client, gen: str) -> str | None:
    try:
        return client.describe_collection(gen + "_p").get("properties", {}).get("dossier.embedder")
    except Exception:
        return None


@dataclass
class _Batch:
    chunks: list[Chunk]
    sentences: list[tuple[str, str, int, int, str]]  # (id, doc, start, end, text)
    articles: list[Article]


def build(
    corpus: Path,
    uri: str,
    embedder: Embedder,
    chunker: ChunkerSettings = ChunkerSettings(),
    name: str = "dossier",
    progress: bool = False,
    log: Callable[[str], None] = lambda s: None,
    batch_units: int = BATCH_UNITS,
) -> BuildReport:
    """Stream `corpus` into a new Milvus generation; move the alias when it is checked."""
    from tqdm import tqdm

    t0 = time.perf_counter()
    if not Path(corpus).is_dir():
        raise CorpusError(f"corpus folder {corpus} does not exist")
    client = connect(uri)
    live = live_generation(client, name)
    # Vectors are reused from the live generation and from the newest other
    # one: the previous generation, or a build that was killed (resumed from).
    # Older leftovers are dropped. One build at a time per name.
    others = [g for g in generations(client, name) if g != live]
    for g in others[:-1]:
        _drop_generation(client, g)
    reuse = _Reuse(client, [g for g in (live, *others[-1:]) if g], embedder)

    gen = _new_generation(name)
    _create_collections(client, gen, embedder.dim)
    _call("set properties", client.alter_collection_properties, gen + "_p",
          properties={"dossier.embedder": embedder.id})
    expected = expected_manifest(corpus, embedder, chunker)  # fingerprint before reading: a file changed
    skipped: list[Skipped] = []                               # meanwhile makes the index stale, not wrong
    warnings: list[str] = []
    counts = {"documents": 0, "chunks": 0, "sentences": 0, "embedded": 0}
    total_files = len(corpus_files(Path(corpus)))
    bar = tqdm(total=total_files, unit="doc", desc="indexing", disable=not progress, mininterval=0.5)

    def flush_batch(b: _Batch) -> None:
        units = [(c.id, c.text) for c in b.chunks] + [(sid, text) for sid, _, _, _, text in b.sentences]
        known = reuse.lookup("_p", [c.id for c in b.chunks]) if reuse.gens else {}
        if reuse.gens:
            known |= reuse.lookup("_s", [s[0] for s in b.sentences])
        todo = [i for i, (uid, _) in enumerate(units) if uid not in known]
        vecs = np.zeros((len(units), embedder.dim), dtype=np.float32)
        if todo:
            vecs[todo] = embedder.embed([units[i][1] for i in todo])
        for i, (uid, _) in enumerate(units):
            if uid in known:
                vecs[i] = known[uid]
        n = len(b.chunks)
        if n:
            _call("insert", client.insert, gen + "_p", [
                {"row": counts["chunks"] + i, "id": c.id, "doc": c.doc, "start": c.start, "end": c.end,
                 "sentences": [[s.start, s.end] for s in c.sentences], "text": c.text[:TEXT_CHARS],
                 "terms": analyse(c.text[:TEXT_CHARS]), "vector": vecs[i].tolist() + [1.0]}
                for i, c in enumerate(b.chunks)])
        if b.sentences:
            _call("insert", client.insert, gen + "_s", [
                {"row": counts["sentences"] + j, "id": sid, "doc": d, "start": a, "end": e,
                 "vector": vecs[n + j].tolist()} for j, (sid, d, a, e, _) in enumerate(b.sentences)])
        rows = [r for a in b.articles for r in _blob_rows("article", a.doc, json.dumps(_article_record(a)))]
        if rows:
            _call("insert", client.insert, gen + "_b", rows)
        counts["chunks"] += n
        counts["sentences"] += len(b.sentences)
        counts["documents"] += len(b.articles)
        counts["embedded"] += len(todo)

    batch = _Batch([], [], [])
    for article in _stream_articles(corpus, skipped, warnings):
        chunks = chunk_article(article, chunker)
        sents = sorted({(s.start, s.end) for c in chunks for s in c.sentences})
        batch.chunks += chunks
        batch.sentences += [(chunk_id(article.doc, a, e, article.text[a:e]), article.doc, a, e, article.text[a:e])
                            for a, e in sents]
        batch.articles.append(article)
        bar.update(1)
        if len(batch.chunks) + len(batch.sentences) >= batch_units:
            flush_batch(batch)
            batch = _Batch([], [], [])
            bar.set_postfix(chunks=counts["chunks"], embedded=counts["embedded"], refresh=False)
    flush_batch(batch)
    bar.update(total_files - bar.n)
    bar.close()
    for s in skipped:
        log(f"skipped {s.path}: {s.reason}")
    for w in warnings:
        log(f"warning: {w}")
    if not counts["documents"]:
        _drop_generation(client, gen)
        raise no_articles(corpus, skipped)

    # Check before switching: every row arrived, and the collections answer.
    for suffix in ("_p", "_s", "_b"):
        _call("flush", client.flush, gen + suffix)
        _call("load", client.load_collection, gen + suffix)
    got = {"chunks": _count(client, gen + "_p"), "sentences": _count(client, gen + "_s")}
    if got != {k: counts[k] for k in got}:
        _drop_generation(client, gen)
        raise IndexCorrupt(f"Milvus build {gen}: wrote {counts} but reads back {got}; nothing was switched")
    probe = _call("search", client.search, gen + "_p", data=[[0.0] * embedder.dim + [1.0]], anns_field="vector",
                  limit=1, output_fields=["row"], search_params={"metric_type": "IP"})
    if counts["chunks"] and not probe[0]:
        _drop_generation(client, gen)
        raise IndexCorrupt(f"Milvus build {gen}: a search of the new collection returned nothing; nothing switched")

    manifest = expected | {
        "backend": "milvus",
        "generation": gen,
        "corpus": str(Path(corpus).resolve()),
        "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "build_seconds": round(time.perf_counter() - t0, 3),
        "counts": counts,
        "skipped": [asdict(s) for s in skipped],
        "warnings": warnings,
        "milvus": {"bm25": BM25_PARAMS, "analyzer": "lexical.tokenize (PyStemmer english + stop-words)",
                   "dense": "AUTOINDEX, IP"},
    }
    _call("insert", client.insert, gen + "_b", _blob_rows("manifest", "", json.dumps(manifest)))
    _call("flush", client.flush, gen + "_b")
    _switch_alias(client, name, gen)  # the atomic switch
    # Keep the previous generation for readers that loaded it a moment ago.
    for g in generations(client, name):
        if g not in (gen, live):
            _drop_generation(client, g)
    # (a string, not a Path: "http://" must survive)
    texts = counts["chunks"] + counts["sentences"]
    return BuildReport(f"{uri}#{gen}", counts["documents"], counts["chunks"], counts["embedded"],
                       time.perf_counter() - t0, tuple(skipped), sentences=counts["sentences"],
                       reused=texts - counts["embedded"], warnings=tuple(warnings))


def _switch_alias(client, name: str, gen: str) -> None:
    if live_generation(client, name) is None:
        _call("create alias", client.create_alias, gen + "_p", name)
    else:
        _call("switch alias", client.alter_alias, gen + "_p", name)


# --- loading --------------------------------------------------------------------------


def _read_manifest(client, gen: str, partial: bool = False) -> dict | None:
    """The manifest of a generation; None (partial=True) or IndexCorrupt when absent:
    a generation without one is a build that never finished."""
    try:
        client.load_collection(gen + "_b")
        rows = client.query(gen + "_b", filter='kind == "manifest"', output_fields=["part", "data"])
    except Exception as e:
        if partial:
            return None
        raise IndexCorrupt(f"Milvus generation {gen} cannot be read ({str(e).splitlines()[0][:200]}); "
                           "rebuild with `rag index --backend milvus`") from e
    if not rows:
        if partial:
            return None
        raise IndexCorrupt(f"Milvus generation {gen} has no manifest; rebuild with `rag index --backend milvus`")
    return json.loads("".join(r["data"] for r in sorted(rows, key=lambda r: r["part"])))


def read_manifest(uri: str, name: str = "dossier", client=None) -> tuple[str, dict]:
    """(live generation, its manifest), or IndexMissing saying what to run."""
    client = client or connect(uri)
    gen = live_generation(client, name)
    if gen is None:
        raise IndexMissing(f"no Milvus index '{name}' at {uri}; build one with "
                           f"`rag index --backend milvus --milvus-uri {uri}`")
    return gen, _read_manifest(client, gen)


def load(uri: str, embedder: Embedder, expected: dict | None = None, name: str = "dossier",
         ranker: str = "convex") -> Index:
    """The live generation as an `Index` whose searches run in Milvus."""
    if ranker not in RANKERS:
        raise DossierError(f"milvus ranker must be one of {RANKERS}, not {ranker!r}")
    client = connect(uri)
    gen, manifest = read_manifest(uri, name, client)
    refuse_mismatch(manifest, embedder, expected)
    if _vector_dim(client, gen + "_p") != embedder.dim + 1:
        raise IndexMismatch(f"Milvus collection {gen}_p holds {_vector_dim(client, gen + '_p') - 1}-d vectors, "
                            f"the embedder {embedder.id} makes {embedder.dim}-d ones")
    for suffix in ("_p", "_s", "_b"):
        _call("load", client.load_collection, gen + suffix)

    try:
        parts: dict[str, list[tuple[int, str]]] = {}
        for r in _rows(client, gen + "_b", ["key", "part", "data"], filter='kind == "article"'):
            parts.setdefault(r["key"].split("\x00")[1], []).append((r["part"], r["data"]))
        articles = {doc: _article(json.loads("".join(d for _, d in sorted(p)))) for doc, p in parts.items()}
        by_row = {}
        for r in _rows(client, gen + "_p", ["row", "id", "doc", "start", "end", "sentences"]):
            text = articles[r["doc"]].text[r["start"] : r["end"]]
            by_row[r["row"]] = Chunk(r["id"], r["doc"], r["start"], r["end"], text,
                                     tuple(Span(a, b) for a, b in r["sentences"]))
        chunks = [by_row[i] for i in range(len(by_row))]
        sentence_rows, vecs = {}, []
        for r in _rows(client, gen + "_s", ["doc", "start", "end", "vector"]):
            sentence_rows[(r["doc"], r["start"], r["end"])] = len(vecs)
            vecs.append(r["vector"])
    except (KeyError, ValueError, TypeError) as e:
        raise IndexCorrupt(f"Milvus generation {gen} cannot be read ({e!r}); rebuild with "
                           f"`rag index --backend milvus --milvus-uri {uri}`") from e
    counts = manifest.get("counts", {})
    if (len(chunks), len(sentence_rows), len(articles)) != (counts.get("chunks"), counts.get("sentences"),
                                                            counts.get("documents")):
        raise IndexCorrupt(f"Milvus generation {gen}: {len(chunks)} passages, {len(sentence_rows)} sentences, "
                           f"{len(articles)} articles, but the manifest says {counts}; rebuild")
    store = MilvusStore(client, gen + "_p", chunks, ranker)
    sentence_vectors = np.asarray(vecs, dtype=np.float32).reshape(len(vecs), embedder.dim)
    return Index(f"{uri}#{gen}", manifest, articles, chunks, np.zeros((0, embedder.dim), np.float32),
                 store.dense, store.bm25, embedder, sentence_rows, sentence_vectors, store=store)


# --- searching ---------------------------------------------------------------------------


def _bm25_score(distance: float) -> float:
    # milvus-lite reports BM25 as a negated distance (smaller = better), a
    # server as a positive score; a BM25 score is never negative, so abs()
    # reads both. (The only milvus-lite/server difference in this file.)
    return abs(float(distance))


class _Dense:
    """What retrieve.dense_search needs of a FAISS index: ntotal and search()."""

    def __init__(self, store: "MilvusStore"):
        self.store, self.ntotal = store, len(store.chunks)

    def search(self, q: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        res = self.store.call("search", self.store.client.search, self.store.collection,
                              data=[q[0].tolist() + [0.0]], anns_field="vector", limit=k, output_fields=["row"],
                              search_params={"metric_type": "IP"})[0]
        ids = np.array([h["entity"]["row"] for h in res], dtype=np.int64)
        return np.array([[h["distance"] for h in res]], dtype=np.float32), ids[None, :]


class _BM25:
    """What retrieve.search needs of lexical.BM25: search(query, k)."""

    def __init__(self, store: "MilvusStore"):
        self.store = store

    def search(self, query: str, k: int) -> tuple[np.ndarray, np.ndarray]:
        terms = analyse(query)
        if not terms or not self.store.chunks:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        res = self.store.call("search", self.store.client.search, self.store.collection, data=[terms],
                              anns_field="sparse", limit=k, output_fields=["row"],
                              search_params={"metric_type": "BM25"})[0]
        scores = np.array([_bm25_score(h["distance"]) for h in res], dtype=np.float32)
        ids = np.array([h["entity"]["row"] for h in res], dtype=np.int64)
        keep = scores > 0
        return ids[keep], scores[keep]


class MilvusStore:
    """The live collection of a loaded index; hybrid search runs in Milvus."""

    def __init__(self, client, collection: str, chunks: list[Chunk], ranker: str = "convex"):
        self.client, self.collection, self.chunks, self.ranker = client, collection, chunks, ranker
        self.dense, self.bm25 = _Dense(self), _BM25(self)

    def call(self, what: str, fn, *args, **kwargs):
        """A search; when this process's generation is gone, say so plainly."""
        try:
            return _call(what, fn, *args, **kwargs)
        except MilvusUnavailable as e:
            gone = "not" in str(e).lower() and ("exist" in str(e).lower() or "found" in str(e).lower())
            if not gone:
                raise
            raise MilvusUnavailable(f"the index generation this process loaded ({_generation(self.collection)}) "
                                    "was dropped by newer builds; restart to load the live one") from e

    def hybrid(self, query: str, query_vec: np.ndarray, k: int, candidates: int, dense_weight: float) -> list[Hit]:
        """BM25 and dense candidates, fused by the server's ranker (`milvus_ranker`):

        - "convex" (default): the FAISS backend's fusion (retrieve.convex),
          w*(d-floor)/(max(d)-floor) + (1-w)*b/max(b), a chunk the dense side
          did not propose counting the dense floor (the lowest dense
          candidate's score). The server's WeightedRanker sums raw scores, so
          the weights are divided by each side's spread for this query, and the floor is
          subtracted from every dense score through the OFFSET coordinate
          (1.0 in every stored passage vector, -floor in the query): then a
          chunk the dense side missed scores 0 on it, like everything below
          the floor, and the ranking equals retrieve.convex's over passage vectors
          (FAISS's `sentences=False`; FAISS also matches single sentences, and takes
          each proposed chunk as 1 when every dense score ties). Two probe
          searches (dense top-`candidates`, BM25 top-1) give max and floor.
        - "rrf": RRFRanker(60): ranks only, no weights (measured worse here,
          as with FAISS: bench/backends.py parity).
        - "weighted": WeightedRanker(w, 1-w) on Milvus's arctan-normalised scores.
        """
        from pymilvus import AnnSearchRequest, RRFRanker, WeightedRanker

        if not self.chunks:
            return []
        terms = analyse(query)
        weights, offset = [dense_weight, 1 - dense_weight], 0.0
        if self.ranker == "rrf":
            ranker = RRFRanker(RRF_K)
        elif self.ranker == "weighted":
            ranker = WeightedRanker(*weights)
        else:
            d_scores = self.dense.search(query_vec[None, :], candidates)[0][0]
            b_scores = self.bm25.search(query, 1)[1] if terms else np.zeros(0)
            top_d = float(d_scores[0]) if len(d_scores) and d_scores[0] > 0 else 1.0
            top_b = float(b_scores[0]) if len(b_scores) and b_scores[0] > 0 else 1.0
            offset = max(float(d_scores[-1]), 0.0) if len(d_scores) else 0.0
            spread_d = top_d - offset if top_d - offset > 1e-9 else 1.0
            ranker = WeightedRanker(dense_weight / spread_d, (1 - dense_weight) / top_b, norm_score=False)
        reqs = [AnnSearchRequest(data=[query_vec.tolist() + [-offset]], anns_field="vector",
                                 param={"metric_type": "IP"}, limit=candidates)]
        if terms:
            reqs.append(AnnSearchRequest(data=[terms], anns_field="sparse", param={"metric_type": "BM25"},
                                         limit=candidates))
        else:  # nothing for BM25 to match: the dense side alone
            ranker = RRFRanker(RRF_K) if self.ranker == "rrf" else WeightedRanker(1.0, norm_score=False)
        res = self.call("hybrid search", self.client.hybrid_search, self.collection, reqs, ranker=ranker, limit=k,
                    output_fields=["row"])[0]
        return [Hit(self.chunks[h["entity"]["row"]], float(h["distance"]), rank)
                for rank, h in enumerate(res, start=1)]
