"""Comparisons: the sides a question names, and an answer with a sentence from each."""

import json
import pytest

from rag.answer import answer
from rag.records import Hit
from rag.features import read_question
from rag.scorer import fixed_scorer
from rag.sides import article_sides, asks_across_articles, find_sides, on_side, pair, side_hits, without_sides

from test_scorer import WEIGHTS

SCMP, CONVERSATION, GEOSTRATEGY, BLOOMBERG, GUARDIAN = (
    "000_e737f1f109234fde.txt", "001_abf0bfbafe203610.txt", "002_6dfbe20ab4471a19.txt", "003_b2748b2c5d28ea21.txt",
    "004_fb74a0a541c85797.txt")


def test_outlets_name_their_articles_and_neighbouring_words_make_one_side(seed_index):
    idx, _ = seed_index
    q = "How has the yuan's role been described in the 2023 Bloomberg piece versus the 2024 Conversation piece?"
    sides = find_sides(idx, q)
    assert [s.docs for s in sides] == [{BLOOMBERG}, {CONVERSATION}]
    assert without_sides(q, sides) == "How has the yuan's role been described in the piece versus the piece?"
    # Initials name an outlet too; "since 2013" is a starting point, not a side.
    q = "The SCMP piece and the Geostrategy piece both count how often Xi and Putin have met since 2013."
    assert [s.docs for s in find_sides(idx, q, comparison=False)] == [{SCMP}, {GEOSTRATEGY}]


def test_authors_name_their_articles(seed_index):
    idx, _ = seed_index
    q = "Do the SCMP article and Ashwani Sharma's piece agree on how many times Xi and Putin have met since 2013?"
    sides = find_sides(idx, q, comparison=False)
    assert [s.docs for s in sides] == [{SCMP}, {GEOSTRATEGY}]
    assert without_sides(q, sides) == "Do the article and piece agree on how many times Xi and Putin have met since 2013?"
    # A surname alone, and an outlet that could be read as a person ("The Conversation").
    q = "How do The Conversation and Sharma's article each describe Harbin?"
    assert [s.docs for s in find_sides(idx, q, comparison=False)] == [{CONVERSATION}, {GEOSTRATEGY}]


def test_and_parts_two_sides(seed_index):
    idx, _ = seed_index
    # "the Guardian and the 2023 article": two sides, not the Guardian's article of 2023.
    sides = find_sides(idx, "Do the Guardian and the 2023 article agree on when the pact was struck?")
    assert [s.docs for s in sides] == [{GUARDIAN}, {BLOOMBERG}]


def test_times_name_the_articles_dated_then(seed_index):
    idx, _ = seed_index
    sides = find_sides(idx, "How did Chinese exports to Russia change between 2023 and 2024?")
    assert [s.label for s in sides] == ["2023", "2024"]
    assert sides[0].docs == {BLOOMBERG} and sides[1].docs == {SCMP, CONVERSATION, GEOSTRATEGY, GUARDIAN}
    # In one year, the month tells the sides apart.
    sides = find_sides(idx, "How did the mood differ between the May 2024 and June 2024 pieces?")
    assert [s.docs for s in sides] == [{SCMP, GUARDIAN}, {CONVERSATION, GEOSTRATEGY}]
    # A short month is a month: "the Oct 2023 and May 2024 summits" leave no "Oct" to find.
    q = "Did the pipeline make any progress between the Oct 2023 and May 2024 summits?"
    sides = find_sides(idx, q)
    assert [s.label for s in sides] == ["Oct 2023", "May 2024"] and sides[0].docs == {BLOOMBERG}
    assert "Oct" not in without_sides(q, sides)
    # What happened at the later time may be told later, by articles that name it; not the earlier time.
    sides = find_sides(idx, "Which countries saw exports rise in 2023 compared with 2021?")
    assert [s.label for s in sides] == ["2023", "2021"] and sides[0].docs == {BLOOMBERG}
    assert sides[0].later == {SCMP, CONVERSATION, GEOSTRATEGY, GUARDIAN}


def test_people_are_sides_only_of_a_comparison(seed_index):
    idx, _ = seed_index
    q = "How do Li Lifan and Artyom Lukin differ on a full alliance?"
    sides = find_sides(idx, q, comparison=read_question(idx, q).compare_like)
    assert [s.mention for s in sides] == ["Li Lifan", "Artyom Lukin"] and all(s.docs is None for s in sides)
    text = idx.articles[SCMP].text
    at = text.index("Lukin said China's reluctance")
    sentence = next(sp for c in idx.chunks if c.doc == SCMP for sp in c.sentences if sp.start <= at < sp.end)
    assert on_side(idx, sides[1], SCMP, sentence) and not on_side(idx, sides[0], SCMP, sentence)
    assert find_sides(idx, "What did Li Lifan and Artyom Lukin say?", comparison=False) == ()


