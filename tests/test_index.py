import json
from dataclasses import replace

import numpy as np
import pytest

import rag
from rag.api import chunker_settings
from rag.embed import HashEmbedder
from rag.errors import IndexCorrupt, IndexMismatch, IndexMissing
from rag.index import build_index, current_build, load_index
from rag.retrieve import convex, rrf, search


def test_build_writes_manifest_and_loads(hash_settings):
    s = hash_settings
    report = build_index(s.corpus, s.index, HashEmbedder(), chunker_settings(s))
    assert report.documents == 5 and report.chunks > 20 and report.embedded > report.chunks
    m = json.loads((current_build(s.index) / "manifest.json").read_text())
    for key in ("format_version", "embedder", "chunker", "corpus_files", "built_at", "files", "faiss"):
        assert key in m
    assert m["embedder"] == {"id": "hash-bow-64", "dim": 64}
    assert set(m["corpus_files"]) >= {"000_e737f1f109234fde.txt", "_metadata.json"}
    idx = load_index(s.index, HashEmbedder())
    assert len(idx.chunks) == report.chunks


def test_missing_index_is_reported_or_built(hash_settings):
    with pytest.raises(IndexMissing, match="rag index"):
        rag.open_index(hash_settings, rebuild=False)
    idx = rag.open_index(hash_settings)
    assert len(idx.chunks) > 0


def test_stale_index_is_never_served(hash_settings):
    s = hash_settings
    rag.open_index(s)
    (s.corpus / "005_new.txt").write_text(
        "A brand new article about the Arctic and the Northern Sea Route, which Russia and China both "
        "want to develop for shipping and energy exports in the coming decade, officials said.\n", encoding="utf-8")
    with pytest.raises(IndexMismatch, match="added: 005_new.txt"):
        rag.open_index(s, rebuild=False)
    with pytest.raises(IndexMismatch, match="chunker"):
        rag.open_index(replace(s, chunk_words=60, corpus=s.corpus), rebuild=False)
    idx = rag.open_index(s)  # rebuilds
    assert "005_new.txt" in idx.articles


def test_other_embedder_is_refused(hash_settings):
    s = hash_settings
    build_index(s.corpus, s.index, HashEmbedder(dim=64), chunker_settings(s))
    with pytest.raises(IndexMismatch, match="embedder"):
        load_index(s.index, HashEmbedder(dim=32))


def test_rebuild_reuses_unchanged_vectors(hash_settings):
    s = hash_settings
    build_index(s.corpus, s.index, HashEmbedder(), chunker_settings(s))
    (s.corpus / "005_new.txt").write_text("One new sentence about gas exports to China, said officials in Moscow.",
                                          encoding="utf-8")
    again = build_index(s.corpus, s.index, HashEmbedder(), chunker_settings(s))
    assert 0 < again.embedded <= 3  # only the new article's chunk and sentence(s)


def test_corrupted_file_is_detected(hash_settings):
    s = hash_settings
    build_index(s.corpus, s.index, HashEmbedder(), chunker_settings(s))
    vec = current_build(s.index) / "vectors.npy"
    vec.write_bytes(vec.read_bytes()[:100])
    with pytest.raises(IndexCorrupt, match="truncated"):
        load_index(s.index, HashEmbedder())
    assert len(rag.open_index(s).chunks) > 0  # and open_index repairs it


def test_failed_build_leaves_previous_index(hash_settings, monkeypatch):
    s = hash_settings
    build_index(s.corpus, s.index, HashEmbedder(), chunker_settings(s))
    before = current_build(s.index)
    (s.corpus / "005_new.txt").write_text("Another article on energy ties between Russia and China, said analysts.",
                                          encoding="utf-8")

    def die(*a, **k):
        raise KeyboardInterrupt("killed mid-build")

    monkeypatch.setattr("rag.index.faiss.write_index", die)
    with pytest.raises(KeyboardInterrupt):
        build_index(s.corpus, s.index, HashEmbedder(), chunker_settings(s))
    monkeypatch.undo()
    assert current_build(s.index) == before
    assert "005_new.txt" not in load_index(s.index, HashEmbedder()).articles
    build_index(s.corpus, s.index, HashEmbedder(), chunker_settings(s))
    assert "005_new.txt" in load_index(s.index, HashEmbedder()).articles


