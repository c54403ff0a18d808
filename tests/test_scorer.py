"""The answer stage's contract: candidates -> features -> score -> decide/compose.

Fast tests use `fixed_scorer` (hand-set weights) so they do not depend on
what the last training run learned; the shipped, fitted scorer is tested
with the real embedder in the `model` set.
"""

import json
import os
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest

from rag.answer import ABSTAIN_TEXT, OFF_TOPIC_TEXT, answer
from rag.compose import (CONFLICT_PREFIX, GATHER_MAX, LIST_GATHER_MAX, _goes_on, _measures, _speaker_named, choose,
                         compose_quoted, neutralise, outside_passages)
from rag.errors import ScorerUnavailable
from rag.ingest import UNKNOWN_OUTLET
from rag.features import (FEATURES, candidates, featurize, is_compare_question, is_heading, is_list_question,
                          read_question)
from rag.followup import FOLLOWING
from rag.question import OPENS_QUOTE, SPEECH
from rag.records import Hit, Scored, Span
from rag.scorer import SCORER_PATH, fixed_scorer, fused_lead, load_scorer, nearness, score

# Evidence a sensible answer score rises with; enough to exercise the stage.
WEIGHTS = {"coverage": 6.0, "dense": 2.0, "names_all": 1.0, "type_ok": 1.0, "retrieval": 0.5}


def test_features_have_one_column_each(seed_index):
    idx, s = seed_index
    q = "How many times have Xi and Putin met since 2013?"
    hits = [Hit(c, 1.0, i + 1) for i, c in enumerate(idx.chunks[:3])]
    cands = candidates(idx, hits)
    x = featurize(idx, read_question(idx, q), cands, idx.embedder.embed([q])[0])
    assert x.shape == (len(cands), len(FEATURES)) and np.isfinite(x).all()
    assert len(set(FEATURES)) == len(FEATURES)
    spans = [(c.hit.chunk.doc, c.span.start, c.span.end) for c in cands]
    assert len(spans) == len(set(spans))  # overlapping chunks give each sentence once


def test_score_orders_by_probability_after_the_fused_lead(seed_index):
    idx, _ = seed_index
    q = "Why has Power of Siberia 2 not been agreed?"
    hits = [Hit(c, 1.0, i + 1) for i, c in enumerate(idx.chunks[:8])]
    qvec = idx.embedder.embed([q])[0]
    scored, confidence = score(idx, read_question(idx, q), hits, qvec, fixed_scorer(WEIGHTS))
    probs = [s.score for s in scored]
    assert probs[1:] == sorted(probs[1:], reverse=True) and all(0 <= p <= 1 for p in probs)
    assert 0 <= confidence <= 1
    # the lead, recomputed from the features: what score and similarity rank best together
    reading, scorer = read_question(idx, q), fixed_scorer(WEIGHTS)
    cands = candidates(idx, hits)
    x = featurize(idx, reading, cands, qvec)
    p = scorer.sentence_probabilities(x)
    order = sorted(range(len(cands)), key=lambda i: (-p[i], cands[i].hit.rank, cands[i].span.start))
    lead = fused_lead(order, x[:, FEATURES.index("dense")])
    assert lead != order[0]  # here the two disagree, so the test tells the lead from the best score
    assert (scored[0].text, scored[0].score) == (cands[lead].text, pytest.approx(p[lead]))


def test_the_lead_is_what_score_and_similarity_rank_best_together():
    # second by score, first by similarity; the best score only fourth by similarity
    assert fused_lead([0, 1, 2, 3], np.array([0.1, 0.9, 0.5, 0.4])) == 1
    # second by similarity: 1/4 + 1/5 either way, and a tie goes to the better score
    assert fused_lead([0, 1, 2], np.array([0.5, 0.9, 0.1])) == 0
    assert fused_lead([2, 0, 1], np.array([0.1, 0.2, 0.3])) == 2  # first both ways
    assert fused_lead([0], np.array([0.0])) == 0


def test_the_threshold_decides(seed_index):
    idx, s = seed_index
    q = "How many times have Xi and Putin met since 2013?"
    assert answer(idx, q, settings=s, scorer=fixed_scorer(WEIGHTS, threshold=1.01)).text == ABSTAIN_TEXT
    ans = answer(idx, q, settings=s, scorer=fixed_scorer(WEIGHTS, threshold=0.0))
    assert not ans.abstained and ans.citations and 0 <= ans.confidence <= 1
    for c in ans.citations:  # every citation points at the exact text it quotes
        assert idx.articles[c.doc].text[c.quote_start : c.quote_end] == c.quote


def test_a_question_nothing_comes_near_is_off_topic():
    col = {f: i for i, f in enumerate(FEATURES)}
    x = np.zeros((3, len(FEATURES)))
    x[:, col["dense"]] = [0.10, 0.25, 0.20]
    x[:, col["no_names"]] = 1.0  # "how do I bake sourdough?" names nothing
    p = np.array([0.9, 0.1, 0.1])  # ... yet its best sentence looks likely among poor ones
    gated = replace(fixed_scorer(WEIGHTS), off_topic=0.3)
    assert nearness(x) == pytest.approx(0.25)
    assert gated.answerable(p, x) == 0.0 and fixed_scorer(WEIGHTS).answerable(p, x) > 0.5
    x[1, col["dense"]] = 0.31  # one sentence comes close enough
    assert gated.answerable(p, x) > 0.5
    x[:, col["dense"]] = 0.05  # "Who is Ngeow Chow Bing?": MiniLM knows the name poorly,
    x[0, col["no_names"]], x[0, col["names_all"]] = 0.0, 1.0  # but a candidate names him
    assert nearness(x) == float("inf") and gated.answerable(p, x) > 0.5


def test_the_off_topic_line_holds_only_in_the_space_it_was_fitted_in(seed_index):
    idx, s = seed_index  # hashed bag-of-words vectors: their similarities are not MiniLM's
    q = "why no gas deal?"  # names nothing, so only similarity says it is on topic
    strict = replace(fixed_scorer(WEIGHTS, threshold=1e-9), off_topic=0.99)
    refused = answer(idx, q, settings=s, scorer=strict)
    assert refused.abstained and refused.text == OFF_TOPIC_TEXT and not refused.related  # nothing worth listing
    assert not answer(idx, q, settings=s, scorer=replace(strict, embedder="another/model")).abstained


def test_the_shipped_scorer_refuses_off_topic_questions_within_its_stated_cost():
    s = load_scorer()
    assert 0 < s.off_topic < 1 and s.info["off_topic_false_refusal"] <= 0.02


def _scored(idx, doc_index, sentence, p, ok=True):
    chunk = [c for c in idx.chunks if c.doc == sorted(idx.articles)[doc_index]][0]
    sp = chunk.sentences[sentence]
    text = idx.articles[chunk.doc].text[sp.start : sp.end]
    return Scored(Hit(chunk, 1.0, 1), sp, text, p, ok)