def test_questions_without_two_sides_have_none(seed_index):
    idx, _ = seed_index
    assert find_sides(idx, "Why is there no gas deal?") == ()
    assert find_sides(idx, "What did the Guardian report about exports in 2024?") == ()
    # "conversation" is a word of the corpus: only "Conversation" names the outlet.
    assert find_sides(idx, "Did the conversation in the Guardian differ from SCMP's?") != ()
    assert [s.docs for s in find_sides(idx, "does the conversation differ from the guardian's view?")] != [
        {CONVERSATION}, {GUARDIAN}]


def test_a_comparison_is_answered_from_each_side(seed_index):
    idx, s = seed_index
    q = "What was the trend in Chinese exports to Russia in 2023 per Bloomberg versus in 2024 per the Guardian?"
    ans = answer(idx, q, settings=s, scorer=fixed_scorer(WEIGHTS, threshold=0.0))
    assert list(dict.fromkeys(c.doc for c in ans.citations)) == [BLOOMBERG, GUARDIAN]  # each side, in order
    for c in ans.citations:
        assert idx.articles[c.doc].text[c.quote_start : c.quote_end] == c.quote


def test_a_short_title_names_its_article(make_index):
    idx = make_index({
        "laika.txt": "Laika\nLaika was a Soviet space dog who became one of the first animals in space in 1957.\n"
                     "She was a stray from the streets of Moscow, about three years old when she flew.\n",
        "dolly.txt": "Dolly (sheep)\nDolly was a female domestic sheep and the first mammal cloned from an adult cell.\n"
                     "She lived for six and a half years and had six lambs of her own on the farm.\n"})
    sides = find_sides(idx, "Who lived longer, Laika or Dolly the sheep?", comparison=False)
    assert [s.docs for s in sides] == [{"laika.txt"}, {"dolly.txt"}]



def test_a_word_of_a_long_title_names_its_article_as_the_article(make_index):
    idx = make_index({
        "samalas.txt": "1257 Samalas eruption\nThe Barujari volcano erupted in 1884, 1994, 2004 and 2009 since the "
                       "great eruption of the Samalas volcano.\n",
        "lombok.txt": "Lombok\nThe most recent eruption of Rinjani occurred in September 2016 at Gunung Barujari on "
                      "the island of Lombok.\n"})
    q = "Compare the latest eruption at Barujari in the Lombok article with the one listed in the Samalas article."
    assert [s.docs for s in find_sides(idx, q)] == [{"lombok.txt"}, {"samalas.txt"}]
    assert find_sides(idx, "Was the Samalas eruption bigger than Krakatoa?") == ()  # the eruption, not the article
    assert find_sides(idx, "Did Samalas report more eruptions than Lombok?") == ()  # "report" is a verb here
    q = "Barujari turns up in both the Lombok article and the 1257 Samalas article. What is said of it in each?"
    assert [s.docs for s in find_sides(idx, q, comparison=False)] == [{"lombok.txt"}, {"samalas.txt"}]


def test_things_the_corpus_names_are_sides_when_nothing_else_is(make_index):
    idx = make_index({
        "bakelite.txt": "Bakelite\nBakelite was the first plastic made from synthetic parts, mostly dark brown.\n"
                        "Catalin was a later cast resin that came in bright colours.\n",
        "nylon.txt": "Nylon\nNylon is a family of polymers first made in 1935.\n"})
    sides = find_sides(idx, "How did Catalin compare with Bakelite when it came to colour?")
    assert [(s.label, s.mention, s.docs) for s in sides] == [("Catalin", "Catalin", None),
                                                             ("Bakelite", "", {"bakelite.txt"})]
    # Named by two articles, the things a question asks about are no sides of their own.
    sides = find_sides(idx, "How did Catalin in Bakelite compare with nylon in Nylon?")
    assert all(s.docs is not None for s in sides)
    # A name the corpus never uses is no side.
    assert find_sides(idx, "How did Catalin compare with Zylonite?") == ()
    # Names no comparison word sets against each other are what is compared, not sides.
    assert find_sides(idx, "How did Catalin's colours differ on Bakelite?") == ()


