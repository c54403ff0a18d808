"""asked: the walk the scorer's fit and the embedder's share (hash embedder, no model)."""

from rag.api import open_index
from rag.asked import asked
from rag.gold import fold, load_gold
from rag.settings import ROOT, from_env


def test_each_question_is_asked_once_in_order_and_its_candidates_labelled(tmp_path):
    gold = load_gold(ROOT / "eval" / "gold.jsonl")
    items = [*gold[:8], *[it for it in gold if not it.answerable][:2], *[it for it in gold if it.history][:1]]
    settings = from_env(env={}, corpus=ROOT / "seeds", index=tmp_path / "index", data=tmp_path,
                        embedder="hash", judge="off")
    index = open_index(settings, log=lambda m: None)
    out = list(asked(index, items, settings, k=5))

    assert [q.item for q in out] == items
    for q in out:
        assert len(q.labels) == len(q.candidates) > 0 and q.vector.shape == (index.embedder.dim,)
        if not q.item.answerable:
            assert not q.labels.any()
            continue
        quotes = [fold(e.quote) for e in q.item.evidence]
        for c, y in zip(q.candidates, q.labels):
            if any(quote in fold(c.text) for quote in quotes):
                assert y == 1
    assert any(q.labels.any() for q in out if q.item.answerable)
    follow_up = out[-1]
    assert follow_up.standalone != follow_up.item.question  # read after its history, as the app reads it
