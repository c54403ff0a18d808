import json
import math

import pytest

from rag import metrics
from rag.errors import GoldFormatError
from rag.gold import find_quote, load_gold

from conftest import ROOT, SEEDS


def test_known_ranking_gives_known_mrr():
    ranks = [1, 2, None, 4]
    assert metrics.mrr_at(ranks, 10) == pytest.approx((1 + 0.5 + 0 + 0.25) / 4)
    assert metrics.hit_at(ranks, 1) == 0.25
    assert metrics.hit_at(ranks, 3) == 0.5
    assert metrics.mrr_at([11], 10) == 0.0


def test_relevance_is_quote_containment_modulo_typography():
    passages = ["nothing here", "He said it was a “naked act of bullying”."]
    assert metrics.first_relevant_rank(passages, ['a "naked act of bullying"']) == 2
    assert metrics.evidence_recall(passages, ["naked act", "absent quote"], 5) == 0.5


def test_exact_span_check():
    text = "abcdef"
    assert metrics.exact_span(text, 1, 3, "bc")
    assert not metrics.exact_span(text, 1, 3, "bd")
    assert not metrics.exact_span(text, 4, 9, "ef")


def test_answer_passes_any_of_groups():
    must = [["Power of Siberia"], ["dependence", "favourable deal"]]
    assert metrics.answer_passes("power of siberia stalls over energy DEPENDENCE", must)
    assert not metrics.answer_passes("Power of Siberia stalls", must)


def test_percentile_nearest_rank():
    assert metrics.percentile([5, 1, 3, 2, 4], 50) == 3
    assert metrics.percentile([1, 2, 3, 4], 95) == 4


def test_auc_is_how_often_a_positive_outranks_a_negative():
    assert metrics.auc([0.9, 0.8], [0.1, 0.2]) == 1.0 and metrics.auc([0.1], [0.9]) == 0.0
    assert metrics.auc([0.5, 0.9], [0.5, 0.1]) == 0.875  # one tie of four pairs counts half
    assert math.isnan(metrics.auc([0.5], []))  # nothing to rank against


def test_the_summary_says_how_well_confidence_separates_answerable_questions():
    from rag.evaluate import summarise

    verdicts = [{"id": "a", "answerable": True, "passed": True, "false_refusal": False, "rank": 1,
                 "evidence_recall": 1.0, "cites_evidence": True, "exact_spans": [], "supported": [], "problems": []},
                {"id": "b", "answerable": True, "passed": False, "false_refusal": True, "rank": 1,
                 "evidence_recall": 1.0, "cites_evidence": False, "exact_spans": [], "supported": [], "problems": []},
                {"id": "c", "answerable": False, "passed": True, "exact_spans": [], "supported": [], "problems": []}]
    records = [{"id": i, "confidence": c, "latency_ms": 1.0} for i, c in (("a", 0.9), ("b", 0.2), ("c", 0.3))]
    assert summarise(verdicts, records)["answerability_auc"] == 0.5  # "b" is refused below the unanswerable "c"
    records[1]["confidence"] = 0.4
    assert summarise(verdicts, records)["answerability_auc"] == 1.0
    assert summarise(verdicts[:2], records)["answerability_auc"] is None  # no unanswerable question
    del records[2]["confidence"]  # a record written before answers carried it
    assert summarise(verdicts, records)["answerability_auc"] is None


@pytest.mark.parametrize("name", ["gold.jsonl", "heldout.jsonl"])
def test_gold_file_is_valid_and_every_quote_is_verbatim(name):
    items = load_gold(ROOT / "eval" / name)
    assert len(items) >= 50 and len({i.id for i in items}) == len(items)
    assert sum(not i.answerable for i in items) >= 8
    assert sum(bool(i.history) for i in items) >= 5
    docs = {e.doc for i in items for e in i.evidence}
    assert docs == {p.name for p in SEEDS.glob("*.txt")}
    for i in items:
        for e in i.evidence:
            assert find_quote((SEEDS / e.doc).read_text(encoding="utf-8"), e.quote), (i.id, e.quote)


@pytest.mark.parametrize("line, why", [
    ("{not json", "line 2: not valid JSON"),
    (json.dumps({"id": "x", "question": "q?", "answerable": "yes"}), "line 2: field 'answerable'"),
    (json.dumps({"id": "x", "question": "q?", "answerable": True}), "line 2: an answerable question needs"),
    (json.dumps({"id": "x", "question": "q?", "answerable": False, "history": [["only one"]]}), "line 2: field 'history'"),
])
def test_malformed_gold_names_the_line(tmp_path, line, why):
    good = json.dumps({"id": "a", "question": "q?", "answerable": False})
    path = tmp_path / "g.jsonl"
    path.write_text(good + "\n" + line + "\n")
    with pytest.raises(GoldFormatError, match=why):
        load_gold(path)


def test_results_are_reported_by_kind_of_question():
    from rag.evaluate import by_kind, kinds_table
    from rag.gold import parse_item

    base = {"question": "q?", "answerable": False}
    assert parse_item(base | {"id": "b5-list-central-asia"}).kind == "list"  # the kind named in the id
    assert parse_item(base | {"id": "b3-para-gdp"}).kind == "paraphrase"  # one name for one kind
    assert parse_item(base | {"id": "gas-why-not", "kind": "reason"}).kind == "reason"  # ... or said outright
    assert parse_item(base | {"id": "s26-who-x", "kind": "who"}).kind == "people"  # one name, however given
    assert parse_item(base | {"id": "gas-why"}).kind == ""  # not shaped <set>-<kind>-<name>
    verdicts = [{"kind": "list", "answerable": True, "passed": True, "rank": 1},
                {"kind": "list", "answerable": True, "passed": False, "rank": 7},
                {"kind": "nearmiss", "answerable": False, "passed": True},
                {"kind": "", "answerable": True, "passed": True, "rank": 1}]
    kinds = by_kind(verdicts[:3])
    assert kinds == {"list": {"questions": 2, "passed": 1, "hit@5": 0.5},
                     "nearmiss": {"questions": 1, "passed": 1, "hit@5": None}}
    assert "| list | 2 | 0.50 (1) | 0.500 |" in kinds_table(kinds)
    assert by_kind(verdicts) == {} and kinds_table({}) == []  # one item names no kind: no table