def test_list_questions_gather_across_articles(seed_index):
    idx, _ = seed_index
    q = "Which countries did Xi visit in Europe?"
    assert is_list_question(q) and not is_list_question("What is Power of Siberia 2?")
    # A qualified plural, then any verb: "which Chinese goods help ...?"; a verb in "-s" is no plural.
    assert is_list_question("According to the piece, which Chinese goods help Russia?")
    assert is_list_question("what Chinese-supplied goods help its arms production?")
    assert not is_list_question("Which university hosts Putin?") and not is_list_question("What makes day length constant?")
    assert is_list_question("Goods may go through third countries. Which Central Asian states saw exports jump?")
    assert is_list_question("And which Central Asian states saw exports jump?")  # a follow-up's "And"
    assert is_list_question("So what Chinese-supplied goods help its arms production?")
    assert not is_list_question("Did Xi deliver what Russian officials wanted?")  # no question of its own
    assert not is_list_question("What US census revealed it?")  # "-us" is no plural
    assert is_compare_question("How did trade change between 2021 and 2023?")
    # One of two, by a measure: a comparison. "or" alone is not.
    assert is_compare_question("which came first, the Flyin-Saucer or the Pluto Platter?")
    assert is_compare_question("Does the Kalahari or the Namib support more animals?")
    assert not is_compare_question("What did Xi say about Taiwan or the US?")
    assert not is_compare_question("Did Putin bring 10 or more ministers to Beijing?")
    reading = read_question(idx, q)
    scored = [_scored(idx, 0, 0, 0.9), _scored(idx, 1, 0, 0.6), _scored(idx, 2, 0, 0.15), _scored(idx, 3, 0, 0.03)]
    chosen, conflict = choose(scored, reading)
    # A list gathers down to LIST_JOIN_RATIO (0.05) of the best: its items name the members, not the
    # group asked about, and score far below it; not the sentence at a thirtieth.
    assert [s.score for s in chosen] == [0.9, 0.6, 0.15] and not conflict
    # An ordinary question takes two at most: the best, and one at least a fifth as likely.
    plain = read_question(idx, "Who is Yun Sun?")
    assert [s.score for s in choose(scored, plain)[0]] == [0.9, 0.6]
    assert [s.score for s in choose([scored[0], scored[2]], plain)[0]] == [0.9]


def test_a_list_gathers_more_sentences_than_a_comparison(seed_index, monkeypatch):
    idx, _ = seed_index
    # Eight sentences of four articles, each likely enough to join: a list takes
    # LIST_GATHER_MAX of them (its items are spread wide), a comparison GATHER_MAX.
    # Only the cap is asked here: no neighbour or enumerating sentence joins.
    for rule in ("_with_enumeration", "_with_missing_words", "_with_their_words"):
        monkeypatch.setattr(f"rag.compose.{rule}", lambda chosen, scored, reading: chosen)
    monkeypatch.setattr("rag.compose._with_items", lambda chosen, scored: chosen)
    places = [(d, i) for d in range(4) for i in (0, 2)]
    scored = [_scored(idx, d, i, 0.9 - 0.05 * k) for k, (d, i) in enumerate(places)]
    listed = choose(scored, read_question(idx, "Which countries did Xi visit in Europe?"))[0]
    compared = choose(scored, read_question(idx, "How did trade change between 2021 and 2023?"))[0]
    assert GATHER_MAX < LIST_GATHER_MAX < len(scored)
    assert {s.score for s in listed} >= {s.score for s in scored[:LIST_GATHER_MAX]}
    assert scored[LIST_GATHER_MAX].score not in {s.score for s in listed}
    assert {s.score for s in compared} == {s.score for s in scored[:GATHER_MAX]}


def test_a_follow_up_asks_for_the_kind_of_answer_its_own_words_ask_for(seed_index):
    idx, _ = seed_index
    q = "Why was that stop significant?"
    carried = read_question(idx, f"{q}{FOLLOWING}How many countries did Xi visit?)", asked=q)
    assert carried.kind == "reason" and not carried.list_like
    elliptical = read_question(idx, f"And coal?{FOLLOWING}How much oil did China buy?)", asked="And coal?")
    assert elliptical.kind == "quantity"  # no question word of its own: the one before it
    also = read_question(idx, f"What about coal?{FOLLOWING}How much oil did China buy?)", asked="What about coal?")
    assert also.kind == "quantity"


def test_an_elliptical_follow_up_is_answered_about_its_new_thing(seed_index):
    idx, _ = seed_index
    before = "How much crude oil did China buy from Russia in the first eight months of 2023?"
    own = "And how much coal?"
    q = read_question(idx, f"{own}{FOLLOWING}{before})", focus=own, asked=own)
    hits = [Hit(c, 1.0, i + 1) for i, c in enumerate(c for c in idx.chunks
                                                     if "crude oil from Russia" in c.text or "coal shipments" in c.text)]
    cands = candidates(idx, hits)
    x = featurize(idx, q, cands, idx.embedder.embed([q.question])[0])
    focus_ok = {c.text: row[FEATURES.index("focus_ok")] for c, row in zip(cands, x)}
    assert not any(ok for t, ok in focus_ok.items() if "crude oil" in t and "coal" not in t)  # the answer before
    assert all(ok for t, ok in focus_ok.items() if "coal shipments" in t)
    # A follow-up pointing back ("the second one") is about the thing before, not new words.
    back = read_question(idx, f"What happened to the second one?{FOLLOWING}{before})",
                         focus="What happened to the second one?", asked="What happened to the second one?")
    assert featurize(idx, back, cands, idx.embedder.embed([back.question])[0])[:, FEATURES.index("focus_ok")].all()


def test_a_list_announced_in_one_sentence_brings_the_next_that_enumerates(seed_index):
    idx, _ = seed_index
    q = "Which Central Asian states saw big jumps in Chinese exports?"
    reading = read_question(idx, q)
    assert reading.list_like
    hits = [Hit(c, 1.0, i + 1) for i, c in enumerate(c for c in idx.chunks if "central Asian countries" in c.text)]
    scored, _ = score(idx, reading, hits, idx.embedder.embed([q])[0], fixed_scorer(WEIGHTS))
    intro = next(s for s in scored if s.text.startswith("Chinese exports to central Asian countries"))
    # The announcing sentence alone is likely enough; every other far less.
    ranked = [replace(intro, score=0.9)] + [replace(s, score=0.01) for s in scored if s is not intro]
    chosen, _ = choose(ranked, reading)
    assert [s.text[:20] for s in chosen] == ["Chinese exports to c", "Compared with 2021, "]
    # Not for a question asking one thing.
    single = replace(reading, list_like=False)
    assert len(choose(ranked, single)[0]) == 1
    assert not is_list_question("Which university hosts Putin in Harbin?")  # a verb, not a plural


