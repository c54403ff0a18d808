"""The answerability judge's contract (rag/judge.py): a deterministic fake
here; the bundled model in the `model` set."""

import math
from dataclasses import replace

import pytest

from rag import answer as answer_module
from rag.answer import ABSTAIN_TEXT, OFF_TOPIC_TEXT, OTHER_YEAR_NOTE, answer
from rag.judge import FakeJudge, JudgeFit, answer_text, held_by, load_fit, load_judge
from rag.settings import from_env
from rag.errors import SettingsError

QUESTION = "How many times have Xi and Putin met?"


class Recording:
    """A judge that says what it is told to and remembers what it read."""

    id = "judge:recording"

    def __init__(self, verdict: float):
        self.said, self.read = verdict, []

    def verdict(self, question: str, text: str) -> float:
        self.read.append((question, text))
        return self.said

    def reply(self, question: str, sentences) -> str:
        return "none"  # no answer of its own: the scorer's order stands


def test_the_shipped_fit_loads_and_is_monotone():
    fit = load_fit()
    assert "{text}" in fit.user and "{question}" in fit.user
    assert fit.confidence_weight > 0 and fit.verdict_weight > 0 and 0 < fit.threshold < 1
    # More confidence or a surer "Yes" never lowers P(right).
    assert fit.probability(0.2, 1.0) < fit.probability(0.8, 1.0)
    assert fit.probability(0.5, -1.0) < fit.probability(0.5, 2.0)
    assert 0 < fit.probability(0.0, -50) < fit.probability(1.0, 50) <= 1  # no log(0), no overflow


def test_the_prompt_holds_the_question_and_the_cut_text():
    fit = JudgeFit(system="s", user="T: {text} Q: {question}", confidence_weight=1, verdict_weight=1, bias=0,
                   threshold=0.5, max_text_chars=10)
    messages = fit.prompt("why?", "x" * 50)
    assert messages[0] == {"role": "system", "content": "s"}
    assert messages[1]["content"] == "T: " + "x" * 10 + " Q: why?"


def test_the_judge_reads_the_answer_without_its_marks():
    assert answer_text("Trade grew 26% [1] to $240 billion. [2]") == "Trade grew 26% to $240 billion."


def test_the_fake_judge_is_deterministic():
    judge = FakeJudge()
    assert judge.verdict(QUESTION, "Xi and Putin have met many times: 42 times.") == 2.0
    assert judge.verdict(QUESTION, "Xi and Putin have met 42 times.") == 1.0  # "many" is missing
    assert judge.verdict(QUESTION, "Harbin is Little Moscow.") == -2.0
    assert judge.verdict("Why?", "anything") == 0.0


def test_the_judge_is_on_by_default_and_off_when_asked(seed_index):
    _, s = seed_index
    assert from_env(env={}).judge == "1.5b"
    assert s.judge == "off" and load_judge(s) is None
    with pytest.raises(SettingsError, match="RAG_JUDGE"):
        from_env(env={"RAG_JUDGE": "7b"})


def test_the_shipped_fit_asks_only_when_the_scorer_is_unsure():
    fit = load_fit()
    # Below the line the judge reads the answer; above it the scorer's own "answered" stands.
    assert fit.asks(0.0) and fit.asks(fit.ask_below - 1e-6) and not fit.asks(fit.ask_below)
    from rag.scorer import load_scorer

    assert load_scorer().threshold < fit.ask_below < 1  # so not asking never refuses


def test_the_judge_s_verdict_decides_with_the_scorer_s_confidence(seed_index, monkeypatch):
    idx, s = seed_index
    fit = replace(load_fit(), confidence_weight=1.0, verdict_weight=1.0, bias=0.0, threshold=0.5, ask_below=1.0,
                  runner_up_margin=None)
    monkeypatch.setattr(answer_module, "load_fit", lambda: fit)
    yes, no = Recording(8.0), Recording(-8.0)
    given = answer(idx, QUESTION, settings=s, judge=yes)
    assert not given.abstained and given.judge_verdict == 8.0 and "judge_ms" in given.timings
    # It read the standalone question and the quoted answer's sentences, not the citation marks.
    (question, text), = yes.read
    assert question == given.standalone_question and text == answer_text(given.text) and "[1]" not in text
    refused = answer(idx, QUESTION, settings=s, judge=no)
    assert refused.abstained and refused.text == ABSTAIN_TEXT and refused.judge_verdict == -8.0
    # The confidence stays the scorer's: the judge's is another figure.
    assert refused.confidence == given.confidence
    # A verdict at zero leaves the decision to the confidence: answered iff logit(confidence) >= 0.
    even = answer(idx, QUESTION, settings=s, judge=Recording(0.0))
    assert even.abstained == (given.confidence < 0.5)
    # Above the line where it is asked, it is not: the scorer's answer stands, read by no one.
    monkeypatch.setattr(answer_module, "load_fit", lambda: replace(fit, ask_below=given.confidence))
    unread = Recording(-8.0)
    kept = answer(idx, QUESTION, settings=s, judge=unread)
    assert not kept.abstained and kept.judge_verdict is None and unread.read == [] and "judge_ms" not in kept.timings
    assert kept.text == given.text