def test_whether_the_articles_agree_is_asked_of_every_article(seed_index):
    assert asks_across_articles("Do the articles agree on how many times Xi and Putin have met since 2013?")
    assert asks_across_articles("do these reports differ on the size of the trade?")
    assert asks_across_articles("Is there disagreement among the sources? Do they differ across the articles?")
    assert not asks_across_articles("Do Xi and Putin agree on Ukraine?")
    assert not asks_across_articles("What did the articles say about the gas deal?")
    assert asks_across_articles("Do the two articles agree on the date?")
    assert not asks_across_articles("Do the reports match what Putin said?")
    idx, _ = seed_index
    by_doc = {c.doc: c for c in idx.chunks}
    hits = [Hit(by_doc[d], 1.0, i + 1) for i, d in enumerate([GUARDIAN, SCMP, GUARDIAN, BLOOMBERG])]
    assert [s.docs for s in article_sides(hits)] == [{GUARDIAN}, {SCMP}, {BLOOMBERG}]  # each once, in order


def test_articles_that_differ_are_each_quoted_oldest_first(make_index):
    idx = make_index({
        "a.txt": "The survey counted 412 herons on the lake this spring.\nBoats are banned near the nests.\n",
        "b.txt": "Volunteers counted 380 herons on the lake last spring.\nThe count took three days.\n",
        "c.txt": "The bakery on the square reopened after repairs.\nIts bread is sold at the market.\n",
        "_metadata.json": json.dumps({"a.txt": {"date": "2024-05-01"}, "b.txt": {"date": "2023-06-01"},
                                      "c.txt": {"date": "2024-01-01"}})})
    assert [idx.articles[d].date for d in ("a.txt", "b.txt")] == ["2024-05-01", "2023-06-01"]
    # The bakery holds no count: its best sentence is far less likely than the herons' (type_ok required).
    ans = answer(idx, "Do the articles agree on how many herons were counted on the lake?",
                 scorer=fixed_scorer(WEIGHTS, threshold=0.0, required=("type_ok",)))
    assert [c.doc for c in ans.citations] == ["b.txt", "a.txt"]
    assert "380" in ans.text and "412" in ans.text and "bakery" not in ans.text
    # An article whose best sentence is under the answer threshold is left out: with a
    # threshold no side reaches, no side is kept and the question is answered as one.
    sure = answer(idx, "Do the articles agree on how many herons were counted on the lake?",
                  scorer=fixed_scorer(WEIGHTS, threshold=0.999, required=("type_ok",)))
    assert len({c.doc for c in sure.citations}) < 2


def test_only_the_likeliest_articles_are_quoted_still_oldest_first(make_index, monkeypatch):
    idx = make_index({
        "a.txt": "The survey counted 412 herons on the lake this spring.\nBoats are banned near the nests.\n",
        "b.txt": "Volunteers counted 380 herons on the lake last spring.\nThe count took three days.\n",
        "d.txt": "Some 350 herons were seen, one warden guessed.\nThe warden walks the shore daily.\n",
        "_metadata.json": json.dumps({"a.txt": {"date": "2024-05-01"}, "b.txt": {"date": "2023-06-01"},
                                      "d.txt": {"date": "2022-01-01"}})})
    q = "Do the articles agree on how many herons were counted on the lake?"
    scorer = fixed_scorer(WEIGHTS, threshold=0.0, required=("type_ok",))
    assert [c.doc for c in answer(idx, q, scorer=scorer).citations] == ["d.txt", "b.txt", "a.txt"]
    # Room for two: the warden's guess, the least like the question, is left out, though oldest.
    monkeypatch.setattr("rag.answer.GATHER_MAX", 2)
    ans = answer(idx, q, scorer=scorer)
    assert [c.doc for c in ans.citations] == ["b.txt", "a.txt"] and "350" not in ans.text


@pytest.mark.model
def test_the_shipped_scorer_quotes_each_article_asked_whether_they_agree(real_index):
    idx, s = real_index
    ans = answer(idx, "Do the articles agree on how many times Xi and Putin have met since 2013?", settings=s)
    assert {SCMP, GEOSTRATEGY} <= {c.doc for c in ans.citations}
    assert "42 times" in ans.text and "43 times" in ans.text