def test_a_list_sentence_brings_the_sentences_that_add_to_its_list(make_index):
    idx = make_index({
        "mill.txt": "The mill bought most of its tools from Sheffield, in particular saws.\n"
                    "The workshop was almost wholly reliant on such imported tools, as well as chisels and hammers.\n"
                    "Steel files were also imported for finishing.\n"
                    "The river froze in the winter of 1820.\n",
        "farm.txt": "The farm bought most of its seed from Leeds, in particular barley.\n"
                    "On the other hand, the river also froze that winter.\n"})
    reading = read_question(idx, "What tools did the mill buy from Sheffield?")
    assert reading.list_like

    def chosen(first_words: str) -> list[str]:
        q = reading.question
        scored, _ = score(idx, reading, [Hit(c, 1.0, i + 1) for i, c in enumerate(idx.chunks)],
                          idx.embedder.embed([q])[0], fixed_scorer(WEIGHTS))
        first = next(s for s in scored if s.text.startswith(first_words))
        ranked = [replace(first, score=0.9)] + [replace(s, score=0.01) for s in scored if s is not first]
        assert len(choose(ranked, replace(reading, list_like=False))[0]) == 1  # not for a question asking one thing
        return [s.text[:12] for s in choose(ranked, reading)[0]]

    assert chosen("The mill bought") == ["The mill bou", "The workshop", "Steel files "]  # not the river
    # "also" alone is not enough: the sentence shares no word with the list.
    assert chosen("The farm bought") == ["The farm bou"]


def _choose_ranked(idx, reading, first_words: list[str], width: int = 8, second: float = 0.001) -> list[str]:
    """The sentences `choose` takes when the candidates opening with `first_words`
    rank first, in that order: the first likely (0.9), the second `second`, every
    other far less."""
    scored, _ = score(idx, reading, [Hit(c, 1.0, i + 1) for i, c in enumerate(idx.chunks)],
                      idx.embedder.embed([reading.question])[0], fixed_scorer(WEIGHTS))
    order = {w: i for i, w in enumerate(first_words)}
    ranked = sorted(scored, key=lambda s: order.get(s.text[:width], 99))
    ranked = [replace(s, score=(0.9, second)[i] if i < 2 else 0.001) for i, s in enumerate(ranked)]
    return [s.text[:width] for s in choose(ranked, reading)[0]]


def test_a_list_answer_that_enumerates_nothing_takes_a_likely_sentence_that_does(make_index):
    idx = make_index({
        "camp.txt": "Camp\n\n"
                    "The colonists were given supplies generously before they landed.\n"
                    "The supply list included canned food, water, tents and a radio set.\n"
                    "The island was home to birds, rats, crabs and lizards.\n"
                    "Colonists later got seeds, tools, lamps and a refrigerator as supplies.\n"})
    reading = read_question(idx, "What supplies were the colonists given?")
    assert reading.list_like
    # The likely sentence announces the supplies; the list is in one far less likely,
    # not the birds (no key word shared).
    assert _choose_ranked(idx, reading, ["The colonists w", "The island was ", "The supply list"], 15) == [
        "The colonists w", "The supply list"]
    # It enumerates already: no other list joins (the sentence before joins for the key words it lacks).
    assert _choose_ranked(idx, reading, ["The supply list", "Colonists later"], 15) == [
        "The colonists w", "The supply list"]
    # A question asking one thing takes no list.
    assert _choose_ranked(idx, replace(reading, list_like=False), ["The colonists w", "The supply list"], 15) == [
        "The colonists w"]


def test_a_chosen_sentence_brings_its_neighbour_for_the_key_words_the_answer_lacks(make_index):
    idx = make_index({
        "light.txt": "Light\n\nIn 1809 Delambre reported the travel time of light from the Sun as 8 minutes 12 seconds. "
                     "The modern value is 8 minutes 19 seconds. Delambre died in 1822.\n",
        "romer.txt": "Romer\n\nRomer first estimated the speed of light in 1676. The Dane's figure was about 22 minutes. "
                     "He later built instruments.\n"})
    q = read_question(idx, "How did Delambre's 1809 figure compare with the modern value?")
    assert _choose_ranked(idx, q, ["In 1809 "]) == ["In 1809 ", "The mode"]
    q = read_question(idx, "What figure did Delambre report in 1809?")
    assert _choose_ranked(idx, q, ["In 1809 "]) == ["In 1809 "]  # its neighbours lack "figure" too
    # Each chosen sentence, the best first, brings its own neighbour, placed beside it;
    # a neighbour is never taken from another article.
    q = read_question(idx, "How close were the 1676 and 1809 figures for light to the modern value?")
    assert _choose_ranked(idx, q, ["Romer fi", "In 1809 "], second=0.5) == ["Romer fi", "The Dane", "In 1809 ", "The mode"]
    # "How many ...?" asks; the sentence that says "many" adds nothing asked for.
    idx2 = make_index({"ministers.txt": "Cabinet\n\nMany voters were angry that year. "
                                        "The minister resigned twice in 1998.\n"})
    q = read_question(idx2, "How many times did the minister resign?")
    assert _choose_ranked(idx2, q, ["The mini"]) == ["The mini"]


def test_a_why_answer_brings_the_neighbouring_sentence_that_gives_the_cause(make_index):
    idx = make_index({
        "isle.txt": "The island lies between two shipping lanes.\n\n"
                    "It became significant again with the opening of the canal in 1914. "
                    "The island, a hazard to navigation, needed a lighthouse. "
                    "Because of the new traffic, a light was built in 1917. "
                    "Pay was poor, so few keepers stayed. Keepers left the island in 1929.\n\n"
                    "The keepers lived on the island for twelve years. Their houses still stand.\n"})

    def chosen(question: str, first_words: str) -> list[str]:
        return _choose_ranked(idx, read_question(idx, question), [first_words[:12]], 12)

    assert chosen("Why did the island need a lighthouse?", "The island, a") == ["The island, ", "Because of t"]
    assert chosen("Why did keepers leave the island?", "Keepers left") == ["Pay was poor", "Keepers left"]  # the one before
    assert chosen("Why was a light built?", "Because of") == ["Because of t"]  # a cause already, nothing lacking
    assert chosen("What did the island need?", "The island, a") == ["The island, "]  # not a why-question
    assert chosen("Why did the keepers live there?", "The keepers lived") == ["The keepers "]  # no cause next to it