class Scripted:
    """A judge whose verdicts are given in the order it reads."""

    id = "judge:scripted"

    def __init__(self, *verdicts: float):
        self.verdicts, self.read = list(verdicts), []

    def verdict(self, question: str, text: str) -> float:
        self.read.append(text)
        return self.verdicts[len(self.read) - 1]

    def reply(self, question: str, sentences) -> str:
        return "none"


def test_the_judge_takes_the_runner_up_when_surer_of_it(seed_index, monkeypatch):
    idx, s = seed_index
    fit = replace(load_fit(), confidence_weight=1.0, verdict_weight=1.0, bias=0.0, threshold=0.5, ask_below=1.0,
                  runner_up_margin=0.0)
    monkeypatch.setattr(answer_module, "load_fit", lambda: fit)
    alone = answer(idx, QUESTION, settings=s, judge=Scripted(8.0, -8.0))
    assert not alone.abstained and alone.judge_verdict == 8.0  # the answer stands: the runner-up is no surer
    # The judge doubts the answer and is sure of the runner-up, the answer without the best sentence.
    doubted = Scripted(-8.0, 8.0)
    second = answer(idx, QUESTION, settings=s, judge=doubted)
    first_read, runner_up = doubted.read
    assert first_read == answer_text(alone.text) and runner_up != first_read
    assert not second.abstained and second.judge_verdict == 8.0 and answer_text(second.text) == runner_up
    # A tie keeps the answer; the runner-up is never read without a margin in the fit.
    tie = answer(idx, QUESTION, settings=s, judge=Scripted(8.0, 8.0))
    assert tie.text == alone.text and tie.judge_verdict == 8.0
    monkeypatch.setattr(answer_module, "load_fit", lambda: replace(fit, runner_up_margin=None))
    once = Scripted(-8.0, 8.0)
    assert answer(idx, QUESTION, settings=s, judge=once).abstained and len(once.read) == 1


def test_generated_mode_writes_from_the_answer_the_judge_gave(seed_index, monkeypatch):
    import rag.generate

    idx, s = seed_index
    fit = replace(load_fit(), confidence_weight=1.0, verdict_weight=1.0, bias=0.0, threshold=0.5, ask_below=1.0,
                  runner_up_margin=0.0)
    monkeypatch.setattr(answer_module, "load_fit", lambda: fit)
    read = []  # the sentences the model is given, best first

    def writes_nothing(index, question, hits, scored, settings, generator, t0, timings):
        read.append(scored)
        return iter(())

    monkeypatch.setattr(rag.generate, "generate_answer", writes_nothing)
    runner_up = answer(idx, QUESTION, mode="generated", settings=s, judge=Scripted(-8.0, 8.0))
    first = answer(idx, QUESTION, mode="generated", settings=s, judge=Scripted(8.0, -8.0))
    assert read[0] == read[1][1:]  # without the best sentence, which the judge doubted
    # Nothing written: each falls back to its own quoted answer.
    assert runner_up.text == answer(idx, QUESTION, settings=s, judge=Scripted(-8.0, 8.0)).text != first.text


def test_the_judge_is_not_asked_what_is_refused_anyway(seed_index, monkeypatch):
    from rag.scorer import fixed_scorer
    from test_scorer import WEIGHTS

    idx, s = seed_index
    monkeypatch.setattr(answer_module, "load_fit", lambda: replace(load_fit(), threshold=0.0, ask_below=1.0))
    judge = Recording(8.0)
    # Off topic (hashed vectors come nowhere near the scorer's line) ...
    off = answer(idx, "why no gas deal?", settings=s, judge=judge,
                 scorer=replace(fixed_scorer(WEIGHTS, threshold=1e-9), off_topic=0.99))
    assert off.abstained and off.text == OFF_TOPIC_TEXT and off.judge_verdict is None
    # ... or about another year than asked: the checks refuse whatever the judge would say.
    other = answer(idx, "What share of Russia's export payments was in yuan in August 2022?", settings=s,
                   judge=judge, scorer=fixed_scorer(WEIGHTS, threshold=0.0))
    assert other.abstained and OTHER_YEAR_NOTE in other.notes and other.judge_verdict is None
    assert judge.read == []