@pytest.mark.model
def test_the_shipped_scorer_answers_both_sides(real_index):
    idx, s = real_index
    ans = answer(idx, "How has the yuan's role in Russian trade been described in the 2023 Bloomberg piece "
                      "versus the 2024 Conversation piece?", settings=s)
    assert not ans.abstained and list(dict.fromkeys(c.doc for c in ans.citations)) == [BLOOMBERG, CONVERSATION]
    assert "29%" in ans.text and "90%" in ans.text


# Two articles on a gas pipeline, one a year: a.txt's two sentences in the order given.
HELD_OUT = "In 2023 Beijing held out for a better gas pipeline deal from Moscow.\n"
NO_CONTRACTS = "No gas pipeline contracts have been signed in 2023, officials said.\n"
PIPELINE_Q = "How did the gas pipeline deal stand in 2023 versus in 2024?"


def _pipeline(make_index, *a_sentences):
    return make_index({"a.txt": "Pipeline\n\n" + "".join(a_sentences),
                       "b.txt": "Summit\n\nIn 2024 there was no agreement on the gas pipeline.\n"
                                "The weather in 2024 was mild at the summit.\n"})


def test_a_side_gives_its_next_sentence_too_when_nearly_as_likely(make_index, monkeypatch):
    idx, q = _pipeline(make_index, HELD_OUT, NO_CONTRACTS), PIPELINE_Q
    hits = [Hit(c, 1.0, i + 1) for i, c in enumerate(idx.chunks)]

    def answers():  # a bias that spreads the scores: 0.25 and 0.09 for a.txt, 0.14 and 0.07 for b.txt
        sides = pair(idx, read_question(idx, q), find_sides(idx, q), hits, idx.embedder.embed([q])[0],
                     fixed_scorer(WEIGHTS, bias=-6.0))[0]
        return [[(s.hit.chunk.doc, s.text.split()[0]) for s in side] for side in sides]

    # Each side's next sentence is at least JOIN_RATIO (0.2) as likely as its best: it follows it.
    assert answers() == [[("a.txt", "In"), ("a.txt", "No")], [("b.txt", "In"), ("b.txt", "The")]]
    # At a bar of 0.4, a.txt's (0.36 of its best) stays out, b.txt's (0.48) follows.
    monkeypatch.setattr("rag.sides.JOIN_RATIO", 0.4)
    assert answers() == [[("a.txt", "In")], [("b.txt", "In"), ("b.txt", "The")]]


def test_a_side_does_not_repeat_the_words_another_side_gives(make_index):
    idx = make_index({
        "a.txt": "Pipeline\n\nIn 2023 Beijing held out for a better gas pipeline deal from Moscow.\n"
                 "No gas pipeline contracts have been signed in 2023, officials said.\n",
        "b.txt": "Summit\n\nIn 2024 there was no agreement on the gas pipeline.\n"
                 "No gas pipeline contracts have been signed in 2024, officials said.\n"
                 "The weather in 2024 was mild at the summit.\n"})
    q = "How did the gas pipeline deal stand in 2023 versus in 2024?"
    hits = [Hit(c, 1.0, i + 1) for i, c in enumerate(idx.chunks)]
    sides = pair(idx, read_question(idx, q), find_sides(idx, q), hits, idx.embedder.embed([q])[0],
                 fixed_scorer(WEIGHTS, bias=-6.0))[0]
    # b.txt's second-likeliest sentence (0.084) says in a.txt's words what a.txt's side
    # already gives: its next (0.068, above the bar) follows instead.
    assert [[s.text.split()[1] for s in side] for side in sides] == [["2023", "gas"], ["2024", "weather"]]


def _paired(idx, question: str):
    """The best sentence of each side a comparison pairs, every passage retrieved, under a fixed scorer."""
    hits = [Hit(c, 1.0, i + 1) for i, c in enumerate(idx.chunks)]
    return [side[0] for side in pair(idx, read_question(idx, question), find_sides(idx, question), hits,
                                     idx.embedder.embed([question])[0], fixed_scorer(WEIGHTS))[0]]


