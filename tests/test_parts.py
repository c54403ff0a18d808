"""Two-part questions: each part asked on its own, the answer pairs them."""

import pytest

from rag import parts
from rag.answer import answer
from rag.followup import FOLLOWING
from rag.parts import answer_parts, ordered_parts, split_parts
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


def test_a_two_part_question_is_as_sure_as_its_parts_on_average(seed_index, monkeypatch):
    # A part sharing few words with its sentence scores unsure; the least sure part
    # used to refuse the whole question though each part's sentence was right.
    idx, s = seed_index
    real = parts.score
    sure = {"Where did Putin go after Beijing?": 0.9}

    def scored(index, reading, hits, qvec, scorer, keep=None):
        return real(index, reading, hits, qvec, scorer, keep)[0], sure.get(reading.question, 0.1)

    monkeypatch.setattr(parts, "score", scored)
    asked = split_parts(idx, "Where did Putin go after Beijing, and why was the visit significant?")
    chosen, confidence = answer_parts(idx, asked, s, fixed_scorer(WEIGHTS, threshold=0.0))
    assert confidence == pytest.approx(0.5) and len(chosen) >= 2


def test_which_came_first_asks_when_each_was():
    asked = lambda q: [p.question for p in ordered_parts(q)]
    assert asked("Which came first: the rescue of the castaways or the birth of Baudot?") == [
        "When was the rescue of the castaways?", "When was the birth of Baudot?"]
    # A passive verb before "first" is asked of each side; "older" of two people asks their births.
    assert asked("Who was born first, Edward Jenner or Thomas Godfrey, who helped devise the sextant?") == [
        "When was Edward Jenner born?", "When was Thomas Godfrey born?"]
    assert asked("Which was patented first, the kaleidoscope or dynamite?") == [
        "When was the kaleidoscope patented?", "When was dynamite patented?"]
    assert asked("Who is older, Ada Lovelace or Charles Babbage?") == [
        "When was Ada Lovelace born?", "When was Charles Babbage born?"]
    assert asked("Which is older the British Empire or the Ethiopian Empire?") == [
        "When was the British Empire?", "When was the Ethiopian Empire?"]
    assert asked("Is Skara Brae older than Knap of Howar?") == ["When was Skara Brae?", "When was Knap of Howar?"]
    # "Before or after" with a clause on each side.
    assert asked("Was Hertz born before or after the engine went on display?") == [
        "When was Hertz born?", "When the engine went on display?"]
    for q in ("Which city did he visit first, Beijing or Harbin?", "which piece hit first, and at what time?",
              "Is coal or oil more important?", "Was the treaty signed after the war?",
              "What is the oldest site in Warsaw?", "Who commanded the regiment first, and when did the next take over?",
              # Not settled by two dates, an elliptical side, no thing to date:
              "Who spoke first at the summit, Xi or Putin?", "Who came first in the race, Smith or Jones?",
              "Who was the first person to orbit the moon, Borman or Lovell?",
              "Which president was older at inauguration, Reagan or Biden?",
              "Did Xi visit Serbia before or after France?", "Was the deal signed earlier than expected?",
              "Is Putin older than 70?", "Was it earlier or later than 1900?"):
        assert ordered_parts(q) == (), q