def test_the_judge_is_loaded_from_the_settings(seed_index, monkeypatch):
    _, s = seed_index
    import rag.generate

    loaded = []

    class Model:
        id = "fake-model"

        class tokenizer:
            @staticmethod
            def token_to_id(token):
                return {"Yes": 1, "No": 2}.get(token)

    def fake_get_generator(settings, log=lambda m: None):
        loaded.append((settings.generator, settings.generator_model))
        return Model()

    monkeypatch.setattr(rag.generate, "get_generator", fake_get_generator)
    judge = load_judge(replace(s, judge="1.5b", generator="/some/model", generator_model="0.5b"))
    assert loaded == [("", "1.5b")]  # the bundled model named, whatever generates
    assert judge.yes == [1] and judge.no == [2] and judge.id == "judge:fake-model"


@pytest.mark.model
def test_the_bundled_judge_tells_an_answer_from_a_near_miss(no_network):
    """Assembles (sha-checked) and converts the 1.5B on first use, offline."""
    from rag.judge import ModelJudge
    from rag.runtime import load_bundled
    from rag.settings import Settings

    judge = ModelJudge(load_bundled("1.5b", Settings().data), load_fit())
    right = judge.verdict("How many times have Xi and Putin met?", "Xi and Putin have met more than 40 times.")
    near = judge.verdict("How many times has Xi met Biden?", "Xi and Putin have met more than 40 times.")
    assert math.isfinite(right) and right > near
    # Its own reply, in words one sentence holds: the answer, not the sentence the question's words are in.
    sentences = ["Heat from the volcano has been turning the island's loose ash into harder rock.",
                 "This process is called palagonitization, and it has made the ash more resistant to the sea.",
                 "The island was first reached by scientists in 1964."]
    reply = judge.reply("What is the heat-driven process that turns the loose ash into tougher rock called?",
                        sentences)
    assert held_by(reply, sentences) == 1, reply


def test_the_harness_keeps_the_judge_s_verdict_beside_its_own(seed_index, monkeypatch, tmp_path):
    """`rag eval` writes its pass/fail as "verdict": the judge's figure is another field."""
    from rag.evaluate import Config, run
    from rag.gold import load_gold

    idx, s = seed_index
    monkeypatch.setattr(answer_module, "load_judge", lambda settings, log=None: Recording(8.0))
    monkeypatch.setattr(answer_module, "load_fit", lambda: replace(load_fit(), ask_below=1.0))
    gold = tmp_path / "gold.jsonl"
    gold.write_text('{"id": "q1", "question": "How many times have Xi and Putin met?", "answerable": true, '
                    '"answer": "42", "must_include": [["42", "43"]], "evidence": [{"doc": "000_e737f1f109234fde.txt", '
                    '"quote": "The pair have met 42 times since 2013"}]}\n', encoding="utf-8")
    records, verdicts = run(idx, load_gold(gold), s, Config("t", "hybrid", "quoted"), progress=False)
    assert records[0]["judge_verdict"] == 8.0 and records[0]["verdict"] in ("pass", "fail")


def test_the_fit_is_rebuilt_from_its_kept_rows(monkeypatch):
    """`python eval/fit_judge.py --rows eval/judge-rows.json` gives the shipped rag/judge.json."""
    from pathlib import Path

    pytest.importorskip("sklearn")
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parent.parent / "eval"))
    from fit_judge import ROWS_PATH, fit_rows
    from sweep import given

    import json

    shipped = load_fit()
    refit = fit_rows(json.loads(ROWS_PATH.read_text())["rows"], shipped, "1.5b")
    for name in ("confidence_weight", "verdict_weight", "bias", "threshold", "ask_below", "runner_up_margin"):
        assert getattr(refit, name) == pytest.approx(getattr(shipped, name), abs=1e-4), name
    assert refit.user == shipped.user and refit.info["judged"] == shipped.info["judged"]
    # The rules behind the line and the threshold: the judge reads the least sure two in five
    # questions, and a tenth of the answerable ones are refused, checks included, each answered as
    # the app answers it (the runner-up where the judge is surer of it).
    rows = json.loads(ROWS_PATH.read_text())["rows"]
    read = [r for r in rows if r["judge_verdict"] is not None and shipped.asks(r["confidence"])]
    assert 0.38 < len(read) / len(rows) <= 0.40
    answerable = [given(r, shipped) for r in rows if r["answerable"]]
    refused = [r for r in answerable if r["judge_verdict"] is None or
               (shipped.asks(r["confidence"]) and not shipped.answered(r["confidence"], r["judge_verdict"]))]
    assert 0.08 < len(refused) / len(answerable) < 0.12