def test_a_time_side_of_an_amount_takes_an_amount_of_that_time(make_index):
    idx = make_index({
        "a.txt": "Exports fell to $8.3bn in April, a drop of 14% compared with April 2023.\n"
                 "Both will look to resist the pressure on their trade.\n",
        "b.txt": "Exports rose by 57% in the first nine months of the year.\nTrade kept growing.\n",
        "c.txt": "Trade talks on exports were held in Moscow that year.\n",
        "_metadata.json": json.dumps({"a.txt": {"date": "2024-05-20"}, "b.txt": {"date": "2023-10-17"},
                                      "c.txt": {"date": "2022-03-01"}})})

    def paired(question: str) -> list[str]:
        return [s.text[:16] for s in _paired(idx, question)]

    # No article says what exports did in March 2024: the April figure is no answer, nor a sentence of no amount.
    assert paired("By how much did exports drop in March 2024 compared with March 2023?") == ["Exports rose by "]
    assert paired("By how much did exports change in April 2024 compared with 2023?") == [
        "Exports fell to ", "Exports rose by "]
    # A year's side holds an amount, or it has no sentence: the talks of 2022 tell no amount.
    assert paired("By how much did exports change in 2022 compared with 2023?") == ["Exports rose by "]
    # How something changed between two times is told by a figure for each.
    assert paired("How did trade change between 2023 and 2024?") == ["Exports rose by ", "Exports fell to "]
    # "the October 2023 article" names an article by its date, not the month of a fact.
    assert paired("How much did exports grow in the October 2023 article compared with the May 2024 one?") == [
        "Exports rose by ", "Exports fell to "]


def test_the_later_time_may_be_told_by_a_later_report_that_names_it(make_index):
    idx = make_index({
        "a.txt": "Exports to Kyrgyzstan were up 164% in 2023 compared with 2021.\n"
                 "In January 2023 the talks on trade stalled.\n",
        "b.txt": "Exports grew 20% in 2021 after the pandemic.\n",
        "c.txt": "Officials met in Bishkek in 2023 to talk about exports.\n",
        "d.txt": "Talks on trade opened in Bishkek.\n",
        "_metadata.json": json.dumps({"a.txt": {"date": "2024-05-20"}, "b.txt": {"date": "2021-12-01"},
                                      "c.txt": {"date": "2023-06-01", "outlet": "Bishkek Times"},
                                      "d.txt": {"date": "2023-03-10"}})})

    def paired(question: str) -> list[str]:
        return [s.text[:16] for s in _paired(idx, question)]

    # The 2024 report's figure for 2023 answers the 2023 side, whose own article has none.
    assert paired("By how much did exports rise in 2023 compared with 2021?") == ["Exports to Kyrgy", "Exports grew 20%"]
    # A later report counts for a month only where it names that month.
    sides = find_sides(idx, "How did the trade talks go in March 2023 and in June 2023?")
    assert [s.label for s in sides] == ["March 2023", "June 2023"] and sides[1].later == {"a.txt"}
    span = next(s for c in idx.chunks if c.doc == "a.txt" for s in c.sentences
                if idx.articles["a.txt"].text[s.start:s.end].startswith("In January 2023"))
    assert not on_side(idx, sides[1], "a.txt", span)
    # A side named by an article and a time is that article's: no later reports.
    sides = find_sides(idx, "Did the 2023 Bishkek Times piece and the 2021 one agree?")
    assert [s.docs for s in sides] == [{"c.txt"}, {"b.txt"}] and all(not s.later for s in sides)


def test_a_change_told_in_words_keeps_its_side(make_index):
    idx = make_index({
        "a.txt": "In 2023 the two leaders signed a pledge of friendship without limits.\n",
        "b.txt": "In 2024 the partnership cooled as sanctions bit.\n",
        "_metadata.json": json.dumps({"a.txt": {"date": "2023-03-01"}, "b.txt": {"date": "2024-05-01"}})})
    picked = _paired(idx, "How did the relationship change between 2023 and 2024?")
    assert [s.text[:7] for s in picked] == ["In 2023", "In 2024"]


def test_a_person_is_answered_from_the_passages_that_quote_them(make_index):
    idx = make_index({
        "a.txt": "An alliance between China and Russia is much discussed in Beijing.\n",
        "b.txt": "Talk of a full alliance grew after the summit in Beijing.\n",
        "c.txt": "Both capitals deny that an alliance is planned.\n",
        "d.txt": "Li Lifan said ties had limits.\n\n\"China has been careful,\" he said. "
                 "\"It is clear there will be no military alliance soon.\"\n",
        "e.txt": "Artyom Lukin said China may go for a full alliance with Russia.\n"})
    q = "How do Li Lifan and Artyom Lukin differ on a full alliance?"
    by_doc = {c.doc: c for c in idx.chunks}
    # Three passages that name neither rank first: each side is still answered from its own.
    hits = [Hit(by_doc[d], 1.0, i + 1) for i, d in enumerate(["a.txt", "b.txt", "c.txt", "e.txt", "d.txt"])]
    paired = pair(idx, read_question(idx, q), find_sides(idx, q), hits, idx.embedder.embed([q])[0],
                  fixed_scorer(WEIGHTS))[0]
    assert [side[0].hit.chunk.doc for side in paired] == ["d.txt", "e.txt"]


