"""The embedder's update (rag/tune.py, rag/embed.py): what training holds is what loading adds.

A tiny BERT made from a config (no weights to load) stands in for MiniLM: its
linear layers are wrapped and given an update as training would leave them,
saved, and merged into a fresh copy of the same model, whose outputs must then
match the wrapped model's.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

from rag.embed import merge_update, model_id, read_update, tuned_update  # noqa: E402
from rag.errors import DossierError  # noqa: E402
from rag.tune import save_update, with_low_rank  # noqa: E402


def tiny_bert():
    torch.manual_seed(1)
    config = transformers.BertConfig(vocab_size=50, hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
                                     intermediate_size=32, max_position_embeddings=32)
    return transformers.BertModel(config).eval()


def hidden(bert, ids):
    with torch.no_grad():
        return bert(input_ids=ids, attention_mask=torch.ones_like(ids)).last_hidden_state.numpy()


def trained(rank=3):
    """A tiny BERT with a low-rank update on every encoder linear layer, B no longer zero."""
    bert = tiny_bert()
    wrapped = with_low_rank(bert, rank)
    torch.manual_seed(2)
    for _, layer in wrapped:
        with torch.no_grad():
            layer.b.normal_(0, 0.1)
    return bert, wrapped


def test_every_encoder_linear_layer_learns_and_nothing_else():
    bert, wrapped = trained()
    names = [n for n, _ in wrapped]
    assert len(names) == 2 * 6  # query, key, value, attention output, intermediate, output per layer
    assert all(n.startswith("encoder.layer.") for n in names)
    learning = [n for n, p in bert.named_parameters() if p.requires_grad]
    assert learning and all(n.endswith((".a", ".b")) for n in learning)


def test_saved_update_merged_into_fresh_weights_gives_the_trained_outputs(tmp_path):
    bert, wrapped = trained()
    ids = torch.tensor([[1, 5, 7, 9, 2]])
    want = hidden(bert, ids)
    arrays = {f"{n}.{part}": getattr(layer, part).detach().numpy() for n, layer in wrapped for part in ("a", "b")}
    path = save_update(arrays, tmp_path)
    fresh = tiny_bert()
    assert not np.allclose(hidden(fresh, ids), want, atol=1e-4)  # the update changes something
    merge_update(fresh, path)
    np.testing.assert_allclose(hidden(fresh, ids), want, atol=1e-5)


def test_update_is_named_by_its_content_and_replaces_the_old_one(tmp_path):
    a = {"x.a": np.ones((2, 3), np.float32), "x.b": np.zeros((3, 2), np.float32)}
    first = save_update(a, tmp_path)
    assert save_update(a, tmp_path) == first  # same arrays, same name (a zip's bytes would not be)
    second = save_update({**a, "x.b": np.ones((3, 2), np.float32)}, tmp_path)
    assert second != first and list(tmp_path.glob("embedder.lora.*.npz")) == [second]
    assert model_id(second).endswith("+lora." + second.stem.rsplit(".", 1)[-1])
    assert model_id(None) == "sentence-transformers/all-MiniLM-L6-v2"


def test_the_package_ships_one_update_for_every_encoder_linear_layer_matching_its_name():
    update = tuned_update()
    assert update is not None and update.name.startswith("embedder.lora.")
    arrays = read_update(update)  # checks the checksum in the name
    assert len(arrays) == 2 * 36  # six layers: query, key, value, attention output, intermediate, output
    for key, a in arrays.items():
        assert a.dtype == np.float32 and (a.shape[0] == 8 if key.endswith(".a") else a.shape[1] == 8)


def test_a_damaged_or_renamed_update_is_a_one_line_error(tmp_path):
    bad = tmp_path / "embedder.lora.0123456789ab.npz"
    bad.write_bytes(b"version https://git-lfs.github.com/spec/v1\n")  # a Git LFS pointer
    with pytest.raises(DossierError, match="cannot be read"):
        read_update(bad)
    good = save_update({"x.a": np.ones((2, 3), np.float32), "x.b": np.ones((3, 2), np.float32)}, tmp_path)
    renamed = good.rename(tmp_path / "embedder.lora.0123456789ab.npz")
    with pytest.raises(DossierError, match="does not match the checksum"):
        read_update(renamed)


def test_an_update_for_other_layers_is_a_one_line_error(tmp_path):
    path = save_update({"encoder.layer.9.nothing.a": np.ones((2, 16), np.float32),
                        "encoder.layer.9.nothing.b": np.ones((16, 2), np.float32)}, tmp_path)
    with pytest.raises(DossierError, match="does not fit this model"):
        merge_update(tiny_bert(), path)


def test_too_few_training_questions_keep_the_shipped_update(tmp_path, monkeypatch):
    import rag.tune as tune
    from rag.settings import from_env

    old = save_update({"x.a": np.ones((2, 3), np.float32), "x.b": np.ones((3, 2), np.float32)}, tmp_path)
    monkeypatch.setattr(tune, "triples_of", lambda *a, **k: [tune.Triple("q", "a", "n")])
    monkeypatch.setattr(tune, "load_gold", lambda path: [])
    with pytest.raises(DossierError, match="only 1 usable training questions"):
        tune.train_embedder([(tmp_path, tmp_path / "gold.jsonl")], from_env(env={}, data=tmp_path), tmp_path,
                            log=lambda m: None)
    assert list(tmp_path.glob("embedder.lora.*")) == [old]


def test_the_tuned_and_base_graphs_live_side_by_side_and_old_updates_graphs_go(tmp_path, monkeypatch):
    """onnx_model names the graph by the update, re-exports when the update
    changes, and removes the graphs of earlier updates (export faked)."""
    import rag.embed as embed

    monkeypatch.setattr(embed, "export_onnx", lambda src, dest, update=None: dest.write_bytes(b"graph"))
    base = embed.onnx_model(tmp_path)
    (tmp_path / "u1").mkdir(), (tmp_path / "u2").mkdir()
    first = save_update({"x.a": np.ones((2, 3), np.float32), "x.b": np.ones((3, 2), np.float32)}, tmp_path / "u1")
    tuned = embed.onnx_model(tmp_path, update=first)
    assert base.name == "all-MiniLM-L6-v2.onnx" and tuned.name == f"{model_id(first).split('/')[-1]}.onnx"
    second = save_update({"x.a": np.zeros((2, 3), np.float32), "x.b": np.ones((3, 2), np.float32)}, tmp_path / "u2")
    newer = embed.onnx_model(tmp_path, update=second)
    assert sorted(p.name for p in (tmp_path / "models").glob("*.onnx")) == sorted([base.name, newer.name])


def test_two_updates_in_the_package_are_an_error(tmp_path, monkeypatch):
    import rag.embed as embed

    for name in ("embedder.lora.aaa.npz", "embedder.lora.bbb.npz"):
        (tmp_path / name).write_bytes(b"")
    monkeypatch.setattr(embed, "HERE", tmp_path)
    with pytest.raises(DossierError, match="more than one"):
        embed.tuned_update()


def test_triples_pair_each_question_with_its_answer_and_a_near_miss(tmp_path):
    """Through the answer's own path (hash embedder here): the answer holds
    the evidence, the near miss does not, unanswerable questions give none."""
    from rag.gold import fold, load_gold
    from rag.settings import ROOT, from_env
    from rag.tune import triples_of

    gold = load_gold(ROOT / "eval" / "gold.jsonl")
    items = [*gold[:20], *[it for it in gold if not it.answerable][:3]]
    settings = from_env(env={}, data=tmp_path, judge="off")
    triples = triples_of(ROOT / "seeds", items, settings, log=lambda m: None, embedder="hash")
    answerable = [it for it in items if it.answerable and it.evidence]
    assert 0 < len(triples) <= len(answerable) < len(items)
    by_question = {it.question: it for it in answerable}
    for t in triples:
        item = by_question.get(t.question)
        if item is None:  # a follow-up, asked as its standalone rewrite
            continue
        quotes = [fold(e.quote) for e in item.evidence]
        assert any(q in fold(t.answer) or fold(t.answer) in q for q in quotes)
        assert not any(q in fold(t.near_miss) for q in quotes) and t.near_miss != t.answer


@pytest.mark.model
def test_one_step_of_fine_tuning_updates_every_encoder_layer():
    """The real MiniLM, a batch of two: the update covers the 36 linear
    layers of the six encoder layers, B has left zero, A keeps its shape."""
    from rag.tune import RANK, Triple, fine_tune

    triples = [Triple("why no gas deal?", "The pipeline stalled over pricing.", "Trade rose in 2023."),
               Triple("who visited Moscow?", "Xi visited Moscow in March.", "Moscow is cold.")]
    arrays = fine_tune(triples, log=lambda m: None)
    assert len(arrays) == 2 * 36
    a, b = arrays["encoder.layer.0.attention.self.query.a"], arrays["encoder.layer.0.attention.self.query.b"]
    assert a.shape == (RANK, 384) and b.shape == (384, RANK) and np.abs(b).max() > 0