def test_the_fake_judge_decides_through_the_pipeline(seed_index, monkeypatch):
    """FakeJudge, the deterministic stand-in: the question's words in the answer decide."""
    idx, s = seed_index
    monkeypatch.setattr(answer_module, "load_fit",
                        lambda: replace(load_fit(), confidence_weight=0.0, verdict_weight=1.0, bias=0.0, threshold=0.5,
                                        ask_below=1.0))
    given = answer(idx, QUESTION, settings=s, judge=FakeJudge())
    assert given.judge_verdict == FakeJudge().verdict(given.standalone_question, answer_text(given.text))
    assert given.abstained == (given.judge_verdict < 0)


def test_a_generated_answer_keeps_the_verdict(seed_index, monkeypatch, echo_generator):
    idx, s = seed_index
    monkeypatch.setattr(answer_module, "load_fit", lambda: replace(load_fit(), threshold=0.0, ask_below=1.0))
    echo_generator()
    ans = answer(idx, QUESTION, mode="generated", settings=s, judge=Recording(3.0))
    assert ans.mode == "generated" and ans.judge_verdict == 3.0


def test_a_judge_that_cannot_load_says_how_to_answer_without_it(seed_index, monkeypatch, tmp_path):
    import rag.generate
    from rag.errors import GeneratorUnavailable, JudgeUnavailable

    _, s = seed_index

    def broken(settings, log=lambda m: None):
        raise GeneratorUnavailable("ctranslate2 is not installed")

    monkeypatch.setattr(rag.generate, "get_generator", broken)
    with pytest.raises(JudgeUnavailable, match="RAG_JUDGE=1.5b.*--judge off"):
        load_judge(replace(s, judge="1.5b"))
    bad = tmp_path / "judge.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(JudgeUnavailable, match="make train-judge"):
        load_fit(bad)


def test_the_sweep_reads_the_runner_up_as_the_app_gives_it(monkeypatch):
    """eval/sweep.py's rows keep the runner-up beside the first answer (the judge's fit rows):
    the fit's threshold and the curves read whichever answer the app would give."""
    from pathlib import Path

    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parent.parent / "eval"))
    from sweep import given, judged

    fit = replace(load_fit(), runner_up_margin=0.0)
    row = {"set": "s", "id": "q", "answerable": True, "refused": False, "confidence": fit.ask_below / 2,
           "passes": False, "judge_verdict": -1.0, "runner_up": {"judge_verdict": 2.0, "passes": True}}
    assert given(row, fit)["passes"] is True and given(row, fit)["judge_verdict"] == 2.0
    assert given(row, replace(fit, runner_up_margin=None)) is row  # never read
    doubted = dict(row, runner_up={"judge_verdict": -2.0, "passes": True})
    assert given(doubted, fit) is doubted  # the judge is surer of the first answer
    (below,), (above,) = judged([row], fit), judged([dict(row, confidence=fit.ask_below)], fit)
    assert below["confidence"] == fit.probability(row["confidence"], 2.0) and below["passes"] is True
    assert above["confidence"] == 1.0 and above["passes"] is False  # above the line the first answer stands
    refused = dict(row, refused=True, judge_verdict=None, runner_up=None)
    assert judged([refused], fit) == [refused]


