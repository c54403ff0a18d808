"""The query adapter's contract (adapter.py): fitted by `rag train`, saved
beside the scorer with its checksum, and one more similarity feature."""

import json
from dataclasses import replace

import numpy as np
import pytest

from rag.adapter import Example, adapt, fit_adapter
from rag.errors import ScorerUnavailable
from rag.features import FEATURES, candidates, featurize, read_question
from rag.records import Hit
from rag.scorer import SCORER_PATH, fixed_scorer, load_scorer, model_of, score


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def planted(n: int = 40, d: int = 8, seed: int = 0) -> list[Example]:
    """Questions whose answer lies along a rotated copy of the question: a
    map MiniLM's plain similarity cannot see, a linear adapter can learn."""
    rng = np.random.default_rng(seed)
    rotation = np.roll(np.eye(d), 1, axis=0)
    out = []
    for _ in range(n):
        q = _unit(rng.normal(size=d))
        distractors = _unit(q + rng.normal(scale=0.8, size=(4, d)))  # near the question itself
        answer = _unit(rotation @ q + rng.normal(scale=0.1, size=d))
        sentences = np.vstack([distractors, answer]).astype(np.float32)
        out.append(Example(q.astype(np.float32), sentences, np.array([False] * 4 + [True])))
    return out


def _top1(examples: list[Example], matrix) -> float:
    return float(np.mean([e.answers[int(np.argmax(e.sentences @ adapt(matrix, e.question)))] for e in examples]))


def test_no_adapter_leaves_the_question_as_it_is():
    q = _unit(np.arange(1.0, 5.0))
    assert adapt(None, q) is q
    assert np.allclose(adapt(np.zeros((4, 4)), q), q)
    assert np.isclose(np.linalg.norm(adapt(np.eye(4) * 0.3, q)), 1.0)


def test_the_adapter_learns_a_planted_map_and_generalises():
    pytest.importorskip("torch")
    train, test = planted(n=80, seed=0), planted(seed=1)
    matrix = fit_adapter(train, epochs=40, rate=1e-2, penalty=1e-4)  # a strong signal: learned fast
    assert matrix.shape == (8, 8) and matrix.dtype == np.float32
    assert _top1(test, None) < 0.5 < _top1(test, matrix)  # questions it never saw


def test_fitting_the_adapter_is_deterministic_and_refuses_empty_data():
    pytest.importorskip("torch")
    data = planted(n=10)
    assert np.array_equal(fit_adapter(data, epochs=3), fit_adapter(data, epochs=3))
    with pytest.raises(ValueError):
        fit_adapter([replace(data[0], answers=np.zeros(5, bool))])


def test_without_an_adapter_the_adapted_similarity_is_minilms(seed_index):
    idx, _ = seed_index
    q = "How many times have Xi and Putin met since 2013?"
    cands = candidates(idx, [Hit(c, 1.0, i + 1) for i, c in enumerate(idx.chunks[:3])])
    vec = idx.embedder.embed([q])[0]
    x = featurize(idx, read_question(idx, q), cands, vec)
    col = FEATURES.index
    assert np.allclose(x[:, col("dense_adapted")], x[:, col("dense")])
    assert np.isclose(x[:, col("dense_adapted_gap")].max(), 0.0)
    moved = featurize(idx, read_question(idx, q), cands, vec, adapted_vec=-vec)
    assert np.allclose(moved[:, col("dense_adapted")], -x[:, col("dense")])
    assert np.allclose(np.delete(moved, [col("dense_adapted"), col("dense_adapted_gap")], axis=1),
                       np.delete(x, [col("dense_adapted"), col("dense_adapted_gap")], axis=1))


def _adapter_files(folder):
    return sorted(p.name for p in folder.glob("scorer.adapter.*"))


def test_the_adapter_is_saved_beside_the_scorer_and_checked(tmp_path):
    matrix = np.diag([0.5, 0.0, 0.0, 0.0]).astype(np.float32)  # not a multiple of I: it moves q
    scorer = replace(fixed_scorer({"dense": 1.0}), adapter=matrix)
    path = tmp_path / "scorer.json"
    scorer.save(path)
    (name,) = _adapter_files(tmp_path)
    assert json.loads(path.read_text())["adapter"]["file"] == name  # scorer.adapter.<checksum>.npy
    loaded = load_scorer(path)
    assert np.array_equal(loaded.adapter, matrix)
    q = _unit(np.ones(4))
    assert np.allclose(loaded.adapt(q), _unit(np.array([1.5, 1.0, 1.0, 1.0])))  # (I + A) q, normalised
    assert not loaded.adapter.flags.writeable
    np.save(tmp_path / name, matrix * 2)  # changed after fitting
    load_scorer.cache_clear()
    with pytest.raises(ScorerUnavailable, match="not the one it was fitted with"):
        load_scorer(path)
    (tmp_path / name).unlink()
    load_scorer.cache_clear()
    with pytest.raises(ScorerUnavailable, match="cannot be read"):
        load_scorer(path)
    load_scorer.cache_clear()