def test_a_speakers_lead_in_brings_the_quotes_that_go_on_in_their_words(make_index):
    idx = make_index({
        "talks.txt": "Talks\n\n"
                     "Beijing should not push too hard, according to Mei Lan, a fellow at a think-tank. "
                     "\u201cThe crisis will not last forever,\u201d she said. "
                     "\u201cWhat matters is the cost China has to carry,\u201d she added. "
                     "\u201cNobody in Moscow wants to say so out loud,\u201d she said. Trade rose in 2023.\n\n"
                     "Output could recover in Russia, according to a bank analysis. "
                     "\u201cClosing the gap is a necessity,\u201d said Ivan Petrov. Exports fell.\n\n"
                     "Mei Lan said the talks went well for both sides. "
                     "\u201cThe deal is a step back for all of them,\u201d said Ivan Petrov. Talks ended.\n\n"
                     "Mei Lan said the pipeline was \u201ca question of price, not of politics\u201d this year. "
                     "\u201cThe price is the only question left,\u201d she said.\n"})

    def chosen(question: str, first_words: str) -> list[str]:
        return _choose_ranked(idx, read_question(idx, question), [first_words], 18)

    # The question names the speaker: two of her quotes follow the lead-in (QUOTE_FOLLOW_MAX), not the next fact.
    assert chosen("What does Mei Lan think Beijing should focus on?", "Beijing should not") == [
        "Beijing should not", "\u201cThe crisis will n", "\u201cWhat matters is t"]
    # Russia is no speaker here ("in Russia, according to a bank").
    assert chosen("How could output in Russia recover?", "Output could recov") == ["Output could recov"]
    # A question naming no one who speaks takes the lead-in alone.
    assert chosen("Should Beijing push hard?", "Beijing should not") == ["Beijing should not"]
    # The quote after her lead-in is someone else's; a lead-in quoting her already brings nothing.
    assert chosen("What did Mei Lan say about the talks?", "Mei Lan said the t") == ["Mei Lan said the t"]
    assert chosen("What did Mei Lan say about the pipeline?", "Mei Lan said the p") == ["Mei Lan said the p"]


@pytest.mark.parametrize("text, name, speaker", [
    ("Beijing can't press too hard, according to Yun Sun, a senior fellow.", "Yun Sun", "sun"),
    ("According to Kremlin spokesman Dmitry Peskov, the talks went well.", "Dmitry Peskov", "peskov"),
    ("Lukin, a professor at St. Petersburg University, added that it was so.", "Lukin", "lukin"),
    ("\u201cThe payment issue is critical,\u201d said Alexey Maslov, a director.", "Alexey Maslov", "maslov"),
    ("Output rose in Russia, according to Bloomberg data on Russia.", "Russia", ""),  # Russia is spoken about
    ("Ivanov said Lukin had misled parliament.", "Lukin", ""),
    ("Biden urged Xi to rein in Moscow.", "Xi", ""),
    ("Putin told Xi that it was fine.", "Xi", ""),
    ("A spokesman for Lukin said the talks were over.", "Lukin", ""),
    ("The so-called Sun Belt grew.", "Sun", ""),
])
def test_who_a_sentence_gives_as_its_speaker(text, name, speaker):
    assert _speaker_named(text, (name,)) == speaker


@pytest.mark.parametrize("text, goes_on", [
    ("\u201cThe crisis will not last forever,\u201d she said.", True),
    ("\u201cSome balance will be struck,\u201d he told reporters.", True),
    ("\u201cWhat matters is the cost.\u201d \u201cNobody wants to say so.\u201d", True),  # "say" is inside the quote
    ("\u201cHe is wrong about this,\u201d said Isakov.", False),  # someone else speaks
    ("'He said it would fail,' Isakov added.", False),
    ("'90s trade grew fast, official data show.", False),  # no quote at all
    ("Trade grew fast, she said.", False),
])
def test_a_quote_goes_on_in_the_speakers_words(text, goes_on):
    assert _goes_on(text, "lukin") is goes_on


def test_a_neighbour_across_a_paragraph_break_whatever_the_line_endings(make_index):
    # News gives a quote a paragraph of its own; a file written on Windows ends its lines in "\r\n".
    for end in ("\n", "\r\n", "\r"):
        idx = make_index({"ties.txt": f"Ties{end}{end}Lukin said the ties could change if pressure grew.{end}{end}"
                                      f"\u201cIf Beijing decides that compromise is impossible, China may go for an "
                                      f"alliance,\u201d he said.{end}{end}{end}Trade rose in 2023.{end}"})
        reading = read_question(idx, "What did Lukin say could push China into an alliance?")
        assert _choose_ranked(idx, reading, ["Lukin said"], 10) == ["Lukin said", "\u201cIf Beijin"], repr(end)
        # Two blank lines part more than a paragraph: no neighbour across them.
        assert _choose_ranked(idx, read_question(idx, "What rose in 2023 after the alliance?"), ["Trade rose"], 10) == [
            "Trade rose"], repr(end)


def test_what_enumerates():
    from rag.compose import _ENUMERATION

    assert _ENUMERATION.search("exports in 2023 to Kyrgyzstan, Kazakhstan and Tajikistan were up")
    assert _ENUMERATION.search("such as machine tools, trucks, chips or satellite images")
    for text in ("Just a day before, Beijing and Moscow announced drills.", "In 2023, trade rose and exports fell.",
                 "Wang, now an influential academic and director of the institute"):
        assert not _ENUMERATION.search(text), text


def test_how_many_things_a_sentence_lists_and_a_list_question_asks_for_them(make_index):
    from rag.features import items_in

    assert items_in("He was landed with a musket, a hatchet, a knife, a cooking pot, a Bible, bedding and some "
                    "clothes.") == pytest.approx(np.log(7))
    assert items_in("Trade rose.") == 0.0
    assert items_in("Trade rose, exports fell and imports held.") == pytest.approx(np.log(3))
    idx = make_index({"a.txt": "Supplies\n\nThe colonists were given axes, ploughs, seed and two cows. "
                                  "The colonists were given a warm welcome by the governor."})
    hits = [Hit(c, 1.0, i + 1) for i, c in enumerate(idx.chunks)]
    cands = candidates(idx, hits)
    text = idx.articles[cands[0].hit.chunk.doc].text
    listing = [i for i, c in enumerate(cands) if "axes" in text[c.sentence.start : c.sentence.end]]
    assert len(listing) == 1
    for q, asks_list in (("What supplies were the colonists given?", True), ("Who welcomed the colonists?", False)):
        x = featurize(idx, read_question(idx, q), cands, idx.embedder.embed([q])[0])
        col = x[:, FEATURES.index("list_items")]
        assert (col[listing] > 0).all() == asks_list and x[listing, FEATURES.index("items")].min() > 0
        assert col.max() == pytest.approx(np.log(4) if asks_list else 0.0)