def test_the_sweep_keeps_the_judge_s_readings_across_runs(monkeypatch, tmp_path):
    """eval/sweep.py's Remembering: each (question, text) read once, kept on disk for the next
    sweep, keyed by judge and prompt; a line cut by an interrupted run is skipped."""
    from pathlib import Path

    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parent.parent / "eval"))
    from sweep import Remembering

    class Prompted(Scripted):
        def __init__(self, fit, *verdicts):
            super().__init__(*verdicts)
            self.fit = fit

    fit, kept = load_fit(), tmp_path / "verdicts.jsonl"
    first = Prompted(fit, 1.5, -2.0)
    judge = Remembering(first, kept)
    assert judge.verdict("q?", "a.") == 1.5 and judge.verdict("q?", "a.") == 1.5  # read once
    assert judge.verdict("q?", "b.") == -2.0 and first.read == ["a.", "b."]
    with kept.open("a") as f:
        f.write('{"key": "cut')  # an interrupted write
    again = Prompted(fit, 9.0)
    judge = Remembering(again, kept)
    assert judge.verdict("q?", "b.") == -2.0 and judge.verdict("q?", "a.") == 1.5 and again.read == []
    assert judge.verdict("q?", "c.") == 9.0 and Remembering(Prompted(fit), kept).verdict("q?", "c.") == 9.0
    # Another prompt: read anew; no file: nothing kept.
    other = Prompted(replace(fit, user=fit.user + " "), 7.0)
    assert Remembering(other, kept).verdict("q?", "a.") == 7.0 and other.read == ["a."]
    alone = Scripted(3.0)
    assert Remembering(alone).verdict("q?", "a.") == 3.0 and alone.read == ["a."]
    # The judge's own replies (JudgeFit.reads_first) are kept beside its verdicts.
    replying = Replying("Sperm whales")
    replying.fit = fit
    assert Remembering(replying, kept).reply("q?", ["x.", "y."]) == "Sperm whales" and len(replying.shown) == 1
    later = Replying("never read")
    later.fit = fit
    judge = Remembering(later, kept)
    assert judge.reply("q?", ["x.", "y."]) == "Sperm whales" and judge.verdict("q?", "a.") == 1.5
    assert judge.reply("q?", ["y.", "x."]) == "never read" and len(later.shown) == 1  # another order, another reading


def test_a_reply_is_held_by_the_sentence_with_most_of_its_words():
    sentences = ["Ambergris is a waxy substance.", "It is produced by sperm whales in their gut.",
                 "Sperm whales dive deep."]
    assert held_by("Sperm whales", sentences) == 1  # the first of equals
    assert held_by("the gut of sperm whales", sentences) == 1
    assert held_by("none", sentences) is None and held_by("None of them.", sentences) is None
    assert held_by("a fish of the Arctic", sentences) is None  # words of its own: no sentence holds half
    assert held_by("", sentences) is None and held_by("Sperm whales", []) is None


class Replying(Scripted):
    """A scripted judge that replies with the words it is given, and keeps what it was shown."""

    def __init__(self, words: str, *verdicts: float):
        super().__init__(*verdicts)
        self.words, self.shown = words, []

    def reply(self, question: str, sentences) -> str:
        self.shown.append(list(sentences))
        return self.words


def test_the_sentence_holding_the_judge_s_reply_leads_the_answer(seed_index, monkeypatch):
    """JudgeFit.reads_first: below its line the judge first answers from the scorer's best
    sentences, each once; the one holding its reply leads the answer it then reads."""
    idx, s = seed_index
    fit = replace(load_fit(), confidence_weight=1.0, verdict_weight=1.0, bias=0.0, threshold=0.5, ask_below=1.0,
                  runner_up_margin=None, reads_first=4)
    monkeypatch.setattr(answer_module, "load_fit", lambda: fit)
    plain = Replying("none", 8.0)
    before = answer(idx, QUESTION, settings=s, judge=plain)
    (shown,) = plain.shown
    flat = [" ".join(t.split()) for t in shown]  # a candidate may hold the sentence before it, a paragraph apart
    assert len(shown) == 4 and len(set(shown)) == 4 and answer_text(before.text).startswith(flat[0])
    # It replies with the third sentence's own words: that sentence opens the answer.
    led = Replying(shown[2], 8.0)
    after = answer(idx, QUESTION, settings=s, judge=led)
    assert answer_text(after.text).startswith(flat[2]) and led.read == [answer_text(after.text)]
    # Not read at all when the fit says so, nor above the judge's line.
    monkeypatch.setattr(answer_module, "load_fit", lambda: replace(fit, reads_first=0))
    unread = Replying(shown[2], 8.0)
    assert answer(idx, QUESTION, settings=s, judge=unread).text == before.text and unread.shown == []
    monkeypatch.setattr(answer_module, "load_fit", lambda: replace(fit, ask_below=0.0))
    above = Replying(shown[2], 8.0)
    assert answer(idx, QUESTION, settings=s, judge=above).text == before.text and above.shown == []


def test_the_shipped_fit_replies_first_with_its_prompt():
    fit = load_fit()
    assert fit.reads_first > 1 and "{sentences}" in fit.reply_user and "{question}" in fit.reply_user
    (system, user) = fit.reply_prompt("Who?", ["A said.", "B did."])
    assert system["content"] == fit.reply_system and "[1] A said.\n[2] B did." in user["content"]
    assert user["content"].rstrip().endswith("Answer:") and "Who?" in user["content"]
    assert FakeJudge().reply("Who made the dynamite?", ["Alfred Nobel made dynamite in 1867."]) == \
        "Alfred Nobel in 1867"
