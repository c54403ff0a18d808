"""The Milvus backend's contract, run against milvus-lite (an embedded `.db`):
build, incremental update, search (dense, BM25, hybrid), the alias switch,
crash safety, refusal of a mismatched index, clear errors. The hash embedder
keeps it fast; the SIGKILL test runs builds in subprocesses (marked slow)."""

import json
import signal
import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("pymilvus")
pytest.importorskip("milvus_lite")

import rag  # noqa: E402
from rag import milvus_store as M  # noqa: E402
from rag.api import build, chunker_settings  # noqa: E402
from rag.answer import answer  # noqa: E402
from rag.cli import main as cli  # noqa: E402
from rag.embed import HashEmbedder  # noqa: E402
from rag.errors import IndexCorrupt, IndexMismatch, IndexMissing  # noqa: E402
from rag.retrieve import search  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
NEW_DOC = ("Gas deal news. " + "The tundra railway talks resumed between Moscow and Beijing officials today. " * 5)


@pytest.fixture
def milvus_settings(hash_settings, tmp_path):
    s = replace(hash_settings, backend="milvus", milvus_uri=str(tmp_path / "m.db"))
    yield s
    M.release(s.milvus_uri)


def client(s):
    return M.connect(s.milvus_uri)


def test_build_matches_the_faiss_index_and_searches_alike(milvus_settings):
    s = milvus_settings
    report = build(s)
    assert report.documents == 5 and report.chunks > 20 and report.embedded > report.chunks
    mv = rag.open_index(s, rebuild=False)
    fs = rag.open_index(replace(s, backend="faiss"))
    # Same passages, articles, sentences and vectors as the FAISS build.
    assert [c.id for c in mv.chunks] == [c.id for c in fs.chunks]
    assert [(c.start, c.end, c.sentences, c.text) for c in mv.chunks] == [
        (c.start, c.end, c.sentences, c.text) for c in fs.chunks]
    assert mv.articles == fs.articles
    assert set(mv.sentence_rows) == set(fs.sentence_rows)
    key = next(iter(fs.sentence_rows))
    np.testing.assert_allclose(mv.sentence_vectors[mv.sentence_rows[key]], fs.sentence_vectors[fs.sentence_rows[key]],
                               atol=1e-6)
    assert mv.manifest["backend"] == "milvus" and mv.manifest["corpus_files"] == fs.manifest["corpus_files"]
    for q in ("why no gas deal?", "Power of Siberia 2 pipeline", "how many times have Xi and Putin met?"):
        # BM25 (Milvus's BM25 function over the same stemmed terms) and dense: same ranking as FAISS.
        for retriever in ("bm25", "dense"):
            a = search(mv, q, k=5, retriever=retriever)
            b = search(fs, q, k=5, retriever=retriever)
            assert [h.chunk.id for h in a] == [h.chunk.id for h in b], (q, retriever)
            # Milvus's BM25 keeps Lucene's (k1 + 1) factor, bm25s drops it: scores differ by that constant
            # (which max-normalised fusion cancels).
            scale = 2.5 if retriever == "bm25" else 1.0
            np.testing.assert_allclose([h.score for h in a], [h.score * scale for h in b], rtol=1e-4)
        hits = search(mv, q, k=5, retriever="hybrid")
        assert [h.rank for h in hits] == [1, 2, 3, 4, 5]
    assert search(mv, "the of and", k=5, retriever="bm25") == []


@pytest.mark.parametrize("ranker", ["convex", "rrf", "weighted"])
def test_hybrid_runs_in_the_server_with_each_ranker(milvus_settings, ranker):
    s = replace(milvus_settings, milvus_ranker=ranker)
    mv = rag.open_index(s)
    hits = rag.search(mv, "Power of Siberia 2 gas pipeline", k=5, settings=s)
    assert len(hits) == 5 and "Power of Siberia" in hits[0].chunk.text
    assert all(h.bm25_rank is None for h in hits)  # the server returns fused scores only


def test_convex_ranker_agrees_with_the_faiss_fusion(milvus_settings):
    s = milvus_settings
    mv, fs = rag.open_index(s), rag.open_index(replace(s, backend="faiss"))
    for q in ("why no gas deal?", "Power of Siberia 2 pipeline", "What did Lavrov say about the West?",
              "yuan share of trade", "Modi and the SCO summit"):
        a = [h.chunk.id for h in search(mv, q, k=5)]
        # Milvus fuses passage vectors and BM25; FAISS's own hybrid also
        # matches single sentences (README), so compare like with like.
        b = [h.chunk.id for h in search(fs, q, k=5, sentences=False)]
        assert a == b, q


