"""Generated mode with a scripted fake model: every sentence the "model"
writes is checked against its citations before anyone sees it."""

from dataclasses import replace

import pytest
from hypothesis import given, strategies as st

from rag.answer import answer, answer_stream
from rag.generate import build_messages, select_passages
from rag.verify import parse_citations, split_claims, verify

GAS_Q = "Why is there no agreement on Power of Siberia 2?"
NO_AGREEMENT = ("There was no agreement on the Russia-promoted gas pipeline, Power of Siberia 2, which would allow "
                "the export of gas from Russia to north-east China.")


class Scripted:
    """A Generator that 'writes' a fixed reply, a few characters at a time."""

    id = "scripted"

    def __init__(self, reply):
        self.reply = reply
        self.prompts = []

    def stream(self, messages, max_new_tokens):
        self.prompts.append(messages)
        reply = self.reply(messages) if callable(self.reply) else self.reply
        for i in range(0, len(reply), 7):
            yield reply[i : i + 7]


def passage_number(messages, needle):
    """The [n] under which the prompt shows the passage containing `needle`."""
    import re

    for n, text in re.findall(r"^\[(\d+)\](.*)$", messages[-1]["content"], re.M):
        if needle in text:
            return int(n)
    raise AssertionError(f"{needle!r} not in the prompt")


def test_citation_parser_rejects_out_of_range_numbers():
    assert parse_citations("a [1] b [2, 3] c [1]", 3) == ([1, 2, 3], [])
    assert parse_citations("wrapped [0] and beyond [4] [-1]", 3) == ([], [0, 4])
    assert parse_citations("no markers here", 3) == ([], [])


@given(st.text(max_size=200), st.integers(min_value=0, max_value=8))
def test_citation_parser_never_returns_an_out_of_range_passage(text, n):
    valid, _ = parse_citations(text, n)
    assert all(1 <= v <= n for v in valid)


def test_a_lone_marker_after_the_full_stop_belongs_to_the_sentence_before():
    claims = split_claims("Gas talks stalled. [2] Xi met Putin [1].", 3)
    assert [(c.text, c.cited) for c in claims] == [("Gas talks stalled.", (2,)), ("Xi met Putin.", (1,))]


def test_prompt_passages_fit_the_budget(seed_index):
    index, s = seed_index
    ans = answer(index, GAS_Q, settings=s)
    chosen = select_passages(ans.hits, [], 1000)
    assert chosen[0] == ans.hits[0]
    assert sum(len(h.chunk.text) for h in chosen[1:]) + len(chosen[0].chunk.text) <= max(1000, len(chosen[0].chunk.text))
    messages = build_messages(GAS_Q, chosen, index)
    assert messages[0]["role"] == "system" and "[1]" in messages[1]["content"]


def test_supported_sentence_is_kept_and_renumbered(seed_index):
    index, s = seed_index
    gen = Scripted(lambda m: f"{NO_AGREEMENT} [{passage_number(m, 'There was no agreement')}]")
    events = list(answer_stream(index, GAS_Q, mode="generated", settings=s, generator=gen))
    assert [e.kind for e in events][:2] == ["retrieved", "token"]
    assert "".join(e.text for e in events if e.kind == "token").startswith("There was")
    ans = events[-1].answer
    assert ans.mode == "generated" and not ans.abstained
    assert ans.text == f"{NO_AGREEMENT} [1]"
    c = ans.citations[0]
    assert c.n == 1 and "no agreement" in c.quote
    assert index.articles[c.doc].text[c.quote_start : c.quote_end] == c.quote
    assert "ttft_ms" in ans.timings


def test_wrong_citation_is_moved_to_the_supporting_passage(seed_index):
    index, s = seed_index

    def reply(m):
        right = passage_number(m, "There was no agreement")
        wrong = 1 if right != 1 else 2
        return f"{NO_AGREEMENT} [{wrong}] [0]"

    ans = answer(index, GAS_Q, mode="generated", settings=s, generator=Scripted(reply))
    assert ans.text.endswith("[1]") and "no agreement" in ans.citations[0].quote
    assert any("re-cited" in n for n in ans.notes) and any("[0]" in n for n in ans.notes)