def test_a_name_of_the_source_is_met_by_its_sentences(seed_index):
    idx, _ = seed_index
    scmp = "000_e737f1f109234fde.txt"
    hits = [Hit(c, 1.0, i + 1) for i, c in enumerate(c for c in idx.chunks if "100 Chinese enterprises" in c.text)]
    for q in ("How many Chinese enterprises do the US sanctions involve, per SCMP?",
              "How many Chinese enterprises do the US sanctions involve, per Sharma?"):
        cands = candidates(idx, hits)
        x = featurize(idx, read_question(idx, q), cands, idx.embedder.embed([q])[0])
        names_all = [row[FEATURES.index("names_all")] for c, row in zip(cands, x) if "100 Chinese" in c.text]
        # The outlet's initials name the SCMP's own article; an author of another article does not.
        assert names_all and all(names_all) == (cands[0].hit.chunk.doc == scmp and "SCMP" in q)


def test_a_title_s_initials_are_met_by_its_sentences(make_index):
    files = {
        "spr.txt": "Society for Psychical Research\nThe Society for Psychical Research (SPR) was founded in 1882.\n"
                   "The organisation is based at 1 Vernon Mews, London, with a library open to members.\n",
        "rats.txt": "Howland Island\nHowland Island is an uninhabited coral island in the central Pacific Ocean.\n"
                    "The organisation of the colony was based at Itascatown on the west coast.\n"}
    for name, text in (("Bakelite", "a thermosetting resin developed by Leo Baekeland in 1907"),
                       ("Surtsey", "a volcanic island off the southern coast of Iceland, formed in 1963"),
                       ("Mancala", "a family of two-player board games played with small stones"),
                       ("Ambergris", "a waxy substance produced in the digestive system of sperm whales"),
                       ("Frisbee", "a gliding toy made of plastic, first sold in the 1950s")):
        files[f"{name.lower()}.txt"] = f"{name}\n{name} is {text}.\n"  # "SPR" is no topic of the corpus
    idx = make_index(files)
    q = "Where's the SPR based?"
    hits = [Hit(c, 1.0, i + 1) for i, c in enumerate(idx.chunks)]
    cands = candidates(idx, hits)
    x = featurize(idx, read_question(idx, q), cands, idx.embedder.embed([q])[0])
    named = {c.text: bool(row[FEATURES.index("names_all")]) for c, row in zip(cands, x) if "based at" in c.text}
    # "SPR" is the initials of the first article's title, not of the second's.
    assert named == {"The organisation is based at 1 Vernon Mews, London, with a library open to members.": True,
                     "The organisation of the colony was based at Itascatown on the west coast.": False}


def test_what_an_article_is_about_need_not_be_named_in_its_sentences(make_index):
    # "Selkirk" is in most of the article's passages, not in its title, and no topic of the corpus.
    # (an article's title, here its opening words, counts as named by each of its sentences)
    story = ["The ship sailed away from the little island in the south of the ocean without its master."]
    story += [f"Selkirk counted the barrels of water number {i} on the beach." for i in range(20)]
    files = {"castaway.txt": "The castaway\n\n" + " ".join(story + ["The island had many wild goats.",
                                                                    "New clothes were made from goatskins."])}
    for i, topic in enumerate(("Harbours", "Lighthouses", "Canals", "Bridges", "Tunnels", "Ferries", "Docks", "Piers",
                               "Locks", "Quays", "Wharves", "Jetties", "Mills", "Forges", "Kilns", "Barns", "Granaries",
                               "Chapels", "Markets", "Inns")):
        files[f"{i:02d}.txt"] = f"{topic}\n\n{topic} were built of stone and timber in the old towns."
    idx = make_index(files)
    own = [c for c in idx.chunks if c.doc == "castaway.txt"]
    assert sum("Selkirk" in c.text for c in own) / len(own) >= 0.5
    assert sum("Selkirk" in c.text for c in idx.chunks) / len(idx.chunks) < 0.2
    hits = [Hit(c, 1.0, i + 1) for i, c in enumerate(own)]
    cands = candidates(idx, hits)
    for q, met in (("What did Selkirk make his clothes from?", True),
                   ("What did Fernando make his clothes from?", False)):  # a name the article lacks stays demanded
        x = featurize(idx, read_question(idx, q), cands, idx.embedder.embed([q])[0])
        goatskins = [row for c, row in zip(cands, x) if "goatskins" in c.text]
        assert goatskins and all(bool(row[FEATURES.index("names_all")]) == met for row in goatskins), q


def _spanning(s: Scored, first: int, last: int, p: float) -> Scored:
    """A candidate of `s`'s passage spanning its sentences first..last (as
    features.candidates gives a sentence opening "He ..." or "This ...", with
    the one before it)."""
    sents, text = s.hit.chunk.sentences, s.hit.chunk.text
    start, end = sents[first].start, sents[last].end
    off = s.hit.chunk.start
    return replace(s, span=Span(start, end), text=text[start - off : end - off], score=p)


def test_a_sentence_that_leans_on_the_chosen_one_joins_it(seed_index):
    idx, _ = seed_index
    best = _scored(idx, 0, 1, 0.8)
    plain = read_question(idx, "Who is Yun Sun?")
    both = _spanning(best, 1, 2, 0.5)  # best + the sentence after it: one statement
    assert choose([best, both], plain)[0] == [both]
    assert choose([best, replace(both, score=0.1)], plain)[0] == [best]  # not likely enough: the best alone
    # A continuation never pushes out a likelier sentence it overlaps.
    best = _scored(idx, 0, 1, 0.9)
    rival = _spanning(best, 2, 3, 0.8)
    assert choose([best, rival, _spanning(best, 1, 2, 0.5)], plain)[0] == [best, rival]


def _gabuev_quote(idx, first_of_chunk: bool = False) -> Scored:
    chunk, i = next((c, i) for c in idx.chunks for i, sp in enumerate(c.sentences)
                    if idx.articles[c.doc].text[sp.start : sp.end].startswith("“There is no other China")
                    and (i == 0) == first_of_chunk)
    sp = chunk.sentences[i]
    return Scored(Hit(chunk, 1.0, 1), sp, idx.articles[chunk.doc].text[sp.start : sp.end], 0.9, True)


def test_a_quotation_is_shown_with_its_speaker(seed_index):
    idx, _ = seed_index
    for first_of_chunk in (False, True):  # passages overlap: one holding both sentences is cited
        quote = _gabuev_quote(idx, first_of_chunk)
        text, (citation,) = compose_quoted(idx, [quote])
        assert "said Alexander Gabuev" in text and not text.startswith("Quoted in")
        assert citation.start <= citation.quote_start < quote.span.start and citation.quote_end <= citation.end
        assert citation.quote == idx.articles[quote.hit.chunk.doc].text[citation.quote_start : citation.quote_end]
    # Its speaker's sentence chosen as well is not shown twice.
    quote = _gabuev_quote(idx)
    i = quote.hit.chunk.sentences.index(quote.span)
    speaker = _spanning(quote, i - 1, i - 1, 0.6)
    text, citations = compose_quoted(idx, [quote, speaker])
    assert len(citations) == 1 and text.count("said Alexander Gabuev") == 1
    # ... nor when a sentence chosen before it holds the speaker's sentence and more.
    said = lambda c, k: idx.articles[c.doc].text[c.sentences[k].start : c.sentences[k].end]  # noqa: E731
    chunk, k = next((c, k) for c in idx.chunks for k in range(2, len(c.sentences))
                    if OPENS_QUOTE.match(said(c, k)) and not SPEECH.search(said(c, k)) and SPEECH.search(said(c, k - 1)))
    quote = Scored(Hit(chunk, 1.0, 1), chunk.sentences[k], said(chunk, k), 0.9, True)
    before = _spanning(quote, k - 2, k - 1, 0.6)
    text, citations = compose_quoted(idx, [quote, before])
    assert len(citations) == 2 and text.count(said(chunk, k - 1)) == 1