def test_incremental_rebuild_embeds_only_the_new_document_and_switches_the_alias(milvus_settings):
    s = milvus_settings
    build(s)
    c = client(s)
    first = M.live_generation(c, s.milvus_name)
    (s.corpus / "005_new.txt").write_text(NEW_DOC, encoding="utf-8")
    with pytest.raises(IndexMismatch, match="added: 005_new.txt"):
        rag.open_index(s, rebuild=False)
    again = build(s)
    assert again.embedded == 1 + 6  # the new article: one chunk, six sentences; nothing else
    second = M.live_generation(c, s.milvus_name)
    assert second != first
    assert M.generations(c, s.milvus_name) == sorted([first, second])  # the previous one kept for readers
    idx = rag.open_index(s, rebuild=False)
    assert "005_new.txt" in idx.articles
    assert any("tundra railway" in h.chunk.text for h in search(idx, "tundra railway talks", k=3))
    build(s)
    assert first not in M.generations(c, s.milvus_name)  # two back: dropped


def test_mismatched_or_missing_index_is_refused(milvus_settings):
    s = milvus_settings
    with pytest.raises(IndexMissing, match="rag index --corpus .* --backend milvus --milvus-uri"):
        rag.open_index(s, rebuild=False)
    M.build(s.corpus, s.milvus_uri, HashEmbedder(dim=64), chunker_settings(s))
    with pytest.raises(IndexMismatch, match="embedder"):
        M.load(s.milvus_uri, HashEmbedder(dim=32))
    with pytest.raises(IndexMismatch, match="chunker"):
        rag.open_index(replace(s, chunk_words=60), rebuild=False)
    assert len(rag.open_index(replace(s, chunk_words=60)).chunks) > 0  # open_index rebuilds it


def test_a_generation_without_manifest_is_corrupt_not_served(milvus_settings):
    s = milvus_settings
    build(s)
    c = client(s)
    gen = M.live_generation(c, s.milvus_name)
    c.delete(gen + "_b", filter='kind == "manifest"')
    with pytest.raises(IndexCorrupt, match="no manifest"):
        rag.open_index(s, rebuild=False)


@pytest.mark.parametrize("point", ["embed", "insert", "flush", "manifest", "switch alias"])
def test_failed_build_leaves_the_live_generation_and_the_next_build_resumes(milvus_settings, monkeypatch, point):
    s = milvus_settings
    build(s)
    live = M.live_generation(client(s), s.milvus_name)
    (s.corpus / "005_new.txt").write_text(NEW_DOC, encoding="utf-8")
    real_call, seen = M._call, {"n": 0}

    def die(*a, **k):
        raise KeyboardInterrupt(f"killed at {point}")

    def call(what, fn, *args, **kwargs):
        is_manifest = what == "insert" and args and args[0].endswith("_b") and isinstance(args[1], list) \
            and args[1] and args[1][0]["kind"] == "manifest"
        if what == point or (point == "manifest" and is_manifest):
            seen["n"] += 1
            if point != "insert" or seen["n"] == 3:  # some batches written, then the crash
                die()
        return real_call(what, fn, *args, **kwargs)

    monkeypatch.setattr(M, "_call", call)
    if point == "embed":
        monkeypatch.setattr(HashEmbedder, "embed", lambda self, texts, progress=False: die())
    with pytest.raises(KeyboardInterrupt):
        M.build(s.corpus, s.milvus_uri, HashEmbedder(), chunker_settings(s), batch_units=60)
    monkeypatch.undo()
    c = client(s)
    assert M.live_generation(c, s.milvus_name) == live
    idx = M.load(s.milvus_uri, HashEmbedder())
    assert "005_new.txt" not in idx.articles and answer(idx, "why no gas deal?", settings=s).citations
    again = M.build(s.corpus, s.milvus_uri, HashEmbedder(), chunker_settings(s), batch_units=60)
    if point in ("flush", "manifest", "switch alias"):
        assert again.embedded == 0  # everything was in the killed generation: resumed, nothing re-embedded
    assert "005_new.txt" in M.load(s.milvus_uri, HashEmbedder()).articles
    assert len(M.generations(c, s.milvus_name)) == 2  # the killed build's leftovers are gone


