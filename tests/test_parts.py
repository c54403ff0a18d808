"""Two-part questions: each part asked on its own, the answer pairs them."""

from rag.answer import answer
from rag.followup import FOLLOWING
from rag.parts import split_parts
from rag.scorer import fixed_scorer

from test_scorer import WEIGHTS


def test_a_question_of_two_parts_is_split(seed_index):
    idx, _ = seed_index
    first, second = split_parts(idx, "Where did Putin go after Beijing, and why was the visit significant?")
    assert first.question == "Where did Putin go after Beijing?"
    assert second.question == "why was the visit significant?" and first.question in second.query
    # A pronoun of the second part takes the first part's names, as a follow-up would.
    _, second = split_parts(idx, "When was Putin re-elected and how old was he?")
    assert second.question == "how old was Putin?"
    for q in ("What did Xi and which officials discuss?", "Why, and how?", "Where did Putin go after Beijing?"):
        assert split_parts(idx, q) == ()
    # A second part with nothing of its own asks the first part's question anew.
    _, second = split_parts(idx, "Which countries did Xi visit, and by how much?")
    assert second.question == f"by how much?{FOLLOWING}Which countries did Xi visit?)"


def test_each_part_gets_its_own_sentence(seed_index):
    idx, s = seed_index
    q = "How many times have Xi and Putin met since 2013, and how much did China's exports to Russia fall in April?"
    ans = answer(idx, q, settings=s, scorer=fixed_scorer(WEIGHTS, threshold=0.0))
    assert "42" in ans.text or "43" in ans.text
    assert "8.3bn" in ans.text or "14%" in ans.text
    for c in ans.citations:
        assert idx.articles[c.doc].text[c.quote_start : c.quote_end] == c.quote