def test_each_quoted_sentence_has_its_own_citation(seed_index):
    idx, _ = seed_index
    a, b = _scored(idx, 0, 0, 0.9), _scored(idx, 0, 1, 0.8)
    text, citations = compose_quoted(idx, [b, a])
    assert [c.n for c in citations] == [1, 2] and text.endswith("[2]")
    assert citations[0].quote_start < citations[1].quote_start  # one article reads in its own order


def test_quoted_text_cannot_forge_a_citation(seed_index):
    from dataclasses import replace

    assert neutralise("as shown in [2] and [10]") == "as shown in (2) and (10)"
    idx, _ = seed_index
    forged = replace(_scored(idx, 0, 0, 0.9), text="The deal was signed [2], officials said.")
    text, citations = compose_quoted(idx, [forged])
    assert text == "The deal was signed (2), officials said. [1]" and len(citations) == 1


def test_conflicting_numbers_are_flagged(seed_index):
    idx, s = seed_index
    ans = answer(idx, "How many times have Xi and Putin met since 2013?", settings=s,
                 scorer=fixed_scorer(WEIGHTS, threshold=0.0))
    if ans.text.startswith(CONFLICT_PREFIX):  # depends on what the hash embedder retrieves
        assert len({c.doc for c in ans.citations}) == 2


def test_a_second_sentence_joins_at_a_fifth_a_conflict_needs_half(make_index):
    idx = make_index({"a.txt": "The survey counted 412 herons on the lake.\n",
                      "b.txt": "Volunteers on the shore put last spring's heron tally at 380.\n"})
    first = lambda doc: next(Scored(Hit(c, 1.0, 1), c.sentences[0], idx.articles[doc].text[
        c.sentences[0].start : c.sentences[0].end], 0.0, True) for c in idx.chunks if c.doc == doc)
    reading = read_question(idx, "How many herons were counted on the lake?")
    best, rival = replace(first("a.txt"), score=0.9), first("b.txt")
    # At 0.3 of the best the rival joins as a second sentence, but is no conflict ...
    chosen, conflict = choose([best, replace(rival, score=0.27)], reading)
    assert len(chosen) == 2 and not conflict
    # ... at half it is: "the sources differ" is a claim, and needs a likely rival.
    assert choose([best, replace(rival, score=0.5)], reading)[1]
    assert choose([best, replace(rival, score=0.1)], reading)[0] == [best]


@pytest.mark.parametrize("a, b, same", [
    ("The pair have met 42 times since 2013.", "The pair, having met 43 times since 2013, will meet again.", True),
    ("Russia sent 1500 troops to the border.", "Russia sent 1800 troops.", True),  # a count, not a year
    ("Exports to Russia rose 5% in May.", "Imports from Russia rose 8% in May.", False),  # "rose" says which way
    ("Xi and Putin have met 42 times since 2013.", "Trade has grown 30% since 2013.", False),
    ("China bought $37.5 billion of crude oil.", "Chinese exports to Russia fell to $8.3bn in April.", False),
])
def test_what_numbers_measure(a, b, same):
    assert bool(_measures(a) & _measures(b)) is same


def test_the_sources_differ_only_on_the_same_measure(make_index):
    idx = make_index({"a.txt": "China bought about $37.5 billion of crude oil from Russia in 2023.\n"
                               "The pair have met 42 times since 2013.\n",
                      "b.txt": "Chinese exports to Russia fell to $8.3bn in April, a drop of 14%.\n"
                               "The pair, having met 43 times since 2013, will meet again.\n"})
    sentence = lambda doc, i: next(Scored(Hit(c, 1.0, 1), c.sentences[i], idx.articles[doc].text[
        c.sentences[i].start : c.sentences[i].end], 0.0, True) for c in idx.chunks if c.doc == doc)
    # Two amounts of two things are no disagreement, however likely both are.
    reading = read_question(idx, "How much was China's aid to Russia worth?")
    assert not choose([replace(sentence("a.txt", 0), score=0.9), replace(sentence("b.txt", 0), score=0.8)], reading)[1]
    reading = read_question(idx, "How many times have Xi and Putin met since 2013?")
    assert choose([replace(sentence("a.txt", 1), score=0.9), replace(sentence("b.txt", 1), score=0.8)], reading)[1]


def test_a_scorer_fitted_on_other_features_is_refused(tmp_path):
    d = json.loads(SCORER_PATH.read_text())
    d["sentence"]["names"] = d["sentence"]["names"][:-1] + ["something_else"]
    bad = tmp_path / "scorer.json"
    bad.write_text(json.dumps(d))
    with pytest.raises(ScorerUnavailable, match="rag train"):
        load_scorer(bad)
    (tmp_path / "junk.json").write_text("[1, 2")
    with pytest.raises(ScorerUnavailable, match="cannot be read"):
        load_scorer(tmp_path / "junk.json")


def test_the_shipped_scorer_loads_and_says_how_it_was_fitted():
    s = load_scorer()
    assert 0 < s.threshold < 1
    assert s.info["questions"] > 1000 and "top1_when_retrievable" in s.info["out_of_fold"]


def test_fitting_is_deterministic():
    pytest.importorskip("sklearn")
    from rag.train import Question, fit

    rng = np.random.default_rng(0)
    qs = []
    for i in range(60):
        x = rng.normal(size=(6, len(FEATURES)))
        y = np.zeros(6, int)
        if i % 3:
            y[0] = 1
            x[0, FEATURES.index("coverage")] += 3
        qs.append(Question(f"g{i % 6}/{i}", f"g{i % 6}", bool(i % 3), x, y))
    a, b = fit(qs), fit(qs)
    assert a.to_json() == b.to_json()
    assert a.sentence.coef[FEATURES.index("coverage")] > 0  # it learned the planted signal