def test_a_year_is_answered_from_the_best_passages_not_any_that_names_it(make_index):
    idx = make_index({
        "a.txt": "Border trade\n\nCompared with 2021, exports to Kazakhstan were up 77% in 2023.\n",
        "b.txt": "Currencies\n\nThe yuan's share of currency trading rose from 0.4% in January 2022 to almost half.\n",
        **{f"{n}.txt": f"Notes {n}\n\nThe {n} bakery on the square reopened after repairs.\n" for n in "cdefg"}})
    q = "By what percentage did exports to Kazakhstan rise in 2022 compared with 2021?"
    by_doc = {c.doc: c for c in idx.chunks}
    hits = [Hit(by_doc[d], 1.0, i + 1) for i, d in enumerate(["a.txt", "c.txt", "d.txt", "e.txt", "b.txt"])]
    # The yuan's "January 2022", in the fifth passage, says nothing of exports: 2022 has no side.
    paired = pair(idx, read_question(idx, q), find_sides(idx, q), hits, idx.embedder.embed([q])[0],
                  fixed_scorer(WEIGHTS))[0]
    assert [side[0].hit.chunk.doc for side in paired] == ["a.txt"]


def test_a_side_is_looked_for_in_candidate_sentences_not_headings(make_index):
    # A heading naming the thing is no sentence about it (review): the passages it
    # heads must not take the side's places from the one that answers.
    idx = make_index({
        **{f"{n}.txt": f"Plastics {n}\n\nCatalin\n\nMoulds were costly in shop {n}.\n" for n in "abc"},
        "d.txt": "Casting\n\nCatalin was cast in open moulds, unlike Bakelite.\n",
        "e.txt": "Pressing\n\nBakelite was pressed in heated steel moulds.\n"})
    q = "How do Catalin and Bakelite compare in how they were made?"
    sides = find_sides(idx, q)
    by_doc = {c.doc: c for c in idx.chunks}
    hits = [Hit(by_doc[d], 1.0, i + 1) for i, d in enumerate(["a.txt", "b.txt", "c.txt", "d.txt", "e.txt"])]
    catalin = next(s for s in sides if s.mention == "Catalin")
    assert [h.chunk.doc for h in side_hits(idx, catalin, hits)] == ["d.txt"]


def test_a_sides_sentence_brings_its_neighbour_with_what_the_question_asks(make_index):
    idx = make_index({
        "a.txt": "Trade report\n\nExports fell to $8.3bn in April 2024. The drop hit machinery makers hardest.\n",
        "b.txt": "Trade figures\n\nExports rose by 57% in the first nine months of 2023. Trade kept growing.\n",
        **{f"{n}.txt": f"Notes {n}\n\nThe {n} bakery on the square reopened after repairs.\n" for n in "cdefg"},
        "_metadata.json": json.dumps({"a.txt": {"date": "2024-05-20"}, "b.txt": {"date": "2023-10-17"}})})
    q = "How did exports change between 2023 and 2024, for machinery makers?"
    ans = answer(idx, q, scorer=fixed_scorer(WEIGHTS, threshold=0.0))
    # Each side's sentence, and the one after 2024's, which names the makers asked about.
    assert "57%" in ans.text and "$8.3bn" in ans.text and "machinery makers" in ans.text
    assert "bakery" not in ans.text and "kept growing" not in ans.text


def test_a_sides_sentences_read_as_their_article_gives_them(make_index):
    idx, q = _pipeline(make_index, NO_CONTRACTS, HELD_OUT), PIPELINE_Q
    hits = [Hit(c, 1.0, i + 1) for i, c in enumerate(idx.chunks)]
    scorer = fixed_scorer(WEIGHTS, bias=-6.0, threshold=0.0)
    sides = pair(idx, read_question(idx, q), find_sides(idx, q), hits, idx.embedder.embed([q])[0], scorer)[0]
    assert [s.text.split()[0] for s in sides[0]] == ["In", "No"]  # the side's best first, as scored
    ans = answer(idx, q, scorer=scorer)
    # ... and quoted as the article gives them: the contracts, then the holding out.
    assert ans.text.index("No gas pipeline contracts") < ans.text.index("Beijing held out") < ans.text.index("In 2024")