def test_how_long_between_two_events_asks_when_each_was():
    asked = lambda q: [(p.question, p.query) for p in ordered_parts(q)]
    assert asked("How many years passed between Greenland joining the EEC and its withdrawal?") == [
        ("When was Greenland joining the EEC?", "When was Greenland joining the EEC?"),
        ("When was its withdrawal?", "When was its withdrawal? Greenland joining the EEC")]
    # "and" inside a name does not part the events; "separate A from B".
    assert [q for q, _ in asked("How long was the gap between the Belt and Road Forum and his state visit?")] == [
        "When was the Belt and Road Forum?", "When was his state visit?"]
    assert [q for q, _ in asked("Roughly how many years separate the first demonstration from the NATO campaign?")] == [
        "When was the first demonstration?", "When was the NATO campaign?"]
    # "after A did B": the last auxiliary opens B, which keeps A's words for retrieval ("it" is the KLA).
    assert asked("How many years after the KLA was founded did it launch its first campaign?") == [
        ("When the KLA was founded?", "When the KLA was founded?"),
        ("When did it launch its first campaign?", "When did it launch its first campaign? the KLA was founded")]
    # "from A to B": each side keeps what the span is of.
    assert asked("How long did the war last, from the first offensives to the ceasefire?") == [
        ("When was the first offensives?", "When was the first offensives? the ceasefire the war"),
        ("When was the ceasefire?", "When was the ceasefire? the first offensives the war")]
    # A relative clause's auxiliary is not the one that opens the second event.
    assert [q for q, _ in asked("How long after the war did the king who was crowned in 1066 die?")] == [
        "When the war?", "When did the king who was crowned in 1066 die?"]
    # An "and" inside quotation marks, or inside names when every "and" is: the last one.
    assert [q for q, _ in asked('How many years passed between "Pride and Prejudice" and "Emma"?')] == [
        'When was "Pride and Prejudice"?', 'When was "Emma"?']
    assert [q for q, _ in asked("How many years lay between the premiere of Romeo and Juliet and Shakespeare's death?")] == [
        "When was the premiere of Romeo and Juliet?", "When was Shakespeare's death?"]
    for q in ("How long did the first non-stop flight from Perth to London take?",  # one sentence's duration
              "How long did the flight last from Perth to London?",  # places, not events
              "How long did the war last, from 1914 to 1918?", "How long did it last, from start to finish?",
              "How many years after 1066 did the Domesday Book appear?",  # the question dates it
              "For how many days was Utamaro kept in manacles after his 1804 arrest?",
              "how long after that did the invasion start?",  # a follow-up's "that": no event to date
              "How long after that battle did the treaty come?",
              "How many years passed between the first and second voyages?",  # one thing's two voyages
              "How long before the visit had Putin last been in China, and what took him there?",  # two questions
              "How long did kings govern the city after its founder?",
              "What is the difference between a ballista and a mangonel?"):
        assert ordered_parts(q) == (), q


def test_how_long_between_quotes_the_date_of_each_event(make_index):
    # Neither sentence names the other event: asked as one question, the answer had one date or none.
    idx = make_index({
        "herald.txt": "Boston Herald\nThe Boston Herald is a daily newspaper. The Herald was founded in 1846 "
                      "by a group of printers. The founding editors of the Boston Herald passed the paper to "
                      "their sons. Years passed before the Herald won a Pulitzer Prize.\n",
        "utamaro.txt": "Utamaro\nUtamaro was a painter of prints. Utamaro was arrested in 1804 over a print "
                       "of Hideyoshi. Many years passed before Utamaro's prints reached Europe. The arrest of "
                       "Utamaro passed into legend. Years after the arrest, the founding of a Utamaro school "
                       "was proposed. How many prints passed between Utamaro and his publisher is unknown.\n",
    })
    ans = answer(idx, "How many years passed between Utamaro's arrest and the founding of the Boston Herald?",
                 scorer=fixed_scorer(WEIGHTS, threshold=0.0, required=("names_all", "type_ok")))
    assert not ans.abstained and "1804" in ans.text and "1846" in ans.text
    assert list(dict.fromkeys(c.doc for c in ans.citations)) == ["utamaro.txt", "herald.txt"]


def test_which_came_first_quotes_a_date_from_each_article(make_index):
    # No sentence names both, and "the rescue of the castaways on Tromelin" is no side a
    # comparison finds: scored as one question, the answer led with whichever article
    # shared more words with it. Asked of each side, each is dated, in the question's order.
    idx = make_index({
        "tromelin.txt": "Tromelin Island\nTromelin is a flat and sandy island. A ship ran aground there in 1761. "
                        "The castaways on Tromelin were rescued on 29 November 1776.\n",
        "baudot.txt": "Émile Baudot\nÉmile Baudot was born in Magneux in 1845. He invented the Baudot code.\n",
    })
    ans = answer(idx, "Which came first: the rescue of the castaways on Tromelin or the birth of Émile Baudot?",
                 scorer=fixed_scorer(WEIGHTS, threshold=0.0, required=("names_all", "type_ok")))
    assert not ans.abstained and "1776" in ans.text and "1845" in ans.text
    assert list(dict.fromkeys(c.doc for c in ans.citations)) == ["tromelin.txt", "baudot.txt"]  # the question's order