def test_unreachable_server_and_busy_lite_file_are_one_line_errors(hash_settings, capsys, tmp_path):
    code = cli(["search", "gas", "--backend", "milvus", "--milvus-uri", "http://127.0.0.1:9", "--embedder", "hash",
                "--corpus", str(hash_settings.corpus), "--index", str(tmp_path / "i")])
    err = capsys.readouterr().err.strip()
    assert code == 2 and err.startswith("error: cannot reach Milvus at http://127.0.0.1:9") and "\n" not in err
    db = tmp_path / "busy.db"
    M.connect(str(db))  # this process now holds the milvus-lite file
    proc = subprocess.run([sys.executable, "-m", "rag.cli", "index", "--backend", "milvus", "--milvus-uri", str(db),
                           "--embedder", "hash", "--corpus", str(hash_settings.corpus)],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    M.release(str(db))
    lines = [ln for ln in proc.stderr.splitlines() if ln.startswith("error:")]
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert lines and "open in another process" in lines[0]


def test_cli_index_ask_eval_end_to_end_on_milvus_lite(hash_settings, capsys, tmp_path):
    flags = ["--backend", "milvus", "--milvus-uri", str(tmp_path / "x.db"), "--embedder", "hash",
             "--corpus", str(hash_settings.corpus), "--index", str(tmp_path / "unused")]
    try:
        assert cli(["index", *flags]) == 0
        assert "Indexed 5 documents" in capsys.readouterr().out
        assert cli(["ask", "why no gas deal?", "--json", "--no-rebuild", *flags]) == 0
        rec = json.loads(capsys.readouterr().out)
        assert rec["citations"] and not rec["abstained"]
        out = tmp_path / "eval"
        assert cli(["eval", "--gold", str(ROOT / "eval" / "gold.jsonl"), "--out", str(out), "--no-rebuild",
                    *flags]) == 0
        summary = json.loads((out / "summary.json").read_text())["runs"]["hybrid+quoted"]
        assert summary["hit@5"] >= 0.9
        assert not (tmp_path / "unused").exists()  # nothing written to the FAISS index folder
    finally:
        M.release(str(tmp_path / "x.db"))


def test_the_app_answers_from_a_milvus_index(milvus_settings, serve_app, tmp_path):
    from gradio_client import Client

    s = milvus_settings
    index = rag.open_index(s)
    with serve_app(index, s, tmp_path / "data") as url:
        out = Client(url, verbose=False).predict("why no gas deal?", "quoted", api_name="/answer")
    assert out["error"] is None and out["sources"] and "gas" in out["text"] and "[1]" in out["text"]


# --- SIGKILL in a subprocess --------------------------------------------------------------

KILL_DRIVER = textwrap.dedent("""
    import os, signal, sys
    import rag.milvus_store as M
    from rag.api import chunker_settings
    from rag.embed import HashEmbedder
    from rag.settings import from_env

    corpus, uri, point = sys.argv[1], sys.argv[2], sys.argv[3]
    real_call, seen = M._call, {"n": 0}

    def call(what, fn, *args, **kwargs):
        is_manifest = what == "insert" and args[0].endswith("_b") and args[1] and args[1][0]["kind"] == "manifest"
        if what == point or (point == "manifest" and is_manifest):
            seen["n"] += 1
            if point != "insert" or seen["n"] == 3:
                os.kill(os.getpid(), signal.SIGKILL)
        return real_call(what, fn, *args, **kwargs)

    M._call = call
    if point == "embed":
        HashEmbedder.embed = lambda self, texts, progress=False: os.kill(os.getpid(), signal.SIGKILL)
    s = from_env(env={}, corpus=corpus, embedder="hash")
    r = M.build(s.corpus, uri, HashEmbedder(), chunker_settings(s), batch_units=60)
    print(r.embedded)
""")


def run_build(corpus, uri, point="none"):
    return subprocess.run([sys.executable, "-c", KILL_DRIVER, str(corpus), str(uri), point],
                          capture_output=True, text=True, cwd=ROOT, timeout=180)


@pytest.mark.slow
def test_sigkill_at_any_point_of_a_milvus_build_keeps_the_live_generation(hash_settings, tmp_path):
    s, uri = hash_settings, str(tmp_path / "k.db")
    assert run_build(s.corpus, uri).returncode == 0
    live = M.live_generation(M.connect(uri), "dossier")
    M.release(uri)
    (s.corpus / "005_new.txt").write_text(NEW_DOC, encoding="utf-8")
    for point in ("embed", "insert", "flush", "manifest", "switch alias"):
        proc = run_build(s.corpus, uri, point)
        assert proc.returncode == -signal.SIGKILL, (point, proc.stderr[-500:])
        assert M.live_generation(M.connect(uri), "dossier") == live, point
        idx = M.load(uri, HashEmbedder())
        assert "005_new.txt" not in idx.articles
        assert answer(idx, "why no gas deal?", settings=s).citations
        M.release(uri)
    proc = run_build(s.corpus, uri)
    assert proc.returncode == 0, proc.stderr[-500:]
    assert int(proc.stdout.split()[-1]) == 0  # the killed builds had embedded it all: nothing embedded again
    assert "005_new.txt" in M.load(uri, HashEmbedder()).articles
    assert len(M.generations(M.connect(uri), "dossier")) == 2
    M.release(uri)


def test_a_process_whose_generation_was_dropped_is_told_to_restart(milvus_settings):
    s = milvus_settings
    idx = rag.open_index(s)
    build(s), build(s)  # two newer builds: the generation `idx` loaded is dropped
    with pytest.raises(M.MilvusUnavailable, match="dropped by newer builds; restart"):
        search(idx, "why no gas deal?", k=5)
    assert search(rag.open_index(s), "why no gas deal?", k=5)


def test_settings_choose_the_backend_from_env_and_flags():
    from rag.settings import from_env

    s = from_env(env={"RAG_BACKEND": "milvus", "RAG_MILVUS_URI": "/data/x.db", "RAG_MILVUS_RANKER": "rrf"})
    assert (s.backend, s.milvus_uri, s.milvus_ranker) == ("milvus", "/data/x.db", "rrf")
    assert from_env(env={}).backend == "faiss"  # FAISS stays the default
    assert from_env(env={"RAG_BACKEND": "milvus"}, backend="faiss").backend == "faiss"  # a flag wins
    with pytest.raises(ValueError, match="BACKEND must be one of"):
        from_env(env={"RAG_BACKEND": "elastic"})


def test_build_streams_in_bounded_batches(milvus_settings, monkeypatch):
    """The corpus is embedded and inserted a batch at a time, never all at once."""
    s = milvus_settings
    sizes = []
    real = HashEmbedder.embed

    def embed(self, texts, progress=False):
        sizes.append(len(texts))
        return real(self, texts)

    monkeypatch.setattr(HashEmbedder, "embed", embed)
    report = M.build(s.corpus, s.milvus_uri, HashEmbedder(), chunker_settings(s), batch_units=60)
    from rag.chunk import chunk_article
    from rag.ingest import load_corpus

    def units(article):  # passages + sentences of one article (101 for the longest seed)
        chunks = chunk_article(article, chunker_settings(s))
        return len(chunks) + len({(x.start, x.end) for c in chunks for x in c.sentences})

    largest = max(units(a) for a in load_corpus(s.corpus).articles)
    # A batch is flushed as soon as it holds >= 60 units: never more than 60 + one article.
    assert len(sizes) >= 4 and max(sizes) < 60 + largest and sum(sizes) == report.embedded


def test_a_first_build_killed_half_way_resumes_without_re_embedding_its_finished_batches(milvus_settings, tmp_path,
                                                                                          monkeypatch):
    s = milvus_settings
    full = M.build(s.corpus, str(tmp_path / "clean.db"), HashEmbedder(), chunker_settings(s), batch_units=60)
    M.release(str(tmp_path / "clean.db"))
    real_call, inserts = M._call, []

    def call(what, fn, *args, **kwargs):
        if what == "insert":
            inserts.append(args[0])
            if len(inserts) == 7:  # two batches (passages, sentences, articles each) written, then the crash
                raise KeyboardInterrupt("killed")
        return real_call(what, fn, *args, **kwargs)

    monkeypatch.setattr(M, "_call", call)
    with pytest.raises(KeyboardInterrupt):
        M.build(s.corpus, s.milvus_uri, HashEmbedder(), chunker_settings(s), batch_units=60)
    monkeypatch.undo()
    with pytest.raises(IndexMissing):  # nothing was ever switched live
        rag.open_index(s, rebuild=False)
    again = M.build(s.corpus, s.milvus_uri, HashEmbedder(), chunker_settings(s), batch_units=60)
    assert 0 < again.embedded < full.embedded and again.chunks == full.chunks, (again.embedded, full.embedded)
    print(f"resumed: {again.embedded} of {full.embedded} texts embedded again")
    assert len(M.load(s.milvus_uri, HashEmbedder()).articles) == 5


def test_a_milvus_build_reports_the_warnings_a_faiss_build_does(milvus_settings, tmp_path):
    """What `_metadata.json` names but cannot use is a warning of the build, on either backend."""
    import shutil

    corpus = tmp_path / "with-metadata"
    shutil.copytree(milvus_settings.corpus, corpus)
    (corpus / "_metadata.json").write_text('{"gone.txt": {"title": "No such file"}}', encoding="utf-8")
    report = M.build(corpus, milvus_settings.milvus_uri, HashEmbedder(), chunker_settings(milvus_settings))
    assert report.warnings == ("_metadata.json: 'gone.txt' names no article file in the corpus; ignored",)
