"""'Who wrote ...?': answered from the article's byline, quoted and cited."""

from rag.answer import answer
from rag.authors import asks_author, byline_answer
from rag.records import Hit
from rag.scorer import fixed_scorer

from test_scorer import WEIGHTS

CONVERSATION, GEOSTRATEGY, GUARDIAN = "001_abf0bfbafe203610.txt", "002_6dfbe20ab4471a19.txt", "004_fb74a0a541c85797.txt"


def test_questions_about_authors():
    assert asks_author("Who wrote The Conversation's analysis?")
    assert asks_author("who are the authors of the piece on Harbin?")
    assert not asks_author("Who is Artyom Lukin?") and not asks_author("What did Lukin write?")
    # Other writings than the article.
    for q in ("Who wrote to Xi, according to Sharma?", "Who wrote the letter Kaczmarski mentions?",
              "Who wrote that Russia needs China?"):
        assert not asks_author(q), q


def test_the_byline_of_the_article_asked_about_is_quoted(seed_index):
    idx, s = seed_index
    hits = [Hit(c, 1.0, 1) for c in idx.chunks if c.doc == GUARDIAN][:1]
    # Named by its outlet, or by repeating its title: whatever was retrieved.
    for q in ("Who wrote The Conversation's analysis?",
              "who wrote the article about beijing walking a fine line between support for russia and the west?"):
        by = byline_answer(idx, q, hits)
        assert by is not None and by.hit.chunk.doc == CONVERSATION and by.text.startswith("By Marcin Kaczmarski")
    # "the piece saying ...": the article of the best passage.
    top = [Hit(next(c for c in idx.chunks if c.doc == GEOSTRATEGY), 1.0, 1)]
    assert "Ashwani Sharma" in byline_answer(idx, "Who wrote the piece saying they met 43 times?", top).text
    # No byline (the Guardian's), or not about an article: the ordinary answer.
    assert byline_answer(idx, "Who wrote the Guardian article?", hits) is None
    assert byline_answer(idx, "Who wrote the letter to Xi?", top) is None


def test_a_byline_answer_cites_its_exact_text(seed_index):
    idx, s = seed_index
    ans = answer(idx, "Who wrote The Conversation's analysis?", settings=s, scorer=fixed_scorer(WEIGHTS, threshold=0.5))
    assert not ans.abstained and "Kaczmarski" in ans.text and "Kuhrt" in ans.text
    (c,) = ans.citations
    assert c.doc == CONVERSATION and idx.articles[c.doc].text[c.quote_start : c.quote_end] == c.quote



def test_a_two_part_question_gets_the_byline_and_its_other_part(seed_index):
    idx, s = seed_index
    q = "Who wrote The Conversation's analysis, and how many times have Xi and Putin met since 2013?"
    ans = answer(idx, q, settings=s, scorer=fixed_scorer(WEIGHTS, threshold=0.0))
    assert "Kaczmarski" in ans.text and len(ans.citations) >= 2
    for c in ans.citations:
        assert idx.articles[c.doc].text[c.quote_start : c.quote_end] == c.quote
