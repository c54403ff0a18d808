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

from rag.embed import merge_update, model_id, tuned_update  # noqa: E402
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


def test_the_package_ships_exactly_one_update():
    update = tuned_update()
    assert update is not None and update.name.startswith("embedder.lora.")


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
