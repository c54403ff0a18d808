import pytest

from rag.answer import ABSTAIN_TEXT, CONFLICT_PREFIX, answer, check_question, clean_history
from rag.errors import BadQuestion
from rag.followup import entities, rewrite
from rag.support import answer_type, claim_supported, counted_noun, idf, type_matches


@pytest.mark.parametrize("bad, why", [("", "empty"), ("   \n\t", "empty"), ("\x00\x01", "empty"),
                                      ("?!...", "no words"), ("x" * 501, "limit is 500")])
def test_bad_questions_get_clear_errors(bad, why):
    with pytest.raises(BadQuestion, match=why):
        check_question(bad)


def test_question_is_tidied():
    assert check_question("  why\x00 no\tgas   deal? ") == "why no gas deal?"
    assert check_question("Путин и Си — 习近平?") == "Путин и Си — 习近平?"


def test_history_is_sanitised():
    assert clean_history([["q", "a"], "junk", ["q2\x00", None]]) == [("q", "a"), ("q2", "")]


def test_followups_are_rewritten():
    hist = [("What is Power of Siberia 2?", "A proposed gas pipeline to China [1].")]
    standalone, query = rewrite("Why hasn't it been agreed?", hist)
    assert standalone == "Why hasn't Power of Siberia 2 been agreed?"
    assert "What is Power of Siberia 2?" in query
    standalone, _ = rewrite("What does he expect?", [("Who is Artyom Lukin?", "A professor [1].")])
    assert standalone == "What does Artyom Lukin expect?"
    standalone, _ = rewrite("What is that city nicknamed?",
                            [("Which city did Putin visit next?", "Harbin, near the border [1].")])
    assert standalone == "What is Harbin nicknamed?"
    assert rewrite("Who is Yun Sun?", hist) == ("Who is Yun Sun?", "Who is Yun Sun?")
    assert entities("Who is Artyom Lukin?") == ["Artyom Lukin"]


def test_answer_types():
    assert answer_type("How many times have they met?") == "quantity"
    assert answer_type("When did they meet?") == "date"
    assert answer_type("What did they agree in Kazakhstan?") == "outcome"
    assert counted_noun("How many tanks did Russia build?") == "tank"
    assert type_matches("quantity", "The pair have met 42 times since 2013", "How many times have they met?")
    assert not type_matches("quantity", "bearings used in tank production rose by 1,500%", "How many tanks?")
    assert not type_matches("quantity", "no agreement on Power of Siberia 2", "What price for Power of Siberia 2?")
    assert not type_matches("outcome", "They plan to meet again in Kazakhstan in July.", "")


def test_claim_support_checks_numbers_and_names(seed_index):
    idx, _ = seed_index
    w = idf(idx)
    passage = "The pair have met 42 times since 2013, and Xi hailed their friendship."
    assert claim_supported("The pair have met 42 times since 2013 [1].", passage, w)
    assert not claim_supported("The pair have met 43 times since 2013 [1].", passage, w)
    assert not claim_supported("Biden hailed their friendship [1].", passage, w)


def test_quoted_answer_cites_exact_spans(seed_index):
    idx, s = seed_index
    ans = answer(idx, "why no gas deal?", settings=s)
    assert not ans.abstained and "Power of Siberia" in ans.text and "[1]" in ans.text
    for c in ans.citations:
        raw = (s.corpus / c.doc).read_text(encoding="utf-8")
        assert raw[c.start:c.end] == c.text and raw[c.quote_start:c.quote_end] == c.quote
        assert c.start <= c.quote_start < c.quote_end <= c.end
    assert [c.n for c in ans.citations] == list(range(1, len(ans.citations) + 1))


def test_unanswerable_question_abstains_with_related(seed_index):
    idx, s = seed_index
    ans = answer(idx, "What did Xi and Putin agree at their July meeting in Kazakhstan?", settings=s)
    assert ans.abstained and ans.text == ABSTAIN_TEXT and not ans.citations and ans.related


def test_conflicting_sources_are_both_cited(seed_index):
    idx, s = seed_index
    ans = answer(idx, "How many times have Xi and Putin met since 2013?", settings=s)
    assert ans.text.startswith(CONFLICT_PREFIX)
    assert "42" in ans.text and "43" in ans.text and len({c.doc for c in ans.citations}) == 2


def test_followup_uses_history(seed_index):
    idx, s = seed_index
    ans = answer(idx, "What is that city nicknamed?", settings=s,
                 history=[("Which city did the leaders visit on day two?", "Harbin [1].")])
    assert "Little Moscow" in ans.text