def test_the_threshold_is_a_quantile_estimated_from_all_right_answers():
    from rag.train import harrell_davis, threshold_for

    rng = np.random.default_rng(2)
    conf = rng.uniform(size=2001)
    right = np.ones(2001, bool)
    assert threshold_for(conf, right, 0.1) == pytest.approx(0.1, abs=0.02)
    assert threshold_for(conf, ~right) == 0.5  # nothing right to keep: the middle
    # Sparse near the quantile, as the training pool is: the plain quantile
    # jumps 0.1 with the one value moved, the estimate by less than a fifth of that.
    sparse = np.concatenate([np.linspace(0.0, 0.3, 9), [0.30], np.linspace(0.4, 1.0, 90)])
    moved = sparse.copy()
    moved[9] = 0.40
    assert np.sort(moved)[9] - np.sort(sparse)[9] == pytest.approx(0.1)
    assert abs(harrell_davis(sparse, 0.1) - harrell_davis(moved, 0.1)) < 0.1 / 5
    # An infinite value counts as the largest finite one; a NaN is left out; the
    # extremes are the smallest and largest values.
    assert harrell_davis(np.array([0.2, 0.4, np.inf]), 0.99) <= 0.4
    assert threshold_for(np.array([np.nan, 0.3]), np.array([True, True])) == pytest.approx(0.3)
    assert harrell_davis(np.array([0.2, 0.4]), 0.0) == 0.2 and harrell_davis(np.array([0.2, 0.4]), 1.0) == 0.4


def test_each_training_set_weighs_the_same_however_many_questions_it_has():
    pytest.importorskip("sklearn")
    from rag.train import Question, fit, weighted

    rng = np.random.default_rng(1)

    def labelled(n, signal, group):
        qs = []
        for i in range(n):
            x = rng.normal(size=(5, len(FEATURES)))
            y = np.zeros(5, int)
            y[0] = 1
            x[0, FEATURES.index(signal)] += 2
            qs.append(Question(f"{group}/{i}", group, True, x, y))
        return qs

    big, small = labelled(400, "coverage", "big"), labelled(20, "dense", "small")
    qs = weighted([big, small])
    assert sum(q.weight for q in qs[:400]) == pytest.approx(sum(q.weight for q in qs[400:]))
    assert sum(q.weight for q in qs) == pytest.approx(len(qs))
    # Unweighted, the small set's signal barely registers; weighted, it counts.
    plain, even = fit(big + small), fit(qs)
    col = FEATURES.index("dense")
    assert even.sentence.coef[col] > 2 * plain.sentence.coef[col]


@pytest.mark.model
@pytest.mark.parametrize("question", [
    "What did Putin and Modi discuss?",
    "What is the population of Harbin?",
    "Who won the 2022 football World Cup?",
    "How do I bake sourdough bread at home?",  # off topic: answered with a Putin quote before the off-topic line
    "What causes the northern lights?",
])
def test_real_scorer_abstains_on_near_misses(real_index, question):
    idx, s = real_index
    assert answer(idx, question, settings=s).abstained


@pytest.mark.model
def test_real_scorer_answers_and_cites(real_index):
    """The scorer's own decision (judge off): since session 51 the judge, asked about this
    answer at P(answered) 0.502, refuses it (README "Limits")."""
    idx, s = real_index
    ans = answer(idx, "why no gas deal?", settings=replace(s, judge="off"))
    assert not ans.abstained and "Power of Siberia" in ans.text and ans.citations


def _wiki(make_index, newline="\n"):
    return make_index({
        "kalahari.txt": ("Kalahari Desert\nThe Kalahari Desert is a large semi-arid sandy savanna in Southern Africa.\n\n"
                         "Protected areas\n\nThe following protected areas were established in the Kalahari:\n\n"
                         "- Kgalagadi Transfrontier Park is the largest of them all.\n- Central Kalahari Game Reserve\n"
                         "- Khutse Game Reserve\n\nPopulation\n\nThe San people have lived in the Kalahari for 20,000 "
                         "years.\n\nSettlements\n\nThe towns of the desert are these:\nGhanzi\nTsabong\n\nClimate\n\n"
                         "The Kalahari has a sub-tropical climate.\n").replace("\n", newline),
        "dynamite.txt": ("Dynamite\nDynamite is an explosive made of nitroglycerin and an absorbent.\n\n"
                         '"Military dynamite" is a dynamite substitute, formulated without nitroglycerin.\n\n'
                         "“Nobel’s powder will never be safe to store for long in the heat.”\n").replace("\n", newline)})


def _candidate(idx, doc: str, opening: str) -> Scored:
    c = next(c for c in candidates(idx, [Hit(c, 1.0, 1) for c in idx.chunks if c.doc == doc]) if c.text.startswith(opening))
    return Scored(c.hit, c.span, c.text, 0.9, True)


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_headings_and_list_items_are_no_answers_but_an_announced_list_is_quoted_whole(make_index, newline):
    idx = _wiki(make_index, newline)
    texts = [c.text for c in candidates(idx, [Hit(c, 1.0, i + 1) for i, c in enumerate(idx.chunks)])]
    for line in ("Protected areas", "- Khutse Game Reserve", "Population", "Ghanzi"):
        assert line not in texts
    a = idx.articles["kalahari.txt"].text
    announcing = _candidate(idx, "kalahari.txt", "The following")
    item = _candidate(idx, "kalahari.txt", "Kgalagadi")
    # The item chosen as well is quoted once, inside the list.
    text, citations = compose_quoted(idx, [announcing, item])
    assert len(citations) == 1 and text.count("Kgalagadi") == 1
    for name in ("Central Kalahari Game Reserve", "Khutse Game Reserve"):
        assert name in text
    assert "Population" not in text and "\r" not in text
    for c in citations:
        assert c.quote == a[c.quote_start : c.quote_end] and c.text == a[c.start : c.end]
        assert c.start <= c.quote_start and c.quote_end <= c.end and not c.quote.endswith("\r")
    # Years in brackets make no fact of a heading; a number in a short line may be one.
    for line, heading in (("Rolls-Royce (1931–1970)", True), ("Early life (1800s)", True),
                          ("Population 2,300 (2011 census)", False)):
        assert is_heading(line, Span(0, len(line))) is heading
    # A list without marks: the short lines right under the colon, to the first blank line.
    text, _ = compose_quoted(idx, [_candidate(idx, "kalahari.txt", "The towns")])
    assert "Ghanzi" in text and "Tsabong" in text and "Climate" not in text