def test_invented_facts_are_removed(seed_index):
    index, s = seed_index

    def reply(m):
        n = passage_number(m, "There was no agreement")
        return (f"{NO_AGREEMENT} [{n}] The pipeline will cost 95 billion dollars and open in 2031 [{n}]. "
                f"Angela Merkel brokered the talks [{n}].")

    ans = answer(index, GAS_Q, mode="generated", settings=s, generator=Scripted(reply))
    assert ans.text == f"{NO_AGREEMENT} [1]"
    assert sum(n.startswith("removed") for n in ans.notes) == 2


def test_nothing_verified_falls_back_to_quotes(seed_index):
    index, s = seed_index
    quoted = answer(index, GAS_Q, mode="quoted", settings=s)
    for reply in ["The moon is made of cheese [1].", "", "The articles do not say [1].", "[1] [2]"]:
        ans = answer(index, GAS_Q, mode="generated", settings=s, generator=Scripted(reply))
        assert ans.mode == "generated" and ans.text == quoted.text and ans.citations == quoted.citations
        assert any("failed verification" in n for n in ans.notes)


def test_quantity_question_needs_a_number_in_the_generated_answer(seed_index):
    index, s = seed_index
    q = "How many times have Xi and Putin met?"
    quoted = answer(index, q, mode="quoted", settings=s)
    # A true sentence from the passages that does not give the number.
    ans = answer(index, q, mode="generated", settings=s,
                 generator=Scripted(lambda m: f"{NO_AGREEMENT} [{passage_number(m, 'no agreement')}]"
                                    if "no agreement" in m[-1]["content"] else "Xi met Putin [1]."))
    assert ans.text == quoted.text


def test_abstention_is_decided_before_the_model_runs(seed_index):
    index, s = seed_index
    gen = Scripted("Paris is the capital of France [1].")
    ans = answer(index, "What is the population of Paris?", mode="generated", settings=s, generator=gen)
    assert ans.abstained and not ans.citations and gen.prompts == []


def test_generator_errors_are_typed(seed_index):
    from rag.errors import GeneratorUnavailable
    from rag.generate import get_generator

    index, s = seed_index
    with pytest.raises(GeneratorUnavailable, match="not a model directory"):
        get_generator(replace(s, generator="/nonexistent/model"))


def test_swapped_names_are_not_supported():
    from rag.verify import names_in_order

    source = "Russia remains a power in long-term decline, while China is a superpower in waiting."
    assert names_in_order("Russia is in decline while China is rising.", source)
    assert not names_in_order("China remains a power in long-term decline, while Russia is a superpower.", source)


def test_assembled_model_is_checked_against_its_sha256(tmp_path, monkeypatch):
    import rag.generate as G
    from rag.errors import GeneratorUnavailable

    parts = []
    for i in range(2):
        parts.append(tmp_path / f"part{i:02d}.bin")
        parts[-1].write_bytes(b"not the model" * 10)
    monkeypatch.setattr(G, "gguf_parts", lambda: parts)
    with pytest.raises(GeneratorUnavailable, match="sha256"):
        G.assemble_gguf(tmp_path / "model.gguf")
    assert not list(tmp_path.glob("model.gguf*")), "a bad file must not be left behind"


def test_missing_model_wheel_is_a_clear_error(monkeypatch):
    import rag.generate as G
    from rag.errors import GeneratorUnavailable

    monkeypatch.setattr(G, "GGUF_PARTS", ("no_such_package_part1",))
    with pytest.raises(GeneratorUnavailable, match="make setup"):
        G.gguf_parts()


def test_citation_markers_do_not_count_as_the_number_asked_for(seed_index):
    index, s = seed_index
    q = "What share of the world's foreign exchange reserves is in yuan?"
    ans = answer(index, q, mode="generated", settings=s,
                 generator=Scripted("The world's foreign exchange reserves are in yuan [1]."))
    assert any("kind of fact" in n for n in ans.notes) or "3%" in ans.text