def test_faiss_matches_numpy_oracle(seed_index):
    idx, _ = seed_index
    rng = np.random.default_rng(0)
    for _ in range(10):
        q = rng.normal(size=idx.vectors.shape[1]).astype(np.float32)
        q /= np.linalg.norm(q)
        scores, ids = idx.dense.search(q[None, :], 10)
        oracle = np.argsort(-(idx.vectors @ q), kind="stable")[:10]
        np.testing.assert_allclose(scores[0], (idx.vectors @ q)[oracle], rtol=1e-5, atol=1e-6)
        assert set(ids[0]) == set(oracle) or np.allclose(np.sort(scores[0]), np.sort((idx.vectors @ q)[oracle]))


def test_fusion_functions():
    assert rrf([[1, 2], [2, 3]], c=0) == {1: 1.0, 2: 1.5, 3: 0.5}
    fused = convex({1: 10.0, 2: 8.0}, {2: 0.8, 3: 0.4, 4: 0.6}, dense_weight=0.5)
    assert fused[1] == pytest.approx(0.5)  # missing dense score -> the dense floor, 0 on a 0..1 scale
    assert fused[2] == pytest.approx(0.5 * 1.0 + 0.5 * 0.8)
    assert fused[4] == pytest.approx(0.5 * 0.5)  # halfway between floor 0.4 and top 0.8; no BM25 score -> 0
    assert fused[3] == 0.0
    assert max(fused, key=fused.get) == 2
    # Cosines crowd together: the dense side's best still counts fully, so a
    # passage only dense search found outranks a weak lexical match.
    fused = convex({1: 10.0, 2: 3.0}, {3: 0.62, 2: 0.50, 1: 0.48}, dense_weight=0.5)
    assert fused[3] > fused[2]


def test_search_reports_component_ranks(seed_index):
    idx, s = seed_index
    hits = search(idx, "Power of Siberia 2 gas pipeline", k=5)
    assert [h.rank for h in hits] == [1, 2, 3, 4, 5]
    assert hits[0].bm25_rank is not None and hits[0].dense_rank is not None
    assert "Power of Siberia" in hits[0].chunk.text
    assert search(idx, "the of and", k=5, retriever="bm25") == []


def test_large_corpus_gets_ivf_with_recall_against_the_exact_oracle():
    """Above exact_max the index is IVF; its top-10 agrees with brute force."""
    import numpy as np

    from rag.dense import apply_spec, build_dense

    rng = np.random.default_rng(1)
    # Clustered like text embeddings, not uniform noise: topics plus spread.
    centers = rng.normal(size=(50, 64)).astype(np.float32)
    x = centers[rng.integers(0, 50, 20_000)] + 0.6 * rng.normal(size=(20_000, 64)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    q = x[rng.choice(len(x), 100, replace=False)] + 0.3 * rng.normal(size=(100, 64)).astype(np.float32)
    q /= np.linalg.norm(q, axis=1, keepdims=True)
    exact, spec = build_dense(x, exact_max=100_000)
    assert spec["exact"] and spec["kind"] == "IndexFlatIP"
    ivf, spec = build_dense(x, exact_max=1000)
    assert spec["kind"] == "IndexIVFFlat" and spec["nprobe"] >= 8
    import faiss

    ivf = apply_spec(faiss.deserialize_index(faiss.serialize_index(ivf)), spec)  # as after a load
    oracle = np.argsort(-(q @ x.T), axis=1)[:, :10]
    _, got = ivf.search(q, 10)
    recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(oracle, got)])
    assert recall >= 0.95


def test_ivf_choice_is_recorded_in_the_manifest(hash_settings):
    report = build_index(hash_settings.corpus, hash_settings.index, HashEmbedder(), chunker_settings(hash_settings),
                         exact_max=10)
    idx = rag.load_index(hash_settings.index, HashEmbedder())
    assert idx.manifest["faiss"]["kind"] == "IndexIVFFlat" and report.chunks > 10
    assert rag.search(idx, "Power of Siberia 2 gas pipeline", k=3, settings=hash_settings)
