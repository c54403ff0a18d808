"""The Gradio app: rendering is escaped, failures become chat messages,
feedback is saved, the API answers several clients at once."""

import json
from dataclasses import replace

import pytest

import app
from rag.records import Span


@pytest.fixture(scope="module")
def engine(seed_index, tmp_path_factory):
    index, s = seed_index
    return app.Engine(replace(s, data=tmp_path_factory.mktemp("data")), index=index)


def last(engine, question, turns=(), mode="quoted"):
    *_, turns = app.ask(engine, question, list(turns), mode)
    return turns


def test_markdown_and_html_in_text_are_shown_literally():
    hostile = "<img src=x onerror=alert(1)> [click](javascript:alert(2)) **bold** <script>x</script>"
    out = app.md_escape(hostile)
    assert "<img" not in out and "<script" not in out and "](javascript" not in out
    assert "&lt;img src=x onerror=alert\\(1\\)&gt;" in out


def test_citation_markers_become_links():
    out = app.link_citations("Gas talks stalled [1]. Xi hedged [2].", turn=3)
    assert "(#cite-3-1)" in out and "(#cite-3-2)" in out and "Gas talks stalled" in out


def test_highlight_marks_passage_and_quote_and_escapes():
    text = "<b>A.</b> Passage starts. The quote. Passage ends. After."
    start, end = text.index("Passage starts"), text.index(" After")
    qs = text.index("The quote")
    out = app.highlight(text, start, end, qs, qs + len("The quote."), 0, len(text))
    assert out.startswith("&lt;b&gt;A.&lt;/b&gt;")
    assert '<mark class="quote">The quote.</mark>' in out
    assert out.count('<span class="passage">') >= 2 and "After." in out.split("</span>")[-1]


def test_article_view_shows_whole_article_with_passage(engine):
    t = last(engine, "why no gas deal?")[-1]
    src = t.sources[0]
    out = app.article_view(engine.index, src)
    a = engine.index.articles[src["doc"]]
    assert a.title.split()[0] in out and '<span class="passage">' in out and '<mark class="quote">' in out
    assert out.count("<p>") == len(a.kept)


def test_answer_turn_has_sources_and_links(engine):
    turns = last(engine, "why no gas deal?")
    t = turns[-1]
    assert not t.error and not t.abstained and t.sources and "gas" in t.text
    msgs = app.messages_of(turns)
    assert msgs[-1]["role"] == "assistant" and "#cite-0-1" in msgs[-1]["content"] and "**Sources**" in msgs[-1]["content"]
    panel = app.sources_panel(t, 0, 1)
    assert 'href="#cite-0-1"' in panel and "selected" in panel


def test_followup_uses_the_conversation(engine):
    turns = last(engine, "What is Power of Siberia 2?")
    turns = last(engine, "Why hasn't it been agreed?", turns)
    assert not turns[-1].error and any("Siberia" in s["passage"] for s in turns[-1].sources)


def test_abstention_looks_different(engine):
    t = last(engine, "What is the population of Paris?")[-1]
    assert t.abstained and not t.sources and t.related
    out = app.render_turn(t, 0)
    assert out.startswith("🔍") and "#rel-0-1" in out and "#cite-" not in out
    assert "Related passages" in app.sources_panel(t, 0)


@pytest.mark.parametrize("question, says", [("", "empty"), ("x" * 600, "limit is 500"), ("?!", "no words")])
def test_bad_questions_become_friendly_messages(engine, question, says):
    t = last(engine, question)[-1]
    assert t.error and says in t.text
    assert app.render_turn(t, 0).startswith("⚠️")


def test_model_failure_is_a_message_not_a_traceback(engine, monkeypatch):
    import rag.generate

    def broken(settings, log=None):
        raise rag.errors.GeneratorUnavailable("weights missing")

    monkeypatch.setattr(rag.generate, "get_generator", broken)
    t = last(engine, "why no gas deal?", mode="generated")[-1]
    assert t.error and "unavailable" in t.text and "Quoted mode still works" in t.text


def test_unexpected_errors_do_not_escape(engine, monkeypatch):
    def boom(*a, **k):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(app, "answer_stream", boom)
    t = last(engine, "why no gas deal?")[-1]
    assert t.error and "secret" not in t.text and "went wrong" in t.text


def test_feedback_is_saved_as_jsonl(engine):
    t = last(engine, "why no gas deal?")[-1]
    path = engine.save_feedback(t, "down")
    rec = json.loads(path.read_text().splitlines()[-1])
    assert rec["vote"] == "down" and rec["question"] == "why no gas deal?" and rec["citations"][0]["quote"]
    assert rec["mode"] == "quoted"


def test_remote_binding_needs_a_flag(monkeypatch):
    with pytest.raises(SystemExit, match="--allow-remote"):
        app.main(["--host", "0.0.0.0"])


@pytest.fixture(scope="module")
def server(engine, serve_app):
    with serve_app(engine.index, engine.settings, engine.settings.data) as url:
        yield url


def test_api_answers_with_citations(server):
    from gradio_client import Client

    out = Client(server, verbose=False).predict("why no gas deal?", "quoted", api_name="/answer")
    assert out["error"] is None and out["sources"] and "gas" in out["text"]
    bad = Client(server, verbose=False).predict("", "quoted", api_name="/answer")
    assert bad["error"] and "empty" in bad["error"]


def test_eight_clients_at_once(server, in_parallel):
    from gradio_client import Client

    questions = ["why no gas deal?", "How many times have Xi and Putin met since 2013?",
                 "Who is Alexander Gabuev?", "What gifts did Xi give Putin?"] * 2
    results, errors = [None] * 8, []

    def one(i):
        try:
            results[i] = Client(server, verbose=False).predict(questions[i], "quoted", api_name="/answer")
        except Exception as e:  # reported below
            errors.append(e)

    in_parallel(one, [(i,) for i in range(8)], timeout=120)
    assert not errors
    assert all(r and r["error"] is None and (r["sources"] or r["abstained"]) for r in results)
    assert "gas" in results[0]["text"] and "gas" in results[4]["text"]


def test_streamed_draft_is_labelled_until_verified(engine, monkeypatch):
    import rag.generate

    class Fake:
        id = "fake"

        def stream(self, messages, max_new_tokens):
            yield from ["The moon ", "is cheese [1]."]

    monkeypatch.setattr(rag.generate, "get_generator", lambda settings, log=None: Fake())
    states = [(t[-1].draft, app.render_turn(t[-1], 0)) for t in app.ask(engine, "why no gas deal?", [], "generated")]
    drafts = [r for d, r in states if d]
    assert drafts and all("Draft, being checked" in r for r in drafts)
    final = states[-1]
    assert not final[0] and "moon" not in final[1] and "#cite-0-1" in final[1]