def test_a_new_adapter_never_overwrites_the_one_in_use(tmp_path, monkeypatch):
    path = tmp_path / "scorer.json"
    first = replace(fixed_scorer({"dense": 1.0}), adapter=np.eye(4, dtype=np.float32) * 0.1)
    first.save(path)
    (old,) = _adapter_files(tmp_path)
    second = replace(first, adapter=np.eye(4, dtype=np.float32) * 0.2)

    def interrupted(self, *args, **kwargs):  # killed after the matrix, before the JSON
        raise KeyboardInterrupt

    with monkeypatch.context() as m:
        m.setattr(type(path), "write_text", interrupted)
        with pytest.raises(KeyboardInterrupt):
            second.save(path)
    load_scorer.cache_clear()
    assert np.array_equal(load_scorer(path).adapter, first.adapter)  # the previous scorer, whole
    second.save(path)  # a save that completes removes the matrix nothing names
    (new,) = _adapter_files(tmp_path)
    assert new != old and json.loads(path.read_text())["adapter"]["file"] == new
    replace(first, adapter=None).save(path)
    assert _adapter_files(tmp_path) == [] and "adapter" not in json.loads(path.read_text())
    load_scorer.cache_clear()


def test_score_moves_the_question_by_the_adapter_of_its_own_embedder(seed_index):
    idx, _ = seed_index
    q = "How many times have Xi and Putin met since 2013?"
    hits = [Hit(c, 1.0, i + 1) for i, c in enumerate(idx.chunks[:3])]
    vec = idx.embedder.embed([q])[0]
    d = len(vec)
    flip = replace(fixed_scorer({"dense_adapted": 1.0}), embedder=model_of(idx.embedder.id),
                   adapter=np.eye(d) * -2.0)  # q' = normalize(q - 2q) = -q: the least similar first
    by_dense = [s.text for s in score(idx, read_question(idx, q), hits, vec, fixed_scorer({"dense": 1.0}))[0]]
    flipped = [s.text for s in score(idx, read_question(idx, q), hits, vec, flip)[0]]
    assert flipped[0] == by_dense[-1] and flipped[0] != by_dense[0]
    other = replace(flip, embedder="another/model")  # an adapter fitted in another model's space: dropped
    assert [s.text for s in score(idx, read_question(idx, q), hits, vec, other)[0]][0] == by_dense[0]
    narrow = replace(flip, adapter=np.eye(d + 1))  # a width the embedder does not have: a clear error
    with pytest.raises(ScorerUnavailable, match="another embedder"):
        score(idx, read_question(idx, q), hits, vec, narrow)


def test_the_shipped_scorer_carries_an_adapter_in_minilms_space():
    s = load_scorer()
    assert s.adapter is not None and s.adapter.shape == (384, 384)  # all-MiniLM-L6-v2's width
    name = json.loads(SCORER_PATH.read_text())["adapter"]["file"]
    assert _adapter_files(SCORER_PATH.parent) == [name]  # shipped alone, named by its content


def test_the_pool_is_scored_by_adapters_that_never_saw_its_article():
    pytest.importorskip("torch")
    from rag.train import Question, examples, with_adapter

    def questions(group: str, seed: int) -> list[Question]:
        return [Question(f"{group}/{i}", group, True, np.zeros((5, len(FEATURES))), e.answers.astype(int),
                         question_vec=e.question, sentence_vecs=e.sentences)
                for i, e in enumerate(planted(n=8, seed=seed))]

    pool, ours = questions("a", 0) + questions("b", 1), questions("gold", 2)
    full, (pool_now, ours_now) = with_adapter([pool, ours], log=lambda m: None)
    col = FEATURES.index("dense_adapted")
    without_a = fit_adapter(examples([q for q in pool if q.group == "b"]))
    q = pool_now[0]  # of article "a": scored by the adapter fitted on "b" alone
    assert np.allclose(q.x[:, col], q.sentence_vecs @ adapt(without_a, q.question_vec), atol=1e-5)
    assert np.array_equal(full, fit_adapter(examples(pool)))  # the shipped one saw the whole pool ...
    o = ours_now[0]  # ... and scores the other sets
    assert np.allclose(o.x[:, col], o.sentence_vecs @ adapt(full, o.question_vec), atol=1e-5)


def test_adapter_sets_teach_the_adapter_and_nothing_else():
    pytest.importorskip("torch")
    from rag.train import Question, examples, with_adapter

    def questions(group: str, seed: int) -> list[Question]:
        return [Question(f"{group}/{i}", group, True, np.zeros((5, len(FEATURES))), e.answers.astype(int),
                         question_vec=e.question, sentence_vecs=e.sentences)
                for i, e in enumerate(planted(n=6, seed=seed))]

    pool, extra = questions("a", 0) + questions("b", 1), questions("blind", 3)
    full, (pool_now,) = with_adapter([pool], log=lambda m: None, extra=extra)
    assert np.array_equal(full, fit_adapter(examples(pool + extra)))
    without_a = fit_adapter(examples([q for q in pool if q.group == "b"] + extra))  # still never sees "a"
    q = pool_now[0]
    assert np.allclose(q.x[:, FEATURES.index("dense_adapted")], q.sentence_vecs @ adapt(without_a, q.question_vec),
                       atol=1e-5)
    assert len(pool_now) == len(pool)  # the adapter's own questions join no other fit
