"""The judge (a cross-encoder over question and sentence) and how it is fitted.

Fast tests use `OverlapJudge`; the fitted judge, exported to ONNX from the
wheel's MiniLM plus the adapters in rag/judge/, is tested in the `model` set.
"""

import json

import numpy as np
import pytest

from rag.features import FEATURES, add_judge
from rag.judge import ADAPTER_DIR, OverlapJudge, judge_for, pair_text
from rag.judge_train import NEGATIVES, training_pairs


def test_overlap_judge_is_deterministic_and_prefers_shared_words():
    j = OverlapJudge()
    q = "Who improved the steam engine?"
    texts = ["James Watt improved the steam engine.", "The weather was fine."]
    a, b = j.score(q, texts), j.score(q, texts)
    assert a.shape == (2,) and (a == b).all() and a[0] > a[1]
    assert j.score(q, []).shape == (0,)


def test_the_fake_judge_goes_with_the_fake_embedder():
    assert isinstance(judge_for("hash-bow-64"), OverlapJudge)


def test_pair_text_puts_the_title_first():
    assert pair_text("Steam engine", "It was improved.") == "Steam engine: It was improved."
    assert pair_text("", "It was improved.") == "It was improved."


def test_add_judge_fills_its_columns_and_their_ranks():
    x = np.zeros((3, len(FEATURES)))
    y = add_judge(x, np.array([0.5, 2.0, -1.0]))
    col = {f: i for i, f in enumerate(FEATURES)}
    assert (x == 0).all()  # the input is not changed
    assert y[:, col["judge"]].tolist() == [0.5, 2.0, -1.0]
    assert y[:, col["judge_gap"]].tolist() == [-1.5, 0.0, -3.0]
    assert y[:, col["judge_rank"]].tolist() == [0.5, 1.0, 1 / 3]
    assert add_judge(np.zeros((0, len(FEATURES))), np.zeros(0)).shape == (0, len(FEATURES))


def test_training_pairs_keep_positives_and_the_hardest_negatives():
    texts = [f"s{i}" for i in range(20)]
    labels = np.zeros(20, dtype=int)
    labels[7] = 1
    first = np.arange(20, dtype=float)  # s19 ranks best
    pairs = training_pairs([("q?", texts, labels, first)])
    chosen = [t for _, t, _ in pairs]
    assert ("q?", "s7", 1.0) in pairs
    hardest = [f"s{i}" for i in range(19, -1, -1) if i != 7][:NEGATIVES]
    assert set(hardest) <= set(chosen) and len(chosen) == NEGATIVES + 2  # + one at random
    assert pairs == training_pairs([("q?", texts, labels, first)])  # the same for the same seed
    # an unanswerable question gives negatives only
    assert all(lab == 0.0 for _, _, lab in training_pairs([("q?", texts, np.zeros(20, dtype=int), first)]))


def test_the_shipped_judge_is_small_and_portable():
    files = {p.name: p.stat().st_size for p in ADAPTER_DIR.iterdir()}
    assert {"adapter_config.json", "adapter_model.safetensors", "judge.json"} <= set(files)
    assert sum(files.values()) < 8_000_000  # adapters, not a copy of the model
    config = json.loads((ADAPTER_DIR / "adapter_config.json").read_text())
    assert not config["base_model_name_or_path"].startswith("/")


@pytest.mark.model
def test_exported_judge_matches_the_merged_model():
    torch = pytest.importorskip("torch")
    from transformers import AutoTokenizer

    from rag.embed import MINILM_PACKAGE, package_dir
    from rag.judge import MAX_TOKENS, MiniLMJudge, merged_model

    q = "Who improved the steam engine?"
    texts = ["Steam engine: James Watt improved Newcomen's engine with a separate condenser.",
             "Steam engine: " + "A very long sentence about boilers " * 40]
    judge = MiniLMJudge()
    tok = AutoTokenizer.from_pretrained(str(package_dir(MINILM_PACKAGE) / "model"))
    enc = tok([q] * 2, texts, truncation="only_second", max_length=MAX_TOKENS, padding=True, return_tensors="pt")
    with torch.inference_mode():
        want = merged_model()(**enc).logits[:, 0].numpy()
    assert np.abs(judge.score(q, texts) - want).max() < 1e-3


@pytest.mark.model
def test_the_judge_prefers_the_answer_to_a_near_miss():
    from rag.judge import MiniLMJudge

    judge = MiniLMJudge()
    cases = [
        ("Who did Putin meet in Beijing in May 2024?",
         ["Putin visits: Putin met Xi Jinping in Beijing in May 2024.",
          "Putin visits: Putin said trade with India grew in 2023."]),
        ("What year was the bridge finished?",
         ["The bridge: Construction of the bridge was completed in 1932.",
          "The bridge: The bridge is painted grey and carries eight lanes."]),
    ]
    for q, (answer, other) in cases:
        s = judge.score(q, [answer, other])
        assert s[0] > s[1], (q, s)