def test_a_list_of_sentences_is_quoted_item_by_item_and_a_numbered_one_whole(make_index):
    long = (" To test for {}, hold the instrument level, look along the index arm and compare the two reflections "
            "of the horizon with care and patience, then turn the screw.")  # items too long to quote whole
    idx = make_index({
        "sextant.txt": ("Sextant\nThe sextant is a doubly reflecting navigation instrument that measures the angle "
                        "between two visible objects.\n\nThere are three errors that can be adjusted by the navigator, "
                        f"and they should be removed in the following order.\n\nSide error: The glass is tilted.{long.format('it')}"
                        f"\nIndex error: The mirrors are not parallel.{long.format('them')}\nCollimation error: The "
                        f"telescope is tilted.{long.format('this')}\n\nA sextant is light enough to be held in one hand at sea.\n"),
        "prods.txt": ("Prods\nIf the teacher wished to stop, the experimenter was told to give specific verbal prods. "
                      "The prods were, in this order:\n\n1. Please continue.\n2. The experiment requires that you "
                      "continue.\n3. You have no other choice, you must go on.\n\nIf the subject still wished to stop "
                      "after all the prods, the experiment was halted.\n")})
    # Items too long to quote whole: each item's first sentence, each cited on its own.
    text, citations = compose_quoted(idx, [_candidate(idx, "sextant.txt", "There are three")])
    assert [c.quote for c in citations[1:]] == ["Side error: The glass is tilted.", "Index error: The mirrors are not "
                                                "parallel.", "Collimation error: The telescope is tilted."]
    assert "compare the reflections" not in text and "held in one hand" not in text
    # "… in the following year." announces nothing.
    idx2 = make_index({"paper.txt": ("Paper\nHe finished the long experiments on the new material and published his paper "
                                     "in the following year.\n\nIt was read widely across the whole of Europe.\nOthers "
                                     "took up the work in Oxford a decade later and purified it.\n")})
    text, citations = compose_quoted(idx2, [_candidate(idx2, "paper.txt", "He finished")])
    assert len(citations) == 1 and "Oxford" not in text
    # A sentence run on into its first item ("…in this order: 1. Please continue.") brings the others.
    a = idx.articles["prods.txt"].text
    start, end = a.index("The prods were"), a.index("Please continue.") + len("Please continue.")
    hit = Hit(next(c for c in idx.chunks if c.doc == "prods.txt" and c.start <= start), 1.0, 1)
    text, citations = compose_quoted(idx, [Scored(hit, Span(start, end), a[start:end], 0.9, True)])
    assert "3. You have no other choice" in text and "was halted" not in text and len(citations) == 1
    assert citations[0].quote == a[citations[0].quote_start : citations[0].quote_end]


def test_a_quoted_term_is_no_quotation_and_an_unknown_outlet_is_named_by_its_title(make_index):
    idx = _wiki(make_index)
    assert idx.articles["dynamite.txt"].outlet == UNKNOWN_OUTLET
    text, _ = compose_quoted(idx, [_candidate(idx, "dynamite.txt", '"Military')])
    assert text.startswith('"Military dynamite" is')
    # Someone's words, an apostrophe and all, with no speaker named: quoted in the article.
    text, _ = compose_quoted(idx, [_candidate(idx, "dynamite.txt", "“Nobel")])
    assert text.startswith("Quoted in “Dynamite”: “Nobel’s powder")


def test_a_neighbour_just_outside_the_retrieved_passage_is_brought(make_index):
    # A lead-in ending one passage has its quote only in the next, whatever the passages share.
    filler = " ".join(f"Trade item {w} rose again in the third quarter of that year, officials in the region said."
                      for w in "abcde")
    text = (f"Talks\n\n{filler} Beijing should not push its advantage too hard in the talks, according to Mei Lan, "
            f"a senior fellow at a think-tank. \u201cThe crisis will not last forever, and everyone in Moscow knows it "
            f"well enough by now,\u201d she said. Exports fell in May.\n\nTrade outlook\n\nFarmers expected more "
            f"grain to go to Russia next year.\n")
    for overlap in (0, 1, 2):
        idx = make_index({"talks.txt": text}, chunk_overlap=overlap)
        first = next(c for c in idx.chunks if idx.articles[c.doc].text[c.sentences[-1].start:].startswith("Beijing"))
        reading = read_question(idx, "What does Mei Lan think Beijing should focus on?")
        scored, _ = score(idx, reading, [Hit(first, 1.0, 1)], idx.embedder.embed([reading.question])[0],
                          fixed_scorer(WEIGHTS))
        lead = next(s for s in scored if s.text.startswith("Beijing"))
        ranked = [replace(lead, score=0.9)] + [replace(s, score=0.001) for s in scored if s is not lead]
        assert not any(s.text.startswith("\u201cThe crisis") for s in scored)  # not in the retrieved passage
        assert [s.text[:12] for s in choose(ranked, reading)[0]] == ["Beijing shou"]
        outside = outside_passages(idx, ranked)
        assert [s.text[:12] for s in outside] == ["\u201cThe crisis "], overlap  # unscored, the sentence after only
        chosen = choose(ranked, reading, outside)[0]
        assert [s.text[:12] for s in chosen] == ["Beijing shou", "\u201cThe crisis "]
        quote = compose_quoted(idx, chosen)[1][-1]  # cited from a passage that holds it
        assert quote.quote.startswith("\u201cThe crisis")
        assert quote.start <= quote.quote_start < quote.quote_end <= quote.end
    # The sentence before a passage too; never a heading.
    rows = lambda word: " ".join(f"{word} item {w} rose in the third quarter of that year, people there said."
                                 for w in "abcdefg")
    idx = make_index({"farm.txt": f"Farms\n\n{rows('Trade')}\n\nTrade outlook\n\n{rows('Farm')}\n"})
    text = idx.articles["farm.txt"].text
    outside = [[s.text[:11] for s in outside_passages(idx, [Scored(Hit(c, 1.0, 1), c.sentences[0], text[
        c.sentences[0].start : c.sentences[0].end], 0.5, True)])] for c in idx.chunks]
    assert outside == [["Farm item b"], []]  # the second passage's sentence before is the heading "Trade outlook"


def test_a_sentence_outside_the_passages_is_never_an_answer_on_its_own(make_index):
    idx = make_index({"camp.txt": "Camp\n\nThe colonists were given supplies before they landed.\n"
                                  "The weather was mild that spring.\n"
                                  "The supply list included canned food, water, tents and a radio set.\n"})
    reading = read_question(idx, "What supplies were the colonists given?")
    best, items = (_scored(idx, 0, i, p) for i, p in ((1, 0.9), (3, 0.0)))
    assert [s.text[:8] for s in choose([best, items], reading)[0]] == ["The colo", "The supp"]  # a candidate: taken
    assert [s.text[:8] for s in choose([best], reading, [items])[0]] == ["The colo"]  # only beside: no neighbour rule


def test_coverage_is_the_same_in_every_run():
    """A set yields its words in another order in each process (hash
    randomisation); coverage must not change in its last bits with it, or
    equal coverages rank differently and `rag train` is not reproducible."""
    snippet = ("from rag.support import coverage\n"
               "terms = [f'w{i}' for i in range(40)]\n"
               "table = {t: 0.1 * (i % 7 + 1) / 3 for i, t in enumerate(terms)}\n"
               "print(repr(coverage(terms, set(terms[::3]), (table, 1.0))))")
    outs = {subprocess.run([sys.executable, "-c", snippet], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": str(seed)}).stdout for seed in range(6)}
    assert len(outs) == 1, outs
